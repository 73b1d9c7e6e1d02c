//! The database connection: one SQLite file (WAL, foreign keys, busy timeout
//! on every connection), migrations at start, and write transactions that
//! take the write lock up front (`BEGIN IMMEDIATE`).

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub type Db = SqlitePool;
pub type WriteTx = Transaction<'static, Sqlite>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (and creates, if needed) the database at `url`, e.g.
/// `sqlite://data/msp.db`, and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("DATABASE_URL is not a valid SQLite URL: {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the database folder {}", parent.display()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(16)
        // An in-process file does not go stale: no ping before each use.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    MIGRATOR.run(&pool).await.context("cannot apply the database migrations")?;
    Ok(pool)
}

/// Starts a write transaction that holds the write lock from its first
/// statement on, so that two writers never deadlock on a lock upgrade.
pub async fn begin_write(db: &Db) -> Result<WriteTx, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// Free space for the database file (what an unprivileged writer may use)
/// on the file system of `url`'s folder, if it is a file.
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

/// The size of the database file(s) in bytes, WAL included.
pub async fn size_bytes(db: &Db) -> Result<i64, sqlx::Error> {
    let pages: i64 = sqlx::query_scalar("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        .fetch_one(db)
        .await?;
    Ok(pages)
}

#[cfg(test)]
pub mod testing {
    use super::*;

    /// A fresh database file in a temporary folder, removed when dropped.
    pub struct TestDb {
        pub db: Db,
        _dir: TempDir,
    }

    pub async fn fresh() -> TestDb {
        let dir = TempDir::create();
        let url = format!("sqlite://{}/test.db", dir.path.display());
        let db = connect(&url).await.expect("test database");
        TestDb { db, _dir: dir }
    }

    pub struct TempDir {
        pub path: std::path::PathBuf,
    }

    impl TempDir {
        pub fn create() -> Self {
            use rand::Rng;
            let name: u64 = rand::thread_rng().gen();
            let path = std::env::temp_dir().join(format!("msp-test-{name:016x}"));
            std::fs::create_dir_all(&path).expect("temp dir");
            Self { path }
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_disk_is_read_from_the_database_folder() {
        let dir = testing::TempDir::create();
        let free = free_disk_bytes(&format!("sqlite://{}/msp.db", dir.path.display()));
        assert!(free.is_some_and(|bytes| bytes > 0), "{free:?}");
        assert_eq!(free_disk_bytes("postgres://not-sqlite"), None);
    }

    #[tokio::test]
    async fn every_connection_has_wal_foreign_keys_and_a_busy_timeout() {
        let t = testing::fresh().await;
        let mut conn = t.db.acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap();
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
        assert_eq!(timeout, 5000);
    }

    #[tokio::test]
    async fn migrations_are_applied_and_can_run_twice() {
        let t = testing::fresh().await;
        MIGRATOR.run(&t.db).await.unwrap();
        let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff").fetch_one(&t.db).await.unwrap();
        assert_eq!(staff, 0);
    }

    #[tokio::test]
    async fn a_write_transaction_that_is_dropped_writes_nothing() {
        let t = testing::fresh().await;
        {
            let mut tx = begin_write(&t.db).await.unwrap();
            sqlx::query("INSERT INTO audit_log (at, actor, action) VALUES ($1, 'test', 'x')")
                .bind(chrono::Utc::now())
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&t.db).await.unwrap();
        assert_eq!(n, 0);
    }
}
