//! Reading usage: the stored history of each customer and its daily peaks,
//! turned into the facts the billing rules of `domain::billing` take.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::settings::{local, month_start_utc};
use crate::domain::billing::{CustomerFacts, HistoryPoint};
use crate::domain::{BillingMonth, CustomerKind, CustomerStatus};
use crate::server::db::{one_or_all, Db, Time};
use crate::server::error::{Result, ServerError};
use crate::server::stored;

#[derive(sqlx::FromRow)]
struct HistoryRow {
    customer_id: i64,
    #[sqlx(try_from = "Time")]
    effective_at: DateTime<Utc>,
    kind: String,
    status: String,
    options: String,
}

/// The facts of every customer that was billed at some time before the end
/// of `month`, as of the end of `month` (`only`: just that customer).
pub async fn facts_for_month(
    db: &mut sqlx::AnyConnection,
    tz: Tz,
    month: BillingMonth,
    only: Option<i64>,
) -> Result<BTreeMap<i64, CustomerFacts>> {
    let start = month_start_utc(tz, month);
    let end = month_start_utc(tz, month.next());
    let customer = only.unwrap_or(-1);
    let rows: Vec<HistoryRow> =
        sqlx::query_as(&history_sql(only)).bind(Time(end)).bind(customer).fetch_all(&mut *db).await?;
    let mut points: BTreeMap<i64, Vec<HistoryPoint>> = BTreeMap::new();
    for row in rows {
        points.entry(row.customer_id).or_default().push(HistoryPoint {
            at: local(tz, row.effective_at),
            billed: stored::customer_kind(&row.kind)? == CustomerKind::Billed,
            active: stored::customer_status(&row.status)? == CustomerStatus::Active,
            options: row.options.split_whitespace().map(str::to_owned).collect(),
        });
    }
    // A customer whose last state before the month was "removed" has
    // nothing to bill any more: skip it early.
    points.retain(|_, p| p.iter().any(|h| h.at >= local(tz, start)) || p.last().is_some_and(|h| h.active));

    // Per customer, one row: the month's daily peaks ("day=users day=users …")
    // and the last one before the month (for the carry forward), each an
    // index range on the (customer, day) key. One row per customer instead
    // of one per day keeps a month of 10,000 customers fast to read.
    let first = month.first_day().to_string();
    let last = month.last_day().to_string();
    let days: Vec<(i64, Option<String>, Option<String>)> =
        sqlx::query_as(&daily_peaks_sql(only)).bind(&first).bind(&last).bind(customer).fetch_all(&mut *db).await?;
    let mut daily = HashMap::new();
    for (id, month_days, before) in days {
        if !points.contains_key(&id) {
            continue;
        }
        let mut map = BTreeMap::new();
        for entry in before.iter().chain(month_days.iter()).flat_map(|list| list.split(' ')) {
            let (day, users) = entry.split_once('=').ok_or_else(|| ServerError::unknown("daily peak", entry))?;
            let users = users.parse::<u32>().map_err(|e| ServerError::corrupt("daily peak", entry, e))?;
            map.insert(stored::day(day)?, users);
        }
        daily.insert(id, map);
    }
    Ok(points
        .into_iter()
        .map(|(id, history)| (id, CustomerFacts { history, daily_users: daily.remove(&id).unwrap_or_default() }))
        .collect())
}

/// The history before `$1` of every customer billed before it (`only`: of
/// that customer, `$2`).
fn history_sql(only: Option<i64>) -> String {
    let of_customer = one_or_all("customer_id", 2, only);
    format!(
        "SELECT customer_id, effective_at, kind, status, options FROM customer_history \
         WHERE effective_at < $1 AND {of_customer} AND customer_id IN \
           (SELECT customer_id FROM customer_history WHERE kind = 'billed' AND effective_at < $1 \
            AND {of_customer}) \
         ORDER BY customer_id, effective_at, id"
    )
}

/// Per customer (`only`: that one, `$3`), the daily peaks from `$1` to `$2`
/// and the last one before.
fn daily_peaks_sql(only: Option<i64>) -> String {
    format!(
        "SELECT c.id, \
           (SELECT string_agg(d.day || '=' || d.peak_users, ' ') FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day >= $1 AND d.day <= $2), \
           (SELECT d.day || '=' || d.peak_users FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day < $1 ORDER BY d.day DESC LIMIT 1) \
         FROM customers c WHERE {}",
        one_or_all("c.id", 3, only)
    )
}

/// The first month with a billed customer, if any.
pub(super) async fn first_billed_month(db: &Db, tz: Tz) -> Result<Option<BillingMonth>> {
    let first: Option<Time> =
        sqlx::query_scalar("SELECT MIN(effective_at) FROM customer_history WHERE kind = 'billed'")
            .fetch_one(db)
            .await?;
    Ok(first.map(|at| BillingMonth::of(local(tz, at.0).date())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::testing;

    /// One customer's facts (its page, its forecast, its pending months)
    /// are read through the indexes: with `$2 < 0 OR customer_id = $2`
    /// SQLite scanned every customer's history, and a customer's page took
    /// 50 ms with 10,000 customers.
    #[tokio::test]
    async fn one_customers_facts_are_read_through_the_indexes() {
        let t = testing::fresh_sqlite().await;
        let plan = |sql: String, month_end: bool| {
            let db = t.db.clone();
            async move {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let query = sqlx::query_as(&explain).bind("2026-12-01");
                let query = if month_end { query.bind("2026-12-31") } else { query };
                let rows: Vec<(i64, i64, i64, String)> = query.bind(7_i64).fetch_all(&db).await.unwrap();
                rows.into_iter().map(|row| row.3).collect::<Vec<_>>()
            }
        };
        let history = plan(history_sql(Some(7)), false).await;
        assert!(history.iter().all(|step| !step.starts_with("SCAN")), "{history:?}");
        assert!(history.iter().any(|step| step.contains("INDEX customer_history_customer")), "{history:?}");
        let days = plan(daily_peaks_sql(Some(7)), true).await;
        assert!(days.iter().all(|step| !step.starts_with("SCAN")), "{days:?}");
        // Every customer's facts are one pass over the tables, as before.
        let all = plan(history_sql(None), false).await;
        assert!(all.iter().any(|step| step.starts_with("SCAN")), "{all:?}");
    }
}
