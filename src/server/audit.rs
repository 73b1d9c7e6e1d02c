//! The audit log: who changed what and when. Every entry is written in the
//! same transaction as the change it describes.

use chrono::{DateTime, Utc};

use super::db::{Db, WriteTx};
use crate::api::audit::{AuditEntry, FieldChange};

/// One entry to write. `subject` names what changed (`staff:alice`,
/// `customer:42`); `changes` lists each field with its old and new value.
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: String,
    pub detail: String,
    pub customer_id: Option<i64>,
    pub changes: Vec<FieldChange>,
    /// When it happened (now, except for demo history).
    pub at: DateTime<Utc>,
}

pub async fn write(tx: &mut WriteTx, entry: Entry<'_>) -> Result<(), sqlx::Error> {
    let changes = serde_json::to_string(&entry.changes).unwrap_or_else(|_| "[]".to_owned());
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail, customer_id, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.at)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.detail)
    .bind(entry.customer_id)
    .bind(changes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A plain entry without field changes (sign-ins, staff accounts).
pub async fn record(
    tx: &mut WriteTx,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor,
        action,
        subject: subject.to_owned(),
        detail: detail.to_owned(),
        customer_id: None,
        changes: Vec::new(),
        at: Utc::now(),
    };
    write(tx, entry).await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    changes: String,
}

impl From<Row> for AuditEntry {
    fn from(row: Row) -> Self {
        AuditEntry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
        }
    }
}

const COLUMNS: &str = "id, at, actor, action, subject, detail, changes";

pub async fn latest(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

pub async fn of_customer(db: &Db, customer_id: i64, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_log WHERE customer_id = $1 ORDER BY id DESC LIMIT $2"))
            .bind(customer_id)
            .bind(limit)
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{begin_write, testing};

    #[tokio::test]
    async fn entries_cannot_be_changed_or_deleted_even_by_plain_sql() {
        let t = testing::fresh().await;
        let mut tx = begin_write(&t.db).await.unwrap();
        let entry = Entry {
            actor: "ada",
            action: "settings.saved",
            subject: "settings".to_owned(),
            detail: String::new(),
            customer_id: None,
            changes: Vec::new(),
            at: chrono::Utc::now(),
        };
        write(&mut tx, entry).await.unwrap();
        tx.commit().await.unwrap();
        let update = sqlx::query("UPDATE audit_log SET actor = 'mallory'").execute(&t.db).await.unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let delete = sqlx::query("DELETE FROM audit_log").execute(&t.db).await.unwrap_err();
        assert!(delete.to_string().contains("cannot be deleted"), "{delete}");
        let actors: Vec<String> = sqlx::query_scalar("SELECT actor FROM audit_log").fetch_all(&t.db).await.unwrap();
        assert_eq!(actors, ["ada"]);
    }
}
