//! Unit prices of the price list: up to four decimals (a price per user may
//! be 0.4167), stored as whole ten-thousandths of the currency. Lines made
//! from them are rounded to cents by [`super::Money::line`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Prices above this are surely a typo.
const MAX_E4: i64 = 100_000 * 10_000;

/// A unit price in ten-thousandths of the currency, from 0 to 100,000.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UnitPrice {
    e4: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitPriceError {
    Empty,
    Invalid,
    Negative,
    TooLarge,
}

impl UnitPrice {
    pub fn from_e4(e4: i64) -> Result<Self, UnitPriceError> {
        match e4 {
            ..0 => Err(UnitPriceError::Negative),
            0..=MAX_E4 => Ok(Self { e4 }),
            _ => Err(UnitPriceError::TooLarge),
        }
    }

    pub fn e4(self) -> i64 {
        self.e4
    }

    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.e4, 4)
    }

    /// A price the rules derive from another (a markup or a discount):
    /// rounded to ten-thousandths half away from zero, and not capped like
    /// a typed one (a markup may take a price above the highest typed one).
    pub fn derived(exact: Decimal) -> Result<Self, UnitPriceError> {
        let rounded = exact.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let e4 = i64::try_from(rounded * Decimal::from(10_000)).map_err(|_| UnitPriceError::TooLarge)?;
        if e4 < 0 {
            return Err(UnitPriceError::Negative);
        }
        Ok(Self { e4 })
    }

    /// Parses a price typed by a person: "4.5", "4,50", "0.4167".
    pub fn parse(raw: &str) -> Result<Self, UnitPriceError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UnitPriceError::Empty);
        }
        let value: Decimal = trimmed.replace(',', ".").parse().map_err(|_| UnitPriceError::Invalid)?;
        if value.scale() > 4 {
            return Err(UnitPriceError::Invalid);
        }
        if value.is_sign_negative() && !value.is_zero() {
            return Err(UnitPriceError::Negative);
        }
        let e4 = value * Decimal::from(10_000);
        Self::from_e4(i64::try_from(e4).map_err(|_| UnitPriceError::TooLarge)?)
    }
}

impl fmt::Display for UnitPrice {
    /// At least two decimals, more only when the price has them: 4.50, 0.4167.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.as_decimal().normalize();
        if d.scale() < 2 {
            write!(f, "{:.2}", d)
        } else {
            write!(f, "{d}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_up_to_four_decimals_with_point_or_comma() {
        assert_eq!(UnitPrice::parse("4.5").unwrap().e4(), 45_000);
        assert_eq!(UnitPrice::parse(" 0,4167 ").unwrap().e4(), 4_167);
        assert_eq!(UnitPrice::parse("0").unwrap().e4(), 0);
        assert_eq!(UnitPrice::parse("100000").unwrap().e4(), 1_000_000_000);
    }

    #[test]
    fn parse_refuses_what_is_not_a_price() {
        assert_eq!(UnitPrice::parse(""), Err(UnitPriceError::Empty));
        assert_eq!(UnitPrice::parse("0.12345"), Err(UnitPriceError::Invalid));
        assert_eq!(UnitPrice::parse("-1"), Err(UnitPriceError::Negative));
        assert_eq!(UnitPrice::parse("100000.01"), Err(UnitPriceError::TooLarge));
        assert_eq!(UnitPrice::parse("4 EUR"), Err(UnitPriceError::Invalid));
    }

    #[test]
    fn a_derived_price_rounds_half_away_from_zero_to_four_decimals() {
        assert_eq!(UnitPrice::derived(Decimal::new(41_675, 5)).unwrap().e4(), 4_168);
        assert_eq!(UnitPrice::derived(Decimal::new(41_674, 5)).unwrap().e4(), 4_167);
        assert_eq!(UnitPrice::derived(Decimal::from(1_100_000)).unwrap().e4(), 11_000_000_000);
        assert_eq!(UnitPrice::derived(Decimal::new(-1, 0)), Err(UnitPriceError::Negative));
    }

    #[test]
    fn display_shows_two_decimals_or_all_of_them() {
        assert_eq!(UnitPrice::parse("4.5").unwrap().to_string(), "4.50");
        assert_eq!(UnitPrice::parse("0.4167").unwrap().to_string(), "0.4167");
        assert_eq!(UnitPrice::parse("12").unwrap().to_string(), "12.00");
    }
}
