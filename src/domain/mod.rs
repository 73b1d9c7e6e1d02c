//! Pure types and rules of the product, compiled for the server and the
//! browser alike. Nothing in here touches a database, a clock or the network.

pub mod access_token;
pub mod api_query;
pub mod audit_log;
pub mod audit_query;
pub mod auth_code;
pub mod billing;
pub mod billing_month;
pub mod billing_settings;
pub mod cost_history;
pub mod cost_overview;
pub mod customer;
pub mod customer_list;
pub mod customer_name;
pub mod database_name;
pub mod datev;
pub mod events;
pub mod export;
#[cfg(test)]
mod fuzz_tests;
pub mod locale;
pub mod mail;
pub mod max_users;
pub mod message;
pub mod money;
pub mod overview_query;
pub mod passkey_name;
pub mod percent;
pub mod role;
pub mod sell_forms;
pub mod selling;
pub mod sign_in_limit;
pub mod sign_in_policy;
pub mod single_sign_on;
pub mod time_zone;
pub mod unit_price;
pub mod usage;
pub mod user_agent;
pub mod username;
pub mod validation;
pub mod webhooks;

pub use billing_month::BillingMonth;
pub use customer::{CustomerKind, CustomerStatus};
pub use customer_name::CustomerName;
pub use database_name::DatabaseName;
pub use max_users::MaxUsers;
pub use money::Money;
pub use role::Role;
pub use unit_price::UnitPrice;
pub use username::{Password, Username};
pub use validation::FieldMessage;
