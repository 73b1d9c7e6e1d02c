//! The two languages of the console and how numbers, amounts, dates and
//! times read in each (CLDR's conventions for `de` and `en`). Pure: the
//! time zone's offset and abbreviation come with the time.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{BillingMonth, Money};

/// A language the console speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[default]
    English,
    German,
}

/// CLDR puts a no-break space between a German amount and its currency.
const NBSP: char = '\u{a0}';

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// The BCP 47 code, as `<html lang>` and `Accept-Language` write it.
    pub fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::German => "de",
        }
    }

    /// The language's name in itself (a language menu lists these).
    pub fn name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::German => "Deutsch",
        }
    }

    /// A stored or posted code: `en`, `de` (any region: `de-AT`).
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The browser's preferred language we speak, by `Accept-Language`
    /// (quality values honoured, `q=0` never chosen); `None` when it names
    /// none of ours. At most the first 20 entries are read.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(Self, u32)> = None;
        for entry in header.split(',').take(20) {
            let mut parts = entry.split(';');
            let Some(language) = parts.next().and_then(Self::parse) else { continue };
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), |q| q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u32));
            let Some(quality) = quality.filter(|q| *q > 0) else { continue };
            // Ties keep the earlier entry.
            if best.is_none_or(|(_, q)| quality > q) {
                best = Some((language, quality));
            }
        }
        best.map(|(language, _)| language)
    }

    fn group_separator(self) -> char {
        match self {
            Self::English => ',',
            Self::German => '.',
        }
    }

    fn decimal_separator(self) -> char {
        match self {
            Self::English => '.',
            Self::German => ',',
        }
    }
}

/// Groups the digits of a whole number: `1234567` reads "1,234,567" in
/// English and "1.234.567" in German.
fn grouped(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A count: "1,234" / "1.234".
pub fn count(n: u64, language: Language) -> String {
    grouped(n, language.group_separator())
}

/// A count with its noun in the right number (both languages: one for
/// exactly 1, else other): "1 entry", "1,234 entries"; "1 Eintrag",
/// "60 Einträge".
pub fn count_of(n: u64, language: Language, one: &str, other: &str) -> String {
    format!("{} {}", count(n, language), if n == 1 { one } else { other })
}

/// An amount without its currency (a column heading names it):
/// "-1,234.50" / "-1.234,50".
pub fn amount(amount: Money, language: Language) -> String {
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}{}{:02}", grouped(abs / 100, language.group_separator()), language.decimal_separator(), abs % 100)
}

/// The symbol CLDR gives a currency in these languages, if it has one
/// (others are written as their ISO code).
fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// An amount with its currency (`currency`: the ISO code from the billing
/// settings): English "€1,234.50", "-€0.05", "CHF 1,234.50"; German
/// "1.234,50 €", "-0,05 €", "1.234,50 CHF".
pub fn money(value: Money, currency: &str, language: Language) -> String {
    let text = amount(value, language);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    match (language, symbol(currency)) {
        (Language::English, Some(symbol)) => format!("{sign}{symbol}{digits}"),
        (Language::English, None) => format!("{sign}{currency}{NBSP}{digits}"),
        (Language::German, symbol) => format!("{sign}{digits}{NBSP}{}", symbol.unwrap_or(currency)),
    }
}

/// A decimal (a unit price) with at least `min` and at most `max` places,
/// rounded half away from zero: `0.12345` with 2..4 reads "0.1235" /
/// "0,1235"; `4.5` reads "4.50" / "4,50".
pub fn decimal(value: Decimal, min: u32, max: u32, language: Language) -> String {
    let rounded = value.round_dp_with_strategy(max, RoundingStrategy::MidpointAwayFromZero).normalize();
    let places = rounded.scale().max(min);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let abs = rounded.abs();
    let whole = abs.trunc();
    let fraction = ((abs - whole) * Decimal::from(10u64.pow(places))).round();
    let fraction = u64::try_from(fraction).unwrap_or_default();
    let whole = u64::try_from(whole).unwrap_or(u64::MAX);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped(whole, language.group_separator()));
    if places > 0 {
        out.push(language.decimal_separator());
        out.push_str(&format!("{:0width$}", fraction, width = places as usize));
    }
    out
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
/// CLDR's abbreviated month names (format context).
const MONTHS_SHORT_EN: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTHS_SHORT_DE: [&str; 12] =
    ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."];

fn month_name(month: u32, language: Language) -> &'static str {
    let index = (month.clamp(1, 12) - 1) as usize;
    match language {
        Language::English => MONTHS_EN[index],
        Language::German => MONTHS_DE[index],
    }
}

/// A month's abbreviated name (CLDR, format context): "Nov" / "Nov.".
pub fn month_abbreviation(month: u32, language: Language) -> &'static str {
    let index = (month.clamp(1, 12) - 1) as usize;
    match language {
        Language::English => MONTHS_SHORT_EN[index],
        Language::German => MONTHS_SHORT_DE[index],
    }
}

/// A billing month: "November 2026" in both languages' own names.
pub fn month_long(month: BillingMonth, language: Language) -> String {
    format!("{} {}", month_name(month.month(), language), month.year())
}

/// A day: "30 Nov 2026" / "30.11.2026".
pub fn date(day: NaiveDate, language: Language) -> String {
    match language {
        Language::English => format!("{} {} {}", day.day(), month_abbreviation(day.month(), language), day.year()),
        Language::German => format!("{:02}.{:02}.{}", day.day(), day.month(), day.year()),
    }
}

/// A day where a column must sort as text: ISO 8601 in both languages.
pub fn date_sortable(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A moment in the reader's time zone (`at` already in it), with the
/// zone's abbreviation as the zone gives it for that moment (`CET`,
/// `CEST`): "30 Nov 2026, 15:48 CET" / "30.11.2026, 15:48 CET".
pub fn time<Tz: TimeZone>(at: &DateTime<Tz>, abbreviation: &str, language: Language) -> String {
    let day = date(at.date_naive(), language);
    format!("{day}, {:02}:{:02} {abbreviation}", at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{English, German};

    fn m(cents: i64) -> Money {
        Money::from_cents(cents)
    }

    #[test]
    fn amounts_group_and_separate_by_language() {
        let cases = [
            (0, "0.00", "0,00"),
            (5, "0.05", "0,05"),
            (-5, "-0.05", "-0,05"),
            (123_450, "1,234.50", "1.234,50"),
            (-123_450, "-1,234.50", "-1.234,50"),
            (99_999, "999.99", "999,99"),
            (100_000, "1,000.00", "1.000,00"),
            (123_456_789_012, "1,234,567,890.12", "1.234.567.890,12"),
        ];
        for (cents, en, de) in cases {
            assert_eq!(amount(m(cents), English), en);
            assert_eq!(amount(m(cents), German), de);
        }
        assert_eq!(amount(m(i64::MIN), English), "-92,233,720,368,547,758.08");
        assert_eq!(amount(m(i64::MAX), German), "92.233.720.368.547.758,07");
    }

    #[test]
    fn money_puts_the_currency_where_each_language_does() {
        assert_eq!(money(m(123_450), "EUR", English), "€1,234.50");
        assert_eq!(money(m(123_450), "EUR", German), "1.234,50\u{a0}€");
        assert_eq!(money(m(-5), "EUR", English), "-€0.05");
        assert_eq!(money(m(-5), "EUR", German), "-0,05\u{a0}€");
        assert_eq!(money(m(0), "USD", English), "$0.00");
        assert_eq!(money(m(100), "GBP", German), "1,00\u{a0}£");
        assert_eq!(money(m(123_450), "CHF", English), "CHF\u{a0}1,234.50");
        assert_eq!(money(m(-123_450), "CHF", English), "-CHF\u{a0}1,234.50");
        assert_eq!(money(m(123_450), "CHF", German), "1.234,50\u{a0}CHF");
    }

    #[test]
    fn counts_and_plurals() {
        assert_eq!(count(0, English), "0");
        assert_eq!(count(1_234, English), "1,234");
        assert_eq!(count(1_234, German), "1.234");
        assert_eq!(count(u64::MAX, German), "18.446.744.073.709.551.615");
        assert_eq!(count_of(1, German, "Eintrag", "Einträge"), "1 Eintrag");
        assert_eq!(count_of(60, German, "Eintrag", "Einträge"), "60 Einträge");
        assert_eq!(count_of(0, English, "entry", "entries"), "0 entries");
        assert_eq!(count_of(1_000, English, "entry", "entries"), "1,000 entries");
    }

    #[test]
    fn decimals_round_half_away_from_zero_at_their_last_place() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(decimal(d("4.5"), 2, 4, English), "4.50");
        assert_eq!(decimal(d("4.5"), 2, 4, German), "4,50");
        assert_eq!(decimal(d("0.12345"), 2, 4, English), "0.1235");
        assert_eq!(decimal(d("-0.12345"), 2, 4, German), "-0,1235");
        assert_eq!(decimal(d("0.00005"), 2, 4, English), "0.0001");
        assert_eq!(decimal(d("0.00004"), 2, 4, English), "0.00");
        assert_eq!(decimal(d("-0.00004"), 2, 4, English), "0.00", "no negative zero");
        assert_eq!(decimal(d("1234.995"), 2, 2, German), "1.235,00");
        assert_eq!(decimal(d("999999.9999"), 0, 0, English), "1,000,000");
        assert_eq!(decimal(d("7"), 0, 2, German), "7");
    }

    #[test]
    fn months_and_dates() {
        let month = BillingMonth::parse("2026-03").unwrap();
        assert_eq!(month_long(month, English), "March 2026");
        assert_eq!(month_long(month, German), "März 2026");
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(date(day, English), "30 Nov 2026");
        assert_eq!(date(day, German), "30.11.2026");
        let first = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(date(first, German), "05.01.2026");
        assert_eq!(date(first, English), "5 Jan 2026");
        assert_eq!(date_sortable(first), "2026-01-05");
        for number in 1..=12 {
            assert!(!month_name(number, German).is_empty() && !month_abbreviation(number, English).is_empty());
        }
    }

    #[test]
    fn times_carry_the_zone_abbreviation_across_daylight_saving() {
        use chrono::Utc;
        use chrono_tz::Europe::Berlin;
        use chrono_tz::OffsetName;
        let shown = |utc: &str, language| {
            let at = utc.parse::<DateTime<Utc>>().unwrap().with_timezone(&Berlin);
            let abbreviation = at.offset().abbreviation().unwrap_or("?").to_owned();
            time(&at, &abbreviation, language)
        };
        assert_eq!(shown("2026-11-30T14:48:00Z", German), "30.11.2026, 15:48 CET");
        assert_eq!(shown("2026-11-30T14:48:00Z", English), "30 Nov 2026, 15:48 CET");
        // The spring change (29 March 2026, 02:00 CET -> 03:00 CEST).
        assert_eq!(shown("2026-03-29T00:59:00Z", German), "29.03.2026, 01:59 CET");
        assert_eq!(shown("2026-03-29T01:00:00Z", German), "29.03.2026, 03:00 CEST");
        // The autumn change (25 October 2026): 02:30 happens twice.
        assert_eq!(shown("2026-10-25T00:30:00Z", English), "25 Oct 2026, 02:30 CEST");
        assert_eq!(shown("2026-10-25T01:30:00Z", English), "25 Oct 2026, 02:30 CET");
        // Late in the evening UTC is already the next day in Berlin.
        assert_eq!(shown("2026-12-31T23:30:00Z", German), "01.01.2027, 00:30 CET");
    }

    #[test]
    fn languages_by_code_and_by_accept_language() {
        assert_eq!(Language::parse("de-AT"), Some(German));
        assert_eq!(Language::parse("EN_gb"), Some(English));
        assert_eq!(Language::parse("fr"), None);
        let pick = Language::from_accept_language;
        assert_eq!(pick("de-DE,de;q=0.9,en;q=0.8"), Some(German));
        assert_eq!(pick("fr-FR, en;q=0.5, de;q=0.7"), Some(German));
        assert_eq!(pick("en-US,en;q=0.9"), Some(English));
        assert_eq!(pick("de;q=0, en;q=0.1"), Some(English), "q=0 is never chosen");
        assert_eq!(pick("fr, es"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("de;q=abc, en;q=0.2"), Some(English), "a broken entry is skipped");
        assert_eq!(pick("en, de"), Some(English), "ties keep the first");
        let long = format!("{}de", "fr,".repeat(50));
        assert_eq!(pick(&long), None, "only the first 20 entries are read");
    }
}
