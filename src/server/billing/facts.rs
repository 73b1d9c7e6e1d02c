//! Reading usage: the stored history of each customer and its daily peaks,
//! turned into the facts the billing rules of `domain::billing` take.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::settings::{local, month_start_utc};
use crate::domain::billing::{CustomerFacts, HistoryPoint};
use crate::domain::{BillingMonth, CustomerKind, CustomerStatus};
use crate::server::db::{Db, Time};
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
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT customer_id, effective_at, kind, status, options FROM customer_history \
         WHERE effective_at < $1 AND ($2 < 0 OR customer_id = $2) AND customer_id IN \
           (SELECT customer_id FROM customer_history WHERE kind = 'billed' AND effective_at < $1 \
            AND ($2 < 0 OR customer_id = $2)) \
         ORDER BY customer_id, effective_at, id",
    )
    .bind(Time(end))
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
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
    let days: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.id, \
           (SELECT string_agg(d.day || '=' || d.peak_users, ' ') FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day >= $1 AND d.day <= $2), \
           (SELECT d.day || '=' || d.peak_users FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day < $1 ORDER BY d.day DESC LIMIT 1) \
         FROM customers c WHERE ($3 < 0 OR c.id = $3)",
    )
    .bind(&first)
    .bind(&last)
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
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

/// The first month with a billed customer, if any.
pub(super) async fn first_billed_month(db: &Db, tz: Tz) -> Result<Option<BillingMonth>> {
    let first: Option<Time> =
        sqlx::query_scalar("SELECT MIN(effective_at) FROM customer_history WHERE kind = 'billed'")
            .fetch_one(db)
            .await?;
    Ok(first.map(|at| BillingMonth::of(local(tz, at.0).date())))
}
