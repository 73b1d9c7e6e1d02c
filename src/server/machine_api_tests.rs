//! The machine API over the real router and a real database (`TestApp`): every
//! status with its JSON body, idempotency, keys, and the OpenAPI document
//! compared with what the routes answer.

use axum::http::{header, Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use super::db::Backend;
use super::fixtures::customer_form;
use super::machine_api::OPENAPI;
use super::test_app::TestApp;
use super::{api_keys, billing, clock, customers};
use crate::domain::customer::CustomerForm;
use crate::domain::BillingMonth;

fn report(id: &str, minutes_ago: i64, users: i64) -> Value {
    report_at(id, Utc::now() - Duration::minutes(minutes_ago), users)
}

fn report_at(id: &str, at: chrono::DateTime<Utc>, users: i64) -> Value {
    json!({ "report_id": id, "observed_at": at.to_rfc3339(), "users": users })
}

/// `n` moments of today, oldest first, a second apart and none in the
/// future (so that a test just after midnight does not span two days).
fn moments_today(n: i64) -> Vec<chrono::DateTime<Utc>> {
    let now = Utc::now();
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let first = (now - Duration::seconds(n)).max(midnight);
    (0..n).map(|i| (first + Duration::seconds(i)).min(now)).collect()
}

#[tokio::test]
async fn a_report_is_stored_as_the_days_peak_and_answered_with_the_license() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, true).await;
    let db = &api.t.db;
    let changes = |name: &'static str| async move {
        let n: i64 = sqlx::query_scalar("SELECT value FROM change_counters WHERE name = $1")
            .bind(name)
            .fetch_one(db)
            .await
            .unwrap();
        n
    };
    let (customer_changes, usage_changes) = (changes("customers").await, changes("usage").await);
    let at = moments_today(3);
    let first = api.report(&key, report_at("r1", at[0], 17)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    // The cost overview's cache learns of it.
    assert!(changes("usage").await > usage_changes);
    assert_eq!(first.json["report_id"], "r1");
    assert_eq!(first.json["late"], false);
    assert_eq!(first.json["license"]["max_users"], 50);
    assert_eq!(first.json["license"]["users"], 17);
    assert_eq!(first.json["license"]["can_create_user"], true);
    assert_eq!(first.json["license"]["options"], json!(["discovery", "web_access"]));
    // A higher and then a lower count the same day: the peak stays.
    api.report(&key, report_at("r2", at[1], 23)).await;
    api.report(&key, report_at("r3", at[2], 19)).await;
    let peak = api.count("SELECT MAX(peak_users) FROM usage_daily WHERE customer_id = $1", id).await;
    let days = api.count("SELECT COUNT(*) FROM usage_daily WHERE customer_id = $1", id).await;
    assert_eq!((peak, days), (23, 1));
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await, 3);
    // The current count is the latest observation, not the peak.
    let license = api.license(&key).await;
    assert_eq!(license.status, StatusCode::OK);
    assert_eq!(license.json["users"], 19);
    assert_eq!(license.json["status"], "active");
    // The count is kept beside the customer: reports change neither its
    // row nor the count of customer changes the cost overview watches.
    assert_eq!(api.count("SELECT reported_users FROM customer_usage WHERE customer_id = $1", id).await, 19);
    assert_eq!(api.count("SELECT version FROM customers WHERE id = $1", id).await, 1);
    assert_eq!(changes("customers").await, customer_changes);
}

#[tokio::test]
async fn a_count_at_or_under_the_days_peak_does_not_write_the_day_again() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, true).await;
    let at = moments_today(4);
    assert_eq!(api.report(&key, report_at("r1", at[0], 23)).await.status, StatusCode::OK);
    // Every update of a day's row is noted in a table of the test's own.
    let db = &api.t.db;
    let setup: &[&str] = match Backend::of(db) {
        Backend::Sqlite => &[
            "CREATE TABLE daily_writes (customer_id BIGINT NOT NULL)",
            "CREATE TRIGGER daily_written AFTER UPDATE ON usage_daily \
             BEGIN INSERT INTO daily_writes (customer_id) VALUES (new.customer_id); END",
        ],
        Backend::Postgres => &[
            "CREATE TABLE daily_writes (customer_id BIGINT NOT NULL)",
            "CREATE FUNCTION note_daily_write() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN INSERT INTO daily_writes (customer_id) VALUES (NEW.customer_id); RETURN NULL; END $$",
            "CREATE TRIGGER daily_written AFTER UPDATE ON usage_daily \
             FOR EACH ROW EXECUTE FUNCTION note_daily_write()",
        ],
    };
    for statement in setup {
        sqlx::query(statement).execute(db).await.unwrap();
    }
    let writes = "SELECT COUNT(*) FROM daily_writes WHERE customer_id = $1";
    // Lower, then the same: stored, the day's row untouched.
    for (n, users) in [(1, 19), (2, 23)] {
        let answer = api.report(&key, report_at(&format!("r{}", n + 1), at[n], users)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    }
    assert_eq!(api.count(writes, id).await, 0);
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await, 3);
    assert_eq!(api.license(&key).await.json["users"], 23);
    // Higher: the one write that raises the peak.
    assert_eq!(api.report(&key, report_at("r4", at[3], 31)).await.status, StatusCode::OK);
    assert_eq!(api.count(writes, id).await, 1);
    assert_eq!(api.count("SELECT peak_users FROM usage_daily WHERE customer_id = $1", id).await, 31);
}

#[tokio::test]
async fn an_older_report_arriving_late_does_not_replace_the_current_count() {
    let api = TestApp::with_api_limit(1000).await;
    let (_, key) = api.customer("Acme", 50, false).await;
    api.report(&key, report("new", 5, 30)).await;
    api.report(&key, report("old", 60, 12)).await;
    assert_eq!(api.license(&key).await.json["users"], 30);
}

#[tokio::test]
async fn the_same_report_again_changes_nothing_and_gets_the_same_answer() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    let body = report("same", 5, 9);
    let first = api.report(&key, body.clone()).await;
    let again = api.report(&key, body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json, first.json);
    assert_eq!(again.headers.get("idempotent-replay").unwrap(), "true");
    assert!(first.headers.get("idempotent-replay").is_none());
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await, 1);
}

#[tokio::test]
async fn the_same_report_id_with_another_body_is_refused_and_changes_nothing() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    api.report(&key, report("dup", 5, 9)).await;
    let other = api.report(&key, report("dup", 5, 99)).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.json["error"], "report_id_reused");
    assert_eq!(api.count("SELECT MAX(peak_users) FROM usage_daily WHERE customer_id = $1", id).await, 9);
    assert_eq!(api.license(&key).await.json["users"], 9);
    // Report ids are per customer: another customer may use the same one.
    let (_, other_key) = api.customer("Globex", 10, false).await;
    assert_eq!(api.report(&other_key, report("dup", 5, 99)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_valid_key_the_answer_is_401() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    let none = api.machine(Method::GET, "/api/v1/license", None, "", String::new()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.json["error"], "unauthorized");
    assert_eq!(none.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    assert_eq!(api.license("msp_not-a-real-key").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.license(&key[..key.len() - 1]).await.status, StatusCode::UNAUTHORIZED);
    // Rotated: the old key stops at once, the new one works.
    let new_key = api_keys::rotate(&api.t.db, "otto", id, Utc::now()).await.unwrap();
    assert_eq!(api.license(&key).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.license(&new_key).await.status, StatusCode::OK);
    // Revoked: nothing works.
    api_keys::revoke(&api.t.db, "otto", id, Utc::now()).await.unwrap();
    assert_eq!(api.license(&new_key).await.status, StatusCode::UNAUTHORIZED);
    let refused = api.report(&new_key, report("x", 1, 1)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await, 0);
}

#[tokio::test]
async fn a_removed_customers_key_stops_working_at_once() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    customers::remove(&api.t.db, "otto", id, 1, "Acme", Utc::now()).await.unwrap();
    assert_eq!(api.license(&key).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.report(&key, report("x", 1, 1)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_keys_valid_as_an_instance_starts_are_known_before_their_first_request() {
    let api = TestApp::with_api_limit(1000).await;
    let (acme, acme_key) = api.customer("Acme", 50, true).await;
    let (paused, paused_key) = api.customer("Paused", 10, false).await;
    customers::deactivate(&api.t.db, "otto", paused, 1, "unpaid", Utc::now()).await.unwrap();
    let (gone, gone_key) = api.customer("Gone", 10, false).await;
    customers::remove(&api.t.db, "otto", gone, 1, "Gone", Utc::now()).await.unwrap();
    let (rotated, old_key) = api.customer("Rotated", 10, false).await;
    let new_key = api_keys::rotate(&api.t.db, "otto", rotated, Utc::now()).await.unwrap();

    let known = api_keys::KnownKeys::default();
    assert_eq!(known.load(&api.t.db).await.unwrap(), 3);
    let of = |key: &str| known.get(&api_keys::hash_of_key(key).unwrap());
    assert_eq!(of(&acme_key), Some(acme));
    // A deactivated customer's key still gets its 403, so it is known.
    assert_eq!(of(&paused_key), Some(paused));
    assert_eq!(of(&new_key), Some(rotated));
    assert_eq!((of(&gone_key), of(&old_key)), (None, None));
}

#[tokio::test]
async fn a_deactivated_customer_may_read_its_license_but_not_report() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    customers::deactivate(&api.t.db, "otto", id, 1, "unpaid", Utc::now()).await.unwrap();
    let refused = api.report(&key, report("x", 1, 1)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json["error"], "customer_deactivated");
    let license = api.license(&key).await;
    assert_eq!(license.status, StatusCode::OK);
    assert_eq!(license.json["status"], "deactivated");
    assert_eq!(license.json["can_create_user"], false);
}

#[tokio::test]
async fn with_the_hard_limit_reached_no_user_may_be_created() {
    let api = TestApp::with_api_limit(1000).await;
    let (_, limited) = api.customer("Acme", 20, true).await;
    let (_, open) = api.customer("Globex", 20, false).await;
    assert_eq!(api.report(&limited, report("a", 2, 19)).await.json["license"]["can_create_user"], true);
    assert_eq!(api.report(&limited, report("b", 1, 20)).await.json["license"]["can_create_user"], false);
    assert_eq!(api.report(&open, report("a", 1, 25)).await.json["license"]["can_create_user"], true);
}

#[tokio::test]
async fn bad_bodies_get_400_413_415_or_422_and_nothing_is_written() {
    let api = TestApp::with_api_limit(1000).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    let post = |ct: &'static str, body: String| {
        let key = key.clone();
        let api = &api;
        async move { api.machine(Method::POST, "/api/v1/usage", Some(&key), ct, body).await }
    };
    let malformed = post("application/json", "{\"report_id\": ".to_owned()).await;
    assert_eq!((malformed.status, malformed.json["error"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let wrong_type =
        post("application/json", json!({"report_id": "a", "observed_at": "x", "users": "many"}).to_string()).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let text = post("text/plain", report("a", 1, 1).to_string()).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big =
        json!({"report_id": "a", "observed_at": Utc::now().to_rfc3339(), "users": 1, "pad": "x".repeat(17 * 1024)});
    let too_large = post("application/json", big.to_string()).await;
    assert_eq!(
        (too_large.status, too_large.json["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let invalid = post("application/json; charset=utf-8", report("", 1, 1_000_001).to_string()).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        invalid.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["report_id", "users"]);
    let future = post("application/json", report("f", -10, 1).to_string()).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await, 0);
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_daily WHERE customer_id = $1", id).await, 0);
}

#[tokio::test]
async fn each_key_has_its_own_rate_limit() {
    let api = TestApp::with_api_limit(3).await;
    let (_, key) = api.customer("Acme", 50, false).await;
    let (_, other) = api.customer("Globex", 50, false).await;
    for _ in 0..3 {
        assert_eq!(api.license(&key).await.status, StatusCode::OK);
    }
    let limited = api.license(&key).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json["error"], "rate_limited");
    assert!(limited.headers.get(header::RETRY_AFTER).is_some());
    assert_eq!(api.license(&other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_keys_limit_holds_under_concurrent_reports_and_a_refused_report_is_not_stored() {
    let api = TestApp::with_api_limit(10).await;
    let (id, key) = api.customer("Acme", 50, false).await;
    let (other_id, other) = api.customer("Globex", 50, false).await;
    // Every request in the same minute of the app's clock, however slow
    // the machine.
    api.state.clock.freeze();
    let now = api.state.clock.now();
    // 30 at once: 20 reports, 5 malformed bodies and 5 license reads, all
    // counted in the usage writer's group commits.
    let requests = (0..30).map(|i| {
        let api = &api;
        let key = key.clone();
        async move {
            match i % 6 {
                0 => api.machine(Method::POST, "/api/v1/usage", Some(&key), "application/json", "{".into()).await,
                1 => api.license(&key).await,
                _ => api.report(&key, report_at(&format!("c{i}"), now - Duration::seconds(i), 5 + i)).await,
            }
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    let limited: Vec<&super::test_app::Answer> =
        answers.iter().filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!(limited.len(), 20, "exactly the limit of 10 gets through");
    for answer in &limited {
        assert_eq!(answer.json["error"], "rate_limited");
        let wait: u64 = answer.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
    let stored = answers.iter().filter(|a| a.status == StatusCode::OK && a.json.get("report_id").is_some()).count();
    assert_eq!(
        api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", id).await,
        stored as i64,
        "a report refused with 429 is not stored"
    );
    assert_eq!(api.count("SELECT requests FROM api_request_windows WHERE customer_id = $1", id).await, 30);
    // Over the limit, the limit is answered first, whatever the body.
    let malformed = api.machine(Method::POST, "/api/v1/usage", Some(&key), "text/plain", "x".into()).await;
    assert_eq!(malformed.status, StatusCode::TOO_MANY_REQUESTS);
    // Another key is counted on its own.
    let answer = api.report(&other, report_at("g1", now, 3)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", other_id).await, 1);
    // A minute later the window starts again.
    api.state.clock.shift(Duration::seconds(61));
    let answer = api.report(&key, report_at("later", now, 9)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json);
    assert_eq!(api.count("SELECT requests FROM api_request_windows WHERE customer_id = $1", id).await, 1);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let api = TestApp::with_api_limit(1000).await;
    let missing = api.machine(Method::GET, "/api/v1/nothing", None, "", String::new()).await;
    assert_eq!((missing.status, missing.json["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let wrong = api.machine(Method::DELETE, "/api/v1/usage", None, "", String::new()).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_report_for_a_closed_month_is_kept_flagged_late_and_not_billed() {
    let api = TestApp::with_api_limit(1000).await;
    let long_ago = Utc::now() - Duration::days(70);
    let form = CustomerForm {
        contract_end: (long_ago.date_naive() + Duration::days(200)).to_string(),
        max_users: "50".into(),
        ..customer_form("Old Customer", true, &[])
    };
    let made = customers::create(&api.t.db, "otto", &form, long_ago).await.unwrap();
    let last_month = BillingMonth::of(clock::today()).previous();
    billing::close_month(&api.t.db, "otto", last_month, Utc::now()).await.unwrap();
    let in_closed = last_month.first_day().and_hms_opt(10, 0, 0).unwrap().and_utc();
    let body = json!({"report_id": "late-1", "observed_at": in_closed.to_rfc3339(), "users": 40});
    let answer = api.report(&made.api_key, body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["late"], true);
    assert_eq!(
        api.count("SELECT COUNT(*) FROM usage_reports WHERE late = TRUE AND customer_id = $1", made.id).await,
        1
    );
    assert_eq!(api.count("SELECT COUNT(*) FROM usage_daily WHERE customer_id = $1", made.id).await, 0);
    let statements = billing::statements_of_month(&api.t.db, last_month).await.unwrap();
    assert_eq!(statements[0].users, 0);
}

// ----------------------------------------------------------- the document

fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let path = reference.trim_start_matches("#/");
            let target = path.split('/').fold(doc, |v, part| &v[part]);
            resolve(doc, target)
        }
        None => node,
    }
}

/// Checks `value` against the schema's types, required properties and
/// bounds (enough of JSON Schema for our document).
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if value.is_null() {
        return if schema["nullable"] == true { Ok(()) } else { Err(format!("{at}: null")) };
    }
    let ok = match schema["type"].as_str() {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !ok {
        return Err(format!("{at}: {value} is not a {}", schema["type"]));
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} not in {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_i64(), value.as_i64()) {
        if n < min {
            return Err(format!("{at}: {n} < {min}"));
        }
    }
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if value.get(name).is_none() {
            return Err(format!("{at}: missing {name}"));
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        for (name, sub) in properties {
            if let Some(v) = value.get(name) {
                conforms(doc, sub, v, &format!("{at}.{name}"))?;
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Every documented path, method and status is produced by a real request,
/// each answer matches its documented schema, and nothing undocumented is
/// answered.
#[tokio::test]
async fn the_openapi_document_matches_what_the_routes_do() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let api = TestApp::with_api_limit(6).await;
    let served = api.machine(Method::GET, "/api/v1/openapi.json", None, "", String::new()).await;
    assert_eq!(served.json, doc);

    let (id, key) = api.customer("Acme", 50, false).await;
    let (deactivated_id, deactivated) = api.customer("Globex", 50, false).await;
    customers::deactivate(&api.t.db, "otto", deactivated_id, 1, "", Utc::now()).await.unwrap();
    let json = "application/json";
    let big = "x".repeat(17 * 1024);
    let mut seen: Vec<(String, String, u16, Value)> = Vec::new();
    let cases: Vec<(Method, &str, Option<&str>, &str, String)> = vec![
        (Method::POST, "/usage", Some(&key), json, report("doc-1", 1, 5).to_string()),
        (Method::POST, "/usage", Some(&key), json, "not json".to_owned()),
        (Method::POST, "/usage", None, json, report("doc-2", 1, 5).to_string()),
        (Method::POST, "/usage", Some(&deactivated), json, report("doc-3", 1, 5).to_string()),
        (Method::POST, "/usage", Some(&key), json, report("doc-1", 1, 6).to_string()),
        (Method::POST, "/usage", Some(&key), json, big),
        (Method::POST, "/usage", Some(&key), "text/csv", "a,b".to_owned()),
        (Method::POST, "/usage", Some(&key), json, report("doc-4", 1, -1).to_string()),
        (Method::GET, "/license", Some(&deactivated), "", String::new()),
        (Method::GET, "/license", None, "", String::new()),
        (Method::GET, "/openapi.json", None, "", String::new()),
    ];
    for (method, path, key, ct, body) in cases {
        let answer = api.machine(method.clone(), &format!("/api/v1{path}"), key, ct, body).await;
        seen.push((path.to_owned(), method.as_str().to_lowercase(), answer.status.as_u16(), answer.json));
    }
    // Two more license calls exhaust the limit of 6 for `key`: 429.
    for _ in 0..3 {
        let answer = api.license(&key).await;
        seen.push(("/license".into(), "get".into(), answer.status.as_u16(), answer.json));
    }
    let answer = api.report(&key, report("doc-5", 1, 5)).await;
    seen.push(("/usage".into(), "post".into(), answer.status.as_u16(), answer.json));
    let _ = id;

    for (path, method, status, body) in &seen {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let response = operation["responses"].get(status.to_string());
        let response = response.unwrap_or_else(|| panic!("{method} {path} answered {status}, undocumented"));
        let schema = &resolve(&doc, response)["content"]["application/json"]["schema"];
        conforms(&doc, schema, body, &format!("{method} {path} {status}")).unwrap();
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        // The staff API's operations: `route_tests::staff_api`.
        for (method, operation) in item.as_object().unwrap().iter().filter(|(_, o)| o["tags"][0] == "machine") {
            for status in operation["responses"].as_object().unwrap().keys() {
                let status: u16 = status.parse().unwrap();
                assert!(
                    seen.iter().any(|(p, m, s, _)| p == path && m == method && *s == status),
                    "{method} {path} documents {status}, which no request produced"
                );
            }
        }
    }
}

/// Reports sent at the same moment are written together; each still gets
/// its own answer: new, replayed or refused.
#[tokio::test]
async fn concurrent_reports_each_get_their_own_answer() {
    let api = TestApp::with_api_limit(1000).await;
    let mut keys = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        keys.push(api.customer(name, 500, false).await);
    }
    let at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let mut requests = Vec::new();
    for round in 0..20i64 {
        for (_, key) in &keys {
            // Every report twice, and a third with the same id but another body.
            for users in [round, round, round + 1000] {
                let body = json!({ "report_id": format!("c-{round}"), "observed_at": at, "users": users });
                requests.push(api.report(key, body));
            }
        }
    }
    let answers = futures_join_all(requests).await;
    let ok = answers.iter().filter(|a| a.status == StatusCode::OK).count();
    let conflicts = answers.iter().filter(|a| a.status == StatusCode::CONFLICT).count();
    // Per report: whichever body came first is stored; the same body again
    // is a replay (200), the other body a conflict (409).
    assert_eq!(ok + conflicts, 180, "no other status");
    assert!((60..=120).contains(&ok), "{ok} accepted");
    for (id, _) in &keys {
        assert_eq!(api.count("SELECT COUNT(*) FROM usage_reports WHERE customer_id = $1", *id).await, 20);
        let distinct = "SELECT COUNT(DISTINCT report_id) FROM usage_reports WHERE customer_id = $1";
        assert_eq!(api.count(distinct, *id).await, 20);
    }
    let stored_twice: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM usage_reports WHERE users < 1000").fetch_one(&api.t.db).await.unwrap();
    // Each stored small body was answered 200 twice, each large one once.
    assert_eq!(ok as i64, stored_twice * 2 + (60 - stored_twice));
}

async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::with_capacity(futures.len());
    // Start them all before awaiting any, so they arrive together.
    let futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut pending: Vec<_> = futures.into_iter().map(Some).collect();
    let waker_results = std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        set.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    });
    waker_results.await;
    set
}
