//! Reading customers: the list's pages and counts, one customer's detail
//! and history, the bookable options, and whether names are free.

use chrono::NaiveDate;

use crate::domain::api_query::CustomerFilter;
use crate::domain::audit_log::AuditEntry;
use crate::domain::customer_list::{like_pattern, page_count, ListQuery, ListTab, SortKey, PAGE_SIZE};
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
        "{SELECT_ROW} WHERE {} AND name_key LIKE $1 ESCAPE '\\' ORDER BY {} LIMIT $2 OFFSET $3",
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
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT_ROW} WHERE id = $1 AND status <> 'removed'"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let options = options_of(db, id).await?;
    Ok(row.detail(options, today))
}

/// A page of the staff API's customer list: by id, after the cursor, with
/// the filters; the next cursor when there are more.
pub async fn page_after(
    db: &Db,
    filter: &CustomerFilter,
    today: NaiveDate,
) -> Result<(Vec<CustomerDetail>, Option<i64>)> {
    let sql = format!(
        "{SELECT_ROW} WHERE status <> 'removed' AND id > $1 AND name_key LIKE $2 ESCAPE '\\' \
         AND ($3 = '' OR kind = $3) AND ($4 = '' OR status = $4) ORDER BY id LIMIT $5"
    );
    let mut rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(filter.after)
        .bind(like_pattern(&filter.name))
        .bind(filter.kind.map(|k| k.as_str()).unwrap_or_default())
        .bind(filter.status.map(|s| s.as_str()).unwrap_or_default())
        .bind(i64::from(filter.limit) + 1)
        .fetch_all(db)
        .await?;
    let more = rows.len() > filter.limit as usize;
    rows.truncate(filter.limit as usize);
    let (Some(first), Some(last)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else {
        return Ok((Vec::new(), None));
    };
    // The page's options in one query: its ids are a range.
    let booked: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT co.customer_id, o.code, o.name, o.pricing FROM customer_options co \
         JOIN option_catalogue o ON o.code = co.code WHERE co.customer_id BETWEEN $1 AND $2 \
         ORDER BY co.customer_id, o.position",
    )
    .bind(first)
    .bind(last)
    .fetch_all(db)
    .await?;
    let mut by_customer: std::collections::HashMap<i64, Vec<CatalogueOption>> = std::collections::HashMap::new();
    for (customer, code, name, pricing) in booked {
        by_customer.entry(customer).or_default().push(CatalogueOption { code, name, pricing });
    }
    let next = more.then_some(last);
    let page = rows
        .into_iter()
        .map(|row| {
            let options = by_customer.remove(&row.id).unwrap_or_default();
            row.detail(options, today)
        })
        .collect();
    Ok((page, next))
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
