//! Server-only code: configuration, database, sessions, security, jobs and
//! the command line. Compiled only with the `ssr` feature.

pub mod access_tokens;
pub mod active_sessions;
pub mod api_keys;
pub mod audit;
#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "bench")]
pub mod bench_audit;
#[cfg(feature = "bench")]
pub mod bench_costs;
#[cfg(feature = "bench")]
pub mod bench_load;
pub mod billing;
pub mod bundles;
pub mod clock;
pub mod commands;
pub mod config;
pub mod cost_overview;
pub mod customer_billing;
pub mod customers;
pub mod datev;
pub mod db;
pub mod deliveries;
pub mod demo;
pub mod error;
pub mod events;
#[cfg(any(test, feature = "bench"))]
pub mod fixtures;
pub mod guard;
pub mod history;
pub mod jobs;
pub mod license;
pub mod login;
pub mod loopback;
pub mod machine_api;
pub mod mail;
pub mod mail_text;
pub mod metering;
pub mod operations;
pub mod page_threads;
pub mod passkeys;
pub mod passwords;
pub mod precompress;
pub mod rate_limit;
pub mod refusals;
pub mod request_ids;
pub mod router;
pub mod secret_box;
pub mod security;
pub mod sessions;
pub mod sign_in_policy;
pub mod single_sign_on;
pub mod staff;
pub mod staff_api;
pub mod state;
pub mod status;
pub mod stored;
pub mod telemetry;
pub mod time_zones;
pub mod two_factor;
pub mod webhooks;

#[cfg(test)]
mod billing_tests;
#[cfg(test)]
mod cost_overview_tests;
#[cfg(test)]
mod crash_tests;
#[cfg(test)]
mod customer_billing_tests;
#[cfg(test)]
mod customers_tests;
#[cfg(test)]
mod deliveries_tests;
#[cfg(test)]
mod events_tests;
#[cfg(test)]
mod machine_api_tests;
#[cfg(test)]
mod mail_tests;
#[cfg(test)]
mod route_tests;
#[cfg(test)]
mod selling_tests;
#[cfg(test)]
mod test_app;
