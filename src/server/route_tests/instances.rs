//! Two app instances on one database, as behind a load balancer: each has
//! its own connection pool, caches, usage writer and rate limiter, and they
//! share nothing but the database (the backend under test: on PostgreSQL
//! this is the scale-out setup; on SQLite two processes on one file).

use crate::server::router::state_on;
use std::collections::HashSet;

use chrono::{Duration, Utc};

use super::*;
use crate::domain::usage::UsageReport;
use crate::domain::BillingMonth;
use crate::server::{api_keys, customers, db, jobs, metering};

/// How many months both instances close at the same moment.
const MONTHS: usize = 100;
const CUSTOMERS: usize = 3;

async fn second_instance(app: &TestApp) -> TestApp {
    instance_with(app, Config::for_database("sqlite://unused")).await
}

async fn instance_with(app: &TestApp, config: Config) -> TestApp {
    let db = db::connect(&app.t.url).await.expect("a second pool on the same database");
    let state = state_on(db, config);
    TestApp::serving(state, app.t.clone())
}

/// Billed customers since the start of `first`, each with a usage report
/// in its first month (carried forward into every later month).
async fn customers_since(app: &TestApp, first: BillingMonth) -> Vec<i64> {
    // The seeded price list starts in 2020; these customers are older.
    sqlx::query("UPDATE price_lists SET effective_month = $1")
        .bind(first.to_string())
        .execute(&app.t.db)
        .await
        .unwrap();
    let start = first.first_day().and_hms_opt(8, 0, 0).unwrap().and_utc();
    let mut ids = Vec::new();
    for i in 0..CUSTOMERS {
        let form = crate::server::billing_tests::form(&format!("Shared {i}"), true, &["web_access"]);
        let id = customers::create(&app.t.db, "otto", &form, start).await.unwrap().id;
        let report = UsageReport { report_id: format!("first-{i}"), observed_at: start, users: 5 + i as u32 };
        metering::ingest(&app.t.db, id, &report, start).await.unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn both_instances_closing_every_month_at_once_write_one_statement_per_customer_and_month() {
    let a = TestApp::with_every_role().await;
    let b = second_instance(&a).await;

    // A session made on one instance is valid on the other, both ways.
    let on_a = a.cookie_for("ada").await;
    let on_b = b.cookie_for("otto").await;
    assert_eq!(b.get("/customers", Some(&on_a)).await.status(), StatusCode::OK);
    assert_eq!(a.get("/customers", Some(&on_b)).await.status(), StatusCode::OK);
    let signed_out = b.post("/api/logout", "", Some(&on_a)).await;
    assert!(signed_out.status().is_success() || signed_out.status().is_redirection(), "{}", signed_out.status());
    assert_eq!(a.get("/customers", Some(&on_a)).await.status(), StatusCode::SEE_OTHER, "signed out everywhere");
    let on_a = a.cookie_for("ada").await;

    let now = Utc::now();
    let mut month = BillingMonth::of(now.date_naive());
    for _ in 0..MONTHS {
        month = month.previous();
    }
    let ids = customers_since(&a, month).await;
    let mut closed_now = 0;
    for _ in 0..MONTHS {
        let form = format!("month={month}");
        let (ra, rb) = tokio::join!(
            a.post("/api/billing/close_month", &form, Some(&on_a)),
            b.post("/api/billing/close_month", &form, Some(&on_a)),
        );
        for response in [ra, rb] {
            assert_eq!(response.status(), StatusCode::OK, "closing {month}");
            let outcome: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
            assert_eq!(outcome["statements"], CUSTOMERS, "{month}: {outcome}");
            closed_now += usize::from(outcome["closed_now"] == true);
        }
        month = month.next();
    }
    assert_eq!(month, BillingMonth::of(now.date_naive()), "every month up to the current one");
    assert_eq!(closed_now, MONTHS, "one of the two closed each month, the other found it closed");

    let per_month: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT customer_id, month, COUNT(*) FROM statements GROUP BY customer_id, month ORDER BY month, customer_id",
    )
    .fetch_all(&a.t.db)
    .await
    .unwrap();
    assert_eq!(per_month.len(), MONTHS * CUSTOMERS);
    assert!(per_month.iter().all(|(_, _, n)| *n == 1), "a customer has two statements for a month");
    let customers: HashSet<i64> = per_month.iter().map(|(id, ..)| *id).collect();
    assert_eq!(customers, ids.iter().copied().collect());
    let closes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM month_closes").fetch_one(&a.t.db).await.unwrap();
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'month.closed'")
        .fetch_one(&a.t.db)
        .await
        .unwrap();
    assert_eq!((closes, audited), (MONTHS as i64, MONTHS as i64));
    // Each statement has all its lines: users and the option.
    let partial: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statements s WHERE (SELECT COUNT(*) FROM statement_lines l WHERE l.statement_id = s.id) <> 2",
    )
    .fetch_one(&a.t.db)
    .await
    .unwrap();
    assert_eq!(partial, 0);
}

#[tokio::test]
async fn both_instances_running_the_contract_end_job_at_once_deactivate_each_customer_once() {
    let a = TestApp::new().await;
    let b = db::connect(&a.t.url).await.expect("a second pool on the same database");
    let ended = Utc::now().date_naive() - Duration::days(3);
    for i in 0..8 {
        jobs::tests::customer_ending(&a.t, &format!("Ending{i}"), ended).await;
    }
    let now = Utc::now();
    let (on_a, on_b) =
        tokio::join!(jobs::deactivate_ended_contracts(&a.t.db, now), jobs::deactivate_ended_contracts(&b, now));
    assert_eq!(on_a.unwrap() + on_b.unwrap(), 8);
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.deactivated'")
        .fetch_one(&a.t.db)
        .await
        .unwrap();
    assert_eq!(entries, 8);
}

/// An instance remembers the keys it saw valid, and the usage writer checks
/// each again: a key changed on the other instance stops at once here.
#[tokio::test]
async fn a_key_rotated_revoked_or_removed_on_one_instance_stops_at_once_on_the_other() {
    let a = TestApp::with_api_limit(1000).await;
    let b = second_instance(&a).await;
    let (id, key) = a.customer("Acme", 50, false).await;
    let report = |n: u32| serde_json::json!({ "report_id": format!("k{n}"), "observed_at": Utc::now().to_rfc3339(), "users": n });
    assert_eq!(a.report(&key, report(1)).await.status, StatusCode::OK, "a saw the key valid");
    assert_eq!(a.license(&key).await.status, StatusCode::OK);

    let rotated = api_keys::rotate(&b.t.db, "otto", id, Utc::now()).await.unwrap();
    let refused = a.report(&key, report(2)).await;
    assert_eq!((refused.status, refused.json["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    assert_eq!(a.license(&key).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.report(&rotated, report(3)).await.status, StatusCode::OK, "the new key works on a");

    // A deactivated customer's reports are refused on a, however its key
    // was remembered; its license is still answered.
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM customers WHERE id = $1").bind(id).fetch_one(&b.t.db).await.unwrap();
    customers::deactivate(&b.t.db, "otto", id, version, "Contract ended", Utc::now()).await.unwrap();
    let refused = a.report(&rotated, report(4)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.json);
    let malformed = a.machine(Method::POST, "/api/v1/usage", Some(&rotated), "application/json", "{".into()).await;
    assert_eq!(malformed.status, StatusCode::FORBIDDEN, "the status before the body");
    let license = a.license(&rotated).await;
    assert_eq!((license.status, license.json["status"].as_str()), (StatusCode::OK, Some("deactivated")));

    api_keys::revoke(&b.t.db, "otto", id, Utc::now()).await.unwrap();
    assert_eq!(a.license(&rotated).await.status, StatusCode::UNAUTHORIZED);
    let stored: Vec<String> = sqlx::query_scalar("SELECT report_id FROM usage_reports WHERE customer_id = $1")
        .bind(id)
        .fetch_all(&a.t.db)
        .await
        .unwrap();
    assert_eq!(stored, ["k1", "k3"], "nothing from a refused key or a deactivated customer");
}

#[tokio::test]
async fn an_api_key_has_one_rate_limit_over_both_instances() {
    let first = TestApp::new().await;
    let mut config = Config::for_database("sqlite://unused");
    config.api_requests_per_minute = 5;
    let a = instance_with(&first, config.clone()).await;
    let b = instance_with(&first, config).await;
    let form = crate::server::billing_tests::form("Limited", true, &[]);
    let id = customers::create(&a.t.db, "otto", &form, Utc::now()).await.unwrap().id;
    let key = api_keys::rotate(&a.t.db, "otto", id, Utc::now()).await.unwrap();
    let license = |app: &TestApp| {
        let request = Request::builder()
            .uri("/api/v1/license")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        let router = app.router.clone();
        async move { router.oneshot(request).await.unwrap() }
    };
    for app in [&a, &b, &a, &b, &a] {
        assert_eq!(license(app).await.status(), StatusCode::OK);
    }
    for app in [&b, &a] {
        let refused = license(app).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the sixth request, on either instance");
        let wait: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
}
