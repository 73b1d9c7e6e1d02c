//! `msp-bench audit`: a temporary database with a million audit
//! entries, then the audit log's server functions over the real router
//! (each filter, a page deep in the log, and an export part).

use std::time::Instant;

use chrono::{NaiveDate, Utc};

use super::bench::{summary, time_calls, viewer_router};
use super::customers;
use super::db;
use super::fixtures::customer_form;
use crate::domain::audit_query::{ActionFilter, ActionGroup, AuditCursor, AuditFilter, ACTIONS};
use crate::domain::customer::CustomerForm;

const CUSTOMERS: usize = 1_000;
const PEOPLE: usize = 20;

/// `entries` audit entries over the last two years: 20 people and the
/// system, every action, one in three about one of 1,000 customers. One SQL
/// statement writes them (the app's own write path would take an hour).
async fn fill(db: &db::Db, entries: usize) -> anyhow::Result<()> {
    for i in 0..CUSTOMERS {
        let name = format!("{} {i:04}", super::bench::NAMES[i % super::bench::NAMES.len()]);
        let form = CustomerForm {
            database_name: format!("audit_bench_{i:04}"),
            max_users: "10".into(),
            ..customer_form(&name, true, &[])
        };
        customers::create(db, "bench", &form, Utc::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let first_customer: i64 = sqlx::query_scalar("SELECT MIN(id) FROM customers").fetch_one(db).await?;
    let codes: Vec<String> = ACTIONS.iter().map(|(code, _, _)| format!("'{code}'")).collect();
    let start = Utc::now() - chrono::Duration::days(730);
    let step_ms = 730 * 86_400_000 / entries as i64;
    // Actions picked by n, people by n / 7, customers by n / 3 (every third).
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {entries}), \
         codes(k, code) AS (SELECT row_number() OVER () - 1, column1 FROM (VALUES {values})) \
         INSERT INTO audit_log (at, actor, action, subject, detail, customer_id, changes) \
         SELECT strftime('%Y-%m-%dT%H:%M:%f+00:00', $1 / 1000.0 + i * {step_ms} / 1000.0, 'unixepoch'), \
                CASE WHEN i % 11 = 0 THEN 'system' ELSE 'person' || ((i / 7) % {PEOPLE}) END, \
                (SELECT code FROM codes WHERE k = i % {n_codes}), 'bench:' || i, 'filled by bench-audit', \
                CASE WHEN i % 3 = 0 THEN {first_customer} + (i / 3) % {CUSTOMERS} END, '[]' \
         FROM n",
        values = codes.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(", "),
        n_codes = codes.len(),
    );
    sqlx::query(&sql).bind(start.timestamp_millis()).execute(db).await?;
    Ok(())
}

pub async fn run(entries: usize, rounds: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("msp-bench-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let db = db::connect(&url).await?;
    let started = Instant::now();
    fill(&db, entries).await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&db).await?;
    sqlx::query("ANALYZE").execute(&db).await?;
    println!(
        "filled {total} audit entries in {:.1} s; database {:.0} MB",
        started.elapsed().as_secs_f64(),
        db::size_bytes(&db).await? as f64 / 1e6
    );
    let (router, cookie) = viewer_router(&db, &url).await?;
    let middle: i64 = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY at, id LIMIT 1 OFFSET $1")
        .bind(total / 2)
        .fetch_one(&db)
        .await?;
    let month_ago = Utc::now().date_naive() - chrono::Duration::days(30);
    let customer = format!("{} 0042", super::bench::NAMES[42 % super::bench::NAMES.len()]);
    let scenarios: Vec<(&str, &str, serde_json::Value)> = vec![
        ("newest page, no filter", "/api/audit/page", page(AuditFilter::default(), AuditCursor::Newest)),
        (
            "a page in the middle of the log",
            "/api/audit/page",
            page(AuditFilter::default(), AuditCursor::Before(middle)),
        ),
        (
            "who = person7",
            "/api/audit/page",
            page(AuditFilter { person: "person7".into(), ..Default::default() }, AuditCursor::Newest),
        ),
        (
            "action group \"customers\"",
            "/api/audit/page",
            page(
                AuditFilter { action: Some(ActionFilter::Group(ActionGroup::Customers)), ..Default::default() },
                AuditCursor::Newest,
            ),
        ),
        (
            "customer by name",
            "/api/audit/page",
            page(AuditFilter { customer: customer.clone(), ..Default::default() }, AuditCursor::Newest),
        ),
        (
            "last 30 days",
            "/api/audit/page",
            page(
                AuditFilter { from: Some(month_ago), to: Some(Utc::now().date_naive()), ..Default::default() },
                AuditCursor::Newest,
            ),
        ),
        (
            "who + action + one month",
            "/api/audit/page",
            page(
                AuditFilter {
                    person: "person3".into(),
                    action: Some(ActionFilter::Group(ActionGroup::SignIns)),
                    from: NaiveDate::from_ymd_opt(2025, 6, 1),
                    to: NaiveDate::from_ymd_opt(2025, 6, 30),
                    ..Default::default()
                },
                AuditCursor::Newest,
            ),
        ),
        (
            "export part (5,000 entries)",
            "/api/audit/export",
            serde_json::json!({ "filter": AuditFilter::default(), "before": middle }),
        ),
    ];
    println!("audit log server functions over the router, {rounds} calls each (after 3 warm-up calls):");
    println!("{:<36} {:>9} {:>9} {:>9} {:>10}", "scenario", "median", "p95", "max", "matching");
    for (label, path, body) in scenarios {
        let body = body.to_string();
        let timings = time_calls(&router, &cookie, (path, "application/json", body.as_str()), 3, rounds).await?;
        let value: serde_json::Value = serde_json::from_slice(&timings.first_body)?;
        let shown = value["entries"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(shown > 0, "{label}: no entries");
        let matching = value["total"].as_u64().map_or_else(|| format!("{shown} sent"), |t| t.to_string());
        let [median, p95, max] = summary(timings.timed);
        println!("{label:<36} {median:>7.1}ms {p95:>7.1}ms {max:>7.1}ms {matching:>10}");
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn page(filter: AuditFilter, cursor: AuditCursor) -> serde_json::Value {
    serde_json::json!({ "filter": filter, "cursor": cursor })
}
