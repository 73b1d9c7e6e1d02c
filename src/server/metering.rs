//! Usage reports from the password-manager servers: stored raw, folded into
//! the daily snapshot (highest count of the billing day), idempotent by
//! `report_id`. The machine API and the demo both report through here.

use chrono::{DateTime, Utc};

use super::billing;
use super::db::{begin_write, Db};
use crate::domain::usage::UsageReport;
use crate::domain::BillingMonth;
use crate::error::AppError;

pub const REPORT_ID_REUSED: &str = "This report_id was already used for a report with a different body.";

/// Raw reports are kept this long (late ones for good); at least 35 days.
pub const RAW_RETENTION_DAYS: i64 = 90;

/// What happened to a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub day: chrono::NaiveDate,
    /// The month of the report was closed already: kept, flagged, not billed.
    pub late: bool,
    /// The same report had been received before; nothing changed.
    pub duplicate: bool,
}

/// Stores one report for the customer, all in one transaction.
pub async fn ingest(db: &Db, customer_id: i64, report: &UsageReport, now: DateTime<Utc>) -> Result<Accepted, AppError> {
    let settings = billing::settings(db).await?;
    let tz = billing::zone_of(&settings);
    let day = report.observed_at.with_timezone(&tz).date_naive();
    let mut tx = begin_write(db).await?;
    let earlier: Option<(DateTime<Utc>, i64, String, bool)> = sqlx::query_as(
        "SELECT observed_at, users, day, late FROM usage_reports WHERE customer_id = $1 AND report_id = $2",
    )
    .bind(customer_id)
    .bind(&report.report_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((observed_at, users, stored_day, late)) = earlier {
        if observed_at != report.observed_at || users != i64::from(report.users) {
            return Err(AppError::Conflict(REPORT_ID_REUSED.to_owned()));
        }
        let day = stored_day.parse().unwrap_or(day);
        return Ok(Accepted { day, late, duplicate: true });
    }
    let late = billing::is_closed(&mut *tx, BillingMonth::of(day)).await?;
    sqlx::query(
        "INSERT INTO usage_reports (customer_id, report_id, observed_at, users, day, received_at, late) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(customer_id)
    .bind(&report.report_id)
    .bind(report.observed_at)
    .bind(i64::from(report.users))
    .bind(day.to_string())
    .bind(now)
    .bind(late)
    .execute(&mut *tx)
    .await?;
    if !late {
        sqlx::query(
            "INSERT INTO usage_daily (customer_id, day, peak_users) VALUES ($1, $2, $3) \
             ON CONFLICT (customer_id, day) DO UPDATE SET peak_users = \
               CASE WHEN excluded.peak_users > usage_daily.peak_users THEN excluded.peak_users \
                    ELSE usage_daily.peak_users END",
        )
        .bind(customer_id)
        .bind(day.to_string())
        .bind(i64::from(report.users))
        .execute(&mut *tx)
        .await?;
    }
    // The latest observation is the customer's current count.
    sqlx::query(
        "UPDATE customers SET reported_users = $1, reported_at = $2 \
         WHERE id = $3 AND (reported_at IS NULL OR reported_at <= $2)",
    )
    .bind(i64::from(report.users))
    .bind(report.observed_at)
    .bind(customer_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Accepted { day, late, duplicate: false })
}

/// Deletes raw reports older than the retention (late ones stay).
pub async fn prune_raw_reports(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let cutoff = now - chrono::Duration::days(RAW_RETENTION_DAYS);
    let done = sqlx::query("DELETE FROM usage_reports WHERE received_at < $1 AND late = FALSE")
        .bind(cutoff)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
