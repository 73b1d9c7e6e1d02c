use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::get_server_status;
use crate::components::format;
use crate::components::loaded;
use crate::views::status::{CustomerLink, LoggedProblem, ProblemSummary, SignInFailures};

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

/// One table of kept log messages (errors or warnings), each with how often
/// it came, newest or oldest first.
#[component]
fn ProblemTable(
    id: &'static str,
    title: &'static str,
    empty: &'static str,
    total: u64,
    problems: Vec<LoggedProblem>,
) -> impl IntoView {
    let newest_first = RwSignal::new(true);
    let count = problems.len();
    let rows = move || {
        let mut list = problems.clone();
        if newest_first.get() {
            list.reverse();
        }
        list.into_iter()
            .map(|p| {
                view! {
                    <tr>
                        <td class="nowrap">{p.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                        <td class="num">{format::thousands(u64::from(p.count))}</td>
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
        <section class="card" aria-labelledby=id>
            <div class="card-heading">
                <div>
                    <h2 id=id>{title}</h2>
                    <p class="muted small">
                        {format!(
                            "{total} since the server started; the last {RECENT} different ones are listed, repeats counted."
                        )}
                    </p>
                </div>
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
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=format!("{title}, table")>
                        <table class="data-table">
                            <caption class="visually-hidden">{title}</caption>
                            <thead>
                                <tr>
                                    <th
                                        scope="col"
                                        aria-sort=move || if newest_first.get() { "descending" } else { "ascending" }
                                    >
                                        "Last time"
                                    </th>
                                    <th scope="col" class="num">"Times"</th>
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

/// The server log's errors and warnings: the messages for admins, the
/// counts for everyone else.
#[component]
fn Problems(problems: ProblemSummary) -> impl IntoView {
    if !problems.details {
        return view! {
            <section class="card" aria-labelledby="status-log">
                <h2 id="status-log">"Server log"</h2>
                <p>
                    {format!(
                        "{} errors and {} warnings since the server started. Administrators see the messages here.",
                        problems.error_total,
                        problems.warning_total,
                    )}
                </p>
            </section>
        }
        .into_any();
    }
    view! {
        <ProblemTable
            id="status-errors"
            title="Errors"
            empty="No error since the server started."
            total=problems.error_total
            problems=problems.errors
        />
        <ProblemTable
            id="status-warnings"
            title="Warnings"
            empty="No warning since the server started."
            total=problems.warning_total
            problems=problems.warnings
        />
    }
    .into_any()
}

/// Staff accounts with many failed sign-ins (admins only).
fn sign_in_failures(list: &[SignInFailures]) -> impl IntoView {
    let rows = list
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <td>{f.username.clone()}</td>
                    <td class="num">{format::thousands(f.failures as u64)}</td>
                    <td class="num">{format::thousands(f.addresses as u64)}</td>
                    <td class="nowrap">{format::timestamp(f.last_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="status-sign-ins">
            <h2 id="status-sign-ins">"Failed sign-ins"</h2>
            {if list.is_empty() {
                view! { <p class="muted">"No account has many failed sign-ins in the login window."</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">
                        "Accounts with many failed sign-ins in the login window: each address is stopped after a few, and the account slows down for everyone."
                    </p>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Failed sign-ins by account">
                        <table class="data-table">
                            <caption class="visually-hidden">"Staff accounts with many failed sign-ins"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Account"</th>
                                    <th scope="col" class="num">"Failures"</th>
                                    <th scope="col" class="num">"Addresses"</th>
                                    <th scope="col">"Last"</th>
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

/// Different errors (and, apart, warnings) the server keeps for this page.
const RECENT: usize = 50;
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
    let status = data(move || tick.get(), |_| get_server_status());
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
                    {s.problems.details.then(|| sign_in_failures(&s.sign_in_failures))}
                    <Problems problems=s.problems.clone() />
                }
            })}
        }
}
