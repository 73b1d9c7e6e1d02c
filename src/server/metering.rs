//! Usage reports from the password-manager servers: stored raw, folded into
//! the daily snapshot (highest count of the billing day), idempotent by
//! `report_id`. The machine API and the demo both report through here.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio::sync::{mpsc, oneshot};

use super::billing;
use super::db::{begin_write, Db, Flag, Time, WriteTx};
use super::error::Result as ServerResult;
use super::events::{self, Event};
use crate::domain::events::{license_level, threshold_crossed, EventKind, SILENT_HOURS};
use crate::domain::usage::UsageReport;
use crate::domain::BillingMonth;
use crate::error::AppError;

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

/// Stores one report for the customer in its own transaction.
pub async fn ingest(db: &Db, customer_id: i64, report: &UsageReport, now: DateTime<Utc>) -> ServerResult<Accepted> {
    let tz = billing::zone_of(&billing::settings(db).await?);
    let mut tx = begin_write(db).await?;
    let closed = billing::closed_months(&mut *tx).await?;
    let outcome = store(&mut tx, tz, &closed, customer_id, report, now).await?;
    count_usage_change(&mut tx).await?;
    tx.commit().await?;
    Ok(outcome?)
}

/// Stores one report inside `tx`. The outer error is the database's (the
/// transaction is lost); the inner one is this report's (409), which
/// leaves the transaction usable for other reports.
async fn store(
    tx: &mut WriteTx,
    tz: Tz,
    closed: &HashSet<BillingMonth>,
    customer_id: i64,
    report: &UsageReport,
    now: DateTime<Utc>,
) -> Result<Result<Accepted, AppError>, sqlx::Error> {
    let day = report.observed_at.with_timezone(&tz).date_naive();
    let late = closed.contains(&BillingMonth::of(day));
    let inserted = sqlx::query(
        "INSERT INTO usage_reports (customer_id, report_id, observed_at, users, day, received_at, late) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id, report_id) DO NOTHING",
    )
    .bind(customer_id)
    .bind(&report.report_id)
    .bind(Time(report.observed_at))
    .bind(i64::from(report.users))
    .bind(day.to_string())
    .bind(Time(now))
    .bind(late)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // Sent before: the same report is replayed, another body refused.
        let (Time(observed_at), users, stored_day, Flag(late)): (Time, i64, String, Flag) = sqlx::query_as(
            "SELECT observed_at, users, day, CAST(late AS INTEGER) FROM usage_reports WHERE customer_id = $1 AND report_id = $2",
        )
        .bind(customer_id)
        .bind(&report.report_id)
        .fetch_one(&mut **tx)
        .await?;
        if observed_at != report.observed_at || users != i64::from(report.users) {
            return Ok(Err(AppError::conflict(crate::domain::message::Message::ReportIdReused)));
        }
        let day = stored_day.parse().unwrap_or(day);
        return Ok(Ok(Accepted { day, late, duplicate: true }));
    }
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
        .execute(&mut **tx)
        .await?;
    }
    if late {
        announce_late_report(tx, customer_id, report, day, now).await?;
    }
    // The latest observation is the customer's current count.
    let newest: Option<CustomerState> = sqlx::query_as(
        "UPDATE customers SET reported_users = $1, reported_at = $2 \
         WHERE id = $3 AND (reported_at IS NULL OR reported_at <= $2) \
         RETURNING name, max_users, CAST(limit_user_creation AS INTEGER), license_level, CAST(usage_silent AS INTEGER)",
    )
    .bind(i64::from(report.users))
    .bind(Time(report.observed_at))
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(state) = newest {
        announce_usage(tx, customer_id, state, report, now).await?;
    }
    Ok(Ok(Accepted { day, late, duplicate: false }))
}

/// What a report's customer was before it: name, maximum, hard limit,
/// license level, silent.
type CustomerState = (String, i64, Flag, i64, Flag);

/// The license and silence events the newest report calls for, each once
/// per crossing. The level and the silent flag change only by a
/// conditional update, so two instances writing reports of one customer
/// at once (PostgreSQL) announce a crossing once.
async fn announce_usage(
    tx: &mut WriteTx,
    customer_id: i64,
    (name, max_users, Flag(hard_limit), before, Flag(silent)): CustomerState,
    report: &UsageReport,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let users = i64::from(report.users);
    let level = license_level(users, max_users);
    if level != before {
        let moved = sqlx::query("UPDATE customers SET license_level = $1 WHERE id = $2 AND license_level = $3")
            .bind(level)
            .bind(customer_id)
            .bind(before)
            .execute(&mut **tx)
            .await?;
        if let (1, Some(percent)) = (moved.rows_affected(), threshold_crossed(before, level)) {
            let data = serde_json::json!({ "percent": percent, "users": users, "max_users": max_users, "hard_limit": hard_limit });
            let event = Event {
                kind: EventKind::LicenseThreshold,
                customer: Some((customer_id, name.clone())),
                data,
                cause: None,
            };
            events::record(tx, event, now).await?;
            if percent == 100 && hard_limit {
                let data = serde_json::json!({ "users": users, "max_users": max_users });
                let event = Event {
                    kind: EventKind::HardLimitReached,
                    customer: Some((customer_id, name.clone())),
                    data,
                    cause: None,
                };
                events::record(tx, event, now).await?;
            }
        }
    }
    // A backlog of old reports does not end a silence; a fresh one does.
    if silent && report.observed_at >= now - chrono::Duration::hours(SILENT_HOURS) {
        let resumed = sqlx::query("UPDATE customers SET usage_silent = FALSE WHERE id = $1 AND usage_silent = TRUE")
            .bind(customer_id)
            .execute(&mut **tx)
            .await?;
        if resumed.rows_affected() == 1 {
            let data = serde_json::json!({ "observed_at": Time(report.observed_at).text(), "users": users });
            let event = Event { kind: EventKind::UsageResumed, customer: Some((customer_id, name)), data, cause: None };
            events::record(tx, event, now).await?;
        }
    }
    Ok(())
}

/// `usage.late_report`: once per customer and closed month (a server
/// sending a backlog gives one event, not one per report).
async fn announce_late_report(
    tx: &mut WriteTx,
    customer_id: i64,
    report: &UsageReport,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let name: String =
        sqlx::query_scalar("SELECT name FROM customers WHERE id = $1").bind(customer_id).fetch_one(&mut **tx).await?;
    let month = BillingMonth::of(day);
    let data = serde_json::json!({
        "month": month.to_string(),
        "observed_at": Time(report.observed_at).text(),
        "users": i64::from(report.users),
    });
    let cause = Some(format!("{}:{customer_id}:{month}", EventKind::LateReport.name()));
    events::record(tx, Event { kind: EventKind::LateReport, customer: Some((customer_id, name)), data, cause }, now)
        .await?;
    Ok(())
}

/// Tells caches (the cost overview's) that usage may have changed.
async fn count_usage_change(tx: &mut WriteTx) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE change_counters SET value = value + 1 WHERE name = 'usage'").execute(&mut **tx).await?;
    Ok(())
}

/// Reports waiting for the writer, at most this many per transaction.
const BATCH: usize = 256;

struct Job {
    customer_id: i64,
    report: UsageReport,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Accepted, AppError>>,
}

/// One writer for the reports of the machine API: the reports that arrive
/// while a transaction is being written go into the next one together
/// (group commit), each with the same checks as [`ingest`]. A request gets
/// its answer only after its transaction is committed.
pub struct UsageWriter {
    jobs: mpsc::Sender<Job>,
}

impl UsageWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: Db) -> Self {
        let (jobs, queue) = mpsc::channel(BATCH * 16);
        tokio::spawn(run_writer(db, queue));
        Self { jobs }
    }

    pub async fn submit(
        &self,
        customer_id: i64,
        report: UsageReport,
        now: DateTime<Utc>,
    ) -> Result<Accepted, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { customer_id, report, now, reply }).await.map_err(|_| AppError::Network)?;
        answer.await.map_err(|_| AppError::Network)?
    }
}

async fn run_writer(db: Db, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        match write_batch(&db, &jobs).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(error = %error.chain(), reports = jobs.len(), "writing usage reports failed; none was stored");
                for job in jobs {
                    let _ = job.reply.send(Err(AppError::Network));
                }
            }
        }
    }
}

async fn write_batch(db: &Db, jobs: &[Job]) -> ServerResult<Vec<Result<Accepted, AppError>>> {
    let tz = billing::zone_of(&billing::settings(db).await?);
    let mut tx = begin_write(db).await?;
    let closed = billing::closed_months(&mut *tx).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        outcomes.push(store(&mut tx, tz, &closed, job.customer_id, &job.report, job.now).await?);
    }
    count_usage_change(&mut tx).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Deletes raw reports older than the retention (late ones stay).
pub async fn prune_raw_reports(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let cutoff = now - chrono::Duration::days(RAW_RETENTION_DAYS);
    let done = sqlx::query("DELETE FROM usage_reports WHERE received_at < $1 AND late = FALSE")
        .bind(Time(cutoff))
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
