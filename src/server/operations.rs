//! What an operator runs the app with: an online backup of the database,
//! the health check of configuration and database, and the two endpoints a
//! load balancer asks (`/healthz`: the process answers; `/readyz`: the
//! database answers and its schema is up to date). The endpoints are public
//! on purpose: they tell nothing but "ok" or "not ready".

use std::path::Path;

use anyhow::{bail, Context};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::db::{self, Backend, Db};
use super::state::AppState;

/// The migrations of this build that the database has not applied (or
/// applied with other contents), by version.
pub async fn missing_migrations(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success").fetch_all(db).await?;
    Ok(Backend::of(db)
        .migrator()
        .iter()
        .filter(|m| !applied.iter().any(|(v, sum)| *v == m.version && sum.as_slice() == &*m.checksum))
        .map(|m| m.version)
        .collect())
}

/// A consistent copy of the live database at `to` (SQLite's `VACUUM INTO`:
/// one read transaction, so writers go on while it runs and the copy is
/// the database as of its start). Checks the copy before it says done.
pub async fn backup(db: &Db, to: &Path) -> anyhow::Result<u64> {
    if Backend::of(db) == Backend::Postgres {
        bail!("`backup` copies a SQLite database; on PostgreSQL use pg_dump or the server's own backups");
    }
    if to.exists() {
        bail!("{} exists already: choose a new file (a backup never overwrites one)", to.display());
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        db::create_private_dir(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let target = to.to_str().context("the backup path must be valid UTF-8")?;
    // Readable by this user only: SQLite writes into the empty file as it is.
    db::create_private_file(to).with_context(|| format!("cannot create {}", to.display()))?;
    if let Err(error) = sqlx::query("VACUUM INTO $1").bind(target).execute(db).await {
        let _ = std::fs::remove_file(to);
        return Err(error).context("the backup failed");
    }
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{target}?mode=ro")).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&copy).await?;
    copy.close().await;
    if verdict != "ok" {
        bail!("the backup at {target} failed its integrity check: {verdict}");
    }
    Ok(std::fs::metadata(to)?.len())
}

/// What `msp-manager check` found; `problems` empty means healthy.
#[derive(Debug, Default)]
pub struct Health {
    pub lines: Vec<String>,
    pub problems: Vec<String>,
}

/// Configuration and database health, for `msp-manager check`.
pub async fn check(db: &Db, database_url: &str) -> anyhow::Result<Health> {
    let mut health = Health::default();
    health.lines.push(format!("database: {}", db::shown_url(database_url)));
    let size = db::size_bytes(db).await?;
    health.lines.push(format!("database size: {:.1} MB", size as f64 / 1e6));
    let backend = Backend::of(db);
    if backend == Backend::Sqlite {
        let verdict: String = sqlx::query_scalar("PRAGMA quick_check").fetch_one(db).await?;
        health.lines.push(format!("integrity (quick check): {verdict}"));
        if verdict != "ok" {
            health.problems.push(format!("the database is damaged: {verdict}"));
        }
    }
    let missing = missing_migrations(db).await?;
    let latest = backend.migrator().iter().map(|m| m.version).max().unwrap_or(0);
    if missing.is_empty() {
        health.lines.push(format!("schema: up to date (version {latest})"));
    } else {
        health.problems.push(format!("migrations not applied: {missing:?}"));
    }
    let admins: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND NOT disabled").fetch_one(db).await?;
    health.lines.push(format!("active admins: {admins}"));
    if admins == 0 {
        health.problems.push("there is no active admin: create one with `msp-manager admin create`".to_owned());
    }
    match backend {
        Backend::Sqlite => {
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db).await?;
            health.lines.push(format!("journal mode: {journal}"));
        }
        Backend::Postgres => {
            let version: String = sqlx::query_scalar("SELECT version()").fetch_one(db).await?;
            health.lines.push(format!("server: {version}"));
        }
    }
    Ok(health)
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

async fn healthz() -> impl IntoResponse {
    Json(Ready { status: "ok", reason: None })
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let not_ready =
        |reason: String| (StatusCode::SERVICE_UNAVAILABLE, Json(Ready { status: "not ready", reason: Some(reason) }));
    match missing_migrations(&state.db).await {
        Ok(missing) if missing.is_empty() => (StatusCode::OK, Json(Ready { status: "ok", reason: None })),
        Ok(_) => not_ready("the database schema is not up to date".to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database does not answer");
            not_ready("the database does not answer".to_owned())
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

#[cfg(test)]
mod tests;
