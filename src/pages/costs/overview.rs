//! The cost overview of one month: the month picker, the filters, the
//! table with its totals, and the CSV export. The browser has all of the
//! month's rows: it filters, sorts, pages and exports them itself; the
//! address holds every choice (`OverviewQuery`).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::badges::StatusBadge;
use crate::components::pager::{numbered, Pager};
use crate::components::{format, CsvFormatChoice};
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{totals, BilledOption, OverviewRow};
use crate::domain::export::CsvFormat;
use crate::domain::overview_query::{page_count, OverviewQuery, OverviewSort, PAGE_SIZE};
use crate::domain::{BillingMonth, CustomerStatus};
use crate::views::billing::CostOverviewPage;

pub fn figures_badge(figures: Figures) -> impl IntoView {
    let class = match figures {
        Figures::Final => "badge badge-active",
        Figures::PendingClose => "badge badge-deactivated",
        Figures::Forecast | Figures::NotBilled => "badge badge-test",
    };
    view! { <span class=class>{figures.label()}</span> }
}

/// "November 2026 — Forecast".
fn month_choice(month: BillingMonth, figures: Figures) -> String {
    format!("{} — {}", format::month_long(month), figures.label())
}

/// The options billed, those added this month marked "+", then those
/// removed against the month before, struck through and marked "−".
fn options_cell(row: &OverviewRow) -> impl IntoView {
    let added = |o: &BilledOption| row.options_added.iter().any(|a| a.code == o.code);
    let mut items: Vec<AnyView> = row
        .bill
        .options
        .iter()
        .map(|o| {
            if added(o) {
                view! { <span class="opt added" title="Added this month">{format!("+\u{a0}{}", o.name)}</span> }
                    .into_any()
            } else {
                view! { <span class="opt">{o.name.clone()}</span> }.into_any()
            }
        })
        .collect();
    items.extend(row.options_removed.iter().map(|o| {
        view! {
            <span class="opt removed" title="Removed this month">
                "−\u{a0}"
                <del>{o.name.clone()}</del>
            </span>
        }
        .into_any()
    }));
    if items.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let count = items.len();
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| view! { {item} {(i + 1 < count).then_some(", ")} })
        .collect_view()
        .into_any()
}

#[component]
fn SortHeader(
    query: Memo<OverviewQuery>,
    key: OverviewSort,
    label: &'static str,
    #[prop(optional)] numeric: bool,
    /// For amounts: the currency, shown under the heading (the cells have none).
    #[prop(optional, into)]
    unit: Option<String>,
) -> impl IntoView {
    let numeric = numeric || unit.is_some();
    let state = move || {
        let q = query.read();
        (q.sort == key, q.descending)
    };
    view! {
        <th
            scope="col"
            class:num=numeric
            aria-sort=move || match state() {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            }
        >
            <a class="sort-link" href=move || query.read().sorted_by(key).href()>
                {label}
                <span aria-hidden="true">
                    {move || match state() {
                        (false, _) => "",
                        (true, false) => " ▲",
                        (true, true) => " ▼",
                    }}
                </span>
            </a>
            {unit.map(|u| view! { <span class="unit">{u}</span> })}
        </th>
    }
}

fn row_view(row: &OverviewRow) -> impl IntoView {
    let b = &row.bill;
    let money = format::amount_of;
    let change_class = match row.change.label().chars().next() {
        Some('+') => "num change-up",
        Some('−') => "num change-down",
        _ => "num muted",
    };
    view! {
        <tr>
            <th scope="row" class="overview-customer">
                <a href=format!("/customers/{}", b.customer_id)>{b.name.clone()}</a>
                <span class="muted small">{b.database_name.clone()}</span>
            </th>
            <td>
                <StatusBadge status=b.status />
            </td>
            <td class="num">{format::thousands(u64::from(b.users))}</td>
            <td class=change_class>{row.change.label()}</td>
            <td class="num">
                {format!(
                    "{} → {}",
                    format::thousands(u64::from(b.users_at_start)),
                    format::thousands(u64::from(b.users_at_end)),
                )}
            </td>
            <td class="overview-options">{options_cell(row)}</td>
            <td class="num">{money(b.users_cost)}</td>
            <td class="num">{money(b.options_cost)}</td>
            <td class="num strong">{money(b.total)}</td>
            <td>{figures_badge(b.figures)}</td>
        </tr>
    }
}

#[component]
pub fn Overview(page: CostOverviewPage, query: Memo<OverviewQuery>) -> impl IntoView {
    let month = page.month;
    let figures = page.figures;
    let current = page.months.first().map(|(m, _)| *m);
    let currency = page.currency.clone();
    let all = page.rows.len();
    let months = page.months.clone();
    let page = StoredValue::new(page);
    let shown = Memo::new(move |_| page.with_value(|p| query.with(|q| q.apply(&p.rows))));
    let navigate = use_navigate();
    let go = move |q: OverviewQuery, replace: bool| {
        navigate(&q.href(), NavigateOptions { replace, scroll: false, ..Default::default() });
    };

    let picker = {
        let go = go.clone();
        let options = months
            .iter()
            .map(|(m, f)| {
                let value = if Some(*m) == current { String::new() } else { m.to_string() };
                view! {
                    <option value=value selected=*m == month>
                        {month_choice(*m, *f)}
                    </option>
                }
            })
            .collect_view();
        view! {
            <div class="field field-inline">
                <label for="overview-month">"Month"</label>
                <select
                    id="overview-month"
                    on:change=move |ev| {
                        let raw = event_target_value(&ev);
                        let m = BillingMonth::parse(&raw).ok();
                        go(query.get_untracked().with_month(m), false);
                    }
                >
                    {options}
                </select>
            </div>
        }
    };

    let filters = {
        let go_search = go.clone();
        let go_status = go.clone();
        let go_changes = go.clone();
        view! {
            <div class="overview-filters" role="search" aria-label="Filter the customers">
                <div class="field field-inline">
                    <label for="overview-search">"Customer"</label>
                    <input
                        id="overview-search"
                        type="search"
                        placeholder="Name or database"
                        autocomplete="off"
                        prop:value=move || query.read().search.clone()
                        on:input=move |ev| {
                            let q = query.get_untracked();
                            let search = event_target_value(&ev);
                            go_search(OverviewQuery { search, page: 1, ..q }, true);
                        }
                    />
                </div>
                <div class="field field-inline">
                    <label for="overview-status">"Status"</label>
                    <select
                        id="overview-status"
                        on:change=move |ev| {
                            let status = CustomerStatus::parse(&event_target_value(&ev));
                            go_status(OverviewQuery { status, page: 1, ..query.get_untracked() }, false);
                        }
                    >
                        <option value="" selected=move || query.read().status.is_none()>
                            "All"
                        </option>
                        {[CustomerStatus::Active, CustomerStatus::Deactivated, CustomerStatus::Removed]
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || query.read().status == Some(s)>
                                        {s.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <label class="checkbox">
                    <input
                        id="overview-changes"
                        type="checkbox"
                        prop:checked=move || query.read().changes_only
                        on:change=move |ev| {
                            let changes_only = event_target_checked(&ev);
                            go_changes(OverviewQuery { changes_only, page: 1, ..query.get_untracked() }, false);
                        }
                    />
                    "Only customers with changes"
                </label>
                <Show when=move || query.read().filtered()>
                    <a class="clear-search" href=move || OverviewQuery {
                        month: query.read().month,
                        range: query.read().range,
                        ..Default::default()
                    }
                    .href()>"Clear filters"</a>
                </Show>
            </div>
        }
    };

    let csv_format = RwSignal::new(CsvFormat::Comma);
    let built_ms = RwSignal::new(None::<f64>);
    let export_error = RwSignal::new(None::<String>);
    let export = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let now = || web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0);
            let t0 = now();
            let bytes = page.with_value(|p| {
                let rows: Vec<&OverviewRow> = shown.with_untracked(|s| s.iter().map(|i| &p.rows[*i]).collect());
                crate::domain::export::write(&rows, &p.currency, csv_format.get_untracked())
            });
            match crate::components::download(&bytes, &crate::domain::export::file_name(month)) {
                Ok(()) => {
                    export_error.set(None);
                    built_ms.set(Some(now() - t0));
                }
                Err(_) => export_error.set(Some("The browser refused the download.".to_owned())),
            }
        }
    };
    let export_box = view! {
        <fieldset class="export">
            <legend>"CSV export"</legend>
            <CsvFormatChoice
                selected=csv_format
                name="csv-format"
                labels=["Comma, decimal point", "Semicolon, decimal comma (German spreadsheets)"]
            />
            <button
                type="button"
                class="button button-secondary"
                id="overview-export"
                data-built-ms=move || built_ms.get().map(|ms| format!("{ms:.1}"))
                disabled=move || shown.with(|s| s.is_empty())
                on:click=export
            >
                {move || {
                    let n = shown.with(|s| s.len());
                    format!("Download CSV ({})", format::count(n as u64, "row", "rows"))
                }}
            </button>
            <p class="muted small">
                "Every row the filters show (all pages), in the order shown; the columns are in the README."
            </p>
            {move || export_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
    };

    let body = move || {
        let q = query.get();
        let shown = shown.get();
        let page_no = q.page_of(shown.len());
        page.with_value(|p| {
            shown.iter().skip((page_no - 1) * PAGE_SIZE).take(PAGE_SIZE).map(|i| row_view(&p.rows[*i])).collect_view()
        })
    };
    let foot = move || {
        let t = page.with_value(|p| shown.with(|s| totals(s.iter().map(|i| &p.rows[*i].bill))));
        let money = format::amount_of;
        view! {
            <tr>
                <th scope="row">
                    {format!("Total · {}", format::count(t.customers, "customer", "customers"))}
                </th>
                <td></td>
                <td class="num">{format::thousands(t.users)}</td>
                <td colspan="3"></td>
                <td class="num">{money(t.users_cost)}</td>
                <td class="num">{money(t.options_cost)}</td>
                <td class="num">{money(t.total)}</td>
                <td></td>
            </tr>
        }
    };
    let summary = move || {
        let n = shown.with(|s| s.len());
        let what = format!("{} · {}", format::month_long(month), figures.label());
        if n == all {
            format!("{} customers billed in {what}", format::thousands(all as u64))
        } else {
            format!(
                "Showing {} of {} customers billed in {what}",
                format::thousands(n as u64),
                format::thousands(all as u64)
            )
        }
    };
    let pager = move || {
        let q = query.get();
        let n = shown.with(|s| s.len());
        let pages = page_count(n);
        let page_no = q.page_of(n);
        (pages > 1).then(|| {
            let (before, after) = numbered(page_no, pages, |target| q.with_page(target).href());
            let first = (page_no - 1) * PAGE_SIZE + 1;
            let last = (page_no * PAGE_SIZE).min(n);
            let status = format!("Rows {first}–{last} of {} · page {page_no} of {pages}", format::thousands(n as u64));
            view! { <Pager before status after /> }
        })
    };
    view! {
        <div class="overview-toolbar">{picker} {filters}</div>
        <div class="card-heading overview-heading">
            <h2 id="overview-title">{summary}</h2>
        </div>
        <Show
            when=move || shown.with(|s| !s.is_empty())
            fallback=move || {
                view! {
                    <p class="empty-state muted">
                        {if all == 0 {
                            "No customer was billed in this month."
                        } else {
                            "No customer matches these filters."
                        }}
                    </p>
                }
            }
        >
            <p class="narrow-only muted small">"Swipe the table sideways for the figures."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Cost overview table">
                <table class="data-table overview-table" aria-labelledby="overview-title">
                    <thead>
                        <tr>
                            <SortHeader query key=OverviewSort::Customer label="Customer" />
                            <SortHeader query key=OverviewSort::Status label="Status" />
                            <SortHeader query key=OverviewSort::Users label="Billed users" numeric=true />
                            <SortHeader query key=OverviewSort::Change label="Change" numeric=true />
                            <th scope="col" class="num" title="Users at month start and at month end">
                                "Start → end"
                            </th>
                            <th scope="col">"Options (+ added, − removed)"</th>
                            <SortHeader query key=OverviewSort::UsersCost label="Users cost" unit=currency.clone() />
                            <SortHeader query key=OverviewSort::OptionsCost label="Options cost" unit=currency.clone() />
                            <SortHeader query key=OverviewSort::Total label="Total" unit=currency.clone() />
                            <th scope="col">"Figures"</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                    <tfoot>{foot}</tfoot>
                </table>
            </div>
            {pager}
        </Show>
        {export_box}
    }
}
