pub use crate::domain::audit_log::{AuditCustomer, AuditEntry, FieldChange};
use crate::domain::audit_query::{AuditCursor, AuditFilter};
use crate::error::AppError;
use crate::views::audit::*;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// A page of the audit log (every role reads it; nobody can change it).
#[server(endpoint = "audit/page", input = Json)]
pub async fn audit_log(filter: AuditFilter, cursor: AuditCursor) -> Result<AuditLogPage, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    let caller = guard::caller(Role::Viewer).await?;
    filter.check().map_err(|m| AppError::Invalid(vec![m]))?;
    Ok(audit::page(&caller.state.db, &filter, cursor).await?)
}

/// The filtered entries for the CSV export, part by part.
#[server(endpoint = "audit/export", input = Json)]
pub async fn audit_export(filter: AuditFilter, before: Option<i64>) -> Result<AuditChunk, AppError> {
    use crate::domain::Role;
    use crate::server::{audit, guard};
    let caller = guard::caller(Role::Viewer).await?;
    filter.check().map_err(|m| AppError::Invalid(vec![m]))?;
    Ok(audit::export_chunk(&caller.state.db, &filter, before).await?)
}
