//! The overview's table: one row per customer, the totals of the rows the
//! filters show, sortable headings and the pager.

use leptos::prelude::*;

use crate::components::badges::StatusBadge;
use crate::components::format;
use crate::components::pager::{numbered, Pager};
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{totals, BilledOption, OverviewRow};
use crate::domain::overview_query::{page_count, OverviewQuery, OverviewSort, PAGE_SIZE};
use crate::views::billing::CostOverviewPage;

pub fn figures_badge(figures: Figures) -> impl IntoView {
    let class = match figures {
        Figures::Final => "badge badge-active",
        Figures::PendingClose => "badge badge-deactivated",
        Figures::Forecast | Figures::NotBilled => "badge badge-test",
    };
    view! { <span class=class>{figures.label()}</span> }
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
pub fn OverviewTable(
    page: StoredValue<CostOverviewPage>,
    shown: Memo<Vec<usize>>,
    query: Memo<OverviewQuery>,
) -> impl IntoView {
    let (month, figures, currency, all) = page.with_value(|p| (p.month, p.figures, p.currency.clone(), p.rows.len()));
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
    }
}
