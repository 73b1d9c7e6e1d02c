use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// The newest audit entries (every role may read the audit log).
#[server(endpoint = "latest_audit")]
pub async fn latest_audit() -> Result<Vec<AuditEntry>, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    guard::authorize(Role::Viewer)?;
    Ok(audit::latest(&guard::state()?.db, 200).await?)
}
