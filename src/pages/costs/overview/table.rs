//! The overview's table: one row per customer, the totals of the rows the
//! filters show, sortable headings and the pager.

use leptos::prelude::*;

use crate::components::badges::StatusBadge;
use crate::components::language::{figures_name, use_locale, use_reader, Reader};
use crate::components::pager::{numbered, Pager};
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{totals, BilledOption, OverviewRow, UserChange};
use crate::domain::overview_query::{page_count, OverviewQuery, OverviewSort, PAGE_SIZE};
use crate::domain::selling::Margin;
use crate::i18n::td_string;
use crate::views::billing::CostOverviewPage;

pub fn figures_badge(figures: Figures) -> impl IntoView {
    let class = match figures {
        Figures::Final => "badge badge-active",
        Figures::PendingClose => "badge badge-deactivated",
        Figures::Forecast | Figures::NotBilled => "badge badge-test",
    };
    view! { <span class=class>{figures_name(figures, use_locale())}</span> }
}

/// The options billed, those added this month marked "+", then those
/// removed against the month before, struck through and marked "−".
fn options_cell(row: &OverviewRow, l: crate::i18n::Locale) -> impl IntoView {
    let added = |o: &BilledOption| row.options_added.iter().any(|a| a.code == o.code);
    let mut items: Vec<AnyView> = row
        .bill
        .options
        .iter()
        .map(|o| {
            if added(o) {
                view! { <span class="opt added" title=td_string!(l, costs.added)>{format!("+\u{a0}{}", o.name)}</span> }
                    .into_any()
            } else {
                view! { <span class="opt">{o.name.clone()}</span> }.into_any()
            }
        })
        .collect();
    items.extend(row.options_removed.iter().map(|o| {
        view! {
            <span class="opt removed" title=td_string!(l, costs.removed)>
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

/// Revenue and margin cells: the amounts, the margin's share below it; a
/// dash where the revenue was not recorded.
fn sale_cells(r: &Reader, revenue: Option<crate::domain::Money>, margin: Option<Margin>, nfr: bool) -> impl IntoView {
    let l = r.l();
    let revenue = match (revenue, nfr) {
        (Some(_), true) => view! { <span class="muted small" title=td_string!(l, costs.not_for_resale_title)>{td_string!(l, costs.nfr)}</span> }.into_any(),
        (Some(v), false) => r.amount(v).into_any(),
        (None, _) => view! { <span class="muted" title=td_string!(l, costs.revenue_unknown)>"—"</span> }.into_any(),
    };
    let margin = margin.map(|m| {
        let class = if m.amount.cents() < 0 { "num margin-negative" } else { "num" };
        let share = m.percent.map(|p| r.percent(p.0, 1, 1));
        view! {
            <td class=class>
                {r.amount(m.amount)}
                {share.map(|p| view! { <span class="muted small margin-share">{p}</span> })}
            </td>
        }
        .into_any()
    });
    view! {
        <td class="num">{revenue}</td>
        {margin.unwrap_or_else(|| view! { <td class="num muted">"—"</td> }.into_any())}
    }
}

fn row_view(r: &Reader, row: &OverviewRow) -> impl IntoView {
    let b = &row.bill;
    let l = r.l();
    let money = |m| r.amount(m);
    let change_class = match row.change {
        UserChange::By(n) if n > 0 => "num change-up",
        UserChange::By(n) if n < 0 => "num change-down",
        _ => "num muted",
    };
    let change = match row.change {
        UserChange::New => td_string!(l, costs.change_new).to_owned(),
        other => other.label(),
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
            <td class="num">{r.count(u64::from(b.users))}</td>
            <td class=change_class>{change}</td>
            <td class="num">
                {format!("{} → {}", r.count(u64::from(b.users_at_start)), r.count(u64::from(b.users_at_end)))}
            </td>
            <td class="overview-options">{options_cell(row, l)}</td>
            <td class="num">{money(b.users_cost)}</td>
            <td class="num">{money(b.options_cost)}</td>
            <td class="num strong">{money(b.total)}</td>
            {sale_cells(r, b.revenue, b.margin(), b.not_for_resale)}
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
    let r = StoredValue::new(use_reader());
    let l = r.with_value(Reader::l);
    let body = move || {
        let q = query.get();
        let shown = shown.get();
        let page_no = q.page_of(shown.len());
        r.with_value(|r| {
            page.with_value(|p| {
                let rows = shown.iter().skip((page_no - 1) * PAGE_SIZE).take(PAGE_SIZE);
                rows.map(|i| row_view(r, &p.rows[*i])).collect_view()
            })
        })
    };
    let foot = move || {
        let t = page.with_value(|p| shown.with(|s| totals(s.iter().map(|i| &p.rows[*i].bill))));
        let r = r.get_value();
        let customers =
            r.count_of(t.customers, td_string!(l, costs.customer_singular), td_string!(l, costs.customer_plural));
        let money = |m| r.amount(m);
        view! {
            <tr>
                <th scope="row">{td_string!(l, costs.total_of, customers)}</th>
                <td></td>
                <td class="num">{r.count(t.users)}</td>
                <td colspan="3"></td>
                <td class="num">{money(t.users_cost)}</td>
                <td class="num">{money(t.options_cost)}</td>
                <td class="num">{money(t.total)}</td>
                {sale_cells(&r, (t.with_revenue > 0).then_some(t.revenue), t.margin(), false)}
            </tr>
        }
    };
    let summary = move || {
        let n = shown.with(|s| s.len());
        let r = r.get_value();
        let what = format!("{} · {}", r.month(month), figures_name(figures, l));
        let count = r.count(all as u64);
        if n == all {
            td_string!(l, costs.all_billed, count, what)
        } else {
            td_string!(l, costs.some_billed, shown = r.count(n as u64), count, what)
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
            let count = r.with_value(|r| r.count(n as u64));
            let status = td_string!(l, costs.rows_status, first, last, count, page = page_no, pages);
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
                        {if all == 0 { td_string!(l, costs.none_billed) } else { td_string!(l, costs.none_match) }}
                    </p>
                }
            }
        >
            <p class="narrow-only muted small">{td_string!(l, costs.swipe)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, costs.table_label)>
                <table class="data-table overview-table" aria-labelledby="overview-title">
                    <thead>
                        <tr>
                            <SortHeader query key=OverviewSort::Customer label=td_string!(l, costs.customer) />
                            <SortHeader query key=OverviewSort::Status label=td_string!(l, costs.status) />
                            <SortHeader
                                query
                                key=OverviewSort::Users
                                label=td_string!(l, costs.billed_users)
                                numeric=true
                            />
                            <SortHeader query key=OverviewSort::Change label=td_string!(l, costs.change) numeric=true />
                            <th scope="col" class="num" title=td_string!(l, costs.start_end_title)>
                                {td_string!(l, costs.start_end)}
                            </th>
                            <th scope="col">{td_string!(l, costs.options_changes)}</th>
                            <SortHeader
                                query
                                key=OverviewSort::UsersCost
                                label=td_string!(l, costs.users_cost)
                                unit=currency.clone()
                            />
                            <SortHeader
                                query
                                key=OverviewSort::OptionsCost
                                label=td_string!(l, costs.options_cost)
                                unit=currency.clone()
                            />
                            <SortHeader query key=OverviewSort::Total label=td_string!(l, costs.total) unit=currency.clone() />
                            <SortHeader
                                query
                                key=OverviewSort::Revenue
                                label=td_string!(l, costs.revenue)
                                unit=currency.clone()
                            />
                            <SortHeader
                                query
                                key=OverviewSort::Margin
                                label=td_string!(l, costs.margin)
                                unit=currency.clone()
                            />
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
