//! Passkeys over real HTTP requests, answered by a software authenticator
//! (webauthn-authenticator-rs): adding one, signing in with it in place of
//! the code, one answer once, foreign and tampered answers, the policy,
//! removal and an admin's reset.

use super::two_factor::{app_with_key, audited, held_back_to_set_up, password_step, set_policy, set_up};
use super::*;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse, Url};

/// The origin the browser would report: the test app listens on loopback,
/// so its relying party is `localhost` on the same port.
fn origin() -> Url {
    Url::parse(&format!("http://localhost:{}", HOST.rsplit(':').next().unwrap())).unwrap()
}

fn form_value(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A server function's answer that is a JSON string holding JSON.
fn inner_json<T: serde::de::DeserializeOwned>(body: &str) -> T {
    let text: String = serde_json::from_str(body).unwrap_or_else(|_| panic!("a JSON string: {body}"));
    serde_json::from_str(&text).unwrap()
}

/// Adds a passkey named `name` with `key` for the signed-in `cookie`: the
/// status and body of the last step.
async fn add(app: &TestApp, cookie: &str, key: &mut SoftPasskey, name: &str) -> (StatusCode, String) {
    let begin = format!("name={}", form_value(name));
    let (status, body) = app.post("/api/passkeys/begin", &begin, Some(cookie)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let options: CreationChallengeResponse = inner_json(&body);
    let answer = key.do_registration(origin(), options).expect("the authenticator registers");
    let form = format!("credential={}", form_value(&serde_json::to_string(&answer).unwrap()));
    app.post("/api/passkeys/finish", &form, Some(cookie)).await.into_parts_status().await
}

/// The passkey step for the waiting sign-in of `challenge`: the answer of
/// `key`, as JSON.
async fn answer(app: &TestApp, challenge: &str, key: &mut SoftPasskey) -> String {
    let (status, body) = app.post("/api/login_passkey_begin", "", Some(challenge)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let options: RequestChallengeResponse = inner_json(&body);
    serde_json::to_string(&key.do_authentication(origin(), options).expect("the authenticator signs")).unwrap()
}

async fn send(app: &TestApp, challenge: &str, answer: &str) -> axum::response::Response {
    let form = format!("credential={}&next=%2Fcustomers", form_value(answer));
    app.post("/api/login_passkey", &form, Some(challenge)).await
}

async fn two_factor_state(app: &TestApp, cookie: &str) -> serde_json::Value {
    let (status, body) = app.post("/api/two_factor", "", Some(cookie)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn a_passkey_added_with_a_name_signs_in_in_place_of_the_code() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let mut key = SoftPasskey::new(true);
    let (status, body) = add(&app, &val, &mut key, "YubiKey 5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Option<Vec<String>> = serde_json::from_str(&body).unwrap();
    assert_eq!(codes.map(|c| c.len()), Some(10), "the first factor brings the recovery codes");
    let state = two_factor_state(&app, &val).await;
    assert_eq!(state["passkeys"][0]["name"], "YubiKey 5");
    assert_eq!(state["passkeys_available"], true);
    assert_eq!(state["enabled"], false, "no app");

    // The password alone makes no session now; the code page offers the passkey.
    let challenge = password_step(&app, "val").await;
    let (_, methods) = app.post("/api/login_methods", "", Some(&challenge)).await.into_parts_status().await;
    assert_eq!(methods, r#"{"app":false,"passkey":true}"#);
    let signed = answer(&app, &challenge, &mut key).await;
    let response = send(&app, &challenge, &signed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = session_cookie(&response).expect("a session");
    assert_eq!(app.get("/customers", Some(&session)).await.status(), StatusCode::OK);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE actor = 'val' AND action = 'login.succeeded' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.t.db)
    .await
    .unwrap();
    assert!(detail.ends_with("with the passkey “YubiKey 5”"), "{detail}");
    let state = two_factor_state(&app, &session).await;
    assert!(state["passkeys"][0]["last_used_at"].is_string(), "{state}");
    assert!(audited(&app, "val").await.contains(&"staff.passkey_added".to_owned()));
}

#[tokio::test]
async fn one_answer_signs_in_once_and_foreign_or_tampered_answers_are_refused() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    let mut key = SoftPasskey::new(true);
    assert_eq!(add(&app, &val, &mut key, "Laptop").await.0, StatusCode::OK);

    // Another account's key, answering that account's challenge, sent for
    // this sign-in: refused, counted, audited.
    let ada = app.cookie_for("ada").await;
    let mut stranger = SoftPasskey::new(true);
    assert_eq!(add(&app, &ada, &mut stranger, "Ada's key").await.0, StatusCode::OK);
    let ada_challenge = password_step(&app, "ada").await;
    let foreign = answer(&app, &ada_challenge, &mut stranger).await;
    let challenge = password_step(&app, "val").await;
    let _ = answer(&app, &challenge, &mut key).await;
    let response = send(&app, &challenge, &foreign).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(session_cookie(&response), None);

    // A tampered signature: refused.
    let signed = answer(&app, &challenge, &mut key).await;
    let mut tampered: PublicKeyCredential = serde_json::from_str(&signed).unwrap();
    let last = tampered.response.signature.len() - 1;
    tampered.response.signature[last] ^= 1;
    let (status, body) =
        send(&app, &challenge, &serde_json::to_string(&tampered).unwrap()).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("passkey_not_accepted"), "{body}");

    // A right answer, sent three times at once: one session.
    let signed = answer(&app, &challenge, &mut key).await;
    let sends = (0..3).map(|_| send(&app, &challenge, &signed));
    let responses = futures_util::future::join_all(sends).await;
    let sessions = responses.iter().filter(|r| session_cookie(r).is_some()).count();
    assert_eq!(sessions, 1, "{:?}", responses.iter().map(|r| r.status()).collect::<Vec<_>>());
    // And once more later: the sign-in is over.
    let again = send(&app, &challenge, &signed).await;
    assert_eq!(session_cookie(&again), None);
    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor = 'val' AND action = 'login.passkey_failed'")
            .fetch_one(&app.t.db)
            .await
            .unwrap();
    assert!(failures >= 1, "refusals are audited");
}

#[tokio::test]
async fn adding_refuses_bad_names_stale_or_oversized_answers_and_anonymous_callers() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    for name in ["", "%20%20", &"x".repeat(51)] {
        let (status, body) =
            app.post("/api/passkeys/begin", &format!("name={name}"), Some(&val)).await.into_parts_status().await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(body.contains("\"field\":\"name\""), "{body}");
    }
    // No ceremony started: nothing to finish.
    let (status, body) =
        app.post("/api/passkeys/finish", "credential=%7B%7D", Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not even parsed: {body}");
    let mut key = SoftPasskey::new(true);
    let begin = app.post("/api/passkeys/begin", "name=Key", Some(&val)).await.into_parts_status().await;
    let options: CreationChallengeResponse = inner_json(&begin.1);
    let answer = serde_json::to_string(&key.do_registration(origin(), options).unwrap()).unwrap();
    let oversized = format!("credential={}", "x".repeat(crate::server::passkeys::ANSWER_MAX_BYTES + 1));
    assert_eq!(
        app.post("/api/passkeys/finish", &oversized, Some(&val)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The ceremony is used once.
    let form = format!("credential={}", form_value(&answer));
    assert_eq!(app.post("/api/passkeys/finish", &form, Some(&val)).await.status(), StatusCode::OK);
    assert_eq!(app.post("/api/passkeys/finish", &form, Some(&val)).await.status(), StatusCode::CONFLICT);
    // Without a waiting sign-in there is nothing to answer.
    let (status, body) = app.post("/api/login_passkey_begin", "", None).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("expired"), "{body}");
    assert_eq!(app.post("/api/passkeys/begin", "name=Key", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_person_has_at_most_ten_passkeys() {
    let app = app_with_key().await;
    let val = app.cookie_for("val").await;
    for n in 0..10 {
        let mut key = SoftPasskey::new(true);
        assert_eq!(add(&app, &val, &mut key, &format!("Key {n}")).await.0, StatusCode::OK);
    }
    let (status, body) = app.post("/api/passkeys/begin", "name=Eleventh", Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn removing_takes_the_password_and_the_policy_keeps_the_last_factor() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    set_up(&app, &ada).await;
    let val = app.cookie_for("val").await;
    let mut key = SoftPasskey::new(true);
    add(&app, &val, &mut key, "Only key").await;
    let id = two_factor_state(&app, &val).await["passkeys"][0]["id"].as_i64().unwrap();

    // The policy counts a passkey as a second factor.
    assert_eq!(set_policy(&app, &ada, "everyone").await.0, StatusCode::OK);
    assert!(!held_back_to_set_up(&app, &val).await);
    let remove = |password: &str| format!("id={id}&current_password={}", form_value(password));
    let (status, body) =
        app.post("/api/passkeys/remove", &remove(PASSWORD), Some(&val)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT, "the only factor stays: {body}");

    assert_eq!(set_policy(&app, &ada, "nobody").await.0, StatusCode::OK);
    let wrong = app.post("/api/passkeys/remove", &remove("not the password"), Some(&val)).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another account's passkey is not found by this one.
    let (status, _) = app.post("/api/passkeys/remove", &remove(PASSWORD), Some(&ada)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.post("/api/passkeys/remove", &remove(PASSWORD), Some(&val)).await.status(), StatusCode::OK);
    let state = two_factor_state(&app, &val).await;
    assert_eq!((state["passkeys"].as_array().unwrap().len(), &state["recovery_left"]), (0, &serde_json::json!(0)));
    // The password alone signs in again.
    assert!(session_cookie(&app.login("val", PASSWORD).await).is_some());
    assert!(audited(&app, "val").await.contains(&"staff.passkey_removed".to_owned()));
}

#[tokio::test]
async fn an_admin_reset_removes_the_passkeys_too() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    let val = app.cookie_for("val").await;
    let mut key = SoftPasskey::new(true);
    add(&app, &val, &mut key, "Lost key").await;
    let val_id: i64 =
        sqlx::query_scalar("SELECT id FROM staff WHERE username = 'val'").fetch_one(&app.t.db).await.unwrap();
    let reset = app.post("/api/staff/reset_two_factor", &format!("id={val_id}"), Some(&ada)).await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(app.get("/customers", Some(&val)).await.status(), StatusCode::SEE_OTHER, "its sessions ended");
    assert!(session_cookie(&app.login("val", PASSWORD).await).is_some(), "the password alone again");
    let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'staff.two_factor_reset'")
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert!(detail.starts_with("app 0, 1 passkeys removed"), "{detail}");
}

#[tokio::test]
async fn two_removals_at_once_cannot_both_take_the_last_factor_the_policy_requires() {
    let app = app_with_key().await;
    let ada = app.cookie_for("ada").await;
    set_up(&app, &ada).await;
    let val = app.cookie_for("val").await;
    for name in ["First", "Second"] {
        let mut key = SoftPasskey::new(true);
        assert_eq!(add(&app, &val, &mut key, name).await.0, StatusCode::OK);
    }
    assert_eq!(set_policy(&app, &ada, "everyone").await.0, StatusCode::OK);
    let ids: Vec<i64> = two_factor_state(&app, &val).await["passkeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_i64().unwrap())
        .collect();
    let forms: Vec<String> = ids.iter().map(|id| format!("id={id}&current_password={PASSWORD}")).collect();
    let removals = forms.iter().map(|form| app.post("/api/passkeys/remove", form, Some(&val)));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(removals).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let state = two_factor_state(&app, &val).await;
    assert_eq!(state["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(state["recovery_left"], 10, "the recovery codes stay with the factor left");
}
