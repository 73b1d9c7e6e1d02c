//! What the log says about a failing request (its request id, also sent to
//! the caller, and the error's causes, on one line), and the app's clock
//! that tests move.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::StatusCode;
use tower_http::trace::MakeSpan;

use crate::server::request_ids::RequestSpan;

use super::*;

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_failing_request_is_logged_once_with_its_request_id_and_the_cause() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let cookie = app.cookie_for("ada").await;
    // Stored data the code cannot read: an error with context, not a default.
    sqlx::query("UPDATE billing_settings SET time_zone = 'Mars/Olympus'").execute(&app.t.db).await.unwrap();

    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Another test's thread may have been registering the request span's
    // call site while this subscriber was being added, and cached it as
    // "never logged"; ask every call site again now that it is in place,
    // until the request span's answers (a registration that began before
    // this subscriber existed may end after one rebuild).
    let probe = axum::http::Request::builder().uri("/").body(()).unwrap();
    let mut rebuilt = 0;
    loop {
        tracing::callsite::rebuild_interest_cache();
        if !RequestSpan.make_span(&probe).is_disabled() {
            break;
        }
        rebuilt += 1;
        assert!(rebuilt < 10_000, "the request span stays disabled under the test's subscriber");
        std::thread::yield_now();
    }
    let response = app.send(TestApp::call("/api/billing/months", Some(&cookie)).body(Body::empty()).unwrap()).await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers().get("x-request-id").expect("a request id").to_str().unwrap().to_owned();
    assert_eq!(id.len(), 16);
    let body = body_text(response).await;
    assert!(!body.contains("Mars"), "the caller sees no detail: {body}");
    let text = log.text();
    let failures: Vec<&str> = text.lines().filter(|l| l.contains("request failed")).collect();
    assert_eq!(failures.len(), 1, "logged once:\n{text}");
    assert!(failures[0].contains(&format!("id={id}")), "{}", failures[0]);
    assert!(failures[0].contains("error=stored billing time zone is unreadable: \"Mars/Olympus\""), "{}", failures[0]);
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_replaced() {
    let app = TestApp::new().await;
    let mut request = Request::builder().uri("/login").header(header::HOST, HOST).body(Body::empty()).unwrap();
    request.headers_mut().insert("x-request-id", header::HeaderValue::from_static("forged id"));
    let response = app.send(request).await;
    let id = response.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
}

#[tokio::test]
async fn moving_the_apps_clock_past_the_idle_time_ends_a_session() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    let cookie = app.cookie_for("ada").await;
    assert_eq!(app.get("/settings", Some(&cookie)).await.status(), StatusCode::OK);
    let idle = chrono::Duration::minutes(i64::from(app.state.config.session_idle_minutes));
    app.state.clock.shift(idle - chrono::Duration::minutes(1));
    assert_eq!(app.get("/settings", Some(&cookie)).await.status(), StatusCode::OK, "still within the idle time");
    app.state.clock.shift(idle + chrono::Duration::minutes(1));
    let page = app.get("/settings", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER, "sent to sign in again");
}
