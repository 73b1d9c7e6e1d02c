//! Times and days as the status page's wire types carry them: a moment as
//! milliseconds since 1970 (UTC), a day as days since 1 January of the
//! year 1. The first signed-in page then reads them without chrono's text
//! parser in the browser's first download (`#[serde(with = …)]`).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

fn from_millis<E: Error>(ms: i64) -> Result<DateTime<Utc>, E> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| E::custom("a moment out of range"))
}

fn from_days<E: Error>(days: i32) -> Result<NaiveDate, E> {
    NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(|| E::custom("a day out of range"))
}

pub mod moment {
    use super::*;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        at.timestamp_millis().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        from_millis(i64::deserialize(d)?)
    }
}

pub mod moment_option {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        at.map(|at| at.timestamp_millis()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<i64>::deserialize(d)?.map(from_millis).transpose()
    }
}

pub mod day {
    use super::*;

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        day.num_days_from_ce().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        from_days(i32::deserialize(d)?)
    }
}

/// The last closed month: (month, when, by whom).
pub mod closed {
    use super::*;

    type Closed = Option<(String, DateTime<Utc>, String)>;

    pub fn serialize<S: Serializer>(v: &Closed, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|(month, at, by)| (month, at.timestamp_millis(), by)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Closed, D::Error> {
        Option::<(String, i64, String)>::deserialize(d)?.map(|(m, at, by)| Ok((m, from_millis(at)?, by))).transpose()
    }
}

/// The next month to close: (month, due day).
pub mod due {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<(String, NaiveDate)>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|(month, day)| (month, day.num_days_from_ce())).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(String, NaiveDate)>, D::Error> {
        Option::<(String, i32)>::deserialize(d)?.map(|(m, day)| Ok((m, from_days(day)?))).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::status::{MonthCloseStatus, When};
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn times_and_days_travel_as_numbers_and_come_back_the_same() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 14, 48, 7).unwrap() + chrono::Duration::milliseconds(123);
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let close = MonthCloseStatus {
            last_closed: Some(("2026-10".to_owned(), at, "ada".to_owned())),
            next: Some(("2026-11".to_owned(), day)),
            overdue: vec![],
        };
        let json = serde_json::to_string(&close).unwrap();
        assert!(!json.contains("2026-11-30T"), "no text time: {json}");
        assert_eq!(serde_json::from_str::<MonthCloseStatus>(&json).unwrap(), close);
        for when in [When::Day(day), When::Moment(at)] {
            let json = serde_json::to_string(&when).unwrap();
            assert_eq!(serde_json::from_str::<When>(&json).unwrap(), when);
        }
        assert!(serde_json::from_str::<When>(r#"{"Day":2147483647}"#).is_err(), "a day out of range is refused");
    }
}
