use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of a customer's SQL database: 1 to 64 letters, digits and `_`.
/// Unique ignoring case (see [`DatabaseName::unique_key`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatabaseName(String);

pub const DATABASE_NAME_MAX_CHARS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseNameError {
    Empty,
    TooLong,
    Characters,
}

impl DatabaseName {
    pub fn parse(raw: &str) -> Result<Self, DatabaseNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DatabaseNameError::Empty);
        }
        if !trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(DatabaseNameError::Characters);
        }
        if trimmed.len() > DATABASE_NAME_MAX_CHARS {
            return Err(DatabaseNameError::TooLong);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The default database name for a customer name: lower case, umlauts
    /// spelled out (ä → ae, ß → ss), accents dropped, everything else `_`.
    pub fn slug_of(customer_name: &str) -> Self {
        let mut slug = String::new();
        for c in customer_name.trim().chars().flat_map(char::to_lowercase) {
            let piece: &str = match c {
                'ä' => "ae",
                'ö' => "oe",
                'ü' => "ue",
                'ß' => "ss",
                'à' | 'á' | 'â' | 'ã' | 'å' => "a",
                'ç' => "c",
                'è' | 'é' | 'ê' | 'ë' => "e",
                'ì' | 'í' | 'î' | 'ï' => "i",
                'ñ' => "n",
                'ò' | 'ó' | 'ô' | 'õ' | 'ø' => "o",
                'ù' | 'ú' | 'û' => "u",
                'ý' | 'ÿ' => "y",
                c if c.is_ascii_alphanumeric() => {
                    slug.push(c);
                    continue;
                }
                _ => "_",
            };
            slug.push_str(piece);
        }
        let mut collapsed = String::with_capacity(slug.len());
        for c in slug.chars() {
            if !(c == '_' && collapsed.ends_with('_')) {
                collapsed.push(c);
            }
        }
        let mut trimmed: String = collapsed.trim_matches('_').chars().take(DATABASE_NAME_MAX_CHARS).collect();
        while trimmed.ends_with('_') {
            trimmed.pop();
        }
        if trimmed.is_empty() {
            trimmed = "customer".to_owned();
        }
        Self(trimmed)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn unique_key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl TryFrom<String> for DatabaseName {
    type Error = DatabaseNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DatabaseName> for String {
    fn from(value: DatabaseName) -> Self {
        value.0
    }
}

impl fmt::Display for DatabaseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_spell_out_umlauts_and_replace_the_rest() {
        assert_eq!(DatabaseName::slug_of("Müller & Söhne GmbH").as_str(), "mueller_soehne_gmbh");
        assert_eq!(DatabaseName::slug_of("  Straße, \"Nord\" AG ").as_str(), "strasse_nord_ag");
        assert_eq!(DatabaseName::slug_of("Café Crème").as_str(), "cafe_creme");
        assert_eq!(DatabaseName::slug_of("!!!").as_str(), "customer");
        assert_eq!(DatabaseName::slug_of(&"x".repeat(100)).as_str().len(), 64);
    }

    #[test]
    fn every_slug_is_a_valid_database_name() {
        for name in ["Ärzte-Zentrum Süd", "O'Brien & Co.", "北京 Ltd", "a", "__x__"] {
            let slug = DatabaseName::slug_of(name);
            assert_eq!(DatabaseName::parse(slug.as_str()).as_ref(), Ok(&slug), "{name}");
        }
    }

    #[test]
    fn only_letters_digits_and_underscore_up_to_64() {
        assert!(DatabaseName::parse("acme_2026").is_ok());
        assert_eq!(DatabaseName::parse(""), Err(DatabaseNameError::Empty));
        assert_eq!(DatabaseName::parse("acme-2026"), Err(DatabaseNameError::Characters));
        assert_eq!(DatabaseName::parse("müller"), Err(DatabaseNameError::Characters));
        assert_eq!(DatabaseName::parse(&"a".repeat(65)), Err(DatabaseNameError::TooLong));
        assert_eq!(DatabaseName::parse(&"a".repeat(64)).unwrap().as_str().len(), 64);
    }

    #[test]
    fn uniqueness_ignores_case() {
        assert_eq!(
            DatabaseName::parse("Acme").unwrap().unique_key(),
            DatabaseName::parse("ACME").unwrap().unique_key()
        );
    }
}
