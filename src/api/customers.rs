//! Server functions of the Customers module. Reading is open to every role;
//! every change needs an operator (or admin) and is checked on the server.

use crate::api::audit::AuditEntry;
use crate::domain::customer::{ContractForm, CustomerForm};
use crate::domain::customer_list::ListQuery;
use crate::error::AppError;
use crate::views::customers::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "customers/list", input = Json)]
pub async fn list_customers(query: ListQuery) -> Result<CustomerPage, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Viewer).await?;
    query.check().map_err(|m| AppError::Invalid(vec![m]))?;
    Ok(customers::list(&caller.state.db, &query, caller.state.clock.today()).await?)
}

#[server(endpoint = "customers/get")]
pub async fn get_customer(id: i64) -> Result<CustomerDetail, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(customers::get(&caller.state.db, id, caller.state.clock.today()).await?)
}

#[server(endpoint = "customers/history")]
pub async fn customer_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(customers::history(&caller.state.db, id).await?)
}

#[server(endpoint = "customers/new_defaults")]
pub async fn customer_form_defaults() -> Result<NewCustomerDefaults, AppError> {
    use crate::domain::customer::default_contract_end;
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    let today = caller.state.clock.today();
    Ok(NewCustomerDefaults {
        today,
        contract_end: default_contract_end(today),
        options: customers::bookable_options(&caller.state.db).await?,
    })
}

#[server(endpoint = "customers/check_names")]
pub async fn check_customer_names(
    name: String,
    database_name: String,
    except: Option<i64>,
) -> Result<NameCheck, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::check_names(&caller.state.db, &name, &database_name, except).await?)
}

#[server(endpoint = "customers/create", input = Json)]
pub async fn create_customer(form: CustomerForm) -> Result<NewCustomer, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::create(&caller.state.db, &caller.user.username, &form, caller.state.clock.now()).await?)
}

/// The prefix of the customer's API key, if it has one.
#[server(endpoint = "customers/api_key")]
pub async fn customer_api_key(id: i64) -> Result<Option<ApiKeyInfo>, AppError> {
    use crate::domain::Role;
    use crate::server::{api_keys, customers, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let db = &caller.state.db;
    customers::ensure_exists(db, id).await?;
    Ok(api_keys::info(db, id).await?)
}

/// A new API key for the customer, returned in full this once; the old one
/// stops working at once.
#[server(endpoint = "customers/rotate_api_key")]
pub async fn rotate_api_key(id: i64) -> Result<String, AppError> {
    use crate::domain::Role;
    use crate::server::{api_keys, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(api_keys::rotate(&caller.state.db, &caller.user.username, id, caller.state.clock.now()).await?)
}

#[server(endpoint = "customers/revoke_api_key")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{api_keys, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(api_keys::revoke(&caller.state.db, &caller.user.username, id, caller.state.clock.now()).await?)
}

#[server(endpoint = "customers/update_contract", input = Json)]
pub async fn update_contract(id: i64, version: i64, form: ContractForm) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::update_contract(
        &caller.state.db,
        &caller.user.username,
        id,
        version,
        &form,
        caller.state.clock.now(),
    )
    .await?)
}

#[server(endpoint = "customers/set_options", input = Json)]
pub async fn set_customer_options(id: i64, version: i64, options: Vec<String>) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::set_options(&caller.state.db, &caller.user.username, id, version, &options, caller.state.clock.now())
        .await?)
}

/// Changes a customer's kind. Only test -> billed exists; the server refuses
/// billed -> test whatever the request says.
#[server(endpoint = "customers/change_kind")]
pub async fn change_customer_kind(id: i64, version: i64, kind: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::change_kind(&caller.state.db, &caller.user.username, id, version, &kind, caller.state.clock.now())
        .await?)
}

#[server(endpoint = "customers/deactivate")]
pub async fn deactivate_customer(id: i64, version: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::deactivate(&caller.state.db, &caller.user.username, id, version, &reason, caller.state.clock.now())
        .await?)
}

#[server(endpoint = "customers/not_for_resale")]
pub async fn set_not_for_resale(id: i64, version: i64, not_for_resale: bool) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    let now = caller.state.clock.now();
    Ok(customers::set_not_for_resale(&caller.state.db, &caller.user.username, id, version, not_for_resale, now).await?)
}

#[server(endpoint = "customers/debtor_account")]
pub async fn set_debtor_account(id: i64, version: i64, debtor_account: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    let now = caller.state.clock.now();
    Ok(customers::set_debtor_account(&caller.state.db, &caller.user.username, id, version, &debtor_account, now)
        .await?)
}

#[server(endpoint = "customers/activate")]
pub async fn activate_customer(id: i64, version: i64, contract_end: Option<String>) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::activate(
        &caller.state.db,
        &caller.user.username,
        id,
        version,
        contract_end.as_deref(),
        caller.state.clock.now(),
    )
    .await?)
}

#[server(endpoint = "customers/remove")]
pub async fn remove_customer(id: i64, version: i64, confirm_name: String) -> Result<RemovedCustomer, AppError> {
    use crate::domain::Role;
    use crate::server::{customers, guard};
    let caller = guard::caller(Role::Operator).await?;
    Ok(customers::remove(&caller.state.db, &caller.user.username, id, version, &confirm_name, caller.state.clock.now())
        .await?)
}
