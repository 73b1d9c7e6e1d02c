//! Requests per key and minute, counted in the database: every app
//! instance adds to the same count, so a key gets its limit however many
//! instances share the load. The machine API counts its requests inside
//! the usage writer's group commit (`metering::UsageWriter`), so a request
//! pays no commit of its own; the staff API counts each request by itself
//! ([`RateLimiter::hit`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::db::{Db, Sql, Time, WriteTx};

pub struct RateLimiter {
    per_minute: u32,
}

/// Whose requests a window counts: a customer's API key, or a staff
/// member's access token.
#[derive(Clone, Copy, Debug)]
pub enum Window {
    Customer(i64),
    Token(i64),
}

/// `Err(seconds)`: the key must wait that long.
pub type Verdict = Result<(), u64>;

const WINDOW_SECS: i64 = 60;

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute }
    }

    /// Counts a request in its own statement (autocommit).
    pub async fn hit(&self, db: &Db, window: Window, now: DateTime<Utc>) -> Result<Verdict, sqlx::Error> {
        let (text, args) = count_in_windows(window.table(), &[(window.id(), 1)], now).build();
        let (_, requests, started): (i64, i64, Time) = sqlx::query_as_with(&text, args).fetch_one(db).await?;
        Ok(self.verdict((requests, started), now))
    }

    /// Counts the requests of a group commit inside `tx`, one per entry of
    /// `customers` (whose key sent it, in the order they arrived), with one
    /// statement for all of them: a verdict per request, the same as
    /// counting them one after another.
    pub async fn count_customers(
        &self,
        tx: &mut WriteTx,
        customers: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<Verdict>, sqlx::Error> {
        // Each key once, in the order of its first request, with how many it sent.
        let mut sent: HashMap<i64, i64> = HashMap::new();
        let mut keys = Vec::new();
        for id in customers {
            let n = sent.entry(*id).or_insert(0);
            if *n == 0 {
                keys.push(*id);
            }
            *n += 1;
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64)> = keys.iter().map(|id| (*id, sent[id])).collect();
        let (text, args) = count_in_windows(CUSTOMER_WINDOWS, &rows, now).build();
        let rows: Vec<(i64, i64, Time)> = sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
        let windows: HashMap<i64, (i64, Time)> =
            rows.into_iter().map(|(id, requests, started)| (id, (requests, started))).collect();
        // The k-th request of a key that sent n is number requests - n + k
        // of its window.
        let mut counted: HashMap<i64, i64> = HashMap::new();
        let mut verdicts = Vec::with_capacity(customers.len());
        for id in customers {
            let &(requests, started) = windows.get(id).ok_or(sqlx::Error::RowNotFound)?;
            let k = counted.entry(*id).or_insert(0);
            *k += 1;
            verdicts.push(self.verdict((requests - sent[id] + *k, started), now));
        }
        Ok(verdicts)
    }

    /// A key's window holds `requests` since `started`, this one included.
    fn verdict(&self, (requests, Time(started)): (i64, Time), now: DateTime<Utc>) -> Verdict {
        if requests <= i64::from(self.per_minute) {
            return Ok(());
        }
        let left = WINDOW_SECS - (now - started).num_seconds();
        Err(left.clamp(1, WINDOW_SECS) as u64)
    }
}

impl Window {
    fn id(self) -> i64 {
        match self {
            Window::Customer(id) | Window::Token(id) => id,
        }
    }

    fn table(self) -> WindowTable {
        match self {
            Window::Customer(_) => CUSTOMER_WINDOWS,
            Window::Token(_) => TOKEN_WINDOWS,
        }
    }
}

/// A table of windows and its key column.
type WindowTable = (&'static str, &'static str);
const CUSTOMER_WINDOWS: WindowTable = ("api_request_windows", "customer_id");
const TOKEN_WINDOWS: WindowTable = ("token_request_windows", "token_id");

/// The one statement that counts requests in a table of windows: each key of `sent` gets its number of requests (a window that
/// ended starts again with them, at `now`). Returns each key's requests
/// in its window and when the window started. One statement: atomic on
/// both backends, and exact over every instance.
fn count_in_windows<'q>((table, key): WindowTable, sent: &[(i64, i64)], now: DateTime<Utc>) -> Sql<'q> {
    let mut sql = Sql::new(&format!("INSERT INTO {table} ({key}, started_at, requests) VALUES "));
    for (i, (id, requests)) in sent.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(*id).push(", ").bind(Time(now)).push(", ").bind(*requests).push(")");
    }
    // A window that started at or before this has ended.
    let ended = Time(now - chrono::Duration::seconds(WINDOW_SECS));
    sql.push(&format!(" ON CONFLICT ({key}) DO UPDATE SET started_at = CASE WHEN {table}.started_at <= "));
    sql.bind(ended);
    sql.push(&format!(
        " THEN excluded.started_at ELSE {table}.started_at END, requests = CASE WHEN {table}.started_at <= "
    ));
    sql.bind(ended);
    sql.push(&format!(
        " THEN excluded.requests ELSE {table}.requests + excluded.requests END RETURNING {key}, requests, started_at"
    ));
    sql
}
