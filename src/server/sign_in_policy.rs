//! The sign-in policy: who must have a second factor. Staff it covers who
//! have none are sent to set one up after their password and can do
//! nothing else until then (`security::require_sign_in`).

use chrono::{DateTime, Utc};

use super::audit;
use super::config::Config;
use super::db::{begin_write, Db};
use super::error::Result;
use super::secret_box::SecretBox;
use crate::domain::sign_in_policy::TwoFactorRule;
use crate::error::AppError;
use crate::views::session::CurrentUser;
use crate::views::staff::SignInPolicy;

/// The rule stored (an unknown value, which the CHECK constraint keeps
/// out, reads as the strictest).
pub fn rule_of(raw: &str) -> TwoFactorRule {
    TwoFactorRule::parse(raw).unwrap_or(TwoFactorRule::Everyone)
}

/// Whether a second factor can be set up on this server.
fn factors_available(config: &Config) -> bool {
    matches!(SecretBox::from_config(config), Ok(Some(_)))
}

/// The policy as `admin` sees it.
pub async fn get(db: &Db, config: &Config, admin: &CurrentUser) -> Result<SignInPolicy> {
    let (raw, version): (String, i64) =
        sqlx::query_as("SELECT require_two_factor, version FROM sign_in_policy WHERE id = 1").fetch_one(db).await?;
    Ok(SignInPolicy {
        require_two_factor: rule_of(&raw),
        version,
        factors_available: factors_available(config),
        yours_is_set_up: super::two_factor::has_second_factor(db, admin.id).await?,
    })
}

/// Whether `role` must have a second factor now.
pub async fn requires_two_factor(db: &Db, role: crate::domain::Role) -> Result<bool> {
    let raw: String =
        sqlx::query_scalar("SELECT require_two_factor FROM sign_in_policy WHERE id = 1").fetch_one(db).await?;
    Ok(rule_of(&raw).covers(role))
}

/// Saves the rule (`version` from the page that showed it). A rule that
/// requires a factor needs a server that can keep one. Whether the admin
/// must now set up a factor of their own before anything else.
pub async fn save(
    db: &Db,
    config: &Config,
    admin: &CurrentUser,
    rule: TwoFactorRule,
    version: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    if rule != TwoFactorRule::Nobody && !factors_available(config) {
        return Err(AppError::invalid("require_two_factor", crate::domain::message::Message::PolicyNeedsKey).into());
    }
    let mut tx = begin_write(db).await?;
    let (old, stored_version): (String, i64) =
        sqlx::query_as("SELECT require_two_factor, version FROM sign_in_policy WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    if stored_version != version {
        return Err(AppError::conflict(crate::domain::message::Message::PolicyChanged).into());
    }
    let old = rule_of(&old);
    let held_back = rule.covers(admin.role) && !super::two_factor::has_second_factor(db, admin.id).await?;
    if old == rule {
        return Ok(held_back);
    }
    sqlx::query("UPDATE sign_in_policy SET require_two_factor = $1, version = version + 1 WHERE id = 1")
        .bind(rule.as_str())
        .execute(&mut *tx)
        .await?;
    let detail = format!("two-factor required for: {} → {}", old.as_str(), rule.as_str());
    audit::record(&mut tx, &admin.username, "settings.sign_in_policy_changed", "settings:sign-in", &detail, now)
        .await?;
    tx.commit().await?;
    Ok(held_back)
}
