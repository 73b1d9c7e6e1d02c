use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::Add;

/// An amount of money in whole cents of the billing currency.
///
/// Every amount that is shown or stored is a `Money`; the only way from an
/// unrounded `Decimal` to a `Money` is [`Money::round`], which rounds half
/// away from zero (never `round_dp`, which rounds half to even).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    Invalid,
    TooLarge,
}

impl Money {
    pub const ZERO: Money = Money { cents: 0 };

    pub fn from_cents(cents: i64) -> Self {
        Self { cents }
    }

    pub fn cents(self) -> i64 {
        self.cents
    }

    /// Rounds an exact amount to cents, half away from zero.
    pub fn round(exact: Decimal) -> Result<Self, MoneyError> {
        let rounded = exact.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let cents = rounded * Decimal::ONE_HUNDRED;
        i64::try_from(cents).map(Self::from_cents).map_err(|_| MoneyError::TooLarge)
    }

    /// One billing line: quantity x unit price, rounded to cents.
    pub fn line(quantity: u64, unit_price: Decimal) -> Result<Self, MoneyError> {
        let exact = unit_price.checked_mul(Decimal::from(quantity)).ok_or(MoneyError::TooLarge)?;
        Self::round(exact)
    }

    /// Parses a price typed by a person: "4.5", "4.50", "4,50" (decimal comma).
    pub fn parse(raw: &str) -> Result<Self, MoneyError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let normalized = trimmed.replace(',', ".");
        let value: Decimal = normalized.parse().map_err(|_| MoneyError::Invalid)?;
        if value.scale() > 2 {
            return Err(MoneyError::Invalid);
        }
        Self::round(value)
    }

    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.cents, 2)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money::from_cents(self.cents + rhs.cents)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Plain decimal with two places and a point, e.g. `-1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.as_decimal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn half_a_cent_rounds_away_from_zero() {
        assert_eq!(Money::round(dec("0.125")).unwrap().cents(), 13);
        assert_eq!(Money::round(dec("0.135")).unwrap().cents(), 14);
        assert_eq!(Money::round(dec("-0.125")).unwrap().cents(), -13);
        assert_eq!(Money::round(dec("2.345")).unwrap().cents(), 235);
    }

    #[test]
    fn bankers_rounding_would_differ_here() {
        // round_dp (half to even) gives 0.12; we must give 0.13.
        assert_eq!(dec("0.125").round_dp(2), dec("0.12"));
        assert_eq!(Money::round(dec("0.125")).unwrap(), Money::from_cents(13));
    }

    #[test]
    fn a_line_is_quantity_times_unit_price_rounded() {
        assert_eq!(Money::line(3, dec("0.335")).unwrap().cents(), 101); // 1.005 -> 1.01
        assert_eq!(Money::line(0, dec("4.99")).unwrap(), Money::ZERO);
        assert_eq!(Money::line(100_000, dec("4.50")).unwrap().cents(), 45_000_000);
    }

    #[test]
    fn total_is_the_sum_of_rounded_lines() {
        let lines = [Money::line(1, dec("0.005")).unwrap(), Money::line(1, dec("0.005")).unwrap()];
        let total: Money = lines.iter().copied().sum();
        assert_eq!(total.cents(), 2); // not round(0.010) = 1
    }

    #[test]
    fn parse_accepts_point_or_comma_and_at_most_two_decimals() {
        assert_eq!(Money::parse("4.5").unwrap().cents(), 450);
        assert_eq!(Money::parse("4,50").unwrap().cents(), 450);
        assert_eq!(Money::parse("4.505"), Err(MoneyError::Invalid));
        assert_eq!(Money::parse("abc"), Err(MoneyError::Invalid));
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
    }

    #[test]
    fn display_has_two_decimals() {
        assert_eq!(Money::from_cents(123450).to_string(), "1234.50");
        assert_eq!(Money::from_cents(-5).to_string(), "-0.05");
        assert_eq!(Money::from_cents(0).to_string(), "0.00");
    }

    proptest! {
        /// Against a model in integer arithmetic: round(q * p) where p is
        /// given in tenths of a cent, half away from zero.
        #[test]
        fn line_matches_integer_model(q in 0u64..200_000, mills in -10_000_000i64..10_000_000) {
            let price = Decimal::new(mills, 3);
            let exact_mills = q as i128 * mills as i128; // tenths of a cent
            let sign = exact_mills.signum();
            let abs = exact_mills.abs();
            let model_cents = sign * ((abs + 5) / 10);
            prop_assert_eq!(Money::line(q, price).unwrap().cents() as i128, model_cents);
        }
    }
}
