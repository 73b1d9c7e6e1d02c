use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::ops::Deref;

use super::clock::Clock;
use super::config::Config;
use super::cost_overview::BillCache;
use super::db::Db;
use super::metering::UsageWriter;
use super::passwords::HashLimit;
use super::rate_limit::RateLimiter;
use super::refusals::RefusalLog;
use super::security::OwnOrigin;

/// Everything a request handler or server function needs, reached through
/// axum's state and Leptos' context (never a global). Every layer of every
/// request takes a copy: one shared pointer, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`], read through it (`state.db`).
#[derive(Clone)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub started: Arc<Instant>,
    /// Requests per key and minute (the staff API counts through it).
    pub api_limiter: Arc<RateLimiter>,
    /// Counts the machine API's requests and writes its usage reports, in
    /// group commits.
    pub usage_writer: Arc<UsageWriter>,
    /// The customers of the API keys seen valid (checked again by the
    /// usage writer).
    pub known_keys: Arc<super::api_keys::KnownKeys>,
    /// The cost overview's computed months.
    pub bill_cache: Arc<BillCache>,
    /// The bound on password hashing at once.
    pub hash_limit: Arc<HashLimit>,
    /// Refusals in the audit log, repeats counted per address and minute.
    pub refusals: Arc<RefusalLog>,
    /// The origin of the app's own pages (`MSP_PUBLIC_URL`).
    pub own_origin: Arc<OwnOrigin>,
    /// The WebAuthn relying party (passkeys), when the app's address has a
    /// host name.
    pub webauthn: Option<Arc<webauthn_rs::prelude::Webauthn>>,
    /// "Now" for every rule and query (tests move it).
    pub clock: Clock,
    /// Sends webhook deliveries (the worker and "Send test event").
    pub sender: Arc<super::deliveries::Sender>,
    /// Sends alert mails (the worker and "Send test mail").
    pub mailer: Arc<super::mail::Mailer>,
}

impl AppState {
    /// Needs a Tokio runtime: it starts tasks of its own (the refusal
    /// log's flusher; the usage writer's pool).
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        let api_limiter = Arc::new(RateLimiter::new(config.api_requests_per_minute));
        let usage_writer = Arc::new(UsageWriter::start(&db, api_limiter.clone()));
        let refresh = config.cost_overview_refresh_seconds;
        let clock = Clock::system();
        let refusals = Arc::new(RefusalLog::default());
        refusals.spawn_flusher(db.clone(), clock.clone());
        let own_origin =
            OwnOrigin::from_config(config.public_url.as_deref(), config.secure_cookies, leptos_options.site_addr)
                .unwrap_or_else(|message| {
                    // `serve` checks this before it starts; here, refuse every
                    // browser's state-changing request rather than guess.
                    tracing::error!(%message, "no origin is allowed");
                    OwnOrigin::Listed(Vec::new())
                });
        let webauthn = super::passkeys::relying_party(&own_origin).map(Arc::new);
        let sender = Arc::new(super::deliveries::Sender::new(&config, leptos_options.site_addr));
        let mailer = Arc::new(super::mail::Mailer::new(&config));
        Self(Arc::new(Shared {
            sender,
            mailer,
            webauthn,
            leptos_options,
            db,
            config: Arc::new(config),
            started: Arc::new(Instant::now()),
            api_limiter,
            usage_writer,
            known_keys: Arc::default(),
            bill_cache: Arc::new(BillCache::refreshing_usage_every(std::time::Duration::from_secs(refresh))),
            hash_limit: Arc::new(HashLimit::default()),
            refusals,
            own_origin: Arc::new(own_origin),
            clock,
        }))
    }

    /// The same state with another bound on password hashing (tests).
    #[cfg(test)]
    pub fn with_hash_limit(self, limit: super::passwords::HashLimit) -> Self {
        let mut shared = Shared::clone(&self.0);
        shared.hash_limit = Arc::new(limit);
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What Leptos' routes and file handler take from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
