//! What every server function does first: find the app state and the caller,
//! and check the caller's role. The check runs on the server, whatever the
//! browser shows or hides.

use axum::http::request::Parts;
use leptos::prelude::use_context;

use super::sessions::{ClientIp, SignedIn};
use super::state::AppState;
use crate::domain::Role;
use crate::error::AppError;
use crate::views::session::CurrentUser;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::Internal
    })
}

/// The signed-in caller, if any.
pub fn signed_in() -> Result<Option<SignedIn>, AppError> {
    Ok(parts()?.extensions.get::<SignedIn>().cloned())
}

/// A plain HTML form post (the browser asks for a page back), not a call
/// from the WebAssembly (which asks for JSON).
pub fn plain_form_post() -> Result<bool, AppError> {
    let parts = parts()?;
    let accept = parts.headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok(accept.contains("text/html"))
}

pub fn client_ip() -> Result<ClientIp, AppError> {
    parts()?.extensions.get::<ClientIp>().copied().ok_or(AppError::Internal)
}

/// The request's headers.
pub fn headers() -> Result<axum::http::HeaderMap, AppError> {
    Ok(parts()?.headers)
}

/// The value of the request's cookie `name`, if any.
pub fn cookie(name: &str) -> Result<Option<String>, AppError> {
    Ok(super::sessions::cookie_value(&parts()?.headers, name).map(str::to_owned))
}

/// The caller's `User-Agent`, as a session stores it (cut, printable; empty
/// when missing or not text).
pub fn user_agent() -> Result<String, AppError> {
    let parts = parts()?;
    let raw = parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok(crate::domain::user_agent::stored(raw))
}

/// What a server function needs: who calls, and the app's state.
pub struct Caller {
    pub user: CurrentUser,
    pub state: AppState,
}

/// The signed-in caller with at least the role `needed`, and the state:
/// what every server function but sign-in asks for first.
pub async fn caller(needed: Role) -> Result<Caller, AppError> {
    let user = authorize(needed).await?;
    Ok(Caller { user, state: state()? })
}

/// The caller, who must be signed in with at least the role `needed`.
/// A refusal is written to the audit log (who, what they called, which role
/// it needs).
async fn authorize(needed: Role) -> Result<CurrentUser, AppError> {
    let user = signed_in()?.map(|s| s.user).ok_or(AppError::Unauthenticated)?;
    if user.role.includes(needed) {
        return Ok(user);
    }
    let path = parts()?.uri.path().to_owned();
    tracing::warn!(user = %user.username, role = %user.role, needed = %needed, %path, "refused: role too low");
    let detail = format!("needs the role {}, has {}", needed.label(), user.role.label());
    let state = state()?;
    super::refusals::record_one(&state.db, &user.username, "access.refused", &path, &detail, state.clock.now()).await;
    Err(AppError::Forbidden)
}
