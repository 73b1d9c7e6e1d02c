//! The rules of a customer: kind and status, contract end, license, and the
//! forms that create and change one.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use super::validation::{FieldMessage, Problems};
use super::{CustomerName, DatabaseName, MaxUsers};

/// Days from creation to the default contract end (four weeks).
pub const DEFAULT_CONTRACT_DAYS: i64 = 28;
/// Contracts ending within this many days are marked in the lists.
pub const ENDS_SOON_DAYS: i64 = 14;
pub const REASON_MAX_CHARS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    Test,
    Billed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindChangeError {
    BilledIsFinal,
    Unchanged,
    Unknown,
}

impl CustomerKind {
    pub fn parse(raw: &str) -> Result<Self, KindChangeError> {
        match raw.trim() {
            "test" => Ok(Self::Test),
            "billed" => Ok(Self::Billed),
            _ => Err(KindChangeError::Unknown),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Billed => "billed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Test => "Test",
            Self::Billed => "Billed",
        }
    }

    /// Test may become billed; billed is final.
    pub fn change_to(self, to: CustomerKind) -> Result<CustomerKind, KindChangeError> {
        match (self, to) {
            (Self::Billed, Self::Test) => Err(KindChangeError::BilledIsFinal),
            (from, to) if from == to => Err(KindChangeError::Unchanged),
            (_, to) => Ok(to),
        }
    }
}

impl fmt::Display for CustomerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerStatus {
    Active,
    Deactivated,
    Removed,
}

impl CustomerStatus {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "deactivated" => Some(Self::Deactivated),
            "removed" => Some(Self::Removed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deactivated => "deactivated",
            Self::Removed => "removed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Deactivated => "Deactivated",
            Self::Removed => "Removed",
        }
    }
}

/// How a contract end reads in a list on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractFlag {
    Ended,
    EndsSoon,
    Running,
}

pub fn contract_flag(contract_end: NaiveDate, today: NaiveDate) -> ContractFlag {
    if contract_end < today {
        ContractFlag::Ended
    } else if contract_end - today <= Duration::days(ENDS_SOON_DAYS) {
        ContractFlag::EndsSoon
    } else {
        ContractFlag::Running
    }
}

pub fn default_contract_end(today: NaiveDate) -> NaiveDate {
    today + Duration::days(DEFAULT_CONTRACT_DAYS)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractEndError {
    Empty,
    Format,
    Past,
}

/// A contract end typed into a form (`YYYY-MM-DD`): today or later.
pub fn parse_contract_end(raw: &str, today: NaiveDate) -> Result<NaiveDate, ContractEndError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ContractEndError::Empty);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| ContractEndError::Format)?;
    if date < today {
        return Err(ContractEndError::Past);
    }
    Ok(date)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonTooLong;

/// The optional reason of a deactivation: trimmed, empty means none.
pub fn parse_reason(raw: &str) -> Result<Option<String>, ReasonTooLong> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > REASON_MAX_CHARS {
        return Err(ReasonTooLong);
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// A code of the option catalogue, e.g. `web_access`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OptionCode(pub String);

/// What the "New customer" form sends: exactly what was typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub name: String,
    pub billed: bool,
    pub contract_end: String,
    pub database_name: String,
    pub max_users: String,
    pub limit_user_creation: bool,
    pub options: Vec<String>,
}

/// A new customer whose every field is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCustomer {
    pub name: CustomerName,
    pub kind: CustomerKind,
    pub contract_end: NaiveDate,
    pub database_name: DatabaseName,
    pub max_users: MaxUsers,
    pub limit_user_creation: bool,
    pub options: BTreeSet<OptionCode>,
}

/// Checks the options against the codes that may be booked.
pub fn parse_options(
    raw: &[String],
    bookable: &[String],
) -> Result<BTreeSet<OptionCode>, crate::domain::message::Message> {
    let mut codes = BTreeSet::new();
    for code in raw {
        if !bookable.contains(code) {
            let option = code.chars().take(64).collect();
            return Err(crate::domain::message::Message::OptionNotBookable { option });
        }
        codes.insert(OptionCode(code.clone()));
    }
    Ok(codes)
}

impl CustomerForm {
    /// Every problem of the form at once, field by field.
    pub fn validate(&self, today: NaiveDate, bookable: &[String]) -> Result<NewCustomer, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let name = problems.check("name", CustomerName::parse(&self.name));
        let contract_end = problems.check("contract_end", parse_contract_end(&self.contract_end, today));
        let database_name = problems.check("database_name", DatabaseName::parse(&self.database_name));
        let max_users = problems.check("max_users", MaxUsers::parse(&self.max_users));
        let options = problems.check("options", parse_options(&self.options, bookable));
        let valid = (|| {
            Some(NewCustomer {
                name: name?,
                kind: if self.billed { CustomerKind::Billed } else { CustomerKind::Test },
                contract_end: contract_end?,
                database_name: database_name?,
                max_users: max_users?,
                limit_user_creation: self.limit_user_creation,
                options: options?,
            })
        })();
        problems.into_result(valid)
    }
}

/// What the "Edit contract" form sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractForm {
    pub name: String,
    pub contract_end: String,
    pub max_users: String,
    pub limit_user_creation: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractChange {
    pub name: CustomerName,
    pub contract_end: NaiveDate,
    pub max_users: MaxUsers,
    pub limit_user_creation: bool,
}

impl ContractForm {
    /// `current_end` may stay as it is even when it has passed (only a new
    /// date must not be in the past).
    pub fn validate(&self, today: NaiveDate, current_end: NaiveDate) -> Result<ContractChange, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let name = problems.check("name", CustomerName::parse(&self.name));
        let contract_end = match NaiveDate::parse_from_str(self.contract_end.trim(), "%Y-%m-%d") {
            Ok(date) if date == current_end => Some(date),
            _ => problems.check("contract_end", parse_contract_end(&self.contract_end, today)),
        };
        let max_users = problems.check("max_users", MaxUsers::parse(&self.max_users));
        let valid = (|| {
            Some(ContractChange {
                name: name?,
                contract_end: contract_end?,
                max_users: max_users?,
                limit_user_creation: self.limit_user_creation,
            })
        })();
        problems.into_result(valid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn form() -> CustomerForm {
        CustomerForm {
            name: "Müller GmbH".into(),
            billed: false,
            contract_end: "2026-12-23".into(),
            database_name: "mueller_gmbh".into(),
            max_users: "25".into(),
            limit_user_creation: true,
            options: vec!["web_access".into()],
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 25);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn bookable() -> Vec<String> {
        vec!["web_access".into(), "offline".into()]
    }

    #[test]
    fn billed_can_never_go_back_to_test() {
        assert_eq!(CustomerKind::Test.change_to(CustomerKind::Billed), Ok(CustomerKind::Billed));
        assert_eq!(CustomerKind::Billed.change_to(CustomerKind::Test), Err(KindChangeError::BilledIsFinal));
        assert_eq!(CustomerKind::Billed.change_to(CustomerKind::Billed), Err(KindChangeError::Unchanged));
    }

    #[test]
    fn the_default_contract_ends_four_weeks_from_today() {
        assert_eq!(default_contract_end(today()), day(2026, 12, 23));
    }

    #[test]
    fn contracts_within_14_days_end_soon_and_past_ones_have_ended() {
        assert_eq!(contract_flag(day(2026, 11, 24), today()), ContractFlag::Ended);
        assert_eq!(contract_flag(today(), today()), ContractFlag::EndsSoon);
        assert_eq!(contract_flag(day(2026, 12, 9), today()), ContractFlag::EndsSoon);
        assert_eq!(contract_flag(day(2026, 12, 10), today()), ContractFlag::Running);
    }

    #[test]
    fn a_contract_end_in_the_past_is_refused() {
        assert_eq!(parse_contract_end("2026-11-24", today()), Err(ContractEndError::Past));
        assert_eq!(parse_contract_end("2026-11-25", today()), Ok(today()));
        assert_eq!(parse_contract_end("25.11.2026", today()), Err(ContractEndError::Format));
        assert_eq!(parse_contract_end("", today()), Err(ContractEndError::Empty));
    }

    #[test]
    fn a_reason_is_optional_and_at_most_500_characters() {
        assert_eq!(parse_reason("  "), Ok(None));
        assert_eq!(parse_reason(" Unpaid invoices "), Ok(Some("Unpaid invoices".into())));
        assert!(parse_reason(&"ü".repeat(500)).is_ok());
        assert_eq!(parse_reason(&"ü".repeat(501)), Err(ReasonTooLong));
    }

    #[test]
    fn a_valid_form_makes_a_new_customer() {
        let new = form().validate(today(), &bookable()).unwrap();
        assert_eq!(new.kind, CustomerKind::Test);
        assert_eq!(new.max_users.get(), 25);
        assert_eq!(new.options.len(), 1);
        let billed = CustomerForm { billed: true, ..form() }.validate(today(), &bookable()).unwrap();
        assert_eq!(billed.kind, CustomerKind::Billed);
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let bad = CustomerForm {
            name: " ".into(),
            contract_end: "2020-01-01".into(),
            database_name: "bad name".into(),
            max_users: "0".into(),
            options: vec!["retired_thing".into()],
            ..form()
        };
        let problems = bad.validate(today(), &bookable()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "contract_end", "database_name", "max_users", "options"]);
    }

    #[test]
    fn an_unchanged_past_contract_end_may_stay_but_a_new_one_must_be_in_the_future() {
        let ended = day(2026, 11, 1);
        let keep = ContractForm {
            name: "A".into(),
            contract_end: "2026-11-01".into(),
            max_users: "5".into(),
            limit_user_creation: false,
        };
        assert_eq!(keep.validate(today(), ended).unwrap().contract_end, ended);
        let other_past = ContractForm { contract_end: "2026-11-02".into(), ..keep.clone() };
        assert_eq!(other_past.validate(today(), ended).unwrap_err()[0].field, "contract_end");
    }
}
