//! Alert mails: the SMTP server's settings, each staff member's choice of
//! events, the queue and the sending.
//!
//! - A mail per event is written in the event's transaction ([`fan_out`]),
//!   like a webhook delivery; for recipients who chose a daily digest the
//!   event waits in `digest_waiting` until the job pass makes the day's
//!   digest ([`make_digests`]). Nothing is queued while no SMTP server is
//!   set up.
//! - A mail goes to the address, and in the language, its recipient had
//!   when it was made, in their time zone.
//! - Attempts are retried like webhook deliveries (15 s doubling to 4 h,
//!   for a day); an SMTP server's permanent refusal (5xx) ends a mail at
//!   once. Every attempt is kept with the server's reply.
//! - The host is resolved by us; a link-local or metadata address is never
//!   connected to (private ones are: relays are often on the same network),
//!   and the connection goes to the address we checked. TLS is verified
//!   against the web's roots and those of `MSP_SMTP_CA_FILE`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::audit;
use super::config::Config;
use super::db::{begin_write, Db, Flag, Time, WriteTx};
use super::error::Result;
use super::events::StoredEvent;
use super::mail_text::{self, Reader};
use super::secret_box::SecretBox;
use crate::domain::events::EventKind;
use crate::domain::locale::Language;
use crate::domain::mail::{default_events, digest_due, Security, ValidChoices, ValidSmtp, DIGEST_LISTED};
use crate::domain::message::Message;
use crate::domain::role::Role;
use crate::domain::webhooks::{address_allowed, next_attempt};
use crate::error::AppError;
use crate::views::alerts::{AlertChoices, Attempt, DeliveryState, Mail, SmtpSettings};

/// How long one mail may take, connection included.
pub const TIMEOUT_SECS: u64 = 10;

/// The most mails sent per round.
pub const BATCH: i64 = 16;

/// The longest reply kept in the log.
const REPLY_MAX_CHARS: usize = 200;

fn cut(text: &str) -> String {
    text.chars().take(REPLY_MAX_CHARS).collect()
}

type SettingsRow = (String, i64, String, String, Option<String>, String, Time, String);

/// The stored SMTP settings (with the sealed password).
struct Stored {
    host: String,
    port: u16,
    security: Security,
    username: String,
    password: Option<String>,
    from: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

async fn stored(db: impl sqlx::AnyExecutor<'_>) -> Result<Option<Stored>> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT host, port, security, username, password, from_address, updated_at, updated_by \
         FROM smtp_settings WHERE id = 1",
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(host, port, security, username, password, from, Time(updated_at), updated_by)| Stored {
        host,
        port: u16::try_from(port).unwrap_or(25),
        security: Security::parse(&security).unwrap_or(Security::StartTls),
        username,
        password,
        from,
        updated_at,
        updated_by,
    }))
}

/// The SMTP settings as the page shows them (never the password).
pub async fn settings(db: &Db) -> Result<Option<SmtpSettings>> {
    Ok(stored(db).await?.map(|s| SmtpSettings {
        host: s.host,
        port: s.port,
        security: s.security.name().to_owned(),
        username: s.username,
        has_password: s.password.is_some(),
        from: s.from,
        updated_at: s.updated_at,
        updated_by: s.updated_by,
    }))
}

/// Saves the SMTP settings; a new password is sealed with `key` (needed
/// then), none keeps the stored one, and no user name drops it.
pub async fn save_settings(
    db: &Db,
    key: Option<&SecretBox>,
    actor: &str,
    valid: ValidSmtp,
    now: DateTime<Utc>,
) -> Result<SmtpSettings> {
    let sealed = match (&valid.password, key) {
        (Some(password), Some(key)) => Some(key.seal(password.as_bytes())),
        (Some(_), None) => return Err(AppError::conflict(Message::SecretKeyMissing).into()),
        (None, _) => None,
    };
    let mut tx = begin_write(db).await?;
    let keep: Option<String> = match sealed {
        Some(sealed) => Some(sealed),
        None => stored(&mut *tx).await?.and_then(|s| s.password),
    };
    let password = if valid.username.is_empty() { None } else { keep };
    sqlx::query(
        "INSERT INTO smtp_settings (id, host, port, security, username, password, from_address, updated_at, updated_by) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET host = excluded.host, \
         port = excluded.port, security = excluded.security, username = excluded.username, \
         password = excluded.password, from_address = excluded.from_address, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(&valid.host)
    .bind(i64::from(valid.port))
    .bind(valid.security.name())
    .bind(&valid.username)
    .bind(password)
    .bind(&valid.from)
    .bind(Time(now))
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "{}:{} {} from {}{}",
        valid.host,
        valid.port,
        valid.security.name(),
        valid.from,
        if valid.password.is_some() { ", new password" } else { "" }
    );
    audit::record(&mut tx, actor, "mail.settings_changed", "mail", &detail, now).await?;
    tx.commit().await?;
    settings(db).await?.ok_or_else(|| AppError::Internal.into())
}

/// Removes the SMTP settings: no more mails are queued; those queued wait
/// until a server is set up again (or their day of retries ends).
pub async fn remove_settings(db: &Db, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let removed = sqlx::query("DELETE FROM smtp_settings WHERE id = 1").execute(&mut *tx).await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound.into());
    }
    audit::record(&mut tx, actor, "mail.settings_removed", "mail", "", now).await?;
    tx.commit().await?;
    Ok(())
}

/// A staff member's alert mails: their address, digest, and the events
/// they chose (their role's defaults until they choose).
pub async fn choices(db: &Db, staff_id: i64, role: Role) -> Result<AlertChoices> {
    let (email, Flag(digest), Flag(chosen)): (Option<String>, Flag, Flag) = sqlx::query_as(
        "SELECT alert_email, CAST(alert_digest AS INTEGER), CAST(alerts_chosen AS INTEGER) FROM staff WHERE id = $1",
    )
    .bind(staff_id)
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)?;
    let events = if chosen {
        let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM staff_alert_events WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_all(db)
            .await?;
        EventKind::ALL.into_iter().filter(|k| kinds.iter().any(|n| n == k.name())).collect()
    } else {
        default_events(role)
    };
    Ok(AlertChoices {
        email: email.unwrap_or_default(),
        digest,
        events: events.into_iter().map(|k| k.name().to_owned()).collect(),
        defaults: !chosen,
    })
}

/// Saves a staff member's own choice (audited as theirs).
pub async fn save_choices(db: &Db, staff_id: i64, actor: &str, valid: ValidChoices, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    sqlx::query("UPDATE staff SET alert_email = $1, alert_digest = $2, alerts_chosen = TRUE WHERE id = $3")
        .bind(valid.email.as_deref())
        .bind(valid.digest)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM staff_alert_events WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    for kind in &valid.events {
        sqlx::query("INSERT INTO staff_alert_events (staff_id, kind) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(kind.name())
            .execute(&mut *tx)
            .await?;
    }
    if !valid.digest {
        // Events waiting for a digest the reader no longer wants are dropped.
        sqlx::query("DELETE FROM digest_waiting WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    }
    let detail = format!(
        "{} event kinds, {}{}",
        valid.events.len(),
        if valid.digest { "daily digest" } else { "one mail per event" },
        if valid.email.is_none() { ", no address" } else { "" }
    );
    audit::record(&mut tx, actor, "mail.choices_changed", &format!("staff:{staff_id}"), &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The recipients of events of each of `kinds` and how: (staff id, digest).
async fn recipients(
    tx: &mut WriteTx,
    kinds: &[EventKind],
) -> std::result::Result<HashMap<EventKind, Vec<(i64, bool)>>, sqlx::Error> {
    let mut found = HashMap::new();
    let staff: Vec<(i64, String, Flag, Flag)> = sqlx::query_as(
        "SELECT s.id, s.role, CAST(s.alert_digest AS INTEGER), CAST(s.alerts_chosen AS INTEGER) FROM staff s \
         WHERE s.alert_email IS NOT NULL AND s.disabled = FALSE AND EXISTS (SELECT 1 FROM smtp_settings)",
    )
    .fetch_all(&mut **tx)
    .await?;
    if staff.is_empty() {
        return Ok(found);
    }
    for &kind in kinds {
        let chose: Vec<i64> = sqlx::query_scalar("SELECT staff_id FROM staff_alert_events WHERE kind = $1")
            .bind(kind.name())
            .fetch_all(&mut **tx)
            .await?;
        let receive = staff
            .iter()
            .filter(|(id, role, _, Flag(chosen))| match chosen {
                true => chose.contains(id),
                false => Role::parse(role).is_ok_and(|role| default_events(role).contains(&kind)),
            })
            .map(|(id, _, Flag(digest), _)| (*id, *digest))
            .collect();
        found.insert(kind, receive);
    }
    Ok(found)
}

/// Queues each written event (position, kind, time) for everyone who
/// receives its kind: a mail now, or a place in their next digest; in the
/// events' transaction.
pub(super) async fn fan_out(
    tx: &mut WriteTx,
    written: &[(i64, &str, DateTime<Utc>)],
) -> std::result::Result<(), sqlx::Error> {
    let mut kinds: Vec<EventKind> = written.iter().filter_map(|(_, kind, _)| EventKind::from_name(kind)).collect();
    kinds.sort_by_key(|kind| kind.name());
    kinds.dedup();
    if kinds.is_empty() {
        return Ok(());
    }
    let recipients = recipients(tx, &kinds).await?;
    for &(seq, kind, at) in written {
        let Some(receive) = EventKind::from_name(kind).and_then(|kind| recipients.get(&kind)) else { continue };
        for &(staff_id, digest) in receive {
            if digest {
                sqlx::query("INSERT INTO digest_waiting (staff_id, event_seq) VALUES ($1, $2)")
                    .bind(staff_id)
                    .bind(seq)
                    .execute(&mut **tx)
                    .await?;
            } else {
                let mail_id = queue(tx, staff_id, "event", at, at).await?;
                sqlx::query("INSERT INTO mail_events (mail_id, event_seq) VALUES ($1, $2)")
                    .bind(mail_id)
                    .bind(seq)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(())
}

/// A new mail to a staff member's alert address in their language, due
/// at `due`.
async fn queue(
    tx: &mut WriteTx,
    staff_id: i64,
    kind: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> std::result::Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO mails (staff_id, recipient, language, kind, state, attempts, next_attempt_at, retry_from, created_at) \
         SELECT id, alert_email, COALESCE(language, 'en'), $1, 'pending', 0, $2, $3, $3 FROM staff WHERE id = $4 \
         RETURNING id",
    )
    .bind(kind)
    .bind(Time(due))
    .bind(Time(now))
    .bind(staff_id)
    .fetch_one(&mut **tx)
    .await
}

/// Makes the digests due at `now`: for everyone with events waiting whose
/// local clock has passed [`crate::domain::mail::DIGEST_HOUR`] on a day
/// without one, one mail with those events. A day's digest is claimed by
/// a conditional update, so two instances make it once.
pub async fn make_digests(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    let waiting: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT s.id, s.time_zone, s.digest_sent_on FROM staff s WHERE s.alert_digest = TRUE \
         AND EXISTS (SELECT 1 FROM digest_waiting w WHERE w.staff_id = s.id)",
    )
    .fetch_all(db)
    .await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let billing_zone = super::billing::settings(db).await?.time_zone;
    let mut made = 0;
    for (staff_id, zone, sent_on) in waiting {
        let zone = super::time_zones::rules(zone.as_deref().unwrap_or(&billing_zone));
        let local = zone.local(now).0;
        let sent_on = sent_on.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        if !digest_due(local, sent_on) {
            continue;
        }
        let today = local.date().format("%Y-%m-%d").to_string();
        let mut tx = begin_write(db).await?;
        let claimed = sqlx::query(
            "UPDATE staff SET digest_sent_on = $1 WHERE id = $2 AND (digest_sent_on IS NULL OR digest_sent_on < $1)",
        )
        .bind(&today)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        let mail_id = queue(&mut tx, staff_id, "digest", now, now).await?;
        sqlx::query(
            "INSERT INTO mail_events (mail_id, event_seq) SELECT $1, event_seq FROM digest_waiting WHERE staff_id = $2",
        )
        .bind(mail_id)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM digest_waiting WHERE staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        tx.commit().await?;
        made += 1;
    }
    Ok(made)
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub reply: String,
    pub succeeded: bool,
    /// The server refused for good (5xx): no retry.
    pub permanent: bool,
}

impl Outcome {
    fn refused(reply: &str) -> Self {
        Outcome { reply: cut(reply), succeeded: false, permanent: false }
    }
}

/// Sends mails: the key that opens the SMTP password and the extra roots
/// TLS trusts.
pub struct Mailer {
    key: Option<SecretBox>,
    roots: Vec<Certificate>,
    public_url: Option<String>,
    hello: String,
}

impl Mailer {
    pub fn new(config: &Config) -> Self {
        let key = SecretBox::from_config(config).ok().flatten();
        let roots = match &config.smtp_ca_file {
            Some(path) => match std::fs::read(path) {
                Ok(pem) => match Certificate::from_pem(&pem) {
                    Ok(root) => vec![root],
                    Err(error) => {
                        tracing::error!(%error, path, "MSP_SMTP_CA_FILE holds no PEM certificate; it is not trusted");
                        Vec::new()
                    }
                },
                Err(error) => {
                    tracing::error!(%error, path, "cannot read MSP_SMTP_CA_FILE");
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let public_url = config.public_url.as_ref().map(|url| url.trim_end_matches('/').to_owned());
        let hello = public_url
            .as_deref()
            .and_then(|url| url::Url::parse(url).ok())
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        Mailer { key, roots, public_url, hello }
    }

    /// A transport to the SMTP server at an address we checked.
    async fn transport(&self, s: &Stored) -> std::result::Result<AsyncSmtpTransport<Tokio1Executor>, String> {
        let mut found: Vec<SocketAddr> = tokio::net::lookup_host((s.host.as_str(), s.port))
            .await
            .map_err(|e| format!("not sent: cannot resolve {}: {e}", s.host))?
            .collect();
        // One address is connected to: IPv4 first (a relay on "localhost"
        // often listens on 127.0.0.1 only).
        found.sort_by_key(|a| !a.is_ipv4());
        if let Some(refused) = found.iter().find(|a| !address_allowed(a.ip(), true)) {
            return Err(format!("not sent: {} resolves to {}, where mail may not go", s.host, refused.ip()));
        }
        let address = found.first().ok_or_else(|| format!("not sent: {} has no address", s.host))?;
        let tls = || {
            let mut params = TlsParameters::builder(s.host.clone());
            for root in &self.roots {
                params = params.add_root_certificate(root.clone());
            }
            params.build_rustls().map_err(|e| format!("not sent: TLS: {e}"))
        };
        let tls = match s.security {
            Security::StartTls => Tls::Required(tls()?),
            Security::Tls => Tls::Wrapper(tls()?),
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.ip().to_string())
            .port(s.port)
            .tls(tls)
            .hello_name(ClientId::Domain(self.hello.clone()))
            .timeout(Some(Duration::from_secs(TIMEOUT_SECS)));
        if !s.username.is_empty() {
            let sealed = s.password.as_deref().ok_or("not sent: no password is stored for the user name")?;
            let key = self.key.as_ref().ok_or("not sent: no MSP_SECRET_KEY to open the SMTP password")?;
            let password = key
                .open(sealed)
                .ok()
                .and_then(|p| String::from_utf8(p).ok())
                .ok_or("not sent: the SMTP password does not open with MSP_SECRET_KEY")?;
            builder = builder.credentials(Credentials::new(s.username.clone(), password));
        }
        Ok(builder.build())
    }

    /// One attempt of one mail, with the whole conversation bounded.
    async fn send(
        &self,
        transport: &AsyncSmtpTransport<Tokio1Executor>,
        from: &str,
        due: &DueMail,
        subject: &str,
        body: String,
    ) -> Outcome {
        let (Ok(from), Ok(to)) = (from.parse::<Mailbox>(), due.recipient.parse::<Mailbox>()) else {
            return Outcome { reply: "not sent: an address is not valid".into(), succeeded: false, permanent: true };
        };
        let message = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<mail-{}.{}@{}>", due.mail_id, due.created_at.timestamp(), self.hello)))
            .header(ContentType::TEXT_PLAIN)
            .body(body);
        let message = match message {
            Ok(message) => message,
            Err(error) => return Outcome::refused(&format!("not sent: {error}")),
        };
        let sent = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS * 3), transport.send(message)).await;
        match sent {
            Ok(Ok(response)) => {
                let words: Vec<&str> = response.message().collect();
                Outcome {
                    reply: cut(&format!("{} {}", response.code(), words.join(" "))),
                    succeeded: true,
                    permanent: false,
                }
            }
            Ok(Err(error)) => {
                let mut text = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    text.push_str(": ");
                    text.push_str(&cause.to_string());
                    source = cause.source();
                }
                Outcome { reply: cut(&text), succeeded: false, permanent: error.is_permanent() }
            }
            Err(_) => Outcome::refused(&format!("no answer within {} s", TIMEOUT_SECS * 3)),
        }
    }
}

/// A mail due for an attempt.
#[derive(Clone, Debug)]
pub struct DueMail {
    pub mail_id: i64,
    pub recipient: String,
    pub language: String,
    pub kind: String,
    pub retry_from: DateTime<Utc>,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub time_zone: Option<String>,
}

type DueRow = (i64, String, String, String, Time, i64, Time, Option<String>);

const DUE_SELECT: &str = "SELECT m.id, m.recipient, m.language, m.kind, m.retry_from, m.attempts, m.created_at, \
     s.time_zone FROM mails m LEFT JOIN staff s ON s.id = m.staff_id";

fn due((mail_id, recipient, language, kind, retry_from, attempts, created_at, time_zone): DueRow) -> DueMail {
    DueMail {
        mail_id,
        recipient,
        language,
        kind,
        retry_from: retry_from.0,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        created_at: created_at.0,
        time_zone,
    }
}

/// A mail's first [`DIGEST_LISTED`] events, oldest first, and how many it
/// has.
async fn events_of(db: &Db, mail_id: i64) -> Result<(Vec<StoredEvent>, usize)> {
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM mail_events WHERE mail_id = $1").bind(mail_id).fetch_one(db).await?;
    let rows: Vec<(String, String, Time, Option<i64>, String)> = sqlx::query_as(
        "SELECT e.id, e.kind, e.occurred_at, e.customer_id, e.data FROM mail_events me \
         JOIN events e ON e.seq = me.event_seq WHERE me.mail_id = $1 ORDER BY e.seq LIMIT $2",
    )
    .bind(mail_id)
    .bind(DIGEST_LISTED as i64)
    .fetch_all(db)
    .await?;
    let listed = rows
        .into_iter()
        .map(|(id, kind, Time(occurred_at), customer_id, data)| StoredEvent {
            id,
            kind,
            occurred_at,
            customer_id,
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok((listed, usize::try_from(total).unwrap_or(0)))
}

/// The subject and body of a mail, for its recipient.
async fn compose(db: &Db, mailer: &Mailer, due: &DueMail, requested_by: &str) -> Result<(String, String)> {
    let (events, total) = events_of(db, due.mail_id).await?;
    let zone_name = match &due.time_zone {
        Some(zone) => zone.clone(),
        None => super::billing::settings(db).await?.time_zone,
    };
    let zone = super::time_zones::rules(&zone_name);
    let language = Language::parse(&due.language).unwrap_or(Language::English);
    let reader = Reader { language, zone: &zone, public_url: mailer.public_url.as_deref() };
    Ok((
        mail_text::subject(&due.kind, &events, total, &reader),
        mail_text::body(&due.kind, &events, total, requested_by, &reader),
    ))
}

/// Records an attempt and moves the mail on, in one transaction (only a
/// pending mail moves).
pub async fn record(db: &Db, due: &DueMail, outcome: &Outcome, now: DateTime<Utc>) -> Result<()> {
    let mut tx = begin_write(db).await?;
    sqlx::query("INSERT INTO mail_attempts (mail_id, at, reply, succeeded) VALUES ($1, $2, $3, $4)")
        .bind(due.mail_id)
        .bind(Time(now))
        .bind(&outcome.reply)
        .bind(outcome.succeeded)
        .execute(&mut *tx)
        .await?;
    let next = match (outcome.succeeded, outcome.permanent) {
        (true, _) => Err(DeliveryState::Delivered),
        (false, true) => Err(DeliveryState::Failed),
        (false, false) => {
            next_attempt(due.retry_from, due.attempts.saturating_add(1), now).ok_or(DeliveryState::Failed)
        }
    };
    match next {
        Ok(next) => sqlx::query(
            "UPDATE mails SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = $2 AND state = 'pending'",
        )
        .bind(Time(next))
        .bind(due.mail_id),
        Err(state) => sqlx::query(
            "UPDATE mails SET state = $1, attempts = attempts + 1, next_attempt_at = NULL, finished_at = $2 \
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(state.as_str())
        .bind(Time(now))
        .bind(due.mail_id),
    }
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends one mail now over a fresh connection and records the attempt.
async fn attempt(db: &Db, mailer: &Mailer, due: &DueMail, requested_by: &str, now: DateTime<Utc>) -> Result<()> {
    let outcome = match stored(db).await? {
        None => Outcome::refused("not sent: no mail server is set up"),
        Some(settings) => match mailer.transport(&settings).await {
            Err(why) => Outcome::refused(&why),
            Ok(transport) => {
                let (subject, body) = compose(db, mailer, due, requested_by).await?;
                mailer.send(&transport, &settings.from, due, &subject, body).await
            }
        },
    };
    record(db, due, &outcome, now).await
}

/// Sends the mails due at `now`, one after another (at most [`BATCH`]);
/// returns how many it tried.
pub async fn send_due(db: &Db, mailer: &Mailer, now: DateTime<Utc>) -> Result<usize> {
    let rows: Vec<DueRow> = sqlx::query_as(&format!(
        "{DUE_SELECT} WHERE m.state = 'pending' AND m.next_attempt_at <= $1 ORDER BY m.next_attempt_at, m.id \
         LIMIT {BATCH}"
    ))
    .bind(Time(now))
    .fetch_all(db)
    .await?;
    let tried = rows.len();
    for row in rows {
        attempt(db, mailer, &due(row), "", now).await?;
    }
    Ok(tried)
}

/// Sends a test mail to `to` at once and returns it as it then stands. It
/// is queued first, an hour ahead, so the worker does not send it as well.
pub async fn send_test(db: &Db, mailer: &Mailer, to: &str, actor: &str, now: DateTime<Utc>) -> Result<Mail> {
    if stored(db).await?.is_none() {
        return Err(AppError::conflict(Message::SmtpNotSet).into());
    }
    let mut tx = begin_write(db).await?;
    let mail_id: i64 = sqlx::query_scalar(
        "INSERT INTO mails (staff_id, recipient, language, kind, state, attempts, next_attempt_at, retry_from, created_at) \
         VALUES (NULL, $1, COALESCE((SELECT language FROM staff WHERE username = $2), 'en'), 'test', 'pending', 0, $3, $4, $4) \
         RETURNING id",
    )
    .bind(to)
    .bind(actor)
    .bind(Time(now + chrono::Duration::hours(1)))
    .bind(Time(now))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, "mail.test_sent", "mail", to, now).await?;
    tx.commit().await?;
    let row: DueRow = sqlx::query_as(&format!("{DUE_SELECT} WHERE m.id = $1")).bind(mail_id).fetch_one(db).await?;
    attempt(db, mailer, &due(row), actor, now).await?;
    one(db, mail_id).await
}

/// Sends a mail again: due now, with a new day of retries.
pub async fn redeliver(db: &Db, mail_id: i64, actor: &str, now: DateTime<Utc>) -> Result<Mail> {
    let mut tx = begin_write(db).await?;
    let to: Option<String> = sqlx::query_scalar(
        "UPDATE mails SET state = 'pending', next_attempt_at = $1, retry_from = $1, finished_at = NULL \
         WHERE id = $2 RETURNING recipient",
    )
    .bind(Time(now))
    .bind(mail_id)
    .fetch_optional(&mut *tx)
    .await?;
    let to = to.ok_or(AppError::NotFound)?;
    audit::record(&mut tx, actor, "mail.redelivered", "mail", &format!("mail {mail_id} to {to}"), now).await?;
    tx.commit().await?;
    one(db, mail_id).await
}

type LogRow = (i64, String, String, Time, String, Option<Time>, i64);

const LOG_SELECT: &str = "SELECT m.id, m.recipient, m.kind, m.created_at, m.state, m.next_attempt_at, \
     (SELECT COUNT(*) FROM mail_events me WHERE me.mail_id = m.id) FROM mails m";

/// The most attempts the log shows per mail (the newest).
const ATTEMPTS_SHOWN: i64 = 20;

async fn with_attempts(db: &Db, row: LogRow) -> Result<Mail> {
    let (id, recipient, kind, Time(created_at), state, next, events) = row;
    let first_kind: Option<String> = sqlx::query_scalar(
        "SELECT e.kind FROM mail_events me JOIN events e ON e.seq = me.event_seq WHERE me.mail_id = $1 \
         ORDER BY e.seq LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let attempts: Vec<(Time, String, Flag)> = sqlx::query_as(&format!(
        "SELECT at, reply, CAST(succeeded AS INTEGER) FROM mail_attempts WHERE mail_id = $1 ORDER BY id DESC \
         LIMIT {ATTEMPTS_SHOWN}"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(Mail {
        id,
        recipient,
        kind,
        event_kind: first_kind.unwrap_or_default(),
        events: u32::try_from(events).unwrap_or(0),
        created_at,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        next_attempt_at: next.map(|t| t.0),
        attempts: attempts
            .into_iter()
            .map(|(Time(at), reply, Flag(succeeded))| Attempt { at, status: None, reply, succeeded })
            .collect(),
    })
}

/// One mail with its attempts.
pub async fn one(db: &Db, mail_id: i64) -> Result<Mail> {
    let row: Option<LogRow> =
        sqlx::query_as(&format!("{LOG_SELECT} WHERE m.id = $1")).bind(mail_id).fetch_optional(db).await?;
    with_attempts(db, row.ok_or(AppError::NotFound)?).await
}

/// The newest mails (at most `limit`), with their attempts.
pub async fn log(db: &Db, limit: i64) -> Result<Vec<Mail>> {
    let rows: Vec<LogRow> = sqlx::query_as(&format!("{LOG_SELECT} ORDER BY m.id DESC LIMIT $1"))
        .bind(limit.clamp(1, 200))
        .fetch_all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_attempts(db, row).await?);
    }
    Ok(out)
}
