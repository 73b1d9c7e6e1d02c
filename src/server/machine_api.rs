//! The machine API for the password-manager servers (DESIGN.md "Machine
//! API"): plain axum routes under `/api/v1`, JSON in and out, a customer's
//! API key as bearer token. Every error is `{"error": code, "message": text}`
//! with its status; nothing is written unless everything checked out.

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::api_keys;
use super::db::{Day, Db, Flag, Time};
use super::error::ServerError;
use super::state::AppState;
use crate::domain::usage::UsageBody;
use crate::error::AppError;

pub const BODY_LIMIT: usize = 16 * 1024;
pub const OPENAPI: &str = include_str!("openapi.json");

/// An error answer of the machine API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<ApiField>,
    retry_after: Option<u64>,
}

/// A field's message as machines read it: the field and an English
/// sentence (as it always was).
#[derive(Debug, Serialize)]
struct ApiField {
    field: String,
    message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [ApiField],
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    /// 422 with each field's message (in English).
    pub(super) fn invalid(code: &'static str, fields: Vec<crate::domain::FieldMessage>) -> Self {
        let fields: Vec<ApiField> =
            fields.into_iter().map(|f| ApiField { message: f.message.english(), field: f.field }).collect();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "),
            fields,
            retry_after: None,
        }
    }

    /// 429, to try again after `seconds`.
    pub(super) fn rate_limited(seconds: u64, what: &str) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many requests for this {what}; try again in {seconds} s."),
        );
        e.retry_after = Some(seconds);
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: self.code, message: &self.message, fields: &self.fields };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Conflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message.english()),
            AppError::Invalid(fields) => Self::invalid("invalid_report", fields),
            AppError::NotFound => Self::new(StatusCode::NOT_FOUND, "not_found", "Not found."),
            // Logged with its causes where it was made (`From<ServerError>`).
            AppError::Internal => Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Try again in a moment."),
            other => {
                tracing::error!(error = %other, "machine API request failed");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Try again in a moment.")
            }
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ServerError::from(e).into()
    }
}

/// The route's boundary: a failure is logged here, once, with its causes.
impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        AppError::from(e).into()
    }
}

/// Requests per API key and minute, counted in the database: every app
/// instance adds to the same count, so a key gets its limit however many
/// instances share the load.
pub struct RateLimiter {
    per_minute: u32,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute }
    }

    /// Counts a request in the key's one-minute window (a new window starts
    /// with the first request after the old one ended); `Err(seconds)`
    /// when the key must wait. One statement: atomic on both backends.
    pub(super) async fn hit(
        &self,
        db: &Db,
        window: Window,
        now: DateTime<Utc>,
    ) -> Result<Result<(), u64>, sqlx::Error> {
        let (sql, key) = match window {
            Window::Customer(id) => (CUSTOMER_WINDOW, id),
            Window::Token(id) => (TOKEN_WINDOW, id),
        };
        let (requests, Time(started)): (i64, Time) = sqlx::query_as(sql)
            .bind(key)
            .bind(Time(now))
            .bind(Time(now - chrono::Duration::seconds(WINDOW_SECS)))
            .fetch_one(db)
            .await?;
        if requests <= i64::from(self.per_minute) {
            return Ok(Ok(()));
        }
        let left = WINDOW_SECS - (now - started).num_seconds();
        Ok(Err(left.clamp(1, WINDOW_SECS) as u64))
    }
}

const WINDOW_SECS: i64 = 60;

/// Whose requests are counted: a customer's API key, or a staff member's
/// access token.
#[derive(Clone, Copy, Debug)]
pub enum Window {
    Customer(i64),
    Token(i64),
}

macro_rules! window_upsert {
    ($table:literal, $key:literal) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (",
            $key,
            ", started_at, requests) VALUES ($1, $2, 1) \
             ON CONFLICT (",
            $key,
            ") DO UPDATE SET \
               started_at = CASE WHEN ",
            $table,
            ".started_at <= $3 THEN excluded.started_at \
                                 ELSE ",
            $table,
            ".started_at END, \
               requests = CASE WHEN ",
            $table,
            ".started_at <= $3 THEN 1 \
                               ELSE ",
            $table,
            ".requests + 1 END \
             RETURNING requests, started_at"
        )
    };
}

const CUSTOMER_WINDOW: &str = window_upsert!("api_request_windows", "customer_id");
const TOKEN_WINDOW: &str = window_upsert!("token_request_windows", "token_id");

struct Caller {
    customer_id: i64,
    active: bool,
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let missing = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Send the customer's API key as `Authorization: Bearer msp_…`.",
        )
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let key = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or_else(missing)?;
    let Some((customer_id, status)) = api_keys::customer_of(&state.db, key).await? else {
        tracing::warn!("machine API: unknown, revoked or removed customer's key");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "This API key is not valid (unknown, rotated or revoked).",
        ));
    };
    if let Err(wait) = state.api_limiter.hit(&state.db, Window::Customer(customer_id), state.clock.now()).await? {
        return Err(ApiError::rate_limited(wait, "API key"));
    }
    Ok(Caller { customer_id, active: status == "active" })
}

/// What a password-manager server needs to enforce the license.
#[derive(Debug, Serialize)]
pub struct License {
    pub customer_id: i64,
    pub status: String,
    pub max_users: i64,
    pub limit_user_creation: bool,
    pub can_create_user: bool,
    pub users: Option<i64>,
    pub options: Vec<String>,
    pub contract_end: NaiveDate,
}

async fn license_of(state: &AppState, customer_id: i64) -> Result<License, ApiError> {
    // One row per booked option (one row with no code when there is none).
    type Row = (String, i64, Flag, Option<i64>, Day, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.status, c.max_users, CAST(c.limit_user_creation AS INTEGER), c.reported_users, c.contract_end, o.code \
         FROM customers c LEFT JOIN customer_options o ON o.customer_id = c.id WHERE c.id = $1 ORDER BY o.code",
    )
    .bind(customer_id)
    .fetch_all(&state.db)
    .await?;
    let Some((status, max_users, Flag(limit_user_creation), users, Day(contract_end), _)) = rows.first().cloned()
    else {
        return Err(AppError::NotFound.into());
    };
    let options = rows.into_iter().filter_map(|r| r.5).collect();
    let full = limit_user_creation && users.unwrap_or(0) >= max_users;
    Ok(License {
        customer_id,
        can_create_user: status == "active" && !full,
        status,
        max_users,
        limit_user_creation,
        users,
        options,
        contract_end,
    })
}

async fn license(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<License>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    Ok(Json(license_of(&state, caller.customer_id).await?))
}

#[derive(Serialize)]
struct UsageAnswer {
    report_id: String,
    day: NaiveDate,
    late: bool,
    license: License,
}

async fn usage(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let caller = authenticate(&state, &parts.headers).await?;
    if !caller.active {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "customer_deactivated",
            "This customer is deactivated; usage is not accepted. Ask the MSP.",
        ));
    }
    if !is_json(&parts.headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the report as `Content-Type: application/json`.",
        ));
    }
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The body may have at most {BODY_LIMIT} bytes."),
        )
    };
    let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| too_large())?;
    let body: UsageBody = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!(
                "The body is not a usage report {{\"report_id\": string, \"observed_at\": RFC 3339 time, \
                 \"users\": integer}}: {}",
                e
            ),
        )
    })?;
    let now = state.clock.now();
    let report = body.validate(now).map_err(AppError::Invalid)?;
    let report_id = report.report_id.clone();
    let accepted = state.usage_writer.submit(caller.customer_id, report, now).await.map_err(|e| match e {
        AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "report_id_reused", message.english()),
        other => other.into(),
    })?;
    let answer = UsageAnswer {
        report_id,
        day: accepted.day,
        late: accepted.late,
        license: license_of(&state, caller.customer_id).await?,
    };
    let mut response = Json(answer).into_response();
    if accepted.duplicate {
        response.headers_mut().insert("idempotent-replay", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// Whether the request says its body is JSON (`application/json`, any
/// parameters).
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "There is no such endpoint; see /api/v1/openapi.json.")
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed here; see /api/v1/openapi.json."),
    )
}

/// The `/api/v1` routes, nested into the app's router: the machine API's
/// and the staff API's (`staff_api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/usage", post(usage))
        .route("/license", get(license))
        .route("/openapi.json", get(openapi))
        .merge(super::staff_api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
