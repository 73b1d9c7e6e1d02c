//! Staff accounts in the database.

use chrono::{DateTime, Utc};
use std::net::IpAddr;

use super::db::{begin_write, Db, Flag, Time, WriteTx};
use super::error::Result;
use super::passwords::HashLimit;
use super::state::AppState;
use super::{audit, passwords};
use crate::domain::audit_log::FieldChange;
use crate::domain::locale::Language;
use crate::domain::{Password, Role, Username};
use crate::error::AppError;
use crate::views::session::CurrentUser;
use crate::views::staff::StaffMember;

#[derive(sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    #[sqlx(try_from = "Flag")]
    pub disabled: bool,
    #[sqlx(try_from = "Flag")]
    pub must_change_password: bool,
    #[sqlx(try_from = "Time")]
    pub created_at: DateTime<Utc>,
    pub sso_email: Option<String>,
    pub sso_subject: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
}

impl StaffRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint only allows the three role names.
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    /// The account as a signed-in user (`must_set_up_two_factor`: the
    /// policy requires a second factor it lacks).
    pub fn into_user(self, must_set_up_two_factor: bool) -> CurrentUser {
        CurrentUser {
            id: self.id,
            role: self.role(),
            must_change_password: self.must_change_password,
            must_set_up_two_factor,
            username: self.username,
            language: self.language.as_deref().and_then(Language::parse),
            time_zone: self.time_zone,
        }
    }

    pub fn into_member(self) -> StaffMember {
        StaffMember {
            id: self.id,
            role: self.role(),
            username: self.username,
            disabled: self.disabled,
            must_change_password: self.must_change_password,
            created_at: self.created_at,
            last_sign_in: None,
            sso_email: self.sso_email,
            sso_linked: self.sso_subject.is_some(),
        }
    }
}

pub(crate) const COLUMNS: &str = "id, username, password_hash, role, CAST(disabled AS INTEGER) AS disabled, \
                       CAST(must_change_password AS INTEGER) AS must_change_password, created_at, sso_email, \
                       sso_subject, language, time_zone";

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE username = $1")).bind(username).fetch_optional(db).await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(db).await
}

pub async fn list(db: &Db) -> Result<Vec<StaffMember>> {
    let rows: Vec<StaffRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff ORDER BY username")).fetch_all(db).await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let last: Option<Time> = sqlx::query_scalar(
            "SELECT at FROM login_attempts WHERE username = $1 AND succeeded = TRUE ORDER BY at DESC LIMIT 1",
        )
        .bind(&row.username)
        .fetch_optional(db)
        .await?;
        members.push(StaffMember { last_sign_in: last.map(DateTime::from), ..row.into_member() });
    }
    Ok(members)
}

pub async fn count_by_role(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT role, COUNT(*) FROM staff WHERE disabled = FALSE GROUP BY role ORDER BY role")
        .fetch_all(db)
        .await
}

pub(super) async fn insert(
    tx: &mut WriteTx,
    username: &Username,
    hash: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<i64> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::invalid("username", crate::domain::message::Message::UsernameTaken).into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(username.as_str())
    .bind(hash)
    .bind(role.as_str())
    .bind(Time(now))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A new password's hash, once it passed the common-password check
/// (`field` names the form field a refusal is about).
async fn new_hash(limit: &HashLimit, password: &Password, username: &str, field: &str) -> Result<String> {
    if let Some(problem) = passwords::weakness(password, username) {
        return Err(AppError::invalid(field, problem).into());
    }
    passwords::hash(limit, password).await
}

/// Creates a staff account and its audit entry in one transaction.
/// `actor` is who did it (a user name, or "cli" / "system").
pub async fn create(
    db: &Db,
    limit: &HashLimit,
    actor: &str,
    username: &Username,
    password: &Password,
    role: Role,
    now: DateTime<Utc>,
) -> Result<i64> {
    create_account(db, limit, actor, NewAccount { username, password, role, sso_email: None }, now).await
}

/// A staff account to create.
pub struct NewAccount<'a> {
    pub username: &'a Username,
    pub password: &'a Password,
    pub role: Role,
    /// The email its first sign-in through the provider links it by.
    pub sso_email: Option<&'a str>,
}

/// [`create`], with an email for single sign-on.
pub async fn create_account(
    db: &Db,
    limit: &HashLimit,
    actor: &str,
    new: NewAccount<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let NewAccount { username, password, role, sso_email } = new;
    let hash = new_hash(limit, password, username.as_str(), "password").await?;
    let mut tx = begin_write(db).await?;
    let id = insert(&mut tx, username, &hash, role, now).await?;
    let mut detail = format!("role: {role}");
    if let Some(email) = sso_email {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE sso_email = $1")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AppError::invalid("sso_email", crate::domain::message::Message::SsoEmailTaken).into());
        }
        sqlx::query("UPDATE staff SET sso_email = $1 WHERE id = $2").bind(email).bind(id).execute(&mut *tx).await?;
        detail.push_str(&format!(", single sign-on email: {email}"));
    }
    let subject = format!("staff:{username}");
    audit::record(&mut tx, actor, "staff.created", &subject, &detail, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The account `id`, read inside a write transaction.
pub(super) async fn find(tx: &mut WriteTx, id: i64) -> Result<StaffRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM staff WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound.into())
}

/// Refuses a change that would leave no active admin: `target` is about to
/// stop being one.
async fn keep_an_admin(tx: &mut WriteTx, target: &StaffRow) -> Result<()> {
    if target.role() != Role::Admin || target.disabled {
        return Ok(());
    }
    if super::single_sign_on::is_break_glass(tx, target.id).await? {
        return Err(AppError::conflict(crate::domain::message::Message::BreakGlassAdmin {
            name: target.username.clone(),
        })
        .into());
    }
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = FALSE")
        .fetch_one(&mut **tx)
        .await?;
    if admins <= 1 {
        return Err(
            AppError::conflict(crate::domain::message::Message::LastAdmin { name: target.username.clone() }).into()
        );
    }
    Ok(())
}

/// Ends the sessions of `staff_id` (but the one of `except_token_hash`);
/// how many ended.
pub(super) async fn end_sessions(
    tx: &mut WriteTx,
    staff_id: i64,
    except_token_hash: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2")
        .bind(staff_id)
        .bind(except_token_hash.unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

fn staff_entry<'a>(
    actor: &'a str,
    action: &'a str,
    target: &StaffRow,
    changes: Vec<FieldChange>,
    at: DateTime<Utc>,
) -> audit::Entry<'a> {
    audit::Entry {
        actor,
        action,
        subject: format!("staff:{}", target.username),
        detail: String::new(),
        customer_id: None,
        changes,
        at,
    }
}

/// Sets the email account `id` is linked to single sign-on by (`None`:
/// none). A changed email drops the link to the provider's person: the
/// next sign-in there with the new email links it again.
pub async fn set_sso_email(db: &Db, actor: &str, id: i64, email: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let target = find(&mut tx, id).await?;
    if target.sso_email.as_deref() == email {
        return Ok(());
    }
    if let Some(email) = email {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE sso_email = $1 AND id <> $2")
            .bind(email)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AppError::invalid("sso_email", crate::domain::message::Message::SsoEmailTaken).into());
        }
    }
    sqlx::query("UPDATE staff SET sso_email = $1, sso_issuer = NULL, sso_subject = NULL WHERE id = $2")
        .bind(email)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let change =
        FieldChange::new("sso_email", target.sso_email.as_deref().unwrap_or_default(), email.unwrap_or_default());
    audit::write(&mut tx, staff_entry(actor, "staff.sso_email_changed", &target, vec![change], now)).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives account `id` another role. The last active admin keeps theirs.
/// Signed-in sessions carry on with the new role from their next request.
#[tracing::instrument(skip_all, fields(actor = %actor, staff = id))]
pub async fn change_role(db: &Db, actor: &str, id: i64, role: Role, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let target = find(&mut tx, id).await?;
    if target.role() == role {
        return Ok(());
    }
    if role != Role::Admin {
        keep_an_admin(&mut tx, &target).await?;
    }
    sqlx::query("UPDATE staff SET role = $1 WHERE id = $2").bind(role.as_str()).bind(id).execute(&mut *tx).await?;
    let change = FieldChange::new("role", target.role().label(), role.label());
    audit::write(&mut tx, staff_entry(actor, "staff.role_changed", &target, vec![change], now)).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables account `id` (its sessions end at once: the next request of
/// each is anonymous) or enables it again. Nobody disables themselves, and
/// the last active admin stays.
#[tracing::instrument(skip_all, fields(actor = %actor.username, staff = id))]
pub async fn set_disabled(db: &Db, actor: &CurrentUser, id: i64, disabled: bool, now: DateTime<Utc>) -> Result<()> {
    if disabled && actor.id == id {
        return Err(AppError::conflict(crate::domain::message::Message::DisableSelf).into());
    }
    let mut tx = begin_write(db).await?;
    let target = find(&mut tx, id).await?;
    if target.disabled == disabled {
        return Ok(());
    }
    if disabled {
        keep_an_admin(&mut tx, &target).await?;
        end_sessions(&mut tx, id, None).await?;
    }
    sqlx::query("UPDATE staff SET disabled = $1 WHERE id = $2").bind(disabled).bind(id).execute(&mut *tx).await?;
    let (action, old, new) =
        if disabled { ("staff.disabled", "active", "disabled") } else { ("staff.enabled", "disabled", "active") };
    let change = FieldChange::new("state", old, new);
    audit::write(&mut tx, staff_entry(&actor.username, action, &target, vec![change], now)).await?;
    tx.commit().await?;
    Ok(())
}

/// An admin sets a temporary password for account `id`: its sessions end,
/// and at the next sign-in the user must choose a new one.
#[tracing::instrument(skip_all, fields(actor = %actor.username, staff = id))]
pub async fn reset_password(
    db: &Db,
    limit: &HashLimit,
    actor: &CurrentUser,
    id: i64,
    password: &Password,
    now: DateTime<Utc>,
) -> Result<()> {
    if actor.id == id {
        return Err(AppError::conflict(crate::domain::message::Message::OwnPassword).into());
    }
    let username: Option<String> =
        sqlx::query_scalar("SELECT username FROM staff WHERE id = $1").bind(id).fetch_optional(db).await?;
    let hash = new_hash(limit, password, &username.ok_or(AppError::NotFound)?, "password").await?;
    let mut tx = begin_write(db).await?;
    let target = find(&mut tx, id).await?;
    sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = TRUE WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    end_sessions(&mut tx, id, None).await?;
    audit::write(&mut tx, staff_entry(&actor.username, "staff.password_reset", &target, Vec::new(), now)).await?;
    tx.commit().await?;
    Ok(())
}

/// A signed-in user changes their own password: the current one first
/// (under the sign-in limits, from the caller's address `ip`), then a new
/// one that passes the checks. Their other sessions end; this one stays.
#[tracing::instrument(skip_all, fields(actor = %user.username))]
pub async fn change_own_password(
    state: &AppState,
    user: &CurrentUser,
    token_hash: &str,
    current: String,
    new: &Password,
    ip: IpAddr,
) -> Result<()> {
    let now = state.clock.now();
    let same = current == new.expose();
    super::login::check_current_password(state, user, current, ip).await?;
    if same {
        return Err(AppError::invalid("new_password", crate::domain::message::Message::SamePassword).into());
    }
    let db = &state.db;
    let hash = new_hash(&state.hash_limit, new, &user.username, "new_password").await?;
    let mut tx = begin_write(db).await?;
    let target = find(&mut tx, user.id).await?;
    sqlx::query("UPDATE staff SET password_hash = $1, must_change_password = FALSE WHERE id = $2")
        .bind(hash)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    end_sessions(&mut tx, user.id, Some(token_hash)).await?;
    audit::write(&mut tx, staff_entry(&user.username, "staff.password_changed", &target, Vec::new(), now)).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
pub async fn insert_for_test(db: &Db, username: &str, role: Role) -> i64 {
    let mut tx = begin_write(db).await.unwrap();
    let id =
        insert(&mut tx, &Username::parse(username).unwrap(), "not-a-hash", role, chrono::Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A staff member's language and time zone, with the choices.
pub async fn preferences(db: &Db, user: &CurrentUser) -> Result<crate::views::session::AccountPreferences> {
    let billing = super::billing::settings(db).await?;
    let time_zones = super::billing::time_zone_names();
    Ok(crate::views::session::AccountPreferences {
        language: user.language,
        time_zone: user.time_zone.clone(),
        billing_time_zone: billing.time_zone,
        time_zones,
    })
}

pub async fn set_preferences(db: &Db, id: i64, preferences: &crate::domain::locale::Preferences) -> Result<()> {
    let mut tx = begin_write(db).await?;
    sqlx::query("UPDATE staff SET language = $1, time_zone = $2 WHERE id = $3")
        .bind(preferences.language.map(Language::code))
        .bind(preferences.time_zone.as_deref())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::testing;

    #[tokio::test]
    async fn creating_a_staff_member_writes_one_audit_entry() {
        let t = testing::fresh().await;
        let name = Username::parse("Bob").unwrap();
        let password = Password::parse("twelve chars!").unwrap();
        create(&t.db, &HashLimit::default(), "cli", &name, &password, Role::Viewer, chrono::Utc::now()).await.unwrap();
        let row = find_by_username(&t.db, "bob").await.unwrap().unwrap();
        assert_eq!(row.role(), Role::Viewer);
        let entries: Vec<(String, String, String)> =
            sqlx::query_as("SELECT actor, action, subject FROM audit_log").fetch_all(&t.db).await.unwrap();
        assert_eq!(entries, vec![("cli".into(), "staff.created".into(), "staff:bob".into())]);
    }

    #[tokio::test]
    async fn a_taken_user_name_is_refused_and_nothing_is_written() {
        let t = testing::fresh().await;
        let name = Username::parse("bob").unwrap();
        let password = Password::parse("twelve chars!").unwrap();
        create(&t.db, &HashLimit::default(), "cli", &name, &password, Role::Viewer, chrono::Utc::now()).await.unwrap();
        let again = create(
            &t.db,
            &HashLimit::default(),
            "cli",
            &Username::parse("BOB").unwrap(),
            &password,
            Role::Admin,
            chrono::Utc::now(),
        )
        .await;
        assert_eq!(again.unwrap_err().for_field("username").as_deref(), Some("This user name is already taken."));
        assert_eq!(count(&t.db).await.unwrap(), 1);
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&t.db).await.unwrap();
        assert_eq!(audit, 1);
    }
}
