//! Figures for the Status page.

use chrono::{DateTime, Duration, Utc};

use super::customers::WITH_USAGE;
use super::db::{self, Db, Time};
use super::error::Result;
use super::state::AppState;
use super::{billing, staff};
use crate::views::billing::MonthState;
use crate::views::status::{
    CustomerLink, Metering, MonthCloseStatus, ProblemSummary, ServerStatus, SignInFailures, When,
};

use crate::domain::events::SILENT_HOURS;
/// Contracts and test phases ending within this many days are listed.
const ENDING_DAYS: i64 = 14;

/// A customer with the row's day (`YYYY-MM-DD`) or moment (RFC 3339).
fn link((id, name, kind, at): (i64, String, String, Option<String>)) -> CustomerLink {
    let when = at.and_then(|at| match chrono::DateTime::parse_from_rfc3339(&at) {
        Ok(moment) => Some(When::Moment(moment.with_timezone(&Utc))),
        Err(_) => at.parse().ok().map(When::Day),
    });
    CustomerLink { id, name, kind, when }
}

async fn metering(db: &Db, now: DateTime<Utc>) -> Result<Metering> {
    let (last_report_at, reports_last_24h): (Option<Time>, i64) = sqlx::query_as(
        "SELECT (SELECT MAX(received_at) FROM usage_reports), \
                (SELECT COUNT(*) FROM usage_reports WHERE received_at >= $1)",
    )
    .bind(Time(now - Duration::hours(24)))
    .fetch_one(db)
    .await?;
    let silent_since = now - Duration::hours(SILENT_HOURS);
    let silent_total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {WITH_USAGE} WHERE c.status = 'active' AND (u.reported_at IS NULL OR u.reported_at < $1)"
    ))
    .bind(Time(silent_since))
    .fetch_one(db)
    .await?;
    let silent: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT c.id, c.name, c.kind, u.reported_at FROM {WITH_USAGE} \
         WHERE c.status = 'active' AND (u.reported_at IS NULL OR u.reported_at < $1) \
         ORDER BY u.reported_at IS NOT NULL, u.reported_at, c.sort_key LIMIT 100"
    ))
    .bind(Time(silent_since))
    .fetch_all(db)
    .await?;
    Ok(Metering {
        last_report_at: last_report_at.map(DateTime::from),
        reports_last_24h,
        silent: silent.into_iter().map(link).collect(),
        silent_total,
    })
}

async fn month_close(db: &Db, now: DateTime<Utc>) -> Result<MonthCloseStatus> {
    let today = now.date_naive();
    let months = billing::months(db, now).await?;
    let last_closed = months.iter().find_map(|m| match &m.state {
        MonthState::Closed { at, by, .. } => Some((m.month.to_string(), *at, by.clone())),
        _ => None,
    });
    let pending: Vec<(String, chrono::NaiveDate)> = months
        .iter()
        .rev()
        .filter_map(|m| match m.state {
            MonthState::PendingClose { due } => Some((m.month.to_string(), due)),
            _ => None,
        })
        .collect();
    let overdue = billing::overdue(&months, today).into_iter().map(|(m, _)| m.to_string()).collect();
    let grace = Duration::days(i64::from(billing::settings(db).await?.grace_days));
    let next = match pending.first() {
        Some(first) => Some(first.clone()),
        // Nothing open: the current month, once it has ended and its grace has passed.
        None => months
            .iter()
            .find(|m| m.state == MonthState::Current)
            .map(|m| (m.month.to_string(), m.month.next().first_day() + grace)),
    };
    Ok(MonthCloseStatus { last_closed, next, overdue })
}

async fn ending_soon(db: &Db, now: DateTime<Utc>) -> Result<Vec<CustomerLink>> {
    let today = now.date_naive();
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, kind, contract_end FROM customers WHERE status = 'active' \
         AND contract_end >= $1 AND contract_end <= $2 ORDER BY contract_end, sort_key",
    )
    .bind(today.to_string())
    .bind((today + Duration::days(ENDING_DAYS)).to_string())
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(link).collect())
}

async fn deactivated_by_job(db: &Db, now: DateTime<Utc>) -> Result<Vec<CustomerLink>> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.kind, a.at FROM audit_log a JOIN customers c ON c.id = a.customer_id \
         WHERE a.actor = 'system' AND a.action = 'customer.deactivated' AND a.at >= $1 ORDER BY a.at DESC",
    )
    .bind(Time(now - Duration::days(7)))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(link).collect())
}

/// Staff accounts with at least as many failed sign-ins in the login window
/// as one address may make, most first (the names are existing accounts',
/// never whatever was typed).
async fn sign_in_failures(state: &AppState, now: DateTime<Utc>) -> Result<Vec<SignInFailures>> {
    let since = now - Duration::minutes(i64::from(state.config.login_window_minutes));
    let rows: Vec<(String, i64, i64, Time)> = sqlx::query_as(
        "SELECT a.username, COUNT(*), COUNT(DISTINCT a.ip), MAX(a.at) FROM login_attempts a \
         JOIN staff s ON s.username = a.username \
         WHERE a.succeeded = FALSE AND a.at > $1 GROUP BY a.username HAVING COUNT(*) >= $2 \
         ORDER BY COUNT(*) DESC, a.username LIMIT 20",
    )
    .bind(Time(since))
    .bind(i64::from(state.config.login_max_failures))
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, failures, addresses, last)| SignInFailures {
            username,
            failures,
            addresses,
            last_at: last.into(),
        })
        .collect())
}

/// The status; `admin` sees the log's messages and the accounts under attack.
pub async fn collect(state: &AppState, admin: bool) -> Result<ServerStatus> {
    let now = state.clock.now();
    let log = super::telemetry::recent_problems();
    let problems = ProblemSummary {
        error_total: log.error_total,
        warning_total: log.warning_total,
        details: admin,
        errors: if admin { log.errors } else { Vec::new() },
        warnings: if admin { log.warnings } else { Vec::new() },
    };
    let (migrations, latest_migration): (i64, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), (SELECT description FROM _sqlx_migrations ORDER BY version DESC LIMIT 1) FROM _sqlx_migrations",
    )
    .fetch_one(&state.db)
    .await?;
    let known = db::Backend::of(&state.db).migrator().iter().count() as i64;
    Ok(ServerStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_seconds: state.started.elapsed().as_secs(),
        database_backend: db::Backend::of(&state.db).name().to_owned(),
        database_bytes: db::size_bytes(&state.db).await?,
        free_disk_bytes: db::free_disk_bytes(&state.config.database_url),
        migrations_applied: migrations,
        migrations_known: known,
        latest_migration: latest_migration.unwrap_or_default(),
        staff_by_role: staff::count_by_role(&state.db).await?,
        customers: sqlx::query_as(
            "SELECT kind, status, COUNT(*) FROM customers GROUP BY kind, status ORDER BY kind, status",
        )
        .fetch_all(&state.db)
        .await?,
        metering: metering(&state.db, now).await?,
        month_close: month_close(&state.db, now).await?,
        deliveries: super::deliveries::queue(&state.db).await?,
        ending_soon: ending_soon(&state.db, now).await?,
        deactivated_by_job: deactivated_by_job(&state.db, now).await?,
        problems,
        sign_in_failures: if admin { sign_in_failures(state, now).await? } else { Vec::new() },
        checked_at: now,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use leptos::prelude::LeptosOptions;

    use super::*;
    use crate::server::billing::close_month;
    use crate::server::billing_tests::{billed_customer, form, report, this_month};
    use crate::server::config::Config;
    use crate::server::customers;
    use crate::server::db::testing;

    #[tokio::test]
    async fn status_lists_silent_customers_ending_contracts_and_months_to_close() {
        let t = testing::fresh().await;
        let options = LeptosOptions::builder().output_name("msp-manager").build();
        let state = AppState::new(options, t.db.clone(), Config::for_database("sqlite://unused"));
        // Last month's 3 days of grace must be over: in the first days of a
        // month, the app's clock moves on to the 6th.
        let day = chrono::Datelike::day(&state.clock.today());
        if day < 6 {
            state.clock.shift(Duration::days(i64::from(6 - day)));
        }
        // Reported last month only: silent for more than 48 hours.
        let acme = billed_customer(&t, "Acme").await;
        let mut ending = form("Trial", false, &[]);
        ending.contract_end = (state.clock.today() + Duration::days(5)).to_string();
        let trial = customers::create(&t.db, "otto", &ending, Utc::now()).await.unwrap().id;

        let s = collect(&state, true).await.unwrap();
        let silent: Vec<(i64, Option<When>)> = s.metering.silent.iter().map(|c| (c.id, c.when.clone())).collect();
        assert_eq!(silent.len(), 2, "{silent:?}");
        assert_eq!(silent[0], (trial, None), "never reported comes first");
        assert!(matches!(silent[1].1, Some(When::Moment(_))), "{silent:?}");
        assert_eq!(silent[1].0, acme);
        let ends = s.ending_soon.iter().map(|c| c.when.clone()).collect::<Vec<_>>();
        assert_eq!(ends, [Some(When::Day(state.clock.today() + Duration::days(5)))]);
        assert_eq!(s.ending_soon.iter().map(|c| (c.id, c.kind.as_str())).collect::<Vec<_>>(), [(trial, "test")]);
        let counts: i64 = s.customers.iter().map(|(_, _, n)| n).sum();
        assert_eq!(counts, 2);
        // Last month ended more than the 3 days of grace ago and is still open.
        let last = this_month().previous();
        assert_eq!(s.month_close.overdue.last(), Some(&last.to_string()));
        assert_eq!(s.month_close.next.as_ref().map(|(m, _)| m), s.month_close.overdue.first(), "the oldest first");

        report(&t, acme, "now", state.clock.now(), 5).await;
        for month in s.month_close.overdue.iter().filter_map(|m| crate::domain::BillingMonth::parse(m).ok()) {
            close_month(&t.db, "ada", month, state.clock.now()).await.unwrap();
        }
        let s = collect(&state, true).await.unwrap();
        assert_eq!(s.metering.silent.iter().map(|c| c.id).collect::<Vec<_>>(), [trial]);
        assert_eq!(s.metering.reports_last_24h, 1);
        assert!(s.month_close.overdue.is_empty());
        assert_eq!(s.month_close.last_closed.map(|(m, _, by)| (m, by)), Some((last.to_string(), "ada".to_owned())));
        assert_eq!(s.month_close.next.map(|(m, _)| m), Some(this_month().to_string()));
    }
}
