use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::{get_server_status, CustomerLink, LoggedProblem};
use crate::components::format;
use crate::components::loaded;

fn customer_list(list: &[CustomerLink], empty: &'static str) -> AnyView {
    if list.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="status-list">
            {list
                .iter()
                .map(|c| {
                    let kind = if c.kind == "test" { " (test)" } else { "" };
                    view! {
                        <li>
                            <a href=format!("/customers/{}", c.id)>{c.name.clone()}</a>
                            <span class="muted small">{format!("{kind} · {}", c.note)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The server's last warnings and errors, colour-coded, newest or oldest first.
#[component]
fn Problems(problems: Vec<LoggedProblem>) -> impl IntoView {
    let newest_first = RwSignal::new(true);
    let count = problems.len();
    let rows = move || {
        let mut list = problems.clone();
        if newest_first.get() {
            list.reverse();
        }
        list.into_iter()
            .map(|p| {
                let (class, label) =
                    if p.level == "ERROR" { ("pill pill-error", "Failure") } else { ("pill pill-warn", "Attention") };
                view! {
                    <tr>
                        <td class="nowrap">{p.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                        <td>
                            <span class=class>{label}</span>
                        </td>
                        <td class="log-message">
                            {p.message}
                            <span class="muted small">{format!(" · {}", p.target)}</span>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="status-log">
            <div class="card-heading">
                <h2 id="status-log">{format!("Warnings and errors ({count}, at most {RECENT})")}</h2>
                {(count > 1)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button-secondary"
                                on:click=move |_| newest_first.update(|n| *n = !*n)
                            >
                                {move || if newest_first.get() { "Show oldest first" } else { "Show newest first" }}
                            </button>
                        }
                    })}
            </div>
            {if count == 0 {
                view! { <p class="muted">"No warning or error since the server started."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption class="visually-hidden">"Warnings and errors of the server log"</caption>
                            <thead>
                                <tr>
                                    <th
                                        scope="col"
                                        aria-sort=move || if newest_first.get() { "descending" } else { "ascending" }
                                    >
                                        "Time"
                                    </th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Message"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// Warnings and errors the server keeps for this page.
const RECENT: usize = 100;
/// Below this the free disk shows as low: backups and the WAL need room.
const LOW_DISK_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// How often the page asks again.
const REFRESH_SECONDS: u64 = 30;

#[component]
pub fn StatusPage() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(REFRESH_SECONDS))
        {
            on_cleanup(move || handle.clear());
        }
    }
    let status = Resource::new(move || tick.get(), |_| get_server_status());
    view! {
            <Title text="Status" />
            <div class="page-header">
                <h1>"Status"</h1>
                <p class="muted">
                    {format!("Health of this server, customers, metering and billing; refreshes itself every {REFRESH_SECONDS} s.")}
                </p>
            </div>
            {loaded(status, |s| {
                                let migrations_ok = s.migrations_applied == s.migrations_known;
                                view! {
                                    <div class="cards">
                                        <section class="card" aria-labelledby="status-server">
                                            <h2 id="status-server">"Server"</h2>
                                            <dl class="facts">
                                                <dt>"Version"</dt>
                                                <dd>{s.version.clone()}</dd>
                                                <dt>"Uptime"</dt>
                                                <dd>{format::duration(s.uptime_seconds)}</dd>
                                            </dl>
                                        </section>
                                        <section class="card" aria-labelledby="status-db">
                                            <h2 id="status-db">"Database"</h2>
                                            <dl class="facts">
                                                <dt>"Backend"</dt>
                                                <dd>{s.database_backend.clone()}</dd>
                                                <dt>"Size"</dt>
                                                <dd>{format::bytes(s.database_bytes)}</dd>
                                                <dt>"Free disk"</dt>
                                                <dd>
                                                    {match s.free_disk_bytes {
                                                        Some(free) => {
                                                            let low = free < LOW_DISK_BYTES;
                                                            view! {
                                                                <span class=if low { "pill pill-warn" } else { "" }>
                                                                    {format::bytes(i64::try_from(free).unwrap_or(i64::MAX))}
                                                                    {low.then_some(" · low")}
                                                                </span>
                                                            }
                                                                .into_any()
                                                        }
                                                        // PostgreSQL's disk is its server's, not this one's.
                                                        None if s.database_backend == "PostgreSQL" => {
                                                            view! { <span class="muted">"on the database server"</span> }
                                                                .into_any()
                                                        }
                                                        None => view! { <span class="muted">"—"</span> }.into_any(),
                                                    }}
                                                </dd>
                                                <dt>"Migrations"</dt>
                                                <dd>
                                                    <span class=if migrations_ok { "pill pill-ok" } else { "pill pill-warn" }>
                                                        {format!("{} of {} applied", s.migrations_applied, s.migrations_known)}
                                                    </span>
                                                </dd>
                                                <dt>"Latest"</dt>
                                                <dd>{s.latest_migration.clone()}</dd>
                                            </dl>
                                        </section>
                                        <section class="card" aria-labelledby="status-staff">
                                            <h2 id="status-staff">"Staff accounts"</h2>
                                            <dl class="facts">
                                                {s
                                                    .staff_by_role
                                                    .iter()
                                                    .map(|(role, n)| view! {
                                                        <dt>{crate::domain::Role::parse(role).map(|r| r.label()).unwrap_or("Other")}</dt>
                                                        <dd>{*n}</dd>
                                                    })
                                                    .collect_view()}
                                            </dl>
                                        </section>
                                    </div>
                                }
                            })}
            {loaded(status, |s| {
                let customers = s
                    .customers
                    .iter()
                    .map(|(kind, status, n)| {
                        let kind = if kind == "test" { "Test" } else { "Billed" };
                        let status = crate::domain::CustomerStatus::parse(status).map(|s| s.label()).unwrap_or("Other");
                        view! {
                            <dt>{format!("{kind}, {}", status.to_lowercase())}</dt>
                            <dd>{format::thousands(*n as u64)}</dd>
                        }
                    })
                    .collect_view();
                let m = &s.metering;
                let close = &s.month_close;
                view! {
                    <p class="muted small status-updated" role="status">
                        {format!("Updated {}", s.checked_at.format("%H:%M:%S UTC"))}
                    </p>
                    <div class="cards">
                        <section class="card" aria-labelledby="status-customers">
                            <h2 id="status-customers">"Customers"</h2>
    <dl class="facts">{customers}</dl>
                        </section>
                        <section class="card" aria-labelledby="status-metering">
                            <h2 id="status-metering">"Metering"</h2>
                            <dl class="facts">
                                <dt>"Last report"</dt>
                                <dd>{m.last_report_at.map(format::timestamp).unwrap_or_else(|| "none yet".to_owned())}</dd>
                                <dt>"Reports, last 24 h"</dt>
                                <dd>{format::thousands(m.reports_last_24h as u64)}</dd>
                            </dl>
                            <h3>{format!("No report for over 48 hours: {}", m.silent_total)}</h3>
                            {customer_list(&m.silent, "Every active customer reported within 48 hours.")}
                        </section>
                        <section class="card" aria-labelledby="status-close">
                            <h2 id="status-close">"Month close"</h2>
                            <dl class="facts">
                                <dt>"Last closed"</dt>
                                <dd>
                                    {close
                                        .last_closed
                                        .as_ref()
                                        .map(|(m, at, by)| format!("{m}, {} by {by}", format::timestamp(*at)))
                                        .unwrap_or_else(|| "none yet".to_owned())}
                                </dd>
                                <dt>"Next"</dt>
                                <dd>
                                    {close
                                        .next
                                        .as_ref()
                                        .map(|(m, due)| format!("{m}, due {due}"))
                                        .unwrap_or_else(|| "—".to_owned())}
                                </dd>
                            </dl>
                            {if close.overdue.is_empty() {
                                view! { <p class="pill pill-ok">"Nothing overdue"</p> }.into_any()
                            } else {
                                view! {
                                    <p class="notice notice-error" role="alert">
                                        {format!("Past their due day and still open: {}", close.overdue.join(", "))}
                                    </p>
                                }
                                .into_any()
                            }}
                        </section>
                        <section class="card" aria-labelledby="status-ending">
                            <h2 id="status-ending">"Ending within 14 days"</h2>
                            {customer_list(&s.ending_soon, "No contract or test phase ends within 14 days.")}
                            <h3>"Deactivated at contract end, last 7 days"</h3>
                            {customer_list(&s.deactivated_by_job, "None.")}
                        </section>
                    </div>
                    <Problems problems=s.problems.clone() />
                }
            })}
        }
}
