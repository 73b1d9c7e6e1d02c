//! The database: one SQLite file (the embedded default) or PostgreSQL (the
//! scale-out backend, chosen by a `postgres://` URL). Every query is written
//! once, in portable SQL with `$1` placeholders, and runs through sqlx's
//! `Any` driver on either backend.
//!
//! Portable storage rules (see the migrations of each backend):
//! - timestamps are RFC 3339 text in UTC and days `YYYY-MM-DD` text, written
//!   and read through [`Time`] and [`Day`], so both sort as text;
//! - booleans are `BOOLEAN` columns, bound as Rust `bool`, and read as
//!   `CAST(column AS INTEGER)` into [`Flag`] (the `Any` driver cannot read
//!   a SQLite column declared `BOOLEAN`);
//! - money and counts are integers; a `SUM` is `CAST(SUM(..) AS BIGINT)`
//!   (PostgreSQL's sum of integers is `NUMERIC`).
//!
//! Every write transaction holds the database's one write lock from its
//! first statement on: `BEGIN IMMEDIATE` on SQLite, a transaction-scoped
//! advisory lock on PostgreSQL. So a check and the write that depends on it
//! (the last admin, a month close, a late usage report) never race, within
//! one instance or across many.

use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyTypeInfo};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{
    Any, AnyPool, Arguments, ConnectOptions, Connection, Database, Decode, Encode, Executor, Transaction, Type,
};

pub type Db = AnyPool;
pub type WriteTx = Transaction<'static, Any>;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The key of the advisory lock that stands for PostgreSQL's write lock.
const WRITE_LOCK_KEY: i64 = 0x006d_7370_5f6d_6772;

/// The key of the advisory lock a month's close holds on PostgreSQL while
/// it freezes statements without the write lock: one close at a time.
const CLOSE_LOCK_KEY: i64 = 0x006d_7370_5f63_6c6f;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    pub fn of(db: &Db) -> Self {
        Self::of_url(db.connect_options().database_url.as_str()).unwrap_or(Self::Sqlite)
    }

    /// The migrations of this backend (`migrations/sqlite`, `migrations/postgres`).
    pub fn migrator(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATOR,
            Self::Postgres => &POSTGRES_MIGRATOR,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// `url` as it may be shown or logged: without a password.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_owned(),
    }
}

/// Opens the database at `url` (`sqlite://data/msp.db`, created if needed,
/// or `postgres://user:password@host/name`) and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    let backend = Backend::of_url(url)?;
    if backend == Backend::Sqlite {
        create_sqlite_file(url).await?;
    }
    let pool = pool_options(backend, "")
        .max_connections(16)
        .connect(url)
        .await
        .with_context(|| format!("cannot open the {} database", backend.name()))?;
    backend.migrator().run(&pool).await.context("cannot apply the database migrations")?;
    if let Err(error) = analyze_unanalyzed(&pool).await {
        // Only the first minute's query plans suffer: autovacuum analyzes
        // the tables later.
        tracing::warn!(%error, "cannot gather the tables' planner statistics");
    }
    Ok(pool)
}

/// On PostgreSQL, gathers the planner statistics of every table of ours
/// that holds rows but has none: after a restore (a dump carries no
/// statistics) or an import, and in a database filled just before the
/// start. Without them the first minute, until autovacuum's first visit,
/// ran on guessed plans (a customer list 29 ms a query instead of 5, the
/// usage reports' p99 at 1,000 a second 83–90 ms instead of 55–72). Takes well
/// under a second for 10,000 customers; nothing to do once analyzed, and
/// nothing on SQLite, whose planner does without.
async fn analyze_unanalyzed(db: &Db) -> Result<(), sqlx::Error> {
    if Backend::of(db) != Backend::Postgres {
        return Ok(());
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND pg_relation_size(c.oid) > 0 \
         AND NOT EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname) \
         ORDER BY c.relname",
    )
    .fetch_all(db)
    .await?;
    analyze(db, &tables).await
}

/// Gathers `tables`' planner statistics on PostgreSQL at once, rather
/// than when autovacuum comes by (it may not: a month's statements are
/// under a tenth of a year's, too few for its threshold, and its last
/// statistics do not know the new month). Nothing on SQLite.
pub async fn analyze<S: AsRef<str>>(db: &Db, tables: &[S]) -> Result<(), sqlx::Error> {
    if Backend::of(db) != Backend::Postgres || tables.is_empty() {
        return Ok(());
    }
    let list: Vec<&str> = tables.iter().map(AsRef::as_ref).collect();
    sqlx::query(&format!("ANALYZE {}", list.join(", "))).execute(db).await?;
    Ok(())
}

/// The usage writer's pool: one connection of its own on `db`'s database,
/// opened by the writer as it starts on its own runtime
/// (`metering::run_writer`), with the same settings and on SQLite
/// [`SQLITE_WRITER_SETTINGS`]. The writer never waits for a connection
/// behind the pages, and its connection belongs to the runtime it runs on
/// (a PostgreSQL socket is woken by the runtime that opened it; see
/// `page_threads`).
pub fn writer_pool(db: &Db) -> Db {
    let backend = Backend::of(db);
    let extra = match backend {
        Backend::Sqlite => SQLITE_WRITER_SETTINGS,
        Backend::Postgres => "",
    };
    pool_options(backend, extra).max_connections(1).connect_lazy_with((*db.connect_options()).clone())
}

/// How every pool of ours opens and hands out connections, with `extra`
/// statements (empty for the common pool) run on each new connection after
/// the common settings.
fn pool_options(backend: Backend, extra: &'static str) -> AnyPoolOptions {
    let settings = match backend {
        Backend::Sqlite => SQLITE_CONNECTION_SETTINGS,
        Backend::Postgres => POSTGRES_CONNECTION_SETTINGS,
    };
    let options = AnyPoolOptions::new().after_connect(move |conn, _| {
        Box::pin(async move {
            conn.execute(settings).await?;
            if !extra.is_empty() {
                conn.execute(extra).await?;
            }
            Ok(())
        })
    });
    match backend {
        // An in-process file does not go stale: no ping before each use.
        Backend::Sqlite => options.test_before_acquire(false),
        Backend::Postgres => options.acquire_timeout(Duration::from_secs(10)),
    }
}

/// Set on every SQLite connection. `synchronous = FULL`: a transaction is
/// on disk before its commit returns, so an acknowledged usage report
/// survives a crash of the machine, not only of the process (README,
/// "Durability"). `wal_autocheckpoint`: the WAL is copied into the
/// database file once it holds 4,000 pages (about 16 MB) rather than
/// SQLite's 1,000. The copy runs in the commit that crosses the mark, most
/// often the usage writer's, and a batch of reports writes a few hundred
/// pages, most of them again and again the same (the customers' newest
/// counts, days and rate-limit windows): a checkpoint every few batches
/// copied them each time, one every dozen or so batches copies them once
/// (README, "Benchmarks").
const SQLITE_CONNECTION_SETTINGS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 4000;";

/// Set on the usage writer's SQLite connection besides the common
/// settings. `temp_store = MEMORY`: a statement of many rows inside a
/// transaction keeps its statement journal (to undo that statement alone)
/// in memory, instead of creating and deleting a file for each batch; a
/// batch is at most 256 requests, so the journal stays small. `cache_size`
/// 32 MB instead of SQLite's 2 MB: the writer touches random customers'
/// pages, and with the small cache read most of them back from the file
/// in each batch (about one read per report); the cache fills only as far
/// as the database's pages are used (README, "Benchmarks").
const SQLITE_WRITER_SETTINGS: &str = "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768;";

/// Set on every PostgreSQL connection. No JIT compilation: our queries
/// are short, and tables of one row that autovacuum never analyses (the
/// sign-in policy, the billing settings) make the planner guess costs
/// above `jit_above_cost`, so a server built with LLVM compiled the
/// session check of every page (30–250 ms of CPU each; README,
/// "Scaling out").
const POSTGRES_CONNECTION_SETTINGS: &str = "SET jit = off";

/// Creates a folder and its missing parents readable by this user only (0700).
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Creates an empty file readable by this user only (0600); fails if it exists.
pub fn create_private_file(file: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file).map(drop)
}

/// Creates the SQLite file (and its folder) if missing, in WAL mode. A new
/// file is readable by this user only (0600, its folder 0700), and SQLite
/// gives its WAL and shared-memory files the same mode.
async fn create_sqlite_file(url: &str) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("DATABASE_URL is not a valid SQLite URL: {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(BUSY_TIMEOUT);
    let file = options.get_filename();
    let in_memory = file.as_os_str().is_empty() || file.to_string_lossy().starts_with(':');
    if !in_memory {
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent)
                .with_context(|| format!("cannot create the database folder {}", parent.display()))?;
        }
        match create_private_file(file) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error).with_context(|| format!("cannot create the database {}", file.display())),
        }
    }
    options.connect().await.with_context(|| format!("cannot open the database {url}"))?.close().await?;
    Ok(())
}

/// Starts a write transaction that holds the write lock from its first
/// statement on, so that two writers never deadlock on a lock upgrade and
/// a check inside it stays true until the commit.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    begin_holding(db, WRITE_LOCK_KEY).await
}

/// Starts the transaction of a month's close. On SQLite it is a write
/// transaction like any other. On PostgreSQL it holds only the close lock,
/// so usage batches and staff changes go on while it freezes statements;
/// it takes the write lock with [`hold_write_lock`] for its last
/// statements. Always the close lock first, then the write lock, never
/// the other way round: no deadlock.
pub async fn begin_close(db: &Db) -> Result<WriteTx, sqlx::Error> {
    begin_holding(db, CLOSE_LOCK_KEY).await
}

/// A transaction that holds SQLite's write lock, or PostgreSQL's advisory
/// lock `key`, from its start.
async fn begin_holding(db: &Db, key: i64) -> Result<WriteTx, sqlx::Error> {
    match Backend::of(db) {
        Backend::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            advisory_lock(&mut tx, key).await?;
            Ok(tx)
        }
    }
}

/// Takes the write lock inside a transaction from [`begin_close`] (a
/// SQLite transaction holds it from its start).
pub async fn hold_write_lock(db: &Db, tx: &mut WriteTx) -> Result<(), sqlx::Error> {
    if Backend::of(db) == Backend::Postgres {
        advisory_lock(tx, WRITE_LOCK_KEY).await?;
    }
    Ok(())
}

/// PostgreSQL's advisory lock `key`, held until the transaction ends.
async fn advisory_lock(tx: &mut WriteTx, key: i64) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut **tx).await?;
    Ok(())
}

/// The condition that picks one customer (`only`, bound as `$n`) or every
/// one (`$n` bound as -1) by `column`. Written out per case: in
/// `$n < 0 OR column = $n` neither SQLite's nor PostgreSQL's planner uses
/// the index on `column`, so one customer's read scanned the whole table.
pub fn one_or_all(column: &str, n: usize, only: Option<i64>) -> String {
    match only {
        Some(_) => format!("{column} = ${n}"),
        None => format!("${n} < 0"),
    }
}

/// Free space for the database file (what an unprivileged writer may use)
/// on the file system of `url`'s folder, if it is a SQLite file.
pub fn free_disk_bytes(url: &str) -> Option<u64> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let file = options.get_filename();
    let folder = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let stats = rustix::fs::statvfs(&folder).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// The size of the database in bytes (SQLite: the file with its WAL pages).
pub async fn size_bytes(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = match Backend::of(db) {
        Backend::Sqlite => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        Backend::Postgres => "SELECT pg_database_size(current_database())",
    };
    sqlx::query_scalar(sql).fetch_one(db).await
}

/// How many rows of `columns` values one INSERT of many rows takes. sqlx
/// binds SQLite's parameters by name, and SQLite finds each name by
/// walking its list of them, so binding n values costs about n² steps:
/// statements of 16,000 values made a month's close of 10,000 customers
/// take 9 s instead of well under one; a few hundred values cost
/// microseconds and keep the statements few.
pub fn rows_per_insert(columns: usize) -> usize {
    const VALUES_PER_STATEMENT: usize = 400;
    (VALUES_PER_STATEMENT / columns).max(1)
}

/// SQL put together from parts, with numbered `$n` placeholders for its
/// values (sqlx's `QueryBuilder` writes `?` for the `Any` driver, which
/// PostgreSQL does not take).
#[derive(Default)]
pub struct Sql<'q> {
    text: String,
    args: AnyArguments<'q>,
}

impl<'q> Sql<'q> {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_owned(), args: AnyArguments::default() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds a placeholder for `value`.
    pub fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        // Encoding into the `Any` buffer cannot fail for our value types.
        let _ = self.args.add(value);
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Placeholders for `values`, separated by commas.
    pub fn bind_list<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// The text and its values, for `sqlx::query_as_with` and its kin.
    pub fn build(self) -> (String, AnyArguments<'q>) {
        (self.text, self.args)
    }
}

impl<'q> Sql<'q> {
    /// The INSERTs of `rows`: `head` ("INSERT INTO t (a, b) VALUES "), as
    /// many rows as [`rows_per_insert`] allows for `columns`, each row's
    /// values bound by `values`, then `tail` (ON CONFLICT, RETURNING).
    pub fn inserts<T>(
        head: &str,
        columns: usize,
        rows: &'q [T],
        tail: &str,
        values: impl Fn(&mut Row<'_, 'q>, &'q T),
    ) -> Vec<Self> {
        rows.chunks(rows_per_insert(columns))
            .map(|chunk| {
                let mut sql = Sql::new(head);
                for (i, row) in chunk.iter().enumerate() {
                    sql.push(if i == 0 { "(" } else { ", (" });
                    values(&mut Row { sql: &mut sql, first: true }, row);
                    sql.push(")");
                }
                sql.push(tail);
                sql
            })
            .collect()
    }
}

/// The values of one row of [`Sql::inserts`], separated by commas.
pub struct Row<'a, 'q> {
    sql: &'a mut Sql<'q>,
    first: bool,
}

impl<'q> Row<'_, 'q> {
    pub fn value<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.bind(value);
        self
    }
}

/// A point in time as stored: RFC 3339 text in UTC (`2026-11-26T03:01:57.5+00:00`),
/// which sorts as text in the order of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub DateTime<Utc>);

impl Time {
    pub fn text(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

impl From<DateTime<Utc>> for Time {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<Time> for DateTime<Utc> {
    fn from(time: Time) -> Self {
        time.0
    }
}

/// A calendar day as stored: `YYYY-MM-DD` text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub NaiveDate);

impl From<NaiveDate> for Day {
    fn from(day: NaiveDate) -> Self {
        Self(day)
    }
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> Self {
        day.0
    }
}

/// A boolean as read: `CAST(column AS INTEGER)`, 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> Self {
        flag.0
    }
}

/// Text-stored values (`Time`, `Day`): bound and read as `TEXT`.
macro_rules! stored_as_text {
    ($name:ty, $to_text:expr, $parse:expr) => {
        impl Type<Any> for $name {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <String as Type<Any>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, Any> for $name {
            fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                let text: String = $to_text(self);
                <String as Encode<'q, Any>>::encode(text, buf)
            }
        }

        impl<'r> Decode<'r, Any> for $name {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, Any>>::decode(value)?;
                $parse(text)
            }
        }
    };
}

stored_as_text!(Time, |t: &Time| t.text(), |text: &str| -> Result<Time, BoxDynError> {
    Ok(Time(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc)))
});

stored_as_text!(Day, |d: &Day| d.0.format("%F").to_string(), |text: &str| -> Result<Day, BoxDynError> {
    Ok(Day(NaiveDate::parse_from_str(text, "%F")?))
});

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

#[cfg(test)]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_url_has_no_password() {
        assert_eq!(shown_url("postgres://msp:s3cr%40t@db.example:5432/msp"), "postgres://msp:***@db.example:5432/msp");
        assert_eq!(shown_url("postgres://msp@127.0.0.1:5432/msp"), "postgres://msp@127.0.0.1:5432/msp");
        assert_eq!(shown_url("sqlite://data/msp.db"), "sqlite://data/msp.db");
    }

    #[test]
    fn free_disk_is_read_from_the_database_folder() {
        let dir = testing::TempDir::create();
        let free = free_disk_bytes(&format!("sqlite://{}/msp.db", dir.path.display()));
        assert!(free.is_some_and(|bytes| bytes > 0), "{free:?}");
        assert_eq!(free_disk_bytes("postgres://not-sqlite"), None);
    }

    #[tokio::test]
    async fn every_sqlite_connection_has_wal_full_sync_foreign_keys_a_busy_timeout_and_a_checkpoint_mark() {
        let t = testing::fresh_sqlite().await;
        let mut conn = t.db.acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap();
        let checkpoint: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(checkpoint, 4_000);
        assert_eq!(mode, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(fk, 1);
        assert_eq!(timeout, 5000);
    }

    #[tokio::test]
    async fn the_usage_writers_sqlite_connection_keeps_temporary_data_in_memory_and_a_larger_cache() {
        let t = testing::fresh_sqlite().await;
        let pragma = |db: Db, name: &'static str| async move {
            let value: i64 = sqlx::query_scalar(&format!("PRAGMA {name}")).fetch_one(&db).await.unwrap();
            value
        };
        let writer = writer_pool(&t.db);
        // The common settings, and the writer's own: temp_store 2 = MEMORY,
        // a negative cache_size is KiB.
        assert_eq!(pragma(writer.clone(), "synchronous").await, 2, "FULL");
        assert_eq!(pragma(writer.clone(), "foreign_keys").await, 1);
        assert_eq!(pragma(writer.clone(), "wal_autocheckpoint").await, 4_000);
        assert_eq!(pragma(writer.clone(), "temp_store").await, 2);
        assert_eq!(pragma(writer.clone(), "cache_size").await, -32_768);
        // The other pools keep SQLite's defaults.
        assert_eq!(pragma(t.db.clone(), "temp_store").await, 0);
        assert_eq!(pragma(t.db.clone(), "cache_size").await, -2_000);
    }

    #[tokio::test]
    async fn no_postgresql_connection_compiles_queries_just_in_time() {
        let t = testing::fresh().await;
        if Backend::of(&t.db) != Backend::Postgres {
            return;
        }
        // Every connection of the pool, not only the first.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = t.db.acquire().await.unwrap();
            let jit: String = sqlx::query_scalar("SELECT current_setting('jit')").fetch_one(&mut *conn).await.unwrap();
            assert_eq!(jit, "off");
            held.push(conn);
        }
    }

    #[tokio::test]
    async fn migrations_are_applied_and_can_run_twice() {
        let t = testing::fresh().await;
        Backend::of(&t.db).migrator().run(&t.db).await.unwrap();
        assert_eq!(Backend::of(&t.db), testing::backend());
        let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(&t.db).await.unwrap();
        assert_eq!(staff, 0);
    }

    #[tokio::test]
    async fn on_postgres_a_start_gathers_the_statistics_of_tables_with_rows_and_none() {
        let t = testing::fresh().await;
        if Backend::of(&t.db) != Backend::Postgres {
            return;
        }
        testing::without_autovacuum(&t.db, &["audit_log", "events"]).await;
        for i in 0..200 {
            sqlx::query("INSERT INTO audit_log (at, actor, action) VALUES ($1, 'test', $2)")
                .bind(Time(chrono::Utc::now()))
                .bind(format!("action-{i}"))
                .execute(&t.db)
                .await
                .unwrap();
        }
        assert!(!testing::has_statistics(&t.db, "audit_log").await);
        let started = connect(&t.url).await.unwrap();
        assert!(testing::has_statistics(&started, "audit_log").await, "a table with rows and no statistics");
        assert!(!testing::has_statistics(&started, "events").await, "an empty table is left to autovacuum");
    }

    #[tokio::test]
    async fn a_write_transaction_that_is_dropped_writes_nothing() {
        let t = testing::fresh().await;
        {
            let mut tx = begin_write(&t.db).await.unwrap();
            sqlx::query("INSERT INTO audit_log (at, actor, action) VALUES ($1, 'test', 'x')")
                .bind(Time(chrono::Utc::now()))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&t.db).await.unwrap();
        assert_eq!(n, 0);
    }
}

#[cfg(test)]
mod storage_tests {
    use super::*;

    #[tokio::test]
    async fn times_days_and_flags_read_back_as_written() {
        let t = testing::fresh().await;
        let at = Time(DateTime::parse_from_rfc3339("2026-11-26T03:01:57.25+00:00").unwrap().with_timezone(&Utc));
        let (time, day, yes, no): (Time, Day, Flag, Flag) =
            sqlx::query_as("SELECT $1, $2, CAST($3 = $3 AS INTEGER), CAST($3 <> $3 AS INTEGER)")
                .bind(at)
                .bind(Day(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()))
                .bind(7_i64)
                .fetch_one(&t.db)
                .await
                .unwrap();
        assert_eq!(time, at);
        assert_eq!(time.text(), "2026-11-26T03:01:57.250+00:00");
        assert_eq!(day.0.to_string(), "2026-02-28");
        assert_eq!((yes, no), (Flag(true), Flag(false)));
    }

    #[tokio::test]
    async fn a_write_transaction_waits_for_another_one() {
        let t = testing::fresh().await;
        let first = begin_write(&t.db).await.unwrap();
        let db = t.db.clone();
        let second = tokio::spawn(async move { begin_write(&db).await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!second.is_finished(), "the second writer waits for the lock");
        first.rollback().await.unwrap();
        second.await.unwrap().unwrap();
    }
}
