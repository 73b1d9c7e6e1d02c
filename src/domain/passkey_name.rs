//! The name a staff member gives a passkey or security key ("YubiKey 5",
//! "Work laptop"), so that they know which one to remove.

use serde::{Deserialize, Serialize};

pub const MAX_CHARS: usize = 50;
/// Passkeys one staff member may have.
pub const MAX_PER_PERSON: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyName(String);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasskeyNameError {
    Empty,
    TooLong,
    Control,
}

impl PasskeyName {
    /// Trimmed, 1 to 50 characters, no control characters.
    pub fn parse(raw: &str) -> Result<Self, PasskeyNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PasskeyNameError::Empty);
        }
        if trimmed.chars().count() > MAX_CHARS {
            return Err(PasskeyNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(PasskeyNameError::Control);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(PasskeyName::parse("  YubiKey 5 ").unwrap().as_str(), "YubiKey 5");
        assert_eq!(PasskeyName::parse(&"ä".repeat(50)).unwrap().as_str().chars().count(), 50);
        assert_eq!(PasskeyName::parse(&"ä".repeat(51)), Err(PasskeyNameError::TooLong));
        assert_eq!(PasskeyName::parse(" \t "), Err(PasskeyNameError::Empty));
        assert_eq!(PasskeyName::parse("key\u{0}one"), Err(PasskeyNameError::Control));
        assert_eq!(PasskeyName::parse("a\nb"), Err(PasskeyNameError::Control));
    }
}
