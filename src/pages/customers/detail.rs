use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::actions::{ActivateAction, ConvertAction, DeactivateAction, RemoveAction};
use super::api_key::ApiKeyCard;
use super::billing::BillingSection;
use super::{customer_loaded, use_customer};
use crate::api::customers::customer_history;
use crate::components::audit::AuditTable;
use crate::components::badges::{ContractEnd, KindBadge, StatusBadge};
use crate::components::format;
use crate::components::loaded;
use crate::components::session::use_can_operate;
use crate::domain::{CustomerKind, CustomerStatus};
use crate::pages::not_found::respond_not_found;
use crate::views::customers::CustomerDetail;

#[component]
pub fn CustomerPage() -> impl IntoView {
    // Bumped after every change made on this page, to load the customer anew.
    let refresh = RwSignal::new(0u32);
    let customer = use_customer(refresh.into());
    customer_loaded(customer, move |c| view! { <CustomerView customer=c refresh /> })
}

#[component]
pub fn CustomerNotFound() -> impl IntoView {
    respond_not_found();
    view! {
        <Title text="Customer not found" />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">"Customers"</a>
            </p>
            <h1>"Customer not found"</h1>
        </div>
        <div class="card card-plain">
            <p>"There is no such customer, or it was removed. Removed customers cannot be opened or changed."</p>
            <a class="button button-secondary" href="/customers">
                "Back to the customer list"
            </a>
        </div>
    }
}

#[component]
fn CustomerView(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let can_operate = use_can_operate();
    let query = use_query_map();
    let history = Memo::new(move |_| query.read().get("view").as_deref() == Some("history"));
    let id = customer.id;
    let actions = {
        let c = customer.clone();
        move || {
            can_operate.get().then(|| {
                let c = c.clone();
                view! {
                    <div class="actions" role="group" aria-label="Customer actions">
                        <a class="button button-secondary" href=format!("/customers/{}/contract", c.id)>
                            "Edit contract"
                        </a>
                        <a class="button button-secondary" href=format!("/customers/{}/options", c.id)>
                            "Edit options"
                        </a>
                        {(c.kind == CustomerKind::Test).then(|| view! { <ConvertAction customer=c.clone() refresh /> })}
                        {if c.status == CustomerStatus::Active {
                            view! { <DeactivateAction customer=c.clone() refresh /> }.into_any()
                        } else {
                            view! { <ActivateAction customer=c.clone() refresh /> }.into_any()
                        }}
                        <RemoveAction customer=c.clone() />
                    </div>
                }
            })
        }
    };
    let body = {
        let c = customer.clone();
        move || {
            if history.get() {
                view! { <HistoryTable id /> }.into_any()
            } else {
                view! { <Overview customer=c.clone() /> }.into_any()
            }
        }
    };
    view! {
        <Title text=customer.name.clone() />
        <div class="page-header">
            <p class="breadcrumb">
                <a href=format!("/customers?tab={}", list_tab(&customer))>"Customers"</a>
            </p>
            <div class="title-row">
                <h1>{customer.name.clone()}</h1>
                <KindBadge kind=customer.kind />
                <StatusBadge status=customer.status />
            </div>
            {actions}
        </div>
        <nav class="tabs" aria-label="Customer sections">
            <ul>
                <li>
                    <a
                        href=format!("/customers/{id}")
                        class=move || if history.get() { "tab" } else { "tab tab-current" }
                        aria-current=move || (!history.get()).then_some("page")
                    >
                        "Overview"
                    </a>
                </li>
                <li>
                    <a
                        href=format!("/customers/{id}?view=history")
                        class=move || if history.get() { "tab tab-current" } else { "tab" }
                        aria-current=move || history.get().then_some("page")
                    >
                        "History"
                    </a>
                </li>
            </ul>
        </nav>
        {body}
    }
}

fn list_tab(customer: &CustomerDetail) -> &'static str {
    match (customer.status, customer.kind) {
        (CustomerStatus::Active, CustomerKind::Test) => "test",
        (CustomerStatus::Active, CustomerKind::Billed) => "billed",
        _ => "deactivated",
    }
}

#[component]
fn Overview(customer: CustomerDetail) -> impl IntoView {
    let c = customer;
    let status_detail = (c.status == CustomerStatus::Deactivated).then(|| {
        let since = c.deactivated_at.map(format::date).unwrap_or_default();
        let reason = c.deactivation_reason.clone().unwrap_or_else(|| "no reason given".to_owned());
        view! { <span class="muted">{format!(" since {since}: {reason}")}</span> }
    });
    let options = if c.options.is_empty() {
        view! { <p class="muted">"No options booked."</p> }.into_any()
    } else {
        view! {
            <ul class="option-list">
                {c
                    .options
                    .iter()
                    .map(|o| {
                        let pricing = if o.pricing == "flat" { "flat price per customer" } else { "per user" };
                        view! {
                            <li>
                                {o.name.clone()}
                                <span class="muted small">{format!(" · {pricing}")}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="cards">
            <section class="card" aria-labelledby="contract-title">
                <h2 id="contract-title">"Contract"</h2>
                <dl class="facts">
                    <dt>"Kind"</dt>
                    <dd>{c.kind.label()}</dd>
                    <dt>"Status"</dt>
                    <dd>{c.status.label()} {status_detail}</dd>
                    <dt>"Contract end"</dt>
                    <dd>
                        <ContractEnd date=c.contract_end flag=c.contract_flag today=c.today />
                    </dd>
                    <dt>"Created"</dt>
                    <dd>{format::date(c.created_at)}</dd>
                    <dt>"Billed since"</dt>
                    <dd>{c.billed_since.map(format::date).unwrap_or_else(|| "— (test customer)".to_owned())}</dd>
                    <dt>"Database"</dt>
                    <dd>
                        <code>{c.database_name.clone()}</code>
                    </dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="license-title">
                <h2 id="license-title">"License"</h2>
                <dl class="facts">
                    <dt>"Maximum users"</dt>
                    <dd>{c.max_users}</dd>
                    <dt>"Hard limit"</dt>
                    <dd>
                        {if c.limit_user_creation {
                            "Yes: no users beyond the maximum"
                        } else {
                            "No: the maximum is not enforced"
                        }}
                    </dd>
                    <dt>"Users reported"</dt>
                    <dd>{c.reported_users.map(|n| n.to_string()).unwrap_or_else(|| "— (no report yet)".to_owned())}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="options-title">
                <h2 id="options-title">"Options"</h2>
                {options}
            </section>
            <ApiKeyCard id=c.id name=c.name.clone() />
        </div>
        {match c.kind {
            CustomerKind::Test => view! {
                <section class="card card-plain" aria-labelledby="billing-title">
                    <h2 id="billing-title">"Billing"</h2>
                    <p class="muted">
                        "There is no billing data for test customers. Billing starts in the month you convert the customer to billed."
                    </p>
                </section>
            }
            .into_any(),
            CustomerKind::Billed => view! { <BillingSection id=c.id /> }.into_any(),
        }}
    }
}

#[component]
fn HistoryTable(id: i64) -> impl IntoView {
    let entries = data(move || id, customer_history);
    loaded(entries, |rows| view! { <AuditTable entries=rows caption="Changes to this customer, newest first" /> })
}
