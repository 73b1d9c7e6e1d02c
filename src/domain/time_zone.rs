//! A time zone as the pages need it: the offset from UTC and the zone's
//! abbreviation for each stretch of time between two changes (daylight
//! saving time, a change of law). The server computes it from the IANA
//! database for the reader's zone and writes it into the page, so the
//! browser shows every time the same way without the database in its code.

use chrono::{DateTime, NaiveDateTime, Utc};

/// At most this many stretches are read from a page (two a year over 150
/// years); a longer list is cut, never trusted to be small.
const MAX_SPANS: usize = 300;
/// At most this many characters of abbreviation ("CEST", "+0530").
const MAX_ABBREVIATION: usize = 8;
/// At most this many characters of zone name.
const MAX_NAME: usize = 64;

/// One stretch: from `from` (Unix seconds; the first stretch from the
/// beginning of time) the zone is `offset` seconds east of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneSpan {
    pub from: i64,
    pub offset: i32,
    pub abbreviation: String,
}

/// A zone's name and its stretches, sorted by `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneRules {
    name: String,
    spans: Vec<ZoneSpan>,
}

impl Default for ZoneRules {
    fn default() -> Self {
        Self::utc()
    }
}

impl ZoneRules {
    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            spans: vec![ZoneSpan { from: i64::MIN, offset: 0, abbreviation: "UTC".to_owned() }],
        }
    }

    /// A zone from its stretches (sorted here; the first one then counts
    /// from the beginning of time).
    pub fn new(name: &str, mut spans: Vec<ZoneSpan>) -> Self {
        spans.sort_by_key(|s| s.from);
        match spans.first_mut() {
            Some(first) => first.from = i64::MIN,
            None => return Self { name: name.to_owned(), ..Self::utc() },
        }
        Self { name: name.to_owned(), spans }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock time of `at` in this zone, and the abbreviation then.
    pub fn local(&self, at: DateTime<Utc>) -> (NaiveDateTime, &str) {
        let seconds = at.timestamp();
        let index = self.spans.partition_point(|s| s.from <= seconds).saturating_sub(1);
        match self.spans.get(index) {
            Some(span) => (at.naive_utc() + chrono::Duration::seconds(i64::from(span.offset)), &span.abbreviation),
            None => (at.naive_utc(), "UTC"),
        }
    }

    /// As written into a page: `name|from,offset,abbreviation|...` (the
    /// first stretch's `from` left empty).
    pub fn encode(&self) -> String {
        let mut out = self.name.clone();
        for (i, span) in self.spans.iter().enumerate() {
            let from = if i == 0 { String::new() } else { span.from.to_string() };
            out.push_str(&format!("|{from},{},{}", span.offset, span.abbreviation));
        }
        out
    }

    /// Read back from a page: `None` for anything [`encode`] does not
    /// write (too long, offsets beyond a day, unsorted stretches).
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split('|');
        let name = parts.next().filter(|n| !n.is_empty() && n.len() <= MAX_NAME)?;
        let mut spans = Vec::new();
        for (i, part) in parts.enumerate() {
            if i >= MAX_SPANS {
                break;
            }
            let mut fields = part.splitn(3, ',');
            let from = match (i, fields.next()?) {
                (0, "") => i64::MIN,
                (_, from) => from.parse().ok()?,
            };
            let offset: i32 = fields.next()?.parse().ok().filter(|o: &i32| o.abs() <= 86_400)?;
            let abbreviation = fields.next().filter(|a| !a.is_empty() && a.len() <= MAX_ABBREVIATION)?;
            if spans.last().is_some_and(|last: &ZoneSpan| last.from >= from) {
                return None;
            }
            spans.push(ZoneSpan { from, offset, abbreviation: abbreviation.to_owned() });
        }
        (!spans.is_empty()).then(|| Self { name: name.to_owned(), spans })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn berlin_2026() -> ZoneRules {
        ZoneRules::new(
            "Europe/Berlin",
            vec![
                ZoneSpan { from: 0, offset: 3600, abbreviation: "CET".into() },
                // 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC.
                ZoneSpan { from: 1_774_746_000, offset: 7200, abbreviation: "CEST".into() },
                ZoneSpan { from: 1_792_890_000, offset: 3600, abbreviation: "CET".into() },
            ],
        )
    }

    #[test]
    fn a_moment_takes_the_stretch_it_falls_in_to_the_second() {
        let zone = berlin_2026();
        let at = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        let local = |t| {
            let (time, abbreviation) = zone.local(t);
            (time.format("%Y-%m-%d %H:%M:%S").to_string(), abbreviation.to_owned())
        };
        assert_eq!(local(at(2026, 3, 29, 0, 59, 59)), ("2026-03-29 01:59:59".into(), "CET".into()));
        assert_eq!(local(at(2026, 3, 29, 1, 0, 0)), ("2026-03-29 03:00:00".into(), "CEST".into()));
        assert_eq!(local(at(2026, 10, 25, 0, 59, 59)), ("2026-10-25 02:59:59".into(), "CEST".into()));
        assert_eq!(local(at(2026, 10, 25, 1, 0, 0)), ("2026-10-25 02:00:00".into(), "CET".into()));
        // Before the first stretch's start: the first stretch.
        assert_eq!(local(at(1950, 1, 1, 12, 0, 0)), ("1950-01-01 13:00:00".into(), "CET".into()));
        assert_eq!(ZoneRules::utc().local(at(2026, 7, 1, 12, 0, 0)).1, "UTC");
    }

    #[test]
    fn survives_the_trip_through_a_page_and_refuses_what_it_never_writes() {
        let zone = berlin_2026();
        assert_eq!(ZoneRules::decode(&zone.encode()), Some(zone));
        assert_eq!(ZoneRules::decode(&ZoneRules::utc().encode()), Some(ZoneRules::utc()));
        for bad in [
            "",
            "Europe/Berlin",
            "Europe/Berlin|,3600",
            "Europe/Berlin|,99999,CET",
            "Europe/Berlin|,3600,CET|5,7200,CEST|5,3600,CET",
            "Europe/Berlin|,3600,AVERYLONGNAME",
            "Europe/Berlin|x,3600,CET",
        ] {
            assert_eq!(ZoneRules::decode(bad), None, "{bad}");
        }
        let huge = format!("Z|,0,A{}", (1..1000).map(|i| format!("|{i},0,A")).collect::<String>());
        assert_eq!(ZoneRules::decode(&huge).map(|z| z.spans.len()), Some(MAX_SPANS));
    }
}
