//! Today's date for the rules that need one. Dates are UTC until the billing
//! time zone setting exists.

use chrono::{NaiveDate, Utc};

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}
