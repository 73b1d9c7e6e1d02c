//! Percentages of the sell prices: a markup over the vendor's price or a
//! customer's discount, typed with up to two decimals ("25", "12,5") and
//! held as whole hundredths of a percent (basis points).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A percentage from 0 to `max`, in hundredths of a percent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent {
    bp: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PercentError {
    Empty,
    Invalid,
    Negative,
    /// Above the highest percentage the field takes (in whole percent).
    TooLarge {
        max: u32,
    },
}

/// The highest markup over a vendor price: ten times the price on top.
pub const MARKUP_MAX: u32 = 1_000;
/// A discount takes at most the whole price.
pub const DISCOUNT_MAX: u32 = 100;

impl Percent {
    pub const ZERO: Percent = Percent { bp: 0 };

    /// From hundredths of a percent, at most `max` whole percent.
    pub fn from_bp(bp: i64, max: u32) -> Result<Self, PercentError> {
        match bp {
            ..0 => Err(PercentError::Negative),
            _ if bp > i64::from(max) * 100 => Err(PercentError::TooLarge { max }),
            _ => Ok(Self { bp }),
        }
    }

    pub fn bp(self) -> i64 {
        self.bp
    }

    /// As a fraction: 25 % is 0.25.
    pub fn fraction(self) -> Decimal {
        Decimal::new(self.bp, 4)
    }

    /// As a number of percent: 12.5 for 12.5 %.
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.bp, 2).normalize()
    }

    /// Parses a percentage typed by a person: "25", "12.5", "12,5", "7 %".
    pub fn parse(raw: &str, max: u32) -> Result<Self, PercentError> {
        let trimmed = raw.trim().trim_end_matches('%').trim_end();
        if trimmed.is_empty() {
            return Err(PercentError::Empty);
        }
        let value: Decimal = trimmed.replace(',', ".").parse().map_err(|_| PercentError::Invalid)?;
        if value.scale() > 2 {
            return Err(PercentError::Invalid);
        }
        if value.is_sign_negative() && !value.is_zero() {
            return Err(PercentError::Negative);
        }
        let bp = i64::try_from(value * Decimal::ONE_HUNDRED).map_err(|_| PercentError::TooLarge { max })?;
        Self::from_bp(bp, max)
    }
}

impl fmt::Display for Percent {
    /// The number as typed, with a point: "25", "12.5".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_takes_up_to_two_decimals_with_point_or_comma_and_a_sign() {
        assert_eq!(Percent::parse("25", MARKUP_MAX).unwrap().bp(), 2_500);
        assert_eq!(Percent::parse(" 12,5 % ", MARKUP_MAX).unwrap().bp(), 1_250);
        assert_eq!(Percent::parse("0.01", DISCOUNT_MAX).unwrap().bp(), 1);
        assert_eq!(Percent::parse("0", DISCOUNT_MAX).unwrap(), Percent::ZERO);
        assert_eq!(Percent::parse("100", DISCOUNT_MAX).unwrap().bp(), 10_000);
        assert_eq!(Percent::parse("1000", MARKUP_MAX).unwrap().bp(), 100_000);
    }

    #[test]
    fn parse_refuses_what_is_not_a_percentage_in_range() {
        assert_eq!(Percent::parse("", MARKUP_MAX), Err(PercentError::Empty));
        assert_eq!(Percent::parse("%", MARKUP_MAX), Err(PercentError::Empty));
        assert_eq!(Percent::parse("1.234", MARKUP_MAX), Err(PercentError::Invalid));
        assert_eq!(Percent::parse("ten", MARKUP_MAX), Err(PercentError::Invalid));
        assert_eq!(Percent::parse("-5", MARKUP_MAX), Err(PercentError::Negative));
        assert_eq!(Percent::parse("100.01", DISCOUNT_MAX), Err(PercentError::TooLarge { max: 100 }));
        assert_eq!(Percent::parse("1000.01", MARKUP_MAX), Err(PercentError::TooLarge { max: 1_000 }));
        assert_eq!(Percent::parse("1e30", MARKUP_MAX), Err(PercentError::Invalid));
        assert_eq!(Percent::parse("99999999999999999999999", MARKUP_MAX), Err(PercentError::TooLarge { max: 1_000 }));
    }

    #[test]
    fn display_and_fraction() {
        let p = Percent::parse("12,50", MARKUP_MAX).unwrap();
        assert_eq!(p.to_string(), "12.5");
        assert_eq!(p.fraction(), Decimal::new(125, 3));
        assert_eq!(Percent::parse("40", MARKUP_MAX).unwrap().to_string(), "40");
    }
}
