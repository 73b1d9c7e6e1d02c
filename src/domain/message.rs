//! What a rule says about an input: a code with its parameters, never a
//! sentence. The pages write it in the reader's language, the server's log,
//! the command line and the machine API in English (`crate::messages`).

use serde::{Deserialize, Serialize};

use super::billing_month::BillingMonthError;
use super::customer::{ContractEndError, KindChangeError, ReasonTooLong};
use super::customer_name::{CustomerNameError, CUSTOMER_NAME_MAX_CHARS};
use super::database_name::{DatabaseNameError, DATABASE_NAME_MAX_CHARS};
use super::max_users::{MaxUsersError, MAX_USERS_LIMIT};
use super::money::MoneyError;
use super::passkey_name::PasskeyNameError;
use super::percent::PercentError;
use super::role::RoleError;
use super::sign_in_policy::TwoFactorRuleError;
use super::unit_price::UnitPriceError;
use super::username::{PasswordError, UsernameError, MAX_PASSWORD_CHARS};

/// What a rule says, as a code with its parameters. It travels and errors
/// hold it in its wire form, [`Said`]: the code, then each parameter after a
/// `|` (`"name_taken"`, `"max_users_range|1|100000"`; a text parameter comes
/// last and takes the rest, `|` and all). `Text` is an English sentence no
/// rule has a code for (shown as it is in both languages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    NameEmpty,
    NameTooLong { max: u32 },
    NameControlCharacters,
    NameTaken,
    DatabaseNameEmpty,
    DatabaseNameTooLong { max: u32 },
    DatabaseNameCharacters,
    DatabaseNameTaken,
    MaxUsersEmpty,
    MaxUsersNotWhole,
    MaxUsersRange { min: u32, max: u32 },
    ContractEndEmpty,
    ContractEndFormat,
    ContractEndPast,
    ReasonTooLong { max: u32 },
    OptionNotBookable { option: String },
    KindBilledIsFinal,
    KindUnchanged,
    KindUnknown,
    UsernameEmpty,
    UsernameLength { min: u32, max: u32 },
    UsernameCharacters,
    PasswordTooShort { min: u32 },
    PasswordTooLong { max: u32 },
    RoleUnknown,
    TwoFactorRuleUnknown,
    MonthFormat,
    MonthNumber,
    MonthYear,
    MoneyEmpty,
    MoneyInvalid,
    MoneyTooLarge,
    PriceEmpty,
    PriceInvalid,
    PriceNegative,
    PriceTooLarge,
    PercentEmpty,
    PercentInvalid,
    PercentNegative,
    PercentTooLarge { max: u32 },
    SellMethodUnknown,
    WholeNumberRange { min: u32, max: u32 },
    LedgerAccount { length: u32 },
    DebtorAccount { digits: u32 },
    TaxKey,
    DatevNotSet,
    MonthNotClosed { month: String },
    DebtorAccountsMissing { names: String },
    PasskeyNameEmpty,
    PasskeyNameTooLong,
    PasskeyNameCharacters,
    PasskeyExists,
    PasskeyCancelled,
    PasskeyAddressRefused,
    PasskeyUnsupported,
    FilterTooLong { max: u32 },
    CustomerChanged,
    AlreadyDeactivated,
    AlreadyActive,
    SessionEnded,
    SessionInUse,
    OwnSessions,
    SettingsChanged,
    PolicyChanged,
    SsoSettingsChanged,
    ReportIdReused,
    SecretKeyMissing,
    TotpNotOn,
    TotpAlreadyOn,
    TotpSetupMissing,
    LastFactor,
    OwnTwoFactor,
    NoSecondFactor { name: String },
    SignInExpired,
    NoApiKey,
    PasskeysNeedAddress,
    PasskeyLimit { max: u32 },
    PasskeyExpired,
    PasskeyRegistered,
    NoPasskey,
    BreakGlassAdmin { name: String },
    LastAdmin { name: String },
    DisableSelf,
    OwnPassword,
    NoPrices { month: String },
    NoOptionPrice { month: String, option: String },
    AmountTooLarge,
    ConfirmName,
    OptionCodeTaken,
    OptionNameTaken,
    MonthsWindow,
    NoFigures { month: String },
    ClientSecretTooLong { max: u32 },
    ClientSecretEmpty,
    BreakGlassChoice,
    PasswordSignInChoice,
    WrongCurrentPassword,
    CurrentPasswordEmpty,
    PasswordsDiffer,
    SamePassword,
    PasskeyAnswerBad,
    PasskeyRequestMissing,
    PasskeyNotAccepted,
    UsernameTaken,
    SsoEmailTaken,
    LanguageChoice,
    TimeZoneChoice,
    FillIn,
    AtMost { max: u32 },
    NoControlCharacters,
    IssuerEmpty,
    IssuerTooLong { max: u32 },
    IssuerNotUrl,
    IssuerNotHttps,
    IssuerParts,
    NotADomain { domain: String },
    DomainsTooMany { max: u32 },
    EmailInvalid,
    RoleValueMissing,
    RoleClaimMissing,
    PricingUnknown,
    CurrencyInvalid,
    GraceDays { max: u32 },
    TimeZoneUnknown,
    PriceListStart { month: String },
    OptionCodeFormat,
    CodeOrRecovery,
    CodeDigits,
    WaitSeconds { seconds: u32 },
    WaitSecond,
    WaitMinutes { minutes: u32 },
    WrongCredentials,
    PasswordOff,
    WrongCode,
    WrongRecoveryCode,
    AnswerNotUnderstood,
    PasswordCommon,
    PasswordHasUsername,
    PasswordFewCharacters,
    ContractEnded { date: String },
    MonthNotEnded { month: String },
    TimeZoneLocked,
    PolicyNeedsKey,
    SsoSecretNeedsKey,
    DiscoveryFailed { detail: String },
    PasswordOffNeedsSso,
    OptionNotInCatalogue,
    TokenScopeUnknown,
    TokenScopeAboveRole,
    TokenLimit { max: u32 },
    WebhookUrl,
    WebhookAddress,
    EventsEmpty,
    EndpointLimit { max: u32 },
    SmtpHost,
    SmtpPort,
    SmtpCredentialsNeedTls,
    EmailAddress,
    SmtpNotSet,
    Text { text: String },
}

impl Message {
    /// The message's wire form (see [`Message`]).
    pub fn wire(&self) -> String {
        use Message as M;
        let code = match self {
            M::NameEmpty => "name_empty",
            M::NameControlCharacters => "name_control_characters",
            M::NameTaken => "name_taken",
            M::DatabaseNameEmpty => "database_name_empty",
            M::DatabaseNameCharacters => "database_name_characters",
            M::DatabaseNameTaken => "database_name_taken",
            M::MaxUsersEmpty => "max_users_empty",
            M::MaxUsersNotWhole => "max_users_not_whole",
            M::ContractEndEmpty => "contract_end_empty",
            M::ContractEndFormat => "contract_end_format",
            M::ContractEndPast => "contract_end_past",
            M::KindBilledIsFinal => "kind_billed_is_final",
            M::KindUnchanged => "kind_unchanged",
            M::KindUnknown => "kind_unknown",
            M::UsernameEmpty => "username_empty",
            M::UsernameCharacters => "username_characters",
            M::RoleUnknown => "role_unknown",
            M::TwoFactorRuleUnknown => "two_factor_rule_unknown",
            M::MonthFormat => "month_format",
            M::MonthNumber => "month_number",
            M::MonthYear => "month_year",
            M::MoneyEmpty => "money_empty",
            M::MoneyInvalid => "money_invalid",
            M::MoneyTooLarge => "money_too_large",
            M::PriceEmpty => "price_empty",
            M::PriceInvalid => "price_invalid",
            M::PriceNegative => "price_negative",
            M::PriceTooLarge => "price_too_large",
            M::PercentEmpty => "percent_empty",
            M::PercentInvalid => "percent_invalid",
            M::PercentNegative => "percent_negative",
            M::SellMethodUnknown => "sell_method_unknown",
            M::TaxKey => "tax_key",
            M::DatevNotSet => "datev_not_set",
            M::PasskeyNameEmpty => "passkey_name_empty",
            M::PasskeyNameTooLong => "passkey_name_too_long",
            M::PasskeyNameCharacters => "passkey_name_characters",
            M::PasskeyExists => "passkey_exists",
            M::PasskeyCancelled => "passkey_cancelled",
            M::PasskeyAddressRefused => "passkey_address_refused",
            M::PasskeyUnsupported => "passkey_unsupported",
            M::CustomerChanged => "customer_changed",
            M::AlreadyDeactivated => "already_deactivated",
            M::AlreadyActive => "already_active",
            M::SessionEnded => "session_ended",
            M::SessionInUse => "session_in_use",
            M::OwnSessions => "own_sessions",
            M::SettingsChanged => "settings_changed",
            M::PolicyChanged => "policy_changed",
            M::SsoSettingsChanged => "sso_settings_changed",
            M::ReportIdReused => "report_id_reused",
            M::SecretKeyMissing => "secret_key_missing",
            M::TotpNotOn => "totp_not_on",
            M::TotpAlreadyOn => "totp_already_on",
            M::TotpSetupMissing => "totp_setup_missing",
            M::LastFactor => "last_factor",
            M::OwnTwoFactor => "own_two_factor",
            M::SignInExpired => "sign_in_expired",
            M::NoApiKey => "no_api_key",
            M::PasskeysNeedAddress => "passkeys_need_address",
            M::PasskeyExpired => "passkey_expired",
            M::PasskeyRegistered => "passkey_registered",
            M::NoPasskey => "no_passkey",
            M::DisableSelf => "disable_self",
            M::OwnPassword => "own_password",
            M::AmountTooLarge => "amount_too_large",
            M::ConfirmName => "confirm_name",
            M::OptionCodeTaken => "option_code_taken",
            M::OptionNameTaken => "option_name_taken",
            M::MonthsWindow => "months_window",
            M::ClientSecretEmpty => "client_secret_empty",
            M::BreakGlassChoice => "break_glass_choice",
            M::PasswordSignInChoice => "password_sign_in_choice",
            M::WrongCurrentPassword => "wrong_current_password",
            M::CurrentPasswordEmpty => "current_password_empty",
            M::PasswordsDiffer => "passwords_differ",
            M::SamePassword => "same_password",
            M::PasskeyAnswerBad => "passkey_answer_bad",
            M::PasskeyRequestMissing => "passkey_request_missing",
            M::PasskeyNotAccepted => "passkey_not_accepted",
            M::UsernameTaken => "username_taken",
            M::SsoEmailTaken => "sso_email_taken",
            M::LanguageChoice => "language_choice",
            M::TimeZoneChoice => "time_zone_choice",
            M::FillIn => "fill_in",
            M::NoControlCharacters => "no_control_characters",
            M::IssuerEmpty => "issuer_empty",
            M::IssuerNotUrl => "issuer_not_url",
            M::IssuerNotHttps => "issuer_not_https",
            M::IssuerParts => "issuer_parts",
            M::EmailInvalid => "email_invalid",
            M::RoleValueMissing => "role_value_missing",
            M::RoleClaimMissing => "role_claim_missing",
            M::PricingUnknown => "pricing_unknown",
            M::CurrencyInvalid => "currency_invalid",
            M::TimeZoneUnknown => "time_zone_unknown",
            M::OptionCodeFormat => "option_code_format",
            M::CodeOrRecovery => "code_or_recovery",
            M::CodeDigits => "code_digits",
            M::WaitSecond => "wait_second",
            M::WrongCredentials => "wrong_credentials",
            M::PasswordOff => "password_off",
            M::WrongCode => "wrong_code",
            M::WrongRecoveryCode => "wrong_recovery_code",
            M::AnswerNotUnderstood => "answer_not_understood",
            M::PasswordCommon => "password_common",
            M::PasswordHasUsername => "password_has_username",
            M::PasswordFewCharacters => "password_few_characters",
            M::TimeZoneLocked => "time_zone_locked",
            M::PolicyNeedsKey => "policy_needs_key",
            M::SsoSecretNeedsKey => "sso_secret_needs_key",
            M::PasswordOffNeedsSso => "password_off_needs_sso",
            M::OptionNotInCatalogue => "option_not_in_catalogue",
            M::TokenScopeUnknown => "token_scope_unknown",
            M::TokenScopeAboveRole => "token_scope_above_role",
            M::WebhookUrl => "webhook_url",
            M::WebhookAddress => "webhook_address",
            M::EventsEmpty => "events_empty",
            M::SmtpHost => "smtp_host",
            M::SmtpPort => "smtp_port",
            M::SmtpCredentialsNeedTls => "smtp_credentials_need_tls",
            M::EmailAddress => "email_address",
            M::SmtpNotSet => "smtp_not_set",
            M::NameTooLong { max } => return format!("name_too_long|{max}"),
            M::DatabaseNameTooLong { max } => return format!("database_name_too_long|{max}"),
            M::MaxUsersRange { min, max } => return format!("max_users_range|{min}|{max}"),
            M::ReasonTooLong { max } => return format!("reason_too_long|{max}"),
            M::OptionNotBookable { option } => return format!("option_not_bookable|{option}"),
            M::UsernameLength { min, max } => return format!("username_length|{min}|{max}"),
            M::PasswordTooShort { min } => return format!("password_too_short|{min}"),
            M::PasswordTooLong { max } => return format!("password_too_long|{max}"),
            M::FilterTooLong { max } => return format!("filter_too_long|{max}"),
            M::NoSecondFactor { name } => return format!("no_second_factor|{name}"),
            M::PasskeyLimit { max } => return format!("passkey_limit|{max}"),
            M::BreakGlassAdmin { name } => return format!("break_glass_admin|{name}"),
            M::LastAdmin { name } => return format!("last_admin|{name}"),
            M::NoPrices { month } => return format!("no_prices|{month}"),
            M::NoOptionPrice { month, option } => return format!("no_option_price|{month}|{option}"),
            M::NoFigures { month } => return format!("no_figures|{month}"),
            M::ClientSecretTooLong { max } => return format!("client_secret_too_long|{max}"),
            M::AtMost { max } => return format!("at_most|{max}"),
            M::IssuerTooLong { max } => return format!("issuer_too_long|{max}"),
            M::NotADomain { domain } => return format!("not_a_domain|{domain}"),
            M::DomainsTooMany { max } => return format!("domains_too_many|{max}"),
            M::GraceDays { max } => return format!("grace_days|{max}"),
            M::PercentTooLarge { max } => return format!("percent_too_large|{max}"),
            M::WholeNumberRange { min, max } => return format!("whole_number_range|{min}|{max}"),
            M::LedgerAccount { length } => return format!("ledger_account|{length}"),
            M::DebtorAccount { digits } => return format!("debtor_account|{digits}"),
            M::MonthNotClosed { month } => return format!("month_not_closed|{month}"),
            M::DebtorAccountsMissing { names } => return format!("debtor_accounts_missing|{names}"),
            M::PriceListStart { month } => return format!("price_list_start|{month}"),
            M::WaitSeconds { seconds } => return format!("wait_seconds|{seconds}"),
            M::WaitMinutes { minutes } => return format!("wait_minutes|{minutes}"),
            M::ContractEnded { date } => return format!("contract_ended|{date}"),
            M::MonthNotEnded { month } => return format!("month_not_ended|{month}"),
            M::DiscoveryFailed { detail } => return format!("discovery_failed|{detail}"),
            M::TokenLimit { max } => return format!("token_limit|{max}"),
            M::EndpointLimit { max } => return format!("endpoint_limit|{max}"),
            M::Text { text } => return format!("text|{text}"),
        };
        code.to_owned()
    }
}

/// A message in its wire form, as it travels and as errors and field
/// messages hold it: a string, so that the browser reads it without a
/// reader for every code (`crate::messages::text` writes it in words).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Said(String);

impl Said {
    pub fn wire(&self) -> &str {
        &self.0
    }
}

impl From<Message> for Said {
    fn from(message: Message) -> Self {
        Said(message.wire())
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text { text }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Text { text: text.to_owned() }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<super::billing::BillingError> for Message {
    fn from(e: super::billing::BillingError) -> Self {
        use super::billing::BillingError;
        match e {
            BillingError::NoPrices(month) => Message::NoPrices { month: month.to_string() },
            BillingError::NoOptionPrice(option, month) => Message::NoOptionPrice { month: month.to_string(), option },
            BillingError::Money(_) => Message::AmountTooLarge,
        }
    }
}

impl From<CustomerNameError> for Message {
    fn from(e: CustomerNameError) -> Self {
        match e {
            CustomerNameError::Empty => Message::NameEmpty,
            CustomerNameError::TooLong => Message::NameTooLong { max: count(CUSTOMER_NAME_MAX_CHARS) },
            CustomerNameError::ControlCharacter => Message::NameControlCharacters,
        }
    }
}

impl From<DatabaseNameError> for Message {
    fn from(e: DatabaseNameError) -> Self {
        match e {
            DatabaseNameError::Empty => Message::DatabaseNameEmpty,
            DatabaseNameError::TooLong => Message::DatabaseNameTooLong { max: count(DATABASE_NAME_MAX_CHARS) },
            DatabaseNameError::Characters => Message::DatabaseNameCharacters,
        }
    }
}

impl From<MaxUsersError> for Message {
    fn from(e: MaxUsersError) -> Self {
        match e {
            MaxUsersError::Empty => Message::MaxUsersEmpty,
            MaxUsersError::NotAWholeNumber => Message::MaxUsersNotWhole,
            MaxUsersError::OutOfRange => Message::MaxUsersRange { min: 1, max: MAX_USERS_LIMIT },
        }
    }
}

impl From<ContractEndError> for Message {
    fn from(e: ContractEndError) -> Self {
        match e {
            ContractEndError::Empty => Message::ContractEndEmpty,
            ContractEndError::Format => Message::ContractEndFormat,
            ContractEndError::Past => Message::ContractEndPast,
        }
    }
}

impl From<ReasonTooLong> for Message {
    fn from(_: ReasonTooLong) -> Self {
        Message::ReasonTooLong { max: count(super::customer::REASON_MAX_CHARS) }
    }
}

impl From<KindChangeError> for Message {
    fn from(e: KindChangeError) -> Self {
        match e {
            KindChangeError::BilledIsFinal => Message::KindBilledIsFinal,
            KindChangeError::Unchanged => Message::KindUnchanged,
            KindChangeError::Unknown => Message::KindUnknown,
        }
    }
}

impl From<UsernameError> for Message {
    fn from(e: UsernameError) -> Self {
        match e {
            UsernameError::Empty => Message::UsernameEmpty,
            UsernameError::Length => Message::UsernameLength { min: 3, max: 64 },
            UsernameError::Characters => Message::UsernameCharacters,
        }
    }
}

impl From<PasswordError> for Message {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::TooShort => Message::PasswordTooShort { min: 12 },
            PasswordError::TooLong => Message::PasswordTooLong { max: count(MAX_PASSWORD_CHARS) },
        }
    }
}

impl From<RoleError> for Message {
    fn from(_: RoleError) -> Self {
        Message::RoleUnknown
    }
}

impl From<TwoFactorRuleError> for Message {
    fn from(_: TwoFactorRuleError) -> Self {
        Message::TwoFactorRuleUnknown
    }
}

impl From<BillingMonthError> for Message {
    fn from(e: BillingMonthError) -> Self {
        match e {
            BillingMonthError::Format => Message::MonthFormat,
            BillingMonthError::Month => Message::MonthNumber,
            BillingMonthError::Year => Message::MonthYear,
        }
    }
}

impl From<MoneyError> for Message {
    fn from(e: MoneyError) -> Self {
        match e {
            MoneyError::Empty => Message::MoneyEmpty,
            MoneyError::Invalid => Message::MoneyInvalid,
            MoneyError::TooLarge => Message::MoneyTooLarge,
        }
    }
}

impl From<PercentError> for Message {
    fn from(e: PercentError) -> Self {
        match e {
            PercentError::Empty => Message::PercentEmpty,
            PercentError::Invalid => Message::PercentInvalid,
            PercentError::Negative => Message::PercentNegative,
            PercentError::TooLarge { max } => Message::PercentTooLarge { max },
        }
    }
}

impl From<UnitPriceError> for Message {
    fn from(e: UnitPriceError) -> Self {
        match e {
            UnitPriceError::Empty => Message::PriceEmpty,
            UnitPriceError::Invalid => Message::PriceInvalid,
            UnitPriceError::Negative => Message::PriceNegative,
            UnitPriceError::TooLarge => Message::PriceTooLarge,
        }
    }
}

impl From<PasskeyNameError> for Message {
    fn from(e: PasskeyNameError) -> Self {
        match e {
            PasskeyNameError::Empty => Message::PasskeyNameEmpty,
            PasskeyNameError::TooLong => Message::PasskeyNameTooLong,
            PasskeyNameError::Control => Message::PasskeyNameCharacters,
        }
    }
}

/// A rule's error reads as its message in English (the log, the command
/// line, what `serde` says about a stored value): one sentence per rule, in
/// the translations.
macro_rules! reads_in_english {
    ($($error:ty),* $(,)?) => {
        $(
            impl std::fmt::Display for $error {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&crate::messages::english(&Message::from(self.clone())))
                }
            }

            impl std::error::Error for $error {}
        )*
    };
}

reads_in_english!(
    CustomerNameError,
    DatabaseNameError,
    MaxUsersError,
    ContractEndError,
    ReasonTooLong,
    KindChangeError,
    UsernameError,
    PasswordError,
    RoleError,
    TwoFactorRuleError,
    BillingMonthError,
    MoneyError,
    UnitPriceError,
    PercentError,
    PasskeyNameError,
);

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every message.
    fn every() -> Vec<Message> {
        vec![
            Message::NameEmpty,
            Message::NameTooLong { max: 7 },
            Message::NameControlCharacters,
            Message::NameTaken,
            Message::DatabaseNameEmpty,
            Message::DatabaseNameTooLong { max: 7 },
            Message::DatabaseNameCharacters,
            Message::DatabaseNameTaken,
            Message::MaxUsersEmpty,
            Message::MaxUsersNotWhole,
            Message::MaxUsersRange { min: 7, max: 7 },
            Message::ContractEndEmpty,
            Message::ContractEndFormat,
            Message::ContractEndPast,
            Message::ReasonTooLong { max: 7 },
            Message::OptionNotBookable { option: "x|y".to_owned() },
            Message::KindBilledIsFinal,
            Message::KindUnchanged,
            Message::KindUnknown,
            Message::UsernameEmpty,
            Message::UsernameLength { min: 7, max: 7 },
            Message::UsernameCharacters,
            Message::PasswordTooShort { min: 7 },
            Message::PasswordTooLong { max: 7 },
            Message::RoleUnknown,
            Message::TwoFactorRuleUnknown,
            Message::MonthFormat,
            Message::MonthNumber,
            Message::MonthYear,
            Message::MoneyEmpty,
            Message::MoneyInvalid,
            Message::MoneyTooLarge,
            Message::PriceEmpty,
            Message::PriceInvalid,
            Message::PriceNegative,
            Message::PriceTooLarge,
            Message::PercentEmpty,
            Message::PercentInvalid,
            Message::PercentNegative,
            Message::PercentTooLarge { max: 7 },
            Message::SellMethodUnknown,
            Message::WholeNumberRange { min: 7, max: 7 },
            Message::LedgerAccount { length: 7 },
            Message::DebtorAccount { digits: 7 },
            Message::TaxKey,
            Message::DatevNotSet,
            Message::MonthNotClosed { month: "x|y".to_owned() },
            Message::DebtorAccountsMissing { names: "x|y".to_owned() },
            Message::PasskeyNameEmpty,
            Message::PasskeyNameTooLong,
            Message::PasskeyNameCharacters,
            Message::PasskeyExists,
            Message::PasskeyCancelled,
            Message::PasskeyAddressRefused,
            Message::PasskeyUnsupported,
            Message::FilterTooLong { max: 7 },
            Message::CustomerChanged,
            Message::AlreadyDeactivated,
            Message::AlreadyActive,
            Message::SessionEnded,
            Message::SessionInUse,
            Message::OwnSessions,
            Message::SettingsChanged,
            Message::PolicyChanged,
            Message::SsoSettingsChanged,
            Message::ReportIdReused,
            Message::SecretKeyMissing,
            Message::TotpNotOn,
            Message::TotpAlreadyOn,
            Message::TotpSetupMissing,
            Message::LastFactor,
            Message::OwnTwoFactor,
            Message::NoSecondFactor { name: "x|y".to_owned() },
            Message::SignInExpired,
            Message::NoApiKey,
            Message::PasskeysNeedAddress,
            Message::PasskeyLimit { max: 7 },
            Message::PasskeyExpired,
            Message::PasskeyRegistered,
            Message::NoPasskey,
            Message::BreakGlassAdmin { name: "x|y".to_owned() },
            Message::LastAdmin { name: "x|y".to_owned() },
            Message::DisableSelf,
            Message::OwnPassword,
            Message::NoPrices { month: "x|y".to_owned() },
            Message::NoOptionPrice { month: "x|y".to_owned(), option: "x|y".to_owned() },
            Message::AmountTooLarge,
            Message::ConfirmName,
            Message::OptionCodeTaken,
            Message::OptionNameTaken,
            Message::MonthsWindow,
            Message::NoFigures { month: "x|y".to_owned() },
            Message::ClientSecretTooLong { max: 7 },
            Message::ClientSecretEmpty,
            Message::BreakGlassChoice,
            Message::PasswordSignInChoice,
            Message::WrongCurrentPassword,
            Message::CurrentPasswordEmpty,
            Message::PasswordsDiffer,
            Message::SamePassword,
            Message::PasskeyAnswerBad,
            Message::PasskeyRequestMissing,
            Message::PasskeyNotAccepted,
            Message::UsernameTaken,
            Message::SsoEmailTaken,
            Message::LanguageChoice,
            Message::TimeZoneChoice,
            Message::FillIn,
            Message::AtMost { max: 7 },
            Message::NoControlCharacters,
            Message::IssuerEmpty,
            Message::IssuerTooLong { max: 7 },
            Message::IssuerNotUrl,
            Message::IssuerNotHttps,
            Message::IssuerParts,
            Message::NotADomain { domain: "x|y".to_owned() },
            Message::DomainsTooMany { max: 7 },
            Message::EmailInvalid,
            Message::RoleValueMissing,
            Message::RoleClaimMissing,
            Message::PricingUnknown,
            Message::CurrencyInvalid,
            Message::GraceDays { max: 7 },
            Message::TimeZoneUnknown,
            Message::PriceListStart { month: "x|y".to_owned() },
            Message::OptionCodeFormat,
            Message::CodeOrRecovery,
            Message::CodeDigits,
            Message::WaitSeconds { seconds: 7 },
            Message::WaitSecond,
            Message::WaitMinutes { minutes: 7 },
            Message::WrongCredentials,
            Message::PasswordOff,
            Message::WrongCode,
            Message::WrongRecoveryCode,
            Message::AnswerNotUnderstood,
            Message::PasswordCommon,
            Message::PasswordHasUsername,
            Message::PasswordFewCharacters,
            Message::ContractEnded { date: "x|y".to_owned() },
            Message::MonthNotEnded { month: "x|y".to_owned() },
            Message::TimeZoneLocked,
            Message::PolicyNeedsKey,
            Message::SsoSecretNeedsKey,
            Message::DiscoveryFailed { detail: "x|y".to_owned() },
            Message::PasswordOffNeedsSso,
            Message::OptionNotInCatalogue,
            Message::TokenScopeUnknown,
            Message::TokenScopeAboveRole,
            Message::TokenLimit { max: 7 },
            Message::WebhookUrl,
            Message::WebhookAddress,
            Message::EventsEmpty,
            Message::EndpointLimit { max: 7 },
            Message::SmtpHost,
            Message::SmtpPort,
            Message::SmtpCredentialsNeedTls,
            Message::EmailAddress,
            Message::SmtpNotSet,
        ]
    }

    #[test]
    fn every_message_has_words_in_both_languages_and_travels_as_one_string() {
        use crate::i18n::Locale;
        for message in every() {
            let said = Said::from(message.clone());
            let json = serde_json::to_string(&said).unwrap();
            assert_eq!(json, serde_json::to_string(&message.wire()).unwrap());
            assert_eq!(serde_json::from_str::<Said>(&json).unwrap(), said);
            let (english, german) = (said.english(), crate::messages::text(&said, Locale::de));
            assert_ne!(english, said.wire(), "{said:?} has no English words");
            assert_ne!(german, said.wire(), "{said:?} has no German words");
            assert_ne!(german, english, "{said:?} reads the same in German");
            assert_eq!(english, crate::messages::english(&message));
        }
        assert_eq!(Message::MaxUsersRange { min: 1, max: 100_000 }.wire(), "max_users_range|1|100000");
        assert_eq!(Message::NameTaken.wire(), "name_taken");
    }

    #[test]
    fn a_text_parameter_keeps_its_bars_and_an_unknown_code_shows_as_it_came() {
        let said = Said::from(Message::NoOptionPrice { month: "2026-11".to_owned(), option: "a|b".to_owned() });
        assert_eq!(said.english(), "The option a|b has no price in the price list of 2026-11.");
        let said = Said::from(Message::Text { text: "Two | bars.".to_owned() });
        assert_eq!(said.english(), "Two | bars.");
        let unknown: Said = serde_json::from_str(r#""from_a_newer_server|3""#).unwrap();
        assert_eq!(unknown.english(), "from_a_newer_server|3");
    }
}
