//! The one error type that crosses from the server to the browser.
//!
//! Server functions return `Result<T, AppError>`. Database and other internal
//! errors are logged with their detail on the server and reach the browser only
//! as [`AppError::Internal`], a generic message without SQL or stack traces.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::FieldMessage;

/// The fields and their messages' codes, for the log (a page writes the
/// messages themselves in its reader's language; `for_field` in English).
fn messages(problems: &[FieldMessage]) -> String {
    let codes = problems.iter().map(|p| format!("{}: {:?}", p.field, p.message)).collect::<Vec<_>>();
    format!("Invalid input ({})", codes.join(", "))
}

/// What a busy server asks a caller to wait before trying again.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Please sign in again.")]
    Unauthenticated,
    #[error("Your role does not allow this. Ask an administrator.")]
    Forbidden,
    #[error("An administrator reset your password: choose a new one first.")]
    PasswordChangeRequired,
    #[error("Two-factor sign-in is required for your account: set it up first.")]
    TwoFactorSetupRequired,
    /// Bad input, with a message for each wrong field of the form.
    #[error("{}", messages(.0))]
    Invalid(Vec<FieldMessage>),
    /// The state does not allow it (changed meanwhile, already so, the
    /// last admin…): what to do, as a rule's message.
    #[error("{}", .0.english())]
    Conflict(crate::domain::message::Said),
    #[error("Not found.")]
    NotFound,
    /// Too many attempts: the message says when to try again, as does the
    /// response's `Retry-After` header.
    #[error("{}", message.english())]
    TooManyRequests { message: crate::domain::message::Said, retry_after_secs: u64 },
    /// The server is at its bound of expensive work (password hashing):
    /// answered at once with 503 and `Retry-After`.
    #[error("The server is busy. Please try again in a few seconds.")]
    Busy,
    /// The request body is larger than a server function accepts.
    #[error("The request is too large.")]
    TooLarge,
    #[error("The request was not understood: {0}")]
    BadRequest(String),
    #[error("The server could not be reached. Check your connection and try again.")]
    Network,
    #[error("Something went wrong on the server. Please try again; if it keeps happening, tell your administrator.")]
    Internal,
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<crate::domain::message::Message>) -> Self {
        AppError::Invalid(vec![FieldMessage::new(field, message)])
    }

    /// A refusal because of the state of things (see [`AppError::Conflict`]).
    pub fn conflict(message: impl Into<crate::domain::message::Message>) -> Self {
        AppError::Conflict(crate::domain::message::Said::from(message.into()))
    }

    /// The message for a given form field, if this error is about it.
    pub fn message_for(&self, name: &str) -> Option<&crate::domain::message::Said> {
        match self {
            AppError::Invalid(problems) => problems.iter().find(|p| p.field == name).map(|p| &p.message),
            _ => None,
        }
    }

    /// The message for a given form field in English (the log, the tests).
    pub fn for_field(&self, name: &str) -> Option<String> {
        self.message_for(name).map(crate::domain::message::Said::english)
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::PasswordChangeRequired | AppError::TwoFactorSetupRequired => 403,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::NotFound => 404,
            AppError::TooManyRequests { .. } => 429,
            AppError::Busy => 503,
            AppError::TooLarge => 413,
            AppError::BadRequest(_) => 400,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// Seconds to send as `Retry-After`, for the errors that say to wait.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_secs, .. } => Some(*retry_after_secs),
            AppError::Busy => Some(BUSY_RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => AppError::BadRequest(detail),
            other => {
                tracing::error!(error = %other, "server function failed");
                AppError::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_say_nothing_about_sql() {
        let text = AppError::Internal.to_string();
        assert!(!text.to_lowercase().contains("sql"));
        assert_eq!(AppError::Internal.status_code(), 500);
    }

    #[test]
    fn field_errors_belong_to_their_field() {
        let e = AppError::invalid("name", "Enter a name.");
        assert_eq!(e.for_field("name").as_deref(), Some("Enter a name."));
        assert_eq!(e.for_field("max_users"), None);
        assert_eq!(e.status_code(), 422);
    }

    #[test]
    fn survives_the_trip_to_the_browser() {
        let e = AppError::invalid("username", "Taken");
        let bytes = <AppError as FromServerFnError>::ser(&e);
        assert_eq!(<AppError as FromServerFnError>::de(bytes), e);
    }
}
