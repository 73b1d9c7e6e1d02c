//! Background jobs. Each is idempotent and safe when several app instances
//! run it at once: the work is done by conditional updates inside write
//! transactions, so a second run finds nothing left to do. The instances
//! also take turns through the database (`job_runs`): a pass starts only
//! when no instance started one within most of the interval.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::audit::{self, Entry};
use super::clock::Clock;
use super::config::Config;
use super::db::{begin_write, Day, Db, Time};
use super::history;
use super::{billing, login, metering, sessions};
use crate::domain::audit_log::FieldChange;

const ACTOR: &str = "system";

/// Deactivates every active customer whose contract end has passed (the day
/// after `contract_end` on), with the reason "Contract ended on DATE", once.
/// Returns how many it deactivated.
#[tracing::instrument(skip(db))]
pub async fn deactivate_ended_contracts(db: &Db, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let today = now.date_naive();
    let due: Vec<(i64, Day)> =
        sqlx::query_as("SELECT id, contract_end FROM customers WHERE status = 'active' AND contract_end < $1")
            .bind(Day(today))
            .fetch_all(db)
            .await?;
    let mut done = 0;
    for (id, Day(contract_end)) in due {
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
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
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
    match deactivate_ended_contracts(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(customers = n, "deactivated customers whose contract ended"),
        Err(error) => tracing::error!(%error, "the contract-end job failed"),
    }
    match billing::close_due_months(db, now).await {
        Ok(closed) => {
            for c in closed {
                tracing::info!(month = %c.month, statements = c.statements, "closed a month");
            }
        }
        Err(error) => tracing::error!(error = %error.chain(), "the month-close job failed"),
    }
    if let Err(error) = metering::prune_raw_reports(db, now).await {
        tracing::error!(%error, "pruning old usage reports failed");
    }
    if let Err(error) = sessions::prune_expired(db, config, now).await {
        tracing::error!(%error, "pruning ended sessions failed");
    }
    if let Err(error) = login::prune_attempts(db, config, now).await {
        tracing::error!(%error, "pruning old sign-in attempts failed");
    }
    if let Err(error) = super::single_sign_on::prune_flows(db, now).await {
        tracing::error!(%error, "pruning old single sign-on flows failed");
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::customer::CustomerForm;
    use crate::server::clock;
    use crate::server::customers;
    use crate::server::db::testing;
    use crate::server::fixtures::customer_form;
    use chrono::NaiveDate;

    /// An active billed customer whose contract ends on `end`.
    pub(in crate::server) async fn customer_ending(t: &testing::TestDb, name: &str, end: NaiveDate) -> i64 {
        let form = CustomerForm {
            contract_end: (clock::today() + chrono::Duration::days(1)).to_string(),
            database_name: name.to_lowercase(),
            max_users: "5".into(),
            ..customer_form(name, true, &[])
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
