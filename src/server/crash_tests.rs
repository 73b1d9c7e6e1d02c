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

const DELIVERY_URL_ENV: &str = "MSP_CRASH_DELIVERY_DATABASE_URL";
const DELIVERY_TEST: &str = "sigkill_while_deliveries_are_in_flight_loses_no_event_and_marks_none_delivered_unsent";
const DELIVERY_KILLS: usize = 50;

/// The key the endpoint's secret is sealed with, in both processes.
fn delivery_config(url: &str) -> Config {
    use base64::Engine;
    let mut config = Config::for_database(url);
    config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode([3u8; 32]).parse().unwrap());
    config.webhook_allow_private = true;
    config
}

/// The deliverer's process: delivers until it is killed.
async fn deliver(url: &str) {
    let db = db::connect(url).await.unwrap();
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let config = delivery_config(url);
    let sender = Arc::new(super::deliveries::Sender::new(&config, "127.0.0.1:1".parse().unwrap()));
    let mailer = Arc::new(super::mail::Mailer::new(&config));
    super::deliveries::spawn(db, sender, mailer, super::clock::Clock::system(), stop).await.unwrap();
}

/// A receiver that answers 500 to the first request of every fifth event,
/// 200 to the rest, after a short pause (so that kills find requests in
/// flight), keeping the ids it answered with a 2xx.
async fn flaky_receiver(delivered: Arc<Mutex<HashSet<String>>>, seen: Arc<Mutex<Vec<String>>>) -> SocketAddr {
    use axum::http::{HeaderMap, StatusCode};
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let (delivered, seen) = (delivered.clone(), seen.clone());
            async move {
                let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let pause = rand::thread_rng().gen_range(0..40);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                let first = {
                    let mut seen = seen.lock().unwrap();
                    let first = !seen.contains(&id);
                    seen.push(id.clone());
                    first
                };
                let flaky = id.bytes().map(u32::from).sum::<u32>() % 5 == 0;
                if first && flaky {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                delivered.lock().unwrap().insert(id);
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_deliveries_are_in_flight_loses_no_event_and_marks_none_delivered_unsent() {
    if let Ok(url) = std::env::var(DELIVERY_URL_ENV) {
        // Started by this test as its deliverer process.
        return deliver(&url).await;
    }
    let t = testing::fresh().await;
    let delivered: Arc<Mutex<HashSet<String>>> = Arc::default();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let addr = flaky_receiver(delivered.clone(), seen.clone()).await;
    let form = crate::domain::webhooks::EndpointForm {
        url: format!("http://{addr}/hook"),
        description: String::new(),
        events: vec!["month.closed".into()],
    };
    let key = super::secret_box::SecretBox::from_config(&delivery_config(&t.url)).unwrap().unwrap();
    let endpoint = super::webhooks::create(&t.db, &key, "ada", form.validate(true).unwrap(), Utc::now()).await.unwrap();
    let endpoint = endpoint.endpoint.id;
    // Events keep coming while the deliverer is killed again and again.
    let write_events = |from: usize, to: usize| {
        let db = t.db.clone();
        async move {
            for n in from..to {
                let mut tx = db::begin_write(&db).await.unwrap();
                let event = super::events::Event {
                    kind: crate::domain::events::EventKind::MonthClosed,
                    customer: None,
                    data: serde_json::json!({ "n": n }),
                    cause: None,
                };
                super::events::record(&mut tx, event, Utc::now()).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
    };
    write_events(0, 100).await;
    let module = module_path!().split_once("::").map_or(module_path!(), |(_, path)| path);
    let mut rng = rand::thread_rng();
    for kill in 0..DELIVERY_KILLS {
        let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
            .args([&format!("{module}::{DELIVERY_TEST}"), "--exact", "--nocapture", "--test-threads=1"])
            .env(DELIVERY_URL_ENV, &t.url)
            .env_remove(testing::POSTGRES_ENV)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("the deliverer process");
        write_events(100 + kill * 4, 104 + kill * 4).await;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(50..600))).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
    }
    let sent_while_killed = seen.lock().unwrap().len();

    // Afterwards one more deliverer (here, with the clock moved on so the
    // retries come due) finishes the queue.
    let sender = Arc::new(super::deliveries::Sender::new(&delivery_config(&t.url), "127.0.0.1:1".parse().unwrap()));
    let mut now = Utc::now();
    for _ in 0..200 {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
            .fetch_one(&t.db)
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        super::deliveries::deliver_due(&t.db, &sender, now).await.unwrap();
        now += chrono::Duration::seconds(20);
    }
    let events: Vec<String> =
        sqlx::query_scalar("SELECT id FROM events WHERE kind = 'month.closed'").fetch_all(&t.db).await.unwrap();
    assert_eq!(events.len(), 100 + DELIVERY_KILLS * 4);
    let states: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.id, d.state FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.endpoint_id = $1",
    )
    .bind(endpoint)
    .fetch_all(&t.db)
    .await
    .unwrap();
    assert_eq!(states.len(), events.len(), "one delivery per event");
    let delivered = delivered.lock().unwrap().clone();
    for (id, state) in &states {
        assert_eq!(state, "delivered", "{id} is not delivered");
        assert!(delivered.contains(id), "{id} is marked delivered, but the receiver never took it");
    }
    let seen = seen.lock().unwrap().len();
    println!(
        "{DELIVERY_KILLS} kills: {} events, {sent_while_killed} requests while killing, {seen} in all ({} repeats)",
        events.len(),
        seen - events.len()
    );
    assert!(sent_while_killed > 0, "the deliverer sent while it was being killed");
}
