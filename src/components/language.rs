//! Who reads a page: their language and time zone. The server chooses them
//! for each request (the staff member's settings, else the browser's
//! `Accept-Language` and the billing time zone, else English:
//! `server::sessions::page_language` and `page_zone`) and writes them into
//! `<html lang>` and a `<meta>`; the browser reads them back from there when
//! it hydrates, so both sides draw the same words and times. Changing them
//! reloads the page.

use leptos::prelude::*;

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

use crate::domain::locale::{self, Language};
use crate::domain::time_zone::ZoneRules;
use crate::domain::{BillingMonth, Money};
use crate::i18n::Locale;

/// The translations (`crate::i18n`) of a language.
pub fn locale_of(language: Language) -> Locale {
    match language {
        Language::English => Locale::en,
        Language::German => Locale::de,
    }
}

/// The language of a set of translations.
pub fn language_of(l: Locale) -> Language {
    match l {
        Locale::en => Language::English,
        Locale::de => Language::German,
    }
}

/// Who reads the page: their language and time zone. The app provides it
/// once; every screen writes its numbers, amounts, dates and times with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    pub language: Language,
    pub zone: Arc<ZoneRules>,
}

impl Default for Reader {
    fn default() -> Self {
        Self { language: Language::default(), zone: Arc::new(ZoneRules::utc()) }
    }
}

impl Reader {
    /// The translations of the reader's language (`td_string!(r.l(), ...)`).
    pub fn l(&self) -> Locale {
        locale_of(self.language)
    }

    /// "30 Nov 2026, 15:48 CET" / "30.11.2026, 15:48 MEZ".
    pub fn time(&self, at: DateTime<Utc>) -> String {
        locale::time(at, &self.zone, self.language)
    }

    /// "15:48:07 CET" / "15:48:07 MEZ".
    pub fn clock(&self, at: DateTime<Utc>) -> String {
        locale::clock(at, &self.zone, self.language)
    }

    /// "30 Nov 2026, 15:48:07 CET" / "30.11.2026, 15:48:07 MEZ" (a log's times).
    pub fn stamp(&self, at: DateTime<Utc>) -> String {
        locale::stamp(at, &self.zone, self.language)
    }

    /// The day of a moment in the reader's zone: "30 Nov 2026" / "30.11.2026".
    pub fn date_of(&self, at: DateTime<Utc>) -> String {
        locale::local_date(at, &self.zone, self.language)
    }

    /// The day of a moment in the reader's zone as ISO 8601, for a table
    /// whose dates line up with a sortable column: "2026-11-30".
    pub fn iso_date_of(&self, at: DateTime<Utc>) -> String {
        locale::date_sortable(self.zone.local(at).0.date())
    }

    /// A day: "30 Nov 2026" / "30.11.2026".
    pub fn day(&self, day: NaiveDate) -> String {
        locale::date(day, self.language)
    }

    /// "1,234" / "1.234".
    pub fn count(&self, n: u64) -> String {
        locale::count(n, self.language)
    }

    /// "November 2026".
    pub fn month(&self, month: BillingMonth) -> String {
        locale::month_long(month, self.language)
    }

    /// "€1,234.50" / "1.234,50 €".
    pub fn money(&self, value: Money, currency: &str) -> String {
        locale::money(value, currency, self.language)
    }

    /// "Oct" / "Okt" under a bar; January carries its year ("Jan 26"), so
    /// does the first bar (`first`).
    pub fn month_short(&self, month: BillingMonth, first: bool) -> String {
        let name = locale::month_abbreviation(month.month(), self.language);
        if month.month() == 1 || first {
            format!("{name} {:02}", month.year() % 100)
        } else {
            name.to_owned()
        }
    }

    /// A day with its weekday: "Mon 30 Nov 2026" / "Mo. 30.11.2026".
    pub fn weekday_day(&self, day: NaiveDate) -> String {
        format!("{} {}", locale::weekday_abbreviation(day, self.language), self.day(day))
    }

    /// "€4.50", "€0.4167" / "4,50 €", "0,4167 €".
    pub fn unit_price(&self, price: crate::domain::UnitPrice, currency: &str) -> String {
        locale::unit_price(price, currency, self.language)
    }

    /// A count with its noun: "1 entry", "60 entries" / "1 Eintrag", "60 Einträge".
    pub fn count_of(&self, n: u64, one: &str, other: &str) -> String {
        locale::count_of(n, self.language, one, other)
    }

    /// "5.5 MiB" / "5,5 MiB".
    pub fn bytes(&self, n: i64) -> String {
        locale::bytes(n, self.language)
    }

    /// "12.5%" / "12,5 %" of a whole number with `scale` decimals, at
    /// least `min` of them shown.
    pub fn percent(&self, value: i64, scale: u32, min: u32) -> String {
        locale::percent(value, scale, min, self.language)
    }

    /// "1,234.50" / "1.234,50" (a column heading names the currency).
    pub fn amount(&self, value: Money) -> String {
        locale::amount(value, self.language)
    }
}

/// Decides who reads the page (server) or reads it back from `<html lang>`
/// and the time zone's `<meta>` (browser), and provides it to the pages.
pub fn provide_reader() -> Reader {
    let reader = page_reader();
    provide_context(reader.clone());
    reader
}

/// Who reads the page being drawn.
pub fn use_reader() -> Reader {
    use_context::<Reader>().unwrap_or_else(page_reader)
}

/// The translations of the page being drawn (`td_string!(use_locale(), ...)`).
pub fn use_locale() -> Locale {
    use_reader().l()
}

/// The `<meta name>` the server writes the reader's time zone into.
pub const ZONE_META: &str = "msp-time-zone";

#[cfg(feature = "ssr")]
fn page_reader() -> Reader {
    use crate::server::sessions::{page_language, page_zone};
    use_context::<http::request::Parts>()
        .map(|parts| Reader { language: page_language(&parts), zone: page_zone(&parts) })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn page_reader() -> Reader {
    #[cfg(feature = "hydrate")]
    {
        let document = web_sys::window().and_then(|w| w.document());
        let lang = document.as_ref().and_then(|d| d.document_element()).and_then(|e| e.get_attribute("lang"));
        let zone = document
            .and_then(|d| d.query_selector(&format!("meta[name={ZONE_META}]")).ok().flatten())
            .and_then(|meta| meta.get_attribute("content"))
            .and_then(|content| ZoneRules::decode(&content));
        Reader {
            language: lang.as_deref().and_then(Language::parse).unwrap_or_default(),
            zone: Arc::new(zone.unwrap_or_default()),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Reader::default()
    }
}

/// A role's name as the pages show it.
pub fn role_name(role: crate::domain::Role, l: Locale) -> &'static str {
    use crate::domain::Role;
    use crate::i18n::td_string;
    match role {
        Role::Admin => td_string!(l, common.role_admin),
        Role::Operator => td_string!(l, common.role_operator),
        Role::Viewer => td_string!(l, common.role_viewer),
    }
}

/// A customer kind's name as the pages show it.
pub fn kind_name(kind: crate::domain::CustomerKind, l: Locale) -> &'static str {
    use crate::domain::CustomerKind;
    use crate::i18n::td_string;
    match kind {
        CustomerKind::Test => td_string!(l, lists.kind_test),
        CustomerKind::Billed => td_string!(l, lists.kind_billed),
    }
}

/// A customer status's name as the pages show it.
pub fn status_name(status: crate::domain::CustomerStatus, l: Locale) -> &'static str {
    use crate::domain::CustomerStatus;
    use crate::i18n::td_string;
    match status {
        CustomerStatus::Active => td_string!(l, common.status_active),
        CustomerStatus::Deactivated => td_string!(l, common.status_deactivated),
        CustomerStatus::Removed => td_string!(l, common.status_removed),
    }
}

/// What a month's figures are, as the charts and tables say it.
pub fn figures_name(figures: crate::domain::cost_history::Figures, l: Locale) -> &'static str {
    use crate::domain::cost_history::Figures;
    use crate::i18n::td_string;
    match figures {
        Figures::Final => td_string!(l, charts.figures_final),
        Figures::PendingClose => td_string!(l, charts.figures_pending_close),
        Figures::Forecast => td_string!(l, charts.figures_forecast),
        Figures::NotBilled => td_string!(l, charts.figures_not_billed),
    }
}

/// An error's message for a person, in their language.
pub fn error_message(error: &crate::error::AppError, l: Locale) -> String {
    use crate::error::AppError;
    use crate::i18n::td_string;
    let fixed = match error {
        AppError::Unauthenticated => td_string!(l, common.error_unauthenticated),
        AppError::Forbidden => td_string!(l, common.error_forbidden),
        AppError::PasswordChangeRequired => td_string!(l, common.error_password_change_required),
        AppError::TwoFactorSetupRequired => td_string!(l, common.error_two_factor_setup_required),
        AppError::NotFound => td_string!(l, common.error_not_found),
        AppError::Busy => td_string!(l, common.error_busy),
        AppError::TooLarge => td_string!(l, common.error_too_large),
        AppError::Network => td_string!(l, common.error_network),
        AppError::Internal => td_string!(l, common.error_internal),
        AppError::BadRequest(detail) => return td_string!(l, common.error_bad_request, detail),
        // A form shows each field's message next to it.
        AppError::Invalid(_) => td_string!(l, common.error_invalid),
        AppError::Conflict(message) | AppError::TooManyRequests { message, .. } => {
            return crate::messages::text(message, l)
        }
    };
    fixed.to_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Every key of a translation file, as the code names it ("part.key").
    fn keys(language: &str) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(Path::new("src/locales").join(language)).unwrap() {
            let path = entry.unwrap().path();
            let part = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            collect(&json, &part, &mut keys);
        }
        keys
    }

    fn collect(value: &serde_json::Value, prefix: &str, keys: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    collect(value, &format!("{prefix}.{key}"), keys);
                }
            }
            _ => {
                keys.insert(prefix.to_owned());
            }
        }
    }

    fn sources(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let (english, german) = (keys("en"), keys("de"));
        assert!(!english.is_empty());
        let only_english: Vec<_> = english.difference(&german).collect();
        let only_german: Vec<_> = german.difference(&english).collect();
        assert!(only_english.is_empty(), "missing in German: {only_english:?}");
        assert!(only_german.is_empty(), "missing in English: {only_german:?}");
    }

    #[test]
    fn every_key_is_used_in_the_code() {
        let mut code = String::new();
        sources(Path::new("src"), &mut code);
        // `td_string!(l, part.key)` and friends name a key as `part.key`.
        let unused: Vec<_> = keys("en")
            .into_iter()
            .filter(|key| {
                let mut found = code.match_indices(key.as_str()).map(|(at, _)| at + key.len());
                !found.any(|end| !code[end..].starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric()))
            })
            .collect();
        assert!(unused.is_empty(), "keys no code uses: {unused:?}");
    }
}
