//! Machine API keys: one per customer, `msp_` + 256 random bits, shown once
//! and stored only as a SHA-256 hash (the key has full entropy, so a fast
//! hash is enough), displayed afterwards by its prefix.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::audit::{self, Entry};
use super::customers;
use super::db::{begin_write, Db, Sql, Time, WriteTx};
use super::error::Result;
use crate::domain::audit_log::FieldChange;
use crate::error::AppError;
use crate::views::customers::ApiKeyInfo;

pub const KEY_PREFIX: &str = "msp_";
/// How much of a key is shown after it was created: `msp_` + 8 characters.
const SHOWN: usize = 12;

pub fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Gives the customer a new key (replacing any old one) and returns it: the
/// only time it is ever seen in full.
pub async fn issue(tx: &mut WriteTx, customer_id: i64, actor: &str, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let key = generate();
    sqlx::query("DELETE FROM api_keys WHERE customer_id = $1").bind(customer_id).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO api_keys (customer_id, key_hash, prefix, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(customer_id)
    .bind(hash(&key))
    .bind(&key[..SHOWN])
    .bind(Time(now))
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    Ok(key)
}

async fn current_prefix(tx: &mut WriteTx, customer_id: i64) -> Result<String, sqlx::Error> {
    let prefix: Option<String> = sqlx::query_scalar("SELECT prefix FROM api_keys WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(prefix.map(|p| format!("{p}…")).unwrap_or_else(|| "none".to_owned()))
}

fn entry<'a>(
    actor: &'a str,
    action: &'a str,
    customer_id: i64,
    change: (String, String),
    at: DateTime<Utc>,
) -> Entry<'a> {
    let (old, new) = change;
    Entry {
        actor,
        action,
        subject: format!("customer:{customer_id}"),
        detail: String::new(),
        customer_id: Some(customer_id),
        changes: vec![FieldChange::new("api_key", old, new)],
        at,
    }
}

/// A new key for the customer; the old one stops working at once.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = customer_id))]
pub async fn rotate(db: &Db, actor: &str, customer_id: i64, now: DateTime<Utc>) -> Result<String> {
    let mut tx = begin_write(db).await?;
    customers::ensure_exists(&mut *tx, customer_id).await?;
    let old = current_prefix(&mut tx, customer_id).await?;
    let key = issue(&mut tx, customer_id, actor, now).await?;
    let change = (old, format!("{}…", &key[..SHOWN]));
    audit::write(&mut tx, entry(actor, "api_key.rotated", customer_id, change, now)).await?;
    tx.commit().await?;
    Ok(key)
}

/// Removes the customer's key: its servers can no longer report or ask.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = customer_id))]
pub async fn revoke(db: &Db, actor: &str, customer_id: i64, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    customers::ensure_exists(&mut *tx, customer_id).await?;
    let old = current_prefix(&mut tx, customer_id).await?;
    let gone = sqlx::query("DELETE FROM api_keys WHERE customer_id = $1").bind(customer_id).execute(&mut *tx).await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::conflict(crate::domain::message::Message::NoApiKey).into());
    }
    audit::write(&mut tx, entry(actor, "api_key.revoked", customer_id, (old, "none".to_owned()), now)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn info(db: &Db, customer_id: i64) -> Result<Option<ApiKeyInfo>> {
    let row: Option<(String, Time, String)> =
        sqlx::query_as("SELECT prefix, created_at, created_by FROM api_keys WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(prefix, created_at, created_by)| ApiKeyInfo { prefix, created_at: created_at.0, created_by }))
}

/// The customer a presented key belongs to and its status, if the key is
/// valid and the customer not removed.
/// The hash of `key` when it has the form of a key (prefix, at most 100
/// characters); anything else is no key.
pub fn hash_of_key(key: &str) -> Option<String> {
    (key.starts_with(KEY_PREFIX) && key.len() <= 100).then(|| hash(key))
}

/// The customer whose key has the hash `key_hash` (not removed).
pub async fn customer_of(db: &Db, key_hash: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT k.customer_id {VALID_KEYS} AND k.key_hash = $1"))
        .bind(key_hash)
        .fetch_optional(db)
        .await
}

/// Of the key hashes `hashes`, the ones that are a customer's key now
/// (not rotated, revoked or removed), with the customer and its status;
/// one statement, inside the usage writer's transaction.
pub async fn valid_now(tx: &mut WriteTx, hashes: &[&str]) -> Result<HashMap<String, (i64, String)>, sqlx::Error> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new(&format!("SELECT k.key_hash, k.customer_id, c.status {VALID_KEYS} AND k.key_hash IN ("));
    sql.bind_list(hashes.iter().map(|h| h.to_string())).push(")");
    let (text, args) = sql.build();
    let rows: Vec<(String, i64, String)> = sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(hash, id, status)| (hash, (id, status))).collect())
}

/// `FROM` and `WHERE` of the keys that are valid: their customer is not
/// removed (a deactivated customer's key still gets its 403).
const VALID_KEYS: &str = "FROM api_keys k JOIN customers c ON c.id = k.customer_id WHERE c.status <> 'removed'";

/// The customers of the keys this instance has seen valid, so that a
/// machine API request needs no lookup of its own: the usage writer checks
/// every key again in its transaction (`valid_now`), so a rotated,
/// revoked or removed key is refused at once on every instance, and then
/// forgotten here. Only keys found valid are kept (an unknown key is
/// looked up each time, as before), at most `KNOWN_KEYS`.
#[derive(Default)]
pub struct KnownKeys(Mutex<HashMap<String, i64>>);

/// More keys than customers could have; past it the list starts again.
const KNOWN_KEYS: usize = 200_000;

impl KnownKeys {
    pub fn get(&self, key_hash: &str) -> Option<i64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key_hash).copied()
    }

    pub fn remember(&self, key_hash: &str, customer_id: i64) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KNOWN_KEYS {
            known.clear();
        }
        known.insert(key_hash.to_owned(), customer_id);
    }

    /// Remembers the keys valid now, at most half of [`KNOWN_KEYS`] (room
    /// for those issued later), as the instance starts: else each server's
    /// first request after a start (every customer's, in the first
    /// minutes) waits for a lookup of its own. Returns how many.
    pub async fn load(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let valid: Vec<(String, i64)> =
            sqlx::query_as(&format!("SELECT k.key_hash, k.customer_id {VALID_KEYS} ORDER BY k.customer_id LIMIT $1"))
                .bind((KNOWN_KEYS / 2) as i64)
                .fetch_all(db)
                .await?;
        let count = valid.len();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend(valid);
        Ok(count)
    }

    pub fn forget(&self, key_hash: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(key_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_prefix_and_256_random_bits() {
        let a = generate();
        let b = generate();
        assert!(a.starts_with("msp_"));
        assert_eq!(a.len(), 4 + 43);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }
}
