//! Pages, server functions, the staff API and files are served on threads of
//! their own, at a lower scheduling priority than the machine API.
//!
//! A cost overview is rendered in one piece: tens of milliseconds of CPU that
//! Tokio cannot interrupt. On the request threads, a usage report that
//! arrived meanwhile waited behind it (or behind two, one per core), and the
//! reports' p99 followed the pages. Here each page request is handed with its
//! middleware to this runtime, whose threads are niced, and its body comes
//! back a chunk at a time; the kernel then lets a report's thread run as soon
//! as it wakes. Pages get every core the reports leave free.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::sync::OnceLock;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::{mpsc, oneshot};
use tracing::instrument::WithSubscriber;

use super::machine_api;

/// How much nicer than the request threads the page threads are (nice(2)
/// steps): at 10 the kernel gives a busy page thread about a tenth of a core
/// that a report's thread wants.
const NICENESS: i32 = 10;

/// Body chunks in flight between a page thread and the connection.
const CHUNKS_IN_FLIGHT: usize = 8;

/// The nice value the page threads run at: the request threads' plus
/// [`NICENESS`], at most 19 (the lowest priority).
fn page_priority(request_threads: i32) -> i32 {
    (request_threads + NICENESS).min(19)
}

/// The page runtime, started on first use and kept for the process: one
/// thread per core, each lowered in priority as it starts (Linux nice values
/// are per thread; blocking threads such as password hashing's get it too).
fn pages() -> &'static Handle {
    static PAGES: OnceLock<Runtime> = OnceLock::new();
    PAGES
        .get_or_init(|| {
            let priority = page_priority(rustix::process::getpriority_process(None).unwrap_or(0));
            tokio::runtime::Builder::new_multi_thread()
                .thread_name("msp-pages")
                .on_thread_start(move || {
                    // Raising one's own nice value needs no privilege; if the
                    // system refuses anyway, the thread runs at normal priority.
                    let _ = rustix::process::setpriority_process(None, priority);
                })
                .enable_all()
                .build()
                .expect("a Tokio runtime for the pages starts")
        })
        .handle()
}

/// Middleware (inside the request id, outside everything else): runs the
/// rest of the request on the page threads, except the machine API's.
pub async fn run_there(req: Request, next: Next) -> Response {
    if machine_api::is_hot_path(req.uri().path()) {
        return next.run(req).await;
    }
    let (head_tx, head_rx) = oneshot::channel();
    let (chunk_tx, chunk_rx) = mpsc::channel::<Result<Bytes, axum::Error>>(CHUNKS_IN_FLIGHT);
    // Logged where the request's own thread logs (the process's subscriber,
    // or a test's).
    let request = async move {
        let (parts, body) = next.run(req).await.into_parts();
        if head_tx.send(parts).is_err() {
            return;
        }
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = chunks.next().await {
            let failed = chunk.is_err();
            // A closed channel: the client went away; stop rendering.
            if chunk_tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    };
    pages().spawn(request.with_current_subscriber());
    let Ok(parts) = head_rx.await else {
        // The request panicked on the page thread.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let chunks = futures_util::stream::unfold(chunk_rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    Response::from_parts(parts, Body::from_stream(chunks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::middleware::from_fn;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn nice() -> i32 {
        rustix::process::getpriority_process(None).unwrap()
    }

    /// A page of forty chunks of 64 KiB after the nice value of the thread
    /// that rendered it.
    async fn long_page() -> Body {
        let chunks = (0..40u8).map(|i| Ok::<_, std::convert::Infallible>(Bytes::from(vec![b'a' + i % 26; 64 * 1024])));
        let head = Ok(Bytes::from(format!("{}\n", nice())));
        Body::from_stream(futures_util::stream::iter(std::iter::once(head).chain(chunks)))
    }

    async fn broken() -> &'static str {
        panic!("a page that fails")
    }

    fn app() -> Router {
        Router::new()
            .route("/costs", get(long_page))
            .route("/api/v1/usage", get(|| async { nice().to_string() }))
            .route("/broken", get(broken))
            .layer(from_fn(run_there))
    }

    async fn get_text(path: &str) -> (StatusCode, String) {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_page_is_rendered_on_a_page_thread_and_arrives_whole() {
        let (status, body) = get_text("/costs").await;
        assert_eq!(status, StatusCode::OK);
        let (first, rest) = body.split_once('\n').unwrap();
        assert_eq!(first.parse::<i32>().unwrap(), page_priority(nice()));
        let expected: String = (0..40u8).map(|i| String::from(char::from(b'a' + i % 26)).repeat(64 * 1024)).collect();
        assert!(rest == expected, "{} bytes instead of {}", rest.len(), expected.len());
    }

    #[tokio::test]
    async fn a_usage_report_stays_on_the_request_thread() {
        assert_eq!(get_text("/api/v1/usage").await, (StatusCode::OK, nice().to_string()));
    }

    #[tokio::test]
    async fn a_page_that_panics_is_answered_500() {
        assert_eq!(get_text("/broken").await.0, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn only_the_machine_apis_hot_routes_stay_on_the_request_threads() {
        assert!(machine_api::is_hot_path("/api/v1/usage"));
        assert!(machine_api::is_hot_path("/api/v1/license"));
        for path in ["/", "/costs", "/api/v1/customers", "/api/v1/openapi.json", "/api/v1/usage/x", "/pkg/app.wasm"] {
            assert!(!machine_api::is_hot_path(path), "{path}");
        }
    }

    #[tokio::test]
    async fn page_threads_and_their_blocking_threads_run_below_the_request_threads() {
        let ours = nice();
        let worker = pages().spawn(async move { nice() }).await.unwrap();
        let blocking = pages().spawn(async move { tokio::task::spawn_blocking(nice).await.unwrap() }).await.unwrap();
        assert_eq!((worker, blocking), (page_priority(ours), page_priority(ours)));
        assert!(page_priority(ours) > ours || ours == 19);
    }
}
