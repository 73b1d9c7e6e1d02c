//! The staff API under `/api/v1` (README "Staff API"): customers, frozen
//! statements, the cost overview and the DATEV file for scripts, PSAs and
//! automation tools, with a staff member's personal access token as bearer
//! token. Each route says what it needs ([`Needs`]): the token's owner must
//! have the role, and a route that changes anything needs a `write` token.
//! Checked in this order: the token (401), the token's rate limit (429),
//! the role and scope (403), then the request (400, 415, 422). Errors are
//! the machine API's JSON (`{"error", "message", "fields"}`), in English.

mod billing;
mod customers;
mod webhooks;
pub mod wire;

use axum::body::{to_bytes, Body};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;
use serde::de::DeserializeOwned;

use super::access_tokens::{self, Presented, TokenCaller};
use super::machine_api::ApiError;
use super::rate_limit::Window;
use super::sessions::ClientIp;
use super::state::AppState;
use crate::domain::access_token::{Needs, TOKEN_PREFIX};
use crate::domain::Role;
use crate::error::AppError;

/// The largest body a staff API route reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every route of the staff API: method, path (as the OpenAPI document
/// writes it) and what it needs. The route inventory test holds the
/// router, this list and the document to each other.
pub const ROUTES: [(&str, &str, Needs); 14] = [
    ("GET", "/customers", Needs::reads(Role::Viewer)),
    ("POST", "/customers", Needs::writes(Role::Operator)),
    ("GET", "/customers/{id}", Needs::reads(Role::Viewer)),
    ("PATCH", "/customers/{id}", Needs::writes(Role::Operator)),
    ("POST", "/customers/{id}/deactivate", Needs::writes(Role::Operator)),
    ("POST", "/customers/{id}/activate", Needs::writes(Role::Operator)),
    ("GET", "/statements", Needs::reads(Role::Viewer)),
    ("GET", "/cost-overview", Needs::reads(Role::Viewer)),
    ("GET", "/exports/datev", Needs::reads(Role::Viewer)),
    ("GET", "/webhook-endpoints", Needs::reads(Role::Admin)),
    ("POST", "/webhook-endpoints", Needs::writes(Role::Admin)),
    ("PATCH", "/webhook-endpoints/{id}", Needs::writes(Role::Admin)),
    ("DELETE", "/webhook-endpoints/{id}", Needs::writes(Role::Admin)),
    ("POST", "/webhook-endpoints/{id}/test", Needs::writes(Role::Admin)),
];

/// What a route needs, from [`ROUTES`].
fn needs(method: &str, path: &str) -> Needs {
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, needs)| *needs)
        // A route missing from the list is admin's and read-and-write.
        .unwrap_or(Needs::writes(Role::Admin))
}

/// The staff API's routes, merged into the machine API's under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers", get(customers::list).post(customers::create))
        .route("/customers/{id}", get(customers::one).patch(customers::patch))
        .route("/customers/{id}/deactivate", post(customers::deactivate))
        .route("/customers/{id}/activate", post(customers::activate))
        .route("/statements", get(billing::statements))
        .route("/cost-overview", get(billing::cost_overview))
        .route("/exports/datev", get(billing::datev))
        .route("/webhook-endpoints", get(webhooks::list).post(webhooks::create))
        .route("/webhook-endpoints/{id}", patch(webhooks::patch).delete(webhooks::remove))
        .route("/webhook-endpoints/{id}/test", post(webhooks::test))
}

/// A staff API caller whose token may do what the route needs.
pub struct Staff {
    pub caller: TokenCaller,
    pub state: AppState,
}

impl Staff {
    /// The actor of the audit entries the call writes: the token's owner,
    /// and which token it was.
    pub fn actor(&self) -> String {
        format!("{} (token {})", self.caller.user.username, self.caller.prefix)
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// The caller of `route` (its method and path as [`ROUTES`] lists it), or
/// the refusal. A refused real token is written to the audit log (repeats
/// counted per address and minute).
pub async fn authorize(state: &AppState, request: &Parts, route: (&str, &str)) -> Result<Staff, ApiError> {
    let headers = &request.headers;
    let token = bearer(headers)
        .ok_or_else(|| unauthorized("Send a personal access token as `Authorization: Bearer mspt_…`."))?;
    let now = state.clock.now();
    let ip = request.extensions.get::<ClientIp>().map_or(std::net::IpAddr::from([0, 0, 0, 0]), |ip| ip.0);
    let caller = match access_tokens::check(&state.db, token, now).await.map_err(AppError::from)? {
        Presented::Unknown => {
            tracing::warn!("staff API: unknown token");
            return Err(unauthorized("This token is not valid (unknown, expired or revoked)."));
        }
        Presented::Refused { owner, label, why } => {
            tracing::warn!(%owner, %why, "staff API: token refused");
            let detail = format!("{label}: {why}; {} {}", route.0, request.uri.path());
            let subject = format!("staff:{owner}");
            state.refusals.record(&state.db, ip, [owner.as_str(), "token.refused", &subject, &detail], now).await;
            return Err(unauthorized("This token is not valid (unknown, expired or revoked)."));
        }
        Presented::Valid(caller) => caller,
    };
    if let Err(wait) = state.api_limiter.hit(&state.db, Window::Token(caller.token_id), now).await? {
        return Err(ApiError::rate_limited(wait, "token"));
    }
    let needed = needs(route.0, route.1);
    if !needed.met_by(caller.user.role, caller.scope) {
        let owner = caller.user.username.clone();
        tracing::warn!(%owner, "staff API: token's scope or owner's role too low");
        let detail = format!(
            "{}: needs the role {}{}, has the role {} and scope {}; {} {}",
            caller.label,
            needed.role.label(),
            if needed.writes { " and a write token" } else { "" },
            caller.user.role.label(),
            caller.scope.as_str(),
            route.0,
            request.uri.path()
        );
        let subject = format!("staff:{owner}");
        state.refusals.record(&state.db, ip, [owner.as_str(), "token.refused", &subject, &detail], now).await;
        let message = if caller.user.role.includes(needed.role) {
            "This changes data: it needs a token with the write scope.".to_owned()
        } else {
            format!("This needs the role {} or higher.", needed.role.as_str())
        };
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", message));
    }
    Ok(Staff { caller, state: state.clone() })
}

/// The bearer token of a staff API request (a machine key is not one).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    token.starts_with(TOKEN_PREFIX).then_some(token)
}

/// The request's query parameters (the first of each name).
pub fn query(request: &Parts) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(request.uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
    move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// A customer id from the path; not found when it is not one.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::NotFound.into())
}

/// The JSON body (`optional` when the body is empty and it is given).
pub async fn json_body<T: DeserializeOwned>(
    body: Body,
    headers: &HeaderMap,
    optional: Option<T>,
) -> Result<T, ApiError> {
    let bytes = to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The body may have at most {BODY_LIMIT} bytes."),
        )
    })?;
    if bytes.is_empty() {
        if let Some(empty) = optional {
            return Ok(empty);
        }
    }
    if !super::machine_api::is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as `Content-Type: application/json`.",
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", format!("The body is not what this route takes: {e}"))
    })
}

/// 201 with `body` and the new thing's address in `Location`.
pub fn created(location: &str, body: impl serde::Serialize) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A rule's refusal as the staff API answers it: 422 with the fields, 409
/// for a state that does not allow it, 404.
pub fn refused(error: AppError) -> ApiError {
    match error {
        AppError::Invalid(fields) => ApiError::invalid("invalid", fields),
        other => other.into(),
    }
}
