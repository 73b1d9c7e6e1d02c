//! Route tests: the real router on a real database (the backend under
//! test), driven with HTTP requests through `tower::ServiceExt::oneshot`
//! (no port, no mocks).

use crate::server::router::state_on;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::response::Response;
use tower::ServiceExt;

use super::config::Config;
use super::db::testing;
use super::staff;
use super::test_app::*;
use crate::domain::Role;

#[tokio::test]
async fn login_with_the_right_password_sets_a_strict_http_only_cookie() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let response = app.login("Alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = session_cookie(&response).unwrap();
    let page = app.get("/settings", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let attempts: Vec<(String, i64)> =
        sqlx::query_as("SELECT username, CAST(succeeded AS INTEGER) FROM login_attempts")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert_eq!(attempts, vec![("alice".to_owned(), 1)]);
}

#[tokio::test]
async fn login_with_a_wrong_password_is_refused_and_recorded() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let response = app.login("alice", "wrong password!").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&response).is_none());
    let body = body_text(response).await;
    assert!(body.contains(r#""wrong_credentials""#), "{body}");
    let unknown = app.login("nobody", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body_text(unknown).await.contains(r#""wrong_credentials""#));
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed'")
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert_eq!(failed, 2);
}

#[tokio::test]
async fn an_account_is_rate_limited_after_five_failures_even_with_the_right_password() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    for _ in 0..5 {
        assert_eq!(app.login("alice", "wrong password!").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = app.login("alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&response).is_none());
    assert!(body_text(response).await.contains(r#""message":"wait_"#));
}

#[tokio::test]
async fn an_address_is_rate_limited_across_accounts() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    for i in 0..20 {
        let status = app.login(&format!("guess{i}"), "wrong password!").await.status();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.login("alice", PASSWORD).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn signing_in_again_replaces_the_old_session() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let first = app.cookie_for("alice").await;
    let again =
        app.post("/api/login", &format!("username=alice&password={}", PASSWORD.replace(' ', "+")), Some(&first)).await;
    assert_eq!(again.status(), StatusCode::OK);
    let second = session_cookie(&again).unwrap();
    assert_ne!(first, second);
    assert_eq!(app.get("/", Some(&first)).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", Some(&second)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await.with_staff("alice", Role::Viewer).await;
    let cookie = app.cookie_for("alice").await;
    assert_eq!(app.post("/api/logout", "", Some(&cookie)).await.status(), StatusCode::OK);
    let page = app.get("/", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_viewer_or_operator_calling_an_admin_function_is_refused() {
    let app = TestApp::with_every_role().await;
    let form = "username=newbie&role=admin&password=a+long+password";
    for name in ["val", "otto"] {
        let cookie = app.cookie_for(name).await;
        let response = app.post("/api/create_staff", form, Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        assert!(body_text(response).await.contains("Forbidden"));
        assert_eq!(app.post("/api/list_staff", "", Some(&cookie)).await.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(staff::count(&app.t.db).await.unwrap(), 3);
    let admin = app.cookie_for("ada").await;
    assert_eq!(app.post("/api/create_staff", form, Some(&admin)).await.status(), StatusCode::OK);
    assert_eq!(staff::count(&app.t.db).await.unwrap(), 4);
}

#[tokio::test]
async fn bad_input_to_a_server_function_names_the_field() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let admin = app.cookie_for("ada").await;
    let response = app.post("/api/create_staff", "username=x&role=admin&password=a+long+password", Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = body_text(response).await;
    assert!(body.contains("\"field\":\"username\""), "{body}");
}

#[tokio::test]
async fn every_server_function_but_sign_in_refuses_an_anonymous_caller() {
    let app = TestApp::new().await;
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    assert!(paths.len() >= 6, "{paths:?}");
    for path in paths {
        let response = app.post(&path, "", None).await;
        match path.as_str() {
            // The sign-in steps: without their fields, a bad request.
            "/api/login" | "/api/login_code" | "/api/login_passkey" => {
                assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}")
            }
            // No sign-in waiting for its second step.
            "/api/login_methods" => assert_eq!(body_text(response).await, r#"{"app":false,"passkey":false}"#),
            "/api/login_passkey_begin" => assert_eq!(response.status(), StatusCode::CONFLICT, "{path}"),
            "/api/login_options" => {
                assert_eq!(body_text(response).await, r#"{"single_sign_on":null,"password_for_everyone":true}"#)
            }
            "/api/current_user" => {
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(body_text(response).await, "null");
            }
            _ => assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}"),
        }
    }
}

#[tokio::test]
async fn server_functions_are_post_only() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let admin = app.cookie_for("ada").await;
    let response = app.get("/api/create_staff?username=evil&role=admin&password=a+long+password", Some(&admin)).await;
    assert_ne!(response.status(), StatusCode::OK);
    assert_eq!(staff::count(&app.t.db).await.unwrap(), 1);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_session() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let admin = app.cookie_for("ada").await;
    let form = "username=newbie&role=admin&password=a+long+password";
    let by_origin = TestApp::call("/api/create_staff", Some(&admin))
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form))
        .unwrap();
    let mut by_origin = by_origin;
    by_origin.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(app.send(by_origin).await.status(), StatusCode::FORBIDDEN);
    let mut by_fetch_site = TestApp::call("/api/create_staff", Some(&admin)).body(Body::from(form)).unwrap();
    by_fetch_site.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(app.send(by_fetch_site).await.status(), StatusCode::FORBIDDEN);
    let mut login_from_elsewhere =
        TestApp::call("/api/login", None).body(Body::from("username=ada&password=x")).unwrap();
    login_from_elsewhere.headers_mut().insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    login_from_elsewhere.headers_mut().remove("sec-fetch-site");
    assert_eq!(app.send(login_from_elsewhere).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(staff::count(&app.t.db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_apps_code_files_carry_nosniff_and_not_the_headers_only_pages_need() {
    let app = TestApp::new().await;
    // The request id, too, only for what a person could report.
    let page_only = [
        "x-frame-options",
        "content-security-policy",
        "referrer-policy",
        "permissions-policy",
        "x-request-id",
        "accept-ranges",
    ];
    for path in ["/pkg/msp-manager.js", "/pkg/msp-manager.wasm", "/pkg/no-such-part.wasm", "/pkg/de/chunk_1.wasm"] {
        let response = app.get(path, None).await;
        let headers = response.headers();
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        for name in page_only {
            assert!(headers.get(name).is_none(), "{path} carries {name}");
        }
    }
    // A file that is there (the build's may not be): served, with none of them.
    let dir = std::path::Path::new("target/site/pkg/probe");
    std::fs::create_dir_all(dir).unwrap();
    let name = format!("headers-{}.js", std::process::id());
    std::fs::write(dir.join(&name), "export {};").unwrap();
    let response = app.get(&format!("/pkg/probe/{name}"), None).await;
    std::fs::remove_file(dir.join(&name)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for header in page_only {
        assert!(response.headers().get(header).is_none(), "a served code file carries {header}");
    }
    // Only under /pkg/: a page whose path merely starts alike keeps them all.
    let response = app.get("/pkgs", None).await;
    for name in page_only.iter().filter(|n| **n != "accept-ranges") {
        assert!(response.headers().get(*name).is_some(), "/pkgs lacks {name}");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp_without_unsafe_inline() {
    let app = TestApp::new().await;
    let response = app.get("/login", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap().to_owned();
    let html = body_text(response).await;
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the CSP nonce");
    let again = app.get("/login", None).await;
    let csp_again = again.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(!csp_again.contains(&nonce), "a fresh nonce per response");
    let api = app.post("/api/current_user", "", None).await;
    assert!(api.headers().get(header::CONTENT_SECURITY_POLICY).is_some());
}

#[tokio::test]
async fn a_page_without_a_session_goes_to_sign_in_and_comes_back() {
    let app = TestApp::new().await;
    let response = app.get("/customers?tab=billed", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers().get(header::LOCATION).unwrap(), "/login?next=/customers%3Ftab%3Dbilled");
}

#[tokio::test]
async fn every_module_renders_for_each_role_and_an_unknown_page_is_404() {
    let app = TestApp::with_every_role().await;
    for name in ["val", "otto", "ada"] {
        let cookie = app.cookie_for(name).await;
        for path in ["/", "/customers", "/costs", "/settings", "/audit"] {
            let response = app.get(path, Some(&cookie)).await;
            assert_eq!(response.status(), StatusCode::OK, "{name} {path}");
            let html = body_text(response).await;
            assert!(html.contains(name), "{name} sees who is signed in on {path}");
        }
        let missing = app.get("/no-such-page", Some(&cookie)).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(body_text(missing).await.contains("Page not found"));
    }
}

#[tokio::test]
async fn a_database_failure_reaches_the_browser_as_a_plain_message() {
    let app = TestApp::new().await.with_staff("val", Role::Viewer).await;
    let cookie = app.cookie_for("val").await;
    sqlx::query("DROP TABLE audit_log").execute(&app.t.db).await.unwrap();
    let filter = serde_json::json!({"person": "", "customer": "", "action": null, "from": null, "to": null});
    let (status, body) =
        json_call(&app, "/api/audit/page", serde_json::json!({"filter": filter, "cursor": "Newest"}), &cookie).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Internal"), "{body}");
    assert!(!body.to_lowercase().contains("sql") && !body.contains("audit_log"), "{body}");
    let page = body_text(app.get("/audit", Some(&cookie)).await).await;
    assert!(page.contains("Something went wrong on the server"), "the page shows the friendly message");
    assert!(!page.contains("no such table"), "no SQL detail on the page");
}

async fn json_call(app: &TestApp, path: &str, body: serde_json::Value, cookie: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.send(request).await;
    let status = response.status();
    (status, body_text(response).await)
}

/// Creates a customer through the server function: the status and the new
/// id (or the error body).
async fn create_call(app: &TestApp, body: serde_json::Value, cookie: &str) -> (StatusCode, String) {
    let (status, text) = json_call(app, "/api/customers/create", body, cookie).await;
    let made: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    match made.as_ref().and_then(|m| m["id"].as_i64()) {
        Some(id) => {
            let key = made.as_ref().and_then(|m| m["api_key"].as_str()).unwrap_or_default();
            assert!(key.starts_with("msp_"), "the new customer's API key comes back once: {text}");
            (status, id.to_string())
        }
        None => (status, text),
    }
}

fn new_customer(name: &str, billed: bool) -> serde_json::Value {
    serde_json::json!({ "form": {
        "name": name, "billed": billed,
        "contract_end": (super::clock::today() + chrono::Duration::days(28)).to_string(),
        "database_name": crate::domain::DatabaseName::slug_of(name).to_string(),
        "max_users": "10", "limit_user_creation": false, "options": []
    }})
}

#[tokio::test]
async fn the_server_refuses_billed_to_test_whatever_the_request_says() {
    let app = TestApp::new().await.with_staff("otto", Role::Operator).await;
    let cookie = app.cookie_for("otto").await;
    let (status, id) = create_call(&app, new_customer("Acme", true), &cookie).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let (status, body) = app
        .post("/api/customers/change_kind", &format!("id={id}&version=1&kind=test"), Some(&cookie))
        .await
        .into_parts_status()
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(r#""message":"kind_billed_is_final""#), "{body}");
    let kind: String = sqlx::query_scalar("SELECT kind FROM customers").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(kind, "billed");
}

#[tokio::test]
async fn a_viewer_may_read_customers_but_not_change_them() {
    let app = TestApp::new().await.with_staff("otto", Role::Operator).await.with_staff("val", Role::Viewer).await;
    let operator = app.cookie_for("otto").await;
    let (_, id) = create_call(&app, new_customer("Acme", false), &operator).await;
    let viewer = app.cookie_for("val").await;
    let (status, _) = create_call(&app, new_customer("Other", false), &viewer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for (path, form) in [
        ("/api/customers/deactivate", format!("id={id}&version=1&reason=x")),
        ("/api/customers/change_kind", format!("id={id}&version=1&kind=billed")),
        ("/api/customers/remove", format!("id={id}&version=1&confirm_name=Acme")),
    ] {
        assert_eq!(app.post(path, &form, Some(&viewer)).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let read = app.post("/api/customers/get", &format!("id={id}"), Some(&viewer)).await;
    assert_eq!(read.status(), StatusCode::OK);
    let (status, list) = json_call(&app, "/api/customers/list", serde_json::json!({"query": crate::domain::customer_list::ListQuery { tab: crate::domain::customer_list::ListTab::Test, ..Default::default() }}), &viewer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Acme"));
    let status: String = sqlx::query_scalar("SELECT status FROM customers").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(status, "active");
}

#[tokio::test]
async fn a_stale_version_gets_409_changed_by_someone_else() {
    let app = TestApp::new().await.with_staff("otto", Role::Operator).await;
    let cookie = app.cookie_for("otto").await;
    let (_, id) = create_call(&app, new_customer("Acme", false), &cookie).await;
    assert_eq!(
        app.post("/api/customers/deactivate", &format!("id={id}&version=1&reason="), Some(&cookie)).await.status(),
        StatusCode::OK
    );
    let (status, body) = app
        .post("/api/customers/deactivate", &format!("id={id}&version=1&reason="), Some(&cookie))
        .await
        .into_parts_status()
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The rule's message travels as its code; the page writes it in words.
    assert!(body.contains(r#""customer_changed""#), "{body}");
}

trait StatusAndBody {
    async fn into_parts_status(self) -> (StatusCode, String);
}

impl StatusAndBody for Response {
    async fn into_parts_status(self) -> (StatusCode, String) {
        let status = self.status();
        (status, body_text(self).await)
    }
}

#[tokio::test]
async fn only_an_admin_may_change_billing_and_only_operators_may_touch_api_keys() {
    let app = TestApp::with_every_role().await;
    let operator = app.cookie_for("otto").await;
    let (_, id) = create_call(&app, new_customer("Acme", true), &operator).await;
    let month = crate::domain::BillingMonth::of(super::clock::today()).previous().to_string();
    let settings =
        serde_json::json!({"form": {"currency": "CHF", "time_zone": "UTC", "grace_days": "3"}, "version": 1});
    let option = serde_json::json!({"form": {"code": "backup", "name": "Backup", "pricing": "flat", "price": "5"}});
    let forms: Vec<(&str, String)> = vec![
        ("/api/billing/pricing", String::new()),
        ("/api/billing/rename_option", "code=offline&name=Offline+Plus".to_owned()),
        ("/api/billing/retire_option", "code=offline&retired=true".to_owned()),
        ("/api/billing/close_month", format!("month={month}")),
    ];
    let jsons = [("/api/billing/save_settings", settings), ("/api/billing/add_option", option)];
    for name in ["val", "otto"] {
        let cookie = app.cookie_for(name).await;
        for (path, form) in &forms {
            assert_eq!(app.post(path, form, Some(&cookie)).await.status(), StatusCode::FORBIDDEN, "{name} {path}");
        }
        for (path, body) in &jsons {
            assert_eq!(json_call(&app, path, body.clone(), &cookie).await.0, StatusCode::FORBIDDEN, "{name} {path}");
        }
    }
    let viewer = app.cookie_for("val").await;
    for path in ["/api/customers/rotate_api_key", "/api/customers/revoke_api_key"] {
        assert_eq!(app.post(path, &format!("id={id}"), Some(&viewer)).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
    // The viewer may read the key's prefix, a customer's billing and the cost overview.
    for (path, form) in [
        ("/api/customers/api_key", format!("id={id}")),
        ("/api/billing/customer", format!("id={id}&months=12")),
        ("/api/billing/cost_overview", "month=".to_owned()),
    ] {
        assert_eq!(app.post(path, &form, Some(&viewer)).await.status(), StatusCode::OK, "{path}");
    }
    // No statement yet: not found, not refused.
    let statement = app.post("/api/billing/customer_statement", &format!("id={id}&month={month}"), Some(&viewer)).await;
    assert_eq!(statement.status(), StatusCode::NOT_FOUND);
    let (status, page) =
        app.get(&format!("/customers/{id}/statements/{month}"), Some(&viewer)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The month in words, in the reader's language (English here).
    let words = crate::domain::locale::month_long(
        crate::domain::BillingMonth::parse(&month).unwrap(),
        crate::domain::locale::Language::English,
    );
    assert!(page.contains(&format!("No statement for {words}")), "{page}");
    assert_eq!(app.post("/api/billing/months", "", Some(&viewer)).await.status(), StatusCode::OK);
    // Nothing was changed by the refused calls.
    let settings = super::billing::settings(&app.t.db).await.unwrap();
    assert_eq!((settings.currency.as_str(), settings.version), ("EUR", 1));
    let closes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM month_closes").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(closes, 0);
    // The admin may.
    let admin = app.cookie_for("ada").await;
    for (path, form) in &forms {
        assert_eq!(app.post(path, form, Some(&admin)).await.status(), StatusCode::OK, "admin {path}");
    }
    let (status, body) =
        app.post("/api/customers/rotate_api_key", &format!("id={id}"), Some(&operator)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("msp_"), "{body}");
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_session_and_say_nothing_else() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/readyz"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], br#"{"status":"ok"}"#);
    }
    // A database whose schema is behind this build is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(&app.t.db)
        .await
        .unwrap();
    let response = app.get("/readyz", None).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_working_app() {
    let app = TestApp::with_every_role().await;
    let cookie = app.cookie_for("ada").await;
    assert_eq!(app.get("/customers", Some(&cookie)).await.status(), StatusCode::OK);
    let dir = testing::TempDir::create();
    let file = dir.path.join("backup.db");
    if testing::backend() == super::db::Backend::Postgres {
        let error = super::operations::backup(&app.t.db, &file).await.unwrap_err();
        assert!(error.to_string().contains("pg_dump"), "PostgreSQL has its own backups: {error}");
        return;
    }
    super::operations::backup(&app.t.db, &file).await.unwrap();

    let restored = super::db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    let state = state_on(restored, Config::for_database("sqlite://unused"));
    let restored_app = TestApp::serving(state, app.t);
    let cookie = restored_app.cookie_for("val").await;
    assert_eq!(restored_app.get("/customers", Some(&cookie)).await.status(), StatusCode::OK);
}

mod hardening;
mod instances;
mod inventory;
mod languages;
mod logging;
mod passkeys;
mod sessions;
mod single_sign_on;
mod staff_and_audit;
mod staff_api;
mod two_factor;
