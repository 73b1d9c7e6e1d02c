//! The chart of monthly totals of all customers (users and options
//! stacked, the forecast apart); clicking a month shows it in the table.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::chart::{Bar, BarChart, ChartData, ChartTables, FigureTable, Series, OPTIONS, USERS};
use crate::components::language::{figures_name, use_reader};
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, Money};
use crate::i18n::td_string;
use crate::views::billing::CostTotalsPage;

fn amount(m: Money) -> f64 {
    m.cents() as f64 / 100.0
}

#[component]
pub fn TotalsChart(totals: CostTotalsPage, query: Memo<OverviewQuery>) -> impl IntoView {
    let currency = totals.currency.clone();
    let r = use_reader();
    let l = r.l();
    let money = |m: Money| r.money(m, &currency);
    let customers =
        |n: u64| r.count_of(n, td_string!(l, costs.customer_singular), td_string!(l, costs.customer_plural));
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
                label: r.month_short(m.month, i == 0),
                parts: vec![amount(t.users_cost), amount(t.options_cost)],
                limit: None,
                apart: m.figures == Figures::Forecast,
                title: format!("{} · {}", r.month(m.month), figures_name(m.figures, l)),
                lines: vec![
                    td_string!(l, costs.tip_users, amount = money(t.users_cost)),
                    td_string!(l, costs.tip_options, amount = money(t.options_cost)),
                    td_string!(l, costs.tip_total, amount = money(t.total)),
                    td_string!(l, costs.tip_customers, customers = customers(t.customers), users = r.count(t.users)),
                ],
                href: None,
            }
        })
        .collect();
    let data = ChartData {
        bars,
        series: vec![
            Series { name: td_string!(l, charts.users), ..USERS },
            Series { name: td_string!(l, charts.options), ..OPTIONS },
        ],
        limit_name: None,
        unit: totals.currency.clone(),
        money: true,
        click_hint: td_string!(l, costs.show_month_hint),
        language: r.language,
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
                        <a href=href>{r.month(m.month)}</a>
                    </th>
                    <td>{figures_name(m.figures, l)}</td>
                    <td class="num">{r.count(t.customers)}</td>
                    <td class="num">{r.count(t.users)}</td>
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
            view! { <p class="muted">{td_string!(l, costs.no_billed_month)}</p> }.into_any()
        } else {
            view! { <BarChart data label=td_string!(l, costs.totals_label, months = count) on_select=select /> }
                .into_any()
        }}
        <ChartTables summary=td_string!(l, costs.totals_table)>
            <FigureTable
                caption=td_string!(l, costs.totals_caption)
                headers=vec![
                    (td_string!(l, costs.month), false),
                    (td_string!(l, costs.figures), false),
                    (td_string!(l, costs.customers), true),
                    (td_string!(l, costs.billed_users), true),
                    (td_string!(l, costs.users_cost), true),
                    (td_string!(l, costs.options_cost), true),
                    (td_string!(l, costs.total), true),
                ]
            >
                {rows}
            </FigureTable>
        </ChartTables>
    }
}
