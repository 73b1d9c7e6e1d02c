//! The billing part of a billed customer's page: this month's forecast, the
//! user history (billed users per month and this month's daily counts
//! against the maximum), the cost history chart and the frozen statements.
//! Every figure comes from the server's billing engine; nothing here
//! computes a rule. Each chart has a table with the same figures.

use crate::components::data::data;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::billing::customer_billing;
use crate::components::chart::{
    Bar, BarChart, ChartData, ChartTables, FigureTable, MonthsSwitch, Series, OPTIONS, USERS,
};
use crate::components::language::{figures_name, use_reader, Reader};
use crate::components::loaded;
use crate::components::statement::BillLines;
use crate::domain::cost_history::{CostMonth, Figures};
use crate::domain::{BillingMonth, Money};
use crate::i18n::td_string;
use crate::views::billing::{CustomerBillingPage, Forecast, StatementSummary};

pub fn statement_href(id: i64, month: BillingMonth) -> String {
    format!("/customers/{id}/statements/{month}")
}

fn amount(money: Money) -> f64 {
    money.cents() as f64 / 100.0
}

#[component]
pub fn BillingSection(id: i64) -> impl IntoView {
    let query = use_query_map();
    let window = Memo::new(move |_| if query.read().get("months").as_deref() == Some("24") { 24 } else { 12 });
    let refresh = RwSignal::new(0u32);
    let billing = data(move || (window.get(), refresh.get()), move |(months, _)| customer_billing(id, months));
    view! {
        <section class="billing" aria-labelledby="billing-title">
            {loaded(billing, move |b| view! { <BillingView billing=b id window=window.get_untracked() refresh /> })}
        </section>
    }
}

#[component]
fn BillingView(billing: CustomerBillingPage, id: i64, window: u32, refresh: RwSignal<u32>) -> impl IntoView {
    let b = billing;
    let r = use_reader();
    let l = r.l();
    let as_of = td_string!(l, customer.figures_as_of, time = r.clock(b.loaded_at));
    view! {
        <div class="card-heading section-heading">
            <h2 id="billing-title">{td_string!(l, customer.billing)}</h2>
            <div class="section-tools">
                <span class="muted small" role="status">
                    {as_of}
                </span>
                <button type="button" class="button button-secondary" on:click=move |_| refresh.update(|n| *n += 1)>
                    {td_string!(l, customer.refresh)}
                </button>
            </div>
        </div>
        <div class="cards cards-2">
            <ForecastCard forecast=b.forecast.clone() />
            <UserHistoryCard billing=b.clone() id />
        </div>
        <CostHistoryCard billing=b.clone() id window />
        <StatementsCard statements=b.statements.clone() currency=b.currency.clone() id />
    }
}

/// This month so far, by the same rules as a statement.
#[component]
fn ForecastCard(forecast: Forecast) -> impl IntoView {
    let f = forecast;
    let r = use_reader();
    let l = r.l();
    let month = r.month(f.month);
    let body = match f.bill {
        None => view! { <p class="muted">{td_string!(l, customer.not_billed_month, month)}</p> }.into_any(),
        Some(bill) => {
            let rule = td_string!(
                l,
                customer.forecast_rule,
                month,
                users = r.count(u64::from(bill.users)),
                current = r.count(u64::from(f.current_users))
            );
            view! {
                <p class="muted">{rule}</p>
                <BillLines
                    statement=bill
                    caption=td_string!(l, customer.forecast_caption).to_owned()
                    total_label=td_string!(l, customer.forecast_total)
                />
            }
            .into_any()
        }
    };
    view! {
        <section class="card" id="forecast" aria-labelledby="forecast-title">
            <h3 id="forecast-title">{td_string!(l, customer.forecast_title)}</h3>
            {body}
        </section>
    }
}

fn cost_bar(r: &Reader, m: &CostMonth, first: bool, currency: &str, id: i64) -> Bar {
    let l = r.l();
    let money = |v: Money| r.money(v, currency);
    let lines = if m.figures == Figures::NotBilled {
        vec![td_string!(l, customer.no_billable_day).to_owned()]
    } else {
        vec![
            td_string!(l, customer.tip_users, amount = money(m.users_cost), users = r.count(u64::from(m.users))),
            td_string!(l, customer.tip_options, amount = money(m.options_cost)),
            td_string!(l, customer.tip_total, amount = money(m.total)),
        ]
    };
    Bar {
        label: r.month_short(m.month, first),
        parts: vec![amount(m.users_cost), amount(m.options_cost)],
        limit: None,
        apart: m.figures == Figures::Forecast,
        title: format!("{} · {}", r.month(m.month), figures_name(m.figures, l)),
        lines,
        href: (m.figures == Figures::Final).then(|| statement_href(id, m.month)),
    }
}

#[component]
fn CostHistoryCard(billing: CustomerBillingPage, id: i64, window: u32) -> impl IntoView {
    let b = billing;
    let r = use_reader();
    let l = r.l();
    let bars = b.months.iter().enumerate().map(|(i, m)| cost_bar(&r, m, i == 0, &b.currency, id)).collect();
    let data = ChartData {
        bars,
        series: vec![
            Series { name: td_string!(l, charts.users), ..USERS },
            Series { name: td_string!(l, charts.options), ..OPTIONS },
        ],
        limit_name: None,
        unit: b.currency.clone(),
        money: true,
        click_hint: td_string!(l, customer.open_statement_hint),
        language: r.language,
    };
    let rows = b
        .months
        .iter()
        .rev()
        .map(|m| {
            let month = if m.figures == Figures::Final {
                view! { <a href=statement_href(id, m.month)>{r.month(m.month)}</a> }.into_any()
            } else {
                r.month(m.month).into_any()
            };
            let money = |v: Money| r.money(v, &b.currency);
            view! {
                <tr>
                    <th scope="row">{month}</th>
                    <td>{figures_name(m.figures, l)}</td>
                    <td class="num">{r.count(u64::from(m.users))}</td>
                    <td class="num">{money(m.users_cost)}</td>
                    <td class="num">{money(m.options_cost)}</td>
                    <td class="num">{money(m.total)}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = b.months.is_empty();
    view! {
        <section class="card" aria-labelledby="costs-title">
            <div class="card-heading">
                <h3 id="costs-title">{td_string!(l, customer.cost_history)}</h3>
                <MonthsSwitch current=window href=Callback::new(move |m| format!("/customers/{id}?months={m}")) />
            </div>
            {if empty {
                view! { <p class="muted">{td_string!(l, customer.no_billed_month)}</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">{td_string!(l, customer.cost_history_help)}</p>
                    <BarChart data label=td_string!(l, customer.cost_history_label, months = window) />
                }
                .into_any()
            }}
            <ChartTables summary=td_string!(l, customer.cost_history_table)>
                <FigureTable
                    caption=td_string!(l, customer.cost_history_caption)
                    headers=vec![
                        (td_string!(l, customer.month), false),
                        (td_string!(l, customer.figures), false),
                        (td_string!(l, customer.billed_users), true),
                        (td_string!(l, customer.users), true),
                        (td_string!(l, customer.options), true),
                        (td_string!(l, customer.total), true),
                    ]
                >
                    {rows}
                </FigureTable>
            </ChartTables>
        </section>
    }
}

#[component]
fn UserHistoryCard(billing: CustomerBillingPage, id: i64) -> impl IntoView {
    let b = billing;
    let r = use_reader();
    let l = r.l();
    let months: Vec<Bar> = b
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: r.month_short(m.month, i == 0),
            parts: vec![f64::from(m.users)],
            limit: Some(f64::from(m.max_users)),
            apart: m.figures == Figures::Forecast,
            title: format!("{} · {}", r.month(m.month), figures_name(m.figures, l)),
            lines: vec![
                td_string!(l, customer.tip_billed_users, users = r.count(u64::from(m.users))),
                td_string!(l, customer.tip_max_users, users = r.count(u64::from(m.max_users))),
            ],
            href: (m.figures == Figures::Final).then(|| statement_href(id, m.month)),
        })
        .collect();
    let month = b.forecast.month;
    let days: Vec<Bar> = month
        .days()
        .map(|day| {
            let known = b.days.iter().find(|d| d.day == day);
            let lines = match known {
                Some(d) => vec![
                    td_string!(l, customer.tip_day_users, users = r.count(u64::from(d.users))),
                    if d.reported {
                        td_string!(l, customer.reported_that_day)
                    } else {
                        td_string!(l, customer.carried_forward_long)
                    }
                    .to_owned(),
                ],
                None => vec![td_string!(l, customer.later_this_month).to_owned()],
            };
            Bar {
                label: chrono::Datelike::day(&day).to_string(),
                parts: vec![known.map(|d| f64::from(d.users)).unwrap_or(0.0)],
                limit: Some(f64::from(b.max_users)),
                apart: false,
                title: r.weekday_day(day),
                lines,
                href: None,
            }
        })
        .collect();
    let monthly = ChartData {
        bars: months,
        series: vec![Series { name: td_string!(l, customer.billed_users), ..USERS }],
        limit_name: Some(td_string!(l, customer.max_users)),
        unit: td_string!(l, charts.users_unit).to_owned(),
        money: false,
        click_hint: td_string!(l, customer.open_statement_hint),
        language: r.language,
    };
    let daily = ChartData {
        bars: days,
        series: vec![Series { name: td_string!(l, customer.users_that_day), ..USERS }],
        limit_name: Some(td_string!(l, customer.max_users)),
        unit: td_string!(l, charts.users_unit).to_owned(),
        money: false,
        click_hint: "",
        language: r.language,
    };
    let month_rows = b
        .months
        .iter()
        .rev()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{r.month(m.month)}</th>
                    <td class="num">{r.count(u64::from(m.users))}</td>
                    <td class="num">{r.count(u64::from(m.max_users))}</td>
                </tr>
            }
        })
        .collect_view();
    let day_rows = b
        .days
        .iter()
        .rev()
        .map(|d| {
            view! {
                <tr>
                    <th scope="row">{r.day(d.day)}</th>
                    <td class="num">{r.count(u64::from(d.users))}</td>
                    <td>
                        {if d.reported { td_string!(l, customer.reported) } else { td_string!(l, customer.carried_forward) }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="users-title">
            <h3 id="users-title">{td_string!(l, customer.user_history)}</h3>
            <p class="muted small">{td_string!(l, customer.user_history_help)}</p>
            <BarChart data=monthly label=td_string!(l, customer.monthly_label).to_owned() />
            <h4>{td_string!(l, customer.day_by_day, month = r.month(month))}</h4>
            <BarChart data=daily label=td_string!(l, customer.daily_label).to_owned() />
            <ChartTables summary=td_string!(l, customer.user_history_table)>
                <FigureTable
                    caption=td_string!(l, customer.monthly_caption)
                    headers=vec![
                        (td_string!(l, customer.month), false),
                        (td_string!(l, customer.billed_users), true),
                        (td_string!(l, customer.max_users), true),
                    ]
                >
                    {month_rows}
                </FigureTable>
                <FigureTable
                    caption=td_string!(l, customer.daily_caption)
                    headers=vec![
                        (td_string!(l, customer.day), false),
                        (td_string!(l, customer.users), true),
                        (td_string!(l, customer.count), false),
                    ]
                >
                    {day_rows}
                </FigureTable>
            </ChartTables>
        </section>
    }
}

#[component]
fn StatementsCard(statements: Vec<StatementSummary>, currency: String, id: i64) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    if statements.is_empty() {
        return view! {
            <section class="card" aria-labelledby="statements-title">
                <h3 id="statements-title">{td_string!(l, customer.statements)}</h3>
                <p class="muted">{td_string!(l, customer.no_statement)}</p>
            </section>
        }
        .into_any();
    }
    // Statements closed before sell prices were recorded have no revenue.
    let with_revenue = statements.iter().any(|s| s.revenue.is_some());
    let rows = statements
        .into_iter()
        .map(|s| {
            let revenue = with_revenue.then(|| {
                let text = s.revenue.map(|m| r.money(m, &currency)).unwrap_or_else(|| "—".to_owned());
                view! { <td class="num">{text}</td> }
            });
            view! {
                <tr>
                    <th scope="row">
                        <a href=statement_href(id, s.month)>{r.month(s.month)}</a>
                    </th>
                    <td class="num wide-only">{r.count(u64::from(s.users))}</td>
                    <td class="num">{r.money(s.total, &currency)}</td>
                    {revenue}
                    <td class="wide-only">{r.date_of(s.closed_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="statements-title">
            <h3 id="statements-title">{td_string!(l, customer.statements)}</h3>
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, customer.statements_table)>
                <table class="data-table">
                    <caption class="visually-hidden">{td_string!(l, customer.statements_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, customer.month)}</th>
                            <th scope="col" class="num wide-only">{td_string!(l, customer.billed_users)}</th>
                            <th scope="col" class="num">{td_string!(l, customer.total)}</th>
                            {with_revenue.then(|| view! { <th scope="col" class="num">{td_string!(l, customer.revenue)}</th> })}
                            <th scope="col" class="wide-only">{td_string!(l, customer.closed_on)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
