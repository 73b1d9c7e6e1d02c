//! Passkeys and security keys (WebAuthn, through webauthn-rs) as a second
//! factor, beside the authenticator app.
//!
//! - The relying party is the app's own address (`MSP_PUBLIC_URL`, or
//!   `http://localhost:PORT` when it listens on loopback): its host is the
//!   RP id, so passkeys need an address with a host name, not an IP.
//! - Adding one is a ceremony of two requests: the options (with a fresh
//!   challenge) and the browser's answer. The library's state between them
//!   is kept in `passkey_registrations` for five minutes, one per person,
//!   and used once. Signing in likewise: the state sits on the sign-in's
//!   challenge (`sign_in_challenges.passkey_state`) and is cleared by the
//!   transaction that makes the session, so one answer signs in once.
//! - User verification (a PIN or a fingerprint on the key) is preferred,
//!   not required: the password came first. (The credProtect extension
//!   the library adds is left out of the options: see `begin_registration`.)
//! - Only public keys are stored; nothing here needs `MSP_SECRET_KEY`.

use chrono::{DateTime, Utc};
use std::net::IpAddr;
use webauthn_rs::prelude::{
    PublicKeyCredential, RegisterPublicKeyCredential, SecurityKey, SecurityKeyAuthentication, SecurityKeyRegistration,
    Url, Uuid, Webauthn, WebauthnBuilder,
};

use super::db::{begin_write, Db, Time, WriteTx};
use super::error::Result;
use super::security::OwnOrigin;
use super::state::AppState;
use super::two_factor::{self, Completed};
use super::{audit, login, sessions};
use crate::domain::passkey_name::{PasskeyName, MAX_PER_PERSON};
use crate::error::AppError;
use crate::views::session::{CurrentUser, PasskeyInfo};

/// How long a ceremony may take between its two requests.
const CEREMONY_SECS: i64 = 300;
/// The largest answer from a browser accepted (a registration with its
/// attestation is a few kilobytes).
pub const ANSWER_MAX_BYTES: usize = 16 * 1024;
const RP_NAME: &str = "MSP Server Manager";
const NOT_UNDERSTOOD: crate::domain::message::Message = crate::domain::message::Message::AnswerNotUnderstood;

/// The relying party of the app's own address: the first origin whose host
/// is a name (an IP address cannot be an RP id). None when the app has no
/// fixed address (listening on every interface without `MSP_PUBLIC_URL`).
pub fn relying_party(own: &OwnOrigin) -> Option<Webauthn> {
    let OwnOrigin::Listed(origins) = own else { return None };
    origins.iter().find_map(|origin| {
        let url = Url::parse(origin).ok()?;
        let rp_id = url.domain()?.to_owned();
        WebauthnBuilder::new(&rp_id, &url).ok()?.rp_name(RP_NAME).build().ok()
    })
}

fn relying_party_of(state: &AppState) -> Result<&Webauthn> {
    state
        .webauthn
        .as_deref()
        .ok_or_else(|| AppError::conflict(crate::domain::message::Message::PasskeysNeedAddress).into())
}

/// What the library says went wrong, in the log only (the browser gets a
/// plain message).
fn logged(what: &str) -> impl FnOnce(webauthn_rs::prelude::WebauthnError) -> AppError + '_ {
    move |error| {
        tracing::info!(%error, "{what}");
        AppError::Internal
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!("a passkey value did not serialise: {e}");
        AppError::Internal.into()
    })
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!("a stored passkey value did not parse: {e}");
        AppError::Internal.into()
    })
}

/// The browser's answer, bounded and parsed.
fn answer<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    if raw.len() > ANSWER_MAX_BYTES {
        return Err(AppError::invalid("passkey", NOT_UNDERSTOOD).into());
    }
    serde_json::from_str(raw).map_err(|_| AppError::invalid("passkey", NOT_UNDERSTOOD).into())
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    id: i64,
    name: String,
    #[sqlx(try_from = "Time")]
    created_at: DateTime<Utc>,
    last_used_at: Option<Time>,
}

/// `staff_id`'s passkeys, oldest first.
pub async fn list(db: &Db, staff_id: i64) -> Result<Vec<PasskeyInfo>> {
    let rows: Vec<InfoRow> =
        sqlx::query_as("SELECT id, name, created_at, last_used_at FROM staff_passkeys WHERE staff_id = $1 ORDER BY id")
            .bind(staff_id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| PasskeyInfo {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at.map(DateTime::from),
        })
        .collect())
}

/// The stored keys of `staff_id`: row id and key.
async fn keys_of(tx: &mut WriteTx, staff_id: i64) -> Result<Vec<(i64, SecurityKey)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, passkey FROM staff_passkeys WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter().map(|(id, text)| Ok((id, parse(&text)?))).collect()
}

/// The random WebAuthn user handle of `staff_id`, made on first use.
async fn user_handle(tx: &mut WriteTx, staff_id: i64) -> Result<Uuid> {
    let stored: Option<String> = sqlx::query_scalar("SELECT webauthn_handle FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(&mut **tx)
        .await?
        .flatten();
    if let Some(handle) = stored.and_then(|text| Uuid::parse_str(&text).ok()) {
        return Ok(handle);
    }
    let handle = Uuid::new_v4();
    sqlx::query("UPDATE staff SET webauthn_handle = $1 WHERE id = $2")
        .bind(handle.to_string())
        .bind(staff_id)
        .execute(&mut **tx)
        .await?;
    Ok(handle)
}

fn too_many() -> AppError {
    AppError::conflict(crate::domain::message::Message::PasskeyLimit { max: MAX_PER_PERSON as u32 })
}

/// Starts adding a passkey named `name` for `user`: the options for the
/// browser (JSON). A ceremony started before and not finished is replaced.
pub async fn begin_registration(state: &AppState, user: &CurrentUser, name: &PasskeyName) -> Result<String> {
    let webauthn = relying_party_of(state)?;
    let mut tx = begin_write(&state.db).await?;
    let keys = keys_of(&mut tx, user.id).await?;
    if keys.len() >= MAX_PER_PERSON {
        return Err(too_many().into());
    }
    let handle = user_handle(&mut tx, user.id).await?;
    let exclude = keys.iter().map(|(_, key)| key.cred_id().clone()).collect();
    let (mut options, registration) = webauthn
        .start_securitykey_registration(handle, &user.username, &user.username, Some(exclude), None, None)
        .map_err(logged("a passkey registration did not start"))?;
    // The library asks keys to protect the credential with user
    // verification (credProtect) while it only *prefers* verification:
    // Chromium refuses that pair outright (NotSupportedError, "protection
    // policy is inconsistent"). Left out, the key decides, as "preferred"
    // means; the check of the answer does not depend on it.
    if let Some(extensions) = options.public_key.extensions.as_mut() {
        extensions.cred_protect = None;
    }
    sqlx::query("DELETE FROM passkey_registrations WHERE staff_id = $1").bind(user.id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO passkey_registrations (staff_id, name, state, created_at) VALUES ($1, $2, $3, $4)")
        .bind(user.id)
        .bind(name.as_str())
        .bind(json(&registration)?)
        .bind(Time(state.clock.now()))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    json(&options)
}

/// Finishes adding a passkey with the browser's answer (`raw`, JSON). When
/// it is `user`'s first second factor, the first set of recovery codes,
/// shown once.
pub async fn finish_registration(
    state: &AppState,
    user: &CurrentUser,
    raw: &str,
    ip: IpAddr,
) -> Result<Option<Vec<String>>> {
    let webauthn = relying_party_of(state)?;
    let credential: RegisterPublicKeyCredential = answer(raw)?;
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    // Used once: deleted by the transaction that stores the key.
    let pending: Option<(String, String)> = sqlx::query_as(
        "DELETE FROM passkey_registrations WHERE staff_id = $1 AND created_at >= $2 RETURNING name, state",
    )
    .bind(user.id)
    .bind(Time(now - chrono::Duration::seconds(CEREMONY_SECS)))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, registration)) = pending else {
        return Err(AppError::conflict(crate::domain::message::Message::PasskeyExpired).into());
    };
    let registration: SecurityKeyRegistration = parse(&registration)?;
    let key = match webauthn.finish_securitykey_registration(&credential, &registration) {
        Ok(key) => key,
        Err(error) => {
            tracing::info!(%error, "a passkey registration was refused");
            tx.commit().await?;
            let subject = format!("staff:{}", user.username);
            super::refusals::record_one(&state.db, &user.username, "staff.passkey_refused", &subject, "", now).await;
            return Err(AppError::invalid("passkey", crate::domain::message::Message::PasskeyAnswerBad).into());
        }
    };
    let keys = keys_of(&mut tx, user.id).await?;
    if keys.len() >= MAX_PER_PERSON {
        return Err(too_many().into());
    }
    let credential_id = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.cred_id().as_slice())
    };
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff_passkeys WHERE credential_id = $1")
        .bind(&credential_id)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict(crate::domain::message::Message::PasskeyRegistered).into());
    }
    let had_factor: i64 = sqlx::query_scalar(&format!("SELECT {}", two_factor::has_second_factor_sql("$1")))
        .bind(user.id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO staff_passkeys (staff_id, credential_id, name, passkey, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.id)
    .bind(&credential_id)
    .bind(&name)
    .bind(json(&key)?)
    .bind(Time(now))
    .execute(&mut *tx)
    .await?;
    let codes = if had_factor == 1 { None } else { Some(two_factor::new_recovery_set(&mut tx, user.id).await?) };
    let subject = format!("staff:{}", user.username);
    let detail = format!("“{name}” from {ip}");
    audit::record(&mut tx, &user.username, "staff.passkey_added", &subject, &detail, now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Removes one of `user`'s passkeys, after their current password; not the
/// last second factor while the sign-in policy requires one
/// (`two_factor::after_removal`).
pub async fn remove(state: &AppState, user: &CurrentUser, id: i64, password: String, ip: IpAddr) -> Result<()> {
    login::check_current_password(state, user, password, ip).await?;
    let mut tx = begin_write(&state.db).await?;
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM staff_passkeys WHERE id = $1 AND staff_id = $2 RETURNING name")
            .bind(id)
            .bind(user.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(name) = name else { return Err(AppError::NotFound.into()) };
    two_factor::after_removal(&mut tx, user).await?;
    let subject = format!("staff:{}", user.username);
    let detail = format!("“{name}” from {ip}");
    audit::record(&mut tx, &user.username, "staff.passkey_removed", &subject, &detail, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The passkey step of the sign-in waiting under `token`: the options for
/// the browser (JSON), a fresh challenge for the account's keys.
pub async fn begin_sign_in(state: &AppState, token: Option<&str>) -> Result<String> {
    let webauthn = relying_party_of(state)?;
    let waiting = two_factor::waiting(state, token).await?;
    let mut tx = begin_write(&state.db).await?;
    let keys: Vec<SecurityKey> = keys_of(&mut tx, waiting.staff_id).await?.into_iter().map(|(_, k)| k).collect();
    if keys.is_empty() {
        return Err(AppError::conflict(crate::domain::message::Message::NoPasskey).into());
    }
    let (options, authentication) =
        webauthn.start_securitykey_authentication(&keys).map_err(logged("a passkey sign-in did not start"))?;
    sqlx::query("UPDATE sign_in_challenges SET passkey_state = $1 WHERE token_hash = $2")
        .bind(json(&authentication)?)
        .bind(&waiting.token_hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    json(&options)
}

/// Sign-in's second step with a passkey: the browser's answer (`raw`,
/// JSON) to the challenge of `begin_sign_in`. A right one ends the
/// challenge and makes the session.
pub async fn complete_sign_in(
    state: &AppState,
    token: Option<&str>,
    raw: &str,
    ip: IpAddr,
    user_agent: &str,
) -> Result<Completed> {
    let webauthn = relying_party_of(state)?;
    let waiting = two_factor::waiting(state, token).await?;
    let credential: PublicKeyCredential = answer(raw)?;
    let Some(stored_state) = waiting.passkey_state.clone() else {
        return Err(AppError::invalid("passkey", crate::domain::message::Message::PasskeyRequestMissing).into());
    };
    let attempt = login::admit(state, &waiting.username, ip, "login.refused").await?;
    let authentication: SecurityKeyAuthentication = parse(&stored_state)?;
    let refused = || AppError::invalid("passkey", crate::domain::message::Message::PasskeyNotAccepted);
    let result = match webauthn.finish_securitykey_authentication(&credential, &authentication) {
        Ok(result) => result,
        Err(error) => {
            tracing::info!(%error, "a passkey sign-in was refused");
            login::failed(state, &waiting.username, ip, "login.passkey_failed").await?;
            return Err(refused().into());
        }
    };
    let now = state.clock.now();
    let mut tx = begin_write(&state.db).await?;
    // The challenge answers once: of two requests with the same answer,
    // the second finds the state gone.
    let taken =
        sqlx::query("UPDATE sign_in_challenges SET passkey_state = NULL WHERE token_hash = $1 AND passkey_state = $2")
            .bind(&waiting.token_hash)
            .bind(&stored_state)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let keys = keys_of(&mut tx, waiting.staff_id).await?;
    let used = keys.into_iter().find(|(_, key)| key.cred_id() == result.cred_id());
    let (Some((key_id, mut key)), 1) = (used, taken) else {
        tx.rollback().await?;
        login::failed(state, &waiting.username, ip, "login.passkey_failed").await?;
        return Err(refused().into());
    };
    // The signature counter moves on (a cloned key shows as a counter that
    // does not grow, which the library refuses).
    key.update_credential(&result);
    let name: String =
        sqlx::query_scalar("UPDATE staff_passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3 RETURNING name")
            .bind(json(&key)?)
            .bind(Time(now))
            .bind(key_id)
            .fetch_one(&mut *tx)
            .await?;
    let ip_text = ip.to_string();
    let origin = sessions::Origin { ip: &ip_text, user_agent };
    let how = format!("with the passkey “{name}”");
    let signed_in = two_factor::finish(tx, &waiting, attempt, origin, ("login.succeeded", &how), now).await?;
    Ok(Completed { signed_in, recovery_left: None })
}
