//! What a person types at sign-in's second step: a code from their
//! authenticator app, or one of their recovery codes.

use super::message::Message;

pub const CODE_DIGITS: usize = 6;
/// Characters of a recovery code (base32: 80 random bits), shown in groups
/// of four: `abcd-efgh-ijkl-mnop`.
pub const RECOVERY_CHARS: usize = 16;
/// How many recovery codes a set has.
pub const RECOVERY_SET: usize = 10;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const INPUT_MAX_CHARS: usize = 40;

/// A code as typed, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits from the app.
    App(String),
    /// A recovery code, without its dashes, in lower case.
    Recovery(String),
}

const HINT: Message = Message::CodeOrRecovery;

/// Six digits (spaces or a dash between them allowed), or a recovery code
/// (dashes and spaces ignored, any case).
pub fn parse_second_factor(raw: &str) -> Result<SecondFactor, Message> {
    if raw.chars().count() > INPUT_MAX_CHARS {
        return Err(HINT);
    }
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_lowercase();
    if compact.len() == CODE_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(SecondFactor::App(compact));
    }
    if compact.len() == RECOVERY_CHARS && compact.bytes().all(|b| ALPHABET.contains(&b)) {
        return Ok(SecondFactor::Recovery(compact));
    }
    Err(HINT)
}

/// Six digits from the app (the set-up takes no recovery code).
pub fn parse_code(raw: &str) -> Result<String, Message> {
    match parse_second_factor(raw) {
        Ok(SecondFactor::App(code)) => Ok(code),
        _ => Err(Message::CodeDigits),
    }
}

/// A recovery code from `RECOVERY_CHARS` random values (each taken modulo
/// 32), as shown: groups of four joined by dashes.
pub fn recovery_code(random: &[u8; RECOVERY_CHARS]) -> String {
    let chars: Vec<char> = random.iter().map(|b| ALPHABET[usize::from(*b) % 32] as char).collect();
    chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_with_spaces_or_a_dash_between() {
        assert_eq!(parse_code("123456").unwrap(), "123456");
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("123-456").unwrap(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", &"1".repeat(40), "abcd-efgh-ijkl-mnop"] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_recovery_code_reads_back_in_any_case_and_grouping() {
        let shown = recovery_code(&[0, 1, 2, 3, 31, 30, 29, 28, 32, 33, 64, 65, 255, 254, 7, 8]);
        assert_eq!(shown, "abcd-7654-abab-76hi");
        let expected = SecondFactor::Recovery("abcd7654abab76hi".to_owned());
        assert_eq!(parse_second_factor(&shown), Ok(expected.clone()));
        assert_eq!(parse_second_factor("ABCD 7654 ABAB 76HI"), Ok(expected));
        for bad in ["abcd-7654-abab-76h", "abcd-7654-abab-76h1", "abcd-7654-abab-76hi-x", &"a".repeat(41)] {
            assert!(parse_second_factor(bad).is_err(), "{bad}");
        }
    }
}
