//! Background jobs. Each is idempotent and safe when several app instances
//! run it at once: the work is done by conditional updates inside write
//! transactions, so a second run finds nothing left to do. The instances
//! also take turns through the database (`job_runs`): a pass starts only
//! when no instance started one within most of the interval.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::audit::{self, Entry};
use super::clock::Clock;
use super::config::Config;
use super::customers::WITH_USAGE;
use super::db::{begin_write, Day, Db, Sql, Time};
use super::events::{self, Event};
use super::history;
use super::{billing, login, metering, sessions};
use crate::domain::audit_log::FieldChange;
use crate::domain::events::{ending_notice, EventKind, ENDING_NOTICES, SILENT_HOURS};

const ACTOR: &str = "system";

/// Deactivates every active customer whose contract end has passed (the day
/// after `contract_end` on), with the reason "Contract ended on DATE", once.
/// Returns how many it deactivated.
#[tracing::instrument(skip(db))]
pub async fn deactivate_ended_contracts(db: &Db, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let today = now.date_naive();
    let due: Vec<(i64, String, Day)> =
        sqlx::query_as("SELECT id, name, contract_end FROM customers WHERE status = 'active' AND contract_end < $1")
            .bind(Day(today))
            .fetch_all(db)
            .await?;
    let mut done = 0;
    for (id, name, Day(contract_end)) in due {
        let reason = format!("Contract ended on {contract_end}");
        let mut tx = begin_write(db).await?;
        // Only if it is still active and its contract end unchanged since the
        // look-up: someone may have extended the contract in the meantime.
        let changed = sqlx::query(
            "UPDATE customers SET status = 'deactivated', deactivation_reason = $1, deactivated_at = $2, \
             version = version + 1 WHERE id = $3 AND status = 'active' AND contract_end = $4",
        )
        .bind(&reason)
        .bind(Time(now))
        .bind(id)
        .bind(Day(contract_end))
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 1 {
            let entry = Entry {
                actor: ACTOR,
                action: "customer.deactivated",
                subject: format!("customer:{id}"),
                detail: String::new(),
                customer_id: Some(id),
                changes: vec![
                    FieldChange::new("status", "Active", "Deactivated"),
                    FieldChange::new("reason", "", &reason),
                ],
                at: now,
            };
            audit::write(&mut tx, entry).await?;
            history::snapshot(&mut tx, id, now).await?;
            let event = Event {
                kind: EventKind::DeactivatedByContractEnd,
                customer: Some((id, name)),
                data: serde_json::json!({ "contract_end": contract_end.to_string(), "reason": reason }),
                cause: None,
            };
            events::record(&mut tx, event, now).await?;
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// Writes the notices due today of contracts ending soon (30, 14, 7 and 1
/// days before; `contract.ending` for billed customers, `test_phase.ending`
/// for test customers), each once per customer, contract end and threshold,
/// also when several instances run this at once. Returns how many it wrote.
///
/// Hundreds of contracts can come due on one day: they are told [`TURN`]
/// at a time, each turn a short transaction of a few statements (one
/// transaction with a statement per notice held the write lock, and the
/// usage writer, for 200 ms with 430 notices on PostgreSQL). Each turn
/// reads its contracts again under the lock, so a contract extended since
/// the first read gets none for its old end.
#[tracing::instrument(skip(db))]
pub async fn announce_contract_ends(db: &Db, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let today = now.date_naive();
    let horizon = today + chrono::Duration::days(ENDING_NOTICES[0]);
    let mut sql = contracts_ending("id", today, horizon);
    sql.push(" ORDER BY id");
    let (text, args) = sql.build();
    let due: Vec<i64> = sqlx::query_scalar_with(&text, args).fetch_all(db).await?;
    let mut written = 0;
    for turn in due.chunks(TURN) {
        let mut tx = begin_write(db).await?;
        let mut sql = contracts_ending("id, name, kind, contract_end", today, horizon);
        sql.push(" AND id IN (").bind_list(turn.iter().copied()).push(") ORDER BY id");
        let (text, args) = sql.build();
        let ending: Vec<(i64, String, String, Day)> = sqlx::query_as_with(&text, args).fetch_all(&mut *tx).await?;
        let notices = ending
            .into_iter()
            .filter_map(|(id, name, kind, Day(end))| {
                let notice = ending_notice(today, end)?;
                let kind = if kind == "test" { EventKind::TestPhaseEnding } else { EventKind::ContractEnding };
                let event = Event {
                    kind,
                    customer: Some((id, name)),
                    data: serde_json::json!({
                        "contract_end": end.to_string(),
                        "days_left": (end - today).num_days(),
                        "notice_days": notice,
                    }),
                    cause: Some(format!("{}:{id}:{end}:{notice}", kind.name())),
                };
                Some((event, now))
            })
            .collect();
        written += events::record_all(&mut tx, notices).await?.into_iter().flatten().count();
        tx.commit().await?;
    }
    Ok(written)
}

/// `SELECT columns` of the active customers whose contract ends from
/// `first` to `last`.
fn contracts_ending<'q>(columns: &str, first: NaiveDate, last: NaiveDate) -> Sql<'q> {
    let mut sql = Sql::new(&format!("SELECT {columns} FROM customers WHERE status = 'active' AND contract_end >= "));
    sql.bind(Day(first)).push(" AND contract_end <= ").bind(Day(last));
    sql
}

/// Marks the active customers whose server has not reported for
/// [`SILENT_HOURS`] (a customer that never reported counts from its
/// creation) as silent and writes `usage.silent` for each, once per
/// silence: the next fresh report writes `usage.resumed` and re-arms it.
/// Returns how many it announced.
///
/// A pass that finds thousands (a fresh import, an outage of every
/// server) marks them [`TURN`] at a time, each turn its own short
/// transaction of a few statements for all of its customers, so that it
/// never holds the write lock for long: usage reports and sign-ins get
/// their turns in between. (One statement per customer and event, each a
/// round trip on PostgreSQL, kept the usage writer waiting for over
/// 100 ms a transaction.) Each turn reads the silence again under the
/// lock, so a report that arrived since the first read, or another
/// instance's pass, wins.
#[tracing::instrument(skip(db))]
pub async fn announce_silent_servers(db: &Db, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let since = Time(now - chrono::Duration::hours(SILENT_HOURS));
    let due: Vec<(i64, String)> =
        sqlx::query_as(&format!("SELECT c.id, c.name FROM {WITH_USAGE} WHERE {QUIET_BEFORE}$1 ORDER BY c.id"))
            .bind(since)
            .fetch_all(db)
            .await?;
    let names: HashMap<i64, &str> = due.iter().map(|(id, name)| (*id, name.as_str())).collect();
    let mut written = 0;
    for turn in due.chunks(TURN) {
        let mut tx = begin_write(db).await?;
        let mut sql = Sql::new(&format!("SELECT c.id, u.reported_at FROM {WITH_USAGE} WHERE {QUIET_BEFORE}"));
        sql.bind(since).push(" AND c.id IN (").bind_list(turn.iter().map(|(id, _)| *id)).push(") ORDER BY c.id");
        let (text, args) = sql.build();
        let quiet: Vec<(i64, Option<Time>)> = sqlx::query_as_with(&text, args).fetch_all(&mut *tx).await?;
        if !quiet.is_empty() {
            let mut sql = Sql::new("UPDATE customers SET usage_silent = TRUE WHERE id IN (");
            sql.bind_list(quiet.iter().map(|(id, _)| *id)).push(")");
            let (text, args) = sql.build();
            sqlx::query_with(&text, args).execute(&mut *tx).await?;
            let told = quiet
                .iter()
                .map(|(id, last)| {
                    let data =
                        serde_json::json!({ "last_report_at": last.map(Time::text), "silent_hours": SILENT_HOURS });
                    let customer = Some((*id, names.get(id).copied().unwrap_or_default().to_owned()));
                    (Event { kind: EventKind::UsageSilent, customer, data, cause: None }, now)
                })
                .collect();
            events::record_all(&mut tx, told).await?;
            written += quiet.len();
        }
        tx.commit().await?;
    }
    Ok(written)
}

/// How many customers one transaction of a job that may find thousands
/// ([`announce_contract_ends`], [`announce_silent_servers`]) handles before
/// it commits and gives the other writers their turn: as many as one
/// statement writes their events.
const TURN: usize = 64;

/// An active customer (`c`, its usage `u`) not yet counted as silent whose
/// last report, or creation when it has none, is older than the time
/// whose placeholder follows.
const QUIET_BEFORE: &str =
    "c.status = 'active' AND c.usage_silent = FALSE AND COALESCE(u.reported_at, c.created_at) < ";

/// Writes `month.close_overdue` for each month waiting for its close past
/// its due day (the close failed, or the jobs did not run), once per month.
#[tracing::instrument(skip(db))]
pub async fn announce_overdue_months(db: &Db, now: DateTime<Utc>) -> super::error::Result<usize> {
    let months = billing::months(db, now).await?;
    let overdue = billing::overdue(&months, now.date_naive());
    if overdue.is_empty() {
        return Ok(0);
    }
    let mut tx = begin_write(db).await?;
    let mut written = 0;
    for (month, due) in overdue {
        let data = serde_json::json!({ "month": month.to_string(), "due": due.to_string() });
        let cause = Some(format!("{}:{month}", EventKind::CloseOverdue.name()));
        if events::record(&mut tx, Event { kind: EventKind::CloseOverdue, customer: None, data, cause }, now).await? {
            written += 1;
        }
    }
    tx.commit().await?;
    Ok(written)
}

/// Writes `job.failed` for a job that failed, at most once per job and day
/// (a job failing at every pass is told once a day, not every ten
/// minutes). What failed is in the server's log; the event names the job.
async fn announce_failure(db: &Db, job: &str, now: DateTime<Utc>) {
    let written = async {
        let mut tx = begin_write(db).await?;
        let data = serde_json::json!({ "job": job, "day": now.date_naive().to_string() });
        let cause = Some(format!("{}:{job}:{}", EventKind::JobFailed.name(), now.date_naive()));
        events::record(&mut tx, Event { kind: EventKind::JobFailed, customer: None, data, cause }, now).await?;
        tx.commit().await
    };
    if let Err(error) = written.await {
        tracing::error!(%error, job, "cannot write the job.failed event");
    }
}

/// Runs the jobs now and then every `every` until `stop` turns true. A pass
/// that has started always runs to its end (the server waits for the
/// returned task before it exits), so a shutdown never cuts a job short.
pub fn spawn(db: Db, config: Config, clock: Clock, every: Duration, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.wait_for(|stop| *stop) => break,
            }
            let now = clock.now();
            match claim_pass(&db, every, now).await {
                Ok(true) => run_pass(&db, &config, now).await,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, "cannot claim the job pass"),
            }
        }
    })
}

/// Claims this interval's pass for this instance; false when another
/// instance started one less than 9/10 of the interval ago.
async fn claim_pass(db: &Db, every: Duration, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let recent = chrono::Duration::from_std(every.mul_f64(0.9)).unwrap_or(chrono::Duration::zero());
    let claimed = sqlx::query(
        "INSERT INTO job_runs (name, started_at, holder) VALUES ('pass', $1, $2) \
         ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, holder = excluded.holder \
         WHERE job_runs.started_at <= $3",
    )
    .bind(Time(now))
    .bind(instance_name())
    .bind(Time(now - recent))
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// This instance, as the job runs name it: host and process id.
fn instance_name() -> String {
    let host = rustix::system::uname().nodename().to_string_lossy().into_owned();
    format!("{host}:{}", std::process::id())
}

/// One pass of every job, as of `now`.
#[tracing::instrument(skip(db, config))]
async fn run_pass(db: &Db, config: &Config, now: DateTime<Utc>) {
    match announce_contract_ends(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(notices = n, "noted contracts ending soon"),
        Err(error) => failed(db, "contract_end_notices", error, now).await,
    }
    match deactivate_ended_contracts(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(customers = n, "deactivated customers whose contract ended"),
        Err(error) => failed(db, "contract_end", error, now).await,
    }
    match billing::close_due_months(db, now).await {
        Ok(closed) => {
            for c in closed {
                tracing::info!(month = %c.month, statements = c.statements, "closed a month");
            }
        }
        Err(error) => failed(db, "month_close", error.chain(), now).await,
    }
    match announce_overdue_months(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(months = n, "months are overdue for their close"),
        Err(error) => failed(db, "close_overdue_notices", error.chain(), now).await,
    }
    match announce_silent_servers(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(customers = n, "servers silent for 48 hours"),
        Err(error) => failed(db, "silent_servers", error, now).await,
    }
    match super::mail::make_digests(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(digests = n, "made the daily alert digests"),
        Err(error) => failed(db, "mail_digests", error.chain(), now).await,
    }
    if let Err(error) = metering::prune_raw_reports(db, now).await {
        failed(db, "prune_usage_reports", error, now).await;
    }
    if let Err(error) = sessions::prune_expired(db, config, now).await {
        failed(db, "prune_sessions", error, now).await;
    }
    if let Err(error) = login::prune_attempts(db, config, now).await {
        failed(db, "prune_sign_in_attempts", error, now).await;
    }
    if let Err(error) = super::single_sign_on::prune_flows(db, now).await {
        failed(db, "prune_single_sign_on_flows", error, now).await;
    }
}

/// A job failed: the log says what, the `job.failed` event says which.
async fn failed(db: &Db, job: &str, error: impl std::fmt::Display, now: DateTime<Utc>) {
    tracing::error!(%error, job, "a job failed");
    announce_failure(db, job, now).await;
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::customer::CustomerForm;
    use crate::server::clock;
    use crate::server::customers;
    use crate::server::db::testing;
    use crate::server::fixtures::customer_form;

    /// An active billed customer whose contract ends on `end`.
    pub(in crate::server) async fn customer_ending(t: &testing::TestDb, name: &str, end: NaiveDate) -> i64 {
        customer_of_kind_ending(t, name, true, end).await
    }

    /// An active billed (or test) customer whose contract ends on `end`.
    async fn customer_of_kind_ending(t: &testing::TestDb, name: &str, billed: bool, end: NaiveDate) -> i64 {
        let form = CustomerForm {
            contract_end: (clock::today() + chrono::Duration::days(1)).to_string(),
            database_name: name.to_lowercase(),
            max_users: "5".into(),
            ..customer_form(name, billed, &[])
        };
        let id = customers::create(&t.db, "otto", &form, Utc::now()).await.unwrap().id;
        sqlx::query("UPDATE customers SET contract_end = $1 WHERE id = $2")
            .bind(Day(end))
            .bind(id)
            .execute(&t.db)
            .await
            .unwrap();
        id
    }

    fn noon(day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    #[tokio::test]
    async fn a_customer_is_deactivated_the_day_after_its_contract_end_once() {
        let t = testing::fresh().await;
        let end = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let id = customer_ending(&t, "Ending", end).await;
        let running = customer_ending(&t, "Running", NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).await;

        assert_eq!(deactivate_ended_contracts(&t.db, noon(end)).await.unwrap(), 0, "still running on its last day");
        let next_day = end + chrono::Duration::days(1);
        assert_eq!(deactivate_ended_contracts(&t.db, noon(next_day)).await.unwrap(), 1);
        assert_eq!(deactivate_ended_contracts(&t.db, noon(next_day)).await.unwrap(), 0, "idempotent");

        let c = customers::get(&t.db, id, clock::today()).await.unwrap();
        assert_eq!(c.deactivation_reason.as_deref(), Some("Contract ended on 2026-11-30"));
        assert_eq!(
            customers::get(&t.db, running, clock::today()).await.unwrap().status,
            crate::domain::CustomerStatus::Active
        );
        let entries: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor, action FROM audit_log WHERE customer_id = $1 AND action = 'customer.deactivated'",
        )
        .bind(id)
        .fetch_all(&t.db)
        .await
        .unwrap();
        assert_eq!(entries, vec![("system".to_owned(), "customer.deactivated".to_owned())]);
        let told: Vec<_> = events::after(&t.db, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, e)| (e.kind, e.customer_id, e.data["contract_end"].clone(), e.data["customer"]["name"].clone()))
            .collect();
        assert_eq!(
            told,
            vec![(
                "customer.deactivated_by_contract_end".to_owned(),
                Some(id),
                serde_json::json!("2026-11-30"),
                serde_json::json!("Ending")
            )],
            "one event, with the deactivation"
        );
    }

    /// The contract-end notices written so far: kind, customer, threshold.
    async fn notices(t: &testing::TestDb) -> Vec<(String, Option<i64>, i64)> {
        let mut found: Vec<_> = events::after(&t.db, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, e)| e.kind.ends_with(".ending"))
            .map(|(_, e)| (e.kind, e.customer_id, e.data["notice_days"].as_i64().unwrap_or(-1)))
            .collect();
        found.sort_by_key(|(_, customer, days)| (*customer, -days));
        found
    }

    #[tokio::test]
    async fn contract_end_notices_come_30_14_7_and_1_days_before_once_each() {
        let t = testing::fresh().await;
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let id = customer_ending(&t, "Ending", end).await;
        let mut day = end - chrono::Duration::days(40);
        // Every day from 40 days before to after the end, two instances at once.
        while day <= end + chrono::Duration::days(2) {
            let (a, b) =
                tokio::join!(announce_contract_ends(&t.db, noon(day)), announce_contract_ends(&t.db, noon(day)));
            assert!(a.unwrap() + b.unwrap() <= 1, "at most one notice a day for one contract");
            day += chrono::Duration::days(1);
        }
        let expected: Vec<_> = [30, 14, 7, 1].map(|n| ("contract.ending".to_owned(), Some(id), n)).into();
        assert_eq!(notices(&t).await, expected);
    }

    #[tokio::test]
    async fn many_contracts_ending_on_one_day_are_told_in_turns_each_once() {
        let t = testing::fresh().await;
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        // More than two of the job's transactions' worth, and one whose end
        // is further away.
        let mut ids = Vec::new();
        for i in 0..(2 * TURN + 10) {
            ids.push(customer_ending(&t, &format!("Ending{i:03}"), end).await);
        }
        customer_ending(&t, "Far", end + chrono::Duration::days(90)).await;
        let day = noon(end - chrono::Duration::days(30));
        let (a, b) = tokio::join!(announce_contract_ends(&t.db, day), announce_contract_ends(&t.db, day));
        assert_eq!(a.unwrap() + b.unwrap(), ids.len(), "two runs at once tell each contract once");
        let expected: Vec<_> = ids.iter().map(|id| ("contract.ending".to_owned(), Some(*id), 30)).collect();
        assert_eq!(notices(&t).await, expected);
        assert_eq!(announce_contract_ends(&t.db, day).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_late_start_gives_the_latest_notice_reached_and_an_extended_contract_starts_again() {
        let t = testing::fresh().await;
        let end = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let billed = customer_ending(&t, "Billed", end).await;
        let trial = customer_of_kind_ending(&t, "Trial", false, end).await;
        let far = customer_ending(&t, "Far", end + chrono::Duration::days(90)).await;
        // The console was down until 20 days before the end: the 30-day
        // notice (with 20 days left), once.
        assert_eq!(announce_contract_ends(&t.db, noon(end - chrono::Duration::days(20))).await.unwrap(), 2);
        assert_eq!(announce_contract_ends(&t.db, noon(end - chrono::Duration::days(20))).await.unwrap(), 0);
        let expected =
            vec![("contract.ending".to_owned(), Some(billed), 30), ("test_phase.ending".to_owned(), Some(trial), 30)];
        assert_eq!(notices(&t).await, expected);

        // The billed contract is extended by 5 days: its new end gets its own
        // notice (24 days left: the 30-day one), the trial none again.
        sqlx::query("UPDATE customers SET contract_end = $1 WHERE id = $2")
            .bind(Day(end + chrono::Duration::days(5)))
            .bind(billed)
            .execute(&t.db)
            .await
            .unwrap();
        assert_eq!(announce_contract_ends(&t.db, noon(end - chrono::Duration::days(19))).await.unwrap(), 1);
        let ends: Vec<_> = events::after(&t.db, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, e)| e.customer_id == Some(billed))
            .map(|(_, e)| (e.data["contract_end"].clone(), e.data["days_left"].clone()))
            .collect();
        let expected = vec![
            (serde_json::json!("2027-03-31"), serde_json::json!(20)),
            (serde_json::json!("2027-04-05"), serde_json::json!(24)),
        ];
        assert_eq!(ends, expected);
        assert!(notices(&t).await.iter().all(|(_, c, _)| *c != Some(far)), "90 days away: nothing yet");
    }

    #[tokio::test]
    async fn two_runs_at_once_deactivate_each_customer_once() {
        let t = testing::fresh().await;
        let end = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        for i in 0..5 {
            customer_ending(&t, &format!("Ending{i}"), end).await;
        }
        let day = end + chrono::Duration::days(1);
        let (a, b) =
            tokio::join!(deactivate_ended_contracts(&t.db, noon(day)), deactivate_ended_contracts(&t.db, noon(day)));
        assert_eq!(a.unwrap() + b.unwrap(), 5);
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.deactivated'")
            .fetch_one(&t.db)
            .await
            .unwrap();
        assert_eq!(audit, 5);
        let told: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'customer.deactivated_by_contract_end'")
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(told, 5, "one event per deactivation");
    }

    #[tokio::test]
    async fn a_failing_job_is_told_once_a_day_and_the_other_jobs_still_run() {
        let t = testing::fresh().await;
        let id = customer_ending(&t, "Ended", clock::today() - chrono::Duration::days(2)).await;
        // A job whose table is gone fails at every pass.
        sqlx::query("DROP TABLE sso_flows").execute(&t.db).await.unwrap();
        let config = Config::for_database("unused");
        // Noon: the two passes 10 minutes apart are on the same day at any
        // time the test runs (from 23:50 on they were not).
        let now = noon(clock::today());
        run_pass(&t.db, &config, now).await;
        run_pass(&t.db, &config, now + chrono::Duration::minutes(10)).await;
        let failed: Vec<_> = events::after(&t.db, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, e)| e.kind == "job.failed")
            .map(|(_, e)| e.data["job"].clone())
            .collect();
        assert_eq!(failed, [serde_json::json!("prune_single_sign_on_flows")]);
        let status = customers::get(&t.db, id, clock::today()).await.unwrap().status;
        assert_eq!(status, crate::domain::CustomerStatus::Deactivated, "the jobs before it ran");
        run_pass(&t.db, &config, now + chrono::Duration::days(1)).await;
        let told: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'job.failed'").fetch_one(&t.db).await.unwrap();
        assert_eq!(told, 2, "once more the next day");
    }

    #[tokio::test]
    async fn instances_take_turns_with_the_job_pass() {
        let t = testing::fresh().await;
        let every = Duration::from_secs(600);
        let now = Utc::now();
        assert!(claim_pass(&t.db, every, now).await.unwrap(), "the first pass");
        let soon = now + chrono::Duration::seconds(60);
        let (a, b) = tokio::join!(claim_pass(&t.db, every, soon), claim_pass(&t.db, every, soon));
        assert_eq!((a.unwrap(), b.unwrap()), (false, false), "someone ran it a minute ago");
        let later = now + chrono::Duration::seconds(560);
        let (a, b) = tokio::join!(claim_pass(&t.db, every, later), claim_pass(&t.db, every, later));
        assert!(a.unwrap() ^ b.unwrap(), "exactly one of two instances runs the next pass");
    }

    #[tokio::test]
    async fn a_stop_waits_for_the_running_pass_and_starts_no_other() {
        let t = testing::fresh().await;
        let id = customer_ending(&t, "Ended", clock::today() - chrono::Duration::days(2)).await;
        // The pass will wait for this write lock, so it is surely running
        // when the stop comes.
        let lock = begin_write(&t.db).await.unwrap();
        let (stop_tx, stop) = watch::channel(false);
        let jobs =
            spawn(t.db.clone(), Config::for_database("unused"), Clock::system(), Duration::from_secs(3600), stop);
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop_tx.send(true).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!jobs.is_finished(), "the pass in progress was abandoned");
        drop(lock);
        tokio::time::timeout(Duration::from_secs(120), jobs).await.expect("the jobs stop").unwrap();
        let status = customers::get(&t.db, id, clock::today()).await.unwrap().status;
        assert_eq!(status, crate::domain::CustomerStatus::Deactivated, "the pass ran to its end");
    }
}
