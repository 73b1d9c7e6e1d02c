//! A staff member's list of their sessions, and ending them (one, all
//! others, or an admin: all of another account) over real HTTP requests.

use super::*;
use crate::server::sessions::hash_token;
use axum::extract::ConnectInfo;
use std::net::SocketAddr;

const FIREFOX_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// Signs `name` in from `address` with `user_agent`; the session cookie.
async fn sign_in_from(app: &TestApp, name: &str, address: &str, user_agent: &str) -> String {
    let form = format!("username={name}&password={}&next=", PASSWORD.replace(' ', "+"));
    let mut request =
        TestApp::call("/api/login", None).header(header::USER_AGENT, user_agent).body(Body::from(form)).unwrap();
    let peer: SocketAddr = format!("{address}:50000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::OK, "sign-in of {name}");
    session_cookie(&response).expect("a session cookie")
}

async fn sessions_of(app: &TestApp, cookie: &str) -> Vec<serde_json::Value> {
    let (status, body) = app.post("/api/my_sessions", "", Some(cookie)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    app.get("/customers", Some(cookie)).await.status() == StatusCode::OK
}

async fn audited(app: &TestApp, actor: &str, action: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT subject, detail FROM audit_log WHERE actor = $1 AND action = $2 ORDER BY id")
        .bind(actor)
        .bind(action)
        .fetch_all(&app.t.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_user_sees_their_own_sessions_with_device_and_address_and_never_a_token() {
    let app = TestApp::with_every_role().await;
    let here = sign_in_from(&app, "val", "203.0.113.7", FIREFOX_WINDOWS).await;
    let phone = sign_in_from(&app, "val", "198.51.100.20", SAFARI_IPHONE).await;
    let otto = sign_in_from(&app, "otto", "192.0.2.1", FIREFOX_WINDOWS).await;

    let list = sessions_of(&app, &here).await;
    assert_eq!(list.len(), 2, "val's two sessions, not otto's: {list:?}");
    assert_eq!(list[0]["current"], true, "this browser first");
    assert_eq!(
        (list[0]["device"].as_str(), list[0]["address"].as_str()),
        (Some("Firefox on Windows"), Some("203.0.113.7"))
    );
    assert_eq!(
        (list[1]["device"].as_str(), list[1]["address"].as_str()),
        (Some("Safari on iPhone"), Some("198.51.100.20"))
    );
    assert_eq!(list[1]["current"], false);
    let text = serde_json::to_string(&list).unwrap();
    for cookie in [&here, &phone, &otto] {
        let token = cookie.trim_start_matches("msp_session=");
        assert!(!text.contains(token) && !text.contains(&hash_token(token)), "no token nor its hash is sent");
    }
    // From the other browser, that one is the current one.
    let from_phone = sessions_of(&app, &phone).await;
    assert_eq!(from_phone[0]["device"], "Safari on iPhone");
    assert_eq!(from_phone[0]["current"], true);
    // Signed out: nothing.
    assert_eq!(app.post("/api/my_sessions", "", None).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn ending_another_session_signs_that_browser_out_once_and_is_audited() {
    let app = TestApp::with_every_role().await;
    let here = sign_in_from(&app, "val", "203.0.113.7", FIREFOX_WINDOWS).await;
    let phone = sign_in_from(&app, "val", "198.51.100.20", SAFARI_IPHONE).await;
    let otto = sign_in_from(&app, "otto", "192.0.2.1", FIREFOX_WINDOWS).await;
    let list = sessions_of(&app, &here).await;
    let (current_id, phone_id) = (list[0]["id"].as_str().unwrap(), list[1]["id"].as_str().unwrap());
    let otto_id = sessions_of(&app, &otto).await[0]["id"].as_str().unwrap().to_owned();

    // Someone else's session is not val's to end: as if it had ended.
    let (status, body) =
        app.post("/api/end_my_session", &format!("id={otto_id}"), Some(&here)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(signed_in(&app, &otto).await);
    // The one in use is ended by signing out.
    let (status, body) =
        app.post("/api/end_my_session", &format!("id={current_id}"), Some(&here)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("session_in_use"), "{body}");
    // An id longer than any: not looked up.
    let long = "a".repeat(500);
    assert_eq!(
        app.post("/api/end_my_session", &format!("id={long}"), Some(&here)).await.status(),
        StatusCode::NOT_FOUND
    );

    // Ten requests at once to end the phone's session: one ends it.
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let request =
                TestApp::call("/api/end_my_session", Some(&here)).body(Body::from(format!("id={phone_id}"))).unwrap();
            app.send(request)
        })
        .collect();
    let statuses: Vec<StatusCode> = futures_util::future::join_all(calls).await.iter().map(|r| r.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
    assert!(!signed_in(&app, &phone).await, "the phone is signed out");
    assert!(signed_in(&app, &here).await);
    assert_eq!(sessions_of(&app, &here).await.len(), 1);
    assert_eq!(
        audited(&app, "val", "session.ended").await,
        [("staff:val".to_owned(), "Safari on iPhone, from 198.51.100.20".to_owned())]
    );
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_this_browser_only() {
    let app = TestApp::with_every_role().await;
    let here = sign_in_from(&app, "val", "203.0.113.7", FIREFOX_WINDOWS).await;
    let others = [
        sign_in_from(&app, "val", "198.51.100.20", SAFARI_IPHONE).await,
        sign_in_from(&app, "val", "198.51.100.21", "").await,
    ];
    let otto = app.cookie_for("otto").await;
    let (status, body) = app.post("/api/end_my_other_sessions", "", Some(&here)).await.into_parts_status().await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "2"));
    assert!(signed_in(&app, &here).await);
    for other in &others {
        assert!(!signed_in(&app, other).await);
    }
    assert!(signed_in(&app, &otto).await, "another account's sessions stay");
    assert_eq!(audited(&app, "val", "session.others_ended").await, [("staff:val".to_owned(), "2 sessions".to_owned())]);
}

#[tokio::test]
async fn an_admin_ends_every_session_of_another_account_and_nobody_else_may() {
    let app = TestApp::with_every_role().await;
    let ada = app.cookie_for("ada").await;
    let val = app.cookie_for("val").await;
    let otto = [app.cookie_for("otto").await, app.cookie_for("otto").await];
    let otto_id = staff::find_by_username(&app.t.db, "otto").await.unwrap().unwrap().id;
    let ada_id = staff::find_by_username(&app.t.db, "ada").await.unwrap().unwrap().id;

    assert_eq!(
        app.post("/api/staff/end_sessions", &format!("id={otto_id}"), Some(&val)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(signed_in(&app, &otto[0]).await, "a viewer ended nothing");
    let (status, body) =
        app.post("/api/staff/end_sessions", &format!("id={ada_id}"), Some(&ada)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("own_sessions"), "{body}");
    assert_eq!(app.post("/api/staff/end_sessions", "id=999999", Some(&ada)).await.status(), StatusCode::NOT_FOUND);

    let (status, body) =
        app.post("/api/staff/end_sessions", &format!("id={otto_id}"), Some(&ada)).await.into_parts_status().await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "2"));
    for cookie in &otto {
        assert!(!signed_in(&app, cookie).await);
    }
    assert!(signed_in(&app, &ada).await && signed_in(&app, &val).await);
    assert_eq!(
        audited(&app, "ada", "staff.sessions_ended").await,
        [("staff:otto".to_owned(), "2 sessions".to_owned())]
    );
}

#[tokio::test]
async fn before_choosing_a_new_password_a_user_may_still_see_and_end_their_sessions() {
    let app = TestApp::with_every_role().await;
    let ada = app.cookie_for("ada").await;
    let otto_id = staff::find_by_username(&app.t.db, "otto").await.unwrap().unwrap().id;
    let reset = format!("id={otto_id}&password=plum+river+7+lantern");
    assert_eq!(app.post("/api/staff/reset_password", &reset, Some(&ada)).await.status(), StatusCode::OK);
    let response = app.login("otto", "plum river 7 lantern").await;
    assert_eq!(response.status(), StatusCode::OK);
    let otto = session_cookie(&response).unwrap();
    assert_eq!(sessions_of(&app, &otto).await.len(), 1);
    assert_eq!(app.post("/api/end_my_other_sessions", "", Some(&otto)).await.status(), StatusCode::OK);
    let list = serde_json::to_string(&serde_json::json!({ "query": {} })).unwrap();
    let refused = TestApp::call("/api/customers/list", Some(&otto))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(list))
        .unwrap();
    assert_eq!(app.send(refused).await.status(), StatusCode::FORBIDDEN, "everything else waits for the new password");
}
