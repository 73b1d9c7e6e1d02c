use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

pub use crate::domain::audit_log::{AuditCustomer, AuditEntry, FieldChange};
use crate::domain::audit_query::{AuditCursor, AuditFilter};
use crate::error::AppError;

/// One page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    pub entries: Vec<AuditEntry>,
    /// Entries matching the filter, on every page.
    pub total: u64,
    /// The cursor of the page before (newer entries), if there are any.
    pub newer: Option<AuditCursor>,
    /// The cursor of the page after (older entries), if there are any.
    pub older: Option<AuditCursor>,
    /// Who may appear as "who": staff user names and the app's own actors.
    pub people: Vec<String>,
}

/// Part of the filtered log for the CSV export: up to `EXPORT_CHUNK`
/// entries older than `before`, and where the next part starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditChunk {
    pub entries: Vec<AuditEntry>,
    pub next: Option<i64>,
}

/// A page of the audit log (every role reads it; nobody can change it).
#[server(endpoint = "audit/page", input = Json)]
pub async fn audit_log(filter: AuditFilter, cursor: AuditCursor) -> Result<AuditLogPage, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    guard::authorize(Role::Viewer).await?;
    filter.check().map_err(|m| AppError::Invalid(vec![m]))?;
    audit::page(&guard::state()?.db, &filter, cursor).await
}

/// The filtered entries for the CSV export, part by part.
#[server(endpoint = "audit/export", input = Json)]
pub async fn audit_export(filter: AuditFilter, before: Option<i64>) -> Result<AuditChunk, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    guard::authorize(Role::Viewer).await?;
    filter.check().map_err(|m| AppError::Invalid(vec![m]))?;
    audit::export_chunk(&guard::state()?.db, &filter, before).await
}
