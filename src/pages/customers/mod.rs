//! The Customers module: lists, new customer, detail with its actions, and
//! the edit forms.

mod actions;
mod api_key;
mod billing;
mod detail;
mod edit_contract;
mod edit_options;
mod list;
mod new;
mod option_checklist;
mod pricing;
mod statement;

pub use detail::CustomerPage;
pub use edit_contract::EditContractPage;
pub use edit_options::EditOptionsPage;
pub use list::CustomersPage;
pub use new::NewCustomerPage;
pub use statement::CustomerStatementPage;

use crate::components::data::Data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::customers::get_customer;
use crate::components::loaded::loaded_result;
use crate::error::AppError;
use crate::views::customers::CustomerDetail;
use detail::CustomerNotFound;

/// The customer id of the current route (`/customers/:id...`).
fn use_customer_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

/// The customer of the current route (`/customers/:id...`), loaded anew
/// whenever `refresh` changes. Blocking: the response waits for it, so a
/// missing customer answers 404.
fn use_customer(refresh: Signal<u32>) -> Data<Result<CustomerDetail, AppError>> {
    let id = use_customer_id();
    Data::new_with_options(
        move || (id.get(), refresh.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_customer(id).await,
                None => Err(AppError::NotFound),
            }
        },
        true,
    )
}

/// Like `components::loaded`, but a customer that does not exist (or was
/// removed) shows the "Customer not found" page.
fn customer_loaded<T, V>(
    resource: Data<Result<T, AppError>>,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    loaded_result(resource, move |result| match result {
        Err(AppError::NotFound) => Ok(view! { <CustomerNotFound /> }.into_any()),
        other => other.map(|value| render(value).into_any()),
    })
}

/// The heading of a page that edits part of a customer.
#[component]
fn EditHeader(customer: CustomerDetail, title: &'static str) -> impl IntoView {
    let l = crate::components::language::use_locale();
    view! {
        <Title text=format!("{title} · {}", customer.name) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">{crate::i18n::td_string!(l, customers.customers)}</a>
                " › "
                <a href=format!("/customers/{}", customer.id)>{customer.name.clone()}</a>
            </p>
            <h1>{title}</h1>
        </div>
    }
}

/// Once `saved` turns true, goes back to the customer's page.
fn back_to_customer_when(saved: Signal<bool>, id: i64) {
    let navigate = use_navigate();
    Effect::new(move |_| {
        if saved.get() {
            navigate(&format!("/customers/{id}"), Default::default());
        }
    });
}
