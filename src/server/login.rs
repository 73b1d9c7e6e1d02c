//! Signing in: a turn at password hashing, the attempt counted against the
//! limits before the password is checked (one write transaction, so that
//! parallel attempts cannot all slip under a limit), the check, a fresh
//! session, and the attempt recorded (login_attempts + audit log).
//!
//! A user changing their own password passes the same limits: a wrong
//! current password counts as a failed sign-in.

use chrono::{DateTime, Utc};
use std::net::IpAddr;

use super::config::Config;
use super::db::{begin_write, Db, Time};
use super::error::Result;
use super::events::{self, Event};
use super::state::AppState;
use super::{audit, passwords, sessions, staff};
use crate::domain::events::EventKind;
use crate::domain::sign_in_limit::{self, Decision, Failures, Limits};
use crate::domain::username::MAX_PASSWORD_CHARS;
use crate::error::AppError;
use crate::views::session::CurrentUser;

pub const WRONG_CREDENTIALS: crate::domain::message::Message = crate::domain::message::Message::WrongCredentials;
pub const PASSWORD_OFF: crate::domain::message::Message = crate::domain::message::Message::PasswordOff;

pub struct SignedInNow {
    pub user: CurrentUser,
    pub token: String,
}

/// What a right password leads to.
pub enum SignInOutcome {
    /// A session (no second factor set up).
    SignedIn(SignedInNow),
    /// The authenticator code comes next; no session yet. The token of the
    /// challenge, for its cookie.
    CodeNeeded { challenge: String },
}

/// An attempt admitted by the limits, stored as a failure until it passes.
pub struct Attempt {
    id: i64,
}

/// What was typed as a user name, as attempts are keyed: normalised like a
/// user name and cut to its longest length.
pub fn attempt_name(raw: &str) -> String {
    raw.trim().to_lowercase().chars().take(64).collect()
}

fn limits(state: &AppState) -> Limits {
    let config = &state.config;
    Limits {
        per_pair: config.login_max_failures,
        per_address: config.login_max_failures_per_ip,
        window_secs: i64::from(config.login_window_minutes) * 60,
    }
}

type Count = (i64, Option<Time>);

async fn failures(tx: &mut super::db::WriteTx, username: &str, ip: &str, since: Time) -> Result<Failures, sqlx::Error> {
    const FAILED: &str = "FROM login_attempts WHERE succeeded = FALSE AND at > $1";
    let (pair, pair_oldest): Count =
        sqlx::query_as(&format!("SELECT COUNT(*), MIN(at) {FAILED} AND username = $2 AND ip = $3"))
            .bind(since)
            .bind(username)
            .bind(ip)
            .fetch_one(&mut **tx)
            .await?;
    let (address, address_oldest): Count = sqlx::query_as(&format!("SELECT COUNT(*), MIN(at) {FAILED} AND ip = $2"))
        .bind(since)
        .bind(ip)
        .fetch_one(&mut **tx)
        .await?;
    let (account, account_newest): Count =
        sqlx::query_as(&format!("SELECT COUNT(*), MAX(at) {FAILED} AND username = $2"))
            .bind(since)
            .bind(username)
            .fetch_one(&mut **tx)
            .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Failures {
        pair: count(pair),
        pair_oldest: pair_oldest.map(DateTime::from),
        address: count(address),
        address_oldest: address_oldest.map(DateTime::from),
        account: count(account),
        account_newest: account_newest.map(DateTime::from),
    })
}

/// Counts this attempt against the limits and, when it may go ahead,
/// stores it as a failure (it becomes a success only once the password
/// passed). Counting and storing are one write transaction, so however many
/// attempts arrive at once, no more are checked than the limits allow.
/// A refusal is written to the audit log as `refused_action`.
pub async fn admit(state: &AppState, username: &str, ip: IpAddr, refused_action: &str) -> Result<Attempt> {
    let limits = limits(state);
    let now = state.clock.now();
    let since = Time(now - chrono::Duration::seconds(limits.window_secs));
    let ip_text = ip.to_string();
    let mut tx = begin_write(&state.db).await?;
    let failures = failures(&mut tx, username, &ip_text, since).await?;
    match sign_in_limit::decide(limits, failures, now) {
        Decision::Check => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO login_attempts (username, ip, succeeded, at) VALUES ($1, $2, FALSE, $3) RETURNING id",
            )
            .bind(username)
            .bind(&ip_text)
            .bind(Time(now))
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Attempt { id })
        }
        Decision::Wait { secs } => {
            announce_lockout(&mut tx, username, &ip_text, failures.account, limits.window_secs, now).await?;
            tx.commit().await?;
            let detail = format!("from {ip}, {} failures of this account in the window", failures.account);
            let refusal = [username, refused_action, &format!("staff:{username}"), &detail];
            state.refusals.record(&state.db, ip, refusal, now).await;
            let secs = u64::try_from(secs).unwrap_or(1);
            Err(AppError::TooManyRequests {
                message: sign_in_limit::wait_message(secs as i64).into(),
                retry_after_secs: secs,
            }
            .into())
        }
    }
}

/// `staff.locked_out` for a staff account whose sign-ins the limits refuse,
/// once per account and sign-in window (names that are no account write
/// nothing, so no caller can fill the table).
async fn announce_lockout(
    tx: &mut super::db::WriteTx,
    username: &str,
    ip: &str,
    failures: u32,
    window_secs: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let known: Option<i64> =
        sqlx::query_scalar("SELECT id FROM staff WHERE username = $1").bind(username).fetch_optional(&mut **tx).await?;
    if known.is_none() {
        return Ok(());
    }
    let window = now.timestamp().div_euclid(window_secs.max(1));
    let event = Event {
        kind: EventKind::StaffLockedOut,
        customer: None,
        data: serde_json::json!({ "username": username, "address": ip, "failures": failures }),
        cause: Some(format!("{}:{username}:{window}", EventKind::StaffLockedOut.name())),
    };
    events::record(tx, event, now).await?;
    Ok(())
}

/// The admitted attempt passed: it no longer counts as a failure.
pub(super) async fn passed(tx: &mut super::db::WriteTx, attempt: Attempt) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempts SET succeeded = TRUE WHERE id = $1").bind(attempt.id).execute(&mut **tx).await?;
    Ok(())
}

/// The admitted attempt failed: it stays a failure; the audit log says so.
pub async fn failed(state: &AppState, username: &str, ip: IpAddr, action: &str) -> Result<(), sqlx::Error> {
    let mut tx = begin_write(&state.db).await?;
    let (subject, detail) = (format!("staff:{username}"), format!("from {ip}"));
    audit::record(&mut tx, username, action, &subject, &detail, state.clock.now()).await?;
    tx.commit().await
}

/// Checks a typed password against a stored hash in a turn already taken.
/// A typed password longer than any password can be is wrong without the
/// work of checking it.
async fn matches(turn: passwords::Turn, typed: String, stored: Option<String>) -> bool {
    if typed.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    passwords::verify(turn, typed, stored).await
}

/// Checks the credentials and, when they are right, replaces the caller's
/// old session (if any) with a new one.
pub async fn sign_in(
    state: &AppState,
    raw_username: &str,
    password: String,
    ip: IpAddr,
    user_agent: &str,
    old_token_hash: Option<String>,
) -> Result<SignInOutcome> {
    let username = attempt_name(raw_username);
    // A busy server says so before anything is counted or written.
    let turn = state.hash_limit.turn().await?;
    let attempt = admit(state, &username, ip, "login.refused").await?;
    let account = staff::find_by_username(&state.db, &username).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let password_ok = matches(turn, password, stored).await;
    let account = match account {
        Some(account) if password_ok && !account.disabled => account,
        _ => {
            failed(state, &username, ip, "login.failed").await?;
            return Err(AppError::invalid("password", WRONG_CREDENTIALS).into());
        }
    };

    if !super::single_sign_on::password_allowed(&state.db, account.id).await? {
        failed(state, &username, ip, "login.password_off").await?;
        return Err(AppError::invalid("password", PASSWORD_OFF).into());
    }
    let now = state.clock.now();
    if super::two_factor::has_second_factor(&state.db, account.id).await? {
        let mut tx = begin_write(&state.db).await?;
        let challenge = super::two_factor::challenge(&mut tx, account.id, now).await?;
        passed(&mut tx, attempt).await?;
        let (subject, detail) = (format!("staff:{username}"), format!("from {ip}"));
        audit::record(&mut tx, &username, "login.code_required", &subject, &detail, now).await?;
        tx.commit().await?;
        return Ok(SignInOutcome::CodeNeeded { challenge });
    }
    let mut tx = begin_write(&state.db).await?;
    if let Some(old) = old_token_hash {
        sessions::delete(&mut tx, &old).await?;
    }
    let ip_text = ip.to_string();
    let origin = sessions::Origin { ip: &ip_text, user_agent };
    let token = sessions::create(&mut tx, account.id, origin, now).await?;
    passed(&mut tx, attempt).await?;
    let (subject, detail) = (format!("staff:{username}"), format!("from {ip}"));
    audit::record(&mut tx, &username, "login.succeeded", &subject, &detail, now).await?;
    tx.commit().await?;
    // No second factor (that path returned above): the policy may require one.
    let must_set_up = super::sign_in_policy::requires_two_factor(&state.db, account.role()).await?;
    Ok(SignInOutcome::SignedIn(SignedInNow { user: account.into_user(must_set_up), token }))
}

/// Checks a signed-in user's current password under the sign-in limits:
/// a wrong one counts as a failed sign-in and is audited.
pub async fn check_current_password(state: &AppState, user: &CurrentUser, typed: String, ip: IpAddr) -> Result<()> {
    let turn = state.hash_limit.turn().await?;
    let attempt = admit(state, &user.username, ip, "login.refused").await?;
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM staff WHERE id = $1")
        .bind(user.id)
        .fetch_optional(&state.db)
        .await?;
    if stored.is_none() || !matches(turn, typed, stored).await {
        failed(state, &user.username, ip, "staff.password_change_failed").await?;
        return Err(AppError::invalid("current_password", crate::domain::message::Message::WrongCurrentPassword).into());
    }
    let mut tx = begin_write(&state.db).await?;
    passed(&mut tx, attempt).await?;
    tx.commit().await?;
    Ok(())
}

/// How long sign-in attempts are kept: the login window, and at least a
/// day (the audit log keeps every attempt for good).
pub fn attempts_kept(config: &Config) -> chrono::Duration {
    chrono::Duration::minutes(i64::from(config.login_window_minutes)).max(chrono::Duration::days(1))
}

/// Deletes the sign-in attempts older than [`attempts_kept`] (the job pass).
pub async fn prune_attempts(db: &Db, config: &Config, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(Time(now - attempts_kept(config)))
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

pub async fn sign_out(state: &AppState, user: &CurrentUser, token_hash: &str) -> Result<()> {
    let mut tx = begin_write(&state.db).await?;
    sessions::delete(&mut tx, token_hash).await?;
    let subject = format!("staff:{}", user.username);
    audit::record(&mut tx, &user.username, "logout", &subject, "", state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}
