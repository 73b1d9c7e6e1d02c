//! The machine API for the password-manager servers (DESIGN.md "Machine
//! API"): plain axum routes under `/api/v1`, JSON in and out, a customer's
//! API key as bearer token. Every error is `{"error": code, "message": text}`
//! with its status; nothing is written unless everything checked out.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;

use super::api_keys;
use super::error::ServerError;
use super::license::License;
use super::metering::{Work, Written};
use super::state::AppState;
use crate::domain::usage::{UsageBody, UsageReport};
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

struct Caller {
    customer_id: i64,
    key_hash: String,
}

fn unknown_key() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "This API key is not valid (unknown, rotated or revoked).")
}

/// The customer whose API key the request carries (401 otherwise), from
/// the keys this instance has seen valid or else the database. Nothing is
/// trusted yet: [`counted`] checks the key again in the usage writer's
/// transaction, counts the request and does its work.
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
    let refused = || {
        tracing::warn!("machine API: unknown, revoked or removed customer's key");
        unknown_key()
    };
    let key_hash = api_keys::hash_of_key(key).ok_or_else(refused)?;
    if let Some(customer_id) = state.known_keys.get(&key_hash) {
        return Ok(Caller { customer_id, key_hash });
    }
    let customer_id = api_keys::customer_of(&state.db, &key_hash).await?.ok_or_else(refused)?;
    state.known_keys.remember(&key_hash, customer_id);
    Ok(Caller { customer_id, key_hash })
}

async fn license(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<License>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let Written::Licensed(license) = counted(&state, &caller, Work::License).await? else {
        return Err(AppError::Internal.into());
    };
    Ok(Json(license))
}

fn deactivated() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "customer_deactivated",
        "This customer is deactivated; usage is not accepted. Ask the MSP.",
    )
}

/// Checks the caller's key, counts the request in its key's window and
/// does `work`, in the usage writer's next group commit: 401 when the key
/// is no longer valid, 429 with `Retry-After` when the key is over its
/// limit (then nothing is stored), 403 for a report of a deactivated
/// customer.
async fn counted(state: &AppState, caller: &Caller, work: Work) -> Result<Written, ApiError> {
    let now = state.clock.now();
    let written = state.usage_writer.submit(caller.customer_id, caller.key_hash.clone(), work, now).await.map_err(
        |e| match e {
            AppError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "report_id_reused", message.english()),
            other => other.into(),
        },
    )?;
    match written {
        Written::UnknownKey => {
            state.known_keys.forget(&caller.key_hash);
            tracing::warn!("machine API: unknown, revoked or removed customer's key");
            Err(unknown_key())
        }
        Written::Wait(seconds) => Err(ApiError::rate_limited(seconds, "API key")),
        Written::Deactivated => Err(deactivated()),
        done => Ok(done),
    }
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
    // A refused request counts as well; the key, its limit and the
    // customer's status come first.
    let report = match usage_report(&state, &parts.headers, body).await {
        Ok(report) => report,
        Err(refusal) => {
            return match counted(&state, &caller, Work::Count).await? {
                Written::Counted { active: false } => Err(deactivated()),
                _ => Err(refusal),
            };
        }
    };
    let report_id = report.report_id.clone();
    let Written::Stored(accepted, license) = counted(&state, &caller, Work::Report(report)).await? else {
        return Err(AppError::Internal.into());
    };
    let answer = UsageAnswer { report_id, day: accepted.day, late: accepted.late, license };
    let mut response = Json(answer).into_response();
    if accepted.duplicate {
        response.headers_mut().insert("idempotent-replay", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The report a usage request carries, or why it is refused: the body is
/// not JSON (415), too large (413), not a report (400) or not a valid one
/// (422).
async fn usage_report(state: &AppState, headers: &HeaderMap, body: Body) -> Result<UsageReport, ApiError> {
    if !is_json(headers) {
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
    Ok(body.validate(state.clock.now()).map_err(AppError::Invalid)?)
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

/// Where the app's router nests [`routes`].
pub const PREFIX: &str = "/api/v1";

/// The password-manager servers' two routes (under [`PREFIX`]), the hot
/// path: they stay on the request threads (`page_threads`).
pub const USAGE: &str = "/usage";
pub const LICENSE: &str = "/license";

/// Whether `path` (the whole request path) is one of the two hot routes.
pub fn is_hot_path(path: &str) -> bool {
    path.strip_prefix(PREFIX).is_some_and(|route| route == USAGE || route == LICENSE)
}

/// The `/api/v1` routes, nested into the app's router: the machine API's
/// and the staff API's (`staff_api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(USAGE, post(usage))
        .route(LICENSE, get(license))
        .route("/openapi.json", get(openapi))
        .merge(super::staff_api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
