//! Server-only code: configuration, database, sessions, security, jobs and
//! the command line. Compiled only with the `ssr` feature.

pub mod audit;
pub mod bench;
pub mod clock;
pub mod commands;
pub mod config;
pub mod customers;
pub mod db;
pub mod demo;
pub mod guard;
pub mod jobs;
pub mod login;
pub mod passwords;
pub mod router;
pub mod security;
pub mod sessions;
pub mod staff;
pub mod state;
pub mod status;
pub mod telemetry;

#[cfg(test)]
mod customers_tests;
#[cfg(test)]
mod route_tests;
