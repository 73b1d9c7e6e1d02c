//! Two-factor sign-in with an authenticator app over real HTTP requests:
//! set-up, the second step of sign-in, replay, the window, the limits, the
//! key.

use super::*;
use crate::server::secret_box;
use base64::Engine as _;
use chrono::Utc;
use totp_rs::{Algorithm, TOTP};

/// The app with a key for secrets and the three roles.
pub(super) async fn app_with_key() -> TestApp {
    let mut config = Config::for_database("sqlite://unused");
    config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode([42u8; 32]).parse().unwrap());
    TestApp::with_config(config).await.with_staff("val", Role::Viewer).await.with_staff("ada", Role::Admin).await
}

/// The current 30-second step.
fn step_now() -> i64 {
    Utc::now().timestamp() / 30
}

/// The code of `step`, as an app shows it.
fn code_at(secret: &[u8], step: i64) -> String {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret.to_vec()).unwrap().generate((step * 30) as u64)
}

/// The code of the step `offset` steps from now.
pub(super) fn code(secret: &[u8], offset: i64) -> String {
    code_at(secret, step_now() + offset)
}

pub(super) fn decode_base32(text: &str) -> Vec<u8> {
    let compact: String = text.split_whitespace().collect();
    base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &compact).expect("base32")
}

/// Sets up an app for the signed-in `cookie`'s user; its secret.
pub(super) async fn set_up(app: &TestApp, cookie: &str) -> Vec<u8> {
    set_up_with_codes(app, cookie).await.0
}

/// Sets up an app; its secret and the recovery codes shown.
async fn set_up_with_codes(app: &TestApp, cookie: &str) -> (Vec<u8>, Vec<String>) {
    let (status, body) = app.post("/api/two_factor/begin", "", Some(cookie)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let setup: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"), "a QR code drawn as SVG");
    let secret = decode_base32(setup["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20, "160 bits");
    let confirm = format!("code={}", code(&secret, 0));
    let (status, body) = app.post("/api/two_factor/confirm", &confirm, Some(cookie)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<String> = serde_json::from_str(&body).unwrap();
    (secret, codes)
}

pub(super) fn cookie_named(response: &axum::response::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The password step: the challenge cookie, and no session.
pub(super) async fn password_step(app: &TestApp, name: &str) -> String {
    let response = app.login(name, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(session_cookie(&response), None, "no session before the code");
    cookie_named(&response, "msp_signin").expect("a challenge cookie")
}

async fn code_step(app: &TestApp, challenge: &str, code: &str) -> axum::response::Response {
    app.post("/api/login_code", &format!("code={code}&next=%2Fcustomers"), Some(challenge)).await
}

pub(super) async fn audited(app: &TestApp, actor: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = $1 ORDER BY id")
        .bind(actor)
        .fetch_all(&app.t.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn setting_up_an_app_takes_its_first_code_and_keeps_the_secret_sealed() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let (status, body) = app.post("/api/two_factor/begin", "", Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let setup: serde_json::Value = serde_json::from_str(&body).unwrap();
    let secret = decode_base32(setup["secret"].as_str().unwrap());
    // Stored sealed: neither the bytes nor the text are in the database.
    let stored: String = sqlx::query_scalar("SELECT secret FROM staff_totp").fetch_one(&app.t.db).await.unwrap();
    assert!(!stored.contains(&setup["secret"].as_str().unwrap().replace(' ', "")));
    assert_ne!(base64::engine::general_purpose::STANDARD.decode(&stored).unwrap()[12..32], secret[..]);
    // Not on until a right code: sign-in still takes the password alone.
    let wrong = app.post("/api/two_factor/confirm", "code=000000", Some(&val)).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(session_cookie(&app.login("val", PASSWORD).await).is_some());
    let right = format!("code={}", code(&secret, 0));
    assert_eq!(app.post("/api/two_factor/confirm", &right, Some(&val)).await.status(), StatusCode::OK);
    let (_, state) = app.post("/api/two_factor", "", Some(&val)).await.into_parts_status().await;
    assert_eq!(
        state,
        r#"{"enabled":true,"available":true,"recovery_left":10,"required":false,"passkeys":[],"passkeys_available":true}"#
    );
    // A second app needs the first turned off.
    assert_eq!(app.post("/api/two_factor/begin", "", Some(&val)).await.status(), StatusCode::CONFLICT);
    let actions = audited(&app, "val").await;
    assert!(
        actions.contains(&"staff.totp_setup_failed".to_owned()) && actions.contains(&"staff.totp_enabled".to_owned())
    );
}

#[tokio::test]
async fn sign_in_asks_for_the_code_and_holds_no_session_until_it_passes() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let secret = set_up(&app, &val).await;

    let challenge = password_step(&app, "val").await;
    // The challenge is no session.
    assert_eq!(app.get("/customers", Some(&challenge)).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(code_step(&app, &challenge, "000000").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code_step(&app, &challenge, "12").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Two steps ago: outside the window.
    assert_eq!(code_step(&app, &challenge, &code(&secret, -2)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The set-up used this step's code: the next step's passes (one step ahead is in the window).
    let base = step_now();
    let next = code_at(&secret, base + 1);
    let response = code_step(&app, &challenge, &next).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = session_cookie(&response).expect("a session after the code");
    assert!(response.headers().get_all(header::SET_COOKIE).iter().any(|v| v
        .to_str()
        .unwrap()
        .starts_with("msp_signin=;")
        && v.to_str().unwrap().contains("Max-Age=0")));
    assert_eq!(app.get("/customers", Some(&session)).await.status(), StatusCode::OK);
    // The challenge is used up; the same code again, with a new challenge, is a replay.
    assert_eq!(code_step(&app, &challenge, &next).await.status(), StatusCode::CONFLICT);
    let again = password_step(&app, "val").await;
    assert_eq!(code_step(&app, &again, &next).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let older = code_step(&app, &again, &code_at(&secret, base)).await;
    assert_eq!(older.status(), StatusCode::UNPROCESSABLE_ENTITY, "an older step than the last one used");
    let actions = audited(&app, "val").await;
    for action in ["login.code_required", "login.code_failed", "login.succeeded"] {
        assert!(actions.contains(&action.to_owned()), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn one_code_sent_many_times_at_once_signs_in_once() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let secret = set_up(&app, &val).await;
    let challenges: Vec<String> = futures_util::future::join_all((0..4).map(|_| password_step(&app, "val"))).await;
    let next = code(&secret, 1);
    let calls = challenges.iter().map(|challenge| code_step(&app, challenge, &next));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(calls).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
}

#[tokio::test]
async fn wrong_codes_count_against_the_sign_in_limit_and_a_challenge_expires() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let secret = set_up(&app, &val).await;
    let challenge = password_step(&app, "val").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(code_step(&app, &challenge, "000000").await.status());
    }
    // The password step passed; the limit counts failures: five wrong codes, then a wait.
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let right = code_step(&app, &challenge, &code(&secret, 1)).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS, "even the right code waits");

    let other = app_with_key().await;
    let ada = other.cookie_for("ada").await;
    let secret = set_up(&other, &ada).await;
    let challenge = password_step(&other, "ada").await;
    other.state.clock.shift(chrono::Duration::minutes(6));
    let (status, body) = code_step(&other, &challenge, &code(&secret, 12)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("expired"), "{body}");
}

#[tokio::test]
async fn without_a_key_there_is_no_set_up_and_with_secrets_stored_no_start() {
    let app = TestApp::with_every_role().await;
    let val = app.cookie_for("val").await;
    let (status, body) = app.post("/api/two_factor/begin", "", Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("secret_key_missing"), "{body}");
    assert!(secret_box::check_at_start(&app.state.config, &app.t.db).await.is_ok(), "no secret stored yet");

    let keyed = app_with_key().await;
    let ada = keyed.cookie_for("ada").await;
    set_up(&keyed, &ada).await;
    assert!(secret_box::check_at_start(&keyed.state.config, &keyed.t.db).await.is_ok());
    let without = Config::for_database("sqlite://unused");
    let refused = secret_box::check_at_start(&without, &keyed.t.db).await.unwrap_err().to_string();
    assert!(refused.contains("MSP_SECRET_KEY is not set"), "{refused}");
}

#[tokio::test]
async fn turning_it_off_takes_the_current_password() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    set_up(&app, &val).await;
    let wrong = app.post("/api/two_factor/disable", "current_password=not+it", Some(&val)).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = format!("current_password={}", PASSWORD.replace(' ', "+"));
    assert_eq!(app.post("/api/two_factor/disable", &form, Some(&val)).await.status(), StatusCode::OK);
    assert!(session_cookie(&app.login("val", PASSWORD).await).is_some(), "the password alone again");
    assert!(audited(&app, "val").await.contains(&"staff.totp_disabled".to_owned()));
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_in_place_of_a_code_and_says_how_many_are_left() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let (_, codes) = set_up_with_codes(&app, &val).await;
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3), "{codes:?}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM recovery_codes").fetch_all(&app.t.db).await.unwrap();
    assert_eq!(stored.len(), 10);
    assert!(codes.iter().all(|c| !stored.iter().any(|h| h.contains(&c.replace('-', "")))), "only hashes are stored");

    // Typed in capitals and without dashes, it still reads.
    let challenge = password_step(&app, "val").await;
    let typed = codes[0].replace('-', " ").to_uppercase();
    let response = code_step(&app, &challenge, &typed.replace(' ', "+")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = session_cookie(&response).expect("a session");
    let (_, state) = app.post("/api/two_factor", "", Some(&session)).await.into_parts_status().await;
    assert!(state.contains(r#""recovery_left":9"#), "{state}");
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'login.recovery_code_used'")
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert!(detail.ends_with("with a recovery code (9 left)"), "{detail}");

    // Once only.
    let again = password_step(&app, "val").await;
    let (status, body) = code_step(&app, &again, &codes[0]).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("wrong_recovery_code"), "{body}");

    // One code sent on four challenges at once: one sign-in.
    let challenges: Vec<String> = futures_util::future::join_all((0..4).map(|_| password_step(&app, "val"))).await;
    let calls = challenges.iter().map(|challenge| code_step(&app, challenge, &codes[1]));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(calls).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");

    // Five refusals by now: past the login window, the limit has forgotten them.
    app.state.clock.shift(chrono::Duration::minutes(16));
    // A new set (after the password) ends the old one.
    let form = format!("current_password={}", PASSWORD.replace(' ', "+"));
    let (status, body) =
        app.post("/api/two_factor/recovery_codes", &form, Some(&session)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh: Vec<String> = serde_json::from_str(&body).unwrap();
    let challenge = password_step(&app, "val").await;
    assert_eq!(code_step(&app, &challenge, &codes[2]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code_step(&app, &challenge, &fresh[0]).await.status(), StatusCode::OK);
    let actions = audited(&app, "val").await;
    assert!(actions.contains(&"staff.recovery_codes_renewed".to_owned()), "{actions:?}");
}

#[tokio::test]
async fn an_admin_resets_another_accounts_app_but_not_their_own() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    let val = app.cookie_for("val").await;
    set_up(&app, &val).await;
    set_up(&app, &ada).await;
    let id_of = |name: &'static str| {
        let db = app.t.db.clone();
        async move { staff::find_by_username(&db, name).await.unwrap().unwrap().id }
    };
    let (val_id, ada_id) = (id_of("val").await, id_of("ada").await);
    let refused = app.post("/api/staff/reset_two_factor", &format!("id={ada_id}"), Some(&ada)).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "not one's own");
    assert_eq!(
        app.post("/api/staff/reset_two_factor", &format!("id={val_id}"), Some(&val)).await.status(),
        StatusCode::FORBIDDEN,
        "admins only"
    );
    let (status, body) =
        app.post("/api/staff/reset_two_factor", &format!("id={val_id}"), Some(&ada)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.get("/customers", Some(&val)).await.status(), StatusCode::SEE_OTHER, "val's sessions ended");
    assert!(session_cookie(&app.login("val", PASSWORD).await).is_some(), "the password alone again");
    let codes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1")
        .bind(val_id)
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert_eq!(codes, 0);
    let again = app.post("/api/staff/reset_two_factor", &format!("id={val_id}"), Some(&ada)).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "nothing left to reset");
    assert!(audited(&app, "ada").await.contains(&"staff.two_factor_reset".to_owned()));
}

/// An admin sets the policy (`rule`) at the version it has now.
pub(super) async fn set_policy(app: &TestApp, admin_cookie: &str, rule: &str) -> (StatusCode, String) {
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM sign_in_policy WHERE id = 1").fetch_one(&app.t.db).await.unwrap();
    let form = format!("require_two_factor={rule}&version={version}");
    app.post("/api/staff/save_sign_in_policy", &form, Some(admin_cookie)).await.into_parts_status().await
}

/// Whether `cookie`'s user is held back to set up a second factor: a
/// module's page sends them to their account page, a server function
/// answers 403.
pub(super) async fn held_back_to_set_up(app: &TestApp, cookie: &str) -> bool {
    let page = app.get("/customers", Some(cookie)).await;
    let (status, body) = app.post("/api/customers/get", "id=1", Some(cookie)).await.into_parts_status().await;
    let held = page.status() == StatusCode::SEE_OTHER && page.headers()[header::LOCATION] == "/password";
    assert_eq!(held, status == StatusCode::FORBIDDEN && body.contains("TwoFactorSetupRequired"), "{status} {body}");
    held
}

#[tokio::test]
async fn the_policy_sends_staff_without_a_factor_to_set_one_up_and_opens_nothing_else_until_then() {
    let app = app_with_key().await.with_staff("otto", Role::Operator).await;
    let ada = app.cookie_for("ada").await;
    let val = app.cookie_for("val").await;
    let otto_before = app.cookie_for("otto").await;
    assert!(!held_back_to_set_up(&app, &val).await, "nobody by default");

    let (status, body) = set_policy(&app, &ada, "admins").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"), "the admin is told to set one up now");
    assert!(held_back_to_set_up(&app, &ada).await, "the admin's own session at once");
    assert!(!held_back_to_set_up(&app, &val).await, "a viewer is not an admin");
    // The admin sets up an app from the account page and is free again.
    assert_eq!(app.get("/password", Some(&ada)).await.status(), StatusCode::OK);
    set_up(&app, &ada).await;
    assert!(!held_back_to_set_up(&app, &ada).await);

    let (status, body) = set_policy(&app, &ada, "everyone").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "false"), "the admin has a factor now");
    // Sessions signed in before the change are held back too.
    assert!(held_back_to_set_up(&app, &otto_before).await);
    // A new sign-in goes to the account page, not to `next`.
    let login = app.post("/api/login", &format!("username=val&password={PASSWORD}&next=%2Fcustomers"), None).await;
    assert_eq!(login.headers()[header::LOCATION], "/password");
    let val = session_cookie(&login).unwrap();
    assert!(held_back_to_set_up(&app, &val).await);
    // What the two-factor card needs stays open.
    let (status, state) = app.post("/api/two_factor", "", Some(&val)).await.into_parts_status().await;
    assert_eq!(
        (status, state.as_str()),
        (
            StatusCode::OK,
            r#"{"enabled":false,"available":true,"recovery_left":0,"required":true,"passkeys":[],"passkeys_available":true}"#
        )
    );
    assert_eq!(app.post("/api/my_sessions", "", Some(&val)).await.status(), StatusCode::OK);
    set_up(&app, &val).await;
    assert!(!held_back_to_set_up(&app, &val).await);
    let refusals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'access.two_factor_setup_required' AND actor = 'val'",
    )
    .fetch_one(&app.t.db)
    .await
    .unwrap();
    assert!(refusals >= 1, "the refused calls are audited");

    // Back to nobody: the operator is free without a factor.
    assert_eq!(set_policy(&app, &ada, "nobody").await.0, StatusCode::OK);
    assert!(!held_back_to_set_up(&app, &otto_before).await);
    let changes: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'settings.sign_in_policy_changed' ORDER BY id")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert_eq!(
        changes,
        [
            "two-factor required for: nobody → admins",
            "two-factor required for: admins → everyone",
            "two-factor required for: everyone → nobody"
        ]
    );
}

#[tokio::test]
async fn a_required_factor_stays_on_and_after_an_admin_reset_is_set_up_again_at_the_next_sign_in() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    set_up(&app, &ada).await;
    let val = app.cookie_for("val").await;
    set_up(&app, &val).await;
    assert_eq!(set_policy(&app, &ada, "everyone").await.0, StatusCode::OK);
    let form = format!("current_password={PASSWORD}");
    let (status, body) = app.post("/api/two_factor/disable", &form, Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("last_factor"), "{body}");
    assert!(!audited(&app, "val").await.contains(&"staff.totp_disabled".to_owned()));

    let val_id: i64 =
        sqlx::query_scalar("SELECT id FROM staff WHERE username = 'val'").fetch_one(&app.t.db).await.unwrap();
    let reset = app.post("/api/staff/reset_two_factor", &format!("id={val_id}"), Some(&ada)).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let login = app.login("val", PASSWORD).await;
    assert_eq!(login.headers()[header::LOCATION], "/password", "straight to setting up the new app");
    let val = session_cookie(&login).expect("the password alone signs in, to set up the app");
    assert!(held_back_to_set_up(&app, &val).await);
    set_up(&app, &val).await;
    assert!(!held_back_to_set_up(&app, &val).await);
}

#[tokio::test]
async fn only_an_admin_sets_the_policy_at_the_current_version_and_only_where_a_factor_can_be_kept() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    let val = app.cookie_for("val").await;
    assert_eq!(set_policy(&app, &val, "everyone").await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/staff/sign_in_policy", "", Some(&val)).await.status(), StatusCode::FORBIDDEN);
    for bad in ["all", "", "Everyone", "admins%2Ceveryone"] {
        let (status, body) = set_policy(&app, &ada, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body.contains("require_two_factor"), "{body}");
    }
    let stale = app.post("/api/staff/save_sign_in_policy", "require_two_factor=admins&version=0", Some(&ada)).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let (status, body) = app.post("/api/staff/sign_in_policy", "", Some(&ada)).await.into_parts_status().await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::OK,
            r#"{"require_two_factor":"nobody","version":1,"factors_available":true,"yours_is_set_up":false}"#
        )
    );

    // Without a key nobody could set up an app: requiring one is refused.
    let keyless = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let ada = keyless.cookie_for("ada").await;
    for rule in ["admins", "everyone"] {
        let (status, body) = set_policy(&keyless, &ada, rule).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("policy_needs_key"), "{body}");
    }
    assert_eq!(set_policy(&keyless, &ada, "nobody").await.0, StatusCode::OK);
}
