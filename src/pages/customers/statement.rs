//! One frozen statement of a customer, exactly as it was closed: opened
//! from the customer's statement list, its cost history chart or table.

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::use_customer_id;
use crate::api::billing::customer_statement;
use crate::components::language::use_reader;
use crate::components::loaded::loaded_result;
use crate::components::statement::BillLines;
use crate::error::AppError;
use crate::i18n::td_string;
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
    let r = use_reader();
    let l = r.l();
    let month = crate::domain::BillingMonth::parse(&month).map(|m| r.month(m)).unwrap_or(month);
    view! {
        <Title text=td_string!(l, customer.no_statement_title) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href=format!("/customers/{id}")>{td_string!(l, customer.back_to_customer)}</a>
            </p>
            <h1>{td_string!(l, customer.no_statement_for, month)}</h1>
        </div>
        <div class="card card-plain">
            <p>{td_string!(l, customer.no_statement_text)}</p>
        </div>
    }
}

#[component]
fn StatementView(statement: Statement) -> impl IntoView {
    let s = statement;
    let r = use_reader();
    let l = r.l();
    let month = r.month(s.month);
    let title = td_string!(l, customer.statement_of, month = month.clone());
    view! {
        <Title text=format!("{title} · {}", s.customer_name) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">{td_string!(l, common.module_customers)}</a>
                " › "
                <a href=format!("/customers/{}", s.customer_id)>{s.customer_name.clone()}</a>
            </p>
            <h1>{title}</h1>
            <p class="muted">{td_string!(l, customer.frozen_singular)}</p>
        </div>
        <section class="card statement-card" aria-labelledby="statement-title">
            <h2 id="statement-title">{format!("{} · {month}", s.customer_name)}</h2>
            <dl class="facts">
                <dt>{td_string!(l, customer.billable_days)}</dt>
                <dd>{s.billable_days}</dd>
                <dt>{td_string!(l, customer.billed_users)}</dt>
                <dd>{r.count(u64::from(s.users))}</dd>
                <dt>{td_string!(l, customer.users_start_end)}</dt>
                <dd>{format!("{} / {}", r.count(u64::from(s.users_at_start)), r.count(u64::from(s.users_at_end)))}</dd>
                <dt>{td_string!(l, customer.closed)}</dt>
                <dd>{r.time(s.closed_at)}</dd>
            </dl>
            <BillLines
                statement=s.clone()
                caption=td_string!(l, customer.statement_caption, name = s.customer_name.clone(), month = month.clone())
                total_label=td_string!(l, customer.total)
            />
            <p class="card-actions">
                <a class="button button-secondary" href=format!("/customers/{}", s.customer_id)>
                    {td_string!(l, customer.back_to, name = s.customer_name.clone())}
                </a>
            </p>
        </section>
    }
}
