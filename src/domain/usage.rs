//! A usage report from a password-manager server (DESIGN.md "Usage"), as
//! the machine API receives it, and its checks.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::validation::Problems;
use super::FieldMessage;

pub const MAX_REPORTED_USERS: i64 = 1_000_000;
pub const MAX_REPORT_ID_LEN: usize = 100;
/// Clocks drift: a report may be this far in the future.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The JSON body of `POST /api/v1/usage`, before any check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageBody {
    pub report_id: String,
    pub observed_at: String,
    pub users: i64,
}

/// A checked report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageReport {
    pub report_id: String,
    pub observed_at: DateTime<Utc>,
    pub users: u32,
}

impl UsageBody {
    /// Checks every field against the rules; `now` is the server's clock.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<UsageReport, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let report_id = problems.check("report_id", report_id(&self.report_id));
        let observed_at = problems.check("observed_at", observed_at(&self.observed_at, now));
        let users = problems.check("users", users(self.users));
        let report = match (report_id, observed_at, users) {
            (Some(report_id), Some(observed_at), Some(users)) => Some(UsageReport { report_id, observed_at, users }),
            _ => None,
        };
        problems.into_result(report)
    }
}

fn report_id(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("report_id is required.".to_owned());
    }
    if raw.chars().count() > MAX_REPORT_ID_LEN {
        return Err(format!("report_id has at most {MAX_REPORT_ID_LEN} characters."));
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err("report_id must not contain control characters.".to_owned());
    }
    Ok(raw.to_owned())
}

fn observed_at(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(raw)
        .map_err(|_| "observed_at must be an RFC 3339 time with an offset, e.g. 2026-11-25T08:30:00Z.".to_owned())?
        .with_timezone(&Utc);
    if at > now + CLOCK_SKEW {
        return Err("observed_at is in the future; check the server's clock.".to_owned());
    }
    Ok(at)
}

fn users(n: i64) -> Result<u32, String> {
    if (0..=MAX_REPORTED_USERS).contains(&n) {
        Ok(n as u32)
    } else {
        Err(format!("users must be a whole number from 0 to {MAX_REPORTED_USERS}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn body(report_id: &str, observed_at: &str, users: i64) -> UsageBody {
        UsageBody { report_id: report_id.to_owned(), observed_at: observed_at.to_owned(), users }
    }

    #[test]
    fn a_good_report_passes_with_its_offset_applied() {
        let r = body("r-1", "2026-11-25T09:00:00+01:00", 42).validate(now()).unwrap();
        assert_eq!(r.observed_at.to_rfc3339(), "2026-11-25T08:00:00+00:00");
        assert_eq!(r.users, 42);
    }

    #[test]
    fn users_must_be_from_0_to_a_million() {
        assert!(body("r", "2026-11-25T09:00:00Z", 0).validate(now()).is_ok());
        assert!(body("r", "2026-11-25T09:00:00Z", 1_000_000).validate(now()).is_ok());
        let e = body("r", "2026-11-25T09:00:00Z", 1_000_001).validate(now()).unwrap_err();
        assert_eq!(e[0].field, "users");
        assert!(body("r", "2026-11-25T09:00:00Z", -1).validate(now()).is_err());
    }

    #[test]
    fn report_id_is_required_and_at_most_100_characters() {
        assert_eq!(body("", "2026-11-25T09:00:00Z", 1).validate(now()).unwrap_err()[0].field, "report_id");
        assert!(body(&"x".repeat(100), "2026-11-25T09:00:00Z", 1).validate(now()).is_ok());
        assert!(body(&"x".repeat(101), "2026-11-25T09:00:00Z", 1).validate(now()).is_err());
        assert!(body("a\nb", "2026-11-25T09:00:00Z", 1).validate(now()).is_err());
    }

    #[test]
    fn observed_at_needs_an_offset_and_may_not_be_in_the_future() {
        assert!(body("r", "2026-11-25T09:00:00", 1).validate(now()).is_err());
        assert!(body("r", "yesterday", 1).validate(now()).is_err());
        assert!(body("r", "2026-11-25T12:04:59Z", 1).validate(now()).is_ok());
        assert!(body("r", "2026-11-25T12:05:01Z", 1).validate(now()).is_err());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = body("", "nope", -5).validate(now()).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, ["report_id", "observed_at", "users"]);
    }
}
