//! Webhook endpoints and their delivery log, as the Settings page reads
//! them (the staff API's JSON is `server::staff_api::wire`). An endpoint's
//! secret is never in here: it is shown once, in [`CreatedEndpoint`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// Event names, in the catalogue's order.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Since when its deliveries fail (none since the last success).
    #[serde(with = "super::wire::moment_option")]
    pub failing_since: Option<DateTime<Utc>>,
    /// Why it was turned off, when the app turned it off.
    pub disabled_reason: Option<String>,
    #[serde(with = "super::wire::moment")]
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A new endpoint with its signing secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [DeliveryState::Pending, DeliveryState::Delivered, DeliveryState::Failed]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// One attempt of a delivery: the HTTP status when an answer came, and
/// what came back or went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    #[serde(with = "super::wire::moment")]
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub reply: String,
    pub succeeded: bool,
}

/// One event's delivery to one endpoint, with its attempts (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub kind: String,
    #[serde(with = "super::wire::moment")]
    pub occurred_at: DateTime<Utc>,
    pub state: DeliveryState,
    #[serde(with = "super::wire::moment_option")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}

/// The SMTP server alert mails go through, as Settings shows it: never
/// the password, only whether one is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// "starttls", "tls" or "none".
    pub security: String,
    pub username: String,
    pub has_password: bool,
    pub from: String,
    #[serde(with = "super::wire::moment")]
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// A staff member's alert mails, as their account page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertChoices {
    /// Empty: no mails.
    pub email: String,
    pub digest: bool,
    /// Event names, in the catalogue's order.
    pub events: Vec<String>,
    /// Whether these are the role's defaults (nothing chosen yet).
    pub defaults: bool,
}

/// One mail of the log, with its attempts (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub id: i64,
    pub recipient: String,
    /// "event", "digest" or "test".
    pub kind: String,
    /// The (first) event's kind; empty for a test mail.
    pub event_kind: String,
    /// How many events it carries.
    pub events: u32,
    #[serde(with = "super::wire::moment")]
    pub created_at: DateTime<Utc>,
    pub state: DeliveryState,
    #[serde(with = "super::wire::moment_option")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempts: Vec<Attempt>,
}
