//! Single sign-on with one OpenID Connect provider (Entra ID, Google
//! Workspace, Keycloak, Okta, ...), through the `openidconnect` crate.
//!
//! `GET /sso/start` sends the browser to the provider with a fresh `state`,
//! `nonce` and PKCE challenge, kept in `sso_flows` under the hash of a
//! random token the browser holds in a cookie (`SameSite=Lax`: the
//! provider's redirect back is a cross-site navigation). `GET
//! /sso/callback` takes that flow once, checks `state`, exchanges the code
//! with the PKCE verifier, and checks the ID token (the provider's key set
//! from its discovery document, issuer, audience, expiry by the app's
//! clock, nonce). The person is then found by the provider's subject, or
//! by the email an admin gave their account (which links the subject), or
//! gets an account when their email's domain is allowed; otherwise they are
//! refused. Every outcome is audited.

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};
use serde::Deserialize;
use std::net::IpAddr;

use super::config::Config;
use super::db::{begin_write, Db, Flag, Time, WriteTx};
use super::error::Result;
use super::secret_box::SecretBox;
use super::sessions::{self, ClientIp, SignedIn};
use super::state::AppState;
use super::{audit, login};
use crate::domain::single_sign_on::{ClaimMapping, PasswordSignIn, SsoRefusal, SsoSettings};
use crate::domain::{Role, Username};
use crate::error::AppError;
use crate::views::staff::{AdminChoice, SingleSignOnView};

/// How long a sign-in may stay at the provider.
pub const FLOW_SECS: i64 = 600;
/// Sign-ins at the provider at once, per address and in all: a flood of
/// starts cannot fill the table.
const FLOWS_PER_ADDRESS: i64 = 30;
const FLOWS_IN_ALL: i64 = 10_000;
/// How long the provider has to answer each request.
const HTTP_TIMEOUT_SECS: u64 = 10;
pub const CALLBACK_PATH: &str = "/sso/callback";
pub const START_PATH: &str = "/sso/start";

pub fn routes() -> Router<AppState> {
    Router::new().route(START_PATH, get(start)).route(CALLBACK_PATH, get(callback))
}

/// The settings as stored.
struct Stored {
    settings: SsoSettings,
    secret: String,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(try_from = "Flag")]
    enabled: bool,
    display_name: String,
    issuer_url: String,
    client_id: String,
    client_secret: String,
    allowed_domains: String,
    new_staff_role: String,
    role_claim: String,
    role_admin: String,
    role_operator: String,
    role_viewer: String,
    break_glass_staff_id: Option<i64>,
    version: i64,
}

const SELECT: &str = "SELECT CAST(enabled AS INTEGER) AS enabled, display_name, issuer_url, client_id, \
                      client_secret, allowed_domains, new_staff_role, role_claim, role_admin, role_operator, \
                      role_viewer, break_glass_staff_id, version FROM single_sign_on WHERE id = 1";

async fn load<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(db: E) -> Result<Stored> {
    let row: Row = sqlx::query_as(SELECT).fetch_one(db).await?;
    let settings = SsoSettings {
        enabled: row.enabled,
        display_name: row.display_name,
        issuer_url: row.issuer_url,
        client_id: row.client_id,
        allowed_domains: row.allowed_domains.split(',').filter(|d| !d.is_empty()).map(str::to_owned).collect(),
        new_staff_role: Role::parse(&row.new_staff_role).unwrap_or(Role::Viewer),
        role_mapping: ClaimMapping {
            claim: row.role_claim,
            admin: row.role_admin,
            operator: row.role_operator,
            viewer: row.role_viewer,
        },
        password_sign_in: row.break_glass_staff_id.map_or(PasswordSignIn::Everyone, PasswordSignIn::OnlyBreakGlass),
    };
    Ok(Stored { settings, secret: row.client_secret, version: row.version })
}

/// Whether staff member `staff_id` may sign in with a password.
pub async fn password_allowed(db: &Db, staff_id: i64) -> Result<bool> {
    let break_glass: Option<i64> =
        sqlx::query_scalar("SELECT break_glass_staff_id FROM single_sign_on WHERE id = 1").fetch_one(db).await?;
    Ok(break_glass.map_or(PasswordSignIn::Everyone, PasswordSignIn::OnlyBreakGlass).allows(staff_id))
}

/// Whether `staff_id` is the break-glass admin (who must stay an active
/// admin while password sign-in is off for everyone else).
pub async fn is_break_glass(tx: &mut WriteTx, staff_id: i64) -> Result<bool, sqlx::Error> {
    let break_glass: Option<i64> =
        sqlx::query_scalar("SELECT break_glass_staff_id FROM single_sign_on WHERE id = 1").fetch_one(&mut **tx).await?;
    Ok(break_glass == Some(staff_id))
}

/// What the sign-in page offers: the provider's button (its name) when
/// single sign-on is on, and whether everyone may use a password.
pub async fn sign_in_options(db: &Db) -> Result<crate::views::session::SignInOptions> {
    let stored = load(db).await?;
    let s = stored.settings;
    Ok(crate::views::session::SignInOptions {
        single_sign_on: s.enabled.then_some(s.display_name),
        password_for_everyone: s.password_sign_in == PasswordSignIn::Everyone,
    })
}

/// The address the provider sends the browser back to: on the public URL
/// when one is configured, else on the host the admin or user is using
/// (when it is one of the app's own).
pub fn redirect_uri(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    state.own_origin.for_host(host).map(|origin| format!("{origin}{CALLBACK_PATH}"))
}

fn http_client() -> std::result::Result<openidconnect::reqwest::Client, openidconnect::reqwest::Error> {
    // Following redirects would let a provider's answer point the server
    // anywhere.
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(HTTP_TIMEOUT_SECS))
        .build()
}

/// The provider's discovery document (and with it its key set).
async fn discover(issuer: &str) -> std::result::Result<CoreProviderMetadata, String> {
    let issuer = IssuerUrl::new(issuer.to_owned()).map_err(|e| e.to_string())?;
    let client = http_client().map_err(|e| e.to_string())?;
    CoreProviderMetadata::discover_async(issuer, &client).await.map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    })
}

/// The settings as an admin sees them.
pub async fn view(state: &AppState, headers: &HeaderMap) -> Result<SingleSignOnView> {
    let stored = load(&state.db).await?;
    let admins: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, username FROM staff WHERE role = 'admin' AND disabled = FALSE ORDER BY username")
            .fetch_all(&state.db)
            .await?;
    Ok(SingleSignOnView {
        settings: stored.settings,
        has_secret: !stored.secret.is_empty(),
        version: stored.version,
        redirect_uri: redirect_uri(state, headers).unwrap_or_default(),
        secrets_available: matches!(SecretBox::from_config(&state.config), Ok(Some(_))),
        admins: admins.into_iter().map(|(id, username)| AdminChoice { id, username }).collect(),
    })
}

/// Saves an admin's settings (`version` from the form that showed them).
/// Switched on, the provider's discovery document must be readable and the
/// client secret known (a new one is sealed with `MSP_SECRET_KEY`); the
/// break-glass admin must be an active admin.
pub async fn save(
    state: &AppState,
    admin: &crate::views::session::CurrentUser,
    settings: SsoSettings,
    new_secret: Option<String>,
    version: i64,
) -> Result<()> {
    let new_secret = new_secret.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if new_secret.as_ref().is_some_and(|s| s.chars().count() > crate::domain::single_sign_on::CLIENT_SECRET_MAX_CHARS) {
        return Err(AppError::invalid(
            "client_secret",
            crate::domain::message::Message::ClientSecretTooLong { max: 500 },
        )
        .into());
    }
    let sealed = match &new_secret {
        Some(secret) => match SecretBox::from_config(&state.config) {
            Ok(Some(key)) => Some(key.seal(secret.as_bytes())),
            _ => {
                return Err(
                    AppError::invalid("client_secret", crate::domain::message::Message::SsoSecretNeedsKey).into()
                )
            }
        },
        None => None,
    };
    let stored = load(&state.db).await?;
    if settings.enabled {
        if sealed.is_none() && stored.secret.is_empty() {
            return Err(AppError::invalid("client_secret", crate::domain::message::Message::ClientSecretEmpty).into());
        }
        if let Err(why) = discover(&settings.issuer_url).await {
            tracing::warn!(issuer = %settings.issuer_url, %why, "single sign-on: discovery failed");
            let shown: String = why.chars().take(200).collect();
            return Err(AppError::invalid(
                "issuer_url",
                crate::domain::message::Message::DiscoveryFailed { detail: shown },
            )
            .into());
        }
    } else if settings.password_sign_in != PasswordSignIn::Everyone {
        return Err(AppError::invalid("password_sign_in", crate::domain::message::Message::PasswordOffNeedsSso).into());
    }
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    let current = load(&mut *tx).await?;
    if current.version != version {
        return Err(AppError::conflict(crate::domain::message::Message::SsoSettingsChanged).into());
    }
    if let PasswordSignIn::OnlyBreakGlass(id) = settings.password_sign_in {
        let active_admin: Option<i64> =
            sqlx::query_scalar("SELECT id FROM staff WHERE id = $1 AND role = 'admin' AND disabled = FALSE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if active_admin.is_none() {
            return Err(AppError::invalid("password_sign_in", crate::domain::message::Message::BreakGlassChoice).into());
        }
    }
    let s = &settings;
    let break_glass = match s.password_sign_in {
        PasswordSignIn::Everyone => None,
        PasswordSignIn::OnlyBreakGlass(id) => Some(id),
    };
    sqlx::query(
        "UPDATE single_sign_on SET enabled = $1, display_name = $2, issuer_url = $3, client_id = $4, \
         client_secret = COALESCE($5, client_secret), allowed_domains = $6, new_staff_role = $7, role_claim = $8, \
         role_admin = $9, role_operator = $10, role_viewer = $11, break_glass_staff_id = $12, version = version + 1 \
         WHERE id = 1",
    )
    .bind(s.enabled)
    .bind(&s.display_name)
    .bind(&s.issuer_url)
    .bind(&s.client_id)
    .bind(sealed)
    .bind(s.allowed_domains.join(","))
    .bind(s.new_staff_role.as_str())
    .bind(&s.role_mapping.claim)
    .bind(&s.role_mapping.admin)
    .bind(&s.role_mapping.operator)
    .bind(&s.role_mapping.viewer)
    .bind(break_glass)
    .execute(&mut *tx)
    .await?;
    let mut detail = describe(&current.settings, s, new_secret.is_some());
    // A subject means something only at its issuer: with another provider,
    // each account links again at its next sign-in, by its email.
    if !current.settings.issuer_url.is_empty() && current.settings.issuer_url != s.issuer_url {
        let dropped =
            sqlx::query("UPDATE staff SET sso_issuer = NULL, sso_subject = NULL WHERE sso_subject IS NOT NULL")
                .execute(&mut *tx)
                .await?
                .rows_affected();
        detail.push_str(&format!("; links to the old provider dropped: {dropped}"));
    }
    audit::record(&mut tx, &admin.username, "settings.single_sign_on_changed", "settings:sign-in", &detail, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What a save changed, for the audit log (never the secret itself).
fn describe(old: &SsoSettings, new: &SsoSettings, secret_changed: bool) -> String {
    let mut parts = Vec::new();
    if old.enabled != new.enabled {
        parts.push(if new.enabled { "switched on".to_owned() } else { "switched off".to_owned() });
    }
    if old.issuer_url != new.issuer_url {
        parts.push(format!("issuer: {}", new.issuer_url));
    }
    if old.client_id != new.client_id {
        parts.push(format!("client id: {}", new.client_id));
    }
    if secret_changed {
        parts.push("new client secret".to_owned());
    }
    if old.allowed_domains != new.allowed_domains {
        parts.push(format!("domains for new accounts: {}", new.allowed_domains.join(", ")));
    }
    if old.new_staff_role != new.new_staff_role {
        parts.push(format!("role of new accounts: {}", new.new_staff_role));
    }
    if old.role_mapping != new.role_mapping {
        parts.push(format!("role claim: {:?}", new.role_mapping.claim));
    }
    if old.password_sign_in != new.password_sign_in {
        parts.push(match new.password_sign_in {
            PasswordSignIn::Everyone => "password sign-in: everyone".to_owned(),
            PasswordSignIn::OnlyBreakGlass(id) => format!("password sign-in: only staff #{id}"),
        });
    }
    if parts.is_empty() {
        "no change".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The cookie of a sign-in at the provider: `Lax`, so that the provider's
/// redirect back (a cross-site navigation) carries it; only to the callback.
fn flow_cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies {
        "__Secure-msp_sso"
    } else {
        "msp_sso"
    }
}

fn flow_cookie(config: &Config, token: Option<&str>) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let max_age = if token.is_some() { FLOW_SECS } else { 0 };
    let value = format!(
        "{}={}; Path={CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        flow_cookie_name(config),
        token.unwrap_or_default()
    );
    HeaderValue::from_str(&value).expect("a flow cookie is a valid header")
}

/// The sign-in page with a refusal's message.
fn refused(refusal: SsoRefusal) -> Response {
    see_other(&format!("/login?sso_error={}", refusal.code()))
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |ip| ip.0)
}

/// `GET /sso/start`: off to the provider.
async fn start(State(state): State<AppState>, Query(query): Query<StartQuery>, req: Request) -> Response {
    let ip = client_ip(&req);
    match begin(&state, req.headers(), query.next.as_deref(), ip).await {
        Ok((url, token)) => {
            let mut response = see_other(&url);
            response.headers_mut().append(header::SET_COOKIE, flow_cookie(&state.config, Some(&token)));
            response
        }
        Err(refusal) => refused(refusal),
    }
}

async fn begin(
    state: &AppState,
    headers: &HeaderMap,
    next: Option<&str>,
    ip: IpAddr,
) -> std::result::Result<(String, String), SsoRefusal> {
    let stored = load(&state.db).await.map_err(|_| SsoRefusal::Unreachable)?;
    if !stored.settings.enabled {
        return Err(SsoRefusal::Off);
    }
    let redirect = redirect_uri(state, headers).ok_or(SsoRefusal::State)?;
    let metadata = discover(&stored.settings.issuer_url).await.map_err(|why| {
        tracing::warn!(%why, "single sign-on: discovery failed");
        SsoRefusal::Unreachable
    })?;
    let redirect = RedirectUrl::new(redirect).map_err(|_| SsoRefusal::State)?;
    let client = CoreClient::from_provider_metadata(metadata, ClientId::new(stored.settings.client_id), None)
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let token = sessions::new_token();
    let now = state.clock.now();
    let stored_flow = async {
        let mut tx = begin_write(&state.db).await?;
        let since = Time(now - chrono::Duration::seconds(FLOW_SECS));
        sqlx::query("DELETE FROM sso_flows WHERE created_at < $1").bind(since).execute(&mut *tx).await?;
        let (mine, all): (i64, i64) =
            sqlx::query_as("SELECT COUNT(CASE WHEN ip = $1 THEN 1 END), COUNT(*) FROM sso_flows")
                .bind(ip.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if mine >= FLOWS_PER_ADDRESS || all >= FLOWS_IN_ALL {
            return Ok::<bool, sqlx::Error>(false);
        }
        sqlx::query(
            "INSERT INTO sso_flows (token_hash, state, nonce, pkce_verifier, next, ip, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(sessions::hash_token(&token))
        .bind(csrf.secret())
        .bind(nonce.secret())
        .bind(verifier.secret())
        .bind(super::security::safe_next(next))
        .bind(ip.to_string())
        .bind(Time(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    };
    match stored_flow.await {
        Ok(true) => Ok((url.to_string(), token)),
        Ok(false) => Err(SsoRefusal::Busy),
        Err(error) => {
            tracing::error!(%error, "single sign-on: cannot store a flow");
            Err(SsoRefusal::Unreachable)
        }
    }
}

/// The longest value of a callback parameter taken (codes and states are
/// far shorter).
const PARAM_MAX_CHARS: usize = 2048;

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /sso/callback`: back from the provider.
async fn callback(State(state): State<AppState>, Query(query): Query<CallbackQuery>, req: Request) -> Response {
    let ip = client_ip(&req);
    let user_agent = crate::domain::user_agent::stored(
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default(),
    );
    let token = sessions::cookie_value(req.headers(), flow_cookie_name(&state.config)).map(str::to_owned);
    let old_session = req.extensions().get::<SignedIn>().map(|s| s.token_hash.clone());
    let redirect = redirect_uri(&state, req.headers());
    let outcome = finish(&state, query, token.as_deref(), redirect, (ip, &user_agent), old_session).await;
    let mut response = match outcome {
        Ok((signed_in, next)) => {
            let target = if signed_in.user.must_change_password { "/password".to_owned() } else { next };
            // A page that moves on by itself rather than a redirect: the
            // session cookie is `SameSite=Strict`, and a browser leaves it
            // off the requests of a redirect chain that began on another
            // site (the provider).
            let mut page = continue_page(&target).into_response();
            page.headers_mut().append(header::SET_COOKIE, sessions::session_cookie(&state.config, &signed_in.token));
            page
        }
        Err(refusal) => refused(refusal),
    };
    response.headers_mut().append(header::SET_COOKIE, flow_cookie(&state.config, None));
    response
}

/// A page that goes on to `target` (a path `safe_next` let through).
fn continue_page(target: &str) -> (StatusCode, [(header::HeaderName, &'static str); 1], String) {
    let escaped = target.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing in…</title>\
         <meta http-equiv=\"refresh\" content=\"0;url={escaped}\"></head>\
         <body><p><a href=\"{escaped}\">Continue</a></p></body></html>"
    );
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
}

#[derive(sqlx::FromRow)]
struct Flow {
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
    #[sqlx(try_from = "Time")]
    created_at: DateTime<Utc>,
}

/// Takes the browser's flow (once: it is deleted whatever follows).
async fn take_flow(db: &Db, token: &str) -> Result<Option<Flow>, sqlx::Error> {
    let mut tx = begin_write(db).await?;
    let flow: Option<Flow> = sqlx::query_as(
        "DELETE FROM sso_flows WHERE token_hash = $1 RETURNING state, nonce, pkce_verifier, next, created_at",
    )
    .bind(sessions::hash_token(token))
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(flow)
}

/// What the ID token says about the person.
struct Person {
    subject: String,
    email: Option<String>,
    role_claim: Option<serde_json::Value>,
}

async fn finish(
    state: &AppState,
    query: CallbackQuery,
    token: Option<&str>,
    redirect: Option<String>,
    (ip, user_agent): (IpAddr, &str),
    old_session: Option<String>,
) -> std::result::Result<(login::SignedInNow, String), SsoRefusal> {
    let too_long = |v: &Option<String>| v.as_ref().is_some_and(|v| v.len() > PARAM_MAX_CHARS);
    // A refusal before the provider vouched for anyone can come from
    // anyone, as fast as they send requests: per address and minute, the
    // first is written and the repeats are counted. A refusal of a person
    // the provider vouched for names them, and is written each time.
    let fail = |refusal: SsoRefusal, why: String| async move {
        tracing::warn!(reason = refusal.code(), %why, "single sign-on refused");
        let detail = format!("{}: {why}, from {ip}", refusal.code());
        let entry = ["anonymous", "login.sso_failed", "single-sign-on", detail.as_str()];
        state.refusals.record(&state.db, ip, entry, state.clock.now()).await;
        Err(refusal)
    };
    let Some(token) = token else { return fail(SsoRefusal::State, "no sign-in of this browser waits".into()).await };
    let flow = match take_flow(&state.db, token).await {
        Ok(Some(flow)) => flow,
        Ok(None) => return fail(SsoRefusal::State, "no sign-in of this browser waits".into()).await,
        Err(error) => return fail(SsoRefusal::Unreachable, error.to_string()).await,
    };
    let now = state.clock.now();
    if (now - flow.created_at).num_seconds() > FLOW_SECS {
        return fail(SsoRefusal::State, "the sign-in took longer than ten minutes".into()).await;
    }
    if too_long(&query.state) || too_long(&query.code) || too_long(&query.error) {
        return fail(SsoRefusal::State, "a parameter is too long".into()).await;
    }
    if !same_secret(query.state.as_deref().unwrap_or_default(), &flow.state) {
        return fail(SsoRefusal::State, "state does not match".into()).await;
    }
    if let Some(error) = &query.error {
        let error: String = error.chars().filter(|c| c.is_ascii_graphic()).take(100).collect();
        return fail(SsoRefusal::Provider, format!("the provider answered {error}")).await;
    }
    let Some(code) = query.code else { return fail(SsoRefusal::Provider, "no code".into()).await };
    let stored = match load(&state.db).await {
        Ok(stored) if stored.settings.enabled => stored,
        Ok(_) => return fail(SsoRefusal::Off, "single sign-on is off".into()).await,
        Err(error) => return fail(SsoRefusal::Unreachable, error.to_string()).await,
    };
    let person = match verify(state, &stored, code, flow.pkce_verifier, &flow.nonce, redirect).await {
        Ok(person) => person,
        Err((refusal, why)) => return fail(refusal, why).await,
    };
    match sign_in(state, &stored.settings, &person, (ip, user_agent), old_session).await {
        Ok(Ok(signed_in)) => Ok((signed_in, flow.next)),
        Ok(Err((refusal, why))) => {
            tracing::warn!(reason = refusal.code(), %why, "single sign-on refused");
            let who = person.email.clone().unwrap_or_else(|| format!("subject {}", capped(&person.subject)));
            let detail = format!("{}: {why} (subject {}), from {ip}", refusal.code(), capped(&person.subject));
            let now = state.clock.now();
            super::refusals::record_one(&state.db, &capped(&who), "login.sso_failed", "single-sign-on", &detail, now)
                .await;
            Err(refusal)
        }
        Err(error) => {
            tracing::error!(error = %error, "single sign-on: cannot sign in");
            fail(SsoRefusal::Unreachable, "the database failed".into()).await
        }
    }
}

fn capped(text: &str) -> String {
    text.chars().take(100).collect()
}

/// Compares two secrets by their hashes (no early exit on the first
/// different byte).
fn same_secret(a: &str, b: &str) -> bool {
    sessions::hash_token(a) == sessions::hash_token(b)
}

type Refused = (SsoRefusal, String);

/// The code for tokens, and the ID token's checks.
async fn verify(
    state: &AppState,
    stored: &Stored,
    code: String,
    verifier: String,
    nonce: &str,
    redirect: Option<String>,
) -> std::result::Result<Person, Refused> {
    let unreachable = |why: String| (SsoRefusal::Unreachable, why);
    let secret = match SecretBox::from_config(&state.config) {
        Ok(Some(key)) => key.open(&stored.secret).map_err(|_| unreachable("the client secret does not open".into()))?,
        _ => return Err(unreachable("no MSP_SECRET_KEY for the client secret".into())),
    };
    let secret = String::from_utf8(secret).map_err(|_| unreachable("the client secret is not text".into()))?;
    let metadata = discover(&stored.settings.issuer_url).await.map_err(unreachable)?;
    let redirect =
        redirect.and_then(|r| RedirectUrl::new(r).ok()).ok_or((SsoRefusal::State, "no redirect URI".into()))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(stored.settings.client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(redirect);
    let http = http_client().map_err(|e| unreachable(e.to_string()))?;
    let request = client.exchange_code(AuthorizationCode::new(code)).map_err(|e| unreachable(e.to_string()))?;
    let tokens = request
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .map_err(|e| (SsoRefusal::Provider, format!("token request: {e}")))?;
    let id_token = tokens.id_token().ok_or((SsoRefusal::Token, "no ID token".into()))?;
    let clock = state.clock.clone();
    let checks = client.id_token_verifier().set_time_fn(move || clock.now());
    let claims = id_token
        .claims(&checks, &Nonce::new(nonce.to_owned()))
        .map_err(|e| (SsoRefusal::Token, format!("ID token: {e}")))?;
    let mapping = &stored.settings.role_mapping;
    let mut email = verified_email(claims.email(), claims.email_verified());
    // The token's signature is checked above: its payload is the provider's
    // word.
    let mut role_claim =
        if mapping.is_configured() { payload_claim(&id_token.to_string(), &mapping.claim) } else { None };
    // Providers that keep the scopes' claims out of the ID token (as the
    // OpenID Connect core spec allows for the code flow) give them at the
    // user info endpoint, for the same subject (the library checks it).
    let wants_role = mapping.is_configured() && role_claim.is_none();
    if (email.is_none() || wants_role) && client.user_info_url().is_some() {
        let subject = Some(claims.subject().clone());
        let request =
            client.user_info(tokens.access_token().clone(), subject).map_err(|e| unreachable(e.to_string()))?;
        let info: UserInfoClaims<MoreClaims, CoreGenderClaim> =
            request.request_async(&http).await.map_err(|e| (SsoRefusal::Provider, format!("user info: {e}")))?;
        if email.is_none() {
            email = verified_email(info.email(), info.email_verified());
        }
        if wants_role {
            role_claim = info.additional_claims().0.get(&mapping.claim).cloned();
        }
    }
    Ok(Person { subject: claims.subject().as_str().to_owned(), email, role_claim })
}

/// The claims of a user info answer beyond the standard ones.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(transparent)]
struct MoreClaims(std::collections::HashMap<String, serde_json::Value>);

impl openidconnect::AdditionalClaims for MoreClaims {}

/// An email the provider has not said it did not verify, in lower case (an
/// email marked unverified links and creates nothing).
fn verified_email(email: Option<&openidconnect::EndUserEmail>, verified: Option<bool>) -> Option<String> {
    match (email, verified) {
        (Some(_), Some(false)) | (None, _) => None,
        (Some(email), _) => Some(email.as_str().trim().to_ascii_lowercase()),
    }
}

/// Claim `name` of a signed JWT's payload (read after its checks).
fn payload_claim(jwt: &str, name: &str) -> Option<serde_json::Value> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let mut claims: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).ok()?;
    claims.remove(name)
}

/// A staff account, as `staff` reads it.
type Account = super::staff::StaffRow;
use super::staff::COLUMNS as ACCOUNT;

/// Finds (or links, or makes) the person's account and signs them in, in
/// one write transaction.
async fn sign_in(
    state: &AppState,
    settings: &SsoSettings,
    person: &Person,
    (ip, user_agent): (IpAddr, &str),
    old_session: Option<String>,
) -> Result<std::result::Result<login::SignedInNow, Refused>> {
    let now = state.clock.now();
    let issuer = settings.issuer_url.as_str();
    let mapped = settings.role_mapping.is_configured().then(|| settings.role_mapping.role(person.role_claim.as_ref()));
    if let Some(None) = mapped {
        return Ok(Err((SsoRefusal::NoRole, "the role claim gives no role".into())));
    }
    let mapped = mapped.flatten();
    let mut tx = begin_write(&state.db).await?;
    let by_subject: Option<Account> =
        sqlx::query_as(&format!("SELECT {ACCOUNT} FROM staff WHERE sso_issuer = $1 AND sso_subject = $2"))
            .bind(issuer)
            .bind(&person.subject)
            .fetch_optional(&mut *tx)
            .await?;
    let account = match by_subject {
        Some(account) => account,
        None => {
            let by_email: Option<Account> = match &person.email {
                Some(email) => {
                    sqlx::query_as(&format!("SELECT {ACCOUNT} FROM staff WHERE sso_email = $1 AND sso_subject IS NULL"))
                        .bind(email)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            match by_email {
                Some(account) => {
                    link(&mut tx, account.id, issuer, &person.subject).await?;
                    let detail = format!("subject {} of {issuer}", capped(&person.subject));
                    let subject = format!("staff:{}", account.username);
                    audit::record(&mut tx, "single sign-on", "staff.sso_linked", &subject, &detail, now).await?;
                    account
                }
                None if settings.admits_new(person.email.as_deref()) => {
                    let email = person.email.as_deref().unwrap_or_default();
                    let Some(username) = crate::domain::single_sign_on::username_for(email) else {
                        return Ok(Err((SsoRefusal::Unknown, "the email is no valid user name".into())));
                    };
                    match create(&mut tx, &username, email, mapped.unwrap_or(settings.new_staff_role), now).await? {
                        Some(account) => {
                            link(&mut tx, account.id, issuer, &person.subject).await?;
                            let detail =
                                format!("role: {}, subject {} of {issuer}", account.role, capped(&person.subject));
                            let subject = format!("staff:{}", account.username);
                            audit::record(&mut tx, "single sign-on", "staff.created_by_sso", &subject, &detail, now)
                                .await?;
                            account
                        }
                        None => return Ok(Err((SsoRefusal::Unknown, format!("the user name {username} is taken")))),
                    }
                }
                None => return Ok(Err((SsoRefusal::Unknown, "no account for this subject or email".into()))),
            }
        }
    };
    if account.disabled {
        return Ok(Err((SsoRefusal::Disabled, format!("{} is disabled", account.username))));
    }
    let mut account = account;
    let role = account.role();
    let mut detail = format!("from {ip}");
    // The provider's claim does not take the admin role from the
    // break-glass admin or from the last active admin (the console would
    // have nobody to run it, or no way in when the provider is down).
    let kept = match mapped {
        Some(mapped) if role == Role::Admin && mapped != Role::Admin => keeps_admin(&mut tx, account.id).await?,
        _ => None,
    };
    if let Some(why) = kept {
        tracing::warn!(staff = %account.username, why, "single sign-on: the mapped role would take the admin role");
        detail.push_str(&format!("; kept the admin role the provider's claim would take: {why}"));
    }
    if let Some(mapped) = mapped.filter(|m| *m != role && kept.is_none()) {
        sqlx::query("UPDATE staff SET role = $1 WHERE id = $2")
            .bind(mapped.as_str())
            .bind(account.id)
            .execute(&mut *tx)
            .await?;
        let entry = audit::Entry {
            actor: "single sign-on",
            action: "staff.role_changed",
            subject: format!("staff:{}", account.username),
            detail: format!("from the provider's claim {:?}", settings.role_mapping.claim),
            customer_id: None,
            changes: vec![crate::domain::audit_log::FieldChange::new("role", role.as_str(), mapped.as_str())],
            at: now,
        };
        audit::write(&mut tx, entry).await?;
        account.role = mapped.as_str().to_owned();
    }
    if let Some(old) = old_session {
        sessions::delete(&mut tx, &old).await?;
    }
    let ip_text = ip.to_string();
    let token = sessions::create(&mut tx, account.id, sessions::Origin { ip: &ip_text, user_agent }, now).await?;
    sqlx::query("UPDATE sessions SET single_sign_on = TRUE WHERE token_hash = $1")
        .bind(sessions::hash_token(&token))
        .execute(&mut *tx)
        .await?;
    // The staff list's "last sign-in" reads successful attempts by name.
    sqlx::query("INSERT INTO login_attempts (username, ip, succeeded, at) VALUES ($1, $2, TRUE, $3)")
        .bind(&account.username)
        .bind(&ip_text)
        .bind(Time(now))
        .execute(&mut *tx)
        .await?;
    let subject = format!("staff:{}", account.username);
    audit::record(&mut tx, &account.username, "login.sso_succeeded", &subject, &detail, now).await?;
    tx.commit().await?;
    // Signed in through the provider, which asks for its own factors.
    Ok(Ok(login::SignedInNow { user: account.into_user(false), token }))
}

/// Why admin `id` keeps the admin role whatever the provider's claim says,
/// if they do.
async fn keeps_admin(tx: &mut WriteTx, id: i64) -> Result<Option<&'static str>, sqlx::Error> {
    if is_break_glass(tx, id).await? {
        return Ok(Some("the break-glass admin"));
    }
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = FALSE")
        .fetch_one(&mut **tx)
        .await?;
    Ok((admins <= 1).then_some("the last active admin"))
}

async fn link(tx: &mut WriteTx, id: i64, issuer: &str, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET sso_issuer = $1, sso_subject = $2 WHERE id = $3")
        .bind(issuer)
        .bind(subject)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A hash no password matches: accounts made through the provider sign in
/// there (an admin can give them a password later).
const NO_PASSWORD: &str = "!single-sign-on";

/// Makes an account for a person at their first sign-in; `None` when the
/// user name or the email is taken.
async fn create(
    tx: &mut WriteTx,
    username: &Username,
    email: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Option<Account>> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE username = $1 OR sso_email = $2")
        .bind(username.as_str())
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let id = super::staff::insert(tx, username, NO_PASSWORD, role, now).await?;
    sqlx::query("UPDATE staff SET sso_email = $1 WHERE id = $2").bind(email).bind(id).execute(&mut **tx).await?;
    Ok(Some(super::staff::find(tx, id).await?))
}

/// Deletes flows older than their ten minutes (the job pass).
pub async fn prune_flows(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sso_flows WHERE created_at < $1")
        .bind(Time(now - chrono::Duration::seconds(FLOW_SECS)))
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_continue_page_escapes_its_target() {
        let (_, _, body) = continue_page("/customers?a=1&b=\"<x>");
        assert!(body.contains("url=/customers?a=1&amp;b=&quot;&lt;x>"), "{body}");
    }

    #[test]
    fn a_claim_is_read_from_the_payload() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine as _;
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x","groups":["a","b"]}"#);
        let jwt = format!("h.{payload}.s");
        assert_eq!(payload_claim(&jwt, "groups"), Some(serde_json::json!(["a", "b"])));
        assert_eq!(payload_claim(&jwt, "roles"), None);
        assert_eq!(payload_claim("garbage", "groups"), None);
    }
}
