//! "Where you are signed in", on the "Your password" page: every open
//! session of the signed-in staff member, with the device and address it
//! was signed in from, and ending one or all of the others.

use leptos::prelude::*;

use crate::api::session::{my_sessions, EndMyOtherSessions, EndMySession};
use crate::components::data::data;
use crate::components::field::general_message;
use crate::components::language::{use_locale, use_reader};
use crate::components::loaded;
use crate::i18n::td_string;
use crate::views::session::ActiveSession;

#[component]
pub fn MySessions() -> impl IntoView {
    let end_one = ServerAction::<EndMySession>::new();
    let end_others = ServerAction::<EndMyOtherSessions>::new();
    let sessions = data(move || (end_one.version().get(), end_others.version().get()), |_| my_sessions());
    let one_error = Signal::derive(move || end_one.value().get().and_then(Result::err));
    let others_error = Signal::derive(move || end_others.value().get().and_then(Result::err));
    let l = use_locale();
    let done = move || {
        let text = match (end_one.value().get(), end_others.value().get()) {
            (Some(Ok(())), _) => td_string!(l, account.session_ended).to_owned(),
            (_, Some(Ok(0))) => td_string!(l, account.no_other_session).to_owned(),
            (_, Some(Ok(1))) => td_string!(l, account.one_other_ended).to_owned(),
            (_, Some(Ok(count))) => td_string!(l, account.others_ended, count),
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
                <h2 id="sessions-title">{td_string!(l, account.sessions_title)}</h2>
                <ActionForm action=end_others>
                    <button
                        type="submit"
                        class="button button-secondary"
                        disabled=move || end_others.pending().get()
                        on:click=move |_| end_one.clear()
                    >
                        {td_string!(l, account.sign_out_elsewhere)}
                    </button>
                </ActionForm>
            </div>
            <p class="muted">{td_string!(l, account.sessions_intro)}</p>
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
    let r = use_reader();
    let l = r.l();
    let rows = list
        .into_iter()
        .map(|s| {
            let action = if s.current {
                view! { <span class="badge badge-active">{td_string!(l, account.this_browser)}</span> }.into_any()
            } else {
                let label =
                    td_string!(l, account.end_session_of, device = s.device.clone(), address = s.address.clone());
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
                        {td_string!(l, account.end)}
                    </button>
                }
                .into_any()
            };
            view! {
                <tr>
                    <th scope="row">{s.device}</th>
                    <td>{s.address}</td>
                    <td class="nowrap">{r.time(s.signed_in_at)}</td>
                    <td class="nowrap">{r.time(s.last_seen_at)}</td>
                    <td class="num">{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, account.your_sessions)>
            <table class="data-table sessions-table">
                <caption class="visually-hidden">{td_string!(l, account.sessions_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, account.device)}</th>
                        <th scope="col">{td_string!(l, account.address)}</th>
                        <th scope="col">{td_string!(l, account.signed_in)}</th>
                        <th scope="col">{td_string!(l, account.last_seen)}</th>
                        <th scope="col" class="num">
                            <span class="visually-hidden">{td_string!(l, account.action)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
