//! Each event from its real cause: usage reports crossing a license's
//! thresholds, a server falling silent and reporting again, a late report,
//! a month overdue for its close, a locked-out account, a failing job.
//! Once per crossing, also when reports of one customer arrive at once.

use chrono::{DateTime, Duration, Utc};

use super::db::testing::{self, TestDb};
use super::events;
use super::fixtures::customer_form;
use super::{billing, customers, jobs, metering};
use crate::domain::customer::CustomerForm;
use crate::domain::usage::UsageReport;

/// An active billed customer with `max` users, a hard limit or not,
/// created at `created`.
async fn customer(t: &TestDb, name: &str, max: u32, hard_limit: bool, created: DateTime<Utc>) -> i64 {
    let form =
        CustomerForm { max_users: max.to_string(), limit_user_creation: hard_limit, ..customer_form(name, true, &[]) };
    customers::create(&t.db, "otto", &form, created).await.unwrap().id
}

async fn report(t: &TestDb, id: i64, n: usize, at: DateTime<Utc>, users: u32) {
    let r = UsageReport { report_id: format!("r{n}"), observed_at: at, users };
    metering::ingest(&t.db, id, &r, at).await.unwrap();
}

/// The events written so far, oldest first: kind and data.
async fn told(t: &TestDb) -> Vec<(String, serde_json::Value)> {
    events::after(&t.db, 0, 10_000).await.unwrap().into_iter().map(|(_, e)| (e.kind, e.data)).collect()
}

async fn kinds(t: &TestDb) -> Vec<String> {
    told(t).await.into_iter().map(|(kind, _)| kind).collect()
}

#[tokio::test]
async fn license_thresholds_are_told_once_per_crossing() {
    let t = testing::fresh().await;
    let start = Utc::now() - Duration::hours(2);
    let id = customer(&t, "Acme", 10, true, start).await;
    let soft = customer(&t, "Soft", 10, false, start).await;
    // users over time: below, 80 %, stays, 100 % (hard limit), stays, falls
    // below 80 %, 80 % again, straight to 100 %.
    let users = [5, 8, 9, 10, 11, 7, 8, 4, 10];
    for (n, users) in users.into_iter().enumerate() {
        report(&t, id, n, start + Duration::minutes(n as i64 + 1), users).await;
    }
    let license: Vec<(String, serde_json::Value)> = told(&t)
        .await
        .into_iter()
        .map(|(kind, data)| (kind, data.get("percent").cloned().unwrap_or(data["users"].clone())))
        .collect();
    let expected = [
        ("license.threshold", 80),
        ("license.threshold", 100),
        ("license.hard_limit_reached", 10),
        ("license.threshold", 80),
        ("license.threshold", 100),
        ("license.hard_limit_reached", 10),
    ]
    .map(|(kind, value)| (kind.to_owned(), serde_json::json!(value)));
    assert_eq!(license, expected);
    let first = &told(&t).await[0].1;
    assert_eq!(first["users"], 8);
    assert_eq!(first["max_users"], 10);
    assert_eq!(first["customer"]["path"], format!("/customers/{id}"));

    // Without a hard limit, 100 % is a threshold and nothing more.
    report(&t, soft, 100, start + Duration::minutes(1), 10).await;
    let soft_kinds: Vec<String> = events::after(&t.db, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| e.customer_id == Some(soft))
        .map(|(_, e)| e.kind)
        .collect();
    assert_eq!(soft_kinds, ["license.threshold"]);

    // An older report arriving after a newer one is not the current count:
    // it moves nothing.
    let before = told(&t).await.len();
    report(&t, soft, 101, start, 1).await;
    report(&t, soft, 102, start + Duration::minutes(2), 10).await;
    assert_eq!(told(&t).await.len(), before);
}

#[tokio::test]
async fn reports_arriving_at_once_cross_a_threshold_once() {
    let t = testing::fresh().await;
    let start = Utc::now() - Duration::hours(1);
    let id = customer(&t, "Busy", 10, false, start).await;
    let sends = (0..24).map(|n| {
        let db = t.db.clone();
        async move {
            let r = UsageReport { report_id: format!("p{n}"), observed_at: start + Duration::seconds(n), users: 9 };
            metering::ingest(&db, id, &r, start + Duration::minutes(5)).await.unwrap();
        }
    });
    futures_util::future::join_all(sends).await;
    assert_eq!(kinds(&t).await, ["license.threshold"]);
}

#[tokio::test]
async fn a_silent_server_is_told_once_and_its_return_once() {
    let t = testing::fresh().await;
    let start = Utc::now() - Duration::days(10);
    let quiet = customer(&t, "Quiet", 100, false, start).await;
    let never = customer(&t, "Never", 100, false, start).await;
    let fresh = customer(&t, "Fresh", 100, false, start + Duration::days(9)).await;
    report(&t, quiet, 1, start + Duration::days(1), 5).await;

    // Two days and an hour after its last report: silent (and the customer
    // that never reported, counted from its creation; not the one created
    // a day ago).
    let day3 = start + Duration::days(3) + Duration::hours(1);
    let (a, b) = tokio::join!(jobs::announce_silent_servers(&t.db, day3), jobs::announce_silent_servers(&t.db, day3));
    assert_eq!(a.unwrap() + b.unwrap(), 2, "two runs at once announce each silence once");
    assert_eq!(jobs::announce_silent_servers(&t.db, day3 + Duration::days(1)).await.unwrap(), 0, "still silent");
    let silent: Vec<(Option<i64>, serde_json::Value)> = events::after(&t.db, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, e)| (e.customer_id, e.data["last_report_at"].clone()))
        .collect();
    assert_eq!(silent.len(), 2);
    assert_eq!(silent[0].0, Some(quiet));
    assert!(silent[0]
        .1
        .as_str()
        .is_some_and(|at| at.starts_with(&(start + Duration::days(1)).date_naive().to_string())));
    assert_eq!(silent[1], (Some(never), serde_json::Value::Null));

    // A backlog of old reports does not end the silence; a fresh one does, once.
    let now = start + Duration::days(9);
    let r = UsageReport { report_id: "old".into(), observed_at: start + Duration::days(2), users: 5 };
    metering::ingest(&t.db, quiet, &r, now).await.unwrap();
    assert_eq!(kinds(&t).await, ["usage.silent", "usage.silent"]);
    for n in 0..3 {
        let r = UsageReport { report_id: format!("back{n}"), observed_at: now - Duration::minutes(3 - n), users: 5 };
        metering::ingest(&t.db, quiet, &r, now).await.unwrap();
    }
    assert_eq!(kinds(&t).await, ["usage.silent", "usage.silent", "usage.resumed"]);
    // Silent again later: a new silence, told again.
    assert_eq!(jobs::announce_silent_servers(&t.db, now + Duration::days(3)).await.unwrap(), 2, "quiet and fresh");
    let _ = fresh;
}

#[tokio::test]
async fn many_silent_servers_are_told_in_short_transactions_each_once() {
    let t = testing::fresh().await;
    let start = Utc::now() - Duration::days(10);
    // More than two of the job's transactions' worth, none ever reported.
    let mut ids = Vec::new();
    for i in 0..450 {
        ids.push(customer(&t, &format!("Quiet {i:03}"), 100, false, start).await);
    }
    let later = start + Duration::days(3);
    let (a, b) = tokio::join!(jobs::announce_silent_servers(&t.db, later), jobs::announce_silent_servers(&t.db, later));
    assert_eq!(a.unwrap() + b.unwrap(), 450, "two runs at once announce each silence once");
    let mut told: Vec<i64> = events::after(&t.db, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| e.kind == "usage.silent")
        .filter_map(|(_, e)| e.customer_id)
        .collect();
    told.sort_unstable();
    assert_eq!(told, ids, "one usage.silent for every customer");
    let marked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE usage_silent = TRUE").fetch_one(&t.db).await.unwrap();
    assert_eq!(marked, 450);
    assert_eq!(jobs::announce_silent_servers(&t.db, later + Duration::hours(1)).await.unwrap(), 0);
}

#[tokio::test]
async fn a_late_report_is_told_once_per_customer_and_closed_month() {
    let t = testing::fresh().await;
    let id = super::billing_tests::billed_customer(&t, "Acme").await;
    let last = super::billing_tests::this_month().previous();
    billing::close_month(&t.db, "otto", last, Utc::now()).await.unwrap();
    for n in 0..3 {
        let at = super::billing_tests::last_month_at(10 + n);
        let r = UsageReport { report_id: format!("late{n}"), observed_at: at, users: 40 };
        assert!(metering::ingest(&t.db, id, &r, Utc::now()).await.unwrap().late);
    }
    let late: Vec<(String, serde_json::Value)> =
        told(&t).await.into_iter().filter(|(kind, _)| kind == "usage.late_report").collect();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(late[0].1["month"], last.to_string());
    assert_eq!(late[0].1["users"], 40);
}

#[tokio::test]
async fn a_month_past_its_close_is_told_once() {
    let t = testing::fresh().await;
    super::billing_tests::billed_customer(&t, "Acme").await;
    let now = Utc::now();
    // The month before last is past its grace (7 days after the end of last
    // month at the latest); nothing has closed it.
    let (a, b) = tokio::join!(jobs::announce_overdue_months(&t.db, now), jobs::announce_overdue_months(&t.db, now));
    let written = a.unwrap() + b.unwrap();
    let overdue: Vec<String> = told(&t)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "month.close_overdue")
        .map(|(_, data)| data["month"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(overdue.len(), written);
    let months = billing::months(&t.db, now).await.unwrap();
    let expected: Vec<String> =
        billing::overdue(&months, now.date_naive()).into_iter().map(|(m, _)| m.to_string()).collect();
    assert!(!expected.is_empty(), "the month before last is overdue");
    assert_eq!(overdue, expected);
    // Closed by the job: nothing more to tell.
    billing::close_due_months(&t.db, now).await.unwrap();
    assert_eq!(jobs::announce_overdue_months(&t.db, now).await.unwrap(), 0);
}
