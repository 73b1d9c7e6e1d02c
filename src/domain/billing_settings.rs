//! The admin's billing settings (currency, billing time zone, grace period),
//! the price list form and the option catalogue form, with their checks.
//! Shared by the browser (messages as you type) and the server.

use serde::{Deserialize, Serialize};

use super::message::Message;
use super::unit_price::UnitPrice;
use super::validation::Problems;
use super::{BillingMonth, FieldMessage};

pub const MAX_GRACE_DAYS: u32 = 28;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Pricing {
    PerUser,
    Flat,
}

impl Pricing {
    pub fn parse(raw: &str) -> Result<Self, Message> {
        match raw {
            "per_user" => Ok(Self::PerUser),
            "flat" => Ok(Self::Flat),
            _ => Err(Message::PricingUnknown),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PerUser => "per_user",
            Self::Flat => "flat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PerUser => "per user / month",
            Self::Flat => "flat / month",
        }
    }
}

/// The settings form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub currency: String,
    pub time_zone: String,
    pub grace_days: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSettings {
    pub currency: String,
    pub time_zone: String,
    pub grace_days: u32,
}

pub fn parse_currency(raw: &str) -> Result<String, Message> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(Message::CurrencyInvalid)
    }
}

pub fn parse_grace_days(raw: &str) -> Result<u32, Message> {
    raw.trim().parse::<u32>().ok().filter(|d| *d <= MAX_GRACE_DAYS).ok_or(Message::GraceDays { max: MAX_GRACE_DAYS })
}

impl SettingsForm {
    /// `is_time_zone` says whether a name is an IANA time zone (the server
    /// knows the list; the browser asks it).
    pub fn validate(&self, is_time_zone: impl Fn(&str) -> bool) -> Result<ValidSettings, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let currency = problems.check("currency", parse_currency(&self.currency));
        let tz = self.time_zone.trim().to_owned();
        let time_zone =
            problems.check("time_zone", if is_time_zone(&tz) { Ok(tz) } else { Err(Message::TimeZoneUnknown) });
        let grace_days = problems.check("grace_days", parse_grace_days(&self.grace_days));
        let valid = match (currency, time_zone, grace_days) {
            (Some(currency), Some(time_zone), Some(grace_days)) => {
                Some(ValidSettings { currency, time_zone, grace_days })
            }
            _ => None,
        };
        problems.into_result(valid)
    }
}

/// One option's price as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionPriceForm {
    pub code: String,
    pub pricing: String,
    pub price: String,
}

/// A price list as typed: in force from `effective_month`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListForm {
    pub effective_month: String,
    pub per_user: String,
    pub options: Vec<OptionPriceForm>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPriceList {
    pub effective: BillingMonth,
    pub per_user: UnitPrice,
    pub options: Vec<(String, Pricing, UnitPrice)>,
}

/// The field name of an option's price in messages: `price:offline`.
pub fn option_price_field(code: &str) -> String {
    format!("price:{code}")
}

impl PriceListForm {
    /// A price list may start in the current month or later, never in a past
    /// one: a change never alters a month that has ended.
    pub fn validate(&self, current: BillingMonth) -> Result<ValidPriceList, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let effective = problems.check(
            "effective_month",
            BillingMonth::parse(&self.effective_month).map_err(Message::from).and_then(|m| {
                if m < current {
                    Err(Message::PriceListStart { month: current.to_string() })
                } else {
                    Ok(m)
                }
            }),
        );
        let per_user = problems.check("per_user", UnitPrice::parse(&self.per_user));
        let mut options = Vec::new();
        for option in &self.options {
            let field = option_price_field(&option.code);
            let pricing = problems.check(&field, Pricing::parse(&option.pricing));
            let price = problems.check(&field, UnitPrice::parse(&option.price));
            if let (Some(pricing), Some(price)) = (pricing, price) {
                options.push((option.code.clone(), pricing, price));
            }
        }
        let valid = match (effective, per_user) {
            (Some(effective), Some(per_user)) => Some(ValidPriceList { effective, per_user, options }),
            _ => None,
        };
        problems.into_result(valid)
    }
}

/// A new option for the catalogue, with its price in the lists in force.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOptionForm {
    pub code: String,
    pub name: String,
    pub pricing: String,
    pub price: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidNewOption {
    pub code: String,
    pub name: String,
    pub pricing: Pricing,
    pub price: UnitPrice,
}

pub fn parse_option_code(raw: &str) -> Result<String, Message> {
    let code = raw.trim();
    let ok = (2..=40).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(Message::OptionCodeFormat)
    }
}

pub fn parse_option_name(raw: &str) -> Result<String, Message> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(Message::NameEmpty),
        1..=80 => Ok(name.to_owned()),
        _ => Err(Message::AtMost { max: 80 }),
    }
}

impl NewOptionForm {
    pub fn validate(&self) -> Result<ValidNewOption, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let code = problems.check("code", parse_option_code(&self.code));
        let name = problems.check("name", parse_option_name(&self.name));
        let pricing = problems.check("pricing", Pricing::parse(&self.pricing));
        let price = problems.check("price", UnitPrice::parse(&self.price));
        let valid = match (code, name, pricing, price) {
            (Some(code), Some(name), Some(pricing), Some(price)) => Some(ValidNewOption { code, name, pricing, price }),
            _ => None,
        };
        problems.into_result(valid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nov() -> BillingMonth {
        BillingMonth::parse("2026-11").unwrap()
    }

    #[test]
    fn settings_need_a_currency_code_a_known_zone_and_0_to_28_days() {
        let form = SettingsForm { currency: " chf ".into(), time_zone: "Europe/Zurich".into(), grace_days: "5".into() };
        let ok = form.validate(|tz| tz == "Europe/Zurich").unwrap();
        assert_eq!((ok.currency.as_str(), ok.grace_days), ("CHF", 5));
        let bad = SettingsForm { currency: "Euro".into(), time_zone: "Mars/Base".into(), grace_days: "29".into() };
        let fields: Vec<String> = bad.validate(|_| false).unwrap_err().into_iter().map(|m| m.field).collect();
        assert_eq!(fields, ["currency", "time_zone", "grace_days"]);
    }

    #[test]
    fn a_price_list_cannot_start_in_a_past_month() {
        let form = PriceListForm { effective_month: "2026-10".into(), per_user: "3".into(), options: vec![] };
        assert_eq!(form.validate(nov()).unwrap_err()[0].field, "effective_month");
        let form = PriceListForm { effective_month: "2026-11".into(), ..form };
        assert_eq!(form.validate(nov()).unwrap().per_user.e4(), 30_000);
    }

    #[test]
    fn each_option_price_is_checked_under_its_own_field() {
        let form = PriceListForm {
            effective_month: "2026-12".into(),
            per_user: "3,50".into(),
            options: vec![
                OptionPriceForm { code: "offline".into(), pricing: "per_user".into(), price: "0.4167".into() },
                OptionPriceForm { code: "hsm".into(), pricing: "flat".into(), price: "-2".into() },
            ],
        };
        let errors = form.validate(nov()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "price:hsm");
    }

    #[test]
    fn option_codes_are_lower_case_identifiers() {
        assert!(parse_option_code("backup_agent2").is_ok());
        assert!(parse_option_code("Backup").is_err());
        assert!(parse_option_code("2fa").is_err());
        assert!(parse_option_code("a").is_err());
        assert!(parse_option_code("x-y").is_err());
    }
}
