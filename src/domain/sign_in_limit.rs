//! When a password may be checked: the limits on failed sign-ins.
//!
//! Three counts over the login window decide, each counting the attempt
//! being checked right now as a failure until it has passed:
//! - one account from one address: a hard stop after `per_pair` failures
//!   (someone guessing from one place);
//! - one address over every account: a hard stop after `per_address`;
//! - one account from everywhere: no hard stop (that would let anyone lock
//!   anyone out), but after `per_pair` failures each further attempt waits
//!   twice as long as the one before, one second at first, at most
//!   [`MAX_BACKOFF_SECS`].

use chrono::{DateTime, Utc};

/// The longest wait the per-account backoff asks for.
pub const MAX_BACKOFF_SECS: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_pair: u32,
    pub per_address: u32,
    pub window_secs: i64,
}

/// Failures within the window (the oldest one's time, where it decides).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    /// This account from this address, and the oldest of them.
    pub pair: u32,
    pub pair_oldest: Option<DateTime<Utc>>,
    /// This address over every account, and the oldest of them.
    pub address: u32,
    pub address_oldest: Option<DateTime<Utc>>,
    /// This account from every address, and the newest of them.
    pub account: u32,
    pub account_newest: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The password may be checked.
    Check,
    /// Not now: try again after this many seconds (at least 1).
    Wait { secs: i64 },
}

fn until(at: Option<DateTime<Utc>>, after_secs: i64, now: DateTime<Utc>) -> i64 {
    let end = at.map_or(now, |at| at + chrono::Duration::seconds(after_secs));
    let left = (end - now).num_milliseconds();
    // Rounded up, so that a caller who waits as told is let in.
    ((left + 999) / 1000).max(1)
}

/// The wait the per-account backoff asks for after `failures` failures.
pub fn backoff_secs(failures: u32, free: u32) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(16);
    (1i64 << doublings).min(MAX_BACKOFF_SECS)
}

pub fn decide(limits: Limits, failures: Failures, now: DateTime<Utc>) -> Decision {
    if failures.pair >= limits.per_pair {
        return Decision::Wait { secs: until(failures.pair_oldest, limits.window_secs, now) };
    }
    if failures.address >= limits.per_address {
        return Decision::Wait { secs: until(failures.address_oldest, limits.window_secs, now) };
    }
    let backoff = backoff_secs(failures.account, limits.per_pair);
    if backoff > 0 {
        if let Some(newest) = failures.account_newest {
            if (now - newest).num_milliseconds() < backoff * 1000 {
                return Decision::Wait { secs: until(Some(newest), backoff, now) };
            }
        }
    }
    Decision::Check
}

/// "Too many failed sign-ins. Try again in 3 minutes." (or seconds).
pub fn wait_message(secs: i64) -> crate::domain::message::Message {
    use crate::domain::message::Message;
    let whole = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    match secs {
        1 => Message::WaitSecond,
        s if s < 90 => Message::WaitSeconds { seconds: whole(s) },
        s => Message::WaitMinutes { minutes: whole((s + 59) / 60) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { per_pair: 5, per_address: 20, window_secs: 900 };

    fn now() -> DateTime<Utc> {
        "2026-11-30T12:00:00Z".parse().unwrap()
    }

    fn secs_ago(s: i64) -> Option<DateTime<Utc>> {
        Some(now() - chrono::Duration::seconds(s))
    }

    #[test]
    fn one_account_from_one_address_stops_after_five_failures_until_the_oldest_leaves_the_window() {
        let four = Failures { pair: 4, pair_oldest: secs_ago(100), account: 4, ..Failures::default() };
        assert_eq!(decide(LIMITS, four, now()), Decision::Check);
        let five = Failures { pair: 5, pair_oldest: secs_ago(100), account: 5, ..Failures::default() };
        assert_eq!(decide(LIMITS, five, now()), Decision::Wait { secs: 800 });
    }

    #[test]
    fn one_address_stops_after_twenty_failures_over_every_account() {
        let many = Failures { address: 20, address_oldest: secs_ago(890), ..Failures::default() };
        assert_eq!(decide(LIMITS, many, now()), Decision::Wait { secs: 10 });
    }

    #[test]
    fn failures_from_elsewhere_slow_an_account_down_but_never_lock_it() {
        // Five failures from other addresses, the last just now: the owner
        // waits a second, then may try.
        let others = Failures { account: 5, account_newest: secs_ago(0), ..Failures::default() };
        assert_eq!(decide(LIMITS, others, now()), Decision::Wait { secs: 1 });
        let later = Failures { account_newest: secs_ago(2), ..others };
        assert_eq!(decide(LIMITS, later, now()), Decision::Check);
        // However many failures, the wait is at most a minute.
        let flood = Failures { account: 10_000, account_newest: secs_ago(30), ..Failures::default() };
        assert_eq!(decide(LIMITS, flood, now()), Decision::Wait { secs: 30 });
        let flood_later = Failures { account_newest: secs_ago(MAX_BACKOFF_SECS), ..flood };
        assert_eq!(decide(LIMITS, flood_later, now()), Decision::Check);
    }

    #[test]
    fn the_backoff_doubles_from_one_second_up_to_a_minute() {
        let waits: Vec<i64> = (4..13).map(|n| backoff_secs(n, 5)).collect();
        assert_eq!(waits, [0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff_secs(u32::MAX, 5), MAX_BACKOFF_SECS);
    }

    #[test]
    fn the_message_says_how_long_to_wait() {
        let english = |secs| crate::messages::english(&wait_message(secs));
        assert_eq!(english(1), "Too many failed sign-ins. Try again in 1 second.");
        assert_eq!(english(45), "Too many failed sign-ins. Try again in 45 seconds.");
        assert_eq!(english(800), "Too many failed sign-ins. Try again in 14 minutes.");
        let german = crate::messages::text(&wait_message(800).into(), crate::i18n::Locale::de);
        assert_eq!(german, "Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in 14 Minuten erneut.");
    }
}
