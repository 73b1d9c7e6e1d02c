//! `msp-bench load`: a bounded mixed load over loopback against one
//! server process, on SQLite or PostgreSQL. Customers' servers report usage
//! at a fixed rate (open loop: each connection sends on its own clock,
//! whatever the answers take) while simulated staff browse the customer
//! list, customer pages and the cost overview with a short pause between
//! pages. It prints throughput, p50 / p99 / max per kind of request, the
//! errors, "database is locked" lines in the server's log, and the
//! server's memory (RSS, sampled every second).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::Utc;
use rand::Rng;

use super::bench::{form, percentile};
use super::db::{self, Backend};
use super::loopback::{ready_within, report_body, Answer, Connection};
use super::passwords::HashLimit;
use super::{customers, staff};
use crate::domain::{Password, Role, Username};

/// What `bench-load` runs.
pub struct LoadPlan {
    pub database_url: Option<String>,
    pub customers: usize,
    pub reports_per_second: u32,
    pub staff: usize,
    pub duration: Duration,
    /// Connections the reports are spread over.
    pub connections: usize,
    /// The `msp-manager` binary that serves (run as `msp-manager serve`).
    pub server: std::path::PathBuf,
}

const STAFF_PASSWORD: &str = "load test staff password 2026";

/// One kind of request's results.
#[derive(Default)]
struct Kind {
    times: Vec<Duration>,
    /// The times of the requests sent after the start ([`SETTLING`]).
    settled: Vec<Duration>,
    /// The times by [`SLOT`] of the load in which each request was sent.
    by_slot: Vec<Vec<Duration>>,
    bytes: usize,
    errors: usize,
    first_error: Option<String>,
}

type Results = BTreeMap<&'static str, Kind>;

/// The start left out of the second p99: the sign-ins of every member of
/// staff at once (password hashing) and the server's first pass of the
/// jobs (it closes last month for every customer), which hold up the
/// requests of those seconds once.
const SETTLING: Duration = Duration::from_secs(60);

/// The usage reports' p99 is also printed for each slot of this length,
/// so a slow stretch of the run shows when it happened.
const SLOT: Duration = Duration::from_secs(10);

fn record(results: &mut Results, kind: &'static str, started: Instant, outcome: anyhow::Result<Answer>) {
    let entry = results.entry(kind).or_default();
    match outcome.map(|a| (a.status, a.size)) {
        Ok((status, size)) if (200..300).contains(&status) => {
            let took = started.elapsed();
            entry.times.push(took);
            if let Some(start) = LOAD_START.get() {
                let since = started.saturating_duration_since(*start);
                if since >= SETTLING {
                    entry.settled.push(took);
                }
                let slot = (since.as_secs() / SLOT.as_secs()) as usize;
                if entry.by_slot.len() <= slot {
                    entry.by_slot.resize_with(slot + 1, Vec::new);
                }
                entry.by_slot[slot].push(took);
            }
            entry.bytes += size;
        }
        Ok((status, _)) => {
            entry.errors += 1;
            entry.first_error.get_or_insert_with(|| format!("status {status}"));
        }
        Err(error) => {
            entry.errors += 1;
            entry.first_error.get_or_insert_with(|| error.to_string());
        }
    }
}

/// The usage reports' kind of request.
const USAGE: &str = "POST /api/v1/usage";

/// When the load began.
static LOAD_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

pub async fn run(plan: LoadPlan) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("msp-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match &plan.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}/load.db", dir.display()),
    };
    let backend = Backend::of_url(&url)?;
    let database = db::connect(&url).await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&database).await?;
    if existing > 0 {
        bail!("the database has customers already: give bench-load an empty database");
    }
    println!("backend: {} ({})", backend.name(), db::shown_url(&url));

    // Customers created 40 days ago (last month is billable), each with its
    // API key, and staff accounts that browse.
    let t0 = Instant::now();
    let created = Utc::now() - chrono::Duration::days(40);
    let (mut keys, mut ids) = (Vec::with_capacity(plan.customers), Vec::with_capacity(plan.customers));
    for i in 0..plan.customers {
        let made = customers::create(&database, "bench", &form(i), created)
            .await
            .map_err(|e| anyhow::anyhow!("bench data: {e}"))?;
        keys.push(made.api_key);
        ids.push(made.id);
    }
    let password = Password::parse(STAFF_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut staff_names = Vec::new();
    for i in 0..plan.staff {
        let name = format!("staff-{i:02}");
        let role = [Role::Viewer, Role::Operator, Role::Admin][i % 3];
        let username = Username::parse(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
        staff::create(&database, &HashLimit::default(), "bench", &username, &password, role, Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        staff_names.push(name);
    }
    database.close().await;
    println!(
        "filled {} customers with API keys and {} staff accounts in {:.1} s",
        plan.customers,
        plan.staff,
        t0.elapsed().as_secs_f64()
    );

    let server = Server::start(&plan.server, &url, &dir).await?;
    let addr = server.addr;
    println!(
        "server pid {}, {} reports/s on {} connections, {} staff, {:.0} s",
        server.pid(),
        plan.reports_per_second,
        plan.connections,
        plan.staff,
        plan.duration.as_secs_f64()
    );

    let deadline = Instant::now() + plan.duration;
    LOAD_START.get_or_init(Instant::now);
    let keys = Arc::new(keys);
    let mut tasks = Vec::new();
    let interval = Duration::from_secs_f64(plan.connections as f64 / f64::from(plan.reports_per_second));
    for c in 0..plan.connections {
        let keys = keys.clone();
        tasks.push(tokio::spawn(report_loop(addr, c, plan.connections, keys, interval, deadline)));
    }
    for name in staff_names {
        tasks.push(tokio::spawn(staff_loop(addr, name, ids.clone(), deadline)));
    }
    let memory = tokio::spawn(sample_rss(server.pid(), deadline));

    let started = Instant::now();
    let mut results = Results::new();
    for task in tasks {
        for (kind, mut part) in task.await?? {
            let entry = results.entry(kind).or_default();
            entry.times.append(&mut part.times);
            entry.settled.append(&mut part.settled);
            if entry.by_slot.len() < part.by_slot.len() {
                entry.by_slot.resize_with(part.by_slot.len(), Vec::new);
            }
            for (mine, theirs) in entry.by_slot.iter_mut().zip(&mut part.by_slot) {
                mine.append(theirs);
            }
            entry.bytes += part.bytes;
            entry.errors += part.errors;
            if entry.first_error.is_none() {
                entry.first_error = part.first_error;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (rss_max, rss_last) = memory.await?;
    let log = server.stop().await?;
    let locked = log.lines().filter(|l| l.contains("database is locked")).count();
    let logged_errors = log.lines().filter(|l| l.contains("\"ERROR\"") || l.contains(" ERROR ")).count();

    println!(
        "\n{:<28} {:>8} {:>9} {:>9} {:>9} {:>9} {:>8} {:>7} {:>14}",
        "request", "count", "per s", "p50 ms", "p99 ms", "max ms", "avg KB", "errors", "p99 after 60 s"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut errors = 0;
    let mut usage_slots = Vec::new();
    for (kind, mut entry) in results {
        if kind == USAGE {
            usage_slots = std::mem::take(&mut entry.by_slot);
        }
        entry.times.sort();
        entry.settled.sort();
        let settled = if entry.settled.is_empty() { 0.0 } else { ms(percentile(&entry.settled, 0.99)) };
        let (p50, p99, max) = match entry.times.last() {
            Some(last) => (ms(percentile(&entry.times, 0.5)), ms(percentile(&entry.times, 0.99)), ms(*last)),
            None => (0.0, 0.0, 0.0),
        };
        println!(
            "{kind:<28} {:>8} {:>9.1} {p50:>9.1} {p99:>9.1} {max:>9.1} {:>8.1} {:>7} {settled:>14.1}",
            entry.times.len(),
            entry.times.len() as f64 / elapsed,
            entry.bytes as f64 / entry.times.len().max(1) as f64 / 1024.0,
            entry.errors
        );
        if let Some(first) = entry.first_error {
            println!("  first error: {first}");
        }
        errors += entry.errors;
    }
    println!("\n{USAGE}, by {} s of the load: p99 / max ms (count)", SLOT.as_secs());
    for (i, mut times) in usage_slots.into_iter().enumerate() {
        times.sort();
        if let Some(last) = times.last() {
            println!(
                "  from {:>4} s {:>9.1} / {:>7.1} ({})",
                i as u64 * SLOT.as_secs(),
                ms(percentile(&times, 0.99)),
                ms(*last),
                times.len()
            );
        }
    }
    println!(
        "\nerrors: {errors}; \"database is locked\" in the server log: {locked}; error lines logged: {logged_errors}"
    );
    println!("server memory (RSS): max {:.1} MB, at the end {:.1} MB", rss_max as f64 / 1e6, rss_last as f64 / 1e6);
    if plan.database_url.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(())
}

/// Sends this connection's share of the reports on its own clock.
async fn report_loop(
    addr: SocketAddr,
    c: usize,
    connections: usize,
    keys: Arc<Vec<String>>,
    interval: Duration,
    deadline: Instant,
) -> anyhow::Result<Results> {
    let mut results = Results::new();
    let mut conn = Connection::open(addr).await?;
    // Spread the connections' clocks over one interval.
    let start = tokio::time::Instant::now() + interval.mul_f64(c as f64 / connections as f64);
    let mut tick = tokio::time::interval_at(start, interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut n = 0usize;
    while Instant::now() < deadline {
        tick.tick().await;
        // Customer c, c + connections, …: every customer reports in turn.
        let key = &keys[(c + n * connections) % keys.len()];
        let body = report_body(&format!("load-{c}-{n}"), Utc::now(), 10 + (n % 40) as u32);
        let started = Instant::now();
        let headers = format!("Authorization: Bearer {key}\r\nContent-Type: application/json\r\n");
        let outcome = conn.send("POST", "/api/v1/usage", &headers, &body).await;
        if outcome.is_err() {
            conn = Connection::open(addr).await?;
        }
        record(&mut results, USAGE, started, outcome);
        if n % 10 == 9 {
            let started = Instant::now();
            let headers = format!("Authorization: Bearer {key}\r\n");
            let outcome = conn.send("GET", "/api/v1/license", &headers, "").await;
            record(&mut results, "GET /api/v1/license", started, outcome);
        }
        n += 1;
    }
    Ok(results)
}

/// A member of staff: signs in, then opens pages with a pause of 0.5–1.5 s
/// between them, as a person clicking through the app would.
async fn staff_loop(addr: SocketAddr, name: String, ids: Vec<i64>, deadline: Instant) -> anyhow::Result<Results> {
    let mut results = Results::new();
    let mut conn = Connection::open(addr).await?;
    let form_headers = format!(
        "Origin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n"
    );
    let body = format!("username={name}&password={}&next=", STAFF_PASSWORD.replace(' ', "+"));
    let started = Instant::now();
    let login = conn.send("POST", "/api/login", &form_headers, &body).await?;
    let cookie = login.set_cookie.clone().with_context(|| format!("sign-in of {name}: status {}", login.status))?;
    record(&mut results, "POST /api/login", started, Ok(login));
    let page_headers = format!("Cookie: {cookie}\r\nAccept: text/html\r\n");
    let last_month = crate::domain::BillingMonth::of(Utc::now().date_naive()).previous();
    let mut step = 0usize;
    while Instant::now() < deadline {
        let pause = rand::thread_rng().gen_range(500..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let (kind, path) = match step % 6 {
            0 => ("GET /customers (list)", format!("/customers?page={}", 1 + step % 20)),
            1 => ("GET /customers?q= (search)", format!("/customers?q={}", ["sec", "nord", "7", "alp"][step % 4])),
            2 | 3 => {
                let id = ids[rand::thread_rng().gen_range(0..ids.len())];
                ("GET /customers/{id}", format!("/customers/{id}"))
            }
            4 => ("GET /costs (this month)", "/costs".to_owned()),
            _ => ("GET /costs?month= (closed)", format!("/costs?month={last_month}")),
        };
        let started = Instant::now();
        let outcome = conn.send("GET", &path, &page_headers, "").await;
        if outcome.is_err() {
            conn = Connection::open(addr).await?;
        }
        record(&mut results, kind, started, outcome);
        step += 1;
    }
    Ok(results)
}

/// The server's resident memory every second until `deadline`: (max, last).
async fn sample_rss(pid: u32, deadline: Instant) -> (u64, u64) {
    let (mut max, mut last) = (0, 0);
    while Instant::now() < deadline {
        if let Some(rss) = rss_bytes(pid) {
            max = max.max(rss);
            last = rss;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    (max, last)
}

fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// This binary's `serve`, as its own process, on a free loopback port.
struct Server {
    child: tokio::process::Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    async fn start(binary: &std::path::Path, url: &str, dir: &std::path::Path) -> anyhow::Result<Self> {
        let addr: SocketAddr = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?
        };
        let log = dir.join("server.log");
        let child = tokio::process::Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("RUST_LOG", "warn")
            .env("MSP_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start the server {}", binary.display()))?;
        let server = Self { child, addr, log };
        if ready_within(addr, Duration::from_secs(30)).await {
            return Ok(server);
        }
        bail!("the server did not become ready; see {}", server.log.display())
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// Stops the server (SIGTERM, as an operator would) and returns its log.
    async fn stop(mut self) -> anyhow::Result<String> {
        if let Some(pid) = self.child.id().and_then(|p| rustix::process::Pid::from_raw(p as i32)) {
            rustix::process::kill_process(pid, rustix::process::Signal::TERM).ok();
        }
        tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.ok();
        Ok(std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}
