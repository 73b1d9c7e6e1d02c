//! Customers in the database: reading them (`read`: lists, detail, names)
//! and changing them (`changes`: every change in one write transaction
//! with its audit entry and a version check). The row and its look-ups
//! are shared here.

use chrono::{DateTime, NaiveDate, Utc};

use super::db::{Day, Flag, Time, WriteTx};
use super::error::Result;
use crate::domain::customer::contract_flag;
use crate::domain::{CustomerKind, CustomerStatus};
use crate::error::AppError;
use crate::views::customers::{CustomerDetail, CustomerSummary};

mod changes;
mod read;

pub use changes::{
    activate, change_kind, create, deactivate, patch, remove, set_debtor_account, set_not_for_resale, set_options,
    update_contract,
};
pub use read::{bookable_options, check_names, ensure_exists, get, history, list, page_after};

const NAME_TAKEN: crate::domain::message::Message = crate::domain::message::Message::NameTaken;
const DATABASE_NAME_TAKEN: crate::domain::message::Message = crate::domain::message::Message::DatabaseNameTaken;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    database_name: String,
    kind: String,
    status: String,
    deactivation_reason: Option<String>,
    deactivated_at: Option<Time>,
    #[sqlx(try_from = "Day")]
    contract_end: NaiveDate,
    max_users: i64,
    #[sqlx(try_from = "Flag")]
    limit_user_creation: bool,
    reported_users: Option<i64>,
    option_count: i64,
    #[sqlx(try_from = "Time")]
    created_at: DateTime<Utc>,
    billed_since: Option<Time>,
    version: i64,
    #[sqlx(try_from = "Flag")]
    not_for_resale: bool,
    debtor_account: Option<String>,
}

/// The customers (`c`), each with the last count its server reported (`u`,
/// NULLs before the first report). The count is kept apart, in
/// `customer_usage`, because the usage writer changes it so often. A macro
/// so that `concat!` can build on it; elsewhere, [`WITH_USAGE`].
macro_rules! with_usage {
    () => {
        "customers c LEFT JOIN customer_usage u ON u.customer_id = c.id"
    };
}

/// What a query reads customers with their reported counts from.
pub(crate) const WITH_USAGE: &str = with_usage!();

/// A customer's row with the last count its server reported.
const SELECT_ROW: &str = concat!(
    "SELECT id, name, database_name, kind, status, deactivation_reason, deactivated_at, contract_end, \
     max_users, CAST(limit_user_creation AS INTEGER) AS limit_user_creation, reported_users, option_count, created_at, \
     billed_since, version, CAST(not_for_resale AS INTEGER) AS not_for_resale, debtor_account FROM ",
    with_usage!()
);

impl Row {
    fn kind(&self) -> CustomerKind {
        // The CHECK constraint only allows the two kinds.
        CustomerKind::parse(&self.kind).unwrap_or(CustomerKind::Test)
    }

    fn status(&self) -> CustomerStatus {
        CustomerStatus::parse(&self.status).unwrap_or(CustomerStatus::Removed)
    }

    fn detail(self, options: Vec<crate::views::customers::CatalogueOption>, today: NaiveDate) -> CustomerDetail {
        CustomerDetail {
            id: self.id,
            kind: self.kind(),
            status: self.status(),
            contract_flag: contract_flag(self.contract_end, today),
            contract_end: self.contract_end,
            max_users: self.max_users as u32,
            limit_user_creation: self.limit_user_creation,
            reported_users: self.reported_users.map(|n| n as u32),
            created_at: self.created_at,
            billed_since: self.billed_since.map(DateTime::from),
            version: self.version,
            options,
            not_for_resale: self.not_for_resale,
            debtor_account: self.debtor_account,
            name: self.name,
            database_name: self.database_name,
            deactivation_reason: self.deactivation_reason,
            deactivated_at: self.deactivated_at.map(DateTime::from),
            today,
        }
    }

    fn summary(self, today: NaiveDate) -> CustomerSummary {
        CustomerSummary {
            id: self.id,
            kind: self.kind(),
            status: self.status(),
            contract_flag: contract_flag(self.contract_end, today),
            contract_end: self.contract_end,
            max_users: self.max_users as u32,
            reported_users: self.reported_users.map(|n| n as u32),
            option_count: self.option_count as u32,
            name: self.name,
            deactivation_reason: self.deactivation_reason,
            deactivated_at: self.deactivated_at.map(DateTime::from),
        }
    }
}

async fn find(tx: &mut WriteTx, id: i64) -> Result<Row> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT_ROW} WHERE id = $1 AND status <> 'removed'"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.ok_or(AppError::NotFound)?)
}

/// The customer as of `version`, for a change; someone else's newer save wins.
async fn find_for_change(tx: &mut WriteTx, id: i64, version: i64) -> Result<Row> {
    let row = find(tx, id).await?;
    if row.version != version {
        return Err(AppError::conflict(crate::domain::message::Message::CustomerChanged).into());
    }
    Ok(row)
}
