//! A closed month's frozen statements, one per billed customer.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing::month_statements;
use crate::components::data::data;
use crate::components::statement::BillLines;
use crate::components::{format, loaded};
use crate::views::billing::Statement;

#[component]
pub fn StatementsPage() -> impl IntoView {
    let params = use_params_map();
    let month = Memo::new(move |_| params.read().get("month").unwrap_or_default());
    let statements = data(move || month.get(), month_statements);
    view! {
        <Title text=move || format!("Statements {}", month.get()) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/costs">"Cost overview"</a>
            </p>
            <h1>{move || format!("Statements of {}", month.get())}</h1>
            <p class="muted">"Frozen when the month was closed: quantities, unit prices, lines and totals as issued."</p>
        </div>
        {loaded(statements, |list| view! { <StatementList list /> })}
    }
}

#[component]
fn StatementList(list: Vec<Statement>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <section class="card card-plain empty-state">
                <h2>"No statements"</h2>
                <p class="muted">"This month is not closed, or no customer was billed in it."</p>
            </section>
        }
        .into_any();
    }
    let currency = list[0].currency.clone();
    let total: crate::domain::Money = list.iter().map(|s| s.total).sum();
    let count = list.len();
    view! {
        <section class="card" aria-labelledby="statements-title">
            <div class="card-heading">
                <h2 id="statements-title">{format!("{count} statements")}</h2>
                <p class="statement-sum">{format!("Total {}", format::money(total, &currency))}</p>
            </div>
            <ul class="statements">
                {list.into_iter().map(|s| view! { <li><StatementDetails statement=s /></li> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn StatementDetails(statement: Statement) -> impl IntoView {
    let s = statement;
    view! {
        <details class="statement">
            <summary>
                <span class="statement-name">{s.customer_name.clone()}</span>
                <span class="statement-users">{format!("{} users", format::thousands(u64::from(s.users)))}</span>
                <span class="statement-total">{format::money(s.total, &s.currency)}</span>
            </summary>
            <BillLines
                statement=s.clone()
                caption=format!("Statement of {} for {}", s.customer_name, s.month)
                total_label="Total"
            />
            <p class="muted small">
                {format!(
                    "{} billable days · users at month start {}, at month end {} · closed {}",
                    s.billable_days,
                    s.users_at_start,
                    s.users_at_end,
                    format::timestamp(s.closed_at)
                )}
            </p>
        </details>
    }
}
