//! The server's own error: what went wrong, with its cause chain.
//!
//! Server code returns [`Result`] (this error). A server function or route
//! turns it into the wire error [`AppError`] once, at its boundary
//! (`From<ServerError> for AppError`); that is where a failure is logged,
//! once, inside the request's span (so the line carries the request id) and
//! with every cause of the chain. Refusals meant for the caller (bad input,
//! not found, a conflict) pass through unchanged and are not logged as
//! failures.

use std::error::Error as _;
use std::fmt::Write as _;

use crate::domain::billing::BillingError;
use crate::error::AppError;

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A refusal for the caller, shown as it is.
    #[error(transparent)]
    Refused(#[from] AppError),
    #[error("a database statement failed")]
    Database(#[from] sqlx::Error),
    /// A stored value that the code cannot read: never replaced by a default.
    #[error("stored {what} is unreadable: {value:?}")]
    Corrupt { what: &'static str, value: String, source: Option<Box<dyn std::error::Error + Send + Sync>> },
    /// The billing rules could not bill a month (a price missing, an amount
    /// too large): the caller sees the rule's message.
    #[error("billing failed")]
    Billing(#[from] BillingError),
    #[error("{context}")]
    Other { context: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

impl ServerError {
    /// A stored value that does not parse, with the parser's reason.
    pub fn corrupt(
        what: &'static str,
        value: impl ToString,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ServerError::Corrupt { what, value: value.to_string(), source: Some(Box::new(source)) }
    }

    /// A stored value outside what the code knows.
    pub fn unknown(what: &'static str, value: impl ToString) -> Self {
        ServerError::Corrupt { what, value: value.to_string(), source: None }
    }

    pub fn other(context: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        ServerError::Other { context, source: Box::new(source) }
    }

    /// The message and every cause, outermost first: "a: b: c".
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = self.source();
        while let Some(c) = cause {
            let _ = write!(text, ": {c}");
            cause = c.source();
        }
        text
    }

    /// The message for a form field, when this is a refusal about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        self.refusal().and_then(|e| e.for_field(name))
    }

    /// The refusal the caller would see, when this is one (for tests and
    /// for callers that branch on it).
    pub fn refusal(&self) -> Option<&AppError> {
        match self {
            ServerError::Refused(e) => Some(e),
            _ => None,
        }
    }
}

/// What the caller sees. Failures are logged here, once, with their causes.
impl From<ServerError> for AppError {
    fn from(error: ServerError) -> Self {
        match error {
            ServerError::Refused(e) => e,
            ServerError::Billing(ref rule) => {
                tracing::error!(error = %error.chain(), "billing failed");
                AppError::conflict(rule.clone())
            }
            other => {
                tracing::error!(error = %other.chain(), "request failed");
                AppError::Internal
            }
        }
    }
}

impl From<sqlx::migrate::MigrateError> for ServerError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        ServerError::other("migrations failed", error)
    }
}

#[cfg(test)]
impl PartialEq<AppError> for ServerError {
    fn eq(&self, other: &AppError) -> bool {
        self.refusal() == Some(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause() {
        let parse = "x".parse::<i64>().unwrap_err();
        let e = ServerError::corrupt("statement month", "2026-13", parse);
        assert_eq!(e.chain(), "stored statement month is unreadable: \"2026-13\": invalid digit found in string");
        assert_eq!(AppError::from(e), AppError::Internal);
    }

    #[test]
    fn refusals_pass_unchanged() {
        let e = ServerError::from(AppError::NotFound);
        assert_eq!(e, AppError::NotFound);
        assert_eq!(AppError::from(e), AppError::NotFound);
    }
}
