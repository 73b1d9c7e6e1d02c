//! The attacks of the outside review, tried against the real router: many
//! sign-ins at once, redirects after sign-in, oversized input, floods of
//! refusals, a forged client address.

use crate::server::router::state_on;
use std::time::Duration;

use super::*;
use crate::server::passwords::HashLimit;

const ATTACKER: &str = "203.0.113.66";
const OWNER: &str = "198.51.100.7";

/// An app with its own bound on password hashing.
async fn app_with(config: Config, limit: HashLimit) -> TestApp {
    let t = testing::fresh().await;
    let state = state_on(t.db.clone(), config).with_hash_limit(limit);
    TestApp::serving(state, Arc::new(t))
}

/// An app that takes the client address from `X-Forwarded-For` (one
/// proxy), with room for every attempt of these tests to wait its turn at
/// hashing, however slow the machine.
async fn behind_proxy() -> TestApp {
    let mut config = Config::for_database("sqlite://unused");
    config.trust_forwarded_for = true;
    app_with(config, HashLimit::new(4, 100, Duration::from_secs(3600))).await.with_staff("alice", Role::Admin).await
}

fn login_from(ip: &str, name: &str, password: &str) -> Request<Body> {
    let form = format!("username={name}&password={}&next=", password.replace(' ', "+"));
    TestApp::call("/api/login", None).header("x-forwarded-for", ip).body(Body::from(form)).unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.t.db).await.unwrap()
}

/// Sends `n` requests made by `make` all at once; their statuses.
async fn at_once(app: &TestApp, n: usize, make: impl Fn(usize) -> Request<Body>) -> Vec<StatusCode> {
    let calls: Vec<_> = (0..n)
        .map(|i| {
            let router = app.router.clone();
            let request = make(i);
            tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_wrong_passwords_at_once_are_checked_no_more_often_than_the_limit() {
    let app = behind_proxy().await;
    let statuses = at_once(&app, 50, |_| login_from(ATTACKER, "alice", "wrong password!")).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let busy = statuses.iter().filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE).count();
    assert_eq!(checked + refused + busy, 50, "{statuses:?}");
    assert_eq!(busy, 0, "every attempt had room to wait: {statuses:?}");
    assert!(checked <= 5, "{checked} wrong passwords were checked; the limit is 5");
    assert!(refused >= 45, "{statuses:?}");
    let failures = count(&app, "SELECT COUNT(*) FROM login_attempts WHERE succeeded = FALSE").await;
    assert_eq!(failures, checked as i64, "every checked attempt is stored, no other");
    assert!(app.state.hash_limit.peak() <= app.state.hash_limit.running());
    // The sixth try from that address, with the right password, is refused too.
    let right = app.send(login_from(ATTACKER, "alice", PASSWORD)).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.headers().get(header::RETRY_AFTER).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_from_many_addresses_at_once_slow_the_account_down_but_never_lock_its_owner_out() {
    let app = behind_proxy().await;
    let statuses = at_once(&app, 40, |i| login_from(&format!("192.0.2.{}", i + 1), "alice", "wrong password!")).await;
    assert!(statuses.iter().all(|s| *s == 422 || *s == 429), "{statuses:?}");
    // After five failures, each checked one came at least the backoff after
    // the one before, however the forty arrived.
    let times: Vec<crate::server::db::Time> =
        sqlx::query_scalar("SELECT at FROM login_attempts WHERE succeeded = FALSE ORDER BY at")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!(times.len(), checked);
    assert!((5..40).contains(&checked), "{statuses:?}");
    for n in 5..times.len() {
        let gap = times[n].0 - times[n - 1].0;
        let backoff = crate::domain::sign_in_limit::backoff_secs(n as u32, 5);
        assert!(gap >= chrono::Duration::seconds(backoff), "attempt {n} came {gap} after the one before");
    }
    // The owner, from their own address, waits as told and gets in.
    let mut answer = app.send(login_from(OWNER, "alice", PASSWORD)).await;
    for _ in 0..3 {
        if answer.status() != StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        let wait: u64 = answer.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!(wait <= 60, "the backoff is at most a minute, not {wait} s");
        tokio::time::sleep(Duration::from_secs(wait)).await;
        answer = app.send(login_from(OWNER, "alice", PASSWORD)).await;
    }
    assert_eq!(answer.status(), StatusCode::OK, "the owner signs in after the backoff");
}

#[tokio::test]
async fn the_client_address_is_the_one_the_proxy_appended_not_the_one_the_client_wrote() {
    let app = behind_proxy().await;
    // The client claims a new address each time; the proxy appends its real one.
    for i in 0..5 {
        let forged = format!("10.9.8.{i}, {ATTACKER}");
        assert_eq!(app.send(login_from(&forged, "alice", "wrong password!")).await.status(), 422);
    }
    let again = app.send(login_from(&format!("10.9.9.9, {ATTACKER}"), "alice", "wrong password!")).await;
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS, "the forged first entry changes nothing");
    let ips: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT ip FROM login_attempts").fetch_all(&app.t.db).await.unwrap();
    assert_eq!(ips, [ATTACKER]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_beyond_the_hashing_bound_is_told_busy_at_once_and_the_waiting_ones_get_in() {
    let limit = HashLimit::new(2, 8, Duration::from_secs(3600));
    let app = app_with(Config::for_database("sqlite://unused"), limit).await.with_staff("alice", Role::Admin).await;
    let limit = app.state.hash_limit.clone();
    // Every hashing turn is taken: callers wait, up to the bound; the rest are busy.
    let mut held = Vec::new();
    for _ in 0..limit.running() {
        held.push(limit.turn().await.unwrap());
    }
    let extra = 10;
    let calls: Vec<_> = (0..limit.max_waiting() + extra)
        .map(|_| {
            let router = app.router.clone();
            let form = format!("username=alice&password={}&next=", PASSWORD.replace(' ', "+"));
            let request = TestApp::call("/api/login", None).body(Body::from(form)).unwrap();
            tokio::spawn(async move { router.oneshot(request).await.unwrap() })
        })
        .collect();
    // The busy answers come while every turn is still held.
    let mut busy = 0;
    while busy < extra {
        busy = calls.iter().filter(|c| c.is_finished()).count();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(held);
    let mut statuses = Vec::new();
    for call in calls {
        let response = call.await.unwrap();
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(response.headers()[header::RETRY_AFTER], "2");
            assert_eq!(body_text(response).await, "\"Busy\"");
            statuses.push(503);
        } else {
            statuses.push(response.status().as_u16());
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), extra, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), limit.max_waiting(), "{statuses:?}");
    assert!(limit.peak() <= limit.running());
    let attempts = count(&app, "SELECT COUNT(*) FROM login_attempts").await;
    assert_eq!(attempts, limit.max_waiting() as i64, "a busy answer writes nothing");
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_sign_ins_and_are_audited() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let cookie = app.cookie_for("alice").await;
    let change = |current: &str| {
        format!(
            "current_password={}&new_password=plum+river+7+lantern&repeat_password=plum+river+7+lantern",
            current.replace(' ', "+")
        )
    };
    for _ in 0..5 {
        let response = app.post("/api/change_own_password", &change("not my password"), Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(response).await.contains("current_password"));
    }
    let limited = app.post("/api/change_own_password", &change(PASSWORD), Some(&cookie)).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let audited = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'staff.password_change_failed'").await;
    assert_eq!(audited, 5);
    let refused = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'login.refused'").await;
    assert_eq!(refused, 1);
}

/// The target a sign-in sends the browser to (`Location`, or the header
/// Leptos' client reads).
fn target_of(response: &Response) -> Option<String> {
    response
        .headers()
        .get(header::LOCATION)
        .or_else(|| response.headers().get("serverfnredirect"))
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn after_sign_in_only_a_plain_path_here_is_followed_and_no_header_breaks() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let cases = [
        ("%2Fcustomers%3Ftab%3Dtest", "/customers?tab=test"),
        ("%2F%09%2Fevil.example%2Fphish", "/"),
        ("%2F%0D%0ASet-Cookie%3A+x%3D1", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%00%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%2E%2E%2F%2Fevil.example", "/"),
        ("%2F%C2%A0%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
    ];
    for (next, expected) in cases {
        let form = format!("username=alice&password={}&next={next}", PASSWORD.replace(' ', "+"));
        let response = app.post("/api/login", &form, None).await;
        assert!(response.status().is_success() || response.status().is_redirection(), "{next}: {}", response.status());
        assert_eq!(target_of(&response).as_deref(), Some(expected), "{next}");
        assert!(session_cookie(&response).is_some(), "{next}: signed in");
    }
}

/// The sign-in page is sent without WebAssembly: its form posts as plain
/// HTML, and the browser follows the answer's `Location`.
#[tokio::test]
async fn a_plain_form_sign_in_goes_on_or_back_to_the_form_with_its_message() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    let form_post = |form: String| {
        let mut request = TestApp::call("/api/login", None)
            .header(header::REFERER, format!("http://{}/login?next=%2Faudit", crate::server::test_app::HOST))
            .body(Body::from(form))
            .unwrap();
        request.headers_mut().insert(header::ACCEPT, "text/html,application/xhtml+xml".parse().unwrap());
        request
    };
    let refused = app.send(form_post("username=alice&password=wrong&next=%2Faudit".into())).await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    assert!(session_cookie(&refused).is_none());
    let back = target_of(&refused).unwrap();
    assert!(back.starts_with("/login?next=/audit&username=alice&__path=%2Fapi%2Flogin&__err="), "{back}");
    // The form, rendered from that address, shows the message and the name.
    let page = body_text(app.get(&back, None).await).await;
    assert!(page.contains("Wrong user name or password."), "{page}");
    assert!(page.contains(r#"value="alice""#), "{page}");
    assert!(!page.contains("msp-manager.wasm"), "the sign-in page loads no WebAssembly");

    let form = format!("username=alice&password={}&next=%2Faudit", PASSWORD.replace(' ', "+"));
    let signed_in = app.send(form_post(form)).await;
    assert_eq!(signed_in.status(), StatusCode::FOUND);
    assert_eq!(target_of(&signed_in).as_deref(), Some("/audit"));
    let cookie = session_cookie(&signed_in).unwrap();
    let page = body_text(app.get("/audit", Some(&cookie)).await).await;
    assert!(page.contains("msp-manager.wasm"), "a signed-in page loads the app's code");
}

#[tokio::test]
async fn an_oversized_body_gets_413_and_an_overlong_filter_a_field_message() {
    let app = TestApp::with_every_role().await;
    let huge = format!("username=alice&password={}&next=", "x".repeat(300 * 1024));
    let response = app.post("/api/login", &huge, None).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body_text(response).await.contains("TooLarge"));
    // The same without a declared length (chunked).
    let chunks = futures_util::stream::iter(
        (0..40).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 8 * 1024]))),
    );
    let streamed = TestApp::call("/api/login", None).body(Body::from_stream(chunks)).unwrap();
    assert_eq!(app.send(streamed).await.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let cookie = app.cookie_for("val").await;
    let long = "x".repeat(1_900 * 1024 / 10);
    let query = serde_json::json!({ "query": { "tab": "Billed", "search": long, "sort": "Name", "descending": false, "page": 1 } });
    let (status, body) = json_call(&app, "/api/customers/list", query, &cookie).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The message travels as its code; the page writes it in the reader's language.
    assert!(body.contains(r#""filter_too_long|100""#) && body.contains("\"q\""), "{body}");
    let filter =
        serde_json::json!({ "customer": "y".repeat(101), "person": "", "action": null, "from": null, "to": null });
    let (status, body) =
        json_call(&app, "/api/audit/page", serde_json::json!({ "filter": filter, "cursor": "Newest" }), &cookie).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("\"customer\""), "{body}");
}

fn cross_site(origin: &str) -> Request<Body> {
    let mut request = TestApp::call("/api/login", None).body(Body::from("username=x&password=y")).unwrap();
    request.headers_mut().insert(header::ORIGIN, origin.parse().unwrap());
    request.headers_mut().remove("sec-fetch-site");
    request
}

#[tokio::test]
async fn a_flood_of_refusals_writes_one_short_entry_per_address_and_minute() {
    let app = TestApp::new().await;
    let origin = format!("http://{}.example", "a".repeat(2_000));
    for _ in 0..200 {
        assert_eq!(app.send(cross_site(&origin)).await.status(), StatusCode::FORBIDDEN);
    }
    let entries: Vec<(String, String)> =
        sqlx::query_as("SELECT subject, detail FROM audit_log WHERE action = 'access.cross_site'")
            .fetch_all(&app.t.db)
            .await
            .unwrap();
    assert!(
        !entries.is_empty() && entries.len() <= 3,
        "{} entries: a first, and at a new minute a sum and a first",
        entries.len()
    );
    for (subject, detail) in &entries {
        assert!(subject.chars().count() <= 256 && detail.chars().count() <= 256, "{detail}");
    }
    assert!(entries[0].1.ends_with("… (cut)"), "{}", entries[0].1);
    // The repeats are summed up once the minute is over: each refusal is
    // either an entry of its own or counted in a sum.
    app.state.refusals.flush(&app.t.db, chrono::Utc::now() + chrono::Duration::minutes(2)).await;
    let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'access.cross_site'")
        .fetch_all(&app.t.db)
        .await
        .unwrap();
    let (sums, firsts): (Vec<&String>, Vec<&String>) = details.iter().partition(|d| d.contains("more like this"));
    let repeats: u64 = sums.iter().map(|d| d.split(' ').next().unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(firsts.len() as u64 + repeats, 200, "{details:?}");
}

#[tokio::test]
async fn an_origin_must_match_in_scheme_host_and_port_and_a_session_needs_one() {
    let app = TestApp::new().await.with_staff("ada", Role::Admin).await;
    for origin in ["https://127.0.0.1:3000", "http://127.0.0.1:3001", "http://127.0.0.1", "null"] {
        assert_eq!(app.send(cross_site(origin)).await.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    assert_eq!(app.send(cross_site("http://localhost:3000")).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let admin = app.cookie_for("ada").await;
    // A session cookie without Origin or Sec-Fetch-Site is no page's request.
    let form = "username=newbie&role=admin&password=plum+river+7+lantern";
    let mut bare = TestApp::call("/api/create_staff", Some(&admin)).body(Body::from(form)).unwrap();
    bare.headers_mut().remove(header::ORIGIN);
    bare.headers_mut().remove("sec-fetch-site");
    assert_eq!(app.send(bare).await.status(), StatusCode::FORBIDDEN);
    // The machine API authenticates by its bearer key, not the cookie.
    let api = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/usage")
        .header(header::HOST, HOST)
        .header(header::COOKIE, admin.as_str())
        .header(header::AUTHORIZATION, "Bearer msp_not_a_key")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.send(api).await.status(), StatusCode::UNAUTHORIZED);
    // Without a session, a client without those headers (curl) still signs in.
    let mut curl = TestApp::call("/api/login", None)
        .body(Body::from(format!("username=ada&password={}", PASSWORD.replace(' ', "+"))))
        .unwrap();
    curl.headers_mut().remove(header::ORIGIN);
    curl.headers_mut().remove("sec-fetch-site");
    assert_eq!(app.send(curl).await.status(), StatusCode::OK);
    assert_eq!(staff::count(&app.t.db).await.unwrap(), 1);
}

#[tokio::test]
async fn only_admins_see_the_log_messages_and_the_accounts_under_attack() {
    let app = TestApp::with_every_role().await;
    for _ in 0..5 {
        app.login("otto", "wrong password!").await;
    }
    tracing::warn!("a warning for the status page");
    let viewer = app.cookie_for("val").await;
    let admin = app.cookie_for("ada").await;
    let (status, body) = json_call(&app, "/api/server_status", serde_json::json!({}), &viewer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(seen["problems"]["details"], false);
    assert_eq!(seen["problems"]["warnings"], serde_json::json!([]));
    assert_eq!(seen["sign_in_failures"], serde_json::json!([]));
    let (_, body) = json_call(&app, "/api/server_status", serde_json::json!({}), &admin).await;
    let seen: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(seen["problems"]["details"], true);
    assert_eq!(seen["sign_in_failures"][0]["username"], "otto");
    assert_eq!(seen["sign_in_failures"][0]["failures"], 5);
}

#[tokio::test]
async fn the_job_pass_prunes_old_sign_in_attempts() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    app.login("alice", "wrong password!").await;
    let config = Config::for_database("unused");
    let now = chrono::Utc::now();
    assert_eq!(super::super::login::prune_attempts(&app.t.db, &config, now).await.unwrap(), 0);
    let later = now + super::super::login::attempts_kept(&config) + chrono::Duration::minutes(1);
    assert_eq!(super::super::login::prune_attempts(&app.t.db, &config, later).await.unwrap(), 1);
}

#[tokio::test]
async fn a_locked_out_account_is_told_once_per_window_and_an_unknown_name_never() {
    let app = TestApp::new().await.with_staff("alice", Role::Admin).await;
    // Five wrong passwords, then the limit refuses, several times and at once.
    for _ in 0..5 {
        assert_ne!(app.login("alice", "not her password").await.status(), StatusCode::OK);
    }
    let refused = futures_util::future::join_all((0..8).map(|_| app.login("alice", PASSWORD))).await;
    assert!(refused.iter().all(|r| r.status() == StatusCode::TOO_MANY_REQUESTS));
    for _ in 0..12 {
        app.login("mallory-was-never-staff", "guess").await;
    }
    let told = crate::server::events::after(&app.t.db, 0, 100).await.unwrap();
    let locked: Vec<_> = told.iter().filter(|(_, e)| e.kind == "staff.locked_out").collect();
    assert_eq!(locked.len(), 1, "{told:?}");
    assert_eq!(locked[0].1.data["username"], "alice");
    assert_eq!(locked[0].1.data["failures"], 5);
    assert_eq!(locked[0].1.customer_id, None);
}
