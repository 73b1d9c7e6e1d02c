//! The one router of the app, built the same way by `main` and by the tests.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Router;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::OnceLock;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use super::security::{refuse_cross_site, require_sign_in, security_headers, PageNonce};
use super::sessions::load_session;
use super::state::AppState;
use super::{machine_api, operations, page_threads, request_ids, single_sign_on};
use crate::app::{shell, App};
use crate::error::AppError;

/// Error bodies of server functions are small; larger ones are left alone.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Middleware: a server function's error leaves Leptos as status 500 with an
/// `AppError` body; this gives it its real status (401, 403, 422, ...).
async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let is_server_fn_error = response.headers().contains_key("serverfnerror");
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !is_server_fn_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let Some(secs) = error.retry_after_secs() {
            parts.headers.insert(axum::http::header::RETRY_AFTER, secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The largest request body the app takes outside the machine API (which
/// has its own, smaller limit): server functions' arguments are small.
pub const BODY_LIMIT: usize = 256 * 1024;

/// Middleware: a request body over [`BODY_LIMIT`] gets 413 with the JSON
/// error of a server function, read no further than the limit.
async fn limit_body(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/v1/") || matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let too_large = || {
        let body = serde_json::to_string(&AppError::TooLarge).unwrap_or_default();
        (StatusCode::PAYLOAD_TOO_LARGE, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let declared = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
    if declared.and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => too_large(),
    }
}

/// The app's routes, listed once per process. Listing them runs the app with
/// resource loading suppressed by a process-wide flag (leptos_server's
/// `SuppressResourceLoad`, leptos issue #4773): a page rendered at that very
/// moment on another thread would wait forever. So it happens once, before
/// any router exists; the tests build many routers at once.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The app's router on `db`, with the build's Leptos options (browser files
/// in `target/site`): for the tests, the benchmarks and the crash test's
/// server, which start without the Leptos configuration of `serve`.
pub fn router_on(db: super::db::Db, config: super::config::Config) -> Router {
    build_router(state_on(db, config))
}

/// The app state `router_on` builds its router on (listening on the
/// default address, 127.0.0.1:3000).
pub fn state_on(db: super::db::Db, config: super::config::Config) -> AppState {
    let options = leptos::prelude::LeptosOptions::builder().output_name("msp-manager").site_root("target/site").build();
    AppState::new(options, db, config)
}

pub fn build_router(state: AppState) -> Router {
    let routes = routes();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // Render the page's scripts with the nonce the CSP header will carry.
            let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
            if let Some(PageNonce(nonce)) = nonce {
                provide_context(Nonce::from_value(nonce));
            }
        }
    };
    let page_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let pkg = std::path::Path::new(&*state.leptos_options.site_root).join(&*state.leptos_options.site_pkg_dir);
    Router::new()
        .nest(machine_api::PREFIX, machine_api::routes())
        .merge(operations::routes())
        .merge(single_sign_on::routes())
        .merge(super::datev::routes())
        // The browser side, brotli-precompressed where `precompress` wrote it.
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), ServeDir::new(pkg).precompressed_br())
        .leptos_routes_with_context(&state, routes, context.clone(), page_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(from_fn(server_fn_error_status))
        .layer(from_fn_with_state(state.clone(), require_sign_in))
        // After the session is known, so that a refusal names who it was.
        .layer(from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), load_session))
        .layer(from_fn(limit_body))
        .layer(from_fn_with_state(state.clone(), security_headers))
        .layer(CompressionLayer::new())
        .layer(request_ids::trace_layer())
        .layer(from_fn(page_threads::run_there))
        .layer(from_fn(request_ids::assign))
        .with_state(state)
}
