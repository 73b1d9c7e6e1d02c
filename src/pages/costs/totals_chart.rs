//! The chart of monthly totals of all customers (users and options
//! stacked, the forecast apart); clicking a month shows it in the table.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::chart::{Bar, BarChart, ChartData, ChartTables, FigureTable, OPTIONS, USERS};
use crate::components::format;
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, Money};
use crate::views::billing::CostTotalsPage;

fn amount(m: Money) -> f64 {
    m.cents() as f64 / 100.0
}

#[component]
pub fn TotalsChart(totals: CostTotalsPage, query: Memo<OverviewQuery>) -> impl IntoView {
    let currency = totals.currency.clone();
    let money = move |m: Money| format::money(m, &currency);
    let current = totals.months.last().map(|m| m.month);
    // The address of a month: the current one has none (it is the default).
    let month_param = move |m: BillingMonth| (Some(m) != current).then_some(m);
    let bars = totals
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let t = &m.totals;
            Bar {
                label: format::month_short(m.month, i == 0),
                parts: vec![amount(t.users_cost), amount(t.options_cost)],
                limit: None,
                apart: m.figures == Figures::Forecast,
                title: format!("{} · {}", format::month_long(m.month), m.figures.label()),
                lines: vec![
                    format!("Users: {}", money(t.users_cost)),
                    format!("Options: {}", money(t.options_cost)),
                    format!("Total: {}", money(t.total)),
                    format!(
                        "{} customers · {} billed users",
                        format::thousands(t.customers),
                        format::thousands(t.users)
                    ),
                ],
                href: None,
            }
        })
        .collect();
    let data = ChartData {
        bars,
        series: vec![USERS, OPTIONS],
        limit_name: None,
        unit: totals.currency.clone(),
        money: true,
        click_hint: "Click to show this month below",
    };
    let months: Vec<BillingMonth> = totals.months.iter().map(|m| m.month).collect();
    let navigate = use_navigate();
    let select = Callback::new(move |i: usize| {
        if let Some(m) = months.get(i) {
            let href = query.get_untracked().with_month(month_param(*m)).href();
            navigate(&href, NavigateOptions { scroll: false, ..Default::default() });
        }
    });
    let rows = totals
        .months
        .iter()
        .rev()
        .map(|m| {
            let t = &m.totals;
            let month = m.month;
            let href = move || query.read().with_month(month_param(month)).href();
            view! {
                <tr>
                    <th scope="row">
                        <a href=href>{format::month_long(m.month)}</a>
                    </th>
                    <td>{m.figures.label()}</td>
                    <td class="num">{format::thousands(t.customers)}</td>
                    <td class="num">{format::thousands(t.users)}</td>
                    <td class="num">{money(t.users_cost)}</td>
                    <td class="num">{money(t.options_cost)}</td>
                    <td class="num">{money(t.total)}</td>
                </tr>
            }
        })
        .collect_view();
    let count = totals.months.len();
    view! {
        {if count == 0 {
            view! { <p class="muted">"No billed month yet."</p> }.into_any()
        } else {
            view! {
                <BarChart
                    data
                    label=format!("Monthly totals of the last {count} months; the figures are in the table below")
                    on_select=select
                />
            }
            .into_any()
        }}
        <ChartTables summary="Monthly totals as a table">
            <FigureTable
                caption="Monthly totals, newest first"
                headers=&[
                    ("Month", false),
                    ("Figures", false),
                    ("Customers", true),
                    ("Billed users", true),
                    ("Users cost", true),
                    ("Options cost", true),
                    ("Total", true),
                ]
            >
                {rows}
            </FigureTable>
        </ChartTables>
    }
}
