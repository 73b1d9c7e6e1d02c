//! Staff management, forced password changes and the audit log over real
//! HTTP requests.

use super::*;

async fn staff_id(app: &TestApp, name: &str) -> i64 {
    staff::find_by_username(&app.t.db, name).await.unwrap().unwrap().id
}

async fn actions_of(app: &TestApp, actor: &str) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT action, subject, detail FROM audit_log WHERE actor = $1 ORDER BY id")
        .bind(actor)
        .fetch_all(&app.t.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_disabled() {
    let app = TestApp::with_every_role().await;
    let ada = app.cookie_for("ada").await;
    let ada_id = staff_id(&app, "ada").await;
    let (status, body) = app
        .post("/api/staff/change_role", &format!("id={ada_id}&role=viewer"), Some(&ada))
        .await
        .into_parts_status()
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("last_admin|ada"), "{body}");
    let (status, body) = app
        .post("/api/staff/set_disabled", &format!("id={ada_id}&disabled=true"), Some(&ada))
        .await
        .into_parts_status()
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("disable_self"), "{body}");

    // With a second admin, ada may step down; then the other one is the last.
    let otto_id = staff_id(&app, "otto").await;
    let promote = app.post("/api/staff/change_role", &format!("id={otto_id}&role=admin"), Some(&ada)).await;
    assert_eq!(promote.status(), StatusCode::OK);
    let step_down = app.post("/api/staff/change_role", &format!("id={ada_id}&role=operator"), Some(&ada)).await;
    assert_eq!(step_down.status(), StatusCode::OK);
    let otto = app.cookie_for("otto").await;
    let (status, body) = app
        .post("/api/staff/change_role", &format!("id={otto_id}&role=viewer"), Some(&otto))
        .await
        .into_parts_status()
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(staff::find_by_username(&app.t.db, "otto").await.unwrap().unwrap().role(), Role::Admin);
    let changes: Vec<String> =
        sqlx::query_scalar("SELECT changes FROM audit_log WHERE action = 'staff.role_changed' ORDER BY id")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert_eq!(changes.len(), 2);
    assert!(changes[1].contains("\"old\":\"Admin\",\"new\":\"Operator\""), "{}", changes[1]);
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once() {
    let app = TestApp::with_every_role().await;
    let ada = app.cookie_for("ada").await;
    let otto = app.cookie_for("otto").await;
    assert_eq!(app.get("/customers", Some(&otto)).await.status(), StatusCode::OK);
    let otto_id = staff_id(&app, "otto").await;
    let response = app.post("/api/staff/set_disabled", &format!("id={otto_id}&disabled=true"), Some(&ada)).await;
    assert_eq!(response.status(), StatusCode::OK);

    let page = app.get("/customers", Some(&otto)).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(page.headers()[header::LOCATION].to_str().unwrap().starts_with("/login"));
    assert_eq!(app.post("/api/customers/get", "id=1", Some(&otto)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("otto", PASSWORD).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE staff_id = $1")
        .bind(otto_id)
        .fetch_one(&app.t.db)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    let enable = app.post("/api/staff/set_disabled", &format!("id={otto_id}&disabled=false"), Some(&ada)).await;
    assert_eq!(enable.status(), StatusCode::OK);
    assert_eq!(app.login("otto", PASSWORD).await.status(), StatusCode::OK);
    let actions: Vec<String> = actions_of(&app, "ada").await.into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.ends_with(&["staff.disabled".to_owned(), "staff.enabled".to_owned()]), "{actions:?}");
}

#[tokio::test]
async fn after_a_reset_the_user_must_choose_a_new_password_before_anything_else() {
    let app = TestApp::with_every_role().await;
    let ada = app.cookie_for("ada").await;
    let old_session = app.cookie_for("otto").await;
    let otto_id = staff_id(&app, "otto").await;
    let weak = app.post("/api/staff/reset_password", &format!("id={otto_id}&password=password2026!"), Some(&ada)).await;
    let (status, body) = weak.into_parts_status().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("password_common"), "{body}");
    let temporary = "plum+river+7+lantern";
    let reset = app.post("/api/staff/reset_password", &format!("id={otto_id}&password={temporary}"), Some(&ada)).await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(app.get("/customers", Some(&old_session)).await.status(), StatusCode::SEE_OTHER, "old session ended");

    let login = app.login("otto", "plum river 7 lantern").await;
    assert_eq!(login.status(), StatusCode::OK);
    let otto = session_cookie(&login).unwrap();
    let page = app.get("/customers", Some(&otto)).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[header::LOCATION], "/password");
    let (status, body) = app.post("/api/customers/get", "id=1", Some(&otto)).await.into_parts_status().await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("PasswordChangeRequired"), "{body}");
    assert_eq!(app.get("/password", Some(&otto)).await.status(), StatusCode::OK);

    let change = |current: &str, new: &str, repeat: &str| {
        format!("current_password={current}&new_password={new}&repeat_password={repeat}")
    };
    for (form, field) in [
        (change("wrong+one+entirely", "tea-kettle-orbit-57", "tea-kettle-orbit-57"), "current_password"),
        (change(temporary, "tea-kettle-orbit-57", "tea-kettle-orbit-58"), "repeat_password"),
        (change(temporary, "Qwertyuiop2026", "Qwertyuiop2026"), "new_password"),
        (change(temporary, "otto-the-operator", "otto-the-operator"), "new_password"),
        (change(temporary, "short", "short"), "new_password"),
        (change(temporary, temporary, temporary), "new_password"),
    ] {
        let (status, body) = app.post("/api/change_own_password", &form, Some(&otto)).await.into_parts_status().await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form}: {body}");
        assert!(body.contains(&format!("\"field\":\"{field}\"")), "{form}: {body}");
    }
    let good = change(temporary, "tea-kettle-orbit-57", "tea-kettle-orbit-57");
    assert_eq!(app.post("/api/change_own_password", &good, Some(&otto)).await.status(), StatusCode::OK);
    assert_eq!(app.get("/customers", Some(&otto)).await.status(), StatusCode::OK, "the same session goes on");
    assert_eq!(app.login("otto", "tea-kettle-orbit-57").await.status(), StatusCode::OK);

    let otto_actions: Vec<String> = actions_of(&app, "otto").await.into_iter().map(|(a, _, _)| a).collect();
    assert!(otto_actions.contains(&"access.password_change_required".to_owned()), "{otto_actions:?}");
    assert!(otto_actions.contains(&"staff.password_changed".to_owned()), "{otto_actions:?}");
    let ada_actions = actions_of(&app, "ada").await;
    assert!(ada_actions.iter().any(|(a, s, _)| a == "staff.password_reset" && s == "staff:otto"), "{ada_actions:?}");
}

#[tokio::test]
async fn changing_your_own_password_ends_your_other_sessions_only() {
    let app = TestApp::with_every_role().await;
    let here = app.cookie_for("val").await;
    let elsewhere = app.cookie_for("val").await;
    let other_user = app.cookie_for("otto").await;
    let form = format!(
        "current_password={}&new_password=Blue+whale+sings+at+4&repeat_password=Blue+whale+sings+at+4",
        PASSWORD.replace(' ', "+")
    );
    assert_eq!(app.post("/api/change_own_password", &form, Some(&here)).await.status(), StatusCode::OK);
    assert_eq!(app.get("/customers", Some(&here)).await.status(), StatusCode::OK);
    assert_eq!(app.get("/customers", Some(&elsewhere)).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/customers", Some(&other_user)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn refused_roles_and_cross_site_requests_are_in_the_audit_log() {
    let app = TestApp::with_every_role().await;
    let val = app.cookie_for("val").await;
    let refused = app.post("/api/staff/change_role", "id=1&role=admin", Some(&val)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let entries = actions_of(&app, "val").await;
    assert!(
        entries.contains(&(
            "access.refused".to_owned(),
            "/api/staff/change_role".to_owned(),
            "needs the role Admin, has Viewer".to_owned()
        )),
        "{entries:?}"
    );

    let mut cross = TestApp::call("/api/customers/get", None).body(Body::from("id=1")).unwrap();
    cross.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(app.send(cross).await.status(), StatusCode::FORBIDDEN);
    let anonymous = actions_of(&app, "anonymous").await;
    assert_eq!(anonymous.len(), 1, "{anonymous:?}");
    assert_eq!(anonymous[0].0, "access.cross_site");
    assert_eq!(anonymous[0].1, "/api/customers/get");
    assert!(anonymous[0].2.starts_with("POST from origin https://evil.example"), "{}", anonymous[0].2);
}

#[tokio::test]
async fn every_role_reads_the_audit_log_through_its_server_functions() {
    let app = TestApp::with_every_role().await;
    let val = app.cookie_for("val").await;
    let filter = serde_json::json!({"person": "val", "customer": "", "action": null, "from": null, "to": null});
    let body = serde_json::json!({"filter": filter, "cursor": "Newest"});
    let (status, text) = json_call(&app, "/api/audit/page", body, &val).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["total"], 1, "val's one entry, the sign-in: {text}");
    let (status, text) =
        json_call(&app, "/api/audit/export", serde_json::json!({"filter": filter, "before": null}), &val).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("\"next\":null"), "{text}");
    let page = body_text(app.get("/audit?person=val", Some(&val)).await).await;
    assert!(page.contains("Signed in"), "the page lists val's sign-in");
}
