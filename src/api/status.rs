use crate::error::AppError;
pub use crate::views::status::*;
use leptos::prelude::*;

#[server(endpoint = "server_status")]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, status};
    let user = guard::authorize(Role::Viewer).await?;
    status::collect(&guard::state()?, user.role.includes(Role::Admin)).await
}
