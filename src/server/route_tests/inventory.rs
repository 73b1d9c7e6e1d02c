//! The route inventory: every server function and machine API route the
//! router serves is in the role matrix below, and each caller (anonymous,
//! viewer, operator, admin; for the machine API: no key, a key) gets exactly
//! what the matrix says. A new route without a line here fails the test.

use std::collections::BTreeSet;

use chrono::Utc;
use serde_json::json;

use super::*;
use crate::domain::audit_query::{AuditCursor, AuditFilter};
use crate::domain::billing_settings::{NewOptionForm, PriceListForm, SettingsForm};
use crate::domain::customer::ContractForm;
use crate::domain::customer_list::ListQuery;
use crate::domain::datev::DatevSettingsForm;
use crate::domain::sell_forms::{CustomerPricingForm, SellListForm};
use crate::server::db::begin_write;
use crate::server::sessions;

/// Who may call a server function.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in staff member.
    SignedIn,
    /// This role or a higher one.
    AtLeast(Role),
}

enum Args {
    Form(&'static str),
    Json(serde_json::Value),
}

/// Every server function: who may call it, and arguments that pass parsing
/// (so the role check is what answers; ids that do not exist keep the
/// allowed calls from changing anything that matters).
fn matrix() -> Vec<(&'static str, Access, Args)> {
    use Access::{AtLeast, Public, SignedIn};
    use Args::{Form, Json};
    let (viewer, operator, admin) = (AtLeast(Role::Viewer), AtLeast(Role::Operator), AtLeast(Role::Admin));
    let filter = serde_json::to_value(AuditFilter::default()).unwrap();
    vec![
        ("/api/current_user", Public, Form("")),
        ("/api/login", Public, Form("username=nobody&password=not+the+one&next=")),
        ("/api/login_code", Public, Form("code=123456&next=")),
        ("/api/login_methods", Public, Form("")),
        ("/api/login_options", Public, Form("")),
        ("/api/login_passkey_begin", Public, Form("")),
        ("/api/login_passkey", Public, Form("credential=%7B%7D&next=")),
        ("/api/logout", SignedIn, Form("")),
        ("/api/change_own_password", SignedIn, Form("current_password=wrong&new_password=x&repeat_password=x")),
        ("/api/my_sessions", SignedIn, Form("")),
        ("/api/access_tokens", viewer, Form("")),
        ("/api/access_tokens/create", viewer, Form("form[name]=Inventory&form[scope]=read&form[expires_days]=1")),
        ("/api/access_tokens/revoke", viewer, Form("id=999")),
        ("/api/my_preferences", SignedIn, Form("")),
        ("/api/set_my_preferences", SignedIn, Form("language=&time_zone=")),
        ("/api/end_my_session", SignedIn, Form("id=nosuchsession")),
        ("/api/end_my_other_sessions", SignedIn, Form("")),
        ("/api/two_factor", SignedIn, Form("")),
        ("/api/two_factor/begin", SignedIn, Form("")),
        ("/api/two_factor/confirm", SignedIn, Form("code=12")),
        ("/api/two_factor/disable", SignedIn, Form("current_password=wrong")),
        ("/api/two_factor/recovery_codes", SignedIn, Form("current_password=wrong")),
        ("/api/passkeys/begin", SignedIn, Form("name=Key")),
        ("/api/passkeys/finish", SignedIn, Form("credential=%7B%7D")),
        ("/api/passkeys/remove", SignedIn, Form("id=999999&current_password=wrong")),
        ("/api/staff/sign_in_policy", admin, Form("")),
        ("/api/staff/save_sign_in_policy", admin, Form("require_two_factor=nobody&version=999")),
        ("/api/staff/single_sign_on", admin, Form("")),
        (
            "/api/staff/save_single_sign_on",
            admin,
            Form(
                "form[display_name]=X&form[issuer_url]=https%3A%2F%2Flogin.example.com&form[client_id]=c\
                 &form[allowed_domains]=&form[new_staff_role]=viewer&form[role_claim]=&form[role_admin]=\
                 &form[role_operator]=&form[role_viewer]=&form[password_sign_in]=everyone&version=999",
            ),
        ),
        ("/api/server_status", viewer, Form("")),
        ("/api/audit/page", viewer, Json(json!({ "filter": filter, "cursor": AuditCursor::Newest }))),
        ("/api/audit/export", viewer, Json(json!({ "filter": filter, "before": null }))),
        ("/api/customers/list", viewer, Json(json!({ "query": ListQuery::default() }))),
        ("/api/customers/get", viewer, Form("id=1")),
        ("/api/customers/history", viewer, Form("id=1")),
        ("/api/customers/api_key", viewer, Form("id=1")),
        ("/api/customers/new_defaults", operator, Form("")),
        ("/api/customers/check_names", operator, Form("name=Probe&database_name=probe")),
        (
            "/api/customers/create",
            operator,
            Json(json!({ "form": { "name": "", "billed": true, "contract_end": "",
            "database_name": "", "max_users": "", "limit_user_creation": false, "options": [] } })),
        ),
        ("/api/customers/rotate_api_key", operator, Form("id=999")),
        ("/api/customers/revoke_api_key", operator, Form("id=999")),
        (
            "/api/customers/update_contract",
            operator,
            Json(json!({ "id": 999, "version": 1, "form": ContractForm::default() })),
        ),
        ("/api/customers/set_options", operator, Json(json!({ "id": 999, "version": 1, "options": [] }))),
        ("/api/customers/change_kind", operator, Form("id=999&version=1&kind=billed")),
        ("/api/customers/deactivate", operator, Form("id=999&version=1&reason=x")),
        ("/api/customers/activate", operator, Form("id=999&version=1")),
        ("/api/customers/not_for_resale", operator, Form("id=999&version=1&not_for_resale=true")),
        ("/api/customers/debtor_account", operator, Form("id=999&version=1&debtor_account=")),
        ("/api/customers/remove", operator, Form("id=999&version=1&confirm_name=x")),
        ("/api/billing/months", viewer, Form("")),
        ("/api/billing/statements", viewer, Form("month=2026-10")),
        ("/api/billing/customer", viewer, Form("id=1&months=12")),
        ("/api/billing/customer_statement", viewer, Form("id=1&month=2020-01")),
        ("/api/billing/cost_overview", viewer, Form("month=")),
        ("/api/billing/cost_totals", viewer, Form("months=12")),
        ("/api/billing/pricing", admin, Form("")),
        ("/api/billing/save_settings", admin, Json(json!({ "form": SettingsForm::default(), "version": 1 }))),
        ("/api/billing/save_price_list", admin, Json(json!({ "form": PriceListForm::default() }))),
        ("/api/billing/save_sell_list", admin, Json(json!({ "form": SellListForm::default() }))),
        ("/api/billing/customer_pricing", viewer, Form("id=1")),
        ("/api/billing/datev", admin, Form("")),
        ("/api/billing/save_datev", admin, Json(json!({ "form": DatevSettingsForm::default(), "version": 0 }))),
        ("/api/billing/check_datev", viewer, Form("month=2020-01")),
        (
            "/api/billing/save_customer_pricing",
            operator,
            Json(json!({ "id": 999, "form": CustomerPricingForm::default() })),
        ),
        ("/api/billing/add_option", admin, Json(json!({ "form": NewOptionForm::default() }))),
        ("/api/billing/rename_option", admin, Form("code=no_such_option&name=Renamed")),
        ("/api/billing/retire_option", admin, Form("code=no_such_option&retired=true")),
        ("/api/billing/close_month", admin, Form("month=2020-01")),
        ("/api/list_staff", admin, Form("")),
        ("/api/create_staff", admin, Form("username=x&role=viewer&password=short")),
        ("/api/staff/change_role", admin, Form("id=999&role=viewer")),
        ("/api/staff/set_disabled", admin, Form("id=999&disabled=true")),
        ("/api/staff/reset_password", admin, Form("id=999&password=plum+river+7+lantern")),
        ("/api/staff/end_sessions", admin, Form("id=999")),
        ("/api/staff/reset_two_factor", admin, Form("id=999")),
        ("/api/staff/set_sso_email", admin, Form("id=999&sso_email=")),
        ("/api/alerts/endpoints", admin, Form("")),
        (
            "/api/alerts/add_endpoint",
            admin,
            Form("form[url]=ftp%3A%2F%2Fx&form[description]=&form[events][0]=month.closed"),
        ),
        ("/api/alerts/change_endpoint", admin, Form("id=999&form[url]=ftp%3A%2F%2Fx&form[events][0]=month.closed")),
        ("/api/alerts/set_endpoint_enabled", admin, Form("id=999&enabled=false")),
        ("/api/alerts/remove_endpoint", admin, Form("id=999")),
        ("/api/alerts/send_test", admin, Form("id=999")),
        ("/api/alerts/deliveries", admin, Form("endpoint=999")),
        ("/api/alerts/redeliver", admin, Form("id=999")),
        ("/api/alerts/smtp", admin, Form("")),
        (
            "/api/alerts/save_smtp",
            admin,
            Form("form[host]=mail.example.com&form[port]=0&form[security]=starttls&form[username]=&form[from]=x"),
        ),
        ("/api/alerts/remove_smtp", admin, Form("")),
        ("/api/alerts/send_test_mail", admin, Form("to=nobody")),
        ("/api/alerts/mails", admin, Form("")),
        ("/api/alerts/resend_mail", admin, Form("id=999")),
        ("/api/alerts/mine", viewer, Form("")),
        ("/api/alerts/save_mine", viewer, Form("form[email]=nobody&form[digest]=false")),
    ]
}

/// A new session of `name`, made directly (a sign-in per call would cost an
/// Argon2 hash each; some calls, like sign-out, end their session).
async fn fresh_session(app: &TestApp, name: &str) -> String {
    let id = staff::find_by_username(&app.t.db, name).await.unwrap().unwrap().id;
    let mut tx = begin_write(&app.t.db).await.unwrap();
    let token = sessions::create(&mut tx, id, sessions::Origin::default(), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    format!("msp_session={token}")
}

async fn call(app: &TestApp, path: &str, args: &Args, cookie: Option<&str>) -> StatusCode {
    let (content_type, body) = match args {
        Args::Form(form) => ("application/x-www-form-urlencoded", (*form).to_owned()),
        Args::Json(value) => ("application/json", value.to_string()),
    };
    let mut request = TestApp::call(path, cookie).body(Body::from(body.clone())).unwrap();
    request.headers_mut().insert(header::CONTENT_TYPE, content_type.parse().unwrap());
    app.send(request).await.status()
}

#[tokio::test]
async fn every_server_function_is_in_the_role_matrix_and_each_role_gets_what_it_says() {
    let app = TestApp::with_every_role().await;
    let matrix = matrix();
    let listed: BTreeSet<&str> = matrix.iter().map(|(path, _, _)| *path).collect();
    assert_eq!(listed.len(), matrix.len(), "a server function is listed twice");
    let served: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let missing: Vec<&String> = served.iter().filter(|p| !listed.contains(p.as_str())).collect();
    assert!(missing.is_empty(), "server functions missing from the role matrix: {missing:?}");
    let stale: Vec<&&str> = listed.iter().filter(|p| !served.contains(**p)).collect();
    assert!(stale.is_empty(), "the role matrix lists functions the router does not serve: {stale:?}");

    for (path, access, args) in &matrix {
        let anonymous = call(&app, path, args, None).await;
        match access {
            Access::Public => assert!(![401, 403].contains(&anonymous.as_u16()), "{path}: anonymous got {anonymous}"),
            _ => assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{path}: anonymous"),
        }
        for (name, role) in [("val", Role::Viewer), ("otto", Role::Operator), ("ada", Role::Admin)] {
            let cookie = fresh_session(&app, name).await;
            let status = call(&app, path, args, Some(&cookie)).await;
            let allowed = match access {
                Access::Public | Access::SignedIn => true,
                Access::AtLeast(needed) => role.includes(*needed),
            };
            if allowed {
                assert!(![401, 403].contains(&status.as_u16()), "{path}: {name} ({role}) may call it, got {status}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {name} ({role}) must be refused");
            }
        }
    }
}

#[tokio::test]
async fn every_machine_api_route_is_listed_and_a_key_reaches_only_its_own_customer() {
    let app = TestApp::new().await.with_staff("otto", Role::Operator).await;
    let spec: serde_json::Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            if operation["tags"][0] == "machine" {
                routes.push((method.to_uppercase(), format!("/api/v1{path}")));
            }
        }
    }
    routes.sort();
    // Who may call each: `true` needs a customer's key.
    let matrix =
        [("GET", "/api/v1/license", true), ("GET", "/api/v1/openapi.json", false), ("POST", "/api/v1/usage", true)];
    let listed: Vec<(String, String)> = matrix.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(routes, listed, "the OpenAPI document and the role matrix list the same routes");

    let cookie = app.cookie_for("otto").await;
    let (mut keys, mut ids) = (Vec::new(), Vec::new());
    for name in ["Key Owner A", "Key Owner B"] {
        let (status, text) = json_call(&app, "/api/customers/create", new_customer(name, true), &cookie).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let made: serde_json::Value = serde_json::from_str(&text).unwrap();
        keys.push(made["api_key"].as_str().unwrap().to_owned());
        ids.push(made["id"].as_i64().unwrap());
    }
    let send = |method: &str, path: &str, key: Option<&str>| {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
        if let Some(key) = key {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let body = if method == "POST" {
            json!({ "report_id": "inventory", "observed_at": Utc::now().to_rfc3339(), "users": 3 }).to_string()
        } else {
            String::new()
        };
        builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap()
    };
    for (method, path, needs_key) in matrix {
        let without = app.send(send(method, path, None)).await.status();
        let unknown = app.send(send(method, path, Some("msp_not_a_key_of_anyone_at_all_0000"))).await.status();
        let with = app.send(send(method, path, Some(&keys[0]))).await.status();
        if needs_key {
            assert_eq!(without, StatusCode::UNAUTHORIZED, "{method} {path} without a key");
            assert_eq!(unknown, StatusCode::UNAUTHORIZED, "{method} {path} with an unknown key");
        } else {
            assert_eq!(without, StatusCode::OK, "{method} {path} is public");
        }
        assert!(with.is_success(), "{method} {path} with a key: {with}");
    }
    // Each key answers for its own customer only.
    for (key, own) in keys.iter().zip(&ids) {
        let license = body_text(app.send(send("GET", "/api/v1/license", Some(key))).await).await;
        let license: serde_json::Value = serde_json::from_str(&license).unwrap();
        assert_eq!(license["customer_id"].as_i64(), Some(*own), "{license}");
    }
    let reported: Vec<i64> =
        sqlx::query_scalar("SELECT customer_id FROM usage_reports").fetch_all(&app.t.db).await.unwrap();
    assert_eq!(reported, vec![ids[0]], "the report went to the key's customer");
}
