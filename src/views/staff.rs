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
    /// The email an admin gave for single sign-on, if any.
    pub sso_email: Option<String>,
    /// Signed in through the provider at least once (its subject is known).
    pub sso_linked: bool,
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

/// Single sign-on as an admin's settings show it (the client secret never
/// leaves the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSignOnView {
    pub settings: crate::domain::single_sign_on::SsoSettings,
    /// A client secret is stored (an empty field on save keeps it).
    pub has_secret: bool,
    pub version: i64,
    /// What to register at the provider as the redirect URI.
    pub redirect_uri: String,
    /// The server can keep the client secret (`MSP_SECRET_KEY`).
    pub secrets_available: bool,
    /// The active admins, one of whom may be the break-glass account.
    pub admins: Vec<AdminChoice>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminChoice {
    pub id: i64,
    pub username: String,
}

/// Single sign-on's settings form as the browser posts it (fields named
/// `form[issuer_url]` and so on; checked by `SsoSettings::parse`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSignOnForm {
    /// "on" when ticked (a checkbox sends nothing otherwise).
    pub enabled: Option<String>,
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    /// Empty or missing: keep the stored secret.
    pub client_secret: Option<String>,
    pub allowed_domains: String,
    pub new_staff_role: String,
    pub role_claim: String,
    pub role_admin: String,
    pub role_operator: String,
    pub role_viewer: String,
    /// `everyone`, or the id of the break-glass admin.
    pub password_sign_in: String,
}
