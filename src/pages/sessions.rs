//! "Where you are signed in", on the "Your password" page: every open
//! session of the signed-in staff member, with the device and address it
//! was signed in from, and ending one or all of the others.

use leptos::prelude::*;

use crate::api::session::{my_sessions, EndMyOtherSessions, EndMySession};
use crate::components::data::data;
use crate::components::field::general_message;
use crate::components::{format, loaded};
use crate::views::session::ActiveSession;

#[component]
pub fn MySessions() -> impl IntoView {
    let end_one = ServerAction::<EndMySession>::new();
    let end_others = ServerAction::<EndMyOtherSessions>::new();
    let sessions = data(move || (end_one.version().get(), end_others.version().get()), |_| my_sessions());
    let one_error = Signal::derive(move || end_one.value().get().and_then(Result::err));
    let others_error = Signal::derive(move || end_others.value().get().and_then(Result::err));
    let done = move || {
        let text = match (end_one.value().get(), end_others.value().get()) {
            (Some(Ok(())), _) => "The session was ended: that browser is signed out.".to_owned(),
            (_, Some(Ok(0))) => "No other session was open.".to_owned(),
            (_, Some(Ok(1))) => "1 other session was ended.".to_owned(),
            (_, Some(Ok(n))) => format!("{n} other sessions were ended."),
            _ => return None,
        };
        Some(view! { <p class="notice notice-ok" role="status">{text}</p> })
    };
    let failed = move || {
        general_message(one_error)
            .get()
            .or_else(|| general_message(others_error).get())
            .map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <div class="card-heading">
                <h2 id="sessions-title">"Where you are signed in"</h2>
                <ActionForm action=end_others>
                    <button
                        type="submit"
                        class="button button-secondary"
                        disabled=move || end_others.pending().get()
                        on:click=move |_| end_one.clear()
                    >
                        "Sign out everywhere else"
                    </button>
                </ActionForm>
            </div>
            <p class="muted">
                "Every browser signed in to your account, until it signs out or stays unused for the idle time. "
                "If you do not recognise one, end it and change your password."
            </p>
            {done}
            {failed}
            {loaded(sessions, move |list| view! { <SessionTable list end_one end_others /> })}
        </section>
    }
}

#[component]
fn SessionTable(
    list: Vec<ActiveSession>,
    end_one: ServerAction<EndMySession>,
    end_others: ServerAction<EndMyOtherSessions>,
) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|s| {
            let action = if s.current {
                view! { <span class="badge badge-active">"This browser"</span> }.into_any()
            } else {
                let label = format!("End the session of {} from {}", s.device, s.address);
                let id = s.id.clone();
                view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        aria-label=label
                        disabled=move || end_one.pending().get()
                        on:click=move |_| {
                            end_others.clear();
                            end_one.dispatch(EndMySession { id: id.clone() });
                        }
                    >
                        "End"
                    </button>
                }
                .into_any()
            };
            view! {
                <tr>
                    <th scope="row">{s.device}</th>
                    <td>{s.address}</td>
                    <td class="nowrap">{format::timestamp(s.signed_in_at)}</td>
                    <td class="nowrap">{format::timestamp(s.last_seen_at)}</td>
                    <td class="num">{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Your sessions">
            <table class="data-table sessions-table">
                <caption class="visually-hidden">"Your open sessions, this browser first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Device"</th>
                        <th scope="col">"Address"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last seen"</th>
                        <th scope="col" class="num">
                            <span class="visually-hidden">"Action"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
