use serde::{Deserialize, Serialize};
use std::fmt;

/// A customer's display name: trimmed, 1 to 100 characters.
/// Uniqueness (ignoring case) is checked against the database, not here.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerName(String);

pub const CUSTOMER_NAME_MAX_CHARS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomerNameError {
    Empty,
    TooLong,
    ControlCharacter,
}

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, CustomerNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(CustomerNameError::Empty);
        }
        if trimmed.chars().count() > CUSTOMER_NAME_MAX_CHARS {
            return Err(CustomerNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(CustomerNameError::ControlCharacter);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which names are unique: case folded.
    pub fn unique_key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The key lists sort by: case and accents folded, so that "Ärztehaus"
    /// sorts with the A's and "Bäckerei" before "Blue" (as DIN 5007-1 does).
    pub fn sort_key(&self) -> String {
        let mut key = String::with_capacity(self.0.len());
        for c in self.0.chars().flat_map(char::to_lowercase) {
            match c {
                'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => key.push('a'),
                'ç' | 'ć' | 'č' => key.push('c'),
                'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => key.push('e'),
                'ì' | 'í' | 'î' | 'ï' => key.push('i'),
                'ł' => key.push('l'),
                'ñ' | 'ń' | 'ň' => key.push('n'),
                'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => key.push('o'),
                'ś' | 'š' => key.push('s'),
                'ù' | 'ú' | 'û' | 'ü' | 'ů' => key.push('u'),
                'ý' | 'ÿ' => key.push('y'),
                'ź' | 'ż' | 'ž' => key.push('z'),
                'ß' => key.push_str("ss"),
                // Quotes and the like do not count for the order.
                '"' | '\'' | '“' | '”' | '„' | '‚' | '‘' | '’' | '«' | '»' => {}
                c => key.push(c),
            }
        }
        key
    }
}

impl TryFrom<String> for CustomerName {
    type Error = CustomerNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CustomerName> for String {
    fn from(value: CustomerName) -> Self {
        value.0
    }
}

impl fmt::Display for CustomerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(CustomerName::parse("  Müller & Söhne, \"Nord\"  ").unwrap().as_str(), "Müller & Söhne, \"Nord\"");
    }

    #[test]
    fn empty_or_blank_name_is_refused() {
        assert_eq!(CustomerName::parse(""), Err(CustomerNameError::Empty));
        assert_eq!(CustomerName::parse(" \t "), Err(CustomerNameError::Empty));
    }

    #[test]
    fn hundred_characters_are_allowed_and_one_more_is_not() {
        let hundred = "ä".repeat(100);
        assert!(CustomerName::parse(&hundred).is_ok());
        assert_eq!(CustomerName::parse(&format!("{hundred}x")), Err(CustomerNameError::TooLong));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(CustomerName::parse("a\u{7}b"), Err(CustomerNameError::ControlCharacter));
    }

    #[test]
    fn uniqueness_ignores_case() {
        let a = CustomerName::parse("Müller GmbH").unwrap();
        let b = CustomerName::parse("MÜLLER gmbh").unwrap();
        assert_eq!(a.unique_key(), b.unique_key());
    }

    #[test]
    fn lists_sort_umlauts_with_their_base_letter_and_ignore_quotes() {
        let key = |s: &str| CustomerName::parse(s).unwrap().sort_key();
        assert_eq!(key("Ärztehaus am Markt"), "arztehaus am markt");
        assert!(key("Bäckerei Schäfer") < key("Blue Harbor"));
        assert!(key("\"Alpenblick\" Hotel") > key("Acme"));
        assert_eq!(key("Ingenieurbüro Groß"), "ingenieurburo gross");
    }

    #[test]
    fn deserializing_runs_the_same_parse() {
        let err = serde_json::from_str::<CustomerName>("\"   \"");
        assert!(err.is_err());
        let ok: CustomerName = serde_json::from_str("\" Acme \"").unwrap();
        assert_eq!(ok.as_str(), "Acme");
    }
}
