//! Staff accounts in the database.

use chrono::{DateTime, Utc};

use super::db::{begin_write, Db, WriteTx};
use super::{audit, passwords};
use crate::api::staff::StaffMember;
use crate::domain::{Password, Role, Username};
use crate::error::AppError;

#[derive(sqlx::FromRow)]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl StaffRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint only allows the three role names.
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    pub fn into_member(self) -> StaffMember {
        StaffMember {
            id: self.id,
            role: self.role(),
            username: self.username,
            disabled: self.disabled,
            created_at: self.created_at,
        }
    }
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<StaffRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, username, password_hash, role, disabled, created_at FROM staff WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(db).await
}

pub async fn list(db: &Db) -> Result<Vec<StaffMember>, sqlx::Error> {
    let rows: Vec<StaffRow> =
        sqlx::query_as("SELECT id, username, password_hash, role, disabled, created_at FROM staff ORDER BY username")
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(StaffRow::into_member).collect())
}

pub async fn count_by_role(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT role, COUNT(*) FROM staff WHERE disabled = FALSE GROUP BY role ORDER BY role")
        .fetch_all(db)
        .await
}

async fn insert(tx: &mut WriteTx, username: &Username, hash: &str, role: Role) -> Result<i64, AppError> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::invalid("username", "This user name is already taken."));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO staff (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(username.as_str())
    .bind(hash)
    .bind(role.as_str())
    .bind(Utc::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Creates a staff account and its audit entry in one transaction.
/// `actor` is who did it (a user name, or "cli" / "system").
pub async fn create(
    db: &Db,
    actor: &str,
    username: &Username,
    password: &Password,
    role: Role,
) -> Result<i64, AppError> {
    let hash = passwords::hash(password).await.map_err(|error| {
        tracing::error!(%error, "password hashing failed");
        AppError::Internal
    })?;
    let mut tx = begin_write(db).await?;
    let id = insert(&mut tx, username, &hash, role).await?;
    audit::record(&mut tx, actor, "staff.created", &format!("staff:{username}"), &format!("role: {role}")).await?;
    tx.commit().await?;
    Ok(id)
}

#[cfg(test)]
pub async fn insert_for_test(db: &Db, username: &str, role: Role) -> i64 {
    let mut tx = begin_write(db).await.unwrap();
    let id = insert(&mut tx, &Username::parse(username).unwrap(), "not-a-hash", role).await.unwrap();
    tx.commit().await.unwrap();
    id
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
        create(&t.db, "cli", &name, &password, Role::Viewer).await.unwrap();
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
        create(&t.db, "cli", &name, &password, Role::Viewer).await.unwrap();
        let again = create(&t.db, "cli", &Username::parse("BOB").unwrap(), &password, Role::Admin).await;
        assert_eq!(again.unwrap_err().for_field("username").as_deref(), Some("This user name is already taken."));
        assert_eq!(count(&t.db).await.unwrap(), 1);
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&t.db).await.unwrap();
        assert_eq!(audit, 1);
    }
}
