//! Personal access tokens of staff members (the staff API's bearer tokens):
//! `mspt_` + 256 random bits, shown once, stored as a SHA-256 hash (full
//! entropy: a fast hash is enough), listed by their first characters. A
//! token acts for its owner: it stops when it expires, is revoked, or its
//! owner is disabled or must change their password, and it never does more
//! than the owner's role (`domain::access_token::Needs`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

use super::api_keys::hash;
use super::audit;
use super::db::{begin_write, Db, Time};
use super::error::Result;
use super::staff::StaffRow;
use crate::domain::access_token::{
    state_at, NewToken, TokenForm, TokenScope, TokenState, MAX_PER_PERSON, TOKEN_PREFIX,
};
use crate::domain::message::Message;
use crate::domain::Role;
use crate::error::AppError;
use crate::views::session::{AccessTokenInfo, AccessTokens, CurrentUser, NewAccessToken};

/// How much of a token is shown after it was made: `mspt_` + 8 characters.
const SHOWN: usize = 13;

/// `last_used_at` is written at most this often per token (a read-only
/// script would otherwise write on every request).
const LAST_USED_EVERY_SECS: i64 = 60;

fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

type Row = (i64, String, String, String, String, Time, Time, Option<Time>, Option<Time>);

const COLUMNS: &str = "t.id, t.name, s.username, t.prefix, t.scope, t.created_at, t.expires_at, t.last_used_at, \
                       t.revoked_at";

fn info((id, name, owner, prefix, scope, created, expires, used, revoked): Row, now: DateTime<Utc>) -> AccessTokenInfo {
    AccessTokenInfo {
        id,
        name,
        owner,
        prefix: format!("{prefix}…"),
        scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
        state: state_at(expires.0, revoked.is_some(), now),
        created_at: created.0,
        expires_at: expires.0,
        last_used_at: used.map(|t| t.0),
    }
}

/// Makes a token for `owner` (by `actor`: the owner on their account page,
/// `cli` from the command line), audited; the only time it is seen in full.
#[tracing::instrument(skip_all, fields(actor = %actor, owner = %owner.username))]
pub async fn create(
    db: &Db,
    actor: &str,
    owner: &StaffRow,
    form: &TokenForm,
    now: DateTime<Utc>,
) -> Result<NewAccessToken> {
    let NewToken { name, scope, days } = form.validate(owner.role()).map_err(AppError::Invalid)?;
    let token = generate();
    let expires = now + Duration::days(i64::from(days));
    let mut tx = begin_write(db).await?;
    let in_use: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM access_tokens WHERE staff_id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(owner.id)
    .bind(Time(now))
    .fetch_one(&mut *tx)
    .await?;
    if in_use >= i64::from(MAX_PER_PERSON) {
        return Err(AppError::invalid("name", Message::TokenLimit { max: MAX_PER_PERSON }).into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO access_tokens (staff_id, name, token_hash, prefix, scope, created_at, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(owner.id)
    .bind(&name)
    .bind(hash(&token))
    .bind(&token[..SHOWN])
    .bind(scope.as_str())
    .bind(Time(now))
    .bind(actor)
    .bind(Time(expires))
    .fetch_one(&mut *tx)
    .await?;
    let detail = format!(
        "\"{name}\" ({}…), scope {}, expires {}",
        &token[..SHOWN],
        scope.as_str(),
        expires.format("%Y-%m-%d %H:%M UTC")
    );
    audit::record(&mut tx, actor, "token.created", &format!("staff:{}", owner.username), &detail, now).await?;
    tx.commit().await?;
    let info = AccessTokenInfo {
        id,
        name,
        owner: owner.username.clone(),
        prefix: format!("{}…", &token[..SHOWN]),
        scope,
        state: TokenState::Active,
        created_at: now,
        expires_at: expires,
        last_used_at: None,
    };
    Ok(NewAccessToken { token, info })
}

/// The caller's tokens (newest first), and for an admin everyone else's.
pub async fn list(db: &Db, caller: &CurrentUser, now: DateTime<Utc>) -> Result<AccessTokens> {
    let rows: Vec<(i64, Row)> = sqlx::query_as::<
        _,
        (i64, i64, String, String, String, String, Time, Time, Option<Time>, Option<Time>),
    >(&format!(
        "SELECT t.staff_id, {COLUMNS} FROM access_tokens t JOIN staff s ON s.id = t.staff_id \
             WHERE t.staff_id = $1 OR $2 ORDER BY t.created_at DESC, t.id DESC LIMIT 1000"
    ))
    .bind(caller.id)
    .bind(caller.role == Role::Admin)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|(staff, id, name, owner, prefix, scope, created, expires, used, revoked)| {
        (staff, (id, name, owner, prefix, scope, created, expires, used, revoked))
    })
    .collect();
    let (own, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(staff, _)| *staff == caller.id);
    Ok(AccessTokens {
        own: own.into_iter().map(|(_, row)| info(row, now)).collect(),
        others: (caller.role == Role::Admin).then(|| others.into_iter().map(|(_, row)| info(row, now)).collect()),
        widest: TokenScope::widest_for(caller.role),
    })
}

/// Revokes a token of the caller's own, or (an admin) anyone's; it stops
/// at once. Someone else's token is "not found" to a non-admin.
#[tracing::instrument(skip_all, fields(actor = %caller.username, token = id))]
pub async fn revoke(db: &Db, caller: &CurrentUser, id: i64, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let found: Option<(String, String, String, Option<Time>)> = sqlx::query_as(
        "SELECT s.username, t.name, t.prefix, t.revoked_at FROM access_tokens t JOIN staff s ON s.id = t.staff_id \
         WHERE t.id = $1 AND (t.staff_id = $2 OR $3)",
    )
    .bind(id)
    .bind(caller.id)
    .bind(caller.role == Role::Admin)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((owner, name, prefix, revoked)) = found else {
        return Err(AppError::NotFound.into());
    };
    if revoked.is_some() {
        return Ok(());
    }
    sqlx::query("UPDATE access_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
        .bind(Time(now))
        .bind(&caller.username)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("\"{name}\" ({prefix}…)");
    audit::record(&mut tx, &caller.username, "token.revoked", &format!("staff:{owner}"), &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A staff API caller, found by their token.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub token_id: i64,
    pub user: CurrentUser,
    pub scope: TokenScope,
    /// For the audit log: `"name" (mspt_…)`.
    pub label: String,
    /// `mspt_` and the next 8 characters, and `…`.
    pub prefix: String,
}

/// What a presented token turned out to be.
#[derive(Debug)]
pub enum Presented {
    /// No such token (or not a token at all).
    Unknown,
    /// A real token that cannot be used now: why, for the audit log.
    Refused {
        owner: String,
        label: String,
        why: &'static str,
    },
    Valid(TokenCaller),
}

/// Finds the token's owner and checks that it may be used now. Notes its
/// use (at most once a minute per token).
pub async fn check(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Presented> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Ok(Presented::Unknown);
    }
    type Found = (i64, String, String, String, Time, Option<Time>, Option<Time>, i64);
    let row: Option<Found> = sqlx::query_as(
        "SELECT id, name, prefix, scope, expires_at, revoked_at, last_used_at, staff_id FROM access_tokens \
         WHERE token_hash = $1",
    )
    .bind(hash(token))
    .fetch_optional(db)
    .await?;
    let Some((id, name, prefix, scope, Time(expires), revoked, used, staff_id)) = row else {
        return Ok(Presented::Unknown);
    };
    let owner: Option<StaffRow> = sqlx::query_as(&format!("SELECT {} FROM staff WHERE id = $1", super::staff::COLUMNS))
        .bind(staff_id)
        .fetch_optional(db)
        .await?;
    let Some(owner) = owner else {
        return Ok(Presented::Unknown);
    };
    let label = format!("\"{name}\" ({prefix}…)");
    let prefix = format!("{prefix}…");
    let why = match state_at(expires, revoked.is_some(), now) {
        TokenState::Revoked => Some("revoked"),
        TokenState::Expired => Some("expired"),
        TokenState::Active if owner.disabled => Some("owner disabled"),
        TokenState::Active if owner.must_change_password => Some("owner must change their password"),
        TokenState::Active => None,
    };
    if let Some(why) = why {
        return Ok(Presented::Refused { owner: owner.username, label, why });
    }
    if used.is_none_or(|Time(at)| (now - at).num_seconds() >= LAST_USED_EVERY_SECS) {
        sqlx::query("UPDATE access_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(Time(now))
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(Presented::Valid(TokenCaller {
        token_id: id,
        scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
        user: owner.into_user(false),
        label,
        prefix,
    }))
}

/// Whether the staff member exists (the command line names them).
pub async fn owner(db: &Db, username: &str) -> Result<StaffRow> {
    super::staff::find_by_username(db, username).await?.ok_or_else(|| AppError::NotFound.into())
}
