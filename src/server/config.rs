//! Configuration of the server, read from the environment (or the same names
//! as command-line flags). Every variable is listed in the README.

use std::time::Duration;

use clap::{ArgAction, Args};

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Where the database is: `sqlite://PATH` (created if missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/NAME` (see README, "Scaling out").
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/msp.db")]
    pub database_url: String,

    /// A session ends after this many minutes without a request.
    #[arg(long, env = "MSP_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u32,

    /// A session ends this many hours after sign-in, however active.
    #[arg(long, env = "MSP_SESSION_LIFETIME_HOURS", default_value_t = 12)]
    pub session_lifetime_hours: u32,

    /// Set to true when the app is served over HTTPS (cookies get `Secure`,
    /// responses get HSTS).
    #[arg(long, env = "MSP_SECURE_COOKIES", default_value_t = false, action = ArgAction::Set)]
    pub secure_cookies: bool,

    /// Failed sign-ins allowed per account within the login window.
    #[arg(long, env = "MSP_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Failed sign-ins allowed per client address within the login window.
    #[arg(long, env = "MSP_LOGIN_MAX_FAILURES_PER_IP", default_value_t = 20)]
    pub login_max_failures_per_ip: u32,

    /// The login window in minutes.
    #[arg(long, env = "MSP_LOGIN_WINDOW_MINUTES", default_value_t = 15)]
    pub login_window_minutes: u32,

    /// Take the client address from `X-Forwarded-For` (only behind a reverse
    /// proxy that appends to it): the entry `MSP_TRUSTED_PROXY_HOPS` places
    /// from the right.
    #[arg(long, env = "MSP_TRUST_FORWARDED_FOR", default_value_t = false, action = ArgAction::Set)]
    pub trust_forwarded_for: bool,

    /// How many proxies of yours append to `X-Forwarded-For` (1: one reverse
    /// proxy; its entry, the rightmost, is the client's address).
    #[arg(long, env = "MSP_TRUSTED_PROXY_HOPS", default_value_t = 1)]
    pub trusted_proxy_hops: u32,

    /// The address people open the app at, e.g. `https://msp.example.com`:
    /// a state-changing request from a browser must come from this origin
    /// (scheme, host and port). Default: `http://` and the listen address
    /// (with `localhost` for a loopback address).
    #[arg(long, env = "MSP_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Machine API requests allowed per API key and minute (counted in the
    /// database, over all instances).
    #[arg(long, env = "MSP_API_REQUESTS_PER_MINUTE", default_value_t = 120)]
    pub api_requests_per_minute: u32,

    /// The cost overview's current month includes usage reports at most this
    /// many seconds old (it is computed again after that when reports came).
    #[arg(long, env = "MSP_COST_OVERVIEW_REFRESH_SECONDS", default_value_t = 30)]
    pub cost_overview_refresh_seconds: u64,

    /// Whether webhook deliveries may go to loopback and private addresses
    /// (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Off by default:
    /// an admin's endpoint URL would otherwise let the server reach services
    /// inside its own network that are not meant to be reachable from the
    /// console. Turn it on for receivers on the same network (on-prem) and
    /// for the tests. Link-local and cloud metadata addresses stay refused.
    #[arg(long, env = "MSP_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = ArgAction::Set)]
    pub webhook_allow_private: bool,

    /// Whether this instance delivers events (webhooks). Several instances
    /// on one PostgreSQL take turns anyway; off for a read-only replica.
    #[arg(long, env = "MSP_DELIVER_EVENTS", default_value_t = true, action = ArgAction::Set)]
    pub deliver_events: bool,

    /// A PEM file with a certificate authority that alert mails' TLS trusts
    /// besides the web's roots (an SMTP server with a certificate from an
    /// internal authority).
    #[arg(long, env = "MSP_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<String>,

    /// Run the background jobs (contract end, month close, pruning) in this
    /// instance. They are safe on several instances at once; turn them off
    /// to leave every month open, e.g. for the browser tests.
    #[arg(long, env = "MSP_RUN_JOBS", default_value_t = true, action = ArgAction::Set)]
    pub run_jobs: bool,

    /// First start only: create this admin if there is no staff account yet.
    #[arg(long, env = "MSP_ADMIN_USERNAME")]
    pub admin_username: Option<String>,

    /// First start only: the password of that admin.
    #[arg(long, env = "MSP_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<Secret>,

    /// The key that encrypts the secrets of authenticator apps: 32 random
    /// bytes in base64 (`openssl rand -base64 32`). Needed before anyone
    /// sets up two-factor sign-in; once a secret is stored, the app refuses
    /// to start without it. Keep it apart from the database backups.
    #[arg(long, env = "MSP_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
}

#[derive(clap::Parser)]
struct Wrapper {
    #[command(flatten)]
    config: Config,
}

/// The configuration's command line without its environment variables.
fn defaults_command() -> clap::Command {
    use clap::CommandFactory;
    Wrapper::command().mut_args(|arg| arg.env(None::<&'static str>))
}

/// A configured secret: used, never printed (`Debug` shows `***`).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

impl Config {
    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.session_idle_minutes) * 60)
    }

    pub fn session_lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.session_lifetime_hours) * 3600)
    }

    pub fn login_window(&self) -> Duration {
        Duration::from_secs(u64::from(self.login_window_minutes) * 60)
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-msp_session"
        } else {
            "msp_session"
        }
    }

    /// The defaults, with the given database: for tests and tools. The
    /// environment is not read (an `MSP_*` variable of the shell running the
    /// tests changes nothing).
    pub fn for_database(database_url: &str) -> Self {
        use clap::FromArgMatches;
        let matches = defaults_command().get_matches_from(["msp-manager"]);
        let mut config = Wrapper::from_arg_matches(&matches).expect("the defaults parse").config;
        config.database_url = database_url.to_owned();
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_password_never_shows_in_debug_output() {
        let mut config = Config::for_database("sqlite::memory:");
        config.admin_password = Some("hunter2 hunter2".parse().unwrap());
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("Secret(***)"), "{shown}");
    }

    #[test]
    fn the_test_defaults_do_not_read_the_environment() {
        use clap::CommandFactory;
        let with_env = Wrapper::command().get_arguments().filter(|a| a.get_env().is_some()).count();
        assert!(with_env > 10, "the real command reads the environment ({with_env} variables)");
        assert_eq!(defaults_command().get_arguments().filter(|a| a.get_env().is_some()).count(), 0);
    }
}
