use serde::{Deserialize, Serialize};
use std::fmt;

/// A staff login name: 3 to 64 characters of letters, digits, `.`, `_`, `-`
/// and `@`, stored in lower case so that logins ignore case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsernameError {
    Empty,
    Length,
    Characters,
}

impl Username {
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if !(3..=64).contains(&trimmed.chars().count()) {
            return Err(UsernameError::Length);
        }
        if !trimmed.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')) {
            return Err(UsernameError::Characters);
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest password there can be: a longer typed one is wrong unseen.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A new password for a staff account: 12 to 256 characters.
/// Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let count = raw.chars().count();
        if count < 12 {
            return Err(PasswordError::TooShort);
        }
        if count > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_trimmed() {
        assert_eq!(Username::parse("  Alice.Admin ").unwrap().as_str(), "alice.admin");
    }

    #[test]
    fn usernames_refuse_bad_length_and_characters() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(UsernameError::Length));
        assert_eq!(Username::parse("al ice"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("jörg"), Err(UsernameError::Characters));
    }

    #[test]
    fn passwords_need_twelve_characters_and_never_print() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(Password::parse(&"x".repeat(257)), Err(PasswordError::TooLong));
    }
}
