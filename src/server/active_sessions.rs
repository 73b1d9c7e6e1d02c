//! A staff member's open sessions, as their account page lists them, and
//! ending them: one of their others, all their others, or (an admin, for
//! another account) every session of that account. Each ending is audited.

use chrono::{DateTime, Utc};

use super::config::Config;
use super::db::{begin_write, Db, Time};
use super::error::Result;
use super::state::AppState;
use super::{audit, staff};
use crate::domain::user_agent;
use crate::error::AppError;
use crate::views::session::{ActiveSession, CurrentUser};

/// The most sessions listed (newest first); ending all others covers the
/// rest.
pub const LIST_MAX: i64 = 100;
/// Session ids are 24 hex digits; a longer one is not looked up.
const ID_MAX_CHARS: usize = 64;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    ip: String,
    user_agent: String,
    #[sqlx(try_from = "Time")]
    created_at: DateTime<Utc>,
    #[sqlx(try_from = "Time")]
    last_seen_at: DateTime<Utc>,
    token_hash: String,
}

/// The sessions of `staff_id` that have not ended by `now`, the one of
/// `current_hash` first, then by last use.
pub async fn list(
    db: &Db,
    config: &Config,
    staff_id: i64,
    current_hash: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ActiveSession>> {
    let idle = chrono::Duration::from_std(config.session_idle()).unwrap_or(chrono::Duration::zero());
    let lifetime = chrono::Duration::from_std(config.session_lifetime()).unwrap_or(chrono::Duration::zero());
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, ip, user_agent, created_at, last_seen_at, token_hash FROM sessions \
         WHERE staff_id = $1 AND last_seen_at >= $2 AND created_at >= $3 \
         ORDER BY last_seen_at DESC, id LIMIT $4",
    )
    .bind(staff_id)
    .bind(Time(now - idle))
    .bind(Time(now - lifetime))
    .bind(LIST_MAX)
    .fetch_all(db)
    .await?;
    let mut sessions: Vec<ActiveSession> = rows
        .into_iter()
        .map(|row| ActiveSession {
            current: row.token_hash == current_hash,
            id: row.id,
            device: user_agent::device(&row.user_agent),
            address: if row.ip.is_empty() { "unknown".to_owned() } else { row.ip },
            signed_in_at: row.created_at,
            last_seen_at: row.last_seen_at,
        })
        .collect();
    sessions.sort_by_key(|s| !s.current);
    Ok(sessions)
}

/// Ends one of `user`'s sessions other than the one in use.
pub async fn end_one(state: &AppState, user: &CurrentUser, current_hash: &str, id: &str) -> Result<()> {
    if id.chars().count() > ID_MAX_CHARS {
        return Err(AppError::NotFound.into());
    }
    let mut tx = begin_write(&state.db).await?;
    let found: Option<(String, String, String)> =
        sqlx::query_as("SELECT token_hash, ip, user_agent FROM sessions WHERE id = $1 AND staff_id = $2")
            .bind(id)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((token_hash, ip, agent)) = found else {
        return Err(AppError::conflict(crate::domain::message::Message::SessionEnded).into());
    };
    if token_hash == current_hash {
        return Err(AppError::conflict(crate::domain::message::Message::SessionInUse).into());
    }
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&mut *tx).await?;
    let detail = format!("{}, from {}", user_agent::device(&agent), if ip.is_empty() { "unknown" } else { &ip });
    let subject = format!("staff:{}", user.username);
    audit::record(&mut tx, &user.username, "session.ended", &subject, &detail, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of `user` but the one in use; how many ended.
pub async fn end_others(state: &AppState, user: &CurrentUser, current_hash: &str) -> Result<u64> {
    let mut tx = begin_write(&state.db).await?;
    let ended = staff::end_sessions(&mut tx, user.id, Some(current_hash)).await?;
    let subject = format!("staff:{}", user.username);
    let detail = format!("{ended} sessions");
    audit::record(&mut tx, &user.username, "session.others_ended", &subject, &detail, state.clock.now()).await?;
    tx.commit().await?;
    Ok(ended)
}

/// An admin ends every session of another account (their own: under "Your
/// password", which keeps the one in use); how many ended.
pub async fn end_all_of(state: &AppState, admin: &CurrentUser, staff_id: i64) -> Result<u64> {
    if staff_id == admin.id {
        return Err(AppError::conflict(crate::domain::message::Message::OwnSessions).into());
    }
    let mut tx = begin_write(&state.db).await?;
    let target = staff::find(&mut tx, staff_id).await?;
    let ended = staff::end_sessions(&mut tx, staff_id, None).await?;
    let subject = format!("staff:{}", target.username);
    let detail = format!("{ended} sessions");
    audit::record(&mut tx, &admin.username, "staff.sessions_ended", &subject, &detail, state.clock.now()).await?;
    tx.commit().await?;
    Ok(ended)
}
