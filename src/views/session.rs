//! Wire types of session: what its server functions (`api::session`) send and take.

use crate::domain::locale::Language;
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
    /// The sign-in policy requires a second factor and this account has
    /// none: nothing but setting one up (and signing out) is allowed.
    pub must_set_up_two_factor: bool,
    /// Their own choice of language; `None`: the browser's.
    pub language: Option<Language>,
    /// Their own time zone (an IANA name); `None`: the billing time zone.
    pub time_zone: Option<String>,
}

/// One of the signed-in staff member's sessions, as their account page
/// lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveSession {
    /// What ends it (`end_my_session`); not its token, nor the token's hash.
    pub id: String,
    /// Browser and system, from the user agent ("Firefox on Windows").
    pub device: String,
    /// The address it was signed in from.
    pub address: String,
    pub signed_in_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    /// The session of the browser asking.
    pub current: bool,
}

/// Two-factor sign-in of the signed-in staff member, as their account page
/// shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorState {
    /// Sign-in asks for an authenticator code.
    pub enabled: bool,
    /// The server has a key to keep secrets with (`MSP_SECRET_KEY`).
    pub available: bool,
    /// Unused recovery codes.
    pub recovery_left: u32,
    /// The sign-in policy requires a second factor of this account: the
    /// last one cannot be turned off or removed.
    pub required: bool,
    /// The account's passkeys and security keys.
    pub passkeys: Vec<PasskeyInfo>,
    /// The server knows its own address (`MSP_PUBLIC_URL`), which passkeys
    /// are bound to.
    pub passkeys_available: bool,
}

impl TwoFactorState {
    /// Sign-in asks for a second factor.
    pub fn any_factor(&self) -> bool {
        self.enabled || !self.passkeys.is_empty()
    }
}

/// A passkey or security key of the signed-in staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    /// What removes it (`remove_passkey`).
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What the sign-in page offers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The provider's name for the "Sign in with" button, when single
    /// sign-on is on.
    pub single_sign_on: Option<String>,
    /// Everyone may sign in with a password (else only the break-glass
    /// admin).
    pub password_for_everyone: bool,
}

/// What the second step of a sign-in offers, for the account whose
/// password was right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethods {
    /// A code from the authenticator app.
    pub app: bool,
    /// A passkey or security key.
    pub passkey: bool,
}

/// A new authenticator secret, shown once to set up the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    /// Base32 in groups of four, for typing it in.
    pub secret: String,
    /// The `otpauth://` address as a QR code, an SVG drawn on the server.
    pub qr_svg: String,
}

/// The signed-in staff member's language and time zone, as their account
/// page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPreferences {
    /// `None`: the browser's language.
    pub language: Option<Language>,
    /// `None`: the billing time zone.
    pub time_zone: Option<String>,
    pub billing_time_zone: String,
    /// Every IANA time zone, sorted.
    pub time_zones: Vec<String>,
}

/// A personal access token as its owner (and admins) see it: never the
/// token itself, only its first characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenInfo {
    pub id: i64,
    pub name: String,
    pub owner: String,
    /// `mspt_` and the next 8 characters.
    pub prefix: String,
    pub scope: crate::domain::access_token::TokenScope,
    pub state: crate::domain::access_token::TokenState,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The caller's tokens; for an admin also everyone else's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokens {
    pub own: Vec<AccessTokenInfo>,
    /// `None` unless the caller is an admin.
    pub others: Option<Vec<AccessTokenInfo>>,
    /// The widest scope the caller may give a token.
    pub widest: crate::domain::access_token::TokenScope,
}

/// A token just made: the only time it is seen in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessToken {
    pub token: String,
    pub info: AccessTokenInfo,
}
