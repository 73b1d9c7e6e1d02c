//! Server functions of billing: settings, the option catalogue, price lists,
//! month close and statements (admin), and a customer's forecast (everyone).

use crate::domain::billing_settings::{NewOptionForm, PriceListForm, SettingsForm};
use crate::domain::datev::DatevSettingsForm;
use crate::domain::sell_forms::{CustomerPricingForm, SellListForm};
// Only the server functions' bodies (compiled on the server) use it.
#[cfg(feature = "ssr")]
use crate::domain::BillingMonth;
use crate::error::AppError;
use crate::views::billing::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "billing/pricing")]
pub async fn get_pricing() -> Result<PricingPage, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    Ok(billing::pricing_page(&caller.state.db, caller.state.clock.now()).await?)
}

#[server(endpoint = "billing/save_settings", input = Json)]
pub async fn save_billing_settings(form: SettingsForm, version: i64) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::save_settings(&caller.state.db, &caller.user.username, &form, version, now).await?)
}

#[server(endpoint = "billing/save_price_list", input = Json)]
pub async fn save_price_list(form: PriceListForm) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::save_price_list(&caller.state.db, &caller.user.username, &form, now).await?)
}

#[server(endpoint = "billing/save_sell_list", input = Json)]
pub async fn save_sell_list(form: SellListForm) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::save_sell_list(&caller.state.db, &caller.user.username, &form, now).await?)
}

#[server(endpoint = "billing/customer_pricing")]
pub async fn customer_pricing(id: i64) -> Result<CustomerPricingPage, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(billing::customer_pricing_page(&caller.state.db, id, caller.state.clock.now()).await?)
}

#[server(endpoint = "billing/save_customer_pricing", input = Json)]
pub async fn save_customer_pricing(id: i64, form: CustomerPricingForm) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Operator).await?;
    let now = caller.state.clock.now();
    Ok(billing::save_customer_pricing(&caller.state.db, &caller.user.username, id, &form, now).await?)
}

#[server(endpoint = "billing/datev")]
pub async fn datev_settings() -> Result<DatevPage, AppError> {
    use crate::domain::Role;
    use crate::server::{datev, guard};
    let caller = guard::caller(Role::Admin).await?;
    Ok(datev::page(&caller.state.db).await?)
}

#[server(endpoint = "billing/save_datev", input = Json)]
pub async fn save_datev_settings(form: DatevSettingsForm, version: i64) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{datev, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(datev::save(&caller.state.db, &caller.user.username, &form, version, now).await?)
}

/// Whether a month's DATEV file can be made (the page then downloads it
/// from `/exports/datev/<month>`); a refusal says why.
#[server(endpoint = "billing/check_datev")]
pub async fn check_datev_export(month: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{datev, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let month = BillingMonth::parse(&month).map_err(|e| AppError::invalid("month", e))?;
    datev::check(&caller.state.db, month).await?;
    Ok(())
}

#[server(endpoint = "billing/add_option", input = Json)]
pub async fn add_option(form: NewOptionForm) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::add_option(&caller.state.db, &caller.user.username, &form, now).await?)
}

#[server(endpoint = "billing/rename_option")]
pub async fn rename_option(code: String, name: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::rename_option(&caller.state.db, &caller.user.username, &code, &name, now).await?)
}

#[server(endpoint = "billing/retire_option")]
pub async fn set_option_retired(code: String, retired: bool) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let now = caller.state.clock.now();
    Ok(billing::set_retired(&caller.state.db, &caller.user.username, &code, retired, now).await?)
}

#[server(endpoint = "billing/months")]
pub async fn billing_months() -> Result<Vec<MonthRow>, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(billing::months(&caller.state.db, caller.state.clock.now()).await?)
}

#[server(endpoint = "billing/close_month")]
pub async fn close_month(month: String) -> Result<CloseOutcome, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Admin).await?;
    let month = BillingMonth::parse(&month).map_err(|e| AppError::invalid("month", e))?;
    let now = caller.state.clock.now();
    Ok(billing::close_month(&caller.state.db, &caller.user.username, month, now).await?)
}

#[server(endpoint = "billing/statements")]
pub async fn month_statements(month: String) -> Result<Vec<Statement>, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let month = BillingMonth::parse(&month).map_err(|e| AppError::invalid("month", e))?;
    Ok(billing::statements_of_month(&caller.state.db, month).await?)
}

#[server(endpoint = "billing/customer")]
pub async fn customer_billing(id: i64, months: u32) -> Result<CustomerBillingPage, AppError> {
    use crate::domain::Role;
    use crate::server::{customer_billing, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let now = caller.state.clock.now();
    Ok(customer_billing::customer_billing(&caller.state.db, id, months, now).await?)
}

#[server(endpoint = "billing/customer_statement")]
pub async fn customer_statement(id: i64, month: String) -> Result<Statement, AppError> {
    use crate::domain::Role;
    use crate::server::{billing, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let month = BillingMonth::parse(&month).map_err(|e| AppError::invalid("month", e))?;
    Ok(billing::statement_of_customer(&caller.state.db, id, month).await?)
}

/// The cost overview of `month` ("YYYY-MM"; empty: the current month).
#[server(endpoint = "billing/cost_overview")]
pub async fn cost_overview(month: String) -> Result<CostOverviewPage, AppError> {
    use crate::domain::Role;
    use crate::server::{cost_overview, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let month = match month.trim() {
        "" => None,
        raw => Some(BillingMonth::parse(raw).map_err(|e| AppError::invalid("month", e))?),
    };
    let state = caller.state;
    Ok(cost_overview::cost_overview(&state.db, &state.bill_cache, month, state.clock.now()).await?)
}

/// The totals of the last `months` months (12 or 24), the current one included.
#[server(endpoint = "billing/cost_totals")]
pub async fn cost_totals(months: u32) -> Result<CostTotalsPage, AppError> {
    use crate::domain::Role;
    use crate::server::{cost_overview, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let state = caller.state;
    Ok(cost_overview::cost_totals(&state.db, &state.bill_cache, months, state.clock.now()).await?)
}
