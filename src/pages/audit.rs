use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::audit::latest_audit;
use crate::components::audit::{action_label, ChangeList};
use crate::components::format;
use crate::components::ErrorNotice;

#[component]
pub fn AuditPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| latest_audit());
    view! {
        <Title text="Audit log" />
        <div class="page-header">
            <h1>"Audit log"</h1>
            <p class="muted">"Who changed what and when: the newest 200 entries."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorNotice errors /> }>
                {move || {
                    entries.get().map(|result| {
                        result.map(|rows| {
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Audit log entries, newest first"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"When"</th>
                                                <th scope="col">"Who"</th>
                                                <th scope="col">"What"</th>
                                                <th scope="col">"Subject"</th>
                                                <th scope="col">"Details"</th>
                                                <th scope="col">"Changes"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|e| view! {
                                                    <tr>
                                                        <td class="nowrap">{format::timestamp(e.at)}</td>
                                                        <td>{e.actor}</td>
                                                        <td>{action_label(&e.action)}</td>
                                                        <td>{e.subject}</td>
                                                        <td>{e.detail}</td>
                                                        <td>
                                                            <ChangeList changes=e.changes />
                                                        </td>
                                                    </tr>
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                        })
                    })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}
