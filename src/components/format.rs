//! How numbers and times read on the pages.

use chrono::{DateTime, Datelike, Timelike, Utc};

// Written field by field rather than with chrono's `format` (strftime),
// whose parser and writer the browser's download then leaves out.

pub fn timestamp(at: DateTime<Utc>) -> String {
    format!("{} {:02}:{:02} UTC", date(at), at.hour(), at.minute())
}

pub fn date(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

// The page's language is English until the pages speak German too
// (issue 20); the rules of both live in `domain::locale`.
use crate::domain::locale::{self, Language};

/// Groups the digits of a whole number: 1234567 -> "1,234,567".
pub fn thousands(n: u64) -> String {
    locale::count(n, Language::English)
}

/// A count with its noun: "1 entry", "1,234 entries".
pub fn count(n: u64, one: &str, many: &str) -> String {
    locale::count_of(n, Language::English, one, many)
}

/// An amount with its currency: "1,234.50 EUR", "-0.05 EUR".
pub fn money(amount: crate::domain::Money, currency: &str) -> String {
    format!("{} {currency}", amount_of(amount))
}

/// An amount without its currency (a column heading names it): "1,234.50".
pub fn amount_of(amount: crate::domain::Money) -> String {
    locale::amount(amount, Language::English)
}

/// "October 2026".
pub fn month_long(month: crate::domain::BillingMonth) -> String {
    locale::month_long(month, Language::English)
}

/// "Oct" under a bar; January carries its year ("Jan 26"), so does the
/// first bar (`first`).
pub fn month_short(month: crate::domain::BillingMonth, first: bool) -> String {
    let name = locale::month_abbreviation(month.month(), Language::English);
    if month.month() == 1 || first {
        format!("{name} {:02}", month.year() % 100)
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_grouped_digits_two_decimals_and_the_currency() {
        use crate::domain::Money;
        assert_eq!(money(Money::from_cents(123_456_789), "EUR"), "1,234,567.89 EUR");
        assert_eq!(money(Money::from_cents(-5), "EUR"), "-0.05 EUR");
        assert_eq!(money(Money::ZERO, "CHF"), "0.00 CHF");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }

    #[test]
    fn months_read_as_words() {
        let m = |s: &str| crate::domain::BillingMonth::parse(s).unwrap();
        assert_eq!(month_long(m("2026-10")), "October 2026");
        assert_eq!(month_short(m("2026-10"), false), "Oct");
        assert_eq!(month_short(m("2027-01"), false), "Jan 27");
        assert_eq!(month_short(m("2026-05"), true), "May 26");
    }
}
