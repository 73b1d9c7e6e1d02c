//! Usage reports from the password-manager servers: stored raw, folded into
//! the daily snapshot (highest count of the billing day), idempotent by
//! `report_id`. The machine API and the demo both report through here.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio::sync::{mpsc, oneshot};

use super::api_keys;
use super::billing;
use super::db::{begin_write, rows_per_insert, writer_pool, Db, Flag, Sql, Time, WriteTx};
use super::error::Result as ServerResult;
use super::events::{self, Event};
use super::license::{self, License};
use super::rate_limit::RateLimiter;
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
    /// The month of the report was closed (or its close had begun): kept,
    /// flagged, not billed.
    pub late: bool,
    /// The same report had been received before; nothing changed.
    pub duplicate: bool,
}

/// Stores one report for the customer in its own transaction.
pub async fn ingest(db: &Db, customer_id: i64, report: &UsageReport, now: DateTime<Utc>) -> ServerResult<Accepted> {
    let mut outcomes = ingest_all(db, &[(customer_id, report)], now).await?;
    Ok(outcomes.pop().unwrap_or(Err(AppError::Internal))?)
}

/// Stores reports (customer, report) received at `now` in one transaction,
/// as if one after another; each has its own outcome.
pub async fn ingest_all(
    db: &Db,
    reports: &[(i64, &UsageReport)],
    now: DateTime<Utc>,
) -> ServerResult<Vec<Result<Accepted, AppError>>> {
    let incoming: Vec<Incoming<'_>> =
        reports.iter().map(|&(customer_id, report)| Incoming { customer_id, report, now }).collect();
    let mut tx = begin_write(db).await?;
    let (tz, frozen) = billing::zone_and_frozen_months(&mut *tx).await?;
    let outcomes = store_all(&mut tx, tz, &frozen, &incoming).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// A report to store: whose, and when it was received.
struct Incoming<'a> {
    customer_id: i64,
    report: &'a UsageReport,
    now: DateTime<Utc>,
}

/// Stores `reports` inside `tx`, as if one after another, with a few
/// statements for all of them (each statement is a round trip to the
/// database, and those round trips are most of what a report costs): the
/// raw reports, the days' peaks and each customer's newest count, then the
/// events they call for. The outer error is the database's (the
/// transaction is lost); an inner one is a report's own (409), which
/// leaves the others stored.
async fn store_all(
    tx: &mut WriteTx,
    tz: Tz,
    frozen: &HashSet<BillingMonth>,
    reports: &[Incoming<'_>],
) -> Result<Vec<Result<Accepted, AppError>>, sqlx::Error> {
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let days: Vec<(NaiveDate, bool)> = reports
        .iter()
        .map(|r| {
            let day = r.report.observed_at.with_timezone(&tz).date_naive();
            (day, frozen.contains(&BillingMonth::of(day)))
        })
        .collect();
    // The first of each report id is inserted; a repeat in the same batch
    // is answered like a report sent before.
    let mut ids: HashSet<(i64, &str)> = HashSet::new();
    let first: Vec<bool> = reports.iter().map(|r| ids.insert((r.customer_id, r.report.report_id.as_str()))).collect();
    let mut sql = Sql::new(
        "INSERT INTO usage_reports (customer_id, report_id, observed_at, users, day, received_at, late) VALUES ",
    );
    let tried = reports.iter().zip(&days).zip(&first).filter(|(_, first)| **first);
    for (i, ((r, &(day, late)), _)) in tried.enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(r.customer_id).push(", ").bind(r.report.report_id.clone()).push(", ");
        sql.bind(Time(r.report.observed_at)).push(", ").bind(i64::from(r.report.users)).push(", ");
        sql.bind(day.to_string()).push(", ").bind(Time(r.now)).push(", ").bind(late).push(")");
    }
    sql.push(" ON CONFLICT (customer_id, report_id) DO NOTHING RETURNING customer_id, report_id");
    let (text, args) = sql.build();
    let inserted: HashSet<(i64, String)> =
        sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?.into_iter().collect();
    let new: Vec<bool> = reports
        .iter()
        .zip(&first)
        .map(|(r, first)| *first && inserted.contains(&(r.customer_id, r.report.report_id.clone())))
        .collect();

    let mut outcomes = Vec::with_capacity(reports.len());
    for ((r, &(day, late)), new) in reports.iter().zip(&days).zip(&new) {
        outcomes.push(if *new {
            Ok(Accepted { day, late, duplicate: false })
        } else {
            sent_before(tx, r, day).await?
        });
    }

    // The days' peaks (late reports are kept, not billed).
    let mut peaks: BTreeMap<(i64, NaiveDate), u32> = BTreeMap::new();
    for ((r, &(day, late)), _) in reports.iter().zip(&days).zip(&new).filter(|(_, new)| **new) {
        if !late {
            let peak = peaks.entry((r.customer_id, day)).or_insert(r.report.users);
            *peak = (*peak).max(r.report.users);
        }
    }
    if !peaks.is_empty() {
        let mut sql = Sql::new("INSERT INTO usage_daily (customer_id, day, peak_users) VALUES ");
        for (i, ((id, day), users)) in peaks.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*id).push(", ").bind(day.to_string()).push(", ").bind(i64::from(*users)).push(")");
        }
        // A report at or under the day's peak writes nothing (most reports
        // of a day repeat the count): no page of the table to write again
        // on SQLite, no dead row on PostgreSQL.
        sql.push(
            " ON CONFLICT (customer_id, day) DO UPDATE SET peak_users = excluded.peak_users \
             WHERE excluded.peak_users > usage_daily.peak_users",
        );
        let (text, args) = sql.build();
        sqlx::query_with(&text, args).execute(&mut **tx).await?;
    }
    for ((r, &(day, late)), _) in reports.iter().zip(&days).zip(&new).filter(|(_, new)| **new) {
        if late {
            announce_late_report(tx, r.customer_id, r.report, day, r.now).await?;
        }
    }

    // The latest observation is the customer's current count: each
    // customer's newest report (of equal times the later one) updates it.
    let mut newest: BTreeMap<i64, &Incoming<'_>> = BTreeMap::new();
    for (r, _) in reports.iter().zip(&new).filter(|(_, new)| **new) {
        let kept = newest.entry(r.customer_id).or_insert(r);
        if r.report.observed_at >= kept.report.observed_at {
            *kept = r;
        }
    }
    if !newest.is_empty() {
        let mut sql = Sql::new("INSERT INTO customer_usage (customer_id, reported_users, reported_at) VALUES ");
        for (i, (id, r)) in newest.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*id).push(", ").bind(i64::from(r.report.users)).push(", ").bind(Time(r.report.observed_at));
            sql.push(")");
        }
        // With what its events compare against, from the customer's row
        // (SQLite's RETURNING names no second table, but may ask one).
        sql.push(
            " ON CONFLICT (customer_id) DO UPDATE SET \
               reported_users = excluded.reported_users, reported_at = excluded.reported_at \
             WHERE customer_usage.reported_at IS NULL OR customer_usage.reported_at <= excluded.reported_at \
             RETURNING customer_id, \
               (SELECT c.name FROM customers c WHERE c.id = customer_usage.customer_id), \
               (SELECT c.max_users FROM customers c WHERE c.id = customer_usage.customer_id), \
               (SELECT CAST(c.limit_user_creation AS INTEGER) FROM customers c WHERE c.id = customer_usage.customer_id), \
               (SELECT c.license_level FROM customers c WHERE c.id = customer_usage.customer_id), \
               (SELECT CAST(c.usage_silent AS INTEGER) FROM customers c WHERE c.id = customer_usage.customer_id)",
        );
        let (text, args) = sql.build();
        let mut updated: Vec<(i64, String, i64, Flag, i64, Flag)> =
            sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
        // RETURNING's order is the database's: the events in the customers'.
        updated.sort_by_key(|row| row.0);
        let found: Vec<(i64, CustomerState, &Incoming<'_>)> = updated
            .into_iter()
            .filter_map(|(id, name, max_users, hard_limit, level, silent)| {
                newest.get(&id).map(|r| (id, (name, max_users, hard_limit, level, silent), *r))
            })
            .collect();
        announce_usage(tx, found).await?;
    }
    Ok(outcomes)
}

/// A report whose id the customer used before: the same report is
/// replayed, another body refused (409).
async fn sent_before(
    tx: &mut WriteTx,
    r: &Incoming<'_>,
    day: NaiveDate,
) -> Result<Result<Accepted, AppError>, sqlx::Error> {
    let (Time(observed_at), users, stored_day, Flag(late)): (Time, i64, String, Flag) = sqlx::query_as(
        "SELECT observed_at, users, day, CAST(late AS INTEGER) FROM usage_reports WHERE customer_id = $1 AND report_id = $2",
    )
    .bind(r.customer_id)
    .bind(&r.report.report_id)
    .fetch_one(&mut **tx)
    .await?;
    if observed_at != r.report.observed_at || users != i64::from(r.report.users) {
        return Ok(Err(AppError::conflict(crate::domain::message::Message::ReportIdReused)));
    }
    let day = stored_day.parse().unwrap_or(day);
    Ok(Ok(Accepted { day, late, duplicate: true }))
}

/// What a report's customer was before it: name, maximum, hard limit,
/// license level, silent.
type CustomerState = (String, i64, Flag, i64, Flag);

/// The license and silence events that each customer's newest report
/// (with the customer's state before it) calls for, each once per
/// crossing, in the customers' order, with a few statements for all of
/// them. The level and the silent flag change only by a conditional
/// update, so two instances writing reports of one customer at once
/// (PostgreSQL) announce a crossing once.
async fn announce_usage(tx: &mut WriteTx, found: Vec<(i64, CustomerState, &Incoming<'_>)>) -> Result<(), sqlx::Error> {
    let level_of = |r: &Incoming<'_>, max_users: i64| license_level(i64::from(r.report.users), max_users);
    let moves: Vec<(i64, i64, i64)> = found
        .iter()
        .filter_map(|(id, (_, max_users, _, before, _), r)| {
            let level = level_of(r, *max_users);
            (level != *before).then_some((*id, level, *before))
        })
        .collect();
    let moved = move_levels(tx, &moves).await?;
    // A backlog of old reports does not end a silence; a fresh one does.
    let fresh: Vec<i64> = found
        .iter()
        .filter(|(_, (.., Flag(silent)), r)| {
            *silent && r.report.observed_at >= r.now - chrono::Duration::hours(SILENT_HOURS)
        })
        .map(|(id, ..)| *id)
        .collect();
    let resumed = end_silences(tx, &fresh).await?;

    let mut to_record = Vec::new();
    for (id, (name, max_users, Flag(hard_limit), before, _), r) in found {
        let users = i64::from(r.report.users);
        let crossed = threshold_crossed(before, level_of(r, max_users)).filter(|_| moved.contains(&id));
        if let Some(percent) = crossed {
            let data = serde_json::json!({ "percent": percent, "users": users, "max_users": max_users, "hard_limit": hard_limit });
            let customer = Some((id, name.clone()));
            to_record.push((Event { kind: EventKind::LicenseThreshold, customer, data, cause: None }, r.now));
            if percent == 100 && hard_limit {
                let data = serde_json::json!({ "users": users, "max_users": max_users });
                let customer = Some((id, name.clone()));
                to_record.push((Event { kind: EventKind::HardLimitReached, customer, data, cause: None }, r.now));
            }
        }
        if resumed.contains(&id) {
            let data = serde_json::json!({ "observed_at": Time(r.report.observed_at).text(), "users": users });
            let customer = Some((id, name));
            to_record.push((Event { kind: EventKind::UsageResumed, customer, data, cause: None }, r.now));
        }
    }
    events::record_all(tx, to_record).await?;
    Ok(())
}

/// Sets each customer's license level (id, level, level before) where it
/// is still the one before; returns the customers whose level moved.
async fn move_levels(tx: &mut WriteTx, moves: &[(i64, i64, i64)]) -> Result<HashSet<i64>, sqlx::Error> {
    let mut moved = HashSet::new();
    for chunk in moves.chunks(rows_per_insert(5)) {
        let mut sql = Sql::new("UPDATE customers SET license_level = CASE id");
        for (id, level, _) in chunk {
            sql.push(" WHEN ").bind(*id).push(" THEN ").bind(*level);
        }
        sql.push(" END WHERE id IN (").bind_list(chunk.iter().map(|(id, ..)| *id));
        sql.push(") AND license_level = CASE id");
        for (id, _, before) in chunk {
            sql.push(" WHEN ").bind(*id).push(" THEN ").bind(*before);
        }
        sql.push(" END RETURNING id");
        let (text, args) = sql.build();
        let ids: Vec<i64> = sqlx::query_scalar_with(&text, args).fetch_all(&mut **tx).await?;
        moved.extend(ids);
    }
    Ok(moved)
}

/// Ends the silence of each of `ids` that is still silent; returns those
/// whose silence ended.
async fn end_silences(tx: &mut WriteTx, ids: &[i64]) -> Result<HashSet<i64>, sqlx::Error> {
    let mut resumed = HashSet::new();
    for chunk in ids.chunks(rows_per_insert(1)) {
        let mut sql = Sql::new("UPDATE customers SET usage_silent = FALSE WHERE usage_silent = TRUE AND id IN (");
        sql.bind_list(chunk.iter().copied()).push(") RETURNING id");
        let (text, args) = sql.build();
        let ids: Vec<i64> = sqlx::query_scalar_with(&text, args).fetch_all(&mut **tx).await?;
        resumed.extend(ids);
    }
    Ok(resumed)
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

/// Requests waiting for the writer, at most this many per transaction.
const BATCH: usize = 256;

/// What the writer does for a machine API request besides counting it in
/// its key's window.
pub enum Work {
    /// Stores the report (when the key is within its limit) and reads the
    /// license.
    Report(UsageReport),
    /// Reads the license.
    License,
    /// Nothing more: a request refused for what it sent (it still counts).
    Count,
}

/// The writer's answer, given after its transaction is committed.
#[derive(Debug)]
pub enum Written {
    Stored(Accepted, License),
    Licensed(License),
    /// Counted, nothing more; whether the customer is active.
    Counted {
        active: bool,
    },
    /// Over the key's limit: wait this many seconds (nothing stored).
    Wait(u64),
    /// The key is no longer the customer's (rotated, revoked or removed):
    /// nothing counted or stored.
    UnknownKey,
    /// A report of a deactivated customer: counted, not stored.
    Deactivated,
}

struct Job {
    customer_id: i64,
    /// The hash of the key the request came with.
    key_hash: String,
    work: Work,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Written, AppError>>,
}

/// One writer for the machine API: each request's key is checked, each
/// request counted in its key's rate-limit window, each report stored and
/// each license read, and the
/// requests that arrive while a transaction is being written go into the
/// next one together (group commit), the reports with the same rules as
/// [`ingest`]. A request gets its answer only after its transaction is
/// committed, so a request pays no commit of its own, and the count is
/// shared by every instance as exactly as before (one statement under the
/// write lock).
pub struct UsageWriter {
    jobs: mpsc::Sender<Job>,
}

impl UsageWriter {
    /// Starts the writer on a thread of its own, with one connection of
    /// its own (it writes one batch at a time). Should that fail, the
    /// machine API answers 503 and the log says why.
    pub fn start(db: &Db, limiter: Arc<RateLimiter>) -> Self {
        let (jobs, queue) = mpsc::channel(BATCH * 16);
        if let Err(error) = start_thread(run_writer(writer_pool(db), limiter, queue)) {
            tracing::error!(%error, "the usage writer could not start: usage reports and license reads are refused");
        }
        Self { jobs }
    }

    /// Checks that `key_hash` is still the customer's key, counts the
    /// request and does its `work`.
    pub async fn submit(
        &self,
        customer_id: i64,
        key_hash: String,
        work: Work,
        now: DateTime<Utc>,
    ) -> Result<Written, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { customer_id, key_hash, work, now, reply }).await.map_err(|_| AppError::Network)?;
        answer.await.map_err(|_| AppError::Network)?
    }
}

/// Runs `writer` on a thread with a Tokio runtime of its own. On the
/// server's shared runtime, each of a batch's round trips to the database
/// (about ten) waited for a worker thread behind the HTTP requests, and
/// the batches took longer than their commits (README, Benchmarks).
fn start_thread(writer: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("usage-writer".into()).spawn(move || runtime.block_on(writer))?;
    Ok(())
}

async fn run_writer(db: Db, limiter: Arc<RateLimiter>, mut queue: mpsc::Receiver<Job>) {
    // Its connection opened as the server starts, not by the first report
    // (on PostgreSQL the first batch took 51 ms, the reports of those
    // milliseconds behind it). After ten quiet minutes the pool closes
    // it, and the next report opens it again.
    if let Err(error) = db.acquire().await {
        tracing::warn!(%error, "the usage writer cannot open its connection yet");
    }
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        match write_batch(&db, &limiter, &jobs).await {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(error = %error.chain(), requests = jobs.len(), "writing usage reports failed; none was stored");
                for job in jobs {
                    let _ = job.reply.send(Err(AppError::Network));
                }
            }
        }
    }
}

/// What a request gets after its key check and count.
enum Step {
    UnknownKey,
    Wait(u64),
    Deactivated,
    /// Its work is done; whether the customer is active.
    Go {
        active: bool,
    },
}

async fn write_batch(db: &Db, limiter: &RateLimiter, jobs: &[Job]) -> ServerResult<Vec<Result<Written, AppError>>> {
    let any_report = jobs.iter().any(|job| matches!(job.work, Work::Report(_)));
    let mut tx = begin_write(db).await?;
    let (tz, frozen) =
        if any_report { billing::zone_and_frozen_months(&mut *tx).await? } else { (Tz::UTC, HashSet::new()) };
    let now = jobs.iter().map(|job| job.now).max().unwrap_or_else(Utc::now);
    // Each key checked again: a request counts only with its customer's
    // current key.
    let mut hashes: Vec<&str> = jobs.iter().map(|job| job.key_hash.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let keys = api_keys::valid_now(&mut tx, &hashes).await?;
    let status: Vec<Option<bool>> = jobs
        .iter()
        .map(|job| match keys.get(&job.key_hash) {
            Some((id, status)) if *id == job.customer_id => Some(status == "active"),
            _ => None,
        })
        .collect();
    let callers: Vec<i64> =
        jobs.iter().zip(&status).filter(|(_, active)| active.is_some()).map(|(job, _)| job.customer_id).collect();
    let mut verdicts = limiter.count_customers(&mut tx, &callers, now).await?.into_iter();
    let steps: Vec<Step> = jobs
        .iter()
        .zip(&status)
        .map(|(job, active)| match (active, active.map(|_| verdicts.next())) {
            (None, _) => Step::UnknownKey,
            (_, Some(Some(Err(wait)))) => Step::Wait(wait),
            (Some(false), _) if matches!(job.work, Work::Report(_)) => Step::Deactivated,
            (Some(active), _) => Step::Go { active: *active },
        })
        .collect();
    let reports: Vec<Incoming<'_>> = jobs
        .iter()
        .zip(&steps)
        .filter_map(|(job, step)| match (&job.work, step) {
            (Work::Report(report), Step::Go { .. }) => {
                Some(Incoming { customer_id: job.customer_id, report, now: job.now })
            }
            _ => None,
        })
        .collect();
    // Caches learn of the reports from the 'usage' change counter, which a
    // trigger on usage_reports moves.
    let mut stored = store_all(&mut tx, tz, &frozen, &reports).await?.into_iter();
    let mut wanted: Vec<i64> = jobs
        .iter()
        .zip(&steps)
        .filter(|(job, step)| matches!(step, Step::Go { .. }) && !matches!(job.work, Work::Count))
        .map(|(job, _)| job.customer_id)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let licenses = license::read_all(&mut tx, &wanted).await?;
    tx.commit().await?;
    let license_of = |id: i64| licenses.get(&id).cloned().ok_or(AppError::NotFound);
    let outcomes = jobs
        .iter()
        .zip(steps)
        .map(|(job, step)| match (step, &job.work) {
            (Step::UnknownKey, _) => Ok(Written::UnknownKey),
            (Step::Wait(wait), _) => Ok(Written::Wait(wait)),
            (Step::Deactivated, _) => Ok(Written::Deactivated),
            (Step::Go { active }, Work::Count) => Ok(Written::Counted { active }),
            (Step::Go { .. }, Work::License) => license_of(job.customer_id).map(Written::Licensed),
            (Step::Go { .. }, Work::Report(_)) => match stored.next() {
                Some(Ok(accepted)) => license_of(job.customer_id).map(|l| Written::Stored(accepted, l)),
                Some(Err(refused)) => Err(refused),
                None => Err(AppError::Internal),
            },
        })
        .collect();
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
