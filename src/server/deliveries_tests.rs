//! Webhook deliveries to a real HTTP receiver on loopback: signed as the
//! Standard Webhooks rules say, retried after failures until a success,
//! never marked delivered without one, endpoints turned off after a day of
//! failures, addresses refused, a test event sent at once, one deliverer
//! at a time on PostgreSQL.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};

use super::config::Config;
use super::db::testing::{self, TestDb};
use super::db::{begin_write, Backend};
use super::deliveries::{self, Sender};
use super::events::{self, Event};
use super::secret_box::SecretBox;
use super::webhooks::{self, signature};
use crate::domain::events::EventKind;
use crate::domain::webhooks::EndpointForm;
use crate::views::alerts::DeliveryState;

/// What the receiver got: id, timestamp, signature, body.
type Received = (String, String, String, String);

/// An HTTP receiver on loopback that answers 500 to the first `fail_first`
/// requests and 200 after, keeping every request.
struct Receiver {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
}

async fn receiver(fail_first: usize) -> Receiver {
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let kept = got.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let mut got = kept.lock().unwrap();
                got.push((header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"), body));
                if got.len() <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { addr, got }
}

impl Receiver {
    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

fn config(allow_private: bool) -> Config {
    let mut config = Config::for_database("unused");
    config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode([5u8; 32]).parse().unwrap());
    config.webhook_allow_private = allow_private;
    config.public_url = Some("https://console.example.com".into());
    config
}

/// A sender as the app makes it, listening on another port than the receiver's.
fn sender(allow_private: bool) -> Arc<Sender> {
    Arc::new(Sender::new(&config(allow_private), "127.0.0.1:1".parse().unwrap()))
}

/// An endpoint for `events` at `url`, with its secret.
async fn endpoint(t: &TestDb, url: &str, events: &[EventKind]) -> (i64, String) {
    let form = EndpointForm {
        url: url.to_owned(),
        description: "PSA".into(),
        events: events.iter().map(|k| k.name().to_owned()).collect(),
    };
    let valid = form.validate(true).unwrap();
    let key = SecretBox::from_config(&config(true)).unwrap().unwrap();
    let made = webhooks::create(&t.db, &key, "ada", valid, Utc::now()).await.unwrap();
    (made.endpoint.id, made.secret)
}

/// A `month.closed` event written at `at` (its own transaction).
async fn event(t: &TestDb, month: &str, at: DateTime<Utc>) {
    let mut tx = begin_write(&t.db).await.unwrap();
    let event = Event {
        kind: EventKind::MonthClosed,
        customer: None,
        data: serde_json::json!({ "month": month }),
        cause: Some(format!("month.closed:{month}")),
    };
    events::record(&mut tx, event, at).await.unwrap();
    tx.commit().await.unwrap();
}

async fn states(t: &TestDb, endpoint: i64) -> Vec<(DeliveryState, usize)> {
    deliveries::log(&t.db, endpoint, 50).await.unwrap().into_iter().map(|d| (d.state, d.attempts.len())).collect()
}

#[tokio::test]
async fn a_delivery_is_signed_retried_after_failures_and_delivered_once_it_succeeds() {
    let t = testing::fresh().await;
    let hook = receiver(2).await;
    let (id, secret) = endpoint(&t, &hook.url(), &[EventKind::MonthClosed]).await;
    let (other, _) = endpoint(&t, &hook.url(), &[EventKind::UsageSilent]).await;
    let start = Utc::now();
    event(&t, "2027-01", start).await;
    let sender = sender(true);

    assert_eq!(deliveries::deliver_due(&t.db, &sender, start).await.unwrap(), 1, "only the endpoint that receives it");
    assert_eq!(states(&t, id).await, [(DeliveryState::Pending, 1)], "a 500 is no delivery");
    assert_eq!(deliveries::deliver_due(&t.db, &sender, start + Duration::seconds(10)).await.unwrap(), 0, "not yet");
    let second = start + Duration::seconds(15);
    assert_eq!(deliveries::deliver_due(&t.db, &sender, second).await.unwrap(), 1, "15 s after the first");
    assert_eq!(deliveries::deliver_due(&t.db, &sender, second + Duration::seconds(29)).await.unwrap(), 0);
    let third = second + Duration::seconds(30);
    assert_eq!(deliveries::deliver_due(&t.db, &sender, third).await.unwrap(), 1, "30 s after the second");
    assert_eq!(states(&t, id).await, [(DeliveryState::Delivered, 3)]);
    assert_eq!(deliveries::deliver_due(&t.db, &sender, third + Duration::days(1)).await.unwrap(), 0, "done");
    assert!(states(&t, other).await.is_empty());

    let got = hook.got();
    assert_eq!(got.len(), 3);
    let log = deliveries::log(&t.db, id, 10).await.unwrap();
    let statuses: Vec<Option<u16>> = log[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(200), Some(500), Some(500)], "newest first");
    for (n, (webhook_id, timestamp, signed, body)) in got.iter().enumerate() {
        assert_eq!(webhook_id, &log[0].event_id, "the same id on every try");
        let sent_at = [start, second, third][n].timestamp();
        assert_eq!(timestamp, &sent_at.to_string(), "the time of the attempt");
        assert_eq!(signed, &signature(&secret, webhook_id, sent_at, body.as_bytes()).unwrap());
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["type"], "month.closed");
        assert_eq!(body["data"]["month"], "2027-01");
        assert!(body["timestamp"].as_str().is_some_and(|t| t.parse::<DateTime<Utc>>().is_ok()));
    }
}

#[tokio::test]
async fn a_change_that_rolls_back_sends_nothing_and_customer_links_are_absolute() {
    let t = testing::fresh().await;
    let hook = receiver(0).await;
    let (id, _) = endpoint(&t, &hook.url(), &[EventKind::MonthClosed, EventKind::UsageSilent]).await;
    let mut tx = begin_write(&t.db).await.unwrap();
    let event = Event {
        kind: EventKind::MonthClosed,
        customer: None,
        data: serde_json::json!({ "month": "2027-02" }),
        cause: None,
    };
    events::record(&mut tx, event, Utc::now()).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(states(&t, id).await.is_empty());

    let customer = super::customers::create(
        &t.db,
        "otto",
        &super::fixtures::customer_form("Acme", true, &[]),
        Utc::now() - Duration::days(5),
    )
    .await
    .unwrap()
    .id;
    let now = Utc::now();
    super::jobs::announce_silent_servers(&t.db, now).await.unwrap();
    assert_eq!(deliveries::deliver_due(&t.db, &sender(true), now).await.unwrap(), 1);
    let body: serde_json::Value = serde_json::from_str(&hook.got()[0].3).unwrap();
    assert_eq!(body["type"], "usage.silent");
    assert_eq!(body["data"]["customer"]["url"], format!("https://console.example.com/customers/{customer}"));
}

#[tokio::test]
async fn an_endpoint_failing_for_a_day_is_turned_off_and_admins_are_told() {
    let t = testing::fresh().await;
    // Nothing listens on this port: every attempt fails to connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let (id, _) = endpoint(&t, &dead, &[EventKind::MonthClosed]).await;
    let watcher = receiver(0).await;
    let (watching, _) = endpoint(&t, &watcher.url(), &[EventKind::EndpointDisabled]).await;
    let sender = sender(true);
    let start = Utc::now();
    event(&t, "2027-01", start).await;
    deliveries::deliver_due(&t.db, &sender, start).await.unwrap();
    let log = deliveries::log(&t.db, id, 10).await.unwrap();
    assert!(log[0].attempts[0].reply.starts_with("could not connect"), "{:?}", log[0].attempts);
    assert_eq!(webhooks::get(&t.db, id).await.unwrap().failing_since.map(|t| t.timestamp()), Some(start.timestamp()));
    let queue = deliveries::queue(&t.db).await.unwrap();
    assert_eq!(queue.waiting, 1);
    assert_eq!(queue.oldest.map(|t| t.timestamp()), Some(start.timestamp()));
    let failing: Vec<&str> = queue.failing.iter().map(|f| f.url.as_str()).collect();
    assert_eq!(failing, [dead.as_str()]);

    // A day and an hour later, another event fails too: the endpoint is off.
    let later = start + Duration::hours(25);
    event(&t, "2027-02", later).await;
    let tried = deliveries::deliver_due(&t.db, &sender, later).await.unwrap();
    assert_eq!(tried, 2, "the new delivery and the old one's last retry");
    let off = webhooks::get(&t.db, id).await.unwrap();
    assert!(!off.enabled);
    assert!(deliveries::queue(&t.db).await.unwrap().failing.is_empty(), "an endpoint that is off is not failing");
    assert!(off.disabled_reason.is_some_and(|why| why.starts_with("Deliveries failed for 24 hours")));
    let log = deliveries::log(&t.db, id, 10).await.unwrap();
    assert!(log.iter().all(|d| d.state != DeliveryState::Delivered), "nothing undelivered is marked delivered");
    assert!(log.iter().any(|d| d.state == DeliveryState::Failed), "the first is past its day");
    // The endpoint that watches for it is told, once; the one turned off
    // gets nothing more.
    event(&t, "2027-03", later).await;
    deliveries::deliver_due(&t.db, &sender, later).await.unwrap();
    let told: Vec<serde_json::Value> =
        watcher.got().iter().map(|(_, _, _, body)| serde_json::from_str(body).unwrap()).collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["type"], "webhook_endpoint.disabled");
    assert_eq!(told[0]["data"]["endpoint_id"], id);
    assert_eq!(states(&t, watching).await, [(DeliveryState::Delivered, 1)]);
    assert_eq!(deliveries::log(&t.db, id, 10).await.unwrap().len(), 2, "no delivery for an endpoint that is off");
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.disabled'")
        .fetch_one(&t.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // Turned on again by an admin: its failure record starts over.
    let change = webhooks::Change { enabled: Some(true), ..Default::default() };
    let on = webhooks::update(&t.db, id, change, "ada", later).await.unwrap();
    assert!(on.enabled && on.failing_since.is_none() && on.disabled_reason.is_none());
}

#[tokio::test]
async fn deliveries_never_go_to_refused_addresses_or_the_app_itself() {
    let t = testing::fresh().await;
    let hook = receiver(0).await;
    let (id, _) = endpoint(&t, &hook.url(), &[EventKind::MonthClosed]).await;
    event(&t, "2027-01", Utc::now()).await;
    // Private addresses not allowed (the default).
    deliveries::deliver_due(&t.db, &sender(false), Utc::now()).await.unwrap();
    // The app itself: a sender listening on the receiver's port.
    let itself = Arc::new(Sender::new(&config(true), hook.addr));
    deliveries::deliver_due(&t.db, &itself, Utc::now() + Duration::seconds(15)).await.unwrap();
    assert!(hook.got().is_empty(), "nothing reached the receiver");
    let replies: Vec<String> =
        deliveries::log(&t.db, id, 10).await.unwrap()[0].attempts.iter().map(|a| a.reply.clone()).collect();
    assert_eq!(replies, ["not sent: the address is this app", "not sent: the address is not allowed"]);
    assert_eq!(states(&t, id).await, [(DeliveryState::Pending, 2)]);

    // Our resolver refuses a name with a loopback address behind it.
    let named = format!("http://localhost:{}/hook", hook.addr.port());
    let (by_name, _) = endpoint(&t, &named, &[EventKind::UsageSilent]).await;
    let mut tx = begin_write(&t.db).await.unwrap();
    let silent = Event { kind: EventKind::UsageSilent, customer: None, data: serde_json::json!({}), cause: None };
    events::record(&mut tx, silent, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let strict = Sender::new(&config(false), "127.0.0.1:1".parse().unwrap());
    let due = Arc::new(strict);
    deliveries::deliver_due(&t.db, &due, Utc::now() + Duration::hours(1)).await.unwrap();
    let reply = deliveries::log(&t.db, by_name, 10).await.unwrap()[0].attempts[0].reply.clone();
    assert_eq!(reply, "not sent: the address is not allowed", "localhost is refused by name already");
    assert!(hook.got().is_empty());
}

#[tokio::test]
async fn the_resolver_refuses_a_name_if_one_of_its_addresses_is_refused() {
    use openidconnect::reqwest::dns::Resolve;
    let strict = deliveries::testing_resolver(false);
    let name: openidconnect::reqwest::dns::Name = "localhost".parse().unwrap();
    let refused = strict.resolve(name).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("where deliveries may not go"), "{refused}");
    let open = deliveries::testing_resolver(true);
    let found: Vec<SocketAddr> = open.resolve("localhost".parse().unwrap()).await.unwrap().collect();
    assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
}

#[tokio::test]
async fn a_test_event_goes_out_at_once_and_a_delivery_can_be_sent_again() {
    let t = testing::fresh().await;
    let hook = receiver(0).await;
    // It receives no kind of event but the test.
    let (id, secret) = endpoint(&t, &hook.url(), &[EventKind::JobFailed]).await;
    let now = Utc::now();
    let sent = deliveries::send_test(&t.db, &sender(true), id, "ada", now).await.unwrap();
    assert_eq!(sent.state, DeliveryState::Delivered);
    assert_eq!(sent.kind, "test");
    assert_eq!(sent.attempts.len(), 1);
    let got = hook.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2, signature(&secret, &got[0].0, now.timestamp(), got[0].3.as_bytes()).unwrap());
    assert_eq!(deliveries::deliver_due(&t.db, &sender(true), now + Duration::hours(2)).await.unwrap(), 0, "sent once");

    let again = deliveries::redeliver(&t.db, sent.id, "ada", now).await.unwrap();
    assert_eq!(again.state, DeliveryState::Pending);
    assert_eq!(deliveries::deliver_due(&t.db, &sender(true), now).await.unwrap(), 1);
    assert_eq!(hook.got().len(), 2);
    assert_eq!(hook.got()[1].0, got[0].0, "the same event id");
    assert_eq!(states(&t, id).await, [(DeliveryState::Delivered, 2)]);
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id")
            .fetch_all(&t.db)
            .await
            .unwrap();
    assert_eq!(audited, ["webhook.created", "webhook.test_sent", "webhook.redelivered"]);
}

#[tokio::test]
async fn removing_an_endpoint_removes_its_deliveries_and_the_events_stay() {
    let t = testing::fresh().await;
    let hook = receiver(0).await;
    let (id, _) = endpoint(&t, &hook.url(), &[EventKind::MonthClosed]).await;
    event(&t, "2027-01", Utc::now()).await;
    deliveries::deliver_due(&t.db, &sender(true), Utc::now()).await.unwrap();
    webhooks::remove(&t.db, id, "ada", Utc::now()).await.unwrap();
    assert!(webhooks::list(&t.db).await.unwrap().is_empty());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries").fetch_one(&t.db).await.unwrap();
    assert_eq!(left, 0);
    assert_eq!(events::after(&t.db, 0, 10).await.unwrap().len(), 1);
    assert!(webhooks::remove(&t.db, id, "ada", Utc::now()).await.is_err(), "gone");
}

#[tokio::test]
async fn one_instance_delivers_at_a_time() {
    let t = testing::fresh().await;
    let other = super::db::connect(&t.url).await.expect("a second pool on the same database");
    let (mut first, mut second) = (deliveries::Turn::default(), deliveries::Turn::default());
    assert!(first.take(&t.db).await);
    if Backend::of(&t.db) == Backend::Postgres {
        assert!(!second.take(&other).await, "the other instance waits");
        assert!(first.take(&t.db).await, "the holder keeps its turn");
        drop(first);
        // The lock goes with the holder's connection.
        let mut waited = 0;
        while !second.take(&other).await {
            waited += 1;
            assert!(waited < 100, "the turn passes when the holder is gone");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    } else {
        assert!(second.take(&other).await, "an SQLite file has one server");
    }
}

#[tokio::test]
async fn the_endpoint_limit_holds_when_many_are_added_at_once() {
    let t = testing::fresh().await;
    let key = Arc::new(SecretBox::from_config(&config(true)).unwrap().unwrap());
    let adds = (0..30).map(|n| {
        let (db, key) = (t.db.clone(), key.clone());
        async move {
            let form = EndpointForm {
                url: format!("https://hooks{n}.example.com/in"),
                description: String::new(),
                events: vec!["month.closed".into()],
            };
            webhooks::create(&db, &key, "ada", form.validate(false).unwrap(), Utc::now()).await.is_ok()
        }
    });
    let made = futures_util::future::join_all(adds).await.into_iter().filter(|ok| *ok).count();
    let limit = crate::domain::webhooks::MAX_ENDPOINTS as usize;
    assert_eq!(made, limit);
    assert_eq!(webhooks::list(&t.db).await.unwrap().len(), limit);
}

/// Servers reporting again after an outage: one batch of reports brings a
/// crossing and a return for many customers at once. Each event is written
/// once, in the customers' order, and each endpoint gets one delivery of
/// every event of a kind it receives.
#[tokio::test]
async fn a_batch_of_reports_writes_each_customers_events_once_with_their_deliveries() {
    use super::fixtures::customer_form;
    use super::{customers, jobs, metering};
    use crate::domain::customer::CustomerForm;
    use crate::domain::usage::UsageReport;

    let t = testing::fresh().await;
    let (crossings, _) =
        endpoint(&t, "https://psa.example.com/a", &[EventKind::LicenseThreshold, EventKind::UsageResumed]).await;
    let (limits, _) = endpoint(&t, "https://psa.example.com/b", &[EventKind::HardLimitReached]).await;
    let start = Utc::now() - Duration::days(10);
    let mut ids = Vec::new();
    for n in 0..30 {
        let form = CustomerForm {
            max_users: "10".into(),
            limit_user_creation: n % 2 == 0,
            ..customer_form(&format!("Outage {n:02}"), true, &[])
        };
        ids.push(customers::create(&t.db, "otto", &form, start).await.unwrap().id);
    }
    let now = Utc::now();
    assert_eq!(jobs::announce_silent_servers(&t.db, now).await.unwrap(), 30);
    let before = events::after(&t.db, 0, 1_000).await.unwrap().last().map(|(seq, _)| *seq).unwrap_or(0);

    // Each customer at its maximum; the first five also sent an older count
    // in the batch; the last one only a backlog (which ends no silence).
    let mut sent = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let observed_at = if n == 29 { now - Duration::days(3) } else { now - Duration::seconds(5) };
        if n < 5 {
            sent.push((
                *id,
                UsageReport {
                    report_id: format!("old-{n}"),
                    observed_at: observed_at - Duration::minutes(1),
                    users: 5,
                },
            ));
        }
        sent.push((*id, UsageReport { report_id: format!("now-{n}"), observed_at, users: 10 }));
    }
    let batch: Vec<(i64, &UsageReport)> = sent.iter().map(|(id, r)| (*id, r)).collect();
    let outcomes = metering::ingest_all(&t.db, &batch, now).await.unwrap();
    assert!(outcomes.iter().all(|o| o.as_ref().is_ok_and(|a| !a.duplicate && !a.late)), "{outcomes:?}");

    let mut expected = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        expected.push(("license.threshold", *id));
        if n % 2 == 0 {
            expected.push(("license.hard_limit_reached", *id));
        }
        if n != 29 {
            expected.push(("usage.resumed", *id));
        }
    }
    let written = events::after(&t.db, before, 1_000).await.unwrap();
    let told: Vec<(&str, i64)> = written.iter().map(|(_, e)| (e.kind.as_str(), e.customer_id.unwrap_or(0))).collect();
    assert_eq!(told, expected, "each customer's events once, in the customers' order");
    assert!(written.iter().all(|(_, e)| e.data["customer"]["id"].as_i64() == e.customer_id));

    let deliveries: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT event_seq, endpoint_id FROM deliveries WHERE event_seq > $1 ORDER BY event_seq, endpoint_id",
    )
    .bind(before)
    .fetch_all(&t.db)
    .await
    .unwrap();
    let wanted: Vec<(i64, i64)> = written
        .iter()
        .map(|(seq, e)| (*seq, if e.kind == "license.hard_limit_reached" { limits } else { crossings }))
        .collect();
    assert_eq!(deliveries, wanted, "one delivery per event and endpoint that receives its kind");

    // The same batch again changes nothing; new reports at the same level
    // cross nothing, and the fresh one ends the last customer's silence.
    metering::ingest_all(&t.db, &batch, now).await.unwrap();
    let again: Vec<(i64, UsageReport)> = ids
        .iter()
        .map(|id| (*id, UsageReport { report_id: format!("later-{id}"), observed_at: now, users: 10 }))
        .collect();
    let again: Vec<(i64, &UsageReport)> = again.iter().map(|(id, r)| (*id, r)).collect();
    metering::ingest_all(&t.db, &again, now).await.unwrap();
    let told: Vec<(String, Option<i64>)> = events::after(&t.db, before, 1_000)
        .await
        .unwrap()
        .into_iter()
        .skip(expected.len())
        .map(|(_, e)| (e.kind, e.customer_id))
        .collect();
    assert_eq!(told, [("usage.resumed".to_owned(), Some(ids[29]))]);
}
