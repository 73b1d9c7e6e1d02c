//! The one test harness of the HTTP side: the real router on a real
//! database of the backend under test, driven through
//! `tower::ServiceExt::oneshot` (no port, no mocks). Route tests sign in
//! through it as each role; machine API tests call `/api/v1/` with a
//! customer's key. The configuration is written out in code
//! (`Config::for_database` reads no environment).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use chrono::{Duration, Utc};
use serde_json::Value;
use tower::ServiceExt;

use super::config::Config;
use super::db::testing::{self, TestDb};
use super::fixtures::customer_form;
use super::passwords::HashLimit;
use super::router::{build_router, state_on};
use super::state::AppState;
use super::{clock, customers, staff};
use crate::domain::customer::CustomerForm;
use crate::domain::{Password, Role, Username};

pub const PASSWORD: &str = "correct horse battery";
pub const HOST: &str = "127.0.0.1:3000";

pub struct TestApp {
    pub router: Router,
    /// The state the router serves (its limits, its refusal log).
    pub state: AppState,
    /// The database under test (shared by a second instance's app).
    pub t: Arc<TestDb>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(Config::for_database("sqlite://unused")).await
    }

    pub async fn with_config(config: Config) -> Self {
        let t = testing::fresh().await;
        let state = state_on(t.db.clone(), config);
        Self::serving(state, Arc::new(t))
    }

    /// The app of `state` (a second instance, a restored backup, its own
    /// limits) on the test database `t`.
    pub fn serving(state: AppState, t: Arc<TestDb>) -> Self {
        Self { router: build_router(state.clone()), state, t }
    }

    /// An app with a viewer (`val`), an operator (`otto`) and an admin (`ada`).
    pub async fn with_every_role() -> Self {
        let app = Self::new().await;
        let app = app.with_staff("val", Role::Viewer).await;
        app.with_staff("otto", Role::Operator).await.with_staff("ada", Role::Admin).await
    }

    pub async fn with_staff(self, name: &str, role: Role) -> Self {
        let username = Username::parse(name).unwrap();
        staff::create(
            &self.t.db,
            &HashLimit::default(),
            "test",
            &username,
            &Password::parse(PASSWORD).unwrap(),
            role,
            Utc::now(),
        )
        .await
        .unwrap();
        self
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// A server-function call as the browser's WebAssembly makes it (the
    /// caller adds the body).
    pub fn call(path: &str, cookie: Option<&str>) -> axum::http::request::Builder {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder
    }

    pub async fn post(&self, path: &str, form: &str, cookie: Option<&str>) -> Response {
        self.send(Self::call(path, cookie).body(Body::from(form.to_owned())).unwrap()).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut builder = Request::builder().uri(path).header(header::HOST, HOST).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    pub async fn login(&self, name: &str, password: &str) -> Response {
        self.post("/api/login", &format!("username={name}&password={}&next=", password.replace(' ', "+")), None).await
    }

    /// Signs in and returns the `Cookie` header value of the new session.
    pub async fn cookie_for(&self, name: &str) -> String {
        let response = self.login(name, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {name}");
        session_cookie(&response).expect("a session cookie")
    }
}

pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("msp_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

pub async fn body_text(response: Response) -> String {
    String::from_utf8(to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec()).unwrap()
}

/// A machine API answer: status, headers and the JSON body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
}

impl TestApp {
    /// An app whose machine API allows `per_minute` requests per key.
    pub async fn with_api_limit(per_minute: u32) -> Self {
        let mut config = Config::for_database("sqlite://unused");
        config.api_requests_per_minute = per_minute;
        Self::with_config(config).await
    }

    /// A billed customer with two options, its id and API key.
    pub async fn customer(&self, name: &str, max_users: u32, limit: bool) -> (i64, String) {
        let form = CustomerForm {
            contract_end: (clock::today() + Duration::days(60)).to_string(),
            max_users: max_users.to_string(),
            limit_user_creation: limit,
            ..customer_form(name, true, &["web_access", "discovery"])
        };
        let made = customers::create(&self.t.db, "otto", &form, Utc::now()).await.unwrap();
        (made.id, made.api_key)
    }

    /// A machine API request with the customer's `key` (if any).
    pub async fn machine(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: String,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, HOST);
        if let Some(key) = key {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        if !content_type.is_empty() {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let response = self.send(builder.body(Body::from(body)).unwrap()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{path} answered {status} without JSON: {}", String::from_utf8_lossy(&bytes)));
        Answer { status, headers, json }
    }

    pub async fn report(&self, key: &str, body: Value) -> Answer {
        self.machine(Method::POST, "/api/v1/usage", Some(key), "application/json", body.to_string()).await
    }

    pub async fn license(&self, key: &str) -> Answer {
        self.machine(Method::GET, "/api/v1/license", Some(key), "", String::new()).await
    }

    /// A count from `sql` with the one parameter `id`.
    pub async fn count(&self, sql: &str, id: i64) -> i64 {
        sqlx::query_scalar(sql).bind(id).fetch_one(&self.t.db).await.unwrap()
    }
}
