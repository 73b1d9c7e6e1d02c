use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Role;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// All staff accounts (admins only).
#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    use crate::server::{guard, staff};
    guard::authorize(Role::Admin)?;
    Ok(staff::list(&guard::state()?.db).await?)
}

/// Adds a staff account (admins only).
#[server(endpoint = "create_staff")]
pub async fn create_staff(username: String, role: String, password: String) -> Result<(), AppError> {
    use crate::domain::{Password, Username};
    use crate::server::{guard, staff};
    let admin = guard::authorize(Role::Admin)?;
    let username = Username::parse(&username).map_err(|e| AppError::invalid("username", e))?;
    let role = Role::parse(&role).map_err(|e| AppError::invalid("role", e))?;
    let password = Password::parse(&password).map_err(|e| AppError::invalid("password", e))?;
    staff::create(&guard::state()?.db, &admin.username, &username, &password, role).await?;
    Ok(())
}
