//! The two languages of the console and how numbers, amounts, dates and
//! times read in each (CLDR's conventions for `de` and `en`). Pure: the
//! time zone's offset and abbreviation come with the time.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::time_zone::ZoneRules;
use super::{BillingMonth, Money, UnitPrice};

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
    with_currency(amount(value, language), currency, language)
}

/// A unit price with its currency, two to four decimals: English "€4.50",
/// "€0.4167"; German "4,50 €", "0,4167 €".
pub fn unit_price(price: UnitPrice, currency: &str, language: Language) -> String {
    with_currency(fixed(price.e4(), 4, 2, language), currency, language)
}

/// A percentage as CLDR writes it, from a whole number with `scale`
/// decimals (tenths: 1, hundredths: 2), with at least `min` of them:
/// English "12.5%", German "12,5 %" (a no-break space before the sign).
pub fn percent(value: i64, scale: u32, min: u32, language: Language) -> String {
    let number = fixed(value, scale, min, language);
    match language {
        Language::English => format!("{number}%"),
        Language::German => format!("{number}\u{a0}%"),
    }
}

/// A whole number with `scale` decimals written out, grouped, with at
/// least `min` decimals and no trailing zeros past them: 45000 with scale 4
/// and min 2 reads "4.50" / "4,50", 4167 reads "0.4167" / "0,4167".
/// Integers only: the pages that show prices and margins carry no decimal
/// maths (`rust_decimal` stays with the forms and the server).
pub fn fixed(value: i64, scale: u32, min: u32, language: Language) -> String {
    let divisor = 10u64.pow(scale);
    let abs = value.unsigned_abs();
    let mut fraction = format!("{:0width$}", abs % divisor, width = scale as usize);
    while fraction.len() > min as usize && fraction.ends_with('0') {
        fraction.pop();
    }
    let sign = if value < 0 { "-" } else { "" };
    let mut number = format!("{sign}{}", grouped(abs / divisor, language.group_separator()));
    if !fraction.is_empty() {
        number.push(language.decimal_separator());
        number.push_str(&fraction);
    }
    number
}

/// A number written in `language` (maybe with a leading "-") with its
/// currency's symbol or code where the language puts it.
fn with_currency(text: String, currency: &str, language: Language) -> String {
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

/// A size in binary units, one decimal from KiB on: "512 B", "5.5 MiB" /
/// "5,5 MiB". Negative sizes read as 0 B.
pub fn bytes(n: i64, language: Language) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let n = u128::try_from(n).unwrap_or(0);
    let unit = (0..UNITS.len()).rev().find(|&u| n >= 1024u128.pow(u as u32)).unwrap_or(0);
    if unit == 0 {
        return format!("{n} B");
    }
    let divisor = 1024u128.pow(unit as u32);
    let tenths = (n * 10 + divisor / 2) / divisor;
    let whole = u64::try_from(tenths / 10).unwrap_or(u64::MAX);
    format!(
        "{}{}{} {}",
        grouped(whole, language.group_separator()),
        language.decimal_separator(),
        tenths % 10,
        UNITS[unit]
    )
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

/// A weekday's abbreviated name (CLDR, format context): "Tue" / "Di.".
pub fn weekday_abbreviation(day: NaiveDate, language: Language) -> &'static str {
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const DE: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];
    let index = day.weekday().num_days_from_monday() as usize;
    match language {
        Language::English => EN[index],
        Language::German => DE[index],
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
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// The abbreviation of a zone's stretch as a reader of the language
/// knows it: German says MEZ and MESZ for Central European (Summer) Time;
/// every other one reads as the time zone database writes it.
pub fn zone_abbreviation(abbreviation: &str, language: Language) -> &str {
    match (language, abbreviation) {
        (Language::German, "CET") => "MEZ",
        (Language::German, "CEST") => "MESZ",
        _ => abbreviation,
    }
}

/// A moment in the reader's time zone, with the zone's abbreviation then:
/// "30 Nov 2026, 15:48 CET" / "30.11.2026, 15:48 MEZ".
pub fn time(at: DateTime<Utc>, zone: &ZoneRules, language: Language) -> String {
    let (local, abbreviation) = zone.local(at);
    let day = date(local.date(), language);
    format!("{day}, {:02}:{:02} {}", local.hour(), local.minute(), zone_abbreviation(abbreviation, language))
}

/// The time of day of a moment, to the second: "15:48:07 CET" /
/// "15:48:07 MEZ".
pub fn clock(at: DateTime<Utc>, zone: &ZoneRules, language: Language) -> String {
    let (local, abbreviation) = zone.local(at);
    let abbreviation = zone_abbreviation(abbreviation, language);
    format!("{:02}:{:02}:{:02} {abbreviation}", local.hour(), local.minute(), local.second())
}

/// A moment to the second with its day, as a log shows it:
/// "30 Nov 2026, 15:48:07 CET" / "30.11.2026, 15:48:07 MEZ".
pub fn stamp(at: DateTime<Utc>, zone: &ZoneRules, language: Language) -> String {
    format!("{}, {}", local_date(at, zone, language), clock(at, zone, language))
}

/// The day a moment falls on in the reader's time zone: "30 Nov 2026" /
/// "30.11.2026".
pub fn local_date(at: DateTime<Utc>, zone: &ZoneRules, language: Language) -> String {
    date(zone.local(at).0.date(), language)
}

/// A staff member's own language and time zone, as their account page
/// saves them: an empty choice means the browser's language, and the
/// billing time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub language: Option<Language>,
    pub time_zone: Option<String>,
}

impl Preferences {
    /// The posted choices; `is_time_zone` says whether a name is an IANA
    /// time zone (the server knows the list).
    pub fn parse(
        language: &str,
        time_zone: &str,
        is_time_zone: impl Fn(&str) -> bool,
    ) -> Result<Self, Vec<super::FieldMessage>> {
        let mut problems = super::validation::Problems::default();
        let language = match language.trim() {
            "" => Some(None),
            code => problems.check(
                "language",
                Language::ALL
                    .into_iter()
                    .find(|l| l.code() == code)
                    .map(Some)
                    .ok_or(crate::domain::message::Message::LanguageChoice),
            ),
        };
        let time_zone = match time_zone.trim() {
            "" => Some(None),
            name if name.len() <= 64 && is_time_zone(name) => Some(Some(name.to_owned())),
            _ => {
                problems.add("time_zone", crate::domain::message::Message::TimeZoneChoice);
                None
            }
        };
        let both = language.zip(time_zone).map(|(language, time_zone)| Self { language, time_zone });
        problems.into_result(both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_prices_keep_up_to_four_decimals_with_their_currency() {
        let d = |s: &str| UnitPrice::parse(s).unwrap();
        assert_eq!(unit_price(d("4.5"), "EUR", Language::English), "€4.50");
        assert_eq!(unit_price(d("0.4167"), "EUR", Language::German), "0,4167\u{a0}€");
        assert_eq!(unit_price(d("0.41"), "EUR", Language::German), "0,41\u{a0}€");
        assert_eq!(unit_price(d("0.415"), "EUR", Language::English), "€0.415");
        assert_eq!(unit_price(d("1234"), "CHF", Language::German), "1.234,00\u{a0}CHF");
        assert_eq!(unit_price(d("0"), "USD", Language::English), "$0.00");
    }
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
    fn fixed_point_numbers_keep_their_places_down_to_the_least_shown() {
        assert_eq!(fixed(45_000, 4, 2, English), "4.50");
        assert_eq!(fixed(45_000, 4, 2, German), "4,50");
        assert_eq!(fixed(1_235, 4, 2, English), "0.1235");
        assert_eq!(fixed(-1_235, 4, 2, German), "-0,1235");
        assert_eq!(fixed(1, 4, 2, English), "0.0001");
        assert_eq!(fixed(0, 4, 2, English), "0.00");
        assert_eq!(fixed(12_350_000, 4, 2, German), "1.235,00");
        assert_eq!(fixed(1_000_000, 0, 0, English), "1,000,000");
        assert_eq!(fixed(700, 2, 0, German), "7");
        assert_eq!(fixed(1_250, 2, 0, English), "12.5");
        assert_eq!(fixed(i64::MIN, 2, 2, English), "-92,233,720,368,547,758.08");
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
        use crate::domain::time_zone::ZoneSpan;
        // Berlin in 2026: CET, CEST from 29 March 01:00 UTC, CET from 25
        // October 01:00 UTC.
        let berlin = ZoneRules::new(
            "Europe/Berlin",
            vec![
                ZoneSpan { from: 0, offset: 3600, abbreviation: "CET".into() },
                ZoneSpan { from: 1_774_746_000, offset: 7200, abbreviation: "CEST".into() },
                ZoneSpan { from: 1_792_890_000, offset: 3600, abbreviation: "CET".into() },
            ],
        );
        let shown = |utc: &str, language| time(utc.parse::<DateTime<Utc>>().unwrap(), &berlin, language);
        assert_eq!(shown("2026-11-30T14:48:00Z", German), "30.11.2026, 15:48 MEZ");
        assert_eq!(shown("2026-11-30T14:48:00Z", English), "30 Nov 2026, 15:48 CET");
        // The spring change (29 March 2026, 02:00 CET -> 03:00 CEST).
        assert_eq!(shown("2026-03-29T00:59:00Z", German), "29.03.2026, 01:59 MEZ");
        assert_eq!(shown("2026-03-29T01:00:00Z", German), "29.03.2026, 03:00 MESZ");
        assert_eq!(shown("2026-03-29T01:00:00Z", English), "29 Mar 2026, 03:00 CEST");
        // The autumn change (25 October 2026): 02:30 happens twice.
        assert_eq!(shown("2026-10-25T00:30:00Z", English), "25 Oct 2026, 02:30 CEST");
        assert_eq!(shown("2026-10-25T01:30:00Z", English), "25 Oct 2026, 02:30 CET");
        // Late in the evening UTC is already the next day in Berlin.
        assert_eq!(shown("2026-12-31T23:30:00Z", German), "01.01.2027, 00:30 MEZ");
        let at = "2026-07-01T10:05:09Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(clock(at, &berlin, German), "12:05:09 MESZ");
        assert_eq!(clock(at, &ZoneRules::utc(), English), "10:05:09 UTC");
        assert_eq!(local_date("2026-12-31T23:30:00Z".parse().unwrap(), &berlin, English), "1 Jan 2027");
        let late = "2026-12-31T23:30:05Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(stamp(late, &berlin, German), "01.01.2027, 00:30:05 MEZ");
        assert_eq!(stamp(late, &berlin, English), "1 Jan 2027, 00:30:05 CET");
        // Other zones' abbreviations read the same in both languages.
        assert_eq!(zone_abbreviation("EST", German), "EST");
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

    #[test]
    fn preferences_take_our_languages_and_known_time_zones_or_nothing() {
        let zone = |z: &str| ["Europe/Berlin", "UTC"].contains(&z);
        let p = Preferences::parse("de", "Europe/Berlin", zone).unwrap();
        assert_eq!(p, Preferences { language: Some(German), time_zone: Some("Europe/Berlin".to_owned()) });
        assert_eq!(Preferences::parse(" ", "", zone).unwrap(), Preferences { language: None, time_zone: None });
        let fields = |e: Vec<super::super::FieldMessage>| e.into_iter().map(|m| m.field).collect::<Vec<_>>();
        assert_eq!(fields(Preferences::parse("fr", "Mars/Olympus", zone).unwrap_err()), ["language", "time_zone"]);
        assert_eq!(fields(Preferences::parse("de-AT", "UTC", zone).unwrap_err()), ["language"]);
        let long = "Europe/".repeat(20);
        assert_eq!(fields(Preferences::parse("en", &long, |_| true).unwrap_err()), ["time_zone"]);
    }

    #[test]
    fn sizes_use_binary_units_and_the_languages_decimal_sign() {
        assert_eq!(bytes(512, English), "512 B");
        assert_eq!(bytes(-3, German), "0 B");
        assert_eq!(bytes(4096, English), "4.0 KiB");
        assert_eq!(bytes(5 * 1024 * 1024 + 512 * 1024, German), "5,5 MiB");
        // Rounded half up to a tenth; 1023.96 KiB stays in KiB.
        assert_eq!(bytes(1_048_535, English), "1,024.0 KiB");
        assert_eq!(bytes(3 * 1024_i64.pow(4), German), "3,0 TiB");
        assert_eq!(bytes(i64::MAX, English), "8,388,608.0 TiB");
    }

    #[test]
    fn weekdays_read_in_each_language() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(weekday_abbreviation(day, English), "Tue");
        assert_eq!(weekday_abbreviation(day, German), "Di.");
        assert_eq!(weekday_abbreviation(day + chrono::Duration::days(5), German), "So.");
    }

    #[test]
    fn percentages_follow_each_language() {
        assert_eq!(percent(1_250, 2, 0, Language::English), "12.5%");
        assert_eq!(percent(1_250, 2, 0, Language::German), "12,5\u{a0}%");
        assert_eq!(percent(2_500, 2, 0, Language::English), "25%");
        assert_eq!(percent(-33, 1, 1, Language::German), "-3,3\u{a0}%");
        assert_eq!(percent(10_000, 1, 1, Language::German), "1.000,0\u{a0}%");
        assert_eq!(percent(0, 1, 1, Language::English), "0.0%");
        assert_eq!(percent(5, 2, 0, Language::English), "0.05%");
    }
}
