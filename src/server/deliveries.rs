//! Deliveries of events to webhook endpoints: the queue (one row per event
//! and endpoint, written with the event), the sender, and the worker that
//! tries what is due.
//!
//! - At least once: an attempt is recorded after the request; a crash in
//!   between sends it again (the same `webhook-id`, so a receiver can tell).
//!   Only a 2xx answer marks a delivery delivered.
//! - A failed attempt is tried again after 15 s, doubling up to 4 hours,
//!   for a day (`domain::webhooks::next_attempt`); then the delivery has
//!   failed. An endpoint whose deliveries fail for a day without a success
//!   is turned off, audited, and `webhook_endpoint.disabled` tells admins.
//! - One instance at a time: on PostgreSQL the worker holds an advisory
//!   lock on a connection of its own (released when that connection or the
//!   process ends); an SQLite file has one server.
//! - Requests go only where `domain::webhooks` allows: every name is
//!   resolved by our own resolver, which refuses the whole answer if one
//!   address is not allowed, and the connection uses only what it let
//!   through (no second lookup to rebind). No proxy, no redirects, 10 s.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use openidconnect::reqwest;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::audit;
use super::clock::Clock;
use super::config::Config;
use super::db::{begin_write, Backend, Db, Flag, Time};
use super::error::Result;
use super::events::{self, Event};
use super::secret_box::SecretBox;
use super::webhooks::signature;
use crate::domain::events::EventKind;
use crate::domain::webhooks::{address_allowed, next_attempt, parse_url, DISABLE_AFTER_HOURS};
use crate::error::AppError;
use crate::views::alerts::{Attempt, Delivery, DeliveryState};
use crate::views::status::{Deliveries, FailingEndpoint};

/// How long one attempt may take, connection included.
pub const TIMEOUT_SECS: u64 = 10;

/// The most deliveries tried at once.
const BATCH: i64 = 16;

/// The longest reply kept in the log.
const REPLY_MAX_CHARS: usize = 200;

/// Resolves host names for deliveries, refusing addresses that are not
/// allowed.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if let Some(refused) = found.iter().find(|a| !address_allowed(a.ip(), allow_private)) {
                return Err(format!("{host} resolves to {}, where deliveries may not go", refused.ip()).into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver deliveries use, for its tests.
#[cfg(test)]
pub fn testing_resolver(allow_private: bool) -> impl reqwest::dns::Resolve {
    GuardedResolver { allow_private }
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub reply: String,
    pub succeeded: bool,
}

impl Outcome {
    fn refused(reply: String) -> Self {
        Outcome { status: None, reply: cut(&reply), succeeded: false }
    }
}

fn cut(text: &str) -> String {
    text.chars().take(REPLY_MAX_CHARS).collect()
}

/// Sends deliveries: the HTTP client, the address rules and the key that
/// opens the endpoints' secrets.
pub struct Sender {
    client: Option<reqwest::Client>,
    allow_private: bool,
    /// The app's own port, where deliveries on this host may not go.
    own_port: u16,
    key: Option<SecretBox>,
    /// The console's address, to make customer links absolute.
    public_url: Option<String>,
}

impl Sender {
    pub fn new(config: &Config, listen: SocketAddr) -> Self {
        let allow_private = config.webhook_allow_private;
        let client = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(TIMEOUT_SECS))
            .connect_timeout(Duration::from_secs(TIMEOUT_SECS))
            .user_agent(concat!("msp-server-manager/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()
            .map_err(|error| tracing::error!(%error, "cannot build the webhook client; deliveries stay queued"))
            .ok();
        let key = SecretBox::from_config(config).ok().flatten();
        let public_url = config.public_url.as_ref().map(|url| url.trim_end_matches('/').to_owned());
        Sender { client, allow_private, own_port: listen.port(), key, public_url }
    }

    /// Whether `url` is this app (its port on this machine).
    async fn is_self(&self, url: &url::Url) -> bool {
        if url.port_or_known_default() != Some(self.own_port) {
            return false;
        }
        let Some(host) = url.host_str() else { return false };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match tokio::net::lookup_host((host, self.own_port)).await {
            Ok(found) => found.into_iter().any(|a| a.ip().is_loopback() || a.ip().is_unspecified()),
            Err(_) => false,
        }
    }

    /// One attempt: the signed request and what came back.
    pub async fn send(&self, due: &Due, now: DateTime<Utc>) -> Outcome {
        let url = match parse_url(&due.url, self.allow_private) {
            Ok(url) => url,
            Err(_) => return Outcome::refused("not sent: the address is not allowed".into()),
        };
        if self.is_self(&url).await {
            return Outcome::refused("not sent: the address is this app".into());
        }
        let (Some(client), Some(key)) = (&self.client, &self.key) else {
            return Outcome::refused("not sent: no MSP_SECRET_KEY to open the endpoint's secret".into());
        };
        let secret = match key.open(&due.secret).map(String::from_utf8) {
            Ok(Ok(secret)) => secret,
            _ => return Outcome::refused("not sent: the endpoint's secret does not open with MSP_SECRET_KEY".into()),
        };
        let body = self.body(due);
        let timestamp = now.timestamp();
        let Some(signed) = signature(&secret, &due.event_id, timestamp, body.as_bytes()) else {
            return Outcome::refused("not sent: the endpoint's secret is not a whsec_ secret".into());
        };
        let request = client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &due.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(body);
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let reason = status.canonical_reason().unwrap_or("");
                Outcome {
                    status: Some(status.as_u16()),
                    reply: cut(format!("{} {reason}", status.as_u16()).trim()),
                    succeeded: status.is_success(),
                }
            }
            Err(error) => Outcome::refused(describe(&error)),
        }
    }

    /// The request body: the Standard Webhooks payload (`type`,
    /// `timestamp`, `data`), the customer's link absolute when the
    /// console's address is known.
    fn body(&self, due: &Due) -> String {
        let mut data = due.data.clone();
        if let (Some(base), Some(customer)) = (&self.public_url, data.get_mut("customer")) {
            if let Some(path) = customer.get("path").and_then(Value::as_str) {
                let link = format!("{base}{path}");
                customer["url"] = Value::String(link);
            }
        }
        serde_json::json!({ "type": due.kind, "timestamp": Time(due.occurred_at).text(), "data": data }).to_string()
    }
}

/// A failed request in words, with its causes (no body of anyone's).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("no answer within {TIMEOUT_SECS} s");
    }
    let mut text = if error.is_connect() { "could not connect".to_owned() } else { "request failed".to_owned() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    cut(&text)
}

/// A delivery due for an attempt, with what the attempt needs.
#[derive(Clone, Debug)]
pub struct Due {
    pub delivery_id: i64,
    pub endpoint_id: i64,
    pub retry_from: DateTime<Utc>,
    pub attempts: u32,
    pub event_id: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub data: Value,
    pub url: String,
    pub secret: String,
}

type DueRow = (i64, i64, Time, i64, String, String, Time, String, String, String);

const DUE_SELECT: &str = "SELECT d.id, d.endpoint_id, d.retry_from, d.attempts, e.id, e.kind, e.occurred_at, e.data, \
     w.url, w.secret FROM deliveries d JOIN events e ON e.seq = d.event_seq \
     JOIN webhook_endpoints w ON w.id = d.endpoint_id";

fn due(
    (delivery_id, endpoint_id, retry_from, attempts, event_id, kind, occurred_at, data, url, secret): DueRow,
) -> Due {
    Due {
        delivery_id,
        endpoint_id,
        retry_from: retry_from.0,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        event_id,
        kind,
        occurred_at: occurred_at.0,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
        url,
        secret,
    }
}

/// The deliveries due at `now` to endpoints that are on, the longest
/// waiting first.
async fn due_now(db: &Db, now: DateTime<Utc>) -> Result<Vec<Due>> {
    let rows: Vec<DueRow> = sqlx::query_as(&format!(
        "{DUE_SELECT} WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND w.enabled = TRUE \
         ORDER BY d.next_attempt_at, d.id LIMIT {BATCH}"
    ))
    .bind(Time(now))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(due).collect())
}

/// Records an attempt and moves the delivery on, in one transaction: a
/// success ends it and the endpoint's failure record; a failure sets the
/// next try or, after a day, fails the delivery, and turns the endpoint
/// off once it has failed for a day. Only a pending delivery moves (one
/// that was redelivered or removed meanwhile is left as it is).
pub async fn record(db: &Db, due: &Due, outcome: &Outcome, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    sqlx::query(
        "INSERT INTO delivery_attempts (delivery_id, at, status, reply, succeeded) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(due.delivery_id)
    .bind(Time(now))
    .bind(outcome.status.map(i64::from))
    .bind(&outcome.reply)
    .bind(outcome.succeeded)
    .execute(&mut *tx)
    .await?;
    // The delivery's end: delivered or failed for good.
    let finish = |state: DeliveryState| {
        sqlx::query(
            "UPDATE deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = NULL, \
             finished_at = $2 WHERE id = $3 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(Time(now))
        .bind(due.delivery_id)
    };
    if outcome.succeeded {
        finish(DeliveryState::Delivered).execute(&mut *tx).await?;
        sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
            .bind(due.endpoint_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(());
    }
    let attempts = due.attempts.saturating_add(1);
    match next_attempt(due.retry_from, attempts, now) {
        Some(next) => sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2 AND state = 'pending'",
        )
        .bind(Time(next))
        .bind(due.delivery_id)
        .execute(&mut *tx)
        .await?,
        None => finish(DeliveryState::Failed).execute(&mut *tx).await?,
    };
    sqlx::query("UPDATE webhook_endpoints SET failing_since = $1 WHERE id = $2 AND failing_since IS NULL")
        .bind(Time(now))
        .bind(due.endpoint_id)
        .execute(&mut *tx)
        .await?;
    let cutoff = now - chrono::Duration::hours(DISABLE_AFTER_HOURS);
    let reason = format!("Deliveries failed for {DISABLE_AFTER_HOURS} hours; the last: {}", outcome.reply);
    let off = sqlx::query(
        "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $1, version = version + 1 \
         WHERE id = $2 AND enabled = TRUE AND failing_since <= $3",
    )
    .bind(cut(&reason))
    .bind(due.endpoint_id)
    .bind(Time(cutoff))
    .execute(&mut *tx)
    .await?;
    if off.rows_affected() == 1 {
        let subject = format!("webhook:{}", due.endpoint_id);
        audit::record(&mut tx, "system", "webhook.disabled", &subject, &cut(&reason), now).await?;
        let event = Event {
            kind: EventKind::EndpointDisabled,
            customer: None,
            data: serde_json::json!({ "endpoint_id": due.endpoint_id, "url": due.url, "last_reply": outcome.reply }),
            cause: None,
        };
        events::record(&mut tx, event, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Tries the deliveries due at `now`, at most [`BATCH`] at once; returns
/// how many it tried.
pub async fn deliver_due(db: &Db, sender: &Arc<Sender>, now: DateTime<Utc>) -> Result<usize> {
    let batch = due_now(db, now).await?;
    let tried = batch.len();
    let mut sends = tokio::task::JoinSet::new();
    for due in batch {
        let sender = sender.clone();
        sends.spawn(async move {
            let outcome = sender.send(&due, now).await;
            (due, outcome)
        });
    }
    while let Some(done) = sends.join_next().await {
        let Ok((due, outcome)) = done else { continue };
        record(db, &due, &outcome, now).await?;
    }
    Ok(tried)
}

/// Sends a `test` event to one endpoint at once (whether it is on or off,
/// whatever events it receives), and returns the delivery as it then
/// stands. It is queued first, an hour ahead, so the worker does not send
/// it as well; a failed test is tried again like any delivery.
pub async fn send_test(
    db: &Db,
    sender: &Arc<Sender>,
    endpoint_id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Delivery> {
    let mut tx = begin_write(db).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM webhook_endpoints WHERE id = $1")
        .bind(endpoint_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(AppError::NotFound.into());
    }
    let event = Event {
        kind: EventKind::Test,
        customer: None,
        data: serde_json::json!({ "endpoint_id": endpoint_id, "requested_by": actor }),
        cause: None,
    };
    let seq = events::record_seq(&mut tx, event, now).await?.ok_or(AppError::Internal)?;
    let delivery_id: i64 = sqlx::query_scalar(
        "INSERT INTO deliveries (event_seq, endpoint_id, state, attempts, next_attempt_at, retry_from, created_at) \
         VALUES ($1, $2, 'pending', 0, $3, $4, $4) RETURNING id",
    )
    .bind(seq)
    .bind(endpoint_id)
    .bind(Time(now + chrono::Duration::hours(1)))
    .bind(Time(now))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, "webhook.test_sent", &format!("webhook:{endpoint_id}"), "", now).await?;
    tx.commit().await?;
    let row: DueRow = sqlx::query_as(&format!("{DUE_SELECT} WHERE d.id = $1")).bind(delivery_id).fetch_one(db).await?;
    let due = due(row);
    let outcome = sender.send(&due, now).await;
    record(db, &due, &outcome, now).await?;
    one(db, delivery_id).await
}

/// Sends a delivery again (delivered, failed or pending): due now, with a
/// new day of retries.
pub async fn redeliver(db: &Db, delivery_id: i64, actor: &str, now: DateTime<Utc>) -> Result<Delivery> {
    let mut tx = begin_write(db).await?;
    let endpoint: Option<i64> = sqlx::query_scalar(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, retry_from = $1, finished_at = NULL \
         WHERE id = $2 RETURNING endpoint_id",
    )
    .bind(Time(now))
    .bind(delivery_id)
    .fetch_optional(&mut *tx)
    .await?;
    let endpoint = endpoint.ok_or(AppError::NotFound)?;
    let detail = format!("delivery {delivery_id}");
    audit::record(&mut tx, actor, "webhook.redelivered", &format!("webhook:{endpoint}"), &detail, now).await?;
    tx.commit().await?;
    one(db, delivery_id).await
}

type LogRow = (i64, i64, String, String, Time, String, Option<Time>);

const LOG_SELECT: &str = "SELECT d.id, d.endpoint_id, e.id, e.kind, e.occurred_at, d.state, d.next_attempt_at \
     FROM deliveries d JOIN events e ON e.seq = d.event_seq";

/// The most attempts the log shows per delivery (the newest).
const ATTEMPTS_SHOWN: i64 = 20;

async fn with_attempts(db: &Db, row: LogRow) -> Result<Delivery> {
    let (id, endpoint_id, event_id, kind, Time(occurred_at), state, next) = row;
    let attempts: Vec<(Time, Option<i64>, String, Flag)> = sqlx::query_as(&format!(
        "SELECT at, status, reply, CAST(succeeded AS INTEGER) FROM delivery_attempts \
         WHERE delivery_id = $1 ORDER BY id DESC LIMIT {ATTEMPTS_SHOWN}"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(Delivery {
        id,
        endpoint_id,
        event_id,
        kind,
        occurred_at,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        next_attempt_at: next.map(|t| t.0),
        attempts: attempts
            .into_iter()
            .map(|(Time(at), status, reply, Flag(succeeded))| Attempt {
                at,
                status: status.and_then(|s| u16::try_from(s).ok()),
                reply,
                succeeded,
            })
            .collect(),
    })
}

/// One delivery with its attempts.
pub async fn one(db: &Db, delivery_id: i64) -> Result<Delivery> {
    let row: Option<LogRow> =
        sqlx::query_as(&format!("{LOG_SELECT} WHERE d.id = $1")).bind(delivery_id).fetch_optional(db).await?;
    with_attempts(db, row.ok_or(AppError::NotFound)?).await
}

/// An endpoint's newest deliveries (at most `limit`), with their attempts.
pub async fn log(db: &Db, endpoint_id: i64, limit: i64) -> Result<Vec<Delivery>> {
    let rows: Vec<LogRow> =
        sqlx::query_as(&format!("{LOG_SELECT} WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2"))
            .bind(endpoint_id)
            .bind(limit.clamp(1, 200))
            .fetch_all(db)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_attempts(db, row).await?);
    }
    Ok(out)
}

/// The queue as the status page shows it: webhook deliveries and mails not
/// sent yet (deliveries to endpoints that are off wait for them to be
/// turned on, and are not counted).
pub async fn queue(db: &Db) -> Result<Deliveries> {
    let (hooks, oldest_hook): (i64, Option<Time>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(d.created_at) FROM deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.state = 'pending' AND w.enabled = TRUE",
    )
    .fetch_one(db)
    .await?;
    let (mails, oldest_mail): (i64, Option<Time>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM mails WHERE state = 'pending'").fetch_one(db).await?;
    let waiting = hooks + mails;
    let oldest = match (oldest_hook, oldest_mail) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    let failing: Vec<(String, Time)> = sqlx::query_as(
        "SELECT url, failing_since FROM webhook_endpoints WHERE enabled = TRUE AND failing_since IS NOT NULL \
         ORDER BY failing_since LIMIT 20",
    )
    .fetch_all(db)
    .await?;
    Ok(Deliveries {
        waiting,
        oldest: oldest.map(|t| t.0),
        failing: failing.into_iter().map(|(url, Time(since))| FailingEndpoint { url, since }).collect(),
    })
}

/// The key of the advisory lock the deliverer holds on PostgreSQL.
const LOCK_KEY: i64 = 0x6d73_705f_6465_6c69;

/// The right to deliver: always on SQLite; on PostgreSQL while this
/// instance holds the advisory lock on its own connection.
#[derive(Default)]
pub struct Turn {
    held: Option<sqlx::AnyConnection>,
}

impl Turn {
    pub async fn take(&mut self, db: &Db) -> bool {
        if Backend::of(db) != Backend::Postgres {
            return true;
        }
        if let Some(conn) = &mut self.held {
            if sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok() {
                return true;
            }
            self.held = None;
        }
        let Ok(mut conn) = db.acquire().await else { return false };
        let got: std::result::Result<bool, _> =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LOCK_KEY).fetch_one(&mut *conn).await;
        if got.unwrap_or(false) {
            self.held = Some(conn.detach());
            true
        } else {
            false
        }
    }
}

/// Delivers what is due (webhooks, then mails) every second (at once again
/// after a full batch) until `stop` turns true. An attempt cut short by
/// the stop is sent again later.
pub fn spawn(
    db: Db,
    sender: Arc<Sender>,
    mailer: Arc<super::mail::Mailer>,
    clock: Clock,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut turn = Turn::default();
        let mut pause = Duration::ZERO;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.wait_for(|stop| *stop) => break,
            }
            pause = Duration::from_secs(1);
            if !turn.take(&db).await {
                continue;
            }
            let worked = tokio::select! {
                worked = deliver_due(&db, &sender, clock.now()) => worked,
                _ = stop.wait_for(|stop| *stop) => break,
            };
            match worked {
                Ok(n) if n as i64 == BATCH => pause = Duration::ZERO,
                Ok(_) => {}
                Err(error) => tracing::error!(error = %error.chain(), "delivering events failed; they stay queued"),
            }
            let mailed = tokio::select! {
                mailed = super::mail::send_due(&db, &mailer, clock.now()) => mailed,
                _ = stop.wait_for(|stop| *stop) => break,
            };
            match mailed {
                Ok(n) if n as i64 == super::mail::BATCH => pause = Duration::ZERO,
                Ok(_) => {}
                Err(error) => tracing::error!(error = %error.chain(), "sending alert mails failed; they stay queued"),
            }
        }
    })
}
