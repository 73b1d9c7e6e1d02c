//! The rules' messages (`domain::message::Message`) in words, through the
//! translations: the pages in the reader's language, the log, the command
//! line and the machine API in English ([`english`]).

use crate::domain::message::{Message, Said};
use crate::i18n::{td_string, Locale};

/// A message in the language of `l`.
pub fn text(said: &Said, l: Locale) -> String {
    words(said.wire(), l)
}

/// A message in English, as the log, the command line and the machine API
/// write it.
pub fn english(message: &Message) -> String {
    words(&message.wire(), Locale::en)
}

impl Said {
    /// The message in English (the log, the machine API, the tests).
    pub fn english(&self) -> String {
        text(self, Locale::en)
    }
}

/// A message's wire form in words: one arm per code; an unknown code is
/// shown as it came.
fn words(wire: &str, l: Locale) -> String {
    let (code, rest) = wire.split_once('|').unwrap_or((wire, ""));
    let fixed = match code {
        "name_empty" => td_string!(l, messages.name_empty),
        "name_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.name_too_long, max = n());
        }
        "name_control_characters" => td_string!(l, messages.name_control_characters),
        "name_taken" => td_string!(l, messages.name_taken),
        "database_name_empty" => td_string!(l, messages.database_name_empty),
        "database_name_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.database_name_too_long, max = n());
        }
        "database_name_characters" => td_string!(l, messages.database_name_characters),
        "database_name_taken" => td_string!(l, messages.database_name_taken),
        "max_users_empty" => td_string!(l, messages.max_users_empty),
        "max_users_not_whole" => td_string!(l, messages.max_users_not_whole),
        "max_users_range" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.max_users_range, min = n(), max = n());
        }
        "contract_end_empty" => td_string!(l, messages.contract_end_empty),
        "contract_end_format" => td_string!(l, messages.contract_end_format),
        "contract_end_past" => td_string!(l, messages.contract_end_past),
        "reason_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.reason_too_long, max = n());
        }
        "option_not_bookable" => return td_string!(l, messages.option_not_bookable, option = rest.to_owned()),
        "kind_billed_is_final" => td_string!(l, messages.kind_billed_is_final),
        "kind_unchanged" => td_string!(l, messages.kind_unchanged),
        "kind_unknown" => td_string!(l, messages.kind_unknown),
        "username_empty" => td_string!(l, messages.username_empty),
        "username_length" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.username_length, min = n(), max = n());
        }
        "username_characters" => td_string!(l, messages.username_characters),
        "password_too_short" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.password_too_short, min = n());
        }
        "password_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.password_too_long, max = n());
        }
        "role_unknown" => td_string!(l, messages.role_unknown),
        "two_factor_rule_unknown" => td_string!(l, messages.two_factor_rule_unknown),
        "month_format" => td_string!(l, messages.month_format),
        "month_number" => td_string!(l, messages.month_number),
        "month_year" => td_string!(l, messages.month_year),
        "money_empty" => td_string!(l, messages.money_empty),
        "money_invalid" => td_string!(l, messages.money_invalid),
        "money_too_large" => td_string!(l, messages.money_too_large),
        "price_empty" => td_string!(l, messages.price_empty),
        "price_invalid" => td_string!(l, messages.price_invalid),
        "price_negative" => td_string!(l, messages.price_negative),
        "price_too_large" => td_string!(l, messages.price_too_large),
        "percent_empty" => td_string!(l, messages.percent_empty),
        "percent_invalid" => td_string!(l, messages.percent_invalid),
        "percent_negative" => td_string!(l, messages.percent_negative),
        "percent_too_large" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.percent_too_large, max = n());
        }
        "sell_method_unknown" => td_string!(l, messages.sell_method_unknown),
        // Numbers that name things (an adviser number): written without grouping.
        "whole_number_range" => {
            let (min, max) = rest.split_once('|').unwrap_or((rest, ""));
            return td_string!(l, messages.whole_number_range, min = min.to_owned(), max = max.to_owned());
        }
        "ledger_account" => return td_string!(l, messages.ledger_account, length = rest.to_owned()),
        "debtor_account" => return td_string!(l, messages.debtor_account, digits = rest.to_owned()),
        "tax_key" => td_string!(l, messages.tax_key),
        "datev_not_set" => td_string!(l, messages.datev_not_set),
        "month_not_closed" => return td_string!(l, messages.month_not_closed, month = rest.to_owned()),
        "debtor_accounts_missing" => return td_string!(l, messages.debtor_accounts_missing, names = rest.to_owned()),
        "passkey_name_empty" => td_string!(l, messages.passkey_name_empty),
        "passkey_name_too_long" => td_string!(l, messages.passkey_name_too_long),
        "passkey_name_characters" => td_string!(l, messages.passkey_name_characters),
        "passkey_exists" => td_string!(l, messages.passkey_exists),
        "passkey_cancelled" => td_string!(l, messages.passkey_cancelled),
        "passkey_address_refused" => td_string!(l, messages.passkey_address_refused),
        "passkey_unsupported" => td_string!(l, messages.passkey_unsupported),
        "filter_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.filter_too_long, max = n());
        }
        "customer_changed" => td_string!(l, messages.customer_changed),
        "already_deactivated" => td_string!(l, messages.already_deactivated),
        "already_active" => td_string!(l, messages.already_active),
        "session_ended" => td_string!(l, messages.session_ended),
        "session_in_use" => td_string!(l, messages.session_in_use),
        "own_sessions" => td_string!(l, messages.own_sessions),
        "settings_changed" => td_string!(l, messages.settings_changed),
        "policy_changed" => td_string!(l, messages.policy_changed),
        "sso_settings_changed" => td_string!(l, messages.sso_settings_changed),
        "report_id_reused" => td_string!(l, messages.report_id_reused),
        "secret_key_missing" => td_string!(l, messages.secret_key_missing),
        "totp_not_on" => td_string!(l, messages.totp_not_on),
        "totp_already_on" => td_string!(l, messages.totp_already_on),
        "totp_setup_missing" => td_string!(l, messages.totp_setup_missing),
        "last_factor" => td_string!(l, messages.last_factor),
        "own_two_factor" => td_string!(l, messages.own_two_factor),
        "no_second_factor" => return td_string!(l, messages.no_second_factor, name = rest.to_owned()),
        "sign_in_expired" => td_string!(l, messages.sign_in_expired),
        "no_api_key" => td_string!(l, messages.no_api_key),
        "passkeys_need_address" => td_string!(l, messages.passkeys_need_address),
        "passkey_limit" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.passkey_limit, max = n());
        }
        "passkey_expired" => td_string!(l, messages.passkey_expired),
        "passkey_registered" => td_string!(l, messages.passkey_registered),
        "no_passkey" => td_string!(l, messages.no_passkey),
        "break_glass_admin" => return td_string!(l, messages.break_glass_admin, name = rest.to_owned()),
        "last_admin" => return td_string!(l, messages.last_admin, name = rest.to_owned()),
        "disable_self" => td_string!(l, messages.disable_self),
        "own_password" => td_string!(l, messages.own_password),
        "no_prices" => return td_string!(l, messages.no_prices, month = rest.to_owned()),
        "no_option_price" => {
            let (month, option) = rest.split_once('|').unwrap_or((rest, ""));
            return td_string!(l, messages.no_option_price, month = month.to_owned(), option = option.to_owned());
        }
        "amount_too_large" => td_string!(l, messages.amount_too_large),
        "confirm_name" => td_string!(l, messages.confirm_name),
        "option_code_taken" => td_string!(l, messages.option_code_taken),
        "option_name_taken" => td_string!(l, messages.option_name_taken),
        "months_window" => td_string!(l, messages.months_window),
        "no_figures" => return td_string!(l, messages.no_figures, month = rest.to_owned()),
        "client_secret_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.client_secret_too_long, max = n());
        }
        "client_secret_empty" => td_string!(l, messages.client_secret_empty),
        "break_glass_choice" => td_string!(l, messages.break_glass_choice),
        "password_sign_in_choice" => td_string!(l, messages.password_sign_in_choice),
        "wrong_current_password" => td_string!(l, messages.wrong_current_password),
        "current_password_empty" => td_string!(l, messages.current_password_empty),
        "passwords_differ" => td_string!(l, messages.passwords_differ),
        "same_password" => td_string!(l, messages.same_password),
        "passkey_answer_bad" => td_string!(l, messages.passkey_answer_bad),
        "passkey_request_missing" => td_string!(l, messages.passkey_request_missing),
        "passkey_not_accepted" => td_string!(l, messages.passkey_not_accepted),
        "username_taken" => td_string!(l, messages.username_taken),
        "sso_email_taken" => td_string!(l, messages.sso_email_taken),
        "language_choice" => td_string!(l, messages.language_choice),
        "time_zone_choice" => td_string!(l, messages.time_zone_choice),
        "fill_in" => td_string!(l, messages.fill_in),
        "at_most" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.at_most, max = n());
        }
        "no_control_characters" => td_string!(l, messages.no_control_characters),
        "issuer_empty" => td_string!(l, messages.issuer_empty),
        "issuer_too_long" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.issuer_too_long, max = n());
        }
        "issuer_not_url" => td_string!(l, messages.issuer_not_url),
        "issuer_not_https" => td_string!(l, messages.issuer_not_https),
        "issuer_parts" => td_string!(l, messages.issuer_parts),
        "not_a_domain" => return td_string!(l, messages.not_a_domain, domain = rest.to_owned()),
        "domains_too_many" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.domains_too_many, max = n());
        }
        "email_invalid" => td_string!(l, messages.email_invalid),
        "role_value_missing" => td_string!(l, messages.role_value_missing),
        "role_claim_missing" => td_string!(l, messages.role_claim_missing),
        "pricing_unknown" => td_string!(l, messages.pricing_unknown),
        "currency_invalid" => td_string!(l, messages.currency_invalid),
        "grace_days" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.grace_days, max = n());
        }
        "time_zone_unknown" => td_string!(l, messages.time_zone_unknown),
        "price_list_start" => return td_string!(l, messages.price_list_start, month = rest.to_owned()),
        "option_code_format" => td_string!(l, messages.option_code_format),
        "code_or_recovery" => td_string!(l, messages.code_or_recovery),
        "code_digits" => td_string!(l, messages.code_digits),
        "wait_seconds" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.wait_seconds, seconds = n());
        }
        "wait_second" => td_string!(l, messages.wait_second),
        "wait_minutes" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.wait_minutes, minutes = n());
        }
        "wrong_credentials" => td_string!(l, messages.wrong_credentials),
        "password_off" => td_string!(l, messages.password_off),
        "wrong_code" => td_string!(l, messages.wrong_code),
        "wrong_recovery_code" => td_string!(l, messages.wrong_recovery_code),
        "answer_not_understood" => td_string!(l, messages.answer_not_understood),
        "password_common" => td_string!(l, messages.password_common),
        "password_has_username" => td_string!(l, messages.password_has_username),
        "password_few_characters" => td_string!(l, messages.password_few_characters),
        "contract_ended" => return td_string!(l, messages.contract_ended, date = rest.to_owned()),
        "month_not_ended" => return td_string!(l, messages.month_not_ended, month = rest.to_owned()),
        "time_zone_locked" => td_string!(l, messages.time_zone_locked),
        "policy_needs_key" => td_string!(l, messages.policy_needs_key),
        "sso_secret_needs_key" => td_string!(l, messages.sso_secret_needs_key),
        "discovery_failed" => return td_string!(l, messages.discovery_failed, detail = rest.to_owned()),
        "password_off_needs_sso" => td_string!(l, messages.password_off_needs_sso),
        "option_not_in_catalogue" => td_string!(l, messages.option_not_in_catalogue),
        "token_scope_unknown" => td_string!(l, messages.token_scope_unknown),
        "token_scope_above_role" => td_string!(l, messages.token_scope_above_role),
        "webhook_url" => td_string!(l, messages.webhook_url),
        "webhook_address" => td_string!(l, messages.webhook_address),
        "events_empty" => td_string!(l, messages.events_empty),
        "smtp_host" => td_string!(l, messages.smtp_host),
        "smtp_port" => td_string!(l, messages.smtp_port),
        "smtp_credentials_need_tls" => td_string!(l, messages.smtp_credentials_need_tls),
        "email_address" => td_string!(l, messages.email_address),
        "smtp_not_set" => td_string!(l, messages.smtp_not_set),
        "token_limit" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.token_limit, max = n());
        }
        "endpoint_limit" => {
            let mut n = numbers(rest, l);
            return td_string!(l, messages.endpoint_limit, max = n());
        }
        "text" => return rest.to_owned(),
        _ => return wire.to_owned(),
    };
    fixed.to_owned()
}

/// The numbers of a message's parameters, one after the other, in the
/// language's digits ("100,000" / "100.000").
fn numbers(rest: &str, l: Locale) -> impl FnMut() -> String + '_ {
    let mut parts = rest.split('|');
    move || parts.next().and_then(|n| n.parse::<u32>().ok()).map(|n| grouped(n, l)).unwrap_or_default()
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
        assert_eq!(text(&range.into(), Locale::de), "Geben Sie eine Zahl von 1 bis 100.000 ein.");
        let option = Message::OptionNotBookable { option: "hsm".to_owned() };
        assert_eq!(english(&option), "The option \"hsm\" cannot be booked.");
        assert_eq!(text(&option.into(), Locale::de), "Die Option „hsm“ kann nicht gebucht werden.");
        assert_eq!(english(&Message::NameTooLong { max: 100 }), "The name is too long: at most 100 characters.");
        assert_eq!(text(&Message::from("As it was.").into(), Locale::de), "As it was.");
    }

    #[test]
    fn a_message_travels_as_its_code_and_parameters() {
        let said = Said::from(Message::MaxUsersRange { min: 1, max: 100_000 });
        let json = serde_json::to_string(&said).unwrap();
        assert_eq!(json, r#""max_users_range|1|100000""#);
        assert_eq!(serde_json::to_string(&Said::from(Message::NameTaken)).unwrap(), r#""name_taken""#);
        assert_eq!(serde_json::from_str::<Said>(&json).unwrap(), said);
    }
}
