//! Request guards and response headers that apply to every route.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use std::net::{IpAddr, SocketAddr};

use super::sessions::{ClientIp, SignedIn};
use super::state::AppState;
use crate::domain::audit_log::capped;
use crate::error::AppError;
use crate::views::session::CurrentUser;

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

/// "scheme://host[:port]" of a URL as a browser sends it in `Origin`
/// (lower case, default port left out), if it has one.
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Where the app's own pages come from: state-changing requests from a
/// browser must carry one of these origins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnOrigin {
    /// `MSP_PUBLIC_URL`, or the listen address (and `localhost` for a
    /// loopback one).
    Listed(Vec<String>),
    /// Listening on every interface without `MSP_PUBLIC_URL`: the request's
    /// `Host` with this scheme.
    HostWith(&'static str),
}

impl OwnOrigin {
    pub fn from_config(public_url: Option<&str>, secure: bool, listen: SocketAddr) -> Result<Self, String> {
        if let Some(url) = public_url.map(str::trim).filter(|u| !u.is_empty()) {
            let origin = origin_of(url)
                .filter(|o| o.starts_with("http://") || o.starts_with("https://"))
                .ok_or_else(|| format!("MSP_PUBLIC_URL must be an http:// or https:// address, not {url:?}"))?;
            return Ok(Self::Listed(vec![origin]));
        }
        let scheme = if secure { "https" } else { "http" };
        if listen.ip().is_unspecified() {
            return Ok(Self::HostWith(scheme));
        }
        let mut origins: Vec<String> = origin_of(&format!("{scheme}://{listen}")).into_iter().collect();
        if listen.ip().is_loopback() {
            origins.extend(origin_of(&format!("{scheme}://localhost:{}", listen.port())));
        }
        Ok(Self::Listed(origins))
    }

    /// The app's own origin that a request for `host` was sent to: the
    /// public URL's whatever the host, else the listed one with that host
    /// (or, listening on every interface, that host with the scheme).
    pub fn for_host(&self, host: Option<&str>) -> Option<String> {
        match self {
            Self::Listed(origins) if origins.len() == 1 => origins.first().cloned(),
            Self::Listed(origins) => {
                let host = host?;
                origins.iter().find(|o| o.split_once("://").is_some_and(|(_, h)| h == host)).cloned()
            }
            Self::HostWith(scheme) => host.and_then(|h| origin_of(&format!("{scheme}://{h}"))),
        }
    }

    fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        match self {
            Self::Listed(origins) => origins.iter().any(|o| o == origin),
            Self::HostWith(scheme) => {
                host.and_then(|h| origin_of(&format!("{scheme}://{h}"))).is_some_and(|own| own == origin)
            }
        }
    }
}

/// Why a state-changing request is refused as cross-site, if it is.
/// The machine API's bearer keys are no cookies a browser adds by itself,
/// so a session cookie sent along there needs no `Origin`.
fn cross_site(req: &Request, own: &OwnOrigin, cookie_name: &str) -> Option<String> {
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or("?"));
    let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("?"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site.filter(|site| *site != "same-origin" && *site != "none") {
        return Some(format!("Sec-Fetch-Site {site}"));
    }
    match origin {
        Some(origin) if !own.allows(origin, host) => Some(format!("origin {origin}")),
        Some(_) => None,
        // Without either header it is no browser's request from a page, so
        // it must not carry a session a browser would have added.
        None if fetch_site.is_none()
            && !is_machine_api(req.uri().path())
            && super::sessions::cookie_value(headers, cookie_name).is_some() =>
        {
            Some("a session cookie without Origin or Sec-Fetch-Site".to_owned())
        }
        None => None,
    }
}

/// Middleware: refuses a state-changing request that a browser sent from
/// another site: `Sec-Fetch-Site` other than same-origin, an `Origin` other
/// than the app's own (scheme, host and port), or a session cookie with
/// neither header. Requests without either header and without a session
/// (API clients, curl) pass: they carry no cookies a browser would add on
/// its own. Each refusal goes to the audit log (the signed-in user, if the
/// browser sent the cookie at all, else "anonymous"), repeats counted per
/// address and minute.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        if let Some(why) = cross_site(&req, &state.own_origin, state.config.session_cookie_name()) {
            let why = capped(&why);
            tracing::warn!(path = %capped(req.uri().path()), %why, "refused a cross-site request");
            let actor = req.extensions().get::<SignedIn>().map_or("anonymous", |s| s.user.username.as_str());
            let ip = req.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |ip| ip.0);
            let detail = format!("{} from {why}, address {ip}", req.method());
            let refusal = [actor, "access.cross_site", req.uri().path(), &detail];
            state.refusals.record(&state.db, ip, refusal, state.clock.now()).await;
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

/// The app's built code and style sheet (`/pkg/`: scripts, WebAssembly,
/// CSS), which the browser never shows as a page.
pub fn is_site_code(path: &str) -> bool {
    path.starts_with("/pkg/")
}

/// Middleware: security headers on every response, and the page CSP with
/// this response's nonce on every HTML page. The app's code files carry
/// only `nosniff` (and HSTS): the other headers govern documents (framing,
/// the referrer of what a page loads, its features, its scripts), the
/// browser ignores them on a script, a WebAssembly part or a style sheet,
/// and they would add about 270 bytes to each of the ~90 files the app's
/// modules are cut into.
pub async fn security_headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let code_file = is_site_code(req.uri().path());
    let nonce = PageNonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    if state.config.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if code_file {
        // Nor does a browser ask for part of one: the file server's offer
        // of ranges would only add its bytes to each.
        headers.remove(header::ACCEPT_RANGES);
        return response;
    }
    let fixed = [
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
    response
}

/// Pages anyone may load without signing in.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path == "/login/code"
        || is_site_code(path)
        || path == "/favicon.ico"
        // The passkey glue of the sign-in code page (`public/passkey.js`).
        || path == "/passkey.js"
        // Single sign-on: off to the provider, and back.
        || path == super::single_sign_on::START_PATH
        || path == super::single_sign_on::CALLBACK_PATH
        || path == "/robots.txt"
        // For load balancers: they answer "ok" or "not ready" and nothing else.
        || path == "/healthz"
        || path == "/readyz"
}

/// Server functions anyone may call: signing in, and asking who is signed in.
/// Every other one refuses an anonymous caller here already, before its own
/// role check runs.
pub const PUBLIC_SERVER_FNS: [&str; 7] = [
    "/api/login",
    "/api/login_options",
    "/api/login_code",
    "/api/login_methods",
    "/api/login_passkey_begin",
    "/api/login_passkey",
    "/api/current_user",
];

/// What a user who is held back (a password an admin reset, or a second
/// factor the sign-in policy requires and they lack) may still do: their
/// account page, changing their password, their sessions (ending the
/// others is as urgent as a new password when the old one leaked), and
/// signing out.
const WHILE_HELD_BACK: [&str; 8] = [
    "/password",
    "/api/change_own_password",
    "/api/logout",
    "/api/current_user",
    "/api/login",
    "/api/my_sessions",
    "/api/end_my_session",
    "/api/end_my_other_sessions",
];

/// What setting up a second factor takes besides (the account page's
/// two-factor card).
const TWO_FACTOR_SETUP: [&str; 5] = [
    "/api/two_factor",
    "/api/two_factor/begin",
    "/api/two_factor/confirm",
    "/api/passkeys/begin",
    "/api/passkeys/finish",
];

/// What holds a signed-in user back, if anything: the paths open to them
/// beyond [`WHILE_HELD_BACK`], the refusal's audit action and error.
fn held_back(user: &CurrentUser) -> Option<(&'static [&'static str], &'static str, AppError)> {
    if user.must_change_password {
        Some((&[], "access.password_change_required", AppError::PasswordChangeRequired))
    } else if user.must_set_up_two_factor {
        Some((&TWO_FACTOR_SETUP, "access.two_factor_setup_required", AppError::TwoFactorSetupRequired))
    } else {
        None
    }
}

/// The machine API authenticates with its own bearer keys, not sessions.
fn is_machine_api(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

/// Middleware: a page requested without a session goes to the sign-in page
/// (which brings the user back afterwards); a server function called without
/// one gets 401. A user whose password an admin reset, or whom the sign-in
/// policy requires a second factor of that they lack, reaches only "Your
/// password" (other pages redirect there, other server functions get 403)
/// until they have chosen a new password or set up a factor.
pub async fn require_sign_in(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if let Some(signed_in) = req.extensions().get::<SignedIn>() {
        let Some((also_open, action, error)) = held_back(&signed_in.user) else { return next.run(req).await };
        let open = WHILE_HELD_BACK.contains(&path) || also_open.contains(&path);
        if open || is_public_page(path) || is_machine_api(path) {
            return next.run(req).await;
        }
        if path.starts_with("/api/") {
            let user = signed_in.user.username.clone();
            let now = state.clock.now();
            super::refusals::record_one(&state.db, &user, action, path, "", now).await;
            let body = serde_json::to_string(&error).unwrap_or_default();
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

/// The longest `next` path followed after sign-in.
const NEXT_MAX_CHARS: usize = 2048;

/// Where to go after sign-in: `next` when it is a path on this site made of
/// characters that need no encoding (RFC 3986's unreserved, sub-delims,
/// `:@/?` and well-formed `%XX`), which parses as a URL relative to our
/// own origin to the same origin and to exactly itself (no dot segments,
/// no `//`, no backslash, no control character, space or fragment);
/// anything else goes to `/`. The result is always a valid header value.
pub fn safe_next(next: Option<&str>) -> String {
    const BASE: &str = "http://own.invalid/";
    let ok = |path: &str| {
        let bytes = path.as_bytes();
        let chars_ok = path.len() <= NEXT_MAX_CHARS
            && bytes.iter().enumerate().all(|(i, b)| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => true,
                b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';'
                | b'=' | b':' | b'@' | b'/' | b'?' => true,
                b'%' => bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
                _ => false,
            });
        if !chars_ok || !path.starts_with('/') || path.contains("//") {
            return false;
        }
        let Ok(base) = url::Url::parse(BASE) else { return false };
        match base.join(path) {
            Ok(url) if url.origin() == base.origin() => {
                let back = match url.query() {
                    Some(query) => format!("{}?{query}", url.path()),
                    None => url.path().to_owned(),
                };
                back == path
            }
            _ => false,
        }
    };
    match next {
        Some(path) if ok(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The sign-in page is sent without WebAssembly: its form posts to
/// `/api/login` as a plain HTML form. When that fails, the browser goes
/// back to the form, which shows `error` next to its field (Leptos reads
/// `__path` and `__err` from the address), keeps `next` and fills in the
/// user name again (at most [`USERNAME_ECHO_MAX_CHARS`]).
pub fn sign_in_again(username: &str, next: Option<&str>, error: &AppError) -> String {
    let username: String = username.chars().take(USERNAME_ECHO_MAX_CHARS).collect();
    let form =
        format!("/login?next={}&username={}", encode_query_value(&safe_next(next)), encode_query_value(&username));
    back_to_form(&form, "/api/login", error)
}

/// The page of sign-in's second step after a refused code or passkey (the
/// server function at `server_fn`): the same way back as
/// [`sign_in_again`], to `/login/code`.
pub fn code_again(next: Option<&str>, server_fn: &str, error: &AppError) -> String {
    back_to_form(&code_page(next), server_fn, error)
}

/// `form` (a path with its query) with `error` of the server function at
/// `server_fn` added the way Leptos reads it back (`__path`, `__err`).
fn back_to_form(form: &str, server_fn: &str, error: &AppError) -> String {
    let absolute = format!("http://own.invalid{form}");
    match leptos::server_fn::error::ServerFnUrlError::new(server_fn, error.clone()).to_url(&absolute) {
        Ok(url) => format!("{}?{}", url.path(), url.query().unwrap_or_default()),
        Err(_) => "/login".to_owned(),
    }
}

/// Where a right password goes when the code comes next.
pub fn code_page(next: Option<&str>) -> String {
    format!("/login/code?next={}", encode_query_value(&safe_next(next)))
}

/// User names have at most 64 characters (`domain::username`).
const USERNAME_ECHO_MAX_CHARS: usize = 64;

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
    fn a_refused_sign_in_goes_back_to_the_form_with_its_message_next_and_user_name() {
        use leptos::server_fn::error::ServerFnUrlError;
        let error = AppError::Invalid(vec![crate::domain::validation::FieldMessage::new("password", "Wrong.")]);
        let back = sign_in_again("ada@x", Some("/audit?page=2"), &error);
        assert!(
            back.starts_with("/login?next=/audit%3Fpage%3D2&username=ada%40x&__path=%2Fapi%2Flogin&__err="),
            "{back}"
        );
        let url = url::Url::parse(&format!("http://own.invalid{back}")).unwrap();
        let err = url.query_pairs().find(|(k, _)| k == "__err").unwrap().1.into_owned();
        assert_eq!(ServerFnUrlError::<AppError>::decode_err(&err), error);
        // A foreign `next` is dropped, a long user name cut, and the result
        // is a valid header value whatever came in.
        let odd = format!("{}\r\n<x>", "é".repeat(100));
        let back = sign_in_again(&odd, Some("//evil.example"), &error);
        assert!(back.starts_with("/login?next=/&username="), "{back}");
        assert!(axum::http::HeaderValue::from_str(&back).is_ok());
        let url = url::Url::parse(&format!("http://own.invalid{back}")).unwrap();
        let name = url.query_pairs().find(|(k, _)| k == "username").unwrap().1.into_owned();
        assert_eq!(name, "é".repeat(USERNAME_ECHO_MAX_CHARS));
    }

    #[test]
    fn origins_are_compared_by_scheme_host_and_port() {
        let listen: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let own = OwnOrigin::from_config(None, false, listen).unwrap();
        assert_eq!(own, OwnOrigin::Listed(vec!["http://127.0.0.1:3000".into(), "http://localhost:3000".into()]));
        assert!(own.allows("http://127.0.0.1:3000", None));
        assert!(own.allows("http://localhost:3000", Some("evil.example")));
        for other in
            ["https://127.0.0.1:3000", "http://127.0.0.1:3001", "http://127.0.0.1", "null", "http://evil.example"]
        {
            assert!(!own.allows(other, Some("127.0.0.1:3000")), "{other}");
        }
        let public = OwnOrigin::from_config(Some("https://MSP.example.com:443/app/"), true, listen).unwrap();
        assert_eq!(public, OwnOrigin::Listed(vec!["https://msp.example.com".into()]));
        assert!(!public.allows("http://msp.example.com", None));
        assert!(OwnOrigin::from_config(Some("msp.example.com"), true, listen).is_err());
        assert!(OwnOrigin::from_config(Some("ftp://msp.example.com"), true, listen).is_err());
        let any = OwnOrigin::from_config(None, true, "0.0.0.0:8080".parse().unwrap()).unwrap();
        assert!(any.allows("https://msp.example.com:8080", Some("msp.example.com:8080")));
        assert!(!any.allows("http://msp.example.com:8080", Some("msp.example.com:8080")));
    }

    #[test]
    fn the_page_csp_allows_wasm_but_no_inline_script() {
        let csp = page_csp("abc");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("'nonce-abc'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn only_plain_local_paths_are_followed_after_sign_in() {
        for good in ["/customers?tab=billed&q=m%C3%BCller", "/customers/42", "/costs?month=2026-10&sort=total", "/"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\tab/evil.example/phish",
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/\r\nSet-Cookie:x=1",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "/%/evil.example",
            "/%zz",
            "/./evil.example",
            "/..//evil.example",
            "/a/../..//evil.example",
            "/#//evil.example",
            "javascript:alert(1)",
            "/customers\"onmouseover",
            "customers",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(NEXT_MAX_CHARS)))), "/");
        assert_eq!(safe_next(None), "/");
    }

    proptest::proptest! {
        #[test]
        fn whatever_next_is_the_target_is_a_same_site_path_and_a_valid_header(next in "\\PC{0,40}|/[\\x00-\\x7f]{0,40}") {
            let target = safe_next(Some(&next));
            proptest::prop_assert!(target.starts_with('/') && !target.starts_with("//"));
            proptest::prop_assert!(HeaderValue::from_str(&target).is_ok());
            let resolved = url::Url::parse("https://own.example/x/").unwrap().join(&target).unwrap();
            proptest::prop_assert_eq!(resolved.host_str(), Some("own.example"));
        }
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(encode_query_value("/customers?tab=billed&q=a b"), "/customers%3Ftab%3Dbilled%26q%3Da%20b");
    }
}
