use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::config::Config;
use super::cost_overview::BillCache;
use super::db::Db;
use super::machine_api::RateLimiter;
use super::metering::UsageWriter;

/// Everything a request handler or server function needs, reached through
/// axum's state and Leptos' context (never a global).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub started: Arc<Instant>,
    pub api_limiter: Arc<RateLimiter>,
    /// Writes the machine API's usage reports in batches.
    pub usage_writer: Arc<UsageWriter>,
    /// The cost overview's computed months.
    pub bill_cache: Arc<BillCache>,
}

impl AppState {
    /// Needs a Tokio runtime: it starts the usage writer's task.
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        let api_limiter = Arc::new(RateLimiter::new(config.api_requests_per_minute));
        let usage_writer = Arc::new(UsageWriter::start(db.clone()));
        let refresh = config.cost_overview_refresh_seconds;
        Self {
            leptos_options,
            db,
            config: Arc::new(config),
            started: Arc::new(Instant::now()),
            api_limiter,
            usage_writer,
            bill_cache: Arc::new(BillCache::refreshing_usage_every(std::time::Duration::from_secs(refresh))),
        }
    }
}
