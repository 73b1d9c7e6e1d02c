//! `msp-manager bench-customers`: fills a temporary database with many
//! customers and times the list server function over the real router.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request};
use chrono::Utc;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

use super::config::Config;
use super::db::{self, begin_write};
use super::router::build_router;
use super::state::AppState;
use super::{customers, sessions, staff};
use crate::domain::customer::CustomerForm;
use crate::domain::customer_list::{ListQuery, ListTab, SortKey};
use crate::domain::{Password, Role, Username};

const NAMES: [&str; 12] = [
    "Müller",
    "Schmidt",
    "Acme",
    "Globex",
    "Nordlicht",
    "Bäckerei",
    "Initech",
    "Krüger",
    "Sakura",
    "Björk",
    "Fischer",
    "Hoffmann",
];

fn form(i: usize) -> CustomerForm {
    CustomerForm {
        name: format!("{} {i:05}", NAMES[i % NAMES.len()]),
        billed: i % 10 < 7,
        contract_end: (Utc::now().date_naive() + chrono::Duration::days(1 + (i as i64 * 13) % 700)).to_string(),
        database_name: format!("customer_{i:05}"),
        max_users: (1 + (i * 37) % 2000).to_string(),
        limit_user_creation: i.is_multiple_of(2),
        options: vec!["web_access".to_owned()],
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

pub async fn customers_list(count: usize, rounds: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("msp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let db = db::connect(&url).await?;
    let started = Instant::now();
    for i in 0..count {
        let id = customers::create(&db, "bench", &form(i)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if i % 10 == 9 {
            customers::deactivate(&db, "bench", id, 1, "bench").await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    println!("filled {count} customers in {:.1} s", started.elapsed().as_secs_f64());

    let name = Username::parse("bench-viewer")?;
    let staff_id = staff::create(&db, "bench", &name, &Password::parse("bench password 123")?, Role::Viewer)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = begin_write(&db).await?;
    let token = sessions::create(&mut tx, staff_id, Utc::now()).await?;
    tx.commit().await?;
    let config = Config::for_database(&url);
    let cookie = format!("{}={token}", config.session_cookie_name());
    let options = LeptosOptions::builder().output_name("msp-manager").build();
    let router = build_router(AppState::new(options, db.clone(), config));

    let scenarios = [
        ("first page of 50 (Billed, by name)", ListQuery::default()),
        ("page 100 of Billed", ListQuery { page: 100, ..Default::default() }),
        (
            "sorted by contract end, descending",
            ListQuery { sort: SortKey::ContractEnd, descending: true, ..Default::default() },
        ),
        ("name search \"müller\"", ListQuery { search: "müller".into(), ..Default::default() }),
        ("name search \"00042\" (one hit)", ListQuery { search: "00042".into(), ..Default::default() }),
        ("Deactivated tab", ListQuery { tab: ListTab::Deactivated, ..Default::default() }),
    ];
    println!("list server function over the router, {rounds} calls each (after 10 warm-up calls):");
    println!("{:<40} {:>9} {:>9} {:>9}", "scenario", "median", "p95", "max");
    for (label, query) in scenarios {
        let body = serde_json::json!({ "query": query }).to_string();
        let mut times = Vec::with_capacity(rounds);
        for round in 0..rounds + 10 {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/api/customers/list")
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &cookie)
                .body(Body::from(body.clone()))?;
            let t0 = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            let elapsed = t0.elapsed();
            anyhow::ensure!(!bytes.is_empty(), "empty answer");
            if round == 0 {
                let page: crate::api::customers::CustomerPage = serde_json::from_slice(&bytes)?;
                anyhow::ensure!(!page.rows.is_empty(), "{label}: no rows");
            }
            if round >= 10 {
                times.push(elapsed);
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label:<40} {:>7.2}ms {:>7.2}ms {:>7.2}ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO))
        );
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
