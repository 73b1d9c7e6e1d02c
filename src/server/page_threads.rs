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
//!
//! Leptos keeps its current owner (a page's contexts) per thread, and parts
//! of a page response look it up after an await: the preload links of the
//! page's lazy module, for one. A multi-threaded runtime resumes a future on
//! whichever thread is free, where another request's owner, or a finished
//! one's, was left current; the links then went to that page or nowhere
//! (leptos_meta printing a plain-text complaint into the JSON log). So each
//! request here carries its own owner from poll to poll ([`KeepOwner`]).

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use leptos::reactive::owner::Owner;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
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
    pages().spawn(KeepOwner::new(request).with_current_subscriber());
    let Ok(parts) = head_rx.await else {
        // The request panicked on the page thread.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let chunks = futures_util::stream::unfold(chunk_rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    Response::from_parts(parts, Body::from_stream(chunks))
}

/// A future that has its own current Leptos owner, as if it ran on a thread
/// of its own: it starts with none, each poll finds the owner the previous
/// one left current, and the thread gets its own owner back after each poll.
struct KeepOwner<F> {
    owner: Option<Owner>,
    inner: Pin<Box<F>>,
}

impl<F> KeepOwner<F> {
    fn new(inner: F) -> Self {
        KeepOwner { owner: None, inner: Box::pin(inner) }
    }
}

/// Makes `owner` the thread's current owner, or leaves it none.
fn make_current(owner: Option<&Owner>) {
    match owner {
        Some(owner) => owner.set(),
        None => {
            if let Some(current) = Owner::current() {
                current.unset();
            }
        }
    }
}

impl<F: Future> Future for KeepOwner<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let _threads = GiveBack(Owner::current());
        make_current(this.owner.as_ref());
        let poll = this.inner.as_mut().poll(cx);
        this.owner = Owner::current();
        poll
    }
}

/// Makes the owner it holds current again when dropped, also when the poll
/// it guards panics (the runtime catches the panic and the thread goes on).
struct GiveBack(Option<Owner>);

impl Drop for GiveBack {
    fn drop(&mut self) {
        make_current(self.0.as_ref());
    }
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

    /// A request that makes an owner of its own, as Leptos does for a
    /// page, then awaits ten times (other requests run meanwhile, and it may
    /// resume on another thread): "kept" if its owner stayed current.
    async fn own_owner() -> &'static str {
        let mine = Owner::new_root(None);
        for _ in 0..10 {
            tokio::task::yield_now().await;
            if Owner::current().as_ref() != Some(&mine) {
                return "lost";
            }
        }
        "kept"
    }

    async fn broken() -> &'static str {
        panic!("a page that fails")
    }

    fn app() -> Router {
        Router::new()
            .route("/costs", get(long_page))
            .route("/api/v1/usage", get(|| async { nice().to_string() }))
            .route("/broken", get(broken))
            .route("/owner", get(own_owner))
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
    async fn each_request_keeps_its_own_leptos_owner_across_awaits() {
        let answers = futures_util::future::join_all((0..40).map(|_| get_text("/owner"))).await;
        let lost = answers.iter().filter(|(status, body)| *status != StatusCode::OK || body != "kept").count();
        assert_eq!(lost, 0, "{lost} of 40 requests found another owner current");
    }

    #[test]
    fn a_request_gives_the_thread_its_owner_back_after_each_poll() {
        let threads = Owner::new_root(None);
        let mut request = KeepOwner::new(async {
            let _mine = Owner::new_root(None);
            std::future::pending::<()>().await
        });
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(Pin::new(&mut request).poll(&mut cx).is_pending());
        assert_eq!(Owner::current(), Some(threads));
        assert!(request.owner.is_some());
    }

    #[test]
    fn a_request_that_panics_still_gives_the_thread_its_owner_back() {
        let threads = Owner::new_root(None);
        let mut request = KeepOwner::new(async {
            let _mine = Owner::new_root(None);
            panic!("a page that breaks");
        });
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let poll = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Pin::new(&mut request).poll(&mut cx)));
        assert!(poll.is_err());
        assert_eq!(Owner::current(), Some(threads));
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
