//! The customer the tests and benchmarks start from, written once (the app
//! itself never uses this). A test changes only what it is about, with
//! struct update syntax: `CustomerForm { max_users: "5".into(), ..customer_form("Acme", true, &[]) }`.

use chrono::Duration;

use super::clock;
use crate::domain::customer::CustomerForm;
use crate::domain::DatabaseName;

/// A customer named `name` (its database name derived from it), billed or a
/// test customer, with `options` booked: 100 users, no hard limit, its
/// contract ending in 400 days.
pub fn customer_form(name: &str, billed: bool, options: &[&str]) -> CustomerForm {
    CustomerForm {
        name: name.to_owned(),
        billed,
        contract_end: (clock::today() + Duration::days(400)).to_string(),
        database_name: DatabaseName::slug_of(name).to_string(),
        max_users: "100".to_owned(),
        limit_user_creation: false,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
    }
}
