//! `msp-manager`: the one binary of MSP Server Manager.

#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(feature = "ssr")]
mod cli {
    use std::path::PathBuf;

    use clap::{Parser, Subcommand};
    use msp_manager::server::commands;
    use msp_manager::server::config::Config;

    /// MSP Server Manager: customers, licenses, metering and billing of
    /// hosted password-manager databases.
    #[derive(Parser)]
    #[command(name = "msp-manager", version, propagate_version = true)]
    pub(super) struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Serve the web app and the API (address from LEPTOS_SITE_ADDR).
        Serve {
            #[command(flatten)]
            config: Config,
        },
        /// Start on a fresh demo database with demo staff accounts and print their login.
        Demo {
            /// The demo database file; it is deleted and created anew.
            #[arg(long, default_value = "data/demo.db")]
            database_file: PathBuf,
            #[command(flatten)]
            config: Config,
        },
        /// Apply the database migrations and list them.
        Migrate {
            #[command(flatten)]
            config: Config,
        },
        /// Add the demo customers with their history to a database, leaving every month open.
        FillDemo {
            #[command(flatten)]
            config: Config,
        },
        /// Close a month now: one frozen statement per customer billed in it (idempotent).
        CloseMonth {
            /// The month, YYYY-MM; it must have ended.
            month: String,
            #[command(flatten)]
            config: Config,
        },
        /// A consistent copy of the database while the app runs (SQLite's VACUUM INTO), checked before it says done.
        Backup {
            /// The new backup file (it must not exist).
            #[arg(long)]
            to: PathBuf,
            #[command(flatten)]
            config: Config,
        },
        /// Check the configuration and the database: integrity, schema version, an active admin.
        Check {
            #[command(flatten)]
            config: Config,
        },
        /// Manage staff accounts.
        Admin {
            #[command(subcommand)]
            command: AdminCommand,
        },
        /// Personal access tokens for the staff API.
        Token {
            #[command(subcommand)]
            command: TokenCommand,
        },
    }

    #[derive(Subcommand)]
    enum TokenCommand {
        /// Make a token for a staff member and print it once (audited like the account page).
        Create {
            /// Whose token it is: it acts as this staff member.
            #[arg(long)]
            username: String,
            /// read, or write (read and change; an operator or admin only).
            #[arg(long)]
            scope: String,
            /// What it is for, e.g. "Invoicing script".
            #[arg(long)]
            name: String,
            /// Days until it expires (1 to 365).
            #[arg(long)]
            expires_days: u32,
            #[command(flatten)]
            config: Config,
        },
    }

    #[derive(Subcommand)]
    enum AdminCommand {
        /// Create a staff account; the password is read from standard input.
        Create {
            #[arg(long)]
            username: String,
            /// admin, operator or viewer.
            #[arg(long, default_value = "admin")]
            role: String,
            /// Read the password from standard input (required: never on the command line).
            #[arg(long)]
            password_stdin: bool,
            #[command(flatten)]
            config: Config,
        },
    }

    /// `msp-manager --help`.
    #[cfg(test)]
    pub fn help() -> String {
        use clap::CommandFactory;
        Cli::command().render_help().to_string()
    }

    pub async fn run() -> anyhow::Result<()> {
        match Cli::parse().command {
            Command::Serve { config } => commands::serve(config).await,
            Command::Demo { database_file, config } => commands::demo(config, database_file).await,
            Command::Migrate { config } => commands::migrate(config).await,
            Command::FillDemo { config } => commands::fill_demo(config).await,
            Command::CloseMonth { month, config } => commands::close_month(config, &month).await,
            Command::Backup { to, config } => commands::backup(config, &to).await,
            Command::Check { config } => commands::check(config).await,
            Command::Admin { command: AdminCommand::Create { username, role, password_stdin, config } } => {
                commands::admin_create(config, &username, &role, password_stdin).await
            }
            Command::Token { command: TokenCommand::Create { username, scope, name, expires_days, config } } => {
                commands::token_create(config, &username, &scope, &name, expires_days).await
            }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn help_lists_every_subcommand_an_operator_needs() {
        let help = super::cli::help();
        for command in ["serve", "demo", "migrate", "admin", "token", "close-month", "backup", "check"] {
            assert!(help.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from:\n{help}");
        }
        let admin = super::cli::Cli::command().find_subcommand_mut("admin").map(|a| a.render_help().to_string());
        assert!(admin.is_some_and(|h| h.contains("create")));
    }

    #[test]
    fn help_lists_no_benchmark() {
        let help = super::cli::help();
        assert!(!help.to_lowercase().contains("bench"), "benchmarks are msp-bench's:\n{help}");
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts in `lib.rs` (`hydrate`); this binary is the server.
}
