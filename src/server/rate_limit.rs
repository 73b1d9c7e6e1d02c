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

/// Whose requests are counted: a customer's API key, or a staff member's
/// access token.
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
        let (sql, key) = statement(window);
        let counted = sqlx::query_as(sql).bind(key).bind(Time(now)).bind(Time(window_start(now))).fetch_one(db).await?;
        Ok(self.verdict(counted, now))
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
        let mut sql = Sql::new("INSERT INTO api_request_windows (customer_id, started_at, requests) VALUES ");
        for (i, id) in keys.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*id).push(", ").bind(Time(now)).push(", ").bind(sent[id]).push(")");
        }
        sql.push(" ON CONFLICT (customer_id) DO UPDATE SET started_at = CASE WHEN api_request_windows.started_at <= ");
        sql.bind(Time(window_start(now)));
        sql.push(" THEN excluded.started_at ELSE api_request_windows.started_at END, requests = CASE WHEN api_request_windows.started_at <= ");
        sql.bind(Time(window_start(now)));
        sql.push(
            " THEN excluded.requests ELSE api_request_windows.requests + excluded.requests END \
             RETURNING customer_id, requests, started_at",
        );
        let (text, args) = sql.build();
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

/// A window that started at or before this has ended.
fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::seconds(WINDOW_SECS)
}

/// The key's one-minute window gets the request (a new window starts with
/// the first request after the old one ended). One statement: atomic on
/// both backends.
fn statement(window: Window) -> (&'static str, i64) {
    match window {
        Window::Customer(id) => (CUSTOMER_WINDOW, id),
        Window::Token(id) => (TOKEN_WINDOW, id),
    }
}

macro_rules! window_upsert {
    ($table:literal, $key:literal) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (",
            $key,
            ", started_at, requests) VALUES ($1, $2, 1) \
             ON CONFLICT (",
            $key,
            ") DO UPDATE SET \
               started_at = CASE WHEN ",
            $table,
            ".started_at <= $3 THEN excluded.started_at \
                                 ELSE ",
            $table,
            ".started_at END, \
               requests = CASE WHEN ",
            $table,
            ".started_at <= $3 THEN 1 \
                               ELSE ",
            $table,
            ".requests + 1 END \
             RETURNING requests, started_at"
        )
    };
}

const CUSTOMER_WINDOW: &str = window_upsert!("api_request_windows", "customer_id");
const TOKEN_WINDOW: &str = window_upsert!("token_request_windows", "token_id");
