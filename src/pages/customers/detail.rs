use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::actions::{ActivateAction, ConvertAction, DeactivateAction, RemoveAction};
use super::api_key::ApiKeyCard;
use super::billing::BillingSection;
use super::pricing::SellPricesCard;
use super::{customer_loaded, use_customer};
use crate::api::customers::customer_history;
use crate::components::audit::AuditTable;
use crate::components::badges::{ContractEnd, KindBadge, StatusBadge};
use crate::components::language::{kind_name, status_name, use_locale, use_reader};
use crate::components::loaded;
use crate::components::session::use_can_operate;
use crate::domain::{CustomerKind, CustomerStatus};
use crate::i18n::td_string;
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
    let l = use_locale();
    view! {
        <Title text=td_string!(l, customer.not_found_title) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">{td_string!(l, common.module_customers)}</a>
            </p>
            <h1>{td_string!(l, customer.not_found_title)}</h1>
        </div>
        <div class="card card-plain">
            <p>{td_string!(l, customer.not_found_text)}</p>
            <a class="button button-secondary" href="/customers">
                {td_string!(l, customer.back_to_list)}
            </a>
        </div>
    }
}

#[component]
fn CustomerView(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let can_operate = use_can_operate();
    let l = use_locale();
    let query = use_query_map();
    let history = Memo::new(move |_| query.read().get("view").as_deref() == Some("history"));
    let id = customer.id;
    let actions = {
        let c = customer.clone();
        move || {
            can_operate.get().then(|| {
                let c = c.clone();
                view! {
                    <div class="actions" role="group" aria-label=td_string!(l, customer.actions_label)>
                        <a class="button button-secondary" href=format!("/customers/{}/contract", c.id)>
                            {td_string!(l, customer.edit_contract)}
                        </a>
                        <a class="button button-secondary" href=format!("/customers/{}/options", c.id)>
                            {td_string!(l, customer.edit_options)}
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
                view! { <Overview customer=c.clone() refresh /> }.into_any()
            }
        }
    };
    view! {
        <Title text=customer.name.clone() />
        <div class="page-header">
            <p class="breadcrumb">
                <a href=format!("/customers?tab={}", list_tab(&customer))>{td_string!(l, common.module_customers)}</a>
            </p>
            <div class="title-row">
                <h1>{customer.name.clone()}</h1>
                <KindBadge kind=customer.kind />
                <StatusBadge status=customer.status />
            </div>
            {actions}
        </div>
        <nav class="tabs" aria-label=td_string!(l, customer.sections_label)>
            <ul>
                <li>
                    <a
                        href=format!("/customers/{id}")
                        class=move || if history.get() { "tab" } else { "tab tab-current" }
                        aria-current=move || (!history.get()).then_some("page")
                    >
                        {td_string!(l, customer.overview)}
                    </a>
                </li>
                <li>
                    <a
                        href=format!("/customers/{id}?view=history")
                        class=move || if history.get() { "tab tab-current" } else { "tab" }
                        aria-current=move || history.get().then_some("page")
                    >
                        {td_string!(l, customer.history)}
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
fn Overview(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let c = customer;
    let r = use_reader();
    let l = r.l();
    let status_detail = (c.status == CustomerStatus::Deactivated).then(|| {
        let since = c.deactivated_at.map(|at| r.date_of(at)).unwrap_or_default();
        let reason = c.deactivation_reason.clone().unwrap_or_else(|| td_string!(l, customer.no_reason).to_owned());
        view! { <span class="muted">{td_string!(l, customer.deactivated_since, since, reason)}</span> }
    });
    let options = if c.options.is_empty() {
        view! { <p class="muted">{td_string!(l, customer.no_options)}</p> }.into_any()
    } else {
        view! {
            <ul class="option-list">
                {c
                    .options
                    .iter()
                    .map(|o| {
                        let pricing = if o.pricing == "flat" {
                            td_string!(l, customer.option_flat)
                        } else {
                            td_string!(l, customer.option_per_user)
                        };
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
                <h2 id="contract-title">{td_string!(l, customer.contract)}</h2>
                <dl class="facts">
                    <dt>{td_string!(l, customer.kind)}</dt>
                    <dd>{kind_name(c.kind, l)}</dd>
                    <dt>{td_string!(l, customer.status)}</dt>
                    <dd>{status_name(c.status, l)} {status_detail}</dd>
                    <dt>{td_string!(l, customer.contract_end)}</dt>
                    <dd>
                        <ContractEnd date=c.contract_end flag=c.contract_flag today=c.today in_words=true />
                    </dd>
                    <dt>{td_string!(l, customer.created)}</dt>
                    <dd>{r.date_of(c.created_at)}</dd>
                    <dt>{td_string!(l, customer.billed_since)}</dt>
                    <dd>
                        {c.billed_since.map(|at| r.date_of(at)).unwrap_or_else(|| td_string!(l, customer.not_billed_yet).to_owned())}
                    </dd>
                    <dt>{td_string!(l, customer.database)}</dt>
                    <dd>
                        <code>{c.database_name.clone()}</code>
                    </dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="license-title">
                <h2 id="license-title">{td_string!(l, customer.license)}</h2>
                <dl class="facts">
                    <dt>{td_string!(l, customer.max_users)}</dt>
                    <dd>{r.count(u64::from(c.max_users))}</dd>
                    <dt>{td_string!(l, customer.hard_limit)}</dt>
                    <dd>
                        {if c.limit_user_creation {
                            td_string!(l, customer.hard_limit_on)
                        } else {
                            td_string!(l, customer.hard_limit_off)
                        }}
                    </dd>
                    <dt>{td_string!(l, customer.users_reported)}</dt>
                    <dd>
                        {c
                            .reported_users
                            .map(|n| r.count(u64::from(n)))
                            .unwrap_or_else(|| td_string!(l, customer.no_report_yet).to_owned())}
                    </dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="options-title">
                <h2 id="options-title">{td_string!(l, customer.options)}</h2>
                {options}
            </section>
            <ApiKeyCard id=c.id name=c.name.clone() />
        </div>
        {match c.kind {
            CustomerKind::Test => view! {
                <section class="card card-plain" aria-labelledby="billing-title">
                    <h2 id="billing-title">{td_string!(l, customer.billing)}</h2>
                    <p class="muted">{td_string!(l, customer.no_billing_for_tests)}</p>
                </section>
            }
            .into_any(),
            CustomerKind::Billed => view! {
                <SellPricesCard customer=c.clone() refresh />
                <BillingSection id=c.id />
            }
            .into_any(),
        }}
    }
}

#[component]
fn HistoryTable(id: i64) -> impl IntoView {
    let entries = data(move || id, customer_history);
    let l = use_locale();
    loaded(entries, move |rows| view! { <AuditTable entries=rows caption=td_string!(l, customer.history_caption) /> })
}
