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
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::ContractEnding,
        EventKind::TestPhaseEnding,
        EventKind::DeactivatedByContractEnd,
        EventKind::MonthClosed,
    ];

    /// The name deliveries and the catalogue use (stable).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ContractEnding => "contract.ending",
            EventKind::TestPhaseEnding => "test_phase.ending",
            EventKind::DeactivatedByContractEnd => "customer.deactivated_by_contract_end",
            EventKind::MonthClosed => "month.closed",
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
    fn names_are_stable_and_read_back() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            ["contract.ending", "test_phase.ending", "customer.deactivated_by_contract_end", "month.closed"]
        );
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(EventKind::from_name("month.opened"), None);
    }
}
