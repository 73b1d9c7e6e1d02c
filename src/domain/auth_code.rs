//! A code from an authenticator app as a person types it.

pub const CODE_DIGITS: usize = 6;

/// Six digits; spaces and a dash between them are allowed ("123 456").
pub fn parse_code(raw: &str) -> Result<String, &'static str> {
    if raw.chars().count() > 16 {
        return Err("Enter the 6-digit code from your authenticator app.");
    }
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != CODE_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("Enter the 6-digit code from your authenticator app.");
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_with_spaces_or_a_dash_between() {
        assert_eq!(parse_code("123456").unwrap(), "123456");
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("123-456").unwrap(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", &"1".repeat(40)] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }
}
