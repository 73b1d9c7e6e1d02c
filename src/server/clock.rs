//! The app's one source of "now", held in `AppState` and handed to every
//! rule and query that needs the time. It follows the system clock; tests
//! move it forward or back (`shift`) to see what a later day brings.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

#[derive(Clone, Debug)]
pub struct Clock {
    /// Milliseconds added to the system clock (0 outside tests).
    shift_ms: Arc<AtomicI64>,
    /// A moment the clock stays at (tests that must not depend on how fast
    /// the machine is); `FLOWING` outside them.
    frozen_ms: Arc<AtomicI64>,
}

const FLOWING: i64 = i64::MIN;

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { shift_ms: Arc::default(), frozen_ms: Arc::new(AtomicI64::new(FLOWING)) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let shift = Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed));
        match self.frozen_ms.load(Ordering::Relaxed) {
            FLOWING => Utc::now() + shift,
            ms => DateTime::from_timestamp_millis(ms).unwrap_or_default() + shift,
        }
    }

    /// Stops this clock (and every copy of it) where it is; `shift` still
    /// moves it.
    pub fn freeze(&self) {
        let now = self.now() - Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed));
        self.frozen_ms.store(now.timestamp_millis(), Ordering::Relaxed);
    }

    /// Today's date in UTC (billing days use the billing time zone instead).
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves this clock (and every copy of it) by `by`.
    pub fn shift(&self, by: Duration) {
        self.shift_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

/// Today's date in UTC by the system clock, for code that has no app state
/// (the command line before the app starts, test fixtures).
pub fn today() -> NaiveDate {
    Clock::system().today()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_moves_every_copy() {
        let clock = Clock::system();
        let copy = clock.clone();
        clock.shift(Duration::days(40));
        let before = Utc::now();
        let ahead = copy.now() - before;
        assert!(ahead >= Duration::days(40) && ahead < Duration::days(41), "{ahead}");
    }

    #[test]
    fn a_frozen_clock_stays_until_it_is_shifted() {
        let clock = Clock::system();
        clock.freeze();
        let at = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.clone().now(), at);
        clock.shift(Duration::seconds(61));
        assert_eq!(clock.now(), at + Duration::seconds(61));
    }
}
