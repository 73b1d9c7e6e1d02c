use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub version: String,
    pub uptime_seconds: u64,
    pub database_backend: String,
    pub database_bytes: i64,
    pub migrations_applied: i64,
    pub migrations_known: i64,
    pub latest_migration: String,
    pub staff_by_role: Vec<(String, i64)>,
}

#[server(endpoint = "server_status")]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, status};
    guard::authorize(Role::Viewer)?;
    status::collect(&guard::state()?).await
}
