//! A closed month's frozen statements, one per billed customer.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::billing::{month_statements, CheckDatevExport};
use crate::components::data::data;
use crate::components::field::general_message;
use crate::components::language::use_reader;
use crate::components::loaded;
use crate::components::statement::BillLines;
use crate::domain::BillingMonth;
use crate::i18n::td_string;
use crate::views::billing::Statement;

#[component]
pub fn StatementsPage() -> impl IntoView {
    let params = use_params_map();
    let month = Memo::new(move |_| params.read().get("month").unwrap_or_default());
    let statements = data(move || month.get(), month_statements);
    let r = use_reader();
    let l = r.l();
    // "November 2026" for a month the address names well, else as written.
    let name = move || {
        let month = month.get();
        BillingMonth::parse(&month).map(|m| r.month(m)).unwrap_or(month)
    };
    view! {
        <Title text={
            let name = name.clone();
            move || td_string!(l, customer.statements_title, month = name())
        } />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/costs">{td_string!(l, common.module_costs)}</a>
            </p>
            <h1>{move || td_string!(l, customer.statements_of, month = name())}</h1>
            <p class="muted">{td_string!(l, customer.frozen_all)}</p>
            {move || BillingMonth::parse(&month.get()).ok().map(|m| view! { <DatevDownload month=m /> })}
        </div>
        {loaded(statements, |list| view! { <StatementList list /> })}
    }
}

/// The month's DATEV file: checked first (a refusal is shown here, in
/// words), then downloaded from `/exports/datev/<month>`.
#[component]
fn DatevDownload(month: BillingMonth) -> impl IntoView {
    let check = ServerAction::<CheckDatevExport>::new();
    let error = general_message(Signal::derive(move || check.value().get().and_then(Result::err)));
    Effect::new(move |_| {
        if matches!(check.value().get(), Some(Ok(()))) {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href(&format!("/exports/datev/{month}"));
            }
        }
    });
    let l = use_reader().l();
    view! {
        <div class="actions">
            <button
                type="button"
                class="button button-secondary"
                disabled=move || check.pending().get()
                aria-describedby="datev-error"
                on:click=move |_| {
                    check.dispatch(CheckDatevExport { month: month.to_string() });
                }
            >
                {td_string!(l, costs.datev_download)}
            </button>
        </div>
        <div id="datev-error">
            {move || error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        </div>
    }
}

#[component]
fn StatementList(list: Vec<Statement>) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    if list.is_empty() {
        return view! {
            <section class="card card-plain empty-state">
                <h2>{td_string!(l, customer.no_statements)}</h2>
                <p class="muted">{td_string!(l, customer.no_statements_text)}</p>
            </section>
        }
        .into_any();
    }
    let currency = list[0].currency.clone();
    let total: crate::domain::Money = list.iter().map(|s| s.total).sum();
    let revenue: crate::domain::Money = list.iter().filter_map(|s| s.sale.as_ref().map(|a| a.total)).sum();
    let with_revenue = list.iter().any(|s| s.sale.is_some());
    let count = list.len();
    view! {
        <section class="card" aria-labelledby="statements-title">
            <div class="card-heading">
                <h2 id="statements-title">
                    {r.count_of(count as u64, td_string!(l, customer.statement_singular), td_string!(l, customer.statement_plural))}
                </h2>
                <p class="statement-sum">
                    {td_string!(l, customer.sum_total, amount = r.money(total, &currency))}
                    {with_revenue.then(|| format!(" · {}", td_string!(l, customer.revenue_is, amount = r.money(revenue, &currency))))}
                </p>
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
    let r = use_reader();
    let l = r.l();
    let users =
        r.count_of(u64::from(s.users), td_string!(l, customer.user_singular), td_string!(l, customer.user_plural));
    let facts = td_string!(
        l,
        customer.statement_facts,
        days = s.billable_days,
        start = r.count(u64::from(s.users_at_start)),
        end = r.count(u64::from(s.users_at_end)),
        closed = r.time(s.closed_at)
    );
    view! {
        <details class="statement">
            <summary>
                <span class="statement-name">{s.customer_name.clone()}</span>
                <span class="statement-users">{users}</span>
                <span class="statement-total">{r.money(s.total, &s.currency)}</span>
            </summary>
            <BillLines
                statement=s.clone()
                caption=td_string!(l, customer.statement_caption, name = s.customer_name.clone(), month = r.month(s.month))
                total_label=td_string!(l, customer.total)
            />
            <p class="muted small">{facts}</p>
        </details>
    }
}
