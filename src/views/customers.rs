//! Wire types of customers: what its server functions (`api::customers`) send and take.

use crate::domain::customer::ContractFlag;
use crate::domain::customer_list::ListTab;
use crate::domain::{CustomerKind, CustomerStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
/// One row of a customer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: i64,
    pub name: String,
    pub kind: CustomerKind,
    pub status: CustomerStatus,
    pub contract_end: NaiveDate,
    pub contract_flag: ContractFlag,
    pub max_users: u32,
    pub reported_users: Option<u32>,
    pub option_count: u32,
    pub deactivation_reason: Option<String>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabCounts {
    pub test: u64,
    pub billed: u64,
    pub deactivated: u64,
}

impl TabCounts {
    pub fn of(&self, tab: ListTab) -> u64 {
        match tab {
            ListTab::Test => self.test,
            ListTab::Billed => self.billed,
            ListTab::Deactivated => self.deactivated,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerSummary>,
    /// Counts per tab, with the search applied.
    pub counts: TabCounts,
    pub page: u32,
    pub pages: u32,
    pub today: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueOption {
    pub code: String,
    pub name: String,
    /// "per_user" or "flat".
    pub pricing: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub id: i64,
    pub name: String,
    pub database_name: String,
    pub kind: CustomerKind,
    pub status: CustomerStatus,
    pub deactivation_reason: Option<String>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub contract_end: NaiveDate,
    pub contract_flag: ContractFlag,
    pub max_users: u32,
    pub limit_user_creation: bool,
    pub reported_users: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub billed_since: Option<DateTime<Utc>>,
    pub version: i64,
    pub options: Vec<CatalogueOption>,
    /// Internal use: cost, no revenue.
    pub not_for_resale: bool,
    /// The customer's account in the MSP's accounting (DATEV export).
    pub debtor_account: Option<String>,
    pub today: NaiveDate,
}

/// Whether a name and a database name are free (for checks as one types).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCheck {
    pub name_taken: bool,
    pub database_name_taken: bool,
}

/// What a removal leaves the MSP to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedCustomer {
    pub name: String,
    pub database_name: String,
}

/// A customer just made, with its machine API key (shown this once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub id: i64,
    pub api_key: String,
}

/// A customer's machine API key as shown after it was created: its prefix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// What a new-customer form starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomerDefaults {
    pub today: NaiveDate,
    pub contract_end: NaiveDate,
    pub options: Vec<CatalogueOption>,
}
