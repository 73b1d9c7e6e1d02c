//! Request guards and response headers that apply to every route.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::audit;
use super::sessions::{ClientIp, SignedIn};
use super::state::AppState;
use crate::error::AppError;

/// The CSP of every response that is not an HTML page.
pub const FALLBACK_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The CSP of a page: scripts only from this origin or with this response's
/// nonce, WebAssembly allowed, no inline scripts or styles.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn host_of_origin(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'))
}

/// Middleware: refuses a state-changing request that a browser sent from
/// another site (`Sec-Fetch-Site`), or whose `Origin` is not this host.
/// Requests without either header (API clients, curl) pass: they carry no
/// cookies a browser would add on its own.
/// Each refusal is written to the audit log (the signed-in user, if the
/// browser sent the cookie at all, else "anonymous").
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        let headers = req.headers();
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let cross_by_fetch = matches!(fetch_site, Some(site) if site != "same-origin" && site != "none");
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let cross_by_origin = match origin {
            None => false,
            Some(origin) => host_of_origin(origin).is_none() || host_of_origin(origin) != host,
        };
        if cross_by_fetch || cross_by_origin {
            tracing::warn!(path = %req.uri().path(), ?origin, ?fetch_site, "refused a cross-site request");
            let actor = req.extensions().get::<SignedIn>().map_or("anonymous", |s| s.user.username.as_str());
            let ip = req.extensions().get::<ClientIp>().map(|ip| ip.0.to_string()).unwrap_or_default();
            let detail = format!(
                "{} from origin {}, address {ip}",
                req.method(),
                origin.unwrap_or(fetch_site.unwrap_or("unknown"))
            );
            audit::refusal(&state.db, actor, "access.cross_site", req.uri().path(), &detail).await;
            return (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"error":"cross_site","message":"Requests from other sites are refused."}"#,
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// The CSP nonce of one response (a request extension). The middleware
/// makes it, the page renders its scripts with it (see `router`), and the
/// same middleware writes it into the page's CSP header.
#[derive(Clone, Debug)]
pub struct PageNonce(pub String);

impl PageNonce {
    fn new() -> Self {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// Middleware: security headers on every response, and the page CSP with
/// this response's nonce on every HTML page.
pub async fn security_headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = PageNonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let fixed = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let is_html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let page = if is_html { HeaderValue::from_str(&page_csp(&nonce.0)).ok() } else { None };
    headers.insert(header::CONTENT_SECURITY_POLICY, page.unwrap_or(HeaderValue::from_static(FALLBACK_CSP)));
    if is_html {
        // Pages carry customer data: never keep them in a shared cache.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// Pages anyone may load without signing in.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/pkg/")
        || path == "/favicon.ico"
        || path == "/robots.txt"
        // For load balancers: they answer "ok" or "not ready" and nothing else.
        || path == "/healthz"
        || path == "/readyz"
}

/// Server functions anyone may call: signing in, and asking who is signed in.
/// Every other one refuses an anonymous caller here already, before its own
/// role check runs.
pub const PUBLIC_SERVER_FNS: [&str; 2] = ["/api/login", "/api/current_user"];

/// What a user whose password an admin reset may do before choosing a new
/// one: that page, its server function, and signing out.
const BEFORE_PASSWORD_CHANGE: [&str; 5] =
    ["/password", "/api/change_own_password", "/api/logout", "/api/current_user", "/api/login"];

/// The machine API authenticates with its own bearer keys, not sessions.
fn is_machine_api(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

/// Middleware: a page requested without a session goes to the sign-in page
/// (which brings the user back afterwards); a server function called without
/// one gets 401. A user whose password an admin reset reaches only "Your
/// password" (other pages redirect there, other server functions get 403)
/// until they have chosen a new one.
pub async fn require_sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if let Some(signed_in) = req.extensions().get::<SignedIn>() {
        let open = BEFORE_PASSWORD_CHANGE.contains(&path) || is_public_page(path) || is_machine_api(path);
        if !signed_in.user.must_change_password || open {
            return next.run(req).await;
        }
        if path.starts_with("/api/") {
            let user = signed_in.user.username.clone();
            audit::refusal(&state.db, &user, "access.password_change_required", path, "").await;
            let body = serde_json::to_string(&AppError::PasswordChangeRequired).unwrap_or_default();
            return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
        return redirect_to("/password");
    }
    if path.starts_with("/api/") {
        if !PUBLIC_SERVER_FNS.contains(&path) && !is_machine_api(path) {
            let body = serde_json::to_string(&AppError::Unauthenticated).unwrap_or_default();
            return (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
    } else if is_safe(req.method()) && !is_public_page(path) {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        return redirect_to(&format!("/login?next={}", encode_query_value(target)));
    }
    next.run(req).await
}

fn redirect_to(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap_or_default()
}

fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_by_host_and_port() {
        assert_eq!(host_of_origin("http://127.0.0.1:3000"), Some("127.0.0.1:3000"));
        assert_eq!(host_of_origin("null"), None);
    }

    #[test]
    fn the_page_csp_allows_wasm_but_no_inline_script() {
        let csp = page_csp("abc");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("'nonce-abc'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(encode_query_value("/customers?tab=billed&q=a b"), "/customers%3Ftab%3Dbilled%26q%3Da%20b");
    }
}
