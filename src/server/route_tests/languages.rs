//! The page's language: the staff member's setting, else the browser's
//! `Accept-Language`, else English; drawn by the server in full.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use super::super::test_app::*;
use crate::domain::Role;

async fn page(app: &TestApp, path: &str, cookie: Option<&str>, accept_language: Option<&str>) -> String {
    let mut builder = Request::builder().uri(path).header(header::HOST, HOST).header(header::ACCEPT, "text/html");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    if let Some(languages) = accept_language {
        builder = builder.header(header::ACCEPT_LANGUAGE, languages);
    }
    let response = app.send(builder.body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    body_text(response).await
}

#[tokio::test]
async fn the_sign_in_page_speaks_the_browsers_language() {
    let app = TestApp::new().await;
    let german = page(&app, "/login", None, Some("de-DE,de;q=0.9,en;q=0.8")).await;
    assert!(german.contains(r#"<html lang="de""#), "{german}");
    assert!(german.contains("Benutzername") && german.contains("Anmelden"), "{german}");
    let english = page(&app, "/login", None, Some("fr-FR, en;q=0.5, de;q=0.4")).await;
    assert!(english.contains(r#"<html lang="en""#) && english.contains("User name"), "{english}");
    let neither = page(&app, "/login", None, Some("fr, es")).await;
    assert!(neither.contains(r#"<html lang="en""#), "{neither}");
    let none = page(&app, "/login", None, None).await;
    assert!(none.contains(r#"<html lang="en""#), "{none}");
}

#[tokio::test]
async fn a_staff_members_own_language_wins_over_the_browsers_and_takes_effect_at_once() {
    let app = TestApp::new().await.with_staff("alice", Role::Viewer).await;
    let cookie = app.cookie_for("alice").await;
    let before = page(&app, "/password", Some(&cookie), Some("de")).await;
    assert!(before.contains(r#"<html lang="de""#) && before.contains("Ihr Konto"), "{before}");
    let saved = app.post("/api/set_my_preferences", "language=en&time_zone=Europe%2FBerlin", Some(&cookie)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let after = page(&app, "/password", Some(&cookie), Some("de")).await;
    assert!(after.contains(r#"<html lang="en""#) && after.contains("Your account"), "{after}");
    let stored: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT language, time_zone FROM staff WHERE username = 'alice'")
            .fetch_one(&app.t.db)
            .await
            .unwrap();
    assert_eq!(stored, (Some("en".to_owned()), Some("Europe/Berlin".to_owned())));
    // Back to the browser's language.
    assert_eq!(
        app.post("/api/set_my_preferences", "language=&time_zone=", Some(&cookie)).await.status(),
        StatusCode::OK
    );
    let again = page(&app, "/password", Some(&cookie), Some("de")).await;
    assert!(again.contains(r#"<html lang="de""#), "{again}");
}

#[tokio::test]
async fn preferences_refuse_unknown_values_and_strangers() {
    let app = TestApp::new().await.with_staff("alice", Role::Viewer).await;
    let cookie = app.cookie_for("alice").await;
    for (form, field) in [
        ("language=fr&time_zone=", "language"),
        ("language=en&time_zone=Mars%2FOlympus", "time_zone"),
        (&*format!("language=en&time_zone={}", "A".repeat(5000)), "time_zone"),
    ] {
        let response = app.post("/api/set_my_preferences", form, Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(body_text(response).await.contains(field));
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT language FROM staff WHERE username = 'alice'").fetch_one(&app.t.db).await.unwrap();
    assert_eq!(stored, None);
    let anonymous = app.post("/api/set_my_preferences", "language=de&time_zone=", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.post("/api/my_preferences", "", None).await.status(), StatusCode::UNAUTHORIZED);
}
