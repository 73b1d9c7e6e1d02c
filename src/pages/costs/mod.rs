//! Cost overview: every billed customer of a month with the changes
//! against the month before, the chart of monthly totals, the CSV export,
//! the billing months with their close (admin); the frozen statements of a
//! closed month (`statements`, drawn by the customer module's part of the
//! WebAssembly, which has the statement lines).

mod overview;
mod statements;
mod totals_chart;

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::billing::{billing_months, cost_overview, cost_totals, CloseMonth};
use crate::components::chart::MonthsSwitch;
use crate::components::field::{general_message, server_message};
use crate::components::session::with_user;
use crate::components::{format, loaded, Dialog, FieldError};
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, Role};
use crate::views::billing::{MonthRow, MonthState};
use overview::{figures_badge, Overview};
pub use statements::StatementsPage;
use totals_chart::TotalsChart;

#[component]
pub fn CostsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        OverviewQuery::from_params(|key| params.get(key))
    });
    let month = Memo::new(move |_| query.read().month);
    let range = Memo::new(move |_| query.read().range);
    let close = ServerAction::<CloseMonth>::new();
    let overview = data(
        move || (month.get(), close.version().get()),
        |(month, _)| cost_overview(month.map(|m| m.to_string()).unwrap_or_default()),
    );
    let totals = data(move || (range.get(), close.version().get()), |(range, _)| cost_totals(range));
    let months = data(move || close.version().get(), |_| billing_months());
    view! {
        <Title text="Cost overview" />
        <div class="page-header">
            <h1>"Cost overview"</h1>
            <p class="muted">
                "Every billed customer by month, with the changes against the month before. The current month is a forecast."
            </p>
        </div>
        <section class="card" aria-labelledby="totals-title">
            <div class="card-heading">
                <h2 id="totals-title">"Monthly totals"</h2>
                <MonthsSwitch
                    current=range
                    href=Callback::new(move |months| OverviewQuery { range: months, ..query.get() }.href())
                />
            </div>
            <p class="muted small">
                "All customers, users and options stacked. Point at a month for its amounts; click it to show it below."
            </p>
            {loaded(totals, move |t| view! { <TotalsChart totals=t query /> })}
        </section>
        <section class="card overview-card" aria-label="Customers of the month">
            {loaded(overview, move |page| view! { <Overview page query /> })}
        </section>
        <section class="card" aria-labelledby="months-title">
            <h2 id="months-title">"Billing months"</h2>
            <p class="muted">
                "The current month is a forecast. An ended month is pending close until its grace period has "
                "passed; then it closes automatically into one statement per billed customer, which never changes "
                "again. Admins can close an ended month earlier."
            </p>
            {with_user(move |user| {
                let admin = user.role == Role::Admin;
                loaded(months, move |rows| view! { <MonthsTable rows admin close /> })
            })}
        </section>
    }
}

#[component]
fn MonthsTable(rows: Vec<MonthRow>, admin: bool, close: ServerAction<CloseMonth>) -> impl IntoView {
    // The month the dialog asks about; the dialog is open while `open`.
    let confirm = RwSignal::new(None::<BillingMonth>);
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(close.value().get(), Some(Ok(_))) {
            open.set(false);
        }
    });
    let error = Signal::derive(move || close.value().get().and_then(Result::err));
    let general = general_message(error);
    let done = move || {
        close.value().get().and_then(Result::ok).map(|c| {
            let text = if c.closed_now {
                format!("{} closed: {} statements.", c.month, format::thousands(c.statements))
            } else {
                format!("{} was closed already; nothing changed.", c.month)
            };
            view! { <p class="notice notice-ok" role="status">{text}</p> }
        })
    };
    let body = rows
        .into_iter()
        .map(|row| {
            let month = row.month;
            let currency = row.currency.clone();
            let (state, statements, total, action) = match row.state {
                MonthState::Current => (
                    figures_badge(Figures::Forecast).into_any(),
                    "—".to_owned(),
                    "—".to_owned(),
                    view! { <span class="muted small">"month in progress"</span> }.into_any(),
                ),
                MonthState::PendingClose { due } => (
                    figures_badge(Figures::PendingClose).into_any(),
                    "—".to_owned(),
                    "—".to_owned(),
                    if admin {
                        view! {
                            <span class="muted small">{format!("closes on {due} ")}</span>
                            <button
                                type="button"
                                class="button button-secondary"
                                on:click=move |_| {
                                    confirm.set(Some(month));
                                    open.set(true);
                                }
                            >
                                {format!("Close {month} now")}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! { <span class="muted small">{format!("closes on {due}")}</span> }.into_any()
                    },
                ),
                MonthState::Closed { at, by, statements, total } => (
                    figures_badge(Figures::Final).into_any(),
                    format::thousands(statements),
                    format::money(total, &currency),
                    view! {
                        <a href=format!("/costs/statements/{month}")>{format!("Statements of {month}")}</a>
                        <span class="muted small">{format!(" · closed {} by {by}", format::timestamp(at))}</span>
                    }
                    .into_any(),
                ),
            };
            view! {
                <tr>
                    <th scope="row" class="nowrap">{month.to_string()}</th>
                    <td>{state}</td>
                    <td class="num">
                        <span class="narrow-only">"Statements: "</span>
                        {statements}
                    </td>
                    <td class="num">{total}</td>
                    <td class="month-details">{action}</td>
                </tr>
            }
        })
        .collect_view();
    let month_error = server_message(error, "month");
    view! {
        {done}
        <div class="table-wrap" tabindex="0" role="region" aria-label="Billing months table">
            <table class="data-table months-table">
                <caption class="visually-hidden">"Billing months, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Month"</th>
                        <th scope="col">"Figures"</th>
                        <th scope="col" class="num">"Statements"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col">
                            <span class="visually-hidden">"Details"</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        <Dialog open labelled_by="close-month-title">
            <h2 id="close-month-title">
                {move || confirm.get().map(|m| format!("Close {m} now?")).unwrap_or_default()}
            </h2>
            <p>
                "Every customer billed in this month gets its statement, frozen for good. Usage reports that "
                "arrive later for this month are kept and flagged as late but change nothing."
            </p>
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <FieldError id="close-month-error" message=month_error />
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || close.pending().get()
                    on:click=move |_| {
                        if let Some(m) = confirm.get_untracked() {
                            close.dispatch(CloseMonth { month: m.to_string() });
                        }
                    }
                >
                    "Close the month"
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}
