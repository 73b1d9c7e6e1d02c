use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::get_server_status;
use crate::components::language::{role_name, use_reader, Reader};
use crate::components::loaded;
use crate::domain::{CustomerStatus, Role};
use crate::i18n::{td_string, Locale};
use crate::views::status::{CustomerLink, LoggedProblem, ProblemSummary, SignInFailures, When};

/// What a list says about each customer's day or moment: "last report …",
/// "ends …", "deactivated …".
#[derive(Clone, Copy)]
enum ListOf {
    Silent,
    Ending,
    Deactivated,
}

fn note(r: &Reader, list: ListOf, when: &Option<When>) -> String {
    let l = r.l();
    let shown = match when {
        Some(When::Day(day)) => r.day(*day),
        Some(When::Moment(at)) => r.time(*at),
        None => return td_string!(l, status.never_reported).to_owned(),
    };
    match list {
        ListOf::Silent => td_string!(l, status.last_report_at, when = shown),
        ListOf::Ending => td_string!(l, status.ends_at, when = shown),
        ListOf::Deactivated => td_string!(l, status.deactivated_at, when = shown),
    }
}

fn customer_list(r: &Reader, list: &[CustomerLink], of: ListOf, empty: &'static str) -> AnyView {
    if list.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let l = r.l();
    view! {
        <ul class="status-list">
            {list
                .iter()
                .map(|c| {
                    let kind = if c.kind == "test" { td_string!(l, status.test_suffix) } else { "" };
                    view! {
                        <li>
                            <a href=format!("/customers/{}", c.id)>{c.name.clone()}</a>
                            <span class="muted small">{format!("{kind} · {}", note(r, of, &c.when))}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// "42 min", "3 h 5 min", "2 d 4 h".
fn duration(seconds: u64, l: Locale) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, minutes) = (rest / 3600, rest % 3600 / 60);
    match (days, hours) {
        (0, 0) => td_string!(l, status.minutes, minutes),
        (0, _) => td_string!(l, status.hours_minutes, hours, minutes),
        _ => td_string!(l, status.days_hours, days, hours),
    }
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
    let r = use_reader();
    let l = r.l();
    let newest_first = RwSignal::new(true);
    let count = problems.len();
    let rows = {
        let r = r.clone();
        move || {
            let mut list = problems.clone();
            if newest_first.get() {
                list.reverse();
            }
            list.into_iter()
                .map(|p| {
                    view! {
                        <tr>
                            <td class="nowrap">{r.time(p.at)}</td>
                            <td class="num">{r.count(u64::from(p.count))}</td>
                            <td class="log-message">
                                {p.message}
                                <span class="muted small">{format!(" · {}", p.target)}</span>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <section class="card" aria-labelledby=id>
            <div class="card-heading">
                <div>
                    <h2 id=id>{title}</h2>
                    <p class="muted small">
                        {td_string!(l, status.problems_since_start, total = r.count(total), recent = RECENT)}
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
                                {move || {
                                    if newest_first.get() {
                                        td_string!(l, status.show_oldest_first)
                                    } else {
                                        td_string!(l, status.show_newest_first)
                                    }
                                }}
                            </button>
                        }
                    })}
            </div>
            {if count == 0 {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, status.table_suffix, title)>
                        <table class="data-table">
                            <caption class="visually-hidden">{title}</caption>
                            <thead>
                                <tr>
                                    <th
                                        scope="col"
                                        aria-sort=move || if newest_first.get() { "descending" } else { "ascending" }
                                    >
                                        {td_string!(l, status.last_time)}
                                    </th>
                                    <th scope="col" class="num">{td_string!(l, status.times)}</th>
                                    <th scope="col">{td_string!(l, status.message)}</th>
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
    let r = use_reader();
    let l = r.l();
    if !problems.details {
        let (errors, warnings) = (r.count(problems.error_total), r.count(problems.warning_total));
        return view! {
            <section class="card" aria-labelledby="status-log">
                <h2 id="status-log">{td_string!(l, status.server_log)}</h2>
                <p>{td_string!(l, status.log_counts, errors, warnings)}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <ProblemTable
            id="status-errors"
            title=td_string!(l, status.errors)
            empty=td_string!(l, status.no_errors)
            total=problems.error_total
            problems=problems.errors
        />
        <ProblemTable
            id="status-warnings"
            title=td_string!(l, status.warnings)
            empty=td_string!(l, status.no_warnings)
            total=problems.warning_total
            problems=problems.warnings
        />
    }
    .into_any()
}

/// Staff accounts with many failed sign-ins (admins only).
fn sign_in_failures(r: &Reader, list: &[SignInFailures]) -> impl IntoView {
    let l = r.l();
    let rows = list
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <td>{f.username.clone()}</td>
                    <td class="num">{r.count(f.failures as u64)}</td>
                    <td class="num">{r.count(f.addresses as u64)}</td>
                    <td class="nowrap">{r.time(f.last_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="status-sign-ins">
            <h2 id="status-sign-ins">{td_string!(l, status.failed_sign_ins)}</h2>
            {if list.is_empty() {
                view! { <p class="muted">{td_string!(l, status.no_failed_sign_ins)}</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">{td_string!(l, status.failed_sign_ins_intro)}</p>
                    <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, status.failed_sign_ins_region)>
                        <table class="data-table">
                            <caption class="visually-hidden">{td_string!(l, status.failed_sign_ins_caption)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{td_string!(l, status.account)}</th>
                                    <th scope="col" class="num">{td_string!(l, status.failures)}</th>
                                    <th scope="col" class="num">{td_string!(l, status.addresses)}</th>
                                    <th scope="col">{td_string!(l, status.last)}</th>
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
    let r = use_reader();
    let l = r.l();
    let facts = move |s: crate::views::status::ServerStatus| {
        let migrations_ok = s.migrations_applied == s.migrations_known;
        let r = use_reader();
        view! {
            <div class="cards">
                <section class="card" aria-labelledby="status-server">
                    <h2 id="status-server">{td_string!(l, status.server)}</h2>
                    <dl class="facts">
                        <dt>{td_string!(l, status.version)}</dt>
                        <dd>{s.version.clone()}</dd>
                        <dt>{td_string!(l, status.uptime)}</dt>
                        <dd>{duration(s.uptime_seconds, l)}</dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="status-db">
                    <h2 id="status-db">{td_string!(l, status.database)}</h2>
                    <dl class="facts">
                        <dt>{td_string!(l, status.backend)}</dt>
                        <dd>{s.database_backend.clone()}</dd>
                        <dt>{td_string!(l, status.size)}</dt>
                        <dd>{r.bytes(s.database_bytes)}</dd>
                        <dt>{td_string!(l, status.free_disk)}</dt>
                        <dd>
                            {match s.free_disk_bytes {
                                Some(free) => {
                                    let low = free < LOW_DISK_BYTES;
                                    view! {
                                        <span class=if low { "pill pill-warn" } else { "" }>
                                            {r.bytes(i64::try_from(free).unwrap_or(i64::MAX))}
                                            {low.then_some(td_string!(l, status.low))}
                                        </span>
                                    }
                                        .into_any()
                                }
                                // PostgreSQL's disk is its server's, not this one's.
                                None if s.database_backend == "PostgreSQL" => {
                                    view! { <span class="muted">{td_string!(l, status.on_database_server)}</span> }
                                        .into_any()
                                }
                                None => view! { <span class="muted">"—"</span> }.into_any(),
                            }}
                        </dd>
                        <dt>{td_string!(l, status.migrations)}</dt>
                        <dd>
                            <span class=if migrations_ok { "pill pill-ok" } else { "pill pill-warn" }>
                                {td_string!(l, status.migrations_applied, applied = s.migrations_applied, known = s.migrations_known)}
                            </span>
                        </dd>
                        <dt>{td_string!(l, status.latest)}</dt>
                        <dd>{s.latest_migration.clone()}</dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="status-staff">
                    <h2 id="status-staff">{td_string!(l, status.staff_accounts)}</h2>
                    <dl class="facts">
                        {s
                            .staff_by_role
                            .iter()
                            .map(|(role, n)| view! {
                                <dt>{Role::parse(role).map(|r| role_name(r, l)).unwrap_or(td_string!(l, status.other))}</dt>
                                <dd>{r.count(*n as u64)}</dd>
                            })
                            .collect_view()}
                    </dl>
                </section>
            </div>
        }
    };
    let activity = move |s: crate::views::status::ServerStatus| {
        let r = use_reader();
        let customers = s
            .customers
            .iter()
            .map(|(kind, status, n)| {
                let kind =
                    if kind == "test" { td_string!(l, status.kind_test) } else { td_string!(l, status.kind_billed) };
                // In the middle of a phrase: "Billed, active" / "Abgerechnet, aktiv".
                let status = match CustomerStatus::parse(status) {
                    Some(CustomerStatus::Active) => td_string!(l, status.lower_active),
                    Some(CustomerStatus::Deactivated) => td_string!(l, status.lower_deactivated),
                    Some(CustomerStatus::Removed) => td_string!(l, status.lower_removed),
                    None => td_string!(l, status.other),
                };
                view! {
                    <dt>{td_string!(l, status.kind_with_status, kind, status)}</dt>
                    <dd>{r.count(*n as u64)}</dd>
                }
            })
            .collect_view();
        let m = &s.metering;
        let close = &s.month_close;
        let month =
            |m: &str| crate::domain::BillingMonth::parse(m).map(|m| r.month(m)).unwrap_or_else(|_| m.to_owned());
        view! {
            <p class="muted small status-updated" role="status">
                {td_string!(l, status.updated, time = r.clock(s.checked_at))}
            </p>
            <div class="cards">
                <section class="card" aria-labelledby="status-customers">
                    <h2 id="status-customers">{td_string!(l, status.customers)}</h2>
                    <dl class="facts">{customers}</dl>
                </section>
                <section class="card" aria-labelledby="status-metering">
                    <h2 id="status-metering">{td_string!(l, status.metering)}</h2>
                    <dl class="facts">
                        <dt>{td_string!(l, status.last_report)}</dt>
                        <dd>{m.last_report_at.map(|at| r.time(at)).unwrap_or_else(|| td_string!(l, status.none_yet).to_owned())}</dd>
                        <dt>{td_string!(l, status.reports_24h)}</dt>
                        <dd>{r.count(m.reports_last_24h as u64)}</dd>
                    </dl>
                    <h3>{td_string!(l, status.silent, count = r.count(m.silent_total as u64))}</h3>
                    {customer_list(&r, &m.silent, ListOf::Silent, td_string!(l, status.all_reported))}
                </section>
                <section class="card" aria-labelledby="status-close">
                    <h2 id="status-close">{td_string!(l, status.month_close)}</h2>
                    <dl class="facts">
                        <dt>{td_string!(l, status.last_closed)}</dt>
                        <dd>
                            {close
                                .last_closed
                                .as_ref()
                                .map(|(m, at, by)| td_string!(l, status.closed_at_by, month = month(m), time = r.time(*at), by))
                                .unwrap_or_else(|| td_string!(l, status.none_yet).to_owned())}
                        </dd>
                        <dt>{td_string!(l, status.next)}</dt>
                        <dd>
                            {close
                                .next
                                .as_ref()
                                .map(|(m, due)| td_string!(l, status.due, month = month(m), day = r.day(*due)))
                                .unwrap_or_else(|| "—".to_owned())}
                        </dd>
                    </dl>
                    {if close.overdue.is_empty() {
                        view! { <p class="pill pill-ok">{td_string!(l, status.nothing_overdue)}</p> }.into_any()
                    } else {
                        let months = close.overdue.iter().map(|m| month(m)).collect::<Vec<_>>().join(", ");
                        view! {
                            <p class="notice notice-error" role="alert">
                                {td_string!(l, status.overdue, months)}
                            </p>
                        }
                        .into_any()
                    }}
                </section>
                <section class="card" aria-labelledby="status-deliveries">
                    <h2 id="status-deliveries">{td_string!(l, status.deliveries)}</h2>
                    <dl class="facts">
                        <dt>{td_string!(l, status.waiting)}</dt>
                        <dd>{r.count(s.deliveries.waiting as u64)}</dd>
                        <dt>{td_string!(l, status.oldest_waiting)}</dt>
                        <dd>{s.deliveries.oldest.map(|at| r.time(at)).unwrap_or_else(|| "—".to_owned())}</dd>
                    </dl>
                    {if s.deliveries.failing.is_empty() {
                        view! { <p class="pill pill-ok">{td_string!(l, status.all_delivering)}</p> }.into_any()
                    } else {
                        view! {
                            <div class="notice notice-error" role="alert">
                                <ul class="status-list">
                                    {s.deliveries.failing.iter().map(|failing| view! {
                                        <li>{td_string!(l, status.failing_since, url = failing.url.clone(), when = r.time(failing.since))}</li>
                                    }).collect_view()}
                                </ul>
                            </div>
                        }
                        .into_any()
                    }}
                </section>
                <section class="card card-wide" aria-labelledby="status-ending">
                    <h2 id="status-ending">{td_string!(l, status.ending_soon)}</h2>
                    {customer_list(&r, &s.ending_soon, ListOf::Ending, td_string!(l, status.nothing_ending))}
                    <h3>{td_string!(l, status.deactivated_recently)}</h3>
                    {customer_list(&r, &s.deactivated_by_job, ListOf::Deactivated, td_string!(l, status.none))}
                </section>
            </div>
            {s.problems.details.then(|| sign_in_failures(&r, &s.sign_in_failures))}
            <Problems problems=s.problems.clone() />
        }
    };
    view! {
        <Title text=td_string!(l, status.title) />
        <div class="page-header">
            <h1>{td_string!(l, status.title)}</h1>
            <p class="muted">{td_string!(l, status.intro, seconds = REFRESH_SECONDS)}</p>
        </div>
        {loaded(status, facts)}
        {loaded(status, activity)}
    }
}
