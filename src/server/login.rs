//! Signing in: rate limit per account and per client address, password check,
//! a fresh session, and the attempt recorded (login_attempts + audit log).

use chrono::{DateTime, Utc};
use std::net::IpAddr;

use super::db::{begin_write, Time};
use super::state::AppState;
use super::{audit, passwords, sessions, staff};
use crate::api::session::CurrentUser;
use crate::error::AppError;

pub const WRONG_CREDENTIALS: &str = "Wrong user name or password.";

pub struct SignedInNow {
    pub user: CurrentUser,
    pub token: String,
}

async fn failures_since(state: &AppState, column: &str, value: &str, since: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    // `column` is one of two fixed names, never user input.
    let sql = format!("SELECT COUNT(*) FROM login_attempts WHERE {column} = $1 AND succeeded = FALSE AND at > $2");
    sqlx::query_scalar(&sql).bind(value).bind(Time(since)).fetch_one(&state.db).await
}

async fn record_attempt(
    state: &AppState,
    username: &str,
    ip: IpAddr,
    outcome: &str,
    counts_as_failure: bool,
) -> Result<(), sqlx::Error> {
    let mut tx = begin_write(&state.db).await?;
    if counts_as_failure {
        sqlx::query("INSERT INTO login_attempts (username, ip, succeeded, at) VALUES ($1, $2, FALSE, $3)")
            .bind(username)
            .bind(ip.to_string())
            .bind(Time(Utc::now()))
            .execute(&mut *tx)
            .await?;
    }
    audit::record(&mut tx, username, outcome, &format!("staff:{username}"), &format!("from {ip}")).await?;
    tx.commit().await
}

/// Checks the credentials and, when they are right, replaces the caller's
/// old session (if any) with a new one.
pub async fn sign_in(
    state: &AppState,
    raw_username: &str,
    password: String,
    ip: IpAddr,
    old_token_hash: Option<String>,
) -> Result<SignedInNow, AppError> {
    // Attempts are keyed by what was typed, normalised like a user name.
    let username: String = raw_username.trim().to_lowercase().chars().take(64).collect();
    let config = &state.config;
    let since = Utc::now() - chrono::Duration::from_std(config.login_window()).unwrap_or(chrono::Duration::zero());
    let by_account = failures_since(state, "username", &username, since).await?;
    let by_ip = failures_since(state, "ip", &ip.to_string(), since).await?;
    if by_account >= i64::from(config.login_max_failures) || by_ip >= i64::from(config.login_max_failures_per_ip) {
        record_attempt(state, &username, ip, "login.refused", false).await?;
        return Err(AppError::TooManyRequests(format!(
            "Too many failed sign-ins. Wait {} minutes, then try again.",
            config.login_window_minutes
        )));
    }

    let account = staff::find_by_username(&state.db, &username).await?;
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let password_ok = passwords::verify(password, stored).await;
    let account = match account {
        Some(account) if password_ok && !account.disabled => account,
        _ => {
            record_attempt(state, &username, ip, "login.failed", true).await?;
            return Err(AppError::invalid("password", WRONG_CREDENTIALS));
        }
    };

    let now = Utc::now();
    let mut tx = begin_write(&state.db).await?;
    if let Some(old) = old_token_hash {
        sessions::delete(&mut tx, &old).await?;
    }
    let token = sessions::create(&mut tx, account.id, now).await?;
    sqlx::query("INSERT INTO login_attempts (username, ip, succeeded, at) VALUES ($1, $2, TRUE, $3)")
        .bind(&username)
        .bind(ip.to_string())
        .bind(Time(now))
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, &username, "login.succeeded", &format!("staff:{username}"), &format!("from {ip}")).await?;
    tx.commit().await?;
    let user = CurrentUser {
        id: account.id,
        role: account.role(),
        must_change_password: account.must_change_password,
        username: account.username,
    };
    Ok(SignedInNow { user, token })
}

pub async fn sign_out(state: &AppState, user: &CurrentUser, token_hash: &str) -> Result<(), AppError> {
    let mut tx = begin_write(&state.db).await?;
    sessions::delete(&mut tx, token_hash).await?;
    audit::record(&mut tx, &user.username, "logout", &format!("staff:{}", user.username), "").await?;
    tx.commit().await?;
    Ok(())
}
