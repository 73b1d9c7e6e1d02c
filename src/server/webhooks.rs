//! Webhook signing as the Standard Webhooks specification has it: a secret
//! `whsec_` + base64 of random bytes, and for every attempt the headers
//! `webhook-id` (the event's id, the same on every retry),
//! `webhook-timestamp` (Unix seconds of the attempt) and
//! `webhook-signature` = `v1,` + base64 of HMAC-SHA256 over
//! `id.timestamp.body`, keyed with the secret's decoded bytes. And the
//! endpoints themselves: added, changed and removed by admins (on the
//! Settings page or through the staff API), each change audited, the
//! secret sealed with the server's key and shown only when made.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use chrono::{DateTime, Utc};

use super::audit;
use super::db::{begin_write, Db, Flag, Time, WriteTx};
use super::error::Result;
use super::secret_box::SecretBox;
use crate::domain::events::EventKind;
use crate::domain::message::Message;
use crate::domain::webhooks::{ValidEndpoint, MAX_ENDPOINTS};
use crate::error::AppError;
use crate::views::alerts::{CreatedEndpoint, WebhookEndpoint};

/// A new endpoint secret: `whsec_` + base64 of 256 random bits.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("whsec_{}", STANDARD.encode(key))
}

/// The `webhook-signature` value of `body` sent as event `id` at
/// `timestamp`; None when `secret` is not `whsec_` + base64.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

type Row = (i64, String, String, Flag, Option<Time>, Option<String>, Time, String);

const COLUMNS: &str =
    "id, url, description, CAST(enabled AS INTEGER), failing_since, disabled_reason, created_at, created_by";

fn endpoint(row: Row, events: Vec<String>) -> WebhookEndpoint {
    let (id, url, description, Flag(enabled), failing_since, disabled_reason, Time(created_at), created_by) = row;
    WebhookEndpoint {
        id,
        url,
        description,
        events,
        enabled,
        failing_since: failing_since.map(|t| t.0),
        disabled_reason,
        created_at,
        created_by,
    }
}

/// The event names an endpoint receives, in the catalogue's order.
async fn events_of(db: impl sqlx::AnyExecutor<'_>, id: i64) -> std::result::Result<Vec<String>, sqlx::Error> {
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM webhook_endpoint_events WHERE endpoint_id = $1")
        .bind(id)
        .fetch_all(db)
        .await?;
    Ok(EventKind::ALL.iter().map(|k| k.name().to_owned()).filter(|name| kinds.contains(name)).collect())
}

/// Every endpoint, oldest first.
pub async fn list(db: &Db) -> Result<Vec<WebhookEndpoint>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY id")).fetch_all(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let events = events_of(db, row.0).await?;
        out.push(endpoint(row, events));
    }
    Ok(out)
}

/// One endpoint; not found when there is none with `id`.
pub async fn get(db: &Db, id: i64) -> Result<WebhookEndpoint> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let events = events_of(db, id).await?;
    Ok(endpoint(row, events))
}

async fn set_events(tx: &mut WriteTx, id: i64, events: &[EventKind]) -> std::result::Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM webhook_endpoint_events WHERE endpoint_id = $1").bind(id).execute(&mut **tx).await?;
    for kind in events {
        sqlx::query("INSERT INTO webhook_endpoint_events (endpoint_id, kind) VALUES ($1, $2)")
            .bind(id)
            .bind(kind.name())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn names(events: &[EventKind]) -> String {
    events.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// Adds an endpoint with a new secret (returned this once, stored sealed).
pub async fn create(
    db: &Db,
    key: &SecretBox,
    actor: &str,
    form: ValidEndpoint,
    now: DateTime<Utc>,
) -> Result<CreatedEndpoint> {
    let secret = new_secret();
    let mut tx = begin_write(db).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints").fetch_one(&mut *tx).await?;
    if count >= i64::from(MAX_ENDPOINTS) {
        return Err(AppError::conflict(Message::EndpointLimit { max: MAX_ENDPOINTS }).into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_endpoints (url, description, secret, enabled, created_at, created_by) \
         VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id",
    )
    .bind(form.url.as_str())
    .bind(&form.description)
    .bind(key.seal(secret.as_bytes()))
    .bind(Time(now))
    .bind(actor)
    .fetch_one(&mut *tx)
    .await?;
    set_events(&mut tx, id, &form.events).await?;
    let detail = format!("{} for {}", form.url, names(&form.events));
    audit::record(&mut tx, actor, "webhook.created", &format!("webhook:{id}"), &detail, now).await?;
    tx.commit().await?;
    Ok(CreatedEndpoint { endpoint: get(db, id).await?, secret })
}

/// What a change sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct Change {
    pub form: Option<ValidEndpoint>,
    pub enabled: Option<bool>,
}

/// Changes an endpoint in one transaction. Turning it on again clears its
/// failure record (its deliveries start over from the next event).
pub async fn update(db: &Db, id: i64, change: Change, actor: &str, now: DateTime<Utc>) -> Result<WebhookEndpoint> {
    let before = get(db, id).await?;
    let mut tx = begin_write(db).await?;
    let mut said = Vec::new();
    if let Some(form) = &change.form {
        let changed =
            sqlx::query("UPDATE webhook_endpoints SET url = $1, description = $2, version = version + 1 WHERE id = $3")
                .bind(form.url.as_str())
                .bind(&form.description)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::NotFound.into());
        }
        set_events(&mut tx, id, &form.events).await?;
        said.push(format!("{} for {}", form.url, names(&form.events)));
    }
    if let Some(enabled) = change.enabled.filter(|on| *on != before.enabled) {
        sqlx::query(
            "UPDATE webhook_endpoints SET enabled = $1, failing_since = NULL, disabled_reason = NULL, \
             version = version + 1 WHERE id = $2",
        )
        .bind(enabled)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        said.push(if enabled { "turned on".to_owned() } else { "turned off".to_owned() });
    }
    if !said.is_empty() {
        audit::record(&mut tx, actor, "webhook.changed", &format!("webhook:{id}"), &said.join("; "), now).await?;
    }
    tx.commit().await?;
    get(db, id).await
}

/// Removes an endpoint with its deliveries and their attempts.
pub async fn remove(db: &Db, id: i64, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let before = get(db, id).await?;
    let mut tx = begin_write(db).await?;
    sqlx::query(
        "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE endpoint_id = $1)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM deliveries WHERE endpoint_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM webhook_endpoint_events WHERE endpoint_id = $1").bind(id).execute(&mut *tx).await?;
    let gone = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::NotFound.into());
    }
    audit::record(&mut tx, actor, "webhook.removed", &format!("webhook:{id}"), &before.url, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_specifications_test_vector() {
        // The example of the Standard Webhooks specification and its
        // reference libraries: a receiver's library must accept ours.
        let signed = signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signed.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn a_new_secret_signs_and_every_part_counts() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_") && secret.len() == 6 + 44, "{secret}");
        assert_ne!(secret, new_secret());
        let one = signature(&secret, "evt_a", 1, b"{}").unwrap();
        assert_ne!(one, signature(&secret, "evt_b", 1, b"{}").unwrap(), "the id counts");
        assert_ne!(one, signature(&secret, "evt_a", 2, b"{}").unwrap(), "the time counts");
        assert_ne!(one, signature(&secret, "evt_a", 1, b"{ }").unwrap(), "the body counts");
        assert_ne!(one, signature(&new_secret(), "evt_a", 1, b"{}").unwrap(), "the secret counts");
        assert_eq!(signature("no prefix", "evt_a", 1, b"{}"), None);
        assert_eq!(signature("whsec_***", "evt_a", 1, b"{}"), None);
    }
}
