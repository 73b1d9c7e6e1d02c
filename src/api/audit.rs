use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub changes: Vec<FieldChange>,
}

/// One field of a change: its old and new value as shown to people
/// (empty when there was none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

impl FieldChange {
    pub fn new(field: &str, old: impl ToString, new: impl ToString) -> Self {
        Self { field: field.to_owned(), old: old.to_string(), new: new.to_string() }
    }
}

/// The newest audit entries (every role may read the audit log).
#[server(endpoint = "latest_audit")]
pub async fn latest_audit() -> Result<Vec<AuditEntry>, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    guard::authorize(Role::Viewer)?;
    Ok(audit::latest(&guard::state()?.db, 200).await?)
}
