use crate::error::AppError;
use crate::views::status::*;
use leptos::prelude::*;

#[server(endpoint = "server_status")]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, status};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(status::collect(&caller.state, caller.user.role.includes(Role::Admin)).await?)
}
