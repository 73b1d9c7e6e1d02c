use serde::{Deserialize, Serialize};
use std::fmt;

/// The licensed maximum number of users: a whole number from 1 to 100,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct MaxUsers(u32);

pub const MAX_USERS_LIMIT: u32 = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaxUsersError {
    Empty,
    NotAWholeNumber,
    OutOfRange,
}

impl MaxUsers {
    pub fn new(value: u32) -> Result<Self, MaxUsersError> {
        if (1..=MAX_USERS_LIMIT).contains(&value) {
            Ok(Self(value))
        } else {
            Err(MaxUsersError::OutOfRange)
        }
    }

    /// Parses what a person typed into a form field.
    pub fn parse(raw: &str) -> Result<Self, MaxUsersError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(MaxUsersError::Empty);
        }
        if !trimmed.chars().all(|c| c.is_ascii_digit()) {
            // "-3" is a whole number, just not an allowed one.
            if let Some(rest) = trimmed.strip_prefix('-') {
                if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
                    return Err(MaxUsersError::OutOfRange);
                }
            }
            return Err(MaxUsersError::NotAWholeNumber);
        }
        match trimmed.parse::<u32>() {
            Ok(value) => Self::new(value),
            Err(_) => Err(MaxUsersError::OutOfRange),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for MaxUsers {
    type Error = MaxUsersError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<MaxUsers> for u32 {
    fn from(value: MaxUsers) -> Self {
        value.0
    }
}

impl fmt::Display for MaxUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_hundred_thousand_are_the_bounds() {
        assert_eq!(MaxUsers::parse("1").unwrap().get(), 1);
        assert_eq!(MaxUsers::parse("100000").unwrap().get(), 100_000);
        assert_eq!(MaxUsers::parse(" 25 ").unwrap().get(), 25);
    }

    #[test]
    fn zero_negative_and_too_large_are_out_of_range() {
        for raw in ["0", "-3", "100001", "99999999999999"] {
            assert_eq!(MaxUsers::parse(raw), Err(MaxUsersError::OutOfRange), "{raw}");
        }
    }

    #[test]
    fn fractions_and_words_are_not_whole_numbers() {
        for raw in ["2.5", "1e3", "ten", "1,000", "+5"] {
            assert_eq!(MaxUsers::parse(raw), Err(MaxUsersError::NotAWholeNumber), "{raw}");
        }
        assert_eq!(MaxUsers::parse("  "), Err(MaxUsersError::Empty));
    }

    #[test]
    fn deserializing_checks_the_range() {
        assert!(serde_json::from_str::<MaxUsers>("0").is_err());
        assert_eq!(serde_json::from_str::<MaxUsers>("7").unwrap().get(), 7);
    }
}
