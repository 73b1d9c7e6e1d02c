//! Wire types of status: what its server functions (`api::status`) send and take.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub version: String,
    pub uptime_seconds: u64,
    pub database_backend: String,
    pub database_bytes: i64,
    /// Free space on the database's file system (none: not a file here,
    /// e.g. PostgreSQL).
    pub free_disk_bytes: Option<u64>,
    pub migrations_applied: i64,
    pub migrations_known: i64,
    pub latest_migration: String,
    pub staff_by_role: Vec<(String, i64)>,
    /// (kind, status, count) of every customer.
    pub customers: Vec<(String, String, i64)>,
    pub metering: Metering,
    pub month_close: MonthCloseStatus,
    pub deliveries: Deliveries,
    /// Active customers whose contract (billed) or test phase (test) ends
    /// within 14 days, soonest first.
    pub ending_soon: Vec<CustomerLink>,
    /// Deactivated by the contract-end job in the last 7 days.
    pub deactivated_by_job: Vec<CustomerLink>,
    /// The server log's errors and warnings since the start; the details
    /// only for admins.
    pub problems: ProblemSummary,
    /// Staff accounts with many failed sign-ins in the login window, most
    /// first (admins only; empty for others).
    pub sign_in_failures: Vec<SignInFailures>,
    #[serde(with = "super::wire::moment")]
    pub checked_at: DateTime<Utc>,
}

/// What the status page shows of the server log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemSummary {
    pub error_total: u64,
    pub warning_total: u64,
    /// Whether the caller sees the messages (admins); else the lists are empty.
    pub details: bool,
    /// The last different errors and, apart, warnings, oldest first.
    pub errors: Vec<LoggedProblem>,
    pub warnings: Vec<LoggedProblem>,
}

/// A staff account's failed sign-ins within the login window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFailures {
    pub username: String,
    pub failures: i64,
    /// From how many client addresses.
    pub addresses: i64,
    #[serde(with = "super::wire::moment")]
    pub last_at: DateTime<Utc>,
}

/// A warning or an error the server logged, with how often it came.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedProblem {
    /// The last time it came.
    #[serde(with = "super::wire::moment")]
    pub at: DateTime<Utc>,
    #[serde(with = "super::wire::moment")]
    pub first_at: DateTime<Utc>,
    pub count: u32,
    /// "WARN" or "ERROR".
    pub level: String,
    pub target: String,
    pub message: String,
}

/// A customer the page links to, with the day or moment its list is about
/// (the last report, the contract's end, the deactivation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLink {
    pub id: i64,
    pub name: String,
    pub kind: String,
    /// `None`: never (a customer that never reported).
    pub when: Option<When>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum When {
    Day(#[serde(with = "super::wire::day")] chrono::NaiveDate),
    Moment(#[serde(with = "super::wire::moment")] DateTime<Utc>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metering {
    #[serde(with = "super::wire::moment_option")]
    pub last_report_at: Option<DateTime<Utc>>,
    pub reports_last_24h: i64,
    /// Active customers without a report for more than 48 hours (or never),
    /// longest silent first; at most 100.
    pub silent: Vec<CustomerLink>,
    pub silent_total: i64,
}

/// The webhook deliveries' queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliveries {
    /// Deliveries not delivered yet (and not failed for good).
    pub waiting: i64,
    /// When the oldest of them was made.
    #[serde(with = "super::wire::moment_option")]
    pub oldest: Option<DateTime<Utc>>,
    /// Endpoints that are on and failing.
    pub failing: Vec<FailingEndpoint>,
}

/// An endpoint that is on and whose deliveries fail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingEndpoint {
    pub url: String,
    #[serde(with = "super::wire::moment")]
    pub since: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCloseStatus {
    /// The last closed month, when and by whom.
    #[serde(with = "super::wire::closed")]
    pub last_closed: Option<(String, DateTime<Utc>, String)>,
    /// The next month to close and the day it is due.
    #[serde(with = "super::wire::due")]
    pub next: Option<(String, chrono::NaiveDate)>,
    /// Ended months past their due day and still open: the job did not
    /// manage to close them.
    pub overdue: Vec<String>,
}
