//! The events the console tells people about (by email and webhooks): their
//! catalogue, and the rules of when one is due. An event is written in the
//! same transaction as the change that causes it (`server::events`); these
//! rules only decide which event a fact calls for.

use chrono::NaiveDate;

/// Every kind of event, as named in deliveries and the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A billed customer's contract ends in 30, 14, 7 or 1 days.
    ContractEnding,
    /// A test customer's test phase (its contract end) ends in 30, 14, 7 or 1 days.
    TestPhaseEnding,
    /// A customer was deactivated because its contract end had passed.
    DeactivatedByContractEnd,
    /// A month was closed into frozen statements (with its totals).
    MonthClosed,
    /// A customer's reported users reached 80 % or 100 % of its maximum.
    LicenseThreshold,
    /// A customer with a hard limit reached its maximum: its server refuses new users.
    HardLimitReached,
    /// An active customer's server has not reported for 48 hours.
    UsageSilent,
    /// A silent customer's server reports again.
    UsageResumed,
    /// A report arrived for a month already closed (kept, not billed).
    LateReport,
    /// A month's close is due and has not happened.
    CloseOverdue,
    /// A background job failed.
    JobFailed,
    /// Sign-ins to a staff account are refused by the sign-in limits.
    StaffLockedOut,
    /// A webhook endpoint failed for a day and was turned off.
    EndpointDisabled,
    /// Sent to one endpoint on request ("Send test event"); nobody
    /// subscribes to it, so it is not in [`EventKind::ALL`].
    Test,
}

impl EventKind {
    pub const ALL: [EventKind; 13] = [
        EventKind::ContractEnding,
        EventKind::TestPhaseEnding,
        EventKind::DeactivatedByContractEnd,
        EventKind::MonthClosed,
        EventKind::LicenseThreshold,
        EventKind::HardLimitReached,
        EventKind::UsageSilent,
        EventKind::UsageResumed,
        EventKind::LateReport,
        EventKind::CloseOverdue,
        EventKind::JobFailed,
        EventKind::StaffLockedOut,
        EventKind::EndpointDisabled,
    ];

    /// The name deliveries and the catalogue use (stable).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ContractEnding => "contract.ending",
            EventKind::TestPhaseEnding => "test_phase.ending",
            EventKind::DeactivatedByContractEnd => "customer.deactivated_by_contract_end",
            EventKind::MonthClosed => "month.closed",
            EventKind::LicenseThreshold => "license.threshold",
            EventKind::HardLimitReached => "license.hard_limit_reached",
            EventKind::UsageSilent => "usage.silent",
            EventKind::UsageResumed => "usage.resumed",
            EventKind::LateReport => "usage.late_report",
            EventKind::CloseOverdue => "month.close_overdue",
            EventKind::JobFailed => "job.failed",
            EventKind::StaffLockedOut => "staff.locked_out",
            EventKind::EndpointDisabled => "webhook_endpoint.disabled",
            EventKind::Test => "test",
        }
    }

    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// How many days before a contract end people are told, furthest first.
pub const ENDING_NOTICES: [i64; 4] = [30, 14, 7, 1];

/// The notice a contract ending on `end` is due for on `today`: the latest
/// threshold reached (`days left ≤ threshold`). A console that was down on
/// the 30th day before tells on the 20th (the 30-day notice, 20 days left),
/// and never an earlier threshold after a later one. None when the end is
/// more than 30 days away or has passed; on the last day itself, the 1-day
/// notice.
pub fn ending_notice(today: NaiveDate, end: NaiveDate) -> Option<i64> {
    let left = (end - today).num_days();
    if !(0..=ENDING_NOTICES[0]).contains(&left) {
        return None;
    }
    ENDING_NOTICES.into_iter().rev().find(|&threshold| left <= threshold)
}

/// How full a license is, as threshold events count it: 0 (below 80 %), 80
/// or 100 (the maximum reached). `max_users` is at least 1.
pub fn license_level(users: i64, max_users: i64) -> i64 {
    if users >= max_users {
        100
    } else if users * 5 >= max_users * 4 {
        80
    } else {
        0
    }
}

/// The threshold event a change of level calls for: one when the level
/// rises (a jump from below 80 % to the maximum is one event, for 100 %),
/// none when it falls (that only re-arms the threshold, so the next rise
/// is a crossing again).
pub fn threshold_crossed(before: i64, now: i64) -> Option<i64> {
    (now > before).then_some(now)
}

/// A server counts as silent after this many hours without a report.
pub const SILENT_HOURS: i64 = 48;

/// The customer's page, as events link to it (the receiver adds the
/// console's address).
pub fn customer_path(id: i64) -> String {
    format!("/customers/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(i64::from(d) - 1)
    }

    #[test]
    fn the_notice_due_is_the_nearest_threshold_not_passed() {
        let end = day(31);
        assert_eq!(ending_notice(day(1), end), Some(30), "30 days before");
        assert_eq!(ending_notice(day(2), end), Some(30), "29 days before: still the 30-day notice");
        assert_eq!(ending_notice(day(17), end), Some(14));
        assert_eq!(ending_notice(day(18), end), Some(14));
        assert_eq!(ending_notice(day(24), end), Some(7));
        assert_eq!(ending_notice(day(30), end), Some(1));
        assert_eq!(ending_notice(day(31), end), Some(1), "the last day");
    }

    #[test]
    fn no_notice_too_early_or_after_the_end() {
        let end = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(ending_notice(end - chrono::Duration::days(31), end), None);
        assert_eq!(ending_notice(end + chrono::Duration::days(1), end), None);
        assert_eq!(ending_notice(end - chrono::Duration::days(30), end), Some(30));
    }

    #[test]
    fn license_levels_and_their_crossings() {
        assert_eq!(license_level(7, 10), 0);
        assert_eq!(license_level(8, 10), 80, "80 % exactly");
        assert_eq!(license_level(9, 10), 80);
        assert_eq!(license_level(10, 10), 100);
        assert_eq!(license_level(12, 10), 100);
        assert_eq!(license_level(3, 4), 0, "75 %");
        assert_eq!(license_level(4, 5), 80);
        assert_eq!(license_level(0, 1), 0);
        assert_eq!(license_level(1, 1), 100);
        assert_eq!(threshold_crossed(0, 80), Some(80));
        assert_eq!(threshold_crossed(0, 100), Some(100), "one event for a jump");
        assert_eq!(threshold_crossed(80, 100), Some(100));
        assert_eq!(threshold_crossed(80, 80), None, "no event while it stays");
        assert_eq!(threshold_crossed(100, 80), None, "falling re-arms, tells nothing");
        assert_eq!(threshold_crossed(100, 0), None);
    }

    #[test]
    fn names_are_stable_and_read_back() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "contract.ending",
                "test_phase.ending",
                "customer.deactivated_by_contract_end",
                "month.closed",
                "license.threshold",
                "license.hard_limit_reached",
                "usage.silent",
                "usage.resumed",
                "usage.late_report",
                "month.close_overdue",
                "job.failed",
                "staff.locked_out",
                "webhook_endpoint.disabled"
            ]
        );
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(EventKind::from_name("month.opened"), None);
        assert_eq!(EventKind::from_name("test"), None, "nobody subscribes to test events");
    }
}
