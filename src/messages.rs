//! The rules' messages (`domain::message::Message`) in words, through the
//! translations: the pages in the reader's language, the log, the command
//! line and the machine API in English ([`english`]).

use crate::domain::message::Message;
use crate::i18n::{td_string, Locale};

/// A message in the language of `l`.
pub fn text(message: &Message, l: Locale) -> String {
    use Message as M;
    let fixed = match message {
        M::NameEmpty => td_string!(l, messages.name_empty),
        M::NameTooLong { max } => return td_string!(l, messages.name_too_long, max = *max),
        M::NameControlCharacters => td_string!(l, messages.name_control_characters),
        M::NameTaken => td_string!(l, messages.name_taken),
        M::DatabaseNameEmpty => td_string!(l, messages.database_name_empty),
        M::DatabaseNameTooLong { max } => return td_string!(l, messages.database_name_too_long, max = *max),
        M::DatabaseNameCharacters => td_string!(l, messages.database_name_characters),
        M::DatabaseNameTaken => td_string!(l, messages.database_name_taken),
        M::MaxUsersEmpty => td_string!(l, messages.max_users_empty),
        M::MaxUsersNotWhole => td_string!(l, messages.max_users_not_whole),
        M::MaxUsersRange { min, max } => {
            let (min, max) = (grouped(*min, l), grouped(*max, l));
            return td_string!(l, messages.max_users_range, min, max);
        }
        M::ContractEndEmpty => td_string!(l, messages.contract_end_empty),
        M::ContractEndFormat => td_string!(l, messages.contract_end_format),
        M::ContractEndPast => td_string!(l, messages.contract_end_past),
        M::ReasonTooLong { max } => return td_string!(l, messages.reason_too_long, max = *max),
        M::OptionNotBookable { option } => return td_string!(l, messages.option_not_bookable, option),
        M::KindBilledIsFinal => td_string!(l, messages.kind_billed_is_final),
        M::KindUnchanged => td_string!(l, messages.kind_unchanged),
        M::KindUnknown => td_string!(l, messages.kind_unknown),
        M::UsernameEmpty => td_string!(l, messages.username_empty),
        M::UsernameLength { min, max } => return td_string!(l, messages.username_length, min = *min, max = *max),
        M::UsernameCharacters => td_string!(l, messages.username_characters),
        M::PasswordTooShort { min } => return td_string!(l, messages.password_too_short, min = *min),
        M::PasswordTooLong { max } => return td_string!(l, messages.password_too_long, max = *max),
        M::RoleUnknown => td_string!(l, messages.role_unknown),
        M::TwoFactorRuleUnknown => td_string!(l, messages.two_factor_rule_unknown),
        M::MonthFormat => td_string!(l, messages.month_format),
        M::MonthNumber => td_string!(l, messages.month_number),
        M::MonthYear => td_string!(l, messages.month_year),
        M::MoneyEmpty => td_string!(l, messages.money_empty),
        M::MoneyInvalid => td_string!(l, messages.money_invalid),
        M::MoneyTooLarge => td_string!(l, messages.money_too_large),
        M::PriceEmpty => td_string!(l, messages.price_empty),
        M::PriceInvalid => td_string!(l, messages.price_invalid),
        M::PriceNegative => td_string!(l, messages.price_negative),
        M::PriceTooLarge => td_string!(l, messages.price_too_large),
        M::PasskeyNameEmpty => td_string!(l, messages.passkey_name_empty),
        M::PasskeyNameTooLong => td_string!(l, messages.passkey_name_too_long),
        M::PasskeyNameCharacters => td_string!(l, messages.passkey_name_characters),
        M::FilterTooLong { max } => return td_string!(l, messages.filter_too_long, max = *max),
        M::Text { text } => return text.clone(),
    };
    fixed.to_owned()
}

/// A message in English, as the log, the command line and the machine API
/// write it.
pub fn english(message: &Message) -> String {
    text(message, Locale::en)
}

/// A count in the language's digits ("100,000" / "100.000").
fn grouped(n: u32, l: Locale) -> String {
    crate::domain::locale::count(u64::from(n), crate::components::language::language_of(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_in_english_as_before_and_in_german() {
        let range = Message::MaxUsersRange { min: 1, max: 100_000 };
        assert_eq!(english(&range), "Enter a number from 1 to 100,000.");
        assert_eq!(text(&range, Locale::de), "Geben Sie eine Zahl von 1 bis 100.000 ein.");
        let option = Message::OptionNotBookable { option: "hsm".to_owned() };
        assert_eq!(english(&option), "The option \"hsm\" cannot be booked.");
        assert_eq!(text(&option, Locale::de), "Die Option „hsm“ kann nicht gebucht werden.");
        assert_eq!(english(&Message::NameTooLong { max: 100 }), "The name is too long: at most 100 characters.");
        assert_eq!(text(&Message::from("As it was."), Locale::de), "As it was.");
    }

    #[test]
    fn a_message_travels_as_its_code_and_parameters() {
        let json = serde_json::to_string(&Message::MaxUsersRange { min: 1, max: 100_000 }).unwrap();
        assert_eq!(json, r#"{"max_users_range":{"min":1,"max":100000}}"#);
        assert_eq!(serde_json::to_string(&Message::NameTaken).unwrap(), r#""name_taken""#);
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), Message::MaxUsersRange { min: 1, max: 100_000 });
    }
}
