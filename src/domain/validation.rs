use serde::{Deserialize, Serialize};

pub use super::message::{Message, Said};

/// A message about one field of a form, e.g. `max_users`:
/// `max_users_range {min: 1, max: 100000}` ("Enter a number from 1 to
/// 100,000."). The same messages appear in the browser (as the user types)
/// and from the server (the authority), in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: Said,
}

impl FieldMessage {
    pub fn new(field: &str, message: impl Into<Message>) -> Self {
        Self { field: field.to_owned(), message: Said::from(message.into()) }
    }
}

/// A search or filter text as the server takes it: at most `max`
/// characters (the browser cuts what it puts in the address to the same
/// length, so only a hand-made request is refused).
pub fn filter_text(field: &str, text: &str, max: usize) -> Result<(), FieldMessage> {
    if text.chars().count() > max {
        return Err(FieldMessage::new(field, Message::FilterTooLong { max: u32::try_from(max).unwrap_or(u32::MAX) }));
    }
    Ok(())
}

/// Collects field messages while a form is checked field by field.
#[derive(Default)]
pub struct Problems(Vec<FieldMessage>);

impl Problems {
    /// Keeps the value of `result`, or notes its error under `field`.
    pub fn check<T, E: Into<Message>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(FieldMessage::new(field, error));
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<Message>) {
        self.0.push(FieldMessage::new(field, message));
    }

    pub fn into_result<T>(self, value: Option<T>) -> Result<T, Vec<FieldMessage>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}
