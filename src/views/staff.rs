//! Wire types of staff: what its server functions (`api::staff`) send and take.

use crate::domain::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// An admin reset the password; the user has not chosen a new one yet.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in: Option<DateTime<Utc>>,
}
