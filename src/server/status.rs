//! Figures for the Status page.

use super::db;
use super::staff;
use super::state::AppState;
use crate::api::status::ServerStatus;
use crate::error::AppError;

pub async fn collect(state: &AppState) -> Result<ServerStatus, AppError> {
    let (migrations, latest_migration): (i64, Option<String>) = sqlx::query_as(
        "SELECT COUNT(*), (SELECT description FROM _sqlx_migrations ORDER BY version DESC LIMIT 1) FROM _sqlx_migrations",
    )
    .fetch_one(&state.db)
    .await?;
    let known = db::MIGRATOR.iter().count() as i64;
    Ok(ServerStatus {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_seconds: state.started.elapsed().as_secs(),
        database_backend: "SQLite".to_owned(),
        database_bytes: db::size_bytes(&state.db).await?,
        migrations_applied: migrations,
        migrations_known: known,
        latest_migration: latest_migration.unwrap_or_default(),
        staff_by_role: staff::count_by_role(&state.db).await?,
    })
}
