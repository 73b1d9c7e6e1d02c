//! Databases for tests: a fresh one per test, of the backend under test,
//! removed when the test ends. On PostgreSQL each is a copy of a template
//! database migrated once (per set of migrations), which is much quicker
//! than migrating every test's database.

use super::*;

/// The PostgreSQL server the tests run on instead of SQLite: an admin
/// URL of a throwaway server (`.ci/test` starts one). Unset: SQLite.
pub const POSTGRES_ENV: &str = "MSP_TEST_POSTGRES";

/// A fresh, empty database of the backend under test, with its schema:
/// a SQLite file in a temporary folder, or a new database on the test
/// PostgreSQL server; either is removed when this is dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<TempDir>,
    _postgres: Option<PostgresDb>,
}

/// A database on the test PostgreSQL server, dropped with its `TestDb`.
struct PostgresDb {
    server: String,
    name: String,
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // This may run inside the test's runtime: the DROP gets a thread
        // and a runtime of its own. `FORCE` ends the connections still open.
        let dropped = std::thread::spawn(move || -> Result<(), sqlx::Error> {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let mut admin = sqlx::postgres::PgConnection::connect(&server).await?;
                admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("the test database {} was not dropped: {dropped:?}", self.name);
        }
    }
}

pub fn backend() -> Backend {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Whether PostgreSQL has planner statistics of `table`.
pub async fn has_statistics(db: &Db, table: &str) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1")
        .bind(table)
        .fetch_one(db)
        .await
        .unwrap()
        > 0
}

/// Keeps PostgreSQL's autovacuum from analysing `tables` while a test
/// looks at who gathered their statistics.
pub async fn without_autovacuum(db: &Db, tables: &[&str]) {
    for table in tables {
        sqlx::query(&format!("ALTER TABLE {table} SET (autovacuum_enabled = false)")).execute(db).await.unwrap();
    }
}

pub async fn fresh() -> TestDb {
    match backend() {
        Backend::Sqlite => fresh_sqlite().await,
        Backend::Postgres => fresh_postgres().await,
    }
}

/// For what only SQLite has (its file, `VACUUM INTO`, pragmas).
pub async fn fresh_sqlite() -> TestDb {
    let dir = TempDir::create();
    let url = format!("sqlite://{}/test.db", dir.path.display());
    let db = connect(&url).await.expect("test database");
    TestDb { db, url, _dir: Some(dir), _postgres: None }
}

async fn fresh_postgres() -> TestDb {
    use rand::Rng;
    let server = std::env::var(POSTGRES_ENV).expect("the test PostgreSQL server's URL");
    let template = migrated_template(&server).await;
    let name = format!("msp_test_{:016x}", rand::thread_rng().gen::<u64>());
    let mut admin = sqlx::postgres::PgConnection::connect(&server).await.expect("the test PostgreSQL server");
    admin.execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str()).await.expect("a test database");
    admin.close().await.ok();
    let url = database_url(&server, &name);
    let db = connect(&url).await.expect("test database");
    TestDb { db, url, _dir: None, _postgres: Some(PostgresDb { server, name }) }
}

fn database_url(server: &str, name: &str) -> String {
    let (host, _) = server.rsplit_once('/').expect("a URL with a database name");
    format!("{host}/{name}")
}

/// The name of the template database with every migration applied, made
/// on first use. Its name holds the migrations' checksums, so a changed
/// migration gets a new template. It is migrated under a temporary name
/// and renamed when complete: a test never copies a half-migrated one,
/// and two test processes making it at once both end up with one.
async fn migrated_template(server: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use rand::Rng;
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for migration in Backend::Postgres.migrator().iter() {
                (migration.version, &migration.checksum[..]).hash(&mut hasher);
            }
            let template = format!("msp_template_{:016x}", hasher.finish());
            let mut admin = sqlx::postgres::PgConnection::connect(server).await.expect("the test PostgreSQL server");
            let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&template)
                .fetch_optional(&mut admin)
                .await
                .expect("the list of databases");
            if exists.is_none() {
                let making = format!("msp_making_{:016x}", rand::thread_rng().gen::<u64>());
                admin.execute(format!("CREATE DATABASE {making}").as_str()).await.expect("a template database");
                let pool = connect(&database_url(server, &making)).await.expect("the template's migrations");
                pool.close().await;
                let renamed = admin.execute(format!("ALTER DATABASE {making} RENAME TO {template}").as_str()).await;
                if renamed.is_err() {
                    // Another process made it first.
                    admin.execute(format!("DROP DATABASE {making}").as_str()).await.ok();
                }
            }
            admin.close().await.ok();
            template
        })
        .await
        .clone()
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
