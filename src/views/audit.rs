//! Wire types of audit: what its server functions (`api::audit`) send and take.

pub use crate::domain::audit_log::{AuditCustomer, AuditEntry, FieldChange};
use crate::domain::audit_query::AuditCursor;
use serde::{Deserialize, Serialize};
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
