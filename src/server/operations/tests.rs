use chrono::Utc;

use super::*;
use crate::domain::usage::UsageReport;
use crate::server::billing_tests::billed_customer;
use crate::server::db::testing;
use crate::server::metering;

#[tokio::test]
async fn a_backup_taken_while_reports_are_written_is_whole_and_opens_as_a_database() {
    let t = testing::fresh_sqlite().await;
    let id = billed_customer(&t, "Acme").await;
    let writer = {
        let db = t.db.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                let report = UsageReport { report_id: format!("r{i}"), observed_at: Utc::now(), users: 10 + i % 7 };
                metering::ingest(&db, id, &report, Utc::now()).await.unwrap();
            }
        })
    };
    let dir = testing::TempDir::create();
    let file = dir.path.join("backups/copy.db");
    tokio::task::yield_now().await;
    let size = backup(&t.db, &file).await.unwrap();
    writer.await.unwrap();
    assert!(size > 0);

    let copy = db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    assert!(missing_migrations(&copy).await.unwrap().is_empty());
    let broken: Vec<(String, i64, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&copy).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let (copied, live): (i64, i64) = (
        sqlx::query_scalar("SELECT COUNT(*) FROM usage_reports").fetch_one(&copy).await.unwrap(),
        sqlx::query_scalar("SELECT COUNT(*) FROM usage_reports").fetch_one(&t.db).await.unwrap(),
    );
    assert!(copied > 0 && copied <= live && live >= 300, "{copied} of {live}");
    // Every report in the copy has its daily snapshot: no half-written report.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM usage_reports r WHERE NOT late AND NOT EXISTS \
         (SELECT 1 FROM usage_daily d WHERE d.customer_id = r.customer_id AND d.day = r.day AND d.peak_users >= r.users)",
    )
    .fetch_one(&copy)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let t = testing::fresh_sqlite().await;
    let dir = testing::TempDir::create();
    let file = dir.path.join("taken.db");
    std::fs::write(&file, b"keep me").unwrap();
    let error = backup(&t.db, &file).await.unwrap_err();
    assert!(error.to_string().contains("exists already"), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

#[tokio::test]
async fn check_finds_a_healthy_database_and_says_when_no_admin_exists() {
    let t = testing::fresh().await;
    let health = check(&t.db, "sqlite://test").await.unwrap();
    assert!(health.lines.iter().any(|l| l.contains("schema: up to date")), "{:?}", health.lines);
    let integrity = health.lines.iter().any(|l| l == "integrity (quick check): ok");
    assert_eq!(integrity, testing::backend() == db::Backend::Sqlite, "{:?}", health.lines);
    assert_eq!(health.problems.len(), 1, "{:?}", health.problems);
    assert!(health.problems[0].contains("no active admin"));

    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .execute(&t.db)
        .await
        .unwrap();
    let health = check(&t.db, "sqlite://test").await.unwrap();
    assert!(health.problems.iter().any(|p| p.contains("migrations not applied")), "{:?}", health.problems);
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_database_its_wal_and_every_backup_are_readable_by_their_owner_only() {
    let dir = testing::TempDir::create();
    let file = dir.path.join("data/new/msp.db");
    let db = db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
    write_an_entry(&db).await;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    for side in ["msp.db-wal", "msp.db-shm"] {
        assert_eq!(mode(&file.with_file_name(side)), 0o600, "{side}");
    }
    let copy = dir.path.join("backups/nightly/copy.db");
    backup(&db, &copy).await.unwrap();
    assert_eq!(mode(&copy), 0o600);
    assert_eq!(mode(copy.parent().unwrap()), 0o700);
}

async fn write_an_entry(db: &Db) {
    let mut tx = db::begin_write(db).await.unwrap();
    crate::server::audit::record(&mut tx, "ada", "settings.changed", "settings", "", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
}
