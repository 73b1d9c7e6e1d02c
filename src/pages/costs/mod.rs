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

use crate::api::billing::{billing_months, cost_overview, cost_totals};
use crate::components::chart::MonthsSwitch;
use crate::components::field::{general_message, server_message};
use crate::components::language::{use_locale, use_reader};
use crate::components::session::with_user;
use crate::components::{loaded, Dialog, FieldError};
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, Role};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::views::billing::{CloseOutcome, MonthRow, MonthState};
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
    let close = CloseAction::default();
    let overview = data(
        move || (month.get(), close.closed.get()),
        |(month, _)| cost_overview(month.map(|m| m.to_string()).unwrap_or_default()),
    );
    let totals = data(move || (range.get(), close.closed.get()), |(range, _)| cost_totals(range));
    let months = data(move || close.closed.get(), |_| billing_months());
    let l = use_locale();
    view! {
        <Title text=td_string!(l, common.module_costs) />
        <div class="page-header">
            <h1>{td_string!(l, common.module_costs)}</h1>
            <p class="muted">{td_string!(l, costs.intro)}</p>
        </div>
        <section class="card" aria-labelledby="totals-title">
            <div class="card-heading">
                <h2 id="totals-title">{td_string!(l, costs.monthly_totals)}</h2>
                <MonthsSwitch
                    current=range
                    href=Callback::new(move |months| OverviewQuery { range: months, ..query.get() }.href())
                />
            </div>
            <p class="muted small">{td_string!(l, costs.totals_help)}</p>
            {loaded(totals, move |t| view! { <TotalsChart totals=t query /> })}
        </section>
        <section class="card overview-card" aria-label=td_string!(l, costs.customers_of_month)>
            {loaded(overview, move |page| view! { <Overview page query /> })}
        </section>
        <section class="card" aria-labelledby="months-title">
            <h2 id="months-title">{td_string!(l, costs.billing_months)}</h2>
            <p class="muted">{td_string!(l, costs.months_help)}</p>
            {with_user(move |user| {
                let admin = user.role == Role::Admin;
                loaded(months, move |rows| view! { <MonthsTable rows admin close /> })
            })}
        </section>
    }
}

/// Closes a month now (admins). The call is a part of the WebAssembly of
/// its own, loaded at the first close rather than with the page: most
/// visits only read the overview.
/// The state of closing a month: the last answer, whether a call is under
/// way, and how many closes went through (the page's data follows it).
#[derive(Clone, Copy, Default)]
struct CloseAction {
    value: RwSignal<Option<Result<CloseOutcome, AppError>>>,
    pending: RwSignal<bool>,
    closed: RwSignal<u32>,
}

impl CloseAction {
    fn dispatch(self, month: BillingMonth) {
        self.pending.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let answer = crate::api::billing::close_month(month.to_string()).await;
            if answer.is_ok() {
                self.closed.update(|n| *n += 1);
            }
            self.value.set(Some(answer));
            self.pending.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = month;
    }
}

#[component]
fn MonthsTable(rows: Vec<MonthRow>, admin: bool, close: CloseAction) -> impl IntoView {
    // The month the dialog asks about; the dialog is open while `open`.
    let confirm = RwSignal::new(None::<BillingMonth>);
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(close.value.get(), Some(Ok(_))) {
            open.set(false);
        }
    });
    let error = Signal::derive(move || close.value.get().and_then(Result::err));
    let general = general_message(error);
    let r = use_reader();
    let l = r.l();
    let done = {
        let r = r.clone();
        move || {
            close.value.get().and_then(Result::ok).map(|c| {
                let month = r.month(c.month);
                let text = if c.closed_now {
                    let statements = r.count_of(
                        c.statements,
                        td_string!(l, costs.statement_singular),
                        td_string!(l, costs.statement_plural),
                    );
                    td_string!(l, costs.closed_now, month, statements)
                } else {
                    td_string!(l, costs.closed_already, month)
                };
                view! { <p class="notice notice-ok" role="status">{text}</p> }
            })
        }
    };
    let body = rows
        .into_iter()
        .map(|row| {
            let month = row.month;
            let name = r.month(month);
            let currency = row.currency.clone();
            let (state, statements, total, action) = match row.state {
                MonthState::Current => (
                    figures_badge(Figures::Forecast).into_any(),
                    "—".to_owned(),
                    "—".to_owned(),
                    view! { <span class="muted small">{td_string!(l, costs.in_progress)}</span> }.into_any(),
                ),
                MonthState::PendingClose { due } => {
                    let closes = td_string!(l, costs.closes_on, day = r.day(due));
                    (
                        figures_badge(Figures::PendingClose).into_any(),
                        "—".to_owned(),
                        "—".to_owned(),
                        if admin {
                            view! {
                                <span class="muted small">{format!("{closes} ")}</span>
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    on:click=move |_| {
                                        confirm.set(Some(month));
                                        open.set(true);
                                    }
                                >
                                    {td_string!(l, costs.close_now, month = name.clone())}
                                </button>
                            }
                            .into_any()
                        } else {
                            view! { <span class="muted small">{closes}</span> }.into_any()
                        },
                    )
                }
                MonthState::Closed { at, by, statements, total } => (
                    figures_badge(Figures::Final).into_any(),
                    r.count(statements),
                    r.money(total, &currency),
                    view! {
                        <a href=format!("/costs/statements/{month}")>
                            {td_string!(l, costs.statements_of, month = name.clone())}
                        </a>
                        <span class="muted small">{td_string!(l, costs.closed_by, at = r.time(at), by)}</span>
                    }
                    .into_any(),
                ),
            };
            view! {
                <tr>
                    <th scope="row" class="nowrap">{name}</th>
                    <td>{state}</td>
                    <td class="num">
                        <span class="narrow-only">{td_string!(l, costs.statements_narrow)}</span>
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
        <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, costs.months_table)>
            <table class="data-table months-table">
                <caption class="visually-hidden">{td_string!(l, costs.months_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, costs.month)}</th>
                        <th scope="col">{td_string!(l, costs.figures)}</th>
                        <th scope="col" class="num">{td_string!(l, costs.statements)}</th>
                        <th scope="col" class="num">{td_string!(l, costs.total)}</th>
                        <th scope="col">
                            <span class="visually-hidden">{td_string!(l, costs.details)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
        <Dialog open labelled_by="close-month-title">
            <h2 id="close-month-title">
                {move || confirm.get().map(|m| td_string!(l, costs.close_title, month = r.month(m))).unwrap_or_default()}
            </h2>
            <p>{td_string!(l, costs.close_text)}</p>
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <FieldError id="close-month-error" message=month_error />
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || close.pending.get()
                    on:click=move |_| {
                        if let Some(m) = confirm.get_untracked() {
                            close.dispatch(m);
                        }
                    }
                >
                    {td_string!(l, costs.close_month)}
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| open.set(false)>
                    {td_string!(l, costs.cancel)}
                </button>
            </div>
        </Dialog>
    }
}
