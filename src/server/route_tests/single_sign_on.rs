//! Single sign-on's routes and settings. The whole sign-in through a real
//! OpenID provider's login page runs in the browser tests
//! (`end2end/tests/single-sign-on.spec.ts`); here: what is refused before
//! and after the provider, the settings' checks, password sign-in switched
//! off, and the limit on sign-ins waiting at the provider, against the same
//! real provider (`end2end/scripts/oidc-provider.mjs`, started by the test).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::two_factor::app_with_key;
use super::*;
use crate::server::db::Time;
use crate::server::sessions::hash_token;

/// The real OpenID provider on loopback, stopped when dropped.
struct Provider {
    child: Child,
    good: String,
    /// Another issuer of the same process (its tokens are expired).
    other: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the provider (Node.js and `end2end/node_modules`, which
/// `.ci/test` installs before the Rust tests).
fn provider(secret: &str) -> Provider {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/end2end/scripts/oidc-provider.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .arg(secret)
        .arg(format!("http://{HOST}/sso/callback"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the OpenID provider (install Node.js and `npm ci` in end2end/, as .ci/test does)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let issuers: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("the provider printed its issuers: {line:?}"));
    let issuer = |name: &str| issuers[name].as_str().unwrap().to_owned();
    Provider { child, good: issuer("good"), other: issuer("expired") }
}

fn location(response: &Response) -> String {
    response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn audited(app: &TestApp, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&app.t.db)
        .await
        .unwrap()
}

/// A sign-in waiting at the provider, as `/sso/start` stores it.
async fn waiting_flow(app: &TestApp, token: &str, state: &str, minutes_ago: i64) {
    sqlx::query(
        "INSERT INTO sso_flows (token_hash, state, nonce, pkce_verifier, next, ip, created_at) \
         VALUES ($1, $2, 'n', 'v', '/', '0.0.0.0', $3)",
    )
    .bind(hash_token(token))
    .bind(state)
    .bind(Time(Utc::now() - chrono::Duration::minutes(minutes_ago)))
    .execute(&app.t.db)
    .await
    .unwrap();
}

async fn flows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sso_flows").fetch_one(&app.t.db).await.unwrap()
}

fn settings_form(issuer: &str, secret: &str, password_sign_in: &str, version: i64) -> String {
    format!(
        "form[enabled]=on&form[display_name]=Test+ID&form[issuer_url]={}&form[client_id]=msp-manager\
         &form[client_secret]={secret}&form[allowed_domains]=allowed.example&form[new_staff_role]=viewer\
         &form[role_claim]=&form[role_admin]=&form[role_operator]=&form[role_viewer]=\
         &form[password_sign_in]={password_sign_in}&version={version}",
        crate::domain::customer_list::encode(issuer)
    )
}

async fn version(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT version FROM single_sign_on WHERE id = 1").fetch_one(&app.t.db).await.unwrap()
}

use chrono::Utc;

#[tokio::test]
async fn without_single_sign_on_its_routes_are_public_and_refuse_with_a_reason() {
    let app = TestApp::new().await;
    let start = app.get("/sso/start?next=/customers", None).await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&start), "/login?sso_error=off");
    let back = app.get("/sso/callback?code=abc&state=xyz", None).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&back), "/login?sso_error=state");
    let cleared = back.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("msp_sso=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let failed = audited(&app, "login.sso_failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0].starts_with("state: no sign-in of this browser waits"), "{failed:?}");
    // The sign-in page says why, and offers no provider.
    let (_, options) = app.post("/api/login_options", "", None).await.into_parts_status().await;
    assert_eq!(options, r#"{"single_sign_on":null,"password_for_everyone":true}"#);
}

#[tokio::test]
async fn a_waiting_sign_in_is_taken_once_its_state_must_match_and_it_expires() {
    let app = TestApp::new().await;
    let callback = |token: &str, state: &str| {
        let request = Request::builder()
            .uri(format!("/sso/callback?code=abc&state={state}"))
            .header(header::HOST, HOST)
            .header(header::COOKIE, format!("msp_sso={token}"))
            .body(Body::empty())
            .unwrap();
        app.send(request)
    };
    waiting_flow(&app, "tok-1", "right-state", 1).await;
    assert_eq!(location(&callback("tok-1", "wrong-state").await), "/login?sso_error=state");
    assert_eq!(flows(&app).await, 0, "a wrong state ends the sign-in");
    assert_eq!(location(&callback("tok-1", "right-state").await), "/login?sso_error=state", "taken once");

    waiting_flow(&app, "tok-2", "right-state", 11).await;
    assert_eq!(location(&callback("tok-2", "right-state").await), "/login?sso_error=state", "ten minutes at most");

    // The right state passes the check; single sign-on is off here.
    waiting_flow(&app, "tok-3", "right-state", 1).await;
    assert_eq!(location(&callback("tok-3", "right-state").await), "/login?sso_error=off");
    let long = "x".repeat(3000);
    waiting_flow(&app, "tok-4", &long, 1).await;
    assert_eq!(location(&callback("tok-4", &long).await), "/login?sso_error=state", "parameters are capped");
    // Anyone can send these: the first of the minute is written, the
    // repeats are counted (`refusals`).
    let reasons = audited(&app, "login.sso_failed").await;
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].starts_with("state: state does not match"), "{reasons:?}");
}

#[tokio::test]
async fn the_settings_are_checked_field_by_field_and_need_the_secret_key() {
    let app = TestApp::with_every_role().await;
    let admin = app.cookie_for("ada").await;
    let form = settings_form("http://login.example.com/", "s3cret", "everyone", 1);
    let (status, body) =
        app.post("/api/staff/save_single_sign_on", &form, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("issuer_not_https"), "{body}");
    // A right form, but this server has no key to keep the secret with.
    let form = settings_form("https://login.example.com/", "s3cret", "everyone", 1);
    let (status, body) =
        app.post("/api/staff/save_single_sign_on", &form, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("sso_secret_needs_key"), "{body}");
    assert_eq!(version(&app).await, 1, "nothing saved");
    let operator = app.cookie_for("otto").await;
    assert_eq!(
        app.post("/api/staff/save_single_sign_on", &form, Some(&operator)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post("/api/staff/single_sign_on", "", Some(&operator)).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_a_real_provider_the_settings_save_and_a_flood_of_starts_stays_bounded() {
    let secret = "provider-client-secret";
    let provider = provider(secret);
    let app = app_with_key().await;
    let admin = app.cookie_for("ada").await;
    // An issuer that answers nothing is refused next to its field.
    let dead = settings_form("http://127.0.0.1:9/", secret, "everyone", 1);
    let (status, body) =
        app.post("/api/staff/save_single_sign_on", &dead, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("discovery_failed|"), "{body}");

    let form = settings_form(&provider.good, secret, "everyone", 1);
    let (status, body) =
        app.post("/api/staff/save_single_sign_on", &form, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored: String =
        sqlx::query_scalar("SELECT client_secret FROM single_sign_on").fetch_one(&app.t.db).await.unwrap();
    assert!(!stored.is_empty() && !stored.contains(secret), "sealed, never in clear");
    let (_, view) = app.post("/api/staff/single_sign_on", "", Some(&admin)).await.into_parts_status().await;
    assert!(!view.contains(secret) && view.contains(r#""has_secret":true"#), "{view}");
    assert!(view.contains(&format!(r#""redirect_uri":"http://{HOST}/sso/callback""#)), "{view}");
    // The same form again: someone else saved in between.
    let (status, _) = app.post("/api/staff/save_single_sign_on", &form, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The start sends the browser to the provider with state, nonce and a
    // PKCE challenge, and sets the flow's cookie for the callback only.
    let start = app.get("/sso/start?next=/customers", None).await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to = url::Url::parse(&location(&start)).unwrap();
    assert!(to.as_str().starts_with(&format!("{}/auth?", provider.good)), "{to}");
    let params: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], "msp-manager");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["redirect_uri"], format!("http://{HOST}/sso/callback"));
    assert!(params["scope"].split(' ').any(|s| s == "openid"));
    assert!(params["state"].len() >= 16 && params["nonce"].len() >= 16);
    let cookie = start.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("Path=/sso/callback") && cookie.contains("SameSite=Lax") && cookie.contains("HttpOnly"));
    let next: String = sqlx::query_scalar("SELECT next FROM sso_flows").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(next, "/customers");

    // Many starts at once from one address: no more flows than the limit.
    let starts = (0..40).map(|_| app.get("/sso/start?next=//evil.example", None));
    let answers = futures_util::future::join_all(starts).await;
    let busy = answers.iter().filter(|r| location(r) == "/login?sso_error=busy").count();
    let sent = answers.iter().filter(|r| location(r).starts_with(&provider.good)).count();
    assert_eq!(sent + busy, 40);
    assert_eq!(flows(&app).await, 30, "at most 30 waiting per address");
    assert_eq!(sent, 29);
    let nexts: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT next FROM sso_flows").fetch_all(&app.t.db).await.unwrap();
    assert_eq!(nexts.len(), 2, "a foreign next is stored as /: {nexts:?}");
    assert!(nexts.contains(&"/".to_owned()));
    // The job pass deletes them once their ten minutes are over.
    let later = Utc::now() + chrono::Duration::minutes(11);
    assert_eq!(crate::server::single_sign_on::prune_flows(&app.t.db, later).await.unwrap(), 30);
    let changes = audited(&app, "settings.single_sign_on_changed").await;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].contains("switched on") && changes[0].contains("new client secret"), "{changes:?}");
    assert!(!changes[0].contains(secret));
    // Another provider: the links to the old one's subjects are dropped.
    sqlx::query("UPDATE staff SET sso_issuer = $1, sso_subject = 'ada-sub' WHERE username = 'ada'")
        .bind(&provider.good)
        .execute(&app.t.db)
        .await
        .unwrap();
    let form = settings_form(&provider.other, "", "everyone", version(&app).await);
    let (status, body) =
        app.post("/api/staff/save_single_sign_on", &form, Some(&admin)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE sso_subject IS NOT NULL")
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert_eq!(linked, 0);
    let changes = audited(&app, "settings.single_sign_on_changed").await;
    assert!(changes[1].contains("links to the old provider dropped: 1"), "{changes:?}");
    assert!(!changes[1].contains("new client secret"), "an empty secret keeps the stored one: {changes:?}");
    // A stored secret needs the key at start.
    let without = Config::for_database("sqlite://unused");
    let refused = crate::server::secret_box::check_at_start(&without, &app.t.db).await.unwrap_err().to_string();
    assert!(refused.contains("single sign-on"), "{refused}");
}

#[tokio::test]
async fn password_sign_in_switched_off_leaves_only_the_break_glass_admin() {
    let app = TestApp::with_every_role().await;
    let ada: i64 = staff::find_by_username(&app.t.db, "ada").await.unwrap().unwrap().id;
    sqlx::query("UPDATE single_sign_on SET enabled = TRUE, break_glass_staff_id = $1")
        .bind(ada)
        .execute(&app.t.db)
        .await
        .unwrap();
    let (status, body) = app.login("otto", PASSWORD).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("password_off"), "{body}");
    // A wrong password still reads as one.
    let (_, wrong) = app.login("otto", "not the password").await.into_parts_status().await;
    assert!(wrong.contains("wrong_credentials"), "{wrong}");
    assert_eq!(audited(&app, "login.password_off").await.len(), 1);
    assert_eq!(app.login("ada", PASSWORD).await.status(), StatusCode::OK, "the break-glass admin signs in");
    let (_, options) = app.post("/api/login_options", "", None).await.into_parts_status().await;
    assert_eq!(options, r#"{"single_sign_on":"","password_for_everyone":false}"#);

    // The break-glass admin stays an active admin while they are the one.
    let other_admin = app.with_staff("root2", Role::Admin).await;
    // (Signed in through the provider: their password is off.)
    let root2 = staff::find_by_username(&other_admin.t.db, "root2").await.unwrap().unwrap().id;
    let mut tx = crate::server::db::begin_write(&other_admin.t.db).await.unwrap();
    let token = crate::server::sessions::create(&mut tx, root2, Default::default(), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let root2 = format!("msp_session={token}");
    for (path, form) in [
        ("/api/staff/set_disabled", format!("id={ada}&disabled=true")),
        ("/api/staff/change_role", format!("id={ada}&role=viewer")),
    ] {
        let (status, body) = other_admin.post(path, &form, Some(&root2)).await.into_parts_status().await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}");
        assert!(body.contains("break_glass_admin|"), "{body}");
    }
}

#[tokio::test]
async fn an_admin_sets_the_email_a_staff_member_is_linked_by_and_a_change_unlinks() {
    let app = TestApp::with_every_role().await;
    let admin = app.cookie_for("ada").await;
    let val: i64 = staff::find_by_username(&app.t.db, "val").await.unwrap().unwrap().id;
    let otto: i64 = staff::find_by_username(&app.t.db, "otto").await.unwrap().unwrap().id;
    let set = |id: i64, email: &str| {
        let form = format!("id={id}&sso_email={}", crate::domain::customer_list::encode(email));
        let app = &app;
        let admin = admin.clone();
        async move { app.post("/api/staff/set_sso_email", &form, Some(&admin)).await.into_parts_status().await }
    };
    assert_eq!(set(val, " Val@Corp.Example ").await.0, StatusCode::OK);
    sqlx::query("UPDATE staff SET sso_issuer = 'https://idp.example', sso_subject = 'val-sub' WHERE id = $1")
        .bind(val)
        .execute(&app.t.db)
        .await
        .unwrap();
    let (status, body) = set(otto, "val@corp.example").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("sso_email_taken"), "{body}");
    let (status, body) = set(otto, "not an email").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("sso_email"), "{body}");
    // The same email again changes nothing; another one drops the link.
    assert_eq!(set(val, "val@corp.example").await.0, StatusCode::OK);
    let linked: Option<String> =
        sqlx::query_scalar("SELECT sso_subject FROM staff WHERE id = $1").bind(val).fetch_one(&app.t.db).await.unwrap();
    assert_eq!(linked.as_deref(), Some("val-sub"));
    assert_eq!(set(val, "val@new.example").await.0, StatusCode::OK);
    let (email, linked): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT sso_email, sso_subject FROM staff WHERE id = $1")
            .bind(val)
            .fetch_one(&app.t.db)
            .await
            .unwrap();
    assert_eq!((email.as_deref(), linked), (Some("val@new.example"), None));
    assert_eq!(set(val, "").await.0, StatusCode::OK);
    assert_eq!(audited(&app, "staff.sso_email_changed").await.len(), 3);
}
