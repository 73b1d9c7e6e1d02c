//! The Customers module: lists, new customer, detail with its actions, and
//! the edit forms.

mod actions;
mod badges;
mod detail;
mod edit_contract;
mod edit_options;
mod list;
mod new;
mod option_checklist;

pub use detail::CustomerPage;
pub use edit_contract::EditContractPage;
pub use edit_options::EditOptionsPage;
pub use list::CustomersPage;
pub use new::NewCustomerPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The customer id of the current route (`/customers/:id...`).
fn use_customer_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}
