//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238: HMAC-SHA-1,
//! 6 digits, 30-second steps; a code of the step before or after the
//! current one is accepted too, for clocks that differ a little).
//!
//! - Set-up: a secret of 160 random bits, sealed with `MSP_SECRET_KEY`
//!   (`secret_box`), shown once as a QR code and as text; the first right
//!   code confirms it.
//! - Sign-in: a right password for such an account makes a *challenge* (a
//!   random token in a five-minute cookie, its hash stored), not a session.
//!   The code completes it: the session is made then.
//! - Each step's code is accepted once: `last_step` only grows, in the same
//!   transaction that makes the session, so two requests with the same code
//!   cannot both pass.
//! - Codes count against the sign-in limits like passwords (`login::admit`),
//!   and every refusal is audited.
//! - Recovery codes: ten single-use codes (80 random bits each, only their
//!   SHA-256 stored), shown once when the app is confirmed or a new set is
//!   made; one stands in for the app's code at sign-in.

use chrono::{DateTime, Utc};
use std::net::IpAddr;
use totp_rs::{Algorithm, TOTP};

use super::db::{begin_write, Db, Time, WriteTx};
use super::error::Result;
use super::login::{self, SignedInNow};
use super::secret_box::SecretBox;
use super::state::AppState;
use super::{audit, sessions, staff};
use crate::domain::auth_code::{
    parse_code, parse_second_factor, recovery_code, SecondFactor, CODE_DIGITS, RECOVERY_CHARS, RECOVERY_SET,
};
use crate::error::AppError;
use crate::views::session::{CurrentUser, SignInMethods, TotpSetup};

const STEP_SECS: i64 = 30;
const SECRET_BYTES: usize = 20;
/// How long the code may take after the password.
pub const CHALLENGE_SECS: i64 = 300;
const ISSUER: &str = "MSP Server Manager";
const WRONG_CODE: crate::domain::message::Message = crate::domain::message::Message::WrongCode;

/// Codes of exactly one step (no skew: `accepted_step` looks at the steps
/// around now itself, to know which one a code belongs to).
fn totp(secret: Vec<u8>) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, CODE_DIGITS, 0, STEP_SECS as u64, secret).map_err(|e| {
        tracing::error!("an authenticator secret is unusable: {e}");
        AppError::Internal.into()
    })
}

/// The newest step within one of `now`'s that is newer than `last_step`
/// and whose code is `code`.
fn accepted_step(secret: &[u8], code: &str, now: DateTime<Utc>, last_step: i64) -> Result<Option<i64>> {
    let totp = totp(secret.to_vec())?;
    let current = now.timestamp().div_euclid(STEP_SECS);
    // `check` compares in constant time.
    Ok((current - 1..=current + 1)
        .rev()
        .filter(|step| *step > last_step)
        .find(|step| totp.check(code, (*step * STEP_SECS) as u64)))
}

/// A new set of recovery codes for `staff_id` in `tx` (the old set ends);
/// the codes, shown once.
pub(super) async fn new_recovery_set(tx: &mut WriteTx, staff_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    let mut codes = Vec::with_capacity(RECOVERY_SET);
    while codes.len() < RECOVERY_SET {
        let mut random = [0u8; RECOVERY_CHARS];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        let code = recovery_code(&random);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(recovery_hash(code))
            .execute(&mut **tx)
            .await?;
    }
    Ok(codes)
}

/// What is stored of a recovery code: the SHA-256 of its compact form.
fn recovery_hash(code: &str) -> String {
    let compact: String = code.chars().filter(|c| *c != '-').collect();
    sessions::hash_token(&compact)
}

/// How many unused recovery codes `staff_id` has.
pub async fn recovery_left(db: &Db, staff_id: i64) -> Result<u32> {
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
        .bind(staff_id)
        .fetch_one(db)
        .await?;
    Ok(u32::try_from(left).unwrap_or(0))
}

/// A new set of recovery codes, after the current password (the old set
/// stops working).
pub async fn renew_recovery_codes(
    state: &AppState,
    user: &CurrentUser,
    password: String,
    ip: IpAddr,
) -> Result<Vec<String>> {
    login::check_current_password(state, user, password, ip).await?;
    if !has_second_factor(&state.db, user.id).await? {
        return Err(AppError::conflict(crate::domain::message::Message::TotpNotOn).into());
    }
    let mut tx = begin_write(&state.db).await?;
    let codes = new_recovery_set(&mut tx, user.id).await?;
    let subject = format!("staff:{}", user.username);
    audit::record(&mut tx, &user.username, "staff.recovery_codes_renewed", &subject, "", state.clock.now()).await?;
    tx.commit().await?;
    Ok(codes)
}

/// SQL: whether the staff member whose id is in `staff_column` has a
/// second factor (a confirmed app or a passkey), as 1 or 0.
pub fn has_second_factor_sql(staff_column: &str) -> String {
    format!(
        "CAST((EXISTS (SELECT 1 FROM staff_totp t WHERE t.staff_id = {staff_column} AND t.confirmed_at IS NOT NULL) \
           OR EXISTS (SELECT 1 FROM staff_passkeys k WHERE k.staff_id = {staff_column})) AS INTEGER)"
    )
}

/// Whether `staff_id` has a second factor (sign-in asks for it).
pub async fn has_second_factor(db: &Db, staff_id: i64) -> Result<bool> {
    let found: i64 =
        sqlx::query_scalar(&format!("SELECT {}", has_second_factor_sql("$1"))).bind(staff_id).fetch_one(db).await?;
    Ok(found == 1)
}

/// What the second step of sign-in offers `staff_id`.
pub async fn methods(db: &Db, staff_id: i64) -> Result<SignInMethods> {
    let passkeys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_passkeys WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_one(db)
        .await?;
    Ok(SignInMethods { app: enabled(db, staff_id).await?, passkey: passkeys > 0 })
}

/// Whether `staff_id` signs in with an authenticator code.
pub async fn enabled(db: &Db, staff_id: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT staff_id FROM staff_totp WHERE staff_id = $1 AND confirmed_at IS NOT NULL")
            .bind(staff_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Starts setting up an app for `user`: a new secret (replacing one not
/// confirmed yet), returned once as a QR code and as text.
pub async fn begin_setup(state: &AppState, user: &CurrentUser) -> Result<TotpSetup> {
    let key = SecretBox::required(&state.config)?;
    if enabled(&state.db, user.id).await? {
        return Err(AppError::conflict(crate::domain::message::Message::TotpAlreadyOn).into());
    }
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("DELETE FROM staff_totp WHERE staff_id = $1").bind(user.id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO staff_totp (staff_id, secret, created_at) VALUES ($1, $2, $3)")
        .bind(user.id)
        .bind(key.seal(&secret))
        .bind(Time(state.clock.now()))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    let text = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &secret);
    let label = format!("{ISSUER}:{}", user.username);
    let url = url::Url::parse_with_params(
        &format!("otpauth://totp/{}", urlencode(&label)),
        [("secret", text.as_str()), ("issuer", ISSUER), ("algorithm", "SHA1"), ("digits", "6"), ("period", "30")],
    )
    .map_err(|_| AppError::Internal)?;
    let qr = qrcode::QrCode::new(url.as_str().as_bytes()).map_err(|_| AppError::Internal)?;
    let svg = qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build();
    // The grouped text is easier to type; apps ignore the spaces.
    let grouped =
        text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    Ok(TotpSetup { secret: grouped, qr_svg: svg })
}

/// The first code from the app confirms the set-up; from then on sign-in
/// asks for a code. The first set of recovery codes, shown once.
pub async fn confirm_setup(state: &AppState, user: &CurrentUser, raw_code: &str, ip: IpAddr) -> Result<Vec<String>> {
    let code = parse_code(raw_code).map_err(|e| AppError::invalid("code", e))?;
    let key = SecretBox::required(&state.config)?;
    let attempt = login::admit(state, &user.username, ip, "login.refused").await?;
    let pending: Option<(String, i64)> =
        sqlx::query_as("SELECT secret, last_step FROM staff_totp WHERE staff_id = $1 AND confirmed_at IS NULL")
            .bind(user.id)
            .fetch_optional(&state.db)
            .await?;
    let Some((sealed, last_step)) = pending else {
        return Err(AppError::conflict(crate::domain::message::Message::TotpSetupMissing).into());
    };
    let now = state.clock.now();
    let Some(step) = accepted_step(&key.open(&sealed)?, &code, now, last_step)? else {
        login::failed(state, &user.username, ip, "staff.totp_setup_failed").await?;
        return Err(AppError::invalid("code", WRONG_CODE).into());
    };
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("UPDATE staff_totp SET confirmed_at = $1, last_step = $2 WHERE staff_id = $3 AND confirmed_at IS NULL")
        .bind(Time(now))
        .bind(step)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    let codes = new_recovery_set(&mut tx, user.id).await?;
    login::passed(&mut tx, attempt).await?;
    let subject = format!("staff:{}", user.username);
    audit::record(&mut tx, &user.username, "staff.totp_enabled", &subject, &format!("from {ip}"), now).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Removes `user`'s authenticator app, after their current password; not
/// while the sign-in policy requires a second factor of them and it is
/// their only one (`after_removal`).
pub async fn disable(state: &AppState, user: &CurrentUser, password: String, ip: IpAddr) -> Result<()> {
    login::check_current_password(state, user, password, ip).await?;
    let mut tx = begin_write(&state.db).await?;
    let removed = sqlx::query("DELETE FROM staff_totp WHERE staff_id = $1").bind(user.id).execute(&mut *tx).await?;
    after_removal(&mut tx, user).await?;
    if removed.rows_affected() > 0 {
        let subject = format!("staff:{}", user.username);
        audit::record(
            &mut tx,
            &user.username,
            "staff.totp_disabled",
            &subject,
            &format!("from {ip}"),
            state.clock.now(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// In `tx`, after one of `user`'s own second factors was removed: refused
/// (the transaction is dropped) when none is left and the sign-in policy
/// requires one; with none left otherwise, the recovery codes go too.
/// Checked in the write transaction, so two removals at once cannot both
/// take the last factor.
pub(super) async fn after_removal(tx: &mut WriteTx, user: &CurrentUser) -> Result<()> {
    let left: i64 = sqlx::query_scalar(&format!("SELECT {}", has_second_factor_sql("$1")))
        .bind(user.id)
        .fetch_one(&mut **tx)
        .await?;
    if left == 1 {
        return Ok(());
    }
    let rule: String =
        sqlx::query_scalar("SELECT require_two_factor FROM sign_in_policy WHERE id = 1").fetch_one(&mut **tx).await?;
    if super::sign_in_policy::rule_of(&rule).covers(user.role) {
        return Err(AppError::conflict(crate::domain::message::Message::LastFactor).into());
    }
    sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1").bind(user.id).execute(&mut **tx).await?;
    Ok(())
}

/// An admin removes another account's second factors (app, passkeys) and
/// recovery codes (a lost phone or key): that account signs in with its
/// password again and sets up a new factor. Its sessions end. Nobody
/// resets their own.
pub async fn reset_for(state: &AppState, admin: &CurrentUser, staff_id: i64) -> Result<()> {
    if staff_id == admin.id {
        return Err(AppError::conflict(crate::domain::message::Message::OwnTwoFactor).into());
    }
    let mut tx = begin_write(&state.db).await?;
    let target = staff::find(&mut tx, staff_id).await?;
    let apps = sqlx::query("DELETE FROM staff_totp WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    let keys = sqlx::query("DELETE FROM staff_passkeys WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    if apps.rows_affected() + keys.rows_affected() == 0 {
        return Err(AppError::conflict(crate::domain::message::Message::NoSecondFactor {
            name: target.username.clone(),
        })
        .into());
    }
    sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sign_in_challenges WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    let ended = staff::end_sessions(&mut tx, staff_id, None).await?;
    let subject = format!("staff:{}", target.username);
    let detail =
        format!("app {}, {} passkeys removed; {ended} sessions ended", apps.rows_affected(), keys.rows_affected());
    audit::record(&mut tx, &admin.username, "staff.two_factor_reset", &subject, &detail, state.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// After a right password: a challenge for the code, in `tx` (the sign-in's
/// transaction). Its token, for the cookie.
pub async fn challenge(tx: &mut WriteTx, staff_id: i64, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let token = sessions::new_token();
    sqlx::query("DELETE FROM sign_in_challenges WHERE created_at < $1")
        .bind(Time(now - chrono::Duration::seconds(CHALLENGE_SECS)))
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO sign_in_challenges (token_hash, staff_id, created_at) VALUES ($1, $2, $3)")
        .bind(sessions::hash_token(&token))
        .bind(staff_id)
        .bind(Time(now))
        .execute(&mut **tx)
        .await?;
    Ok(token)
}

/// Sign-in completed with a second factor.
pub struct Completed {
    pub signed_in: SignedInNow,
    /// When a recovery code was used: how many are left.
    pub recovery_left: Option<u32>,
}

/// A sign-in whose password was right, waiting for its second factor.
pub struct Waiting {
    pub token_hash: String,
    pub staff_id: i64,
    pub username: String,
    /// The passkey ceremony under way, if one was started.
    pub passkey_state: Option<String>,
}

fn expired() -> AppError {
    AppError::conflict(crate::domain::message::Message::SignInExpired)
}

/// The sign-in waiting under `token` (the challenge cookie), if it has not
/// expired and its account is not disabled.
pub async fn waiting(state: &AppState, token: Option<&str>) -> Result<Waiting> {
    let token_hash = sessions::hash_token(token.ok_or_else(expired)?);
    let since = Time(state.clock.now() - chrono::Duration::seconds(CHALLENGE_SECS));
    let found: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT c.staff_id, s.username, c.passkey_state FROM sign_in_challenges c JOIN staff s ON s.id = c.staff_id \
         WHERE c.token_hash = $1 AND c.created_at >= $2 AND s.disabled = FALSE",
    )
    .bind(&token_hash)
    .bind(since)
    .fetch_optional(&state.db)
    .await?;
    let (staff_id, username, passkey_state) = found.ok_or_else(expired)?;
    Ok(Waiting { token_hash, staff_id, username, passkey_state })
}

/// The second factor of `waiting` passed (used up in `tx`): the challenge
/// ends, the session is made, the attempt counts as passed, and the audit
/// log says how (`action`, `how`). Commits `tx`.
pub(super) async fn finish(
    mut tx: WriteTx,
    waiting: &Waiting,
    attempt: login::Attempt,
    origin: sessions::Origin<'_>,
    (action, how): (&str, &str),
    now: DateTime<Utc>,
) -> Result<SignedInNow> {
    sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
        .bind(&waiting.token_hash)
        .execute(&mut *tx)
        .await?;
    let account = staff::find(&mut tx, waiting.staff_id).await?;
    let token = sessions::create(&mut tx, waiting.staff_id, origin, now).await?;
    login::passed(&mut tx, attempt).await?;
    let subject = format!("staff:{}", waiting.username);
    audit::record(&mut tx, &waiting.username, action, &subject, &format!("from {}, {how}", origin.ip), now).await?;
    tx.commit().await?;
    Ok(SignedInNow { user: account.into_user(false), token })
}

/// Sign-in's second step: the app's code or a recovery code for the
/// challenge of `token`. A right one ends the challenge and makes the
/// session.
pub async fn complete(
    state: &AppState,
    token: Option<&str>,
    raw_code: &str,
    ip: IpAddr,
    user_agent: &str,
) -> Result<Completed> {
    let waiting = waiting(state, token).await?;
    let (staff_id, username) = (waiting.staff_id, waiting.username.as_str());
    let typed = parse_second_factor(raw_code).map_err(|e| AppError::invalid("code", e))?;
    let attempt = login::admit(state, username, ip, "login.refused").await?;
    let now = state.clock.now();
    let app: Option<(String, i64)> =
        sqlx::query_as("SELECT secret, last_step FROM staff_totp WHERE staff_id = $1 AND confirmed_at IS NOT NULL")
            .bind(staff_id)
            .fetch_optional(&state.db)
            .await?;
    let mut tx = begin_write(&state.db).await?;
    // Each kind of code is used up in this transaction: a step newer than
    // the last one used moves it on, a recovery code gets its use. Of two
    // requests with the same code, the second finds nothing to update.
    let used = match (&typed, app) {
        (SecondFactor::App(code), Some((sealed, last_step))) => {
            let key = SecretBox::required(&state.config)?;
            match accepted_step(&key.open(&sealed)?, code, now, last_step)? {
                Some(step) => {
                    sqlx::query("UPDATE staff_totp SET last_step = $1 WHERE staff_id = $2 AND last_step < $1")
                        .bind(step)
                        .bind(staff_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                }
                None => 0,
            }
        }
        (SecondFactor::App(_), None) => 0,
        (SecondFactor::Recovery(code), _) => sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(Time(now))
        .bind(staff_id)
        .bind(recovery_hash(code))
        .execute(&mut *tx)
        .await?
        .rows_affected(),
    };
    if used == 0 {
        tx.rollback().await?;
        login::failed(state, username, ip, "login.code_failed").await?;
        let message = match typed {
            SecondFactor::App(_) => WRONG_CODE,
            SecondFactor::Recovery(_) => crate::domain::message::Message::WrongRecoveryCode,
        };
        return Err(AppError::invalid("code", message).into());
    }
    let ip_text = ip.to_string();
    let origin = sessions::Origin { ip: &ip_text, user_agent };
    let (signed_in, recovery_left) = match typed {
        SecondFactor::App(_) => {
            let how = ("login.succeeded", "with an authenticator code");
            (finish(tx, &waiting, attempt, origin, how, now).await?, None)
        }
        SecondFactor::Recovery(_) => {
            let left: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
                    .bind(staff_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let how = format!("with a recovery code ({left} left)");
            let signed_in = finish(tx, &waiting, attempt, origin, ("login.recovery_code_used", &how), now).await?;
            (signed_in, Some(u32::try_from(left).unwrap_or(0)))
        }
    };
    Ok(Completed { signed_in, recovery_left })
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_steps_around_now_pass_once_each() {
        // RFC 6238 appendix B: the SHA-1 secret and its code at 59 s.
        let secret = b"12345678901234567890";
        let at = DateTime::from_timestamp(59, 0).unwrap();
        assert_eq!(totp(secret.to_vec()).unwrap().generate(59), "287082");
        assert_eq!(accepted_step(secret, "287082", at, 0).unwrap(), Some(1));
        // A step later (the next 30 s) it is still accepted; two later, not.
        assert_eq!(accepted_step(secret, "287082", at + chrono::Duration::seconds(30), 0).unwrap(), Some(1));
        assert_eq!(accepted_step(secret, "287082", at + chrono::Duration::seconds(60), 0).unwrap(), None);
        // Used once (last step 1): refused.
        assert_eq!(accepted_step(secret, "287082", at, 1).unwrap(), None);
        assert_eq!(accepted_step(secret, "000000", at, 0).unwrap(), None);
    }
}
