//! What the subcommands of `msp-manager` do (their flags are in `main.rs`).

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use axum::serve::ListenerExt;
use leptos::config::get_configuration;
use rand::distributions::{Alphanumeric, DistString};

use super::clock::Clock;
use super::config::Config;
use super::db::{self, Db};
use super::passwords::HashLimit;
use super::router::build_router;
use super::state::AppState;
use super::{staff, telemetry};
use crate::domain::{Password, Role, Username};

/// Creates the first admin from `MSP_ADMIN_USERNAME` / `MSP_ADMIN_PASSWORD`
/// when the database has no staff account yet.
async fn bootstrap_admin(db: &Db, config: &Config) -> anyhow::Result<()> {
    if staff::count(db).await? > 0 {
        return Ok(());
    }
    match (&config.admin_username, &config.admin_password) {
        (Some(name), Some(password)) => {
            let username = Username::parse(name).context("MSP_ADMIN_USERNAME")?;
            let password = Password::parse(password.expose()).context("MSP_ADMIN_PASSWORD")?;
            staff::create(db, &HashLimit::default(), "system", &username, &password, Role::Admin, Clock::system().now())
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the first admin: {e}"))?;
            tracing::info!(%username, "created the first admin from the environment");
        }
        _ => tracing::warn!(
            "there is no staff account yet: create one with `msp-manager admin create --username NAME --role admin --password-stdin` \
             or set MSP_ADMIN_USERNAME and MSP_ADMIN_PASSWORD"
        ),
    }
    Ok(())
}

/// Serves the web app and the API until Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    bootstrap_admin(&db, &config).await?;
    run_server(db, config).await
}

async fn run_server(db: Db, config: Config) -> anyhow::Result<()> {
    super::secret_box::check_at_start(&config, &db).await?;
    let leptos_options = get_configuration(None).context("cannot read the Leptos configuration")?.leptos_options;
    let addr = leptos_options.site_addr;
    super::security::OwnOrigin::from_config(config.public_url.as_deref(), config.secure_cookies, addr)
        .map_err(anyhow::Error::msg)?;
    let (stop_jobs, stop) = tokio::sync::watch::channel(false);
    let stop_deliveries = stop_jobs.clone();
    let pkg = std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir);
    let state = AppState::new(leptos_options, db.clone(), config);
    match state.known_keys.load(&db).await {
        Ok(count) => tracing::info!(keys = count, "API keys known before the first request"),
        Err(error) => tracing::warn!(%error, "cannot read the API keys ahead: each is looked up at its first request"),
    }
    let jobs = if state.config.run_jobs {
        let every = std::time::Duration::from_secs(15 * 60);
        Some(super::jobs::spawn(db.clone(), (*state.config).clone(), state.clock.clone(), every, stop))
    } else {
        tracing::warn!("background jobs are off (MSP_RUN_JOBS=false): months do not close by themselves");
        None
    };
    let deliveries = if state.config.deliver_events {
        let stop = stop_deliveries.subscribe();
        Some(super::deliveries::spawn(
            db.clone(),
            state.sender.clone(),
            state.mailer.clone(),
            state.clock.clone(),
            stop,
        ))
    } else {
        tracing::warn!("event deliveries are off in this instance (MSP_DELIVER_EVENTS=false)");
        None
    };
    super::precompress::spawn(pkg);
    let app = build_router(state);
    let listener =
        tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?.tap_io(|tcp| {
            // Without it keep-alive requests wait ~40 ms for delayed ACKs.
            let _ = tcp.set_nodelay(true);
        });
    tracing::info!("listening on http://{addr}");
    println!("MSP Server Manager is running at http://{addr}");
    let stopping = async move {
        shutdown_signal().await;
        // No new job pass starts from here on.
        let _ = stop_jobs.send(true);
    };
    // Stops accepting connections and waits for the running requests.
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stopping)
        .await
        .context("the server stopped with an error");
    if let Some(deliveries) = deliveries {
        // It stops between attempts; one cut short is sent again later.
        let _ = deliveries.await;
    }
    if let Some(mut jobs) = jobs {
        // Idle jobs end at once; a running pass is waited for.
        let ended = match tokio::time::timeout(std::time::Duration::from_millis(200), &mut jobs).await {
            Ok(ended) => ended,
            Err(_) => {
                tracing::info!("waiting for the running background job to finish");
                jobs.await
            }
        };
        if let Err(error) = ended {
            tracing::error!(%error, "the background jobs ended abnormally");
        }
    }
    db.close().await;
    tracing::info!("stopped");
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Applies the migrations and lists them.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version").fetch_all(&db).await?;
    for (version, description) in applied {
        println!("{version} {description}");
    }
    println!("The database {} is up to date.", db::shown_url(&config.database_url));
    Ok(())
}

/// `backup --to FILE`: an online backup of the database.
pub async fn backup(config: Config, to: &Path) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    let bytes = super::operations::backup(&db, to).await?;
    println!("Backup written to {} ({:.1} MB, integrity check ok).", to.display(), bytes as f64 / 1e6);
    Ok(())
}

/// `check`: configuration and database health; fails when anything is wrong.
pub async fn check(config: Config) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    let health = super::operations::check(&db, &config.database_url).await?;
    for line in &health.lines {
        println!("{line}");
    }
    for problem in &health.problems {
        println!("PROBLEM: {problem}");
    }
    if !health.problems.is_empty() {
        bail!("{} problem(s) found", health.problems.len());
    }
    println!("All checks passed.");
    Ok(())
}

/// `admin create`: a staff account with the password read from standard input.
pub async fn admin_create(config: Config, username: &str, role: &str, password_stdin: bool) -> anyhow::Result<()> {
    telemetry::init();
    if !password_stdin {
        bail!("pass --password-stdin and the password on standard input (it never goes on the command line)");
    }
    let username = Username::parse(username).context("--username")?;
    let role = Role::parse(role).context("--role")?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).context("cannot read the password from standard input")?;
    let password = Password::parse(input.trim_end_matches(['\r', '\n'])).context("the password")?;
    let db = db::connect(&config.database_url).await?;
    staff::create(&db, &HashLimit::default(), "cli", &username, &password, role, Clock::system().now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Created {role} account {username}.");
    Ok(())
}

/// `token create`: a personal access token for a staff member, printed
/// once on standard output (nothing else goes there).
pub async fn token_create(config: Config, username: &str, scope: &str, name: &str, days: u32) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    let owner = super::access_tokens::owner(&db, username)
        .await
        .map_err(|_| anyhow::anyhow!("--username: there is no staff member {username:?}"))?;
    if owner.disabled {
        bail!("--username: {username} is disabled");
    }
    let form = crate::domain::access_token::TokenForm {
        name: name.to_owned(),
        scope: scope.to_owned(),
        expires_days: days.to_string(),
    };
    let made = super::access_tokens::create(&db, "cli", &owner, &form, Clock::system().now()).await.map_err(|e| {
        match crate::error::AppError::from(e) {
            crate::error::AppError::Invalid(fields) => anyhow::anyhow!(
                "{}",
                fields
                    .iter()
                    .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message.english()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        }
    })?;
    db.close().await;
    println!("{}", made.token);
    eprintln!(
        "Made the {} token \"{}\" of {username}, valid until {}. It is shown this once.",
        made.info.scope.as_str(),
        made.info.name,
        made.info.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(())
}

/// `close-month YYYY-MM`: the same close as the job and the admin's button.
pub async fn close_month(config: Config, month: &str) -> anyhow::Result<()> {
    telemetry::init();
    let month = crate::domain::BillingMonth::parse(month).context("the month")?;
    let db = db::connect(&config.database_url).await?;
    let outcome = super::billing::close_month(&db, "cli", month, Clock::system().now())
        .await
        .map_err(|e| anyhow::anyhow!("cannot close {month}: {e}"))?;
    if outcome.closed_now {
        println!("Closed {month}: {} statements, total {}.", outcome.statements, outcome.total);
    } else {
        println!(
            "{month} was closed before: {} statements, total {}. Nothing changed.",
            outcome.statements, outcome.total
        );
    }
    Ok(())
}

/// `fill-demo`: adds the demo customers with their history to a database,
/// leaving every month open (for trying out the close, and for the browser
/// tests).
pub async fn fill_demo(config: Config) -> anyhow::Result<()> {
    telemetry::init();
    let db = db::connect(&config.database_url).await?;
    let customers = super::demo::fill(&db, false).await?;
    println!("Added {customers} demo customers with their history to {}.", db::shown_url(&config.database_url));
    Ok(())
}

fn remove_database_files(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| format!("cannot remove {}", file.display()))?;
        }
    }
    Ok(())
}

fn random_password() -> String {
    // 20 characters of [A-Za-z0-9]: about 119 bits.
    Alphanumeric.sample_string(&mut rand::rngs::OsRng, 20)
}

/// `demo`: a fresh demo database with demo staff, then serve it.
pub async fn demo(mut config: Config, database_file: PathBuf) -> anyhow::Result<()> {
    telemetry::init();
    remove_database_files(&database_file)?;
    config.database_url = format!("sqlite://{}", database_file.display());
    let db = db::connect(&config.database_url).await?;
    // The demo database is new at every start: so is its key for the
    // secrets of authenticator apps, unless one is configured.
    if config.secret_key.is_none() {
        use base64::Engine as _;
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        config.secret_key = Some(base64::engine::general_purpose::STANDARD.encode(key).parse()?);
    }
    let password = random_password();
    let mut logins = Vec::new();
    for (name, role) in [("demo-admin", Role::Admin), ("demo-operator", Role::Operator), ("demo-viewer", Role::Viewer)]
    {
        let username = Username::parse(name)?;
        let parsed = Password::parse(&password)?;
        staff::create(&db, &HashLimit::default(), "demo", &username, &parsed, role, Clock::system().now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        logins.push((name, role));
    }
    let customers = super::demo::fill(&db, true).await?;
    let addr = get_configuration(None)?.leptos_options.site_addr;
    println!();
    println!("  Demo database: {customers} customers.");
    println!("  File: {}", database_file.display());
    // By name on loopback: browsers refuse passkeys for an IP address.
    let open = if addr.ip().is_loopback() { format!("localhost:{}", addr.port()) } else { addr.to_string() };
    println!("  Open http://{open} and sign in:");
    for (name, role) in logins {
        println!("    {:<14} {:<9} password {password}", name, role.as_str());
    }
    println!("  (A new random password is made at every start of the demo.)");
    println!();
    run_server(db, config).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::testing;

    fn config_with_admin(name: Option<&str>, password: Option<&str>) -> Config {
        let mut config = Config::for_database("unused");
        config.admin_username = name.map(str::to_owned);
        config.admin_password = password.map(|p| p.parse().unwrap());
        config
    }

    #[tokio::test]
    async fn the_first_admin_comes_from_the_environment_once() {
        let t = testing::fresh().await;
        let config = config_with_admin(Some("Root.Admin"), Some("first admin password"));
        bootstrap_admin(&t.db, &config).await.unwrap();
        let admin = staff::find_by_username(&t.db, "root.admin").await.unwrap().unwrap();
        assert_eq!(admin.role(), Role::Admin);
        // A second start with other values changes nothing.
        let other = config_with_admin(Some("someone"), Some("another password!"));
        bootstrap_admin(&t.db, &other).await.unwrap();
        assert_eq!(staff::count(&t.db).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn without_the_variables_no_account_is_made() {
        let t = testing::fresh().await;
        bootstrap_admin(&t.db, &config_with_admin(Some("root"), None)).await.unwrap();
        assert_eq!(staff::count(&t.db).await.unwrap(), 0);
        let weak = config_with_admin(Some("root"), Some("short"));
        assert!(bootstrap_admin(&t.db, &weak).await.is_err(), "a weak password is refused");
    }

    #[test]
    fn demo_passwords_are_random_and_long() {
        let (a, b) = (random_password(), random_password());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
