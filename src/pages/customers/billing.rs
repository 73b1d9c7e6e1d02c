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
use crate::components::format;
use crate::components::loaded;
use crate::components::statement::BillLines;
use crate::domain::cost_history::{CostMonth, Figures};
use crate::domain::locale::{self, Language};
use crate::domain::{BillingMonth, Money};
use crate::views::billing::{CustomerBillingPage, Forecast, StatementSummary};

const BILLED_USERS: Series = Series { name: "Billed users", ..USERS };
const DAILY_USERS: Series = Series { name: "Users that day", ..USERS };

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
    let as_of = format!("Figures as of {}", crate::components::language::use_reader().clock(b.loaded_at));
    view! {
        <div class="card-heading section-heading">
            <h2 id="billing-title">"Billing"</h2>
            <div class="section-tools">
                <span class="muted small" role="status">
                    {as_of}
                </span>
                <button type="button" class="button button-secondary" on:click=move |_| refresh.update(|n| *n += 1)>
                    "Refresh"
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
    let body = match f.bill {
        None => view! { <p class="muted">{format!("Not billed in {}: no billable day this month.", f.month)}</p> }
            .into_any(),
        Some(bill) => {
            let rule = format!(
                "{}: billed users = highest daily count this month ({}), taking the current count ({}) for the rest of the month.",
                f.month, bill.users, f.current_users
            );
            view! {
                <p class="muted">{rule}</p>
                <BillLines statement=bill caption="Forecast of this month".to_owned() total_label="Forecast total" />
            }
            .into_any()
        }
    };
    view! {
        <section class="card" id="forecast" aria-labelledby="forecast-title">
            <h3 id="forecast-title">"This month so far (forecast)"</h3>
            {body}
        </section>
    }
}

fn cost_bar(m: &CostMonth, first: bool, currency: &str, id: i64) -> Bar {
    let money = |v: Money| format::money(v, currency);
    let lines = if m.figures == Figures::NotBilled {
        vec!["No billable day".to_owned()]
    } else {
        vec![
            format!("Users: {} ({} billed)", money(m.users_cost), format::thousands(u64::from(m.users))),
            format!("Options: {}", money(m.options_cost)),
            format!("Total: {}", money(m.total)),
        ]
    };
    Bar {
        label: format::month_short(m.month, first),
        parts: vec![amount(m.users_cost), amount(m.options_cost)],
        limit: None,
        apart: m.figures == Figures::Forecast,
        title: format!("{} · {}", format::month_long(m.month), m.figures.label()),
        lines,
        href: (m.figures == Figures::Final).then(|| statement_href(id, m.month)),
    }
}

#[component]
fn CostHistoryCard(billing: CustomerBillingPage, id: i64, window: u32) -> impl IntoView {
    let b = billing;
    let bars = b.months.iter().enumerate().map(|(i, m)| cost_bar(m, i == 0, &b.currency, id)).collect();
    let data = ChartData {
        bars,
        series: vec![USERS, OPTIONS],
        limit_name: None,
        unit: b.currency.clone(),
        money: true,
        click_hint: "Click to open the statement",
    };
    let rows = b
        .months
        .iter()
        .rev()
        .map(|m| {
            let month = if m.figures == Figures::Final {
                view! { <a href=statement_href(id, m.month)>{format::month_long(m.month)}</a> }.into_any()
            } else {
                format::month_long(m.month).into_any()
            };
            let money = |v: Money| format::money(v, &b.currency);
            view! {
                <tr>
                    <th scope="row">{month}</th>
                    <td>{m.figures.label()}</td>
                    <td class="num">{format::thousands(u64::from(m.users))}</td>
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
                <h3 id="costs-title">"Cost history"</h3>
                <MonthsSwitch current=window href=Callback::new(move |m| format!("/customers/{id}?months={m}")) />
            </div>
            {if empty {
                view! { <p class="muted">"No billed month yet."</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">
                        "Monthly totals, users and options stacked. Point at a month for its amounts; click a closed month to open its statement."
                    </p>
                    <BarChart data label=format!("Cost history of the last {window} months; the figures are in the table below") />
                }
                .into_any()
            }}
            <ChartTables summary="Cost history as a table">
                <FigureTable
                    caption="Cost history by month, newest first"
                    headers=&[
                        ("Month", false),
                        ("Figures", false),
                        ("Billed users", true),
                        ("Users", true),
                        ("Options", true),
                        ("Total", true),
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
    let months: Vec<Bar> = b
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: format::month_short(m.month, i == 0),
            parts: vec![f64::from(m.users)],
            limit: Some(f64::from(m.max_users)),
            apart: m.figures == Figures::Forecast,
            title: format!("{} · {}", format::month_long(m.month), m.figures.label()),
            lines: vec![
                format!("Billed users: {}", format::thousands(u64::from(m.users))),
                format!("Maximum users: {}", format::thousands(u64::from(m.max_users))),
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
                    format!("Users: {}", format::thousands(u64::from(d.users))),
                    if d.reported { "Reported that day" } else { "No report: the last count carried forward" }
                        .to_owned(),
                ],
                None => vec!["Later this month".to_owned()],
            };
            Bar {
                label: chrono::Datelike::day(&day).to_string(),
                parts: vec![known.map(|d| f64::from(d.users)).unwrap_or(0.0)],
                limit: Some(f64::from(b.max_users)),
                apart: false,
                title: format!(
                    "{} {}",
                    locale::weekday_abbreviation(day, Language::English),
                    locale::date_sortable(day)
                ),
                lines,
                href: None,
            }
        })
        .collect();
    let monthly = ChartData {
        bars: months,
        series: vec![BILLED_USERS],
        limit_name: Some("Maximum users"),
        unit: "users".to_owned(),
        money: false,
        click_hint: "",
    };
    let daily = ChartData {
        bars: days,
        series: vec![DAILY_USERS],
        limit_name: Some("Maximum users"),
        unit: "users".to_owned(),
        money: false,
        click_hint: "",
    };
    let month_rows = b
        .months
        .iter()
        .rev()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{format::month_long(m.month)}</th>
                    <td class="num">{format::thousands(u64::from(m.users))}</td>
                    <td class="num">{format::thousands(u64::from(m.max_users))}</td>
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
                    <th scope="row">{d.day.to_string()}</th>
                    <td class="num">{format::thousands(u64::from(d.users))}</td>
                    <td>{if d.reported { "reported" } else { "carried forward" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="users-title">
            <h3 id="users-title">"User history"</h3>
            <p class="muted small">"Billed users per month (the month's highest daily count) against the maximum."</p>
            <BarChart data=monthly label="Billed users per month; the figures are in the table below".to_owned() />
            <h4>{format!("{} day by day", format::month_long(month))}</h4>
            <BarChart data=daily label="Users per day this month; the figures are in the table below".to_owned() />
            <ChartTables summary="User history as a table">
                <FigureTable
                    caption="Billed users by month, newest first"
                    headers=&[("Month", false), ("Billed users", true), ("Maximum users", true)]
                >
                    {month_rows}
                </FigureTable>
                <FigureTable
                    caption="Users per day this month, newest first"
                    headers=&[("Day", false), ("Users", true), ("Count", false)]
                >
                    {day_rows}
                </FigureTable>
            </ChartTables>
        </section>
    }
}

#[component]
fn StatementsCard(statements: Vec<StatementSummary>, currency: String, id: i64) -> impl IntoView {
    if statements.is_empty() {
        return view! {
            <section class="card" aria-labelledby="statements-title">
                <h3 id="statements-title">"Statements"</h3>
                <p class="muted">"No statement yet: each billed month gets one when it is closed."</p>
            </section>
        }
        .into_any();
    }
    let rows = statements
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <th scope="row">
                        <a href=statement_href(id, s.month)>{format::month_long(s.month)}</a>
                    </th>
                    <td class="num wide-only">{format::thousands(u64::from(s.users))}</td>
                    <td class="num">{format::money(s.total, &currency)}</td>
                    <td class="wide-only">{format::date(s.closed_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="statements-title">
            <h3 id="statements-title">"Statements"</h3>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Statements table">
                <table class="data-table">
                    <caption class="visually-hidden">"Frozen statements, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Month"</th>
                            <th scope="col" class="num wide-only">"Billed users"</th>
                            <th scope="col" class="num">"Total"</th>
                            <th scope="col" class="wide-only">"Closed on"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
