//! Reading customers: the list's pages and counts, one customer's detail
//! and history, the bookable options, and whether names are free.

use chrono::{DateTime, NaiveDate};

use crate::domain::audit_log::AuditEntry;
use crate::domain::customer::contract_flag;
use crate::domain::customer_list::{page_count, ListQuery, ListTab, SortKey, PAGE_SIZE};
use crate::domain::{CustomerName, DatabaseName};
use crate::error::AppError;
use crate::server::audit;
use crate::server::db::Db;
use crate::server::error::Result;
use crate::views::customers::{CatalogueOption, CustomerDetail, CustomerPage, NameCheck, TabCounts};

use super::*;

fn tab_filter(tab: ListTab) -> &'static str {
    match tab {
        ListTab::Test => "status = 'active' AND kind = 'test'",
        ListTab::Billed => "status = 'active' AND kind = 'billed'",
        ListTab::Deactivated => "status = 'deactivated'",
    }
}

fn order_by(sort: SortKey, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        SortKey::Name => format!("sort_key {dir}, id {dir}"),
        SortKey::Users => {
            format!("COALESCE(reported_users, -1) {dir}, max_users {dir}, sort_key ASC, id ASC")
        }
        SortKey::ContractEnd => format!("contract_end {dir}, sort_key ASC, id ASC"),
        SortKey::Options => format!("option_count {dir}, sort_key ASC, id ASC"),
    }
}

/// One page of a tab, with the counts of every tab (search applied).
pub async fn list(db: &Db, query: &ListQuery, today: NaiveDate) -> Result<CustomerPage> {
    let pattern = query.like_pattern();
    let (test, billed, deactivated): (i64, i64, i64) = sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'active' AND kind = 'test' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN status = 'active' AND kind = 'billed' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN status = 'deactivated' THEN 1 ELSE 0 END), 0) \
         FROM customers WHERE status <> 'removed' AND name_key LIKE $1 ESCAPE '\\'",
    )
    .bind(&pattern)
    .fetch_one(db)
    .await?;
    let counts = TabCounts { test: test as u64, billed: billed as u64, deactivated: deactivated as u64 };
    let pages = page_count(counts.of(query.tab));
    let page = query.page.clamp(1, pages);
    let sql = format!(
        "SELECT {COLUMNS} FROM customers WHERE {} AND name_key LIKE $1 ESCAPE '\\' ORDER BY {} LIMIT $2 OFFSET $3",
        tab_filter(query.tab),
        order_by(query.sort, query.descending)
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(&pattern)
        .bind(i64::from(PAGE_SIZE))
        .bind(i64::from((page - 1) * PAGE_SIZE))
        .fetch_all(db)
        .await?;
    Ok(CustomerPage { rows: rows.into_iter().map(|r| r.summary(today)).collect(), counts, page, pages, today })
}

pub(super) async fn options_of(db: impl sqlx::AnyExecutor<'_>, id: i64) -> Result<Vec<CatalogueOption>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT o.code, o.name, o.pricing FROM customer_options co \
         JOIN option_catalogue o ON o.code = co.code WHERE co.customer_id = $1 ORDER BY o.position",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(code, name, pricing)| CatalogueOption { code, name, pricing }).collect())
}

pub async fn get(db: &Db, id: i64, today: NaiveDate) -> Result<CustomerDetail> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE id = $1 AND status <> 'removed'"))
            .bind(id)
            .fetch_optional(db)
            .await?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok(CustomerDetail {
        id: row.id,
        kind: row.kind(),
        status: row.status(),
        contract_flag: contract_flag(row.contract_end, today),
        contract_end: row.contract_end,
        max_users: row.max_users as u32,
        limit_user_creation: row.limit_user_creation,
        reported_users: row.reported_users.map(|n| n as u32),
        created_at: row.created_at,
        billed_since: row.billed_since.map(DateTime::from),
        version: row.version,
        options: options_of(db, id).await?,
        not_for_resale: row.not_for_resale,
        debtor_account: row.debtor_account,
        name: row.name,
        database_name: row.database_name,
        deactivation_reason: row.deactivation_reason,
        deactivated_at: row.deactivated_at.map(DateTime::from),
        today,
    })
}

/// Not found unless the customer exists and is not removed.
pub async fn ensure_exists(executor: impl sqlx::AnyExecutor<'_>, id: i64) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE id = $1 AND status <> 'removed'")
        .bind(id)
        .fetch_optional(executor)
        .await?;
    Ok(found.map(|_| ()).ok_or(AppError::NotFound)?)
}

pub async fn history(db: &Db, id: i64) -> Result<Vec<AuditEntry>> {
    ensure_exists(db, id).await?;
    Ok(audit::of_customer(db, id, 500).await?)
}

/// Options that may be booked now (not retired), in catalogue order.
pub async fn bookable_options(db: &Db) -> Result<Vec<CatalogueOption>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name, pricing FROM option_catalogue WHERE retired = FALSE ORDER BY position")
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(|(code, name, pricing)| CatalogueOption { code, name, pricing }).collect())
}

pub(super) async fn taken(
    executor: impl sqlx::AnyExecutor<'_>,
    column: &str,
    key: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    // `column` is one of two fixed names, never user input.
    let sql = format!("SELECT COUNT(*) FROM customers WHERE {column} = $1 AND status <> 'removed' AND id <> $2");
    let n: i64 = sqlx::query_scalar(&sql).bind(key).bind(except.unwrap_or(-1)).fetch_one(executor).await?;
    Ok(n > 0)
}

pub async fn check_names(db: &Db, name: &str, database_name: &str, except: Option<i64>) -> Result<NameCheck> {
    let name_taken = match CustomerName::parse(name) {
        Ok(name) => taken(db, "name_key", &name.unique_key(), except).await?,
        Err(_) => false,
    };
    let database_name_taken = match DatabaseName::parse(database_name) {
        Ok(db_name) => taken(db, "database_key", &db_name.unique_key(), except).await?,
        Err(_) => false,
    };
    Ok(NameCheck { name_taken, database_name_taken })
}
