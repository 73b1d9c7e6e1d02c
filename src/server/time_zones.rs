//! A time zone's stretches (`domain::time_zone::ZoneRules`) from the IANA
//! database, for the pages: computed once per zone and process.

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::domain::time_zone::{ZoneRules, ZoneSpan};

/// The years whose changes are listed (before: the first stretch; after:
/// the last one).
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2045;
/// A change is looked for day by day, then found to the second.
const DAY: i64 = 86_400;

/// The rules of the zone named `name` (UTC for a name the database does
/// not know).
pub fn rules(name: &str) -> Arc<ZoneRules> {
    static CACHE: LazyLock<Mutex<HashMap<String, Arc<ZoneRules>>>> = LazyLock::new(Default::default);
    let Ok(tz) = name.parse::<Tz>() else { return Arc::new(ZoneRules::utc()) };
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    // At most one entry per zone of the database: bounded.
    cache.entry(tz.name().to_owned()).or_insert_with(|| Arc::new(compute(tz))).clone()
}

fn at(tz: Tz, seconds: i64) -> (i32, String) {
    let instant = DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default();
    let offset = tz.offset_from_utc_datetime(&instant.naive_utc());
    let total = offset.fix().local_minus_utc();
    let abbreviation = offset.abbreviation().map(str::to_owned).unwrap_or_else(|| numeric(total));
    (total, abbreviation)
}

/// "+0530" for a zone without an abbreviation.
fn numeric(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

fn compute(tz: Tz) -> ZoneRules {
    let start = Utc.with_ymd_and_hms(FIRST_YEAR, 1, 1, 0, 0, 0).unwrap().timestamp();
    let end = Utc.with_ymd_and_hms(LAST_YEAR, 12, 31, 0, 0, 0).unwrap().timestamp();
    let (offset, abbreviation) = at(tz, start);
    let mut spans = vec![ZoneSpan { from: start, offset, abbreviation }];
    let mut day = start;
    while day < end {
        let next = day + DAY;
        let current = at(tz, day);
        if at(tz, next) != current {
            // The first second of the new stretch, between `day` and `next`.
            let (mut low, mut high) = (day, next);
            while high - low > 1 {
                let middle = low + (high - low) / 2;
                if at(tz, middle) == current {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            let (offset, abbreviation) = at(tz, high);
            spans.push(ZoneSpan { from: high, offset, abbreviation });
        }
        day = next;
    }
    ZoneRules::new(tz.name(), spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_changes_at_one_in_the_morning_utc_on_the_last_sundays_of_march_and_october() {
        let zone = rules("Europe/Berlin");
        let local = |y, mo, d, h, mi| {
            let (time, abbreviation) = zone.local(Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap());
            format!("{} {abbreviation}", time.format("%Y-%m-%d %H:%M"))
        };
        assert_eq!(local(2026, 3, 29, 0, 59), "2026-03-29 01:59 CET");
        assert_eq!(local(2026, 3, 29, 1, 0), "2026-03-29 03:00 CEST");
        assert_eq!(local(2026, 10, 25, 0, 59), "2026-10-25 02:59 CEST");
        assert_eq!(local(2026, 10, 25, 1, 0), "2026-10-25 02:00 CET");
        assert_eq!(local(2040, 7, 1, 12, 0), "2040-07-01 14:00 CEST");
        // Every moment agrees with the database, hour by hour through a year.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        for hour in 0..(366 * 24) {
            let t = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(hour);
            let expected = t.with_timezone(&tz);
            let (time, abbreviation) = zone.local(t);
            assert_eq!((time, abbreviation), (expected.naive_local(), expected.offset().abbreviation().unwrap()));
        }
    }

    #[test]
    fn zones_without_changes_or_names_and_unknown_names() {
        assert_eq!(rules("UTC").local(Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap()).1, "UTC");
        let kolkata = rules("Asia/Kolkata");
        assert_eq!(
            kolkata.local(Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap()).0.format("%H:%M").to_string(),
            "17:30"
        );
        assert_eq!(*rules("Mars/Olympus"), ZoneRules::utc());
        // The same rules are shared, not computed again.
        assert!(Arc::ptr_eq(&rules("Europe/Berlin"), &rules("Europe/Berlin")));
    }
}
