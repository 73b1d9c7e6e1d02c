//! `msp-bench`: the benchmarks, apart from the shipping binary. Each prints
//! its figures; none is a test. Build it next to `msp-manager` with the
//! same flags (README, "Benchmarks"), so that `msp-bench load` can start the
//! real `msp-manager serve` beside it.

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use msp_manager::server::{bench, bench_audit, bench_costs, bench_load};

/// Benchmarks of MSP Server Manager: each fills a temporary database (or
/// the one given) and prints median, p95 and max of what it measures.
#[derive(Parser)]
#[command(name = "msp-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// usage reports over real HTTP against the database's raw commit rate, and the close of a month with many customers.
    Metering {
        /// An empty PostgreSQL (or SQLite) database to fill; default: a temporary SQLite file.
        #[arg(long)]
        database_url: Option<String>,
        /// How many customers report.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// How many reports to send.
        #[arg(long, default_value_t = 50_000)]
        reports: usize,
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
    },
    /// fill a temporary database with customers and time the list server function.
    Customers {
        /// How many customers to create.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// Timed calls per scenario.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// many billed customers with years of history, then the cost overview's server functions.
    Costs {
        /// How many billed customers.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// Months of history, the current one included.
        #[arg(long, default_value_t = 36)]
        months: u32,
        /// Timed calls per scenario.
        #[arg(long, default_value_t = 40)]
        rounds: usize,
        /// Keep the database at this path instead of a temporary one (filled when missing, reused when present).
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// a million audit entries, then the audit log's server functions (filters, deep pages, export).
    Audit {
        /// How many audit entries.
        #[arg(long, default_value_t = 1_000_000)]
        entries: usize,
        /// Timed calls per scenario.
        #[arg(long, default_value_t = 40)]
        rounds: usize,
    },
    /// a mixed load against a server process (usage reports at a fixed rate while staff browse), on SQLite or PostgreSQL.
    Load {
        /// An empty PostgreSQL (or SQLite) database to fill and serve; default: a temporary SQLite file.
        #[arg(long)]
        database_url: Option<String>,
        /// Customers, each with an API key.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// Usage reports per second, over all customers.
        #[arg(long, default_value_t = 1_000)]
        reports_per_second: u32,
        /// Simulated staff browsing.
        #[arg(long, default_value_t = 20)]
        staff: usize,
        /// How long the load runs, in seconds.
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        /// Connections the reports are spread over.
        #[arg(long, default_value_t = 50)]
        connections: usize,
        /// The `msp-manager` binary to serve with; default: the one next to this program.
        #[arg(long)]
        server: Option<PathBuf>,
    },
}

/// The `msp-manager` binary beside this one.
fn sibling_server() -> anyhow::Result<PathBuf> {
    let here = std::env::current_exe().context("cannot find this program's path")?;
    let server = here.with_file_name("msp-manager");
    anyhow::ensure!(
        server.is_file(),
        "{} is missing: build the app first (README, \"Benchmarks\"), or pass --server PATH",
        server.display()
    );
    Ok(server)
}

async fn run() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Metering { database_url, customers, reports, connections } => {
            bench::metering(database_url, customers, reports, connections).await
        }
        Command::Customers { customers, rounds } => bench::customers_list(customers, rounds).await,
        Command::Costs { customers, months, rounds, keep } => bench_costs::run(customers, months, rounds, keep).await,
        Command::Audit { entries, rounds } => bench_audit::run(entries, rounds).await,
        Command::Load { database_url, customers, reports_per_second, staff, seconds, connections, server } => {
            let plan = bench_load::LoadPlan {
                database_url,
                customers,
                reports_per_second,
                staff,
                duration: std::time::Duration::from_secs(seconds),
                connections,
                server: match server {
                    Some(path) => path,
                    None => sibling_server()?,
                },
            };
            bench_load::run(plan).await
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
