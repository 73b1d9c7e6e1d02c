//! The app's one source of "now", held in `AppState` and handed to every
//! rule and query that needs the time. It follows the system clock; tests
//! move it forward or back (`shift`) to see what a later day brings.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Milliseconds added to the system clock (0 outside tests).
    shift_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed))
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
}
