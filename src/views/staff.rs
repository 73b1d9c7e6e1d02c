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

/// How staff sign in, as an admin's settings show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPolicy {
    pub require_two_factor: crate::domain::sign_in_policy::TwoFactorRule,
    /// What a save sends back, so that two admins' saves do not cross.
    pub version: i64,
    /// The server can keep authenticator secrets (`MSP_SECRET_KEY`): staff
    /// can set up a second factor, so the rule may require one.
    pub factors_available: bool,
    /// The admin looking at it has a second factor.
    pub yours_is_set_up: bool,
}
