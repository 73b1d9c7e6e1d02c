//! Crash safety: the server process is killed with SIGKILL at random
//! moments while usage reports arrive and a month close may be running,
//! 200 times in a row, and restarted each time. Afterwards every report it
//! acknowledged (2xx) is in the database, SQLite's `integrity_check` says
//! ok, and every closed month has all its statements with all their lines
//! (none half-written).
//!
//! The server is this test binary run again as a child process with only
//! this test and the database's address in its environment, which makes
//! the test serve instead: the real router, database pool, usage writer and
//! job loop, in a process of its own that can be killed.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rand::Rng;

use super::billing_tests::form;
use super::config::Config;
use super::db::{self, testing, Backend};
use super::loopback::{ready_within, report_body, Connection};
use super::router::router_on;
use super::{customers, metering};
use crate::domain::usage::UsageReport;

const KILLS: usize = 200;
/// A bound for a server that takes no reports at all, not for a slow machine.
const GIVE_UP_AFTER: Duration = Duration::from_secs(30 * 60);
/// How long one start may take before the server counts as broken.
const READY_WITHIN: Duration = Duration::from_secs(120);
const URL_ENV: &str = "MSP_CRASH_DATABASE_URL";
const ADDR_ENV: &str = "MSP_CRASH_ADDR";

const TEST: &str = "sigkill_at_random_moments_loses_no_acknowledged_report_and_no_statement_is_partial";

/// The server process: serves `url` on `addr` until it is killed.
async fn serve(url: &str, addr: SocketAddr) {
    let db = db::connect(url).await.unwrap();
    let (_stop, stop) = tokio::sync::watch::channel(false);
    // A short interval: every start runs a pass (and may close months).
    let mut config = Config::for_database(url);
    let clock = super::clock::Clock::system();
    let _jobs = super::jobs::spawn(db.clone(), config.clone(), clock, Duration::from_millis(200), stop);
    // Thousands of reports from a few keys: the limit is not under test.
    config.api_requests_per_minute = u32::MAX;
    let router = router_on(db, config);
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
}

fn start_child(url: &str, addr: SocketAddr) -> tokio::process::Child {
    // The test's name as the harness knows it: the module path without the crate.
    let module = module_path!().split_once("::").map_or(module_path!(), |(_, path)| path);
    tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([&format!("{module}::{TEST}"), "--exact", "--nocapture", "--test-threads=1"])
        .env(URL_ENV, url)
        .env(ADDR_ENV, addr.to_string())
        .env_remove(testing::POSTGRES_ENV)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server process")
}

/// Sends reports one after another until the connection breaks; the ids
/// the server acknowledged go into `acked`.
async fn send_reports(addr: SocketAddr, keys: Arc<Vec<String>>, prefix: String, acked: Arc<Mutex<Vec<String>>>) {
    let Ok(mut conn) = Connection::open(addr).await else { return };
    for n in 0.. {
        let key = &keys[n % keys.len()];
        let report_id = format!("{prefix}-{n}");
        let body = report_body(&report_id, Utc::now(), 10 + (n % 30) as u32);
        let headers = format!("Authorization: Bearer {key}\r\nContent-Type: application/json\r\n");
        match conn.send("POST", "/api/v1/usage", &headers, &body).await {
            Ok(answer) if (200..300).contains(&answer.status) => acked.lock().unwrap().push(report_id),
            Ok(answer) => panic!("report {report_id}: status {}", answer.status),
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_no_acknowledged_report_and_no_statement_is_partial() {
    if let (Ok(url), Ok(addr)) = (std::env::var(URL_ENV), std::env::var(ADDR_ENV)) {
        // Started by this test as its server process.
        return serve(&url, addr.parse().unwrap()).await;
    }
    let t = testing::fresh().await;
    // Billed customers since seven months ago with usage, so the job pass
    // of each start has months to close.
    let since = Utc::now() - chrono::Duration::days(215);
    let mut keys = Vec::new();
    for i in 0..12 {
        let made =
            customers::create(&t.db, "otto", &form(&format!("Crash {i}"), true, &["web_access"]), since).await.unwrap();
        let report = UsageReport { report_id: format!("start-{i}"), observed_at: since, users: 3 + i };
        metering::ingest(&t.db, made.id, &report, since).await.unwrap();
        keys.push(made.api_key);
    }
    let keys = Arc::new(keys);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut rng = rand::thread_rng();
    // At least KILLS kills, and on until enough reports were acknowledged to
    // mean something, however slow the machine: only a server that takes
    // no reports at all runs into the time bound.
    let started = std::time::Instant::now();
    let mut kills = 0;
    while kills < KILLS || acked.lock().unwrap().len() <= KILLS * 10 {
        assert!(
            started.elapsed() < GIVE_UP_AFTER,
            "after {kills} kills in {} minutes only {} reports were acknowledged: the server does not take reports",
            GIVE_UP_AFTER.as_secs() / 60,
            acked.lock().unwrap().len()
        );
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let mut child = start_child(&t.url, addr);
        assert!(ready_within(addr, READY_WITHIN).await, "the server process did not become ready");
        let senders: Vec<_> = (0..4)
            .map(|s| tokio::spawn(send_reports(addr, keys.clone(), format!("k{kills}-s{s}"), acked.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(5..150))).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        for sender in senders {
            sender.await.unwrap();
        }
        kills += 1;
    }

    let acked = acked.lock().unwrap().clone();
    println!("{kills} kills, {} reports acknowledged", acked.len());
    let stored: HashSet<String> =
        sqlx::query_scalar("SELECT report_id FROM usage_reports").fetch_all(&t.db).await.unwrap().into_iter().collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} acknowledged reports are missing, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]);
    // Each stored report is in its day's snapshot.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM usage_reports r WHERE NOT r.late AND NOT EXISTS (SELECT 1 FROM usage_daily d \
         WHERE d.customer_id = r.customer_id AND d.day = r.day AND d.peak_users >= r.users)",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!(orphans, 0);

    if testing::backend() == Backend::Sqlite {
        let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&t.db).await.unwrap();
        assert_eq!(verdict, "ok");
    }
    // Months were closed while the kills came; each close is whole.
    let closes: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT month, statements, total_cents FROM month_closes").fetch_all(&t.db).await.unwrap();
    assert!(closes.len() >= 6, "the job passes closed the past months: {closes:?}");
    for (month, statements, total) in &closes {
        let (n, sum): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) FROM statements WHERE month = $1",
        )
        .bind(month)
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert_eq!((n, sum), (*statements, *total), "{month}");
    }
    let unclosed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statements s WHERE NOT EXISTS (SELECT 1 FROM month_closes c WHERE c.month = s.month)",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!(unclosed, 0, "statements without their month's close");
    let partial: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statements s WHERE s.total_cents <> \
         (SELECT CAST(COALESCE(SUM(l.amount_cents), 0) AS BIGINT) FROM statement_lines l WHERE l.statement_id = s.id)",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!(partial, 0, "statements whose lines do not add up to their total");
}
