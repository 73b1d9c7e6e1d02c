use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar month of billing, e.g. 2026-11. Always a valid month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct BillingMonth {
    year: i32,
    month: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BillingMonthError {
    Format,
    Month,
    Year,
}

impl BillingMonth {
    pub fn new(year: i32, month: u32) -> Result<Self, BillingMonthError> {
        if !(2000..=2999).contains(&year) {
            return Err(BillingMonthError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(BillingMonthError::Month);
        }
        Ok(Self { year, month })
    }

    /// Parses `YYYY-MM`.
    pub fn parse(raw: &str) -> Result<Self, BillingMonthError> {
        let raw = raw.trim();
        let (y, m) = raw.split_once('-').ok_or(BillingMonthError::Format)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(BillingMonthError::Format);
        }
        Self::new(y.parse().map_err(|_| BillingMonthError::Format)?, m.parse().map_err(|_| BillingMonthError::Format)?)
    }

    /// The month that contains `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month has a first day")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a first day has a day before it")
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last_day();
        self.first_day().iter_days().take_while(move |d| *d <= last)
    }

    pub fn next(self) -> Self {
        Self::of(self.first_day() + Months::new(1))
    }

    pub fn previous(self) -> Self {
        Self::of(self.first_day() - Months::new(1))
    }
}

/// Read from "YYYY-MM". A bad value is refused in serde's own words, not
/// the rule's message: the browser reads months in every page, and the
/// messages' table would come along with this one refusal.
impl<'de> Deserialize<'de> for BillingMonth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw)
            .map_err(|_| serde::de::Error::invalid_value(serde::de::Unexpected::Str(&raw), &"a month as YYYY-MM"))
    }
}

impl From<BillingMonth> for String {
    fn from(value: BillingMonth) -> Self {
        value.to_string()
    }
}

impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_and_prints_yyyy_mm() {
        let m = BillingMonth::parse("2026-03").unwrap();
        assert_eq!((m.year(), m.month()), (2026, 3));
        assert_eq!(m.to_string(), "2026-03");
    }

    #[test]
    fn refuses_malformed_months() {
        assert_eq!(BillingMonth::parse("2026-13"), Err(BillingMonthError::Month));
        assert_eq!(BillingMonth::parse("2026-00"), Err(BillingMonthError::Month));
        assert_eq!(BillingMonth::parse("2026-3"), Err(BillingMonthError::Format));
        assert_eq!(BillingMonth::parse("26-03"), Err(BillingMonthError::Format));
        assert_eq!(BillingMonth::parse("march"), Err(BillingMonthError::Format));
        assert_eq!(BillingMonth::parse("1999-12"), Err(BillingMonthError::Year));
    }

    #[test]
    fn reads_and_writes_json_as_yyyy_mm_and_refuses_bad_months() {
        let m = BillingMonth::parse("2026-03").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#""2026-03""#);
        assert_eq!(serde_json::from_str::<BillingMonth>(r#""2026-03""#).unwrap(), m);
        for bad in [r#""2026-13""#, r#""march""#, r#""1999-12""#, "202603"] {
            let error = serde_json::from_str::<BillingMonth>(bad).unwrap_err().to_string();
            assert!(!error.is_empty(), "{bad}");
        }
        let error = serde_json::from_str::<BillingMonth>(r#""2026-13""#).unwrap_err().to_string();
        assert!(error.contains("a month as YYYY-MM"), "{error}");
    }

    #[test]
    fn february_of_a_leap_year_has_29_days() {
        let feb = BillingMonth::parse("2028-02").unwrap();
        assert_eq!(feb.last_day(), day(2028, 2, 29));
        assert_eq!(feb.days().count(), 29);
        assert_eq!(BillingMonth::parse("2027-02").unwrap().days().count(), 28);
    }

    #[test]
    fn next_and_previous_cross_the_year() {
        let dec = BillingMonth::parse("2026-12").unwrap();
        assert_eq!(dec.next().to_string(), "2027-01");
        assert_eq!(dec.next().previous(), dec);
        assert_eq!(BillingMonth::of(day(2026, 11, 25)).to_string(), "2026-11");
    }

    #[test]
    fn months_order_by_time() {
        assert!(BillingMonth::parse("2026-12").unwrap() < BillingMonth::parse("2027-01").unwrap());
    }
}
