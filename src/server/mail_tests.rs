//! Alert mails through a real SMTP server on loopback (aiosmtpd from PyPI,
//! `.ci/smtp_receiver.py`, run with `$MSP_TEST_PYTHON`): STARTTLS and TLS
//! verified against the receiver's own authority, a password, retries
//! after "try again later", a permanent refusal, the daily digest once a
//! day, who receives what (choices, role defaults, disabled accounts), the
//! recipient's language, a test mail and sending again.

use std::path::PathBuf;
use std::process::Stdio;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tokio::io::AsyncBufReadExt;

use super::config::Config;
use super::customers;
use super::db::begin_write;
use super::db::testing::{self, TestDb};
use super::events::{self, Event};
use super::fixtures::customer_form;
use super::mail::{self, Mailer};
use super::secret_box::SecretBox;
use crate::domain::events::EventKind;
use crate::domain::mail::{ChoicesForm, SmtpForm, DIGEST_LISTED};
use crate::views::alerts::DeliveryState;

/// A running receiver: its port and the folder it keeps mails in.
struct Receiver {
    port: u16,
    folder: tempdir::Folder,
    _process: tokio::process::Child,
}

mod tempdir {
    /// A folder removed when dropped.
    pub struct Folder(pub std::path::PathBuf);

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

async fn receiver(options: &[&str]) -> Receiver {
    let python = std::env::var("MSP_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("MSP_TEST_PYTHON must name a Python with aiosmtpd (the README's test command sets it up)")
    });
    let folder = std::env::temp_dir().join(format!("msp-mail-{}", rand::random::<u64>()));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/smtp_receiver.py");
    let mut process = tokio::process::Command::new(python)
        .arg(script)
        .arg(&folder)
        .args(options)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the mail receiver starts");
    let mut lines = tokio::io::BufReader::new(process.stdout.take().unwrap()).lines();
    let port = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("the receiver says its port")
        .unwrap()
        .expect("a port")
        .parse()
        .unwrap();
    Receiver { port, folder: tempdir::Folder(folder), _process: process }
}

impl Receiver {
    /// The mails kept, in order.
    fn got(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.folder.0)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    fn ca(&self) -> String {
        self.folder.0.join("ca.pem").to_string_lossy().into_owned()
    }
}

fn config(ca: Option<String>) -> Config {
    let mut config = Config::for_database("unused");
    config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode([6u8; 32]).parse().unwrap());
    config.public_url = Some("https://console.example.com".into());
    config.smtp_ca_file = ca;
    config
}

async fn set_up_smtp(t: &TestDb, config: &Config, host: &str, port: u16, security: &str, user: &str) {
    let form = SmtpForm {
        host: host.into(),
        port: port.to_string(),
        security: security.into(),
        username: user.into(),
        password: (!user.is_empty()).then(|| "mail-pass".into()),
        from: "console@example.com".into(),
    };
    let valid = form.validate(false).unwrap();
    let key = SecretBox::from_config(config).unwrap();
    mail::save_settings(&t.db, key.as_ref(), "admin", valid, Utc::now()).await.unwrap();
}

/// A staff member with an alert address (and optionally their own choice).
async fn staff(t: &TestDb, name: &str, role: &str, language: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO staff (username, password_hash, role, created_at, language, alert_email) \
         VALUES ($1, 'x', $2, '2027-01-01T00:00:00Z', $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(role)
    .bind(language)
    .bind(format!("{name}@example.com"))
    .fetch_one(&t.db)
    .await
    .unwrap()
}

async fn choose(t: &TestDb, staff_id: i64, digest: bool, events: &[&str]) {
    let form = ChoicesForm {
        email: sqlx::query_scalar::<_, String>("SELECT alert_email FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_one(&t.db)
            .await
            .unwrap(),
        digest,
        events: events.iter().map(|e| e.to_string()).collect(),
    };
    mail::save_choices(&t.db, staff_id, "someone", form.validate().unwrap(), Utc::now()).await.unwrap();
}

/// A customer named `customer` and an event of its license reaching 80 %;
/// returns the customer's id.
async fn threshold(t: &TestDb, customer: &str, at: DateTime<Utc>) -> i64 {
    let id = customers::create(&t.db, "otto", &customer_form(customer, true, &[]), at).await.unwrap().id;
    let mut tx = begin_write(&t.db).await.unwrap();
    let event = Event {
        kind: EventKind::LicenseThreshold,
        customer: Some((id, customer.into())),
        data: serde_json::json!({ "percent": 80, "users": 8, "max_users": 10, "hard_limit": false }),
        cause: None,
    };
    events::record(&mut tx, event, at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn states(t: &TestDb) -> Vec<(String, String, i64)> {
    sqlx::query_as("SELECT recipient, state, attempts FROM mails ORDER BY id").fetch_all(&t.db).await.unwrap()
}

#[tokio::test]
async fn a_mail_per_event_goes_over_starttls_with_a_password_and_says_what_happened() {
    let t = testing::fresh().await;
    let rx = receiver(&["--tls", "starttls", "--auth", "alerts:mail-pass"]).await;
    let config = config(Some(rx.ca()));
    set_up_smtp(&t, &config, "127.0.0.1", rx.port, "starttls", "alerts").await;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password FROM smtp_settings").fetch_one(&t.db).await.unwrap();
    assert!(!stored.unwrap().contains("mail-pass"), "stored sealed");
    assert!(mail::settings(&t.db).await.unwrap().unwrap().has_password);
    let admin = staff(&t, "ada", "admin", None).await;
    let mailer = Mailer::new(&config);
    let now = Utc::now();

    let mut tx = begin_write(&t.db).await.unwrap();
    let rolled_back = Event {
        kind: EventKind::LicenseThreshold,
        customer: None,
        data: serde_json::json!({ "percent": 80, "users": 8, "max_users": 10, "note": "Rolled Back" }),
        cause: None,
    };
    events::record(&mut tx, rolled_back, now).await.unwrap();
    tx.rollback().await.unwrap();
    let acme = threshold(&t, "Acme GmbH", now).await;
    assert_eq!(states(&t).await, [("ada@example.com".to_owned(), "pending".to_owned(), 0)], "one mail, not two");

    let queue = super::deliveries::queue(&t.db).await.unwrap();
    let oldest = queue.oldest.map(|at| at.timestamp());
    assert_eq!((queue.waiting, oldest), (1, Some(now.timestamp())), "the status page counts it");
    assert_eq!(mail::send_due(&t.db, &mailer, now).await.unwrap(), 1);
    assert_eq!(super::deliveries::queue(&t.db).await.unwrap().waiting, 0);
    let got = rx.got();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["ada@example.com"]));
    assert_eq!((got[0]["tls"].as_bool(), got[0]["authenticated"].as_bool()), (Some(true), Some(true)));
    let data = got[0]["data"].as_str().unwrap();
    assert!(data.contains("Subject: Acme GmbH uses 80 % of its license: 8 of 10 users"), "{data}");
    assert!(data.contains(&format!("https://console.example.com/customers/{acme}")), "{data}");
    assert!(!data.contains("Rolled Back"));
    let log = mail::log(&t.db, 10).await.unwrap();
    assert_eq!(log[0].state, DeliveryState::Delivered);
    assert_eq!(log[0].event_kind, "license.threshold");
    assert!(log[0].attempts[0].reply.starts_with("250"), "{:?}", log[0].attempts);
    assert_eq!(mail::send_due(&t.db, &mailer, now).await.unwrap(), 0, "sent once");
    let mine = mail::choices(&t.db, admin, crate::domain::role::Role::Admin).await.unwrap();
    assert_eq!((mine.email.as_str(), mine.defaults), ("ada@example.com", true));
}

#[tokio::test]
async fn tls_from_the_first_byte_and_an_unknown_authority_refused() {
    let t = testing::fresh().await;
    let rx = receiver(&["--tls", "wrapper"]).await;
    set_up_smtp(&t, &config(None), "127.0.0.1", rx.port, "tls", "").await;
    staff(&t, "ada", "admin", None).await;
    let now = Utc::now();
    threshold(&t, "Acme GmbH", now).await;
    let untrusting = Mailer::new(&config(None));
    mail::send_due(&t.db, &untrusting, now).await.unwrap();
    assert!(rx.got().is_empty(), "a certificate from an unknown authority is not trusted");
    let log = mail::log(&t.db, 10).await.unwrap();
    assert_eq!(log[0].state, DeliveryState::Pending);
    assert!(log[0].attempts[0].reply.to_lowercase().contains("certificate"), "{:?}", log[0].attempts);

    let trusting = Mailer::new(&config(Some(rx.ca())));
    mail::send_due(&t.db, &trusting, now + Duration::seconds(15)).await.unwrap();
    assert_eq!(rx.got().len(), 1);
    assert_eq!(rx.got()[0]["tls"], true);
}

#[tokio::test]
async fn a_mail_is_tried_again_until_the_server_takes_it_and_a_refusal_ends_it() {
    let t = testing::fresh().await;
    let rx = receiver(&["--fail-first", "2"]).await;
    let config = config(None);
    set_up_smtp(&t, &config, "127.0.0.1", rx.port, "none", "").await;
    staff(&t, "ada", "admin", None).await;
    let mailer = Mailer::new(&config);
    let start = Utc::now();
    threshold(&t, "Acme GmbH", start).await;
    mail::send_due(&t.db, &mailer, start).await.unwrap();
    assert_eq!(mail::send_due(&t.db, &mailer, start + Duration::seconds(14)).await.unwrap(), 0, "not yet due");
    mail::send_due(&t.db, &mailer, start + Duration::seconds(15)).await.unwrap();
    assert_eq!(states(&t).await[0].1, "pending");
    mail::send_due(&t.db, &mailer, start + Duration::seconds(45)).await.unwrap();
    assert_eq!(states(&t).await[0], ("ada@example.com".to_owned(), "delivered".to_owned(), 3));
    assert_eq!(rx.got().len(), 1, "kept once");
    let log = mail::log(&t.db, 10).await.unwrap();
    let replies: Vec<&str> = log[0].attempts.iter().map(|a| a.reply.as_str()).collect();
    assert!(replies[1].contains("451") && replies[2].contains("451"), "{replies:?}");

    let refusing = receiver(&["--refuse-recipients"]).await;
    set_up_smtp(&t, &config, "127.0.0.1", refusing.port, "none", "").await;
    threshold(&t, "Beta AG", start).await;
    mail::send_due(&t.db, &mailer, start + Duration::seconds(50)).await.unwrap();
    assert_eq!(states(&t).await[1], ("ada@example.com".to_owned(), "failed".to_owned(), 1), "550 ends it at once");
    let again = mail::redeliver(&t.db, log[0].id + 1, "ada", start + Duration::seconds(60)).await.unwrap();
    assert_eq!(again.state, DeliveryState::Pending, "sent again by hand");
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'mail.%' ORDER BY id")
            .fetch_all(&t.db)
            .await
            .unwrap();
    assert_eq!(audited, ["mail.settings_changed", "mail.settings_changed", "mail.redelivered"]);
}

#[tokio::test]
async fn who_gets_what_by_choice_role_and_state_in_their_language() {
    let t = testing::fresh().await;
    let rx = receiver(&[]).await;
    let config = config(None);
    let now = Utc::now();
    let admin = staff(&t, "ada", "admin", Some("de")).await;
    let operator = staff(&t, "otto", "operator", None).await;
    let viewer = staff(&t, "vera", "viewer", None).await;
    let gone = staff(&t, "gus", "admin", None).await;
    sqlx::query("UPDATE staff SET disabled = TRUE WHERE id = $1").bind(gone).execute(&t.db).await.unwrap();
    threshold(&t, "Before Setup", now).await;
    assert!(states(&t).await.is_empty(), "nothing is queued without a mail server");

    set_up_smtp(&t, &config, "127.0.0.1", rx.port, "none", "").await;
    let mut tx = begin_write(&t.db).await.unwrap();
    let locked = Event {
        kind: EventKind::StaffLockedOut,
        customer: None,
        data: serde_json::json!({ "username": "jo", "address": "192.0.2.1", "failures": 10 }),
        cause: None,
    };
    events::record(&mut tx, locked, now).await.unwrap();
    tx.commit().await.unwrap();
    let to: Vec<String> = states(&t).await.into_iter().map(|s| s.0).collect();
    assert_eq!(to, ["ada@example.com"], "admins by default; not operators, viewers or disabled accounts");

    choose(&t, viewer, false, &["license.threshold"]).await;
    choose(&t, operator, false, &["usage.silent"]).await;
    threshold(&t, "Acme GmbH", now).await;
    let to: Vec<String> = states(&t).await.into_iter().skip(1).map(|s| s.0).collect();
    assert_eq!(to, ["ada@example.com", "vera@example.com"], "the viewer chose it, the operator chose otherwise");
    let chosen = mail::choices(&t.db, viewer, crate::domain::role::Role::Viewer).await.unwrap();
    assert_eq!((chosen.defaults, chosen.events.as_slice()), (false, ["license.threshold".to_owned()].as_slice()));
    assert!(mail::choices(&t.db, admin, crate::domain::role::Role::Admin).await.unwrap().defaults);

    mail::send_due(&t.db, &Mailer::new(&config), now).await.unwrap();
    let got = rx.got();
    assert_eq!(got.len(), 3);
    let german =
        got.iter().find(|m| m["rcpt_tos"][0] == "ada@example.com" && m["data"].as_str().unwrap().contains("Acme"));
    let german = german.unwrap()["data"].as_str().unwrap();
    assert!(german.contains("Acme GmbH nutzt 80"), "in the recipient's language: {german}");
}

/// A console with a mail server (a receiver on loopback, unencrypted) and
/// ada, an admin who chose a daily digest of license thresholds; ada's id.
async fn digest_reader() -> (TestDb, Receiver, Config, i64) {
    let t = testing::fresh().await;
    let rx = receiver(&[]).await;
    let config = config(None);
    set_up_smtp(&t, &config, "127.0.0.1", rx.port, "none", "").await;
    let ada = staff(&t, "ada", "admin", None).await;
    choose(&t, ada, true, &["license.threshold"]).await;
    (t, rx, config, ada)
}

#[tokio::test]
async fn a_digest_goes_once_a_day_after_seven_with_every_event_waiting() {
    let (t, rx, config, ada) = digest_reader().await;
    sqlx::query("UPDATE staff SET time_zone = 'Europe/Berlin' WHERE id = $1").bind(ada).execute(&t.db).await.unwrap();
    let early: DateTime<Utc> = "2027-03-02T05:30:00Z".parse().unwrap(); // 06:30 in Berlin
    for name in ["Acme GmbH", "Beta AG", "Gamma KG"] {
        threshold(&t, name, early - Duration::hours(3)).await;
    }
    assert!(states(&t).await.is_empty(), "waiting for the digest");
    assert_eq!(mail::make_digests(&t.db, early).await.unwrap(), 0, "not before seven");
    let seven = early + Duration::minutes(35);
    assert_eq!(mail::make_digests(&t.db, seven).await.unwrap(), 1);
    assert_eq!(mail::make_digests(&t.db, seven + Duration::hours(3)).await.unwrap(), 0, "once a day");
    mail::send_due(&t.db, &Mailer::new(&config), seven).await.unwrap();
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let data = got[0]["data"].as_str().unwrap();
    assert!(data.contains("Subject: 3 alerts since the last digest"), "{data}");
    for name in ["Acme GmbH", "Beta AG", "Gamma KG"] {
        assert!(data.contains(name), "{name} in {data}");
    }
    threshold(&t, "Delta SE", seven + Duration::hours(1)).await;
    assert_eq!(mail::make_digests(&t.db, seven + Duration::hours(2)).await.unwrap(), 0, "tomorrow's");
    assert_eq!(mail::make_digests(&t.db, seven + Duration::hours(24)).await.unwrap(), 1);
}

#[tokio::test]
async fn a_digest_of_many_events_lists_the_first_two_hundred_and_counts_the_rest() {
    let (t, rx, config, _) = digest_reader().await;
    let at: DateTime<Utc> = "2027-03-02T03:00:00Z".parse().unwrap();
    let id = customers::create(&t.db, "otto", &customer_form("Acme GmbH", true, &[]), at).await.unwrap().id;
    let events = DIGEST_LISTED + 30;
    let mut tx = begin_write(&t.db).await.unwrap();
    for users in 1..=events {
        let event = Event {
            kind: EventKind::LicenseThreshold,
            customer: Some((id, "Acme GmbH".into())),
            data: serde_json::json!({ "percent": 80, "users": users, "max_users": 1000, "hard_limit": false }),
            cause: None,
        };
        events::record(&mut tx, event, at).await.unwrap();
    }
    tx.commit().await.unwrap();
    let seven = at + Duration::hours(5);
    assert_eq!(mail::make_digests(&t.db, seven).await.unwrap(), 1);
    mail::send_due(&t.db, &Mailer::new(&config), seven).await.unwrap();
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let data = got[0]["data"].as_str().unwrap();
    assert!(data.contains(&format!("Subject: {events} alerts since the last digest")), "{data}");
    let text = got[0]["text"].as_str().unwrap();
    let listed = |users: usize| text.contains(&format!(": {users} of 1,000 users."));
    assert!((1..=DIGEST_LISTED).all(listed), "the oldest {DIGEST_LISTED} are listed: {text}");
    assert!(!(DIGEST_LISTED + 1..=events).any(listed), "the rest are not");
    assert!(text.contains("… and 30 more, not listed here to keep this mail short."), "{text}");
}

#[tokio::test]
async fn a_test_mail_goes_at_once_and_needs_a_server() {
    let t = testing::fresh().await;
    let config = config(None);
    let mailer = Mailer::new(&config);
    let refused = mail::send_test(&t.db, &mailer, "ops@example.com", "ada", Utc::now()).await;
    assert!(refused.is_err(), "no mail server yet");
    let rx = receiver(&[]).await;
    set_up_smtp(&t, &config, "localhost", rx.port, "none", "").await;
    let sent = mail::send_test(&t.db, &mailer, "ops@example.com", "ada", Utc::now()).await.unwrap();
    assert_eq!(sent.state, DeliveryState::Delivered, "{:?}", sent.attempts);
    let got = rx.got();
    assert_eq!(got[0]["rcpt_tos"], serde_json::json!(["ops@example.com"]));
    assert!(got[0]["data"].as_str().unwrap().contains("sent by ada"));
    assert_eq!(mail::send_due(&t.db, &mailer, Utc::now() + Duration::hours(2)).await.unwrap(), 0, "not sent twice");
}
