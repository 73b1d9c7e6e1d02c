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
use super::role::RoleError;
use super::sign_in_policy::TwoFactorRuleError;
use super::unit_price::UnitPriceError;
use super::username::{PasswordError, UsernameError, MAX_PASSWORD_CHARS};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged (`"name_taken"`, `{"max_users_range":{"min":1,"max":100000}}`):
// its reader in the WebAssembly is a fraction of an internally tagged one's.
#[serde(rename_all = "snake_case")]
pub enum Message {
    NameEmpty,
    NameTooLong {
        max: u32,
    },
    NameControlCharacters,
    NameTaken,
    DatabaseNameEmpty,
    DatabaseNameTooLong {
        max: u32,
    },
    DatabaseNameCharacters,
    DatabaseNameTaken,
    MaxUsersEmpty,
    MaxUsersNotWhole,
    MaxUsersRange {
        min: u32,
        max: u32,
    },
    ContractEndEmpty,
    ContractEndFormat,
    ContractEndPast,
    ReasonTooLong {
        max: u32,
    },
    OptionNotBookable {
        option: String,
    },
    KindBilledIsFinal,
    KindUnchanged,
    KindUnknown,
    UsernameEmpty,
    UsernameLength {
        min: u32,
        max: u32,
    },
    UsernameCharacters,
    PasswordTooShort {
        min: u32,
    },
    PasswordTooLong {
        max: u32,
    },
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
    PasskeyNameEmpty,
    PasskeyNameTooLong,
    PasskeyNameCharacters,
    FilterTooLong {
        max: u32,
    },
    /// A rule's English sentence that has no code yet; shown as it is in
    /// both languages.
    Text {
        text: String,
    },
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
    PasskeyNameError,
);
