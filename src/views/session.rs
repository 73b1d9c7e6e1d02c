//! Wire types of session: what its server functions (`api::session`) send and take.

use crate::domain::Role;
use serde::{Deserialize, Serialize};
/// The signed-in staff member, as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// An admin reset the password: nothing but choosing a new one (and
    /// signing out) is allowed until then.
    pub must_change_password: bool,
}
