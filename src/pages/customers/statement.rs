//! One frozen statement of a customer, exactly as it was closed: opened
//! from the customer's statement list, its cost history chart or table.

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::use_customer_id;
use crate::api::billing::customer_statement;
use crate::components::format;
use crate::components::loaded::loaded_result;
use crate::components::statement::BillLines;
use crate::error::AppError;
use crate::pages::not_found::respond_not_found;
use crate::views::billing::Statement;

#[component]
pub fn CustomerStatementPage() -> impl IntoView {
    let id = use_customer_id();
    let params = use_params_map();
    let month = Memo::new(move |_| params.read().get("month").unwrap_or_default());
    let statement = data(
        move || (id.get(), month.get()),
        |(id, month)| async move { customer_statement(id.unwrap_or(0), month).await },
    );
    loaded_result(statement, move |result| match result {
        Err(AppError::NotFound) => {
            Ok(view! { <NoStatement id=id.get_untracked().unwrap_or(0) month=month.get_untracked() /> }.into_any())
        }
        other => other.map(|s| view! { <StatementView statement=s /> }.into_any()),
    })
}

#[component]
fn NoStatement(id: i64, month: String) -> impl IntoView {
    respond_not_found();
    view! {
        <Title text="No statement" />
        <div class="page-header">
            <p class="breadcrumb">
                <a href=format!("/customers/{id}")>"Back to the customer"</a>
            </p>
            <h1>{format!("No statement for {month}")}</h1>
        </div>
        <div class="card card-plain">
            <p>"This month is not closed yet, or the customer was not billed in it. Statements are made when a month is closed."</p>
        </div>
    }
}

#[component]
fn StatementView(statement: Statement) -> impl IntoView {
    let s = statement;
    let title = format!("Statement of {}", format::month_long(s.month));
    view! {
        <Title text=format!("{title} · {}", s.customer_name) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">"Customers"</a>
                " › "
                <a href=format!("/customers/{}", s.customer_id)>{s.customer_name.clone()}</a>
            </p>
            <h1>{title}</h1>
            <p class="muted">"Frozen when the month was closed: quantities, unit prices, lines and total as issued."</p>
        </div>
        <section class="card statement-card" aria-labelledby="statement-title">
            <h2 id="statement-title">{format!("{} · {}", s.customer_name, format::month_long(s.month))}</h2>
            <dl class="facts">
                <dt>"Billable days"</dt>
                <dd>{s.billable_days}</dd>
                <dt>"Billed users"</dt>
                <dd>{format::thousands(u64::from(s.users))}</dd>
                <dt>"Users at month start / end"</dt>
                <dd>{format!("{} / {}", format::thousands(u64::from(s.users_at_start)), format::thousands(u64::from(s.users_at_end)))}</dd>
                <dt>"Closed"</dt>
                <dd>{format::timestamp(s.closed_at)}</dd>
            </dl>
            <BillLines
                statement=s.clone()
                caption=format!("Statement of {} for {}", s.customer_name, s.month)
                total_label="Total"
            />
            <p class="card-actions">
                <a class="button button-secondary" href=format!("/customers/{}", s.customer_id)>
                    {format!("Back to {}", s.customer_name)}
                </a>
            </p>
        </section>
    }
}
