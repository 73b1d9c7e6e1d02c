//! Staff sessions, stored in the database.
//!
//! The browser holds a random token (256 bits) in an HttpOnly, SameSite=Strict
//! cookie; the database holds only its SHA-256 hash. A session ends after the
//! idle timeout or the absolute lifetime, whichever comes first, and a new
//! token is issued at every sign-in.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

use super::config::Config;
use super::db::{Db, Flag, Time, WriteTx};
use super::state::AppState;
use crate::domain::locale::Language;
use crate::domain::Role;
use crate::views::session::CurrentUser;

/// Only refresh `last_seen_at` when it is older than this, to spare writes.
const TOUCH_AFTER_SECS: i64 = 60;

/// The signed-in staff member of a request (a request extension).
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub token_hash: String,
    /// The time zone the pages show times in: the staff member's own, else
    /// the billing time zone.
    pub time_zone: String,
}

/// The client's address as this server sees it (a request extension).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn session_cookie(config: &Config, token: &str) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let max_age = config.session_lifetime().as_secs();
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        config.session_cookie_name()
    );
    HeaderValue::from_str(&value).expect("a session cookie is a valid header")
}

/// The cookie of a sign-in waiting for its authenticator code (see
/// `two_factor`): as strict as the session's, and gone after five minutes.
pub fn challenge_cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies {
        "__Host-msp_signin"
    } else {
        "msp_signin"
    }
}

pub fn challenge_cookie(config: &Config, token: Option<&str>) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let max_age = if token.is_some() { super::two_factor::CHALLENGE_SECS } else { 0 };
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        challenge_cookie_name(config),
        token.unwrap_or_default()
    );
    HeaderValue::from_str(&value).expect("a challenge cookie is a valid header")
}

pub fn expired_cookie(config: &Config) -> HeaderValue {
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    let value = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", config.session_cookie_name());
    HeaderValue::from_str(&value).expect("an expired cookie is a valid header")
}

/// Where a session was signed in from, as its owner sees it in their list
/// of sessions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Origin<'a> {
    pub ip: &'a str,
    /// Already cut to what is stored (`domain::user_agent::stored`).
    pub user_agent: &'a str,
}

/// Stores a new session for `staff_id` and returns its token. The session
/// also gets an id of its own, by which its owner can end it: the token's
/// hash never leaves the server.
pub async fn create(
    tx: &mut WriteTx,
    staff_id: i64,
    origin: Origin<'_>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    let mut id = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, created_at, last_seen_at, id, ip, user_agent) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(hash_token(&token))
    .bind(staff_id)
    .bind(Time(now))
    .bind(id)
    .bind(origin.ip)
    .bind(crate::domain::user_agent::stored(origin.user_agent))
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

pub async fn delete(tx: &mut WriteTx, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut **tx).await?;
    Ok(())
}

/// Deletes the sessions that have ended (idle or past their lifetime) by
/// `now` (the job pass; an ended session is also deleted when it is used).
pub async fn prune_expired(db: &Db, config: &Config, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let idle = chrono::Duration::from_std(config.session_idle()).unwrap_or(chrono::Duration::zero());
    let lifetime = chrono::Duration::from_std(config.session_lifetime()).unwrap_or(chrono::Duration::zero());
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(Time(now - idle))
        .bind(Time(now - lifetime))
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    staff_id: i64,
    #[sqlx(try_from = "Time")]
    created_at: DateTime<Utc>,
    #[sqlx(try_from = "Time")]
    last_seen_at: DateTime<Utc>,
    username: String,
    role: String,
    #[sqlx(try_from = "Flag")]
    disabled: bool,
    #[sqlx(try_from = "Flag")]
    must_change_password: bool,
    require_two_factor: String,
    #[sqlx(try_from = "Flag")]
    has_second_factor: bool,
    #[sqlx(try_from = "Flag")]
    single_sign_on: bool,
    language: Option<String>,
    time_zone: Option<String>,
    billing_time_zone: String,
}

/// The staff member a token belongs to, if the session is still valid.
/// An expired session is deleted.
pub async fn resolve(
    db: &Db,
    config: &Config,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, sqlx::Error> {
    let token_hash = hash_token(token);
    static QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT s.staff_id, s.created_at, s.last_seen_at, st.username, st.role, \
               CAST(st.disabled AS INTEGER) AS disabled, \
               CAST(st.must_change_password AS INTEGER) AS must_change_password, p.require_two_factor, \
               {} AS has_second_factor, CAST(s.single_sign_on AS INTEGER) AS single_sign_on, \
               st.language, st.time_zone, b.time_zone AS billing_time_zone \
             FROM sessions s JOIN staff st ON st.id = s.staff_id CROSS JOIN sign_in_policy p \
               CROSS JOIN billing_settings b \
             WHERE s.token_hash = $1",
            super::two_factor::has_second_factor_sql("s.staff_id")
        )
    });
    let row: Option<SessionRow> = sqlx::query_as(QUERY.as_str()).bind(&token_hash).fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let idle = chrono::Duration::from_std(config.session_idle()).unwrap_or(chrono::Duration::zero());
    let lifetime = chrono::Duration::from_std(config.session_lifetime()).unwrap_or(chrono::Duration::zero());
    let role = Role::parse(&row.role).ok();
    let expired = now - row.last_seen_at > idle || now - row.created_at > lifetime;
    let (Some(role), false, false) = (role, expired, row.disabled) else {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&token_hash).execute(db).await?;
        return Ok(None);
    };
    if (now - row.last_seen_at).num_seconds() > TOUCH_AFTER_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(Time(now))
            .bind(&token_hash)
            .execute(db)
            .await?;
    }
    let policy = super::sign_in_policy::rule_of(&row.require_two_factor);
    let user = CurrentUser {
        id: row.staff_id,
        username: row.username,
        role,
        must_change_password: row.must_change_password,
        // A session signed in through the provider had the provider's own
        // factors (README, "Single sign-on").
        must_set_up_two_factor: policy.covers(role) && !row.has_second_factor && !row.single_sign_on,
        language: row.language.as_deref().and_then(Language::parse),
        time_zone: row.time_zone.clone(),
    };
    let time_zone = row.time_zone.unwrap_or(row.billing_time_zone);
    Ok(Some(SignedIn { user, token_hash, time_zone }))
}

/// The client's address from `X-Forwarded-For` behind `hops` proxies that
/// each append the address they received from: the entry `hops` places
/// from the right (every header line in order, as one list). `None` when
/// the list is shorter (the request did not come through them) or that
/// entry is not an address.
pub fn forwarded_client<'a>(values: impl Iterator<Item = &'a str>, hops: u32) -> Option<IpAddr> {
    let entries: Vec<&str> = values.flat_map(|v| v.split(',')).map(str::trim).collect();
    let hops = usize::try_from(hops).ok().filter(|h| *h >= 1)?;
    let index = entries.len().checked_sub(hops)?;
    entries[index].parse().ok()
}

fn client_ip(req: &Request, config: &Config) -> ClientIp {
    if config.trust_forwarded_for {
        let values = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        if let Some(ip) = forwarded_client(values, config.trusted_proxy_hops) {
            return ClientIp(ip);
        }
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    ClientIp(ip)
}

/// Middleware: finds the session of the request (if any) and puts
/// [`SignedIn`] and [`ClientIp`] into the request's extensions.
/// The language a page is drawn in: the signed-in staff member's own
/// setting, else the browser's first language we speak (`Accept-Language`),
/// else English.
pub fn page_language(parts: &axum::http::request::Parts) -> Language {
    parts
        .extensions
        .get::<SignedIn>()
        .and_then(|signed_in| signed_in.user.language)
        .or_else(|| {
            let header = parts.headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            Language::from_accept_language(header)
        })
        .unwrap_or_default()
}

/// The time zone a page shows times in: the signed-in staff member's (own
/// or the billing time zone); UTC on the pages before signing in.
pub fn page_zone(parts: &axum::http::request::Parts) -> std::sync::Arc<crate::domain::time_zone::ZoneRules> {
    let name = parts.extensions.get::<SignedIn>().map_or("UTC", |signed_in| signed_in.time_zone.as_str());
    super::time_zones::rules(name)
}

pub async fn load_session(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, &state.config);
    req.extensions_mut().insert(ip);
    let token = cookie_value(req.headers(), state.config.session_cookie_name()).map(str::to_owned);
    let mut stale_cookie = false;
    if let Some(token) = token {
        match resolve(&state.db, &state.config, &token, state.clock.now()).await {
            Ok(Some(signed_in)) => {
                req.extensions_mut().insert(signed_in);
            }
            Ok(None) => stale_cookie = true,
            Err(error) => tracing::error!(%error, "cannot read the session"),
        }
    }
    let mut response = next.run(req).await;
    if stale_cookie && !response.headers().contains_key(header::SET_COOKIE) {
        response.headers_mut().append(header::SET_COOKIE, expired_cookie(&state.config));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{begin_write, testing};
    use crate::server::staff;

    async fn signed_in_at(t: &testing::TestDb, at: DateTime<Utc>) -> String {
        let id = staff::insert_for_test(&t.db, "alice", Role::Operator).await;
        let mut tx = begin_write(&t.db).await.unwrap();
        let token = create(&mut tx, id, Origin::default(), at).await.unwrap();
        tx.commit().await.unwrap();
        token
    }

    #[test]
    fn tokens_carry_256_random_bits_and_differ() {
        let a = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, new_token());
        assert_eq!(hash_token(&a).len(), 64);
    }

    #[test]
    fn cookie_is_http_only_and_same_site_strict() {
        let mut config = Config::for_database("sqlite::memory:");
        let plain = session_cookie(&config, "abc");
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("msp_session=abc;"));
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict") && !plain.contains("Secure"));
        config.secure_cookies = true;
        let tls = session_cookie(&config, "abc");
        assert!(tls.to_str().unwrap().starts_with("__Host-msp_session=abc;"));
        assert!(tls.to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn the_client_address_is_the_entry_a_trusted_proxy_appended() {
        let ip = |values: &[&str], hops| forwarded_client(values.iter().copied(), hops);
        // The client wrote the first entry itself; our proxy appended the last.
        assert_eq!(ip(&["6.6.6.6, 203.0.113.7"], 1), Some("203.0.113.7".parse().unwrap()));
        assert_eq!(ip(&["6.6.6.6", "203.0.113.7"], 1), Some("203.0.113.7".parse().unwrap()));
        assert_eq!(ip(&["6.6.6.6, 203.0.113.7, 10.0.0.2"], 2), Some("203.0.113.7".parse().unwrap()));
        assert_eq!(ip(&[" 2001:db8::5 "], 1), Some("2001:db8::5".parse().unwrap()));
        // Fewer entries than proxies, garbage, or no proxy: the peer's address.
        assert_eq!(ip(&["203.0.113.7"], 2), None);
        assert_eq!(ip(&["6.6.6.6, evil"], 1), None);
        assert_eq!(ip(&["203.0.113.7"], 0), None);
        assert_eq!(ip(&[], 1), None);
    }

    #[test]
    fn finds_the_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; msp_session=tok; b=2"));
        assert_eq!(cookie_value(&headers, "msp_session"), Some("tok"));
        assert_eq!(cookie_value(&headers, "c"), None);
    }

    #[tokio::test]
    async fn a_fresh_session_resolves_to_its_staff_member() {
        let t = testing::fresh().await;
        let config = Config::for_database("unused");
        let now = Utc::now();
        let token = signed_in_at(&t, now).await;
        let found = resolve(&t.db, &config, &token, now).await.unwrap().unwrap();
        assert_eq!(found.user.username, "alice");
        assert_eq!(found.user.role, Role::Operator);
        assert!(resolve(&t.db, &config, "not-a-token", now).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_idle_session_ends_and_is_deleted() {
        let t = testing::fresh().await;
        let config = Config::for_database("unused");
        let start = Utc::now();
        let token = signed_in_at(&t, start).await;
        let later = start + chrono::Duration::minutes(i64::from(config.session_idle_minutes) + 1);
        assert!(resolve(&t.db, &config, &token, later).await.unwrap().is_none());
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&t.db).await.unwrap();
        assert_eq!(left, 0);
    }

    #[tokio::test]
    async fn the_job_pass_deletes_ended_sessions_and_keeps_live_ones() {
        let t = testing::fresh().await;
        let config = Config::for_database("unused");
        let now = Utc::now();
        let live = signed_in_at(&t, now).await;
        let id: i64 = sqlx::query_scalar("SELECT id FROM staff").fetch_one(&t.db).await.unwrap();
        let mut tx = begin_write(&t.db).await.unwrap();
        create(&mut tx, id, Origin::default(), now - chrono::Duration::hours(1)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(prune_expired(&t.db, &config, now).await.unwrap(), 1);
        let left: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_all(&t.db).await.unwrap();
        assert_eq!(left, [hash_token(&live)]);
    }

    #[tokio::test]
    async fn an_active_session_still_ends_after_its_lifetime() {
        let t = testing::fresh().await;
        let config = Config::for_database("unused");
        let start = Utc::now();
        let token = signed_in_at(&t, start).await;
        // Keep it busy every 10 minutes up to the lifetime.
        let mut at = start;
        let end = start + chrono::Duration::hours(i64::from(config.session_lifetime_hours));
        while at + chrono::Duration::minutes(10) < end {
            at += chrono::Duration::minutes(10);
            assert!(resolve(&t.db, &config, &token, at).await.unwrap().is_some(), "alive at {at}");
        }
        let past = end + chrono::Duration::minutes(1);
        assert!(resolve(&t.db, &config, &token, past).await.unwrap().is_none());
    }
}
