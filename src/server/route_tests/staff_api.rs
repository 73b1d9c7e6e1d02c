//! The staff API and its personal access tokens: every route against every
//! kind of token (the route inventory of `/api/v1` for staff), the token's
//! life (made, listed, used, revoked, expired, its owner disabled), the
//! version check of a change, pagination, the billing routes, the rate limit.

use chrono::Duration;
use serde_json::{json, Value};

use super::*;
use crate::domain::access_token::{Needs, TokenForm, TokenScope};
use crate::server::staff_api::ROUTES;
use crate::server::{access_tokens, clock};

/// A token of `name`'s with `scope`, made as the account page makes it.
async fn token(app: &TestApp, name: &str, scope: &str) -> String {
    let owner = access_tokens::owner(&app.t.db, name).await.unwrap();
    let form = TokenForm { name: format!("{name} {scope}"), scope: scope.to_owned(), expires_days: "30".to_owned() };
    access_tokens::create(&app.t.db, name, &owner, &form, app.state.clock.now()).await.unwrap().token
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("{}: not JSON: {}", self.status, self.text))
    }
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    extra: &[(&str, &str)],
) -> Reply {
    let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some(value) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    let response = app.send(builder.body(body).unwrap()).await;
    let (status, headers) = (response.status(), response.headers().clone());
    Reply { status, headers, text: body_text(response).await }
}

/// A server function called with a form, as the page's forms call them.
async fn form_call(app: &TestApp, path: &str, form: &str, cookie: &str) -> (StatusCode, String) {
    let response = app.post(path, form, Some(cookie)).await;
    let status = response.status();
    (status, body_text(response).await)
}

fn new_customer(name: &str) -> Value {
    json!({
        "name": name, "kind": "billed", "contract_end": (clock::today() + Duration::days(90)).to_string(),
        "database_name": crate::domain::DatabaseName::slug_of(name).to_string(), "max_users": 25,
        "options": ["web_access"]
    })
}

/// A request for each route that passes its checks when allowed.
fn request_of(method: &str, path: &str, id: i64) -> (String, Option<Value>) {
    let path = path.replace("{id}", &id.to_string());
    let body = match (method, path.as_str()) {
        ("POST", "/customers") => Some(new_customer(&format!("Inventory {}", rand_suffix()))),
        ("POST", "/webhook-endpoints") => {
            Some(json!({ "url": format!("https://{}.example.com/in", rand_suffix()), "events": ["month.closed"] }))
        }
        ("PATCH", p) if p.starts_with("/webhook-endpoints/") => Some(json!({ "description": "PSA" })),
        ("PATCH", _) => Some(json!({ "max_users": 30 })),
        _ => None,
    };
    let query = match path.as_str() {
        "/statements" | "/cost-overview" | "/exports/datev" => {
            format!("?month={}", crate::domain::BillingMonth::of(clock::today()))
        }
        _ => String::new(),
    };
    (format!("/api/v1{path}{query}"), body)
}

fn rand_suffix() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 8)
}

#[tokio::test]
async fn every_staff_route_is_documented_and_each_token_gets_what_its_owner_and_scope_allow() {
    let app = TestApp::with_every_role().await;
    // The document's staff operations are the routes the API serves.
    let spec: Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            if operation["tags"][0] == "staff" {
                assert_eq!(operation["security"], json!([{ "staffToken": [] }]), "{method} {path}");
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut listed: Vec<(String, String)> = ROUTES.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    listed.sort();
    assert_eq!(documented, listed, "the OpenAPI document and staff_api::ROUTES list the same routes");

    let (id, _) = app.customer("Inventory Customer", 10, false).await;
    let tokens = [
        ("val", Role::Viewer, TokenScope::Read, token(&app, "val", "read").await),
        ("otto", Role::Operator, TokenScope::Read, token(&app, "otto", "read").await),
        ("otto", Role::Operator, TokenScope::Write, token(&app, "otto", "write").await),
        ("ada", Role::Admin, TokenScope::Read, token(&app, "ada", "read").await),
        ("ada", Role::Admin, TokenScope::Write, token(&app, "ada", "write").await),
    ];
    for (method, route, needs) in ROUTES {
        let (path, body) = request_of(method, route, id);
        let without = send(&app, method, &path, None, body.clone(), &[]).await;
        assert_eq!(without.status, StatusCode::UNAUTHORIZED, "{method} {path} without a token");
        assert_eq!(without.headers[header::WWW_AUTHENTICATE], "Bearer");
        let unknown =
            send(&app, method, &path, Some("mspt_not_a_token_of_anyone_0000000000000000000"), body.clone(), &[]).await;
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{method} {path} with an unknown token");
        let session = app.cookie_for("ada").await;
        let cookie_only = send(&app, method, &path, None, body.clone(), &[("cookie", &session)]).await;
        assert_eq!(cookie_only.status, StatusCode::UNAUTHORIZED, "{method} {path}: a session is not a token");
        for (owner, role, scope, token) in &tokens {
            let (path, body) = request_of(method, route, id);
            // The customer's current version for the changes.
            let version = send(&app, "GET", &format!("/api/v1/customers/{id}"), Some(&tokens[0].3), None, &[]).await;
            let etag = version.headers[header::ETAG].to_str().unwrap().to_owned();
            let reply = send(&app, method, &path, Some(token), body, &[("if-match", &etag)]).await;
            let allowed = Needs::met_by(needs, *role, *scope);
            if allowed {
                assert!(
                    ![401, 403].contains(&reply.status.as_u16()) && !reply.status.is_server_error(),
                    "{method} {path}: {owner}'s {scope:?} token may, got {} {}",
                    reply.status,
                    reply.text
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path}: {owner}'s {scope:?} token must be refused"
                );
                assert_eq!(reply.json()["error"], "forbidden");
            }
        }
    }
    // Each refusal of a real token is in the audit log.
    let refused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'token.refused'")
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert!(refused >= 1, "refused token uses are audited");
}

#[tokio::test]
async fn a_token_is_shown_once_listed_by_its_prefix_and_stops_when_revoked_expired_or_its_owner_is_disabled() {
    let app = TestApp::with_every_role().await;
    let cookie = app.cookie_for("otto").await;
    let (status, text) = form_call(
        &app,
        "/api/access_tokens/create",
        "form[name]=Invoicing&form[scope]=write&form[expires_days]=30",
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let made: Value = serde_json::from_str(&text).unwrap();
    let secret = made["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mspt_") && secret.len() == 5 + 43, "{secret}");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hash, prefix FROM access_tokens").fetch_all(&app.t.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, secret, "only a hash is stored");
    assert!(!stored[0].0.contains(&secret[5..]));
    assert_eq!(format!("{}…", stored[0].1), made["info"]["prefix"].as_str().unwrap());

    // Listed (without the secret) with its last use once used.
    let used = send(&app, "GET", "/api/v1/customers", Some(&secret), None, &[]).await;
    assert_eq!(used.status, StatusCode::OK, "{}", used.text);
    let (_, list) = form_call(&app, "/api/access_tokens", "", &cookie).await;
    assert!(!list.contains(&secret[5..]), "{list}");
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list["own"][0]["name"], "Invoicing");
    assert_eq!(list["own"][0]["state"], "active");
    assert!(list["own"][0]["last_used_at"].is_string(), "{list}");
    assert_eq!(list["others"], Value::Null, "an operator sees only their own");

    // An admin sees it and revokes it; it stops at once.
    let admin = app.cookie_for("ada").await;
    let (_, all) = form_call(&app, "/api/access_tokens", "", &admin).await;
    let all: Value = serde_json::from_str(&all).unwrap();
    let id = all["others"][0]["id"].as_i64().unwrap();
    assert_eq!(all["others"][0]["owner"], "otto");
    // Someone else's token is not found for a non-admin.
    let viewer = app.cookie_for("val").await;
    assert_eq!(
        app.post("/api/access_tokens/revoke", &format!("id={id}"), Some(&viewer)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&secret), None, &[]).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/access_tokens/revoke", &format!("id={id}"), Some(&admin)).await.status(), StatusCode::OK);
    let revoked = send(&app, "GET", "/api/v1/customers", Some(&secret), None, &[]).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    let actions: Vec<(String, String)> =
        sqlx::query_as("SELECT actor, action FROM audit_log WHERE action LIKE 'token.%' ORDER BY id")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [("otto", "token.created"), ("ada", "token.revoked"), ("otto", "token.refused")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    // Expired: the clock moves past its end.
    let short = {
        let owner = access_tokens::owner(&app.t.db, "val").await.unwrap();
        let form = TokenForm { name: "Short".into(), scope: "read".into(), expires_days: "1".into() };
        access_tokens::create(&app.t.db, "val", &owner, &form, app.state.clock.now()).await.unwrap().token
    };
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&short), None, &[]).await.status, StatusCode::OK);
    app.state.clock.shift(Duration::hours(25));
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&short), None, &[]).await.status, StatusCode::UNAUTHORIZED);

    // Disabled owner: the token stops at once.
    let admins_token = token(&app, "ada", "write").await;
    let operators_token = token(&app, "otto", "read").await;
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&operators_token), None, &[]).await.status, StatusCode::OK);
    sqlx::query("UPDATE staff SET disabled = TRUE WHERE username = 'otto'").execute(&app.t.db).await.unwrap();
    assert_eq!(
        send(&app, "GET", "/api/v1/customers", Some(&operators_token), None, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&admins_token), None, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_token_form_is_checked_and_a_viewer_cannot_make_a_write_token() {
    let app = TestApp::with_every_role().await;
    let cookie = app.cookie_for("val").await;
    let create = |name: &str, scope: &str, days: &str| {
        let form = format!("form[name]={name}&form[scope]={scope}&form[expires_days]={days}");
        let cookie = cookie.clone();
        let app = &app;
        async move { form_call(app, "/api/access_tokens/create", &form, &cookie).await }
    };
    let (status, text) = create("x", "write", "30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("token_scope_above_role"), "{text}");
    let (status, text) = create("", "read", "366").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("fill_in") && text.contains("whole_number_range|1|365"), "{text}");
    for i in 0..crate::domain::access_token::MAX_PER_PERSON {
        let (status, text) = create(&format!("t{i}"), "read", "1").await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let (status, text) = create("one+more", "read", "1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("token_limit|20"), "{text}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_tokens").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(count, 20, "nothing is written for a refused form");
}

#[tokio::test]
async fn a_change_needs_the_version_read_and_is_one_transaction() {
    let app = TestApp::with_every_role().await;
    let write = token(&app, "otto", "write").await;
    let made = send(&app, "POST", "/api/v1/customers", Some(&write), Some(new_customer("Patch Me")), &[]).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let created = made.json();
    let id = created["customer"]["id"].as_i64().unwrap();
    assert!(created["api_key"].as_str().unwrap().starts_with("msp_"));
    assert_eq!(made.headers[header::LOCATION], format!("/api/v1/customers/{id}").as_str());
    let path = format!("/api/v1/customers/{id}");
    let read = send(&app, "GET", &path, Some(&write), None, &[]).await;
    let etag = read.headers[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", read.json()["version"]));

    let change = json!({ "max_users": 40, "options": ["web_access", "discovery"] });
    let missing = send(&app, "PATCH", &path, Some(&write), Some(change.clone()), &[]).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED, "{}", missing.text);
    let stale = send(&app, "PATCH", &path, Some(&write), Some(change.clone()), &[("if-match", "\"999\"")]).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text);
    // A wrong part refuses the whole change.
    let bad = json!({ "max_users": 40, "options": ["no_such_option"] });
    let refused = send(&app, "PATCH", &path, Some(&write), Some(bad), &[("if-match", &etag)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert_eq!(refused.json()["fields"][0]["field"], "options");
    let unchanged = send(&app, "GET", &path, Some(&write), None, &[]).await.json();
    assert_eq!(
        (unchanged["max_users"].as_i64(), unchanged["version"].clone()),
        (Some(25), read.json()["version"].clone())
    );

    let done = send(&app, "PATCH", &path, Some(&write), Some(change.clone()), &[("if-match", &etag)]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let after = done.json();
    assert_eq!(after["max_users"], 40);
    assert_eq!(after["options"], json!(["web_access", "discovery"]));
    assert_eq!(after["version"], read.json()["version"].as_i64().unwrap() + 1, "one new version for both parts");
    let again = send(&app, "PATCH", &path, Some(&write), Some(change), &[("if-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED, "the old version no longer matches");
    let audit: Vec<String> = sqlx::query_scalar("SELECT actor FROM audit_log WHERE customer_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.t.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 3, "created, contract and options: {audit:?}");
    assert!(audit.iter().all(|a| a.starts_with("otto (token mspt_")), "{audit:?}");

    // Deactivate and activate, each refused when it is so already.
    let off =
        send(&app, "POST", &format!("{path}/deactivate"), Some(&write), Some(json!({ "reason": "Paused" })), &[]).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    assert_eq!(off.json()["status"], "deactivated");
    let twice = send(&app, "POST", &format!("{path}/deactivate"), Some(&write), None, &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let on = send(&app, "POST", &format!("{path}/activate"), Some(&write), None, &[]).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.text);
    assert_eq!(on.json()["status"], "active");
    // Bad bodies: JSON errors, not panics.
    let wrong_type = send(
        &app,
        "PATCH",
        &path,
        Some(&write),
        Some(json!({ "max_users": "many" })),
        &[("if-match", on.headers[header::ETAG].to_str().unwrap())],
    )
    .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    let unknown_field =
        send(&app, "POST", "/api/v1/customers", Some(&write), Some(json!({ "name": "x", "admin": true })), &[]).await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    assert_eq!(send(&app, "GET", "/api/v1/customers/abc", Some(&write), None, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&app, "GET", "/api/v1/customers/99999", Some(&write), None, &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_list_filters_and_pages_with_a_cursor() {
    let app = TestApp::with_every_role().await;
    let read = token(&app, "val", "read").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(app.customer(&format!("Paged {i}"), 10, false).await.0);
    }
    let test_one = {
        let form = crate::domain::customer::CustomerForm {
            contract_end: (clock::today() + Duration::days(30)).to_string(),
            ..super::super::fixtures::customer_form("Trial Other", false, &[])
        };
        crate::server::customers::create(&app.t.db, "otto", &form, chrono::Utc::now()).await.unwrap().id
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/customers?name=paged&limit=3&cursor={c}"),
            None => "/api/v1/customers?name=paged&limit=3".to_owned(),
        };
        let page = send(&app, "GET", &path, Some(&read), None, &[]).await.json();
        seen.extend(page["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every customer once, by id");
    let tests = send(&app, "GET", "/api/v1/customers?kind=test", Some(&read), None, &[]).await.json();
    let test_ids: Vec<i64> = tests["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(test_ids, vec![test_one]);
    for bad in ["kind=Billed", "status=removed", "limit=0", "limit=201", "cursor=-3", "cursor=x"] {
        let reply = send(&app, "GET", &format!("/api/v1/customers?{bad}"), Some(&read), None, &[]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", reply.text);
        assert_eq!(reply.json()["error"], "invalid");
    }
}

#[tokio::test]
async fn the_cost_overview_answers_json_or_the_pages_csv() {
    let app = TestApp::with_every_role().await;
    let read = token(&app, "val", "read").await;
    app.customer("Overview One", 10, false).await;
    let month = crate::domain::BillingMonth::of(clock::today()).to_string();
    let json = send(&app, "GET", &format!("/api/v1/cost-overview?month={month}"), Some(&read), None, &[]).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text);
    let overview = json.json();
    assert_eq!(overview["rows"][0]["name"], "Overview One");
    assert_eq!(overview["totals"]["customers"], 1);
    assert_eq!(overview["totals"]["cost"], overview["rows"][0]["cost"]);
    let csv = send(
        &app,
        "GET",
        &format!("/api/v1/cost-overview?month={month}"),
        Some(&read),
        None,
        &[("accept", "text/csv")],
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let page =
        crate::server::cost_overview::cost_overview(&app.t.db, &app.state.bill_cache, None, app.state.clock.now())
            .await
            .unwrap();
    let rows: Vec<_> = page.rows.iter().collect();
    let expected = crate::domain::export::write(&rows, &page.currency, crate::domain::export::CsvFormat::Comma);
    assert_eq!(csv.text.as_bytes(), expected.as_slice(), "the same CSV as the page");
    assert!(csv.text.contains(overview["rows"][0]["cost"].as_str().unwrap()));
    for bad in ["", "?month=2026-13", "?month=x"] {
        let reply = send(&app, "GET", &format!("/api/v1/cost-overview{bad}"), Some(&read), None, &[]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let statements = send(&app, "GET", &format!("/api/v1/statements?month={month}"), Some(&read), None, &[]).await;
    assert_eq!(statements.status, StatusCode::OK);
    assert_eq!(statements.json()["statements"], json!([]), "an open month has no frozen statement");
    let datev = send(&app, "GET", &format!("/api/v1/exports/datev?month={month}"), Some(&read), None, &[]).await;
    assert_eq!(datev.status, StatusCode::CONFLICT, "{}", datev.text);
}

#[tokio::test]
async fn a_tokens_rate_limit_holds_under_concurrent_requests() {
    let mut config = super::Config::for_database("sqlite://unused");
    config.api_requests_per_minute = 10;
    let app = TestApp::with_config(config).await.with_staff("val", Role::Viewer).await;
    let read = token(&app, "val", "read").await;
    let other = token(&app, "val", "read").await;
    // Every request in the same minute of the app's clock, however slow
    // the machine.
    app.state.clock.freeze();
    let replies =
        futures_util::future::join_all((0..30).map(|_| send(&app, "GET", "/api/v1/customers", Some(&read), None, &[])))
            .await;
    let ok = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!(ok, 10, "exactly the limit gets through");
    assert_eq!(limited.len(), 20);
    assert!(limited.iter().all(|r| r.headers.contains_key(header::RETRY_AFTER) && r.json()["error"] == "rate_limited"));
    assert_eq!(
        send(&app, "GET", "/api/v1/customers", Some(&other), None, &[]).await.status,
        StatusCode::OK,
        "per token"
    );
    // A minute later the window starts again.
    app.state.clock.shift(chrono::Duration::seconds(61));
    assert_eq!(send(&app, "GET", "/api/v1/customers", Some(&read), None, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_manages_webhook_endpoints_through_the_api_and_nobody_else_can() {
    let mut config = crate::server::config::Config::for_database("sqlite://unused");
    use base64::Engine;
    config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode([9u8; 32]).parse().unwrap());
    config.webhook_allow_private = true;
    let app = TestApp::with_config(config).await;
    let app = app.with_staff("otto", Role::Operator).await.with_staff("ada", Role::Admin).await;
    let admin = token(&app, "ada", "write").await;
    let admin_read = token(&app, "ada", "read").await;
    let operator = token(&app, "otto", "write").await;

    // A receiver on loopback for the test event.
    let got: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let kept = got.clone();
    let hook = axum::Router::new().route(
        "/in",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().unwrap().push(body);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/in", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

    let new = json!({ "url": url, "description": "PSA", "events": ["license.threshold", "contract.ending"] });
    let refused = send(&app, "POST", "/api/v1/webhook-endpoints", Some(&operator), Some(new.clone()), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "an operator may not");
    let refused = send(&app, "POST", "/api/v1/webhook-endpoints", Some(&admin_read), Some(new.clone()), &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a read token may not");
    let made = send(&app, "POST", "/api/v1/webhook-endpoints", Some(&admin), Some(new), &[]).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let made = made.json();
    let id = made["endpoint"]["id"].as_i64().unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(made["endpoint"]["events"], json!(["contract.ending", "license.threshold"]), "the catalogue's order");
    let created_at = made["endpoint"]["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok(), "RFC 3339, as documented: {created_at}");

    let list = send(&app, "GET", "/api/v1/webhook-endpoints", Some(&admin_read), None, &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text.contains(&secret[6..]), "the secret is shown once");
    assert_eq!(list.json()["endpoints"][0]["url"], url);
    let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints").fetch_one(&app.t.db).await.unwrap();
    assert!(!stored.contains(&secret[6..]), "stored sealed");

    let bad = json!({ "url": "http://169.254.169.254/latest/meta-data/", "events": [] });
    let bad = send(&app, "POST", "/api/v1/webhook-endpoints", Some(&admin), Some(bad), &[]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> =
        bad.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["url", "events"]);

    let path = format!("/api/v1/webhook-endpoints/{id}");
    let off = send(&app, "PATCH", &path, Some(&admin), Some(json!({ "enabled": false })), &[]).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text);
    assert_eq!(off.json()["enabled"], false);
    assert_eq!(off.json()["description"], "PSA", "the rest stays");

    let tested = send(&app, "POST", &format!("{path}/test"), Some(&admin), None, &[]).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.text);
    let tested = tested.json();
    assert_eq!(tested["state"], "delivered", "{tested}");
    assert_eq!(tested["attempts"][0]["status"], 204);
    let at = tested["attempts"][0]["at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "RFC 3339, as documented: {at}");
    assert_eq!(got.lock().unwrap().len(), 1);
    let body: Value = serde_json::from_str(&got.lock().unwrap()[0]).unwrap();
    assert_eq!(body["type"], "test");

    let gone = send(&app, "DELETE", &path, Some(&admin), None, &[]).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let again = send(&app, "DELETE", &path, Some(&admin), None, &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert_eq!(actions, ["webhook.created", "webhook.changed", "webhook.test_sent", "webhook.removed"]);
}
