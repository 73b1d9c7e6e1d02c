//! Reading stored values back: one checked path for every value whose type
//! the database cannot hold (months, days, counts, prices, kinds, zones). A
//! value that does not read is an error that names what it is and its
//! value, never a silent default.

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::error::{Result, ServerError};
use crate::domain::billing::LineKind;
use crate::domain::billing_settings::Pricing;
use crate::domain::{BillingMonth, CustomerKind, CustomerStatus, UnitPrice};

pub fn month(raw: &str) -> Result<BillingMonth> {
    BillingMonth::parse(raw).map_err(|e| ServerError::corrupt("month", raw, e))
}

pub fn day(raw: &str) -> Result<NaiveDate> {
    raw.parse().map_err(|e| ServerError::corrupt("day", raw, e))
}

/// A count that is never negative (users, days, statements).
pub fn count(n: i64, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|e| ServerError::corrupt(what, n, e))
}

pub fn quantity(n: i64) -> Result<u64> {
    u64::try_from(n).map_err(|e| ServerError::corrupt("line quantity", n, e))
}

pub fn unit_price(e4: i64) -> Result<UnitPrice> {
    UnitPrice::from_e4(e4).map_err(|e| ServerError::corrupt("unit price (1/10,000)", e4, e))
}

/// A unit price the rules derived (a sell price): not capped like a typed one.
pub fn derived_price(e4: i64) -> Result<UnitPrice> {
    UnitPrice::derived(rust_decimal::Decimal::new(e4, 4))
        .map_err(|e| ServerError::corrupt("sell unit price (1/10,000)", e4, e))
}

pub fn line_kind(raw: &str) -> Result<LineKind> {
    LineKind::parse(raw).ok_or_else(|| ServerError::unknown("statement line kind", raw))
}

pub fn pricing(raw: &str) -> Result<Pricing> {
    Pricing::parse(raw).map_err(|_| ServerError::unknown("option pricing", raw))
}

pub fn customer_kind(raw: &str) -> Result<CustomerKind> {
    CustomerKind::parse(raw).map_err(|e| ServerError::corrupt("customer kind", raw, e))
}

pub fn customer_status(raw: &str) -> Result<CustomerStatus> {
    CustomerStatus::parse(raw).ok_or_else(|| ServerError::unknown("customer status", raw))
}

pub fn time_zone(raw: &str) -> Result<Tz> {
    raw.parse().map_err(|_| ServerError::unknown("billing time zone", raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_is_an_error_that_names_it() {
        assert_eq!(month("2026-11").unwrap().to_string(), "2026-11");
        assert!(month("2026-13").unwrap_err().chain().starts_with("stored month is unreadable: \"2026-13\""));
        assert!(count(-1, "users").unwrap_err().chain().contains("stored users is unreadable: \"-1\""));
        assert!(line_kind("option_flat").is_ok());
        assert_eq!(line_kind("bonus").unwrap_err().chain(), "stored statement line kind is unreadable: \"bonus\"");
        assert!(unit_price(-5).is_err());
        assert!(pricing("per_user").is_ok() && pricing("free").is_err());
        assert!(time_zone("Europe/Berlin").is_ok() && time_zone("Mars/Olympus").is_err());
        assert!(day("2026-02-30").is_err());
    }
}
