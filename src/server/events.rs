//! The event outbox: every event is written by [`record`] inside the
//! transaction of the change that causes it, so it exists exactly when the
//! change does. Deliveries (email, webhooks) read it from there.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::Value;

use super::db::{rows_per_insert, Sql, Time, WriteTx};
use crate::domain::events::{customer_path, EventKind};

/// An event to write.
pub struct Event {
    pub kind: EventKind,
    pub customer: Option<(i64, String)>,
    /// What only this kind carries (a month's totals, the days left).
    pub data: Value,
    /// Set where the event must happen once per cause (a notice per contract
    /// end and threshold, a month's close): a second event with the same
    /// cause is not written.
    pub cause: Option<String>,
}

/// `evt_` + 128 random bits.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("evt_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Writes `event` in `tx` with its deliveries; false when an event with its
/// cause exists already (nothing is written then).
pub async fn record(tx: &mut WriteTx, event: Event, at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(record_seq(tx, event, at).await?.is_some())
}

/// [`record`], returning the event's position.
pub async fn record_seq(tx: &mut WriteTx, event: Event, at: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    Ok(record_all(tx, vec![(event, at)]).await?.pop().flatten())
}

/// Writes `events` (each with when it happened) in `tx`, in their order,
/// with their deliveries, in a few statements for all of them (a server
/// that reports again after an outage brings one event per customer into
/// one batch). Returns each event's position, or `None` where an event
/// with its cause exists already (that one is not written).
pub async fn record_all(
    tx: &mut WriteTx,
    events: Vec<(Event, DateTime<Utc>)>,
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let rows: Vec<EventRow> = events.into_iter().map(|(event, at)| EventRow::of(event, at)).collect();
    let mut seqs: HashMap<String, i64> = HashMap::with_capacity(rows.len());
    let inserts = Sql::inserts(
        "INSERT INTO events (id, kind, occurred_at, customer_id, cause, data) VALUES ",
        6,
        &rows,
        " ON CONFLICT (cause) DO NOTHING RETURNING id, seq",
        |row, r| {
            row.value(r.id.clone()).value(r.kind).value(Time(r.at)).value(r.customer_id);
            row.value(r.cause.clone()).value(r.data.clone());
        },
    );
    for sql in inserts {
        let (text, args) = sql.build();
        let written: Vec<(String, i64)> = sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
        seqs.extend(written);
    }
    let written: Vec<(i64, &str, DateTime<Utc>)> =
        rows.iter().filter_map(|r| seqs.get(&r.id).map(|seq| (*seq, r.kind, r.at))).collect();
    fan_out(tx, &written).await?;
    super::mail::fan_out(tx, &written).await?;
    Ok(rows.iter().map(|r| seqs.get(&r.id).copied()).collect())
}

/// An event as its row is written.
struct EventRow {
    id: String,
    kind: &'static str,
    at: DateTime<Utc>,
    customer_id: Option<i64>,
    cause: Option<String>,
    data: String,
}

impl EventRow {
    fn of(event: Event, at: DateTime<Utc>) -> Self {
        let mut data = match event.data {
            Value::Object(fields) => fields,
            _ => serde_json::Map::new(),
        };
        if let Some((id, name)) = &event.customer {
            data.insert("customer".into(), serde_json::json!({ "id": id, "name": name, "path": customer_path(*id) }));
        }
        Self {
            id: new_id(),
            kind: event.kind.name(),
            at,
            customer_id: event.customer.as_ref().map(|(id, _)| *id),
            cause: event.cause,
            data: Value::Object(data).to_string(),
        }
    }
}

/// One delivery of each written event (position, kind, time) for every
/// endpoint that is on and receives its kind, in the events' transaction.
async fn fan_out(tx: &mut WriteTx, written: &[(i64, &str, DateTime<Utc>)]) -> Result<(), sqlx::Error> {
    for chunk in written.chunks(rows_per_insert(1)) {
        let mut sql = Sql::new(
            "INSERT INTO deliveries (event_seq, endpoint_id, state, attempts, next_attempt_at, retry_from, created_at) \
             SELECT e.seq, w.id, 'pending', 0, e.occurred_at, e.occurred_at, e.occurred_at FROM events e \
             JOIN webhook_endpoint_events k ON k.kind = e.kind \
             JOIN webhook_endpoints w ON w.id = k.endpoint_id AND w.enabled = TRUE WHERE e.seq IN (",
        );
        sql.bind_list(chunk.iter().map(|(seq, _, _)| *seq)).push(") ORDER BY e.seq, w.id");
        let (text, args) = sql.build();
        sqlx::query_with(&text, args).execute(&mut **tx).await?;
    }
    Ok(())
}

/// One stored event, as deliveries and tests read it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub id: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub customer_id: Option<i64>,
    pub data: Value,
}

/// The events after position `after` (0: from the first), oldest first, at
/// most `limit`, with their positions.
pub async fn after(
    db: impl sqlx::AnyExecutor<'_>,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, StoredEvent)>, sqlx::Error> {
    let rows: Vec<(i64, String, String, Time, Option<i64>, String)> = sqlx::query_as(
        "SELECT seq, id, kind, occurred_at, customer_id, data FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, id, kind, Time(occurred_at), customer_id, data)| {
            let data = serde_json::from_str(&data).unwrap_or(Value::Null);
            (seq, StoredEvent { id, kind, occurred_at, customer_id, data })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{begin_write, testing};

    fn notice(cause: &str) -> Event {
        Event {
            kind: EventKind::ContractEnding,
            customer: None,
            data: serde_json::json!({ "days_left": 30 }),
            cause: Some(cause.to_owned()),
        }
    }

    #[tokio::test]
    async fn an_event_exists_only_when_its_transaction_commits() {
        let t = testing::fresh().await;
        let now = Utc::now();
        let mut tx = begin_write(&t.db).await.unwrap();
        assert!(record(&mut tx, notice("rolled back"), now).await.unwrap());
        tx.rollback().await.unwrap();
        assert!(after(&t.db, 0, 10).await.unwrap().is_empty(), "a rolled-back change leaves no event");

        let mut tx = begin_write(&t.db).await.unwrap();
        assert!(record(&mut tx, notice("kept"), now).await.unwrap());
        tx.commit().await.unwrap();
        let events = after(&t.db, 0, 10).await.unwrap();
        assert_eq!(events.len(), 1);
        let (_, event) = &events[0];
        assert_eq!(event.kind, "contract.ending");
        assert!(event.id.starts_with("evt_") && event.id.len() == 26, "{}", event.id);
        assert_eq!(event.data["days_left"], 30);
    }

    #[tokio::test]
    async fn an_event_with_the_same_cause_is_written_once() {
        let t = testing::fresh().await;
        let now = Utc::now();
        for _ in 0..2 {
            let mut tx = begin_write(&t.db).await.unwrap();
            record(&mut tx, notice("once"), now).await.unwrap();
            tx.commit().await.unwrap();
        }
        let mut tx = begin_write(&t.db).await.unwrap();
        let uncaused = Event { cause: None, ..notice("") };
        assert!(record(&mut tx, uncaused, now).await.unwrap());
        let uncaused = Event { cause: None, ..notice("") };
        assert!(record(&mut tx, uncaused, now).await.unwrap(), "events without a cause are never merged");
        tx.commit().await.unwrap();
        assert_eq!(after(&t.db, 0, 10).await.unwrap().len(), 3);
    }
}
