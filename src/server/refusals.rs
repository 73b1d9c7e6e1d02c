//! Refused requests in the audit log, without letting anyone grow it at will.
//!
//! Refusals that anyone can cause from outside (a cross-site request from
//! a hostile page, a throttled sign-in) come as fast as they can send
//! requests, and the audit log is append-only. So per client address and
//! action, the first refusal of each minute is written at once and the
//! repeats are only counted ([`RefusalLog::record`]); when the minute is
//! over, one more entry says how many repeats there were. A signed-in staff
//! member's own refused action (role too low, password change pending) is
//! written each time ([`record_one`]): it names a person's act.
//! At most [`MAX_KEYS`] address-action pairs are tracked; beyond that,
//! refusals from further addresses are counted together. Repeats counted
//! when the process stops are lost (the first entry of each minute is not).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::audit;
use super::clock::Clock;
use super::db::{begin_write, Db};

/// The most address-action pairs counted at once.
pub const MAX_KEYS: usize = 10_000;

/// How often counted repeats of past minutes are written.
const FLUSH_EVERY: Duration = Duration::from_secs(20);

/// An address, or `None` for "further addresses" once [`MAX_KEYS`] are tracked.
type Key = (Option<IpAddr>, String);

struct Bucket {
    minute: i64,
    repeats: u64,
    actor: String,
    subject: String,
}

/// One written entry: (actor, action, subject, detail).
type Pending = (String, String, String, String);

#[derive(Default)]
pub struct RefusalLog {
    buckets: Mutex<HashMap<Key, Bucket>>,
}

fn minute_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

fn summary((ip, action): &Key, bucket: &Bucket) -> Pending {
    let from = ip.map_or_else(|| "further addresses".to_owned(), |ip| ip.to_string());
    let start = Utc.timestamp_opt(bucket.minute * 60, 0).single().unwrap_or_default();
    let detail = format!(
        "{} more like this from {from} in the minute from {} UTC",
        bucket.repeats,
        start.format("%Y-%m-%d %H:%M")
    );
    (bucket.actor.clone(), action.clone(), bucket.subject.clone(), detail)
}

impl RefusalLog {
    /// Counts a refusal and returns the entries to write now: this one if it
    /// is the first of its minute (with the repeats of the key's earlier
    /// minute, if any), else none.
    fn count(&self, ip: IpAddr, entry: Pending, at: DateTime<Utc>) -> Vec<Pending> {
        let minute = minute_of(at);
        let Ok(mut buckets) = self.buckets.lock() else { return vec![entry] };
        let mut key: Key = (Some(ip), entry.1.clone());
        if !buckets.contains_key(&key) && buckets.len() >= MAX_KEYS {
            let mut out = drain_before(&mut buckets, minute);
            if buckets.len() >= MAX_KEYS {
                key = (None, entry.1.clone());
            }
            out.extend(self_count(&mut buckets, key, entry, minute));
            return out;
        }
        self_count(&mut buckets, key, entry, minute)
    }

    /// Records a refusal (see the module's text). The refusal stands even
    /// if this write fails; the failure is logged.
    pub async fn record(&self, db: &Db, ip: IpAddr, refusal: [&str; 4], now: DateTime<Utc>) {
        let [actor, action, subject, detail] = refusal;
        let entry = (actor.to_owned(), action.to_owned(), subject.to_owned(), detail.to_owned());
        let due = self.count(ip, entry, now);
        write(db, due, now).await;
    }

    /// Writes the counted repeats of minutes before `now`'s.
    pub async fn flush(&self, db: &Db, now: DateTime<Utc>) {
        let due = match self.buckets.lock() {
            Ok(mut buckets) => drain_before(&mut buckets, minute_of(now)),
            Err(_) => Vec::new(),
        };
        write(db, due, now).await;
    }

    /// Flushes every [`FLUSH_EVERY`] while the log is in use elsewhere.
    pub fn spawn_flusher(self: &Arc<Self>, db: Db, clock: Clock) {
        let log = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(FLUSH_EVERY).await;
                let Some(log) = log.upgrade() else { return };
                log.flush(&db, clock.now()).await;
            }
        });
    }
}

/// Writes one refused action of a signed-in staff member at once.
pub async fn record_one(db: &Db, actor: &str, action: &str, subject: &str, detail: &str, at: DateTime<Utc>) {
    write(db, vec![(actor.to_owned(), action.to_owned(), subject.to_owned(), detail.to_owned())], at).await;
}

fn self_count(buckets: &mut HashMap<Key, Bucket>, key: Key, entry: Pending, minute: i64) -> Vec<Pending> {
    let mut out = Vec::new();
    if let Some(bucket) = buckets.get_mut(&key) {
        if bucket.minute == minute {
            bucket.repeats += 1;
            return out;
        }
        if bucket.repeats > 0 {
            out.push(summary(&key, bucket));
        }
    }
    buckets.insert(key, Bucket { minute, repeats: 0, actor: entry.0.clone(), subject: entry.2.clone() });
    out.push(entry);
    out
}

/// Removes the buckets of minutes before `minute`, returning the summaries
/// of those with repeats.
fn drain_before(buckets: &mut HashMap<Key, Bucket>, minute: i64) -> Vec<Pending> {
    let mut out = Vec::new();
    buckets.retain(|key, bucket| {
        if bucket.minute >= minute {
            return true;
        }
        if bucket.repeats > 0 {
            out.push(summary(key, bucket));
        }
        false
    });
    out
}

async fn write(db: &Db, due: Vec<Pending>, at: DateTime<Utc>) {
    if due.is_empty() {
        return;
    }
    let written = async {
        let mut tx = begin_write(db).await?;
        for (actor, action, subject, detail) in &due {
            audit::record(&mut tx, actor, action, subject, detail, at).await?;
        }
        tx.commit().await
    };
    if let Err(error) = written.await {
        tracing::error!(%error, "cannot write refusals to the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn refusal(action: &str) -> Pending {
        ("anonymous".into(), action.into(), "/api/login".into(), "POST from origin x".into())
    }

    #[test]
    fn the_first_refusal_of_a_minute_is_written_and_repeats_are_summed_up_once() {
        let log = RefusalLog::default();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(log.count(ip, refusal("access.cross_site"), at("2026-11-30T12:00:01Z")).len(), 1);
        for s in 2..50 {
            let t = at(&format!("2026-11-30T12:00:{s:02}Z"));
            assert!(log.count(ip, refusal("access.cross_site"), t).is_empty());
        }
        // Another action and another address are counted apart.
        assert_eq!(log.count(ip, refusal("login.refused"), at("2026-11-30T12:00:30Z")).len(), 1);
        let other: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(log.count(other, refusal("access.cross_site"), at("2026-11-30T12:00:30Z")).len(), 1);
        // The next minute: the summary of the last one, then the new first.
        let next = log.count(ip, refusal("access.cross_site"), at("2026-11-30T12:01:00Z"));
        assert_eq!(next.len(), 2);
        assert_eq!(next[0].3, "48 more like this from 203.0.113.9 in the minute from 2026-11-30 12:00 UTC");
        assert_eq!(next[1], refusal("access.cross_site"));
    }

    #[test]
    fn a_flood_from_many_addresses_keeps_a_bounded_count() {
        let log = RefusalLog::default();
        let t = at("2026-11-30T12:00:00Z");
        let mut written = 0;
        for n in 0..(MAX_KEYS as u32 + 5_000) {
            let ip = IpAddr::from(n.to_be_bytes());
            written += log.count(ip, refusal("access.cross_site"), t).len();
        }
        assert_eq!(written, MAX_KEYS + 1, "one entry per tracked address and one for all further ones");
        assert_eq!(log.buckets.lock().unwrap().len(), MAX_KEYS + 1);
        // A minute later the old buckets make room, with one summary for the rest.
        let later = at("2026-11-30T12:01:00Z");
        let next = log.count(IpAddr::from([10, 0, 0, 1]), refusal("access.cross_site"), later);
        assert_eq!(next.len(), 2, "{next:?}");
        assert!(next[0].3.starts_with("4999 more like this from further addresses"), "{next:?}");
        assert_eq!(log.buckets.lock().unwrap().len(), 1);
    }
}
