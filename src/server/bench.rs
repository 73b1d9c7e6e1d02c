//! `msp-bench customers`: fills a temporary database with many
//! customers and times the list server function over the real router.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request};
use chrono::Utc;
use tower::ServiceExt;

use super::config::Config;
use super::db::{self, begin_write, Time};
use super::fixtures::customer_form;
use super::loopback::{report_body, Connection};
use super::passwords::HashLimit;
use super::router::router_on;
use super::{customers, sessions, staff};
use crate::domain::customer::CustomerForm;
use crate::domain::customer_list::{ListQuery, ListTab, SortKey};
use crate::domain::{Password, Role, Username};

pub(super) const NAMES: [&str; 12] = [
    "Müller",
    "Schmidt",
    "Acme",
    "Globex",
    "Nordlicht",
    "Bäckerei",
    "Initech",
    "Krüger",
    "Sakura",
    "Björk",
    "Fischer",
    "Hoffmann",
];

pub(super) fn form(i: usize) -> CustomerForm {
    CustomerForm {
        contract_end: (Utc::now().date_naive() + chrono::Duration::days(1 + (i as i64 * 13) % 700)).to_string(),
        database_name: format!("customer_{i:05}"),
        max_users: (1 + (i * 37) % 2000).to_string(),
        limit_user_creation: i.is_multiple_of(2),
        ..customer_form(&format!("{} {i:05}", NAMES[i % NAMES.len()]), i % 10 < 7, &["web_access"])
    }
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

/// Median, p95 and max of `times`, in milliseconds.
pub(super) fn summary(mut times: Vec<Duration>) -> [f64; 3] {
    times.sort();
    if times.is_empty() {
        return [0.0; 3];
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    [ms(percentile(&times, 0.5)), ms(percentile(&times, 0.95)), ms(times[times.len() - 1])]
}

/// What a series of calls of one server function took.
pub(super) struct Timings {
    /// The first call (it computes what is not cached yet).
    pub first: Duration,
    /// The calls after the warm-up ones.
    pub timed: Vec<Duration>,
    /// The first answer's body.
    pub first_body: Vec<u8>,
    /// The last answer's size in bytes.
    pub size: usize,
}

/// Calls the server function at `path` with `body` (`content_type`) over the
/// router `warm_up + rounds` times as the signed-in `cookie`; every answer
/// must be a success.
pub(super) async fn time_calls(
    router: &axum::Router,
    cookie: &str,
    (path, content_type, body): (&str, &str, &str),
    warm_up: usize,
    rounds: usize,
) -> anyhow::Result<Timings> {
    let mut timings =
        Timings { first: Duration::ZERO, timed: Vec::with_capacity(rounds), first_body: Vec::new(), size: 0 };
    for round in 0..warm_up + rounds {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.to_owned()))?;
        let t0 = Instant::now();
        let response = router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        let elapsed = t0.elapsed();
        anyhow::ensure!(status.is_success(), "{path}: {status} {}", String::from_utf8_lossy(&bytes));
        timings.size = bytes.len();
        if round == 0 {
            timings.first = elapsed;
            timings.first_body = bytes.to_vec();
        }
        if round >= warm_up {
            timings.timed.push(elapsed);
        }
    }
    Ok(timings)
}

/// The real router on `db`, and the cookie of a new viewer's session on it
/// (a user name of its own, so a kept database can be benchmarked again).
pub(super) async fn viewer_router(db: &super::db::Db, url: &str) -> anyhow::Result<(axum::Router, String)> {
    let name = Username::parse(&format!("bench-viewer-{}", std::process::id()))?;
    let staff_id = staff::create(
        db,
        &HashLimit::default(),
        "bench",
        &name,
        &Password::parse("bench password 123")?,
        Role::Viewer,
        Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = begin_write(db).await?;
    let token = sessions::create(&mut tx, staff_id, sessions::Origin::default(), Utc::now()).await?;
    tx.commit().await?;
    let config = Config::for_database(url);
    let cookie = format!("{}={token}", config.session_cookie_name());
    Ok((router_on(db.clone(), config), cookie))
}

pub async fn customers_list(count: usize, rounds: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("msp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let db = db::connect(&url).await?;
    let started = Instant::now();
    for i in 0..count {
        let id = customers::create(&db, "bench", &form(i), Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?.id;
        if i % 10 == 9 {
            customers::deactivate(&db, "bench", id, 1, "bench", Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    println!("filled {count} customers in {:.1} s", started.elapsed().as_secs_f64());

    let (router, cookie) = viewer_router(&db, &url).await?;

    let scenarios = [
        ("first page of 50 (Billed, by name)", ListQuery::default()),
        ("page 100 of Billed", ListQuery { page: 100, ..Default::default() }),
        (
            "sorted by contract end, descending",
            ListQuery { sort: SortKey::ContractEnd, descending: true, ..Default::default() },
        ),
        ("name search \"müller\"", ListQuery { search: "müller".into(), ..Default::default() }),
        ("name search \"00042\" (one hit)", ListQuery { search: "00042".into(), ..Default::default() }),
        ("Deactivated tab", ListQuery { tab: ListTab::Deactivated, ..Default::default() }),
    ];
    println!("list server function over the router, {rounds} calls each (after 10 warm-up calls):");
    println!("{:<40} {:>9} {:>9} {:>9}", "scenario", "median", "p95", "max");
    for (label, query) in scenarios {
        let body = serde_json::json!({ "query": query }).to_string();
        let call = ("/api/customers/list", "application/json", body.as_str());
        let timings = time_calls(&router, &cookie, call, 10, rounds).await?;
        let page: crate::views::customers::CustomerPage = serde_json::from_slice(&timings.first_body)?;
        anyhow::ensure!(!page.rows.is_empty(), "{label}: no rows");
        let [median, p95, max] = summary(timings.timed);
        println!("{label:<40} {median:>7.2}ms {p95:>7.2}ms {max:>7.2}ms");
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// One-row commits per measure of the raw rate.
const RAW_COMMITS: usize = 10_000;

/// The database's rate of write transactions of one insert each, over
/// `count` of them, in commits per second.
async fn raw_commits(db: &db::Db, count: usize) -> anyhow::Result<f64> {
    sqlx::query("CREATE TABLE bench_raw (customer_id BIGINT, users BIGINT, at TEXT)").execute(db).await?;
    let t0 = Instant::now();
    for n in 0..count {
        let mut tx = begin_write(db).await?;
        sqlx::query("INSERT INTO bench_raw (customer_id, users, at) VALUES ($1, $2, $3)")
            .bind(n as i64 % 10_000)
            .bind((n % 70) as i64)
            .bind(Time(Utc::now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let rate = count as f64 / t0.elapsed().as_secs_f64();
    sqlx::query("DROP TABLE bench_raw").execute(db).await?;
    Ok(rate)
}

/// `msp-bench metering`: `customers` billed customers (created 40
/// days ago, so last month is billable), `reports` usage reports over real
/// HTTP on `connections` keep-alive connections, the database's raw rate
/// of one-row commits before and after them for comparison, then the close
/// of last month. On a
/// temporary SQLite file, or on the empty database at `database_url`.
pub async fn metering(
    database_url: Option<String>,
    customers_n: usize,
    reports: usize,
    connections: usize,
) -> anyhow::Result<()> {
    use super::{billing, metering as usage};
    let dir = std::env::temp_dir().join(format!("msp-bench-metering-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display()));
    let db = db::connect(&url).await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&db).await?;
    anyhow::ensure!(existing == 0, "the database has customers already: give bench metering an empty database");
    println!("backend: {} ({})", db::Backend::of(&db).name(), db::shown_url(&url));
    let now = Utc::now();
    let started = Instant::now();
    let mut keys = Vec::with_capacity(customers_n);
    for i in 0..customers_n {
        let mut f = form(i);
        f.billed = true;
        let made = customers::create(&db, "bench", &f, now - chrono::Duration::days(40))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        keys.push((made.id, made.api_key));
    }
    println!("filled {customers_n} billed customers in {:.1} s", started.elapsed().as_secs_f64());

    let mut config = Config::for_database(&url);
    config.api_requests_per_minute = u32::MAX;
    let router = router_on(db.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await
    });

    // The database's own limit on this machine: one row per transaction.
    let raw_before = raw_commits(&db, RAW_COMMITS).await?;

    let keys = std::sync::Arc::new(keys);
    let per_connection = reports.div_ceil(connections);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let keys = keys.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr).await?;
            let mut times = Vec::with_capacity(per_connection);
            let mut errors = 0usize;
            for n in 0..per_connection {
                let k = (c * per_connection + n) % keys.len();
                let (id, key) = &keys[k];
                let body = report_body(&format!("bench-{c}-{n}"), Utc::now(), 10 + (n % 50) as u32);
                let start = Instant::now();
                let status = conn.post("/api/v1/usage", key, &body).await?;
                times.push(start.elapsed());
                if status != 200 {
                    errors += 1;
                    if errors == 1 {
                        eprintln!("customer {id}: status {status}");
                    }
                }
            }
            anyhow::Ok((times, errors))
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (t, e) = task.await??;
        times.extend(t);
        errors += e;
    }
    let elapsed = t0.elapsed();
    let http_rate = times.len() as f64 / elapsed.as_secs_f64();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "POST /api/v1/usage over HTTP: {} reports on {connections} connections in {:.2} s = {:.0} reports/s; \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; errors {errors}",
        times.len(),
        elapsed.as_secs_f64(),
        http_rate,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
    );
    server.abort();

    // The database's own limit on this machine, again: the disk's rate of
    // flushes drifts by half within minutes here, so the reports are
    // compared with the mean of a measure taken before and one after them.
    let raw_after = raw_commits(&db, RAW_COMMITS).await?;
    let raw_rate = (raw_before + raw_after) / 2.0;
    println!(
        "raw one-row commits (a write transaction with one insert each): {raw_before:.0} commits/s before the \
         reports, {raw_after:.0} after, {raw_rate:.0} on average"
    );
    if (raw_before - raw_after).abs() > 0.2 * raw_rate {
        println!("the disk's commit rate moved by more than a fifth during this run: compare with care");
    }
    println!("reports/s over HTTP vs raw commits/s: {:.0} % (target: at least 150 %)", http_rate / raw_rate * 100.0);
    let count = reports.min(20_000);

    // The storage path of a report without HTTP, one writer.
    let t0 = Instant::now();
    for n in 0..count {
        let (id, _) = &keys[n % keys.len()];
        let report = crate::domain::usage::UsageReport {
            report_id: format!("raw-{n}"),
            observed_at: Utc::now(),
            users: (n % 70) as u32,
        };
        usage::ingest(&db, *id, &report, Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let elapsed = t0.elapsed();
    println!(
        "metering::ingest directly (one writer): {count} reports in {:.2} s = {:.0} reports/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );

    // Usage for last month, then its close.
    let last_month = crate::domain::BillingMonth::of(now.date_naive()).previous();
    let mid = last_month.first_day().and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    let mut tx = begin_write(&db).await?;
    for (id, _) in keys.iter() {
        sqlx::query("INSERT INTO usage_daily (customer_id, day, peak_users) VALUES ($1, $2, $3)")
            .bind(id)
            .bind((mid.date_naive() + chrono::Duration::days(*id % 20)).to_string())
            .bind(5 + id % 90)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let t0 = Instant::now();
    let outcome =
        billing::close_month(&db, "bench", last_month, Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "close of {last_month}: {} statements, total {}, in {:.2} s",
        outcome.statements,
        outcome.total,
        t0.elapsed().as_secs_f64()
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
