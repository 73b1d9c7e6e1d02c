//! Every request gets an id of ours: in its log span (so every line logged
//! while it runs names it), and in the `X-Request-Id` response header (so
//! a user's report can be found in the log), except the app's code files
//! under `/pkg/` (static, dozens per page: the header would only add to
//! every download; see `security::is_site_code`). An id sent by the client is
//! replaced, never trusted: it would let anyone write into our log lines.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::distributions::{Alphanumeric, DistString};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::{Level, Span};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served (a request extension).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// 16 random letters and digits.
    fn new() -> Self {
        Self(Alphanumeric.sample_string(&mut rand::thread_rng(), 16))
    }
}

/// Middleware (outermost): gives the request its id and the response the
/// header.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = RequestId::new();
    let value = HeaderValue::from_str(&id.0).expect("letters and digits are a valid header value");
    req.headers_mut().insert(HEADER, value.clone());
    req.extensions_mut().insert(id);
    let app_code = super::security::is_site_code(req.uri().path());
    let mut response = next.run(req).await;
    if !app_code {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The span of a request: its id, method and path (never the query, which
/// may hold a `next` address or a filter typed by someone).
#[derive(Clone, Copy, Debug)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &axum::http::Request<B>) -> Span {
        let id = req.extensions().get::<RequestId>().map(|id| id.0.as_str()).unwrap_or("-");
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
    }
}

/// Each request in its span; a response with a 5xx status is logged as an
/// error, the others at debug level.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        .on_failure(DefaultOnFailure::new().level(Level::ERROR))
}
