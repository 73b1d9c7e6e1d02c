//! One file per module of the navigation, plus sign-in and "not found".

mod access_tokens;
pub mod alerts;
mod audit;
mod costs;
pub mod customers;
mod login;
pub mod not_found;
mod password;
mod preferences;
mod sessions;
mod settings;
mod status;
mod two_factor;

pub use audit::AuditPage;
pub use costs::{CostsPage, StatementsPage};
pub use login::{LoginCodePage, LoginPage};
pub use not_found::NotFound;
pub use password::PasswordPage;
pub use settings::SettingsPage;
pub use status::StatusPage;
