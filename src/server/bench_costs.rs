//! `msp-bench costs`: a database with many billed customers and
//! years of history, then the cost overview's server functions timed over
//! the real router (the browser half of the benchmark, the CSV export, is
//! `end2end/scripts/bench-costs.sh`).
//!
//! Customers, option changes and deactivations go through the app's own
//! write paths with backdated times, and the months are closed by the
//! month-close job; only the daily usage snapshots (one per customer and
//! day: 11 million rows for 10,000 customers over three years) are written
//! by one SQL statement, as the real path would take hours.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Datelike, Utc};

use super::bench::{summary, viewer_router, NAMES};
use super::db::{self, begin_write, Db, Time};
use super::demo::OPTIONS;
use super::fixtures::customer_form;
use super::{billing, customers};
use crate::domain::customer::CustomerForm;
use crate::domain::BillingMonth;

fn fail(e: impl Into<super::error::ServerError>) -> anyhow::Error {
    anyhow::anyhow!("bench data: {}", e.into().chain())
}

fn options_of(i: usize) -> Vec<String> {
    OPTIONS
        .iter()
        .enumerate()
        .filter(|(k, _)| *k == 0 || (i * 7 + k * 3) % 10 < 3)
        .map(|(_, code)| (*code).to_owned())
        .collect()
}

fn form(i: usize) -> CustomerForm {
    CustomerForm {
        contract_end: (Utc::now().date_naive() + chrono::Duration::days(30 + (i as i64 * 13) % 700)).to_string(),
        database_name: format!("customer_{i:05}"),
        max_users: (5 + (i * 37) % 400).to_string(),
        limit_user_creation: i.is_multiple_of(2),
        options: options_of(i),
        ..customer_form(&format!("{} {i:05}", NAMES[i % NAMES.len()]), true, &[])
    }
}

/// `count` billed customers created over the first weeks `months` months
/// ago; every 7th changes its options once, every 50th is deactivated
/// within the last year; a usage snapshot for every day of every customer
/// until it was deactivated; then every due month closed.
pub async fn fill(db: &Db, count: usize, months: u32) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut first = BillingMonth::of(now.date_naive());
    for _ in 1..months {
        first = first.previous();
    }
    let start = first.first_day().and_hms_opt(8, 0, 0).unwrap_or_default().and_utc();
    let days_total = (now - start).num_days();
    let t0 = Instant::now();
    for i in 0..count {
        let created = start + chrono::Duration::days(i as i64 % 20) + chrono::Duration::minutes(i as i64 % 600);
        let id = customers::create(db, "bench", &form(i), created).await.map_err(fail)?.id;
        let mut version = 1;
        if i % 7 == 3 {
            let mut options = options_of(i);
            let extra = OPTIONS[1 + i % 7].to_owned();
            if let Some(at) = options.iter().position(|o| *o == extra) {
                options.remove(at);
            } else {
                options.push(extra);
            }
            let at = created + chrono::Duration::days((i as i64 * 31) % (days_total - 25).max(1));
            customers::set_options(db, "bench", id, version, &options, at).await.map_err(fail)?;
            version += 1;
        }
        if i % 50 == 17 {
            let at =
                (now - chrono::Duration::days(5 + (i as i64 * 11) % 360)).max(created + chrono::Duration::days(10));
            customers::deactivate(db, "bench", id, version, "Contract ended", at).await.map_err(fail)?;
        }
    }
    println!("{count} customers with history through the app's write paths: {:.1} s", t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    let mut tx = begin_write(db).await?;
    let written = sqlx::query(
        "WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < $1) \
         INSERT INTO usage_daily (customer_id, day, peak_users) \
         SELECT c.id, date($2, '+' || d.n || ' days'), \
                MAX(0, c.max_users * (45 + (c.id % 5) * 5) / 100 + d.n / 40 + (d.n * 37 + c.id * 11) % 13 - 6) \
         FROM customers c JOIN d \
         WHERE date($2, '+' || d.n || ' days') >= substr(c.created_at, 1, 10) \
           AND (c.deactivated_at IS NULL OR date($2, '+' || d.n || ' days') <= substr(c.deactivated_at, 1, 10)) \
         ORDER BY c.id, d.n",
    )
    .bind(days_total)
    .bind(start.date_naive().to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "INSERT INTO customer_usage (customer_id, reported_users, reported_at) \
         SELECT c.id, (SELECT d.peak_users FROM usage_daily d WHERE d.customer_id = c.id ORDER BY d.day DESC LIMIT 1), $1 \
         FROM customers c WHERE EXISTS (SELECT 1 FROM usage_daily d WHERE d.customer_id = c.id)",
    )
    .bind(Time(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    println!("{written} daily usage snapshots in one SQL statement: {:.1} s", t0.elapsed().as_secs_f64());

    let t0 = Instant::now();
    let closed = billing::close_due_months(db, now).await.map_err(fail)?;
    let statements: u64 = closed.iter().map(|c| c.statements).sum();
    println!(
        "{} months closed by the month-close job ({statements} statements): {:.1} s",
        closed.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Calls `path` with `body` (URL-encoded) `rounds` times after 5 warm-up
/// calls; prints the first call (which computes what is not cached yet),
/// then median, p95 and max of the timed calls, and the answer's size.
async fn print_timings(
    router: &axum::Router,
    cookie: &str,
    label: &str,
    path: &str,
    body: &str,
    rounds: usize,
) -> anyhow::Result<()> {
    let call = (path, "application/x-www-form-urlencoded", body);
    let timings = super::bench::time_calls(router, cookie, call, 5, rounds).await?;
    let [median, p95, max] = summary(timings.timed);
    println!(
        "{label:<40} {:>8.1}ms {median:>7.1}ms {p95:>7.1}ms {max:>7.1}ms {:>7.0} KB",
        timings.first.as_secs_f64() * 1000.0,
        timings.size as f64 / 1024.0
    );
    Ok(())
}

/// The benchmark: fills the database (`keep`: at that path, left in
/// place; else in a temporary folder) and times the server functions.
pub async fn run(count: usize, months: u32, rounds: usize, keep: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("msp-bench-costs-{}", std::process::id()));
    let file = match &keep {
        Some(path) => path.clone(),
        None => {
            std::fs::create_dir_all(&dir)?;
            dir.join("bench.db")
        }
    };
    let url = format!("sqlite://{}", file.display());
    let filled = file.exists();
    let db = db::connect(&url).await?;
    if filled {
        println!("reusing the filled database {}", file.display());
    } else {
        fill(&db, count, months).await?;
    }
    println!("database file: {:.0} MB", db::size_bytes(&db).await? as f64 / 1e6);

    let (router, cookie) = viewer_router(&db, &url).await?;

    let today = Utc::now().date_naive();
    let current = BillingMonth::of(today);
    let closed = billing::closed_months(&db).await?;
    let last_closed = [current.previous(), current.previous().previous()].into_iter().find(|m| closed.contains(m));
    println!("server functions over the router, {rounds} calls each (after 5 warm-up calls), {count} customers:");
    println!("{:<40} {:>10} {:>9} {:>9} {:>9} {:>10}", "call", "first", "median", "p95", "max", "answer");
    if let Some(month) = last_closed {
        let label = format!("cost_overview {month} (Final)");
        print_timings(&router, &cookie, &label, "/api/billing/cost_overview", &format!("month={month}"), rounds)
            .await?;
    }
    let label = format!("cost_overview {current} (Forecast)");
    print_timings(&router, &cookie, &label, "/api/billing/cost_overview", "month=", rounds).await?;
    for months in [12, 24] {
        let label = format!("cost_totals, {months} months (chart)");
        print_timings(&router, &cookie, &label, "/api/billing/cost_totals", &format!("months={months}"), rounds)
            .await?;
    }
    if today.day() <= 3 {
        println!("(the month before is still waiting for its close, so the forecast call also computes it)");
    }
    db.close().await;
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", file.display());
    }
    Ok(())
}
