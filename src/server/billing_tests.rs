//! Settings, price lists, history, forecast and month close against a real
//! SQLite file.

use chrono::{DateTime, Duration, Utc};

use super::billing::{self, close_due_months, close_month, facts_for_month, forecast_of, statements_of_month};
use super::db::testing::{self, TestDb};
use super::{clock, customers, metering};
use crate::domain::billing::{bill_month, LineKind};
use crate::domain::billing_settings::{NewOptionForm, OptionPriceForm, PriceListForm, SettingsForm};
use crate::domain::usage::UsageReport;
use crate::domain::{BillingMonth, Money};
use crate::error::AppError;

pub(super) fn this_month() -> BillingMonth {
    BillingMonth::of(clock::today())
}

pub(super) use super::fixtures::customer_form as form;

/// Middle of a day of last month, UTC.
pub(super) fn last_month_at(day: u32) -> DateTime<Utc> {
    let m = this_month().previous();
    m.first_day().with_day0(day - 1).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc()
}

use chrono::Datelike;

pub(super) async fn report(t: &TestDb, id: i64, report_id: &str, at: DateTime<Utc>, users: u32) {
    let r = UsageReport { report_id: report_id.to_owned(), observed_at: at, users };
    metering::ingest(&t.db, id, &r, at).await.unwrap();
}

/// A billed customer created on the 15th of the month before last (so its
/// first billed month is that one, whatever today's date) with web_access
/// (per user) and discovery (flat), with 12 and then 30 users reported last
/// month.
pub(super) async fn billed_customer(t: &TestDb, name: &str) -> i64 {
    let created = this_month().previous().previous().first_day().with_day(15).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let made = customers::create(&t.db, "otto", &form(name, true, &["web_access", "discovery"]), created.and_utc())
        .await
        .unwrap();
    report(t, made.id, "a", last_month_at(3), 12).await;
    report(t, made.id, "b", last_month_at(20), 30).await;
    made.id
}

fn price_form(month: BillingMonth, per_user: &str) -> PriceListForm {
    let options = [
        ("web_access", "per_user", "0.5"),
        ("offline", "per_user", "0.75"),
        ("mobile_sync", "per_user", "1"),
        ("sso_agent", "per_user", "1.25"),
        ("password_reset", "per_user", "0.4167"),
        ("discovery", "flat", "25"),
        ("directory_services", "flat", "15"),
        ("hsm_pkcs11", "flat", "49"),
    ];
    PriceListForm {
        effective_month: month.to_string(),
        per_user: per_user.to_owned(),
        options: options
            .iter()
            .map(|(code, pricing, price)| OptionPriceForm {
                code: (*code).into(),
                pricing: (*pricing).into(),
                price: (*price).into(),
            })
            .collect(),
    }
}

#[tokio::test]
async fn closing_a_month_freezes_one_statement_per_billed_customer() {
    let t = testing::fresh().await;
    let acme = billed_customer(&t, "Acme").await;
    let test =
        customers::create(&t.db, "otto", &form("Trial", false, &[]), Utc::now() - Duration::days(70)).await.unwrap();
    report(&t, test.id, "a", last_month_at(5), 40).await;
    let month = this_month().previous();
    let outcome = close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    assert!(outcome.closed_now);
    assert_eq!(outcome.statements, 1, "the test customer costs nothing");
    let statements = statements_of_month(&t.db, month).await.unwrap();
    let s = &statements[0];
    assert_eq!((s.customer_id, s.users, s.currency.as_str()), (acme, 30, "EUR"));
    // Example prices: 3.00 per user, web access 0.50 per user, discovery 25.00 flat.
    let lines: Vec<(LineKind, u64, String, i64)> =
        s.lines.iter().map(|l| (l.kind.clone(), l.quantity, l.unit_price.to_string(), l.amount.cents())).collect();
    assert_eq!(
        lines,
        vec![
            (LineKind::Users, 30, "3.00".into(), 9000),
            (LineKind::OptionFlat, 1, "25.00".into(), 2500),
            (LineKind::OptionPerUser, 30, "0.50".into(), 1500),
        ]
    );
    assert_eq!(s.total, Money::from_cents(13000));
    assert_eq!(s.lines[1].label, "Discovery service");
    assert_eq!(outcome.total, s.total);
}

#[tokio::test]
async fn the_statement_equals_the_billing_rules_on_the_stored_facts() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let month = this_month().previous();
    let mut conn = t.db.acquire().await.unwrap();
    let facts = facts_for_month(&mut conn, chrono_tz::Tz::UTC, month, None).await.unwrap();
    let lists = billing::rule_lists(&mut conn).await.unwrap();
    drop(conn);
    let bill = bill_month(&facts[&id], month, &lists).unwrap().unwrap();
    close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    let statement = &statements_of_month(&t.db, month).await.unwrap()[0];
    assert_eq!(statement.total, bill.total);
    assert_eq!(
        statement.lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
        bill.lines.iter().map(|l| l.amount).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn closing_again_changes_nothing() {
    let t = testing::fresh().await;
    billed_customer(&t, "Acme").await;
    let month = this_month().previous();
    let first = close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    billed_customer(&t, "Globex").await;
    let second = close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    assert!(!second.closed_now);
    assert_eq!((second.statements, second.total), (first.statements, first.total));
    assert_eq!(statements_of_month(&t.db, month).await.unwrap().len(), 1);
}

#[tokio::test]
async fn two_closes_at_once_make_one_statement_per_customer() {
    let t = testing::fresh().await;
    for name in ["Acme", "Globex", "Initech"] {
        billed_customer(&t, name).await;
    }
    let month = this_month().previous();
    let (a, b) =
        tokio::join!(close_month(&t.db, "one", month, Utc::now()), close_month(&t.db, "two", month, Utc::now()));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.closed_now ^ b.closed_now, "exactly one of them closed the month");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statements").fetch_one(&t.db).await.unwrap();
    assert_eq!(n, 3);
    let told = super::events::after(&t.db, 0, 10).await.unwrap();
    assert_eq!(told.len(), 1, "one month.closed event");
    let (_, event) = &told[0];
    assert_eq!(event.kind, "month.closed");
    assert_eq!(event.data["month"], month.to_string());
    assert_eq!(event.data["statements"], 3);
    assert_eq!(event.data["total"], a.total.max(b.total).to_string());
}

/// The frozen statements of `month` against the billing rules on what is
/// stored now, customer by customer: equal when every report not flagged
/// late is in its statement.
async fn assert_statements_match_stored_facts(t: &TestDb, month: BillingMonth) {
    let mut conn = t.db.acquire().await.unwrap();
    let facts = facts_for_month(&mut conn, chrono_tz::Tz::UTC, month, None).await.unwrap();
    let lists = billing::rule_lists(&mut conn).await.unwrap();
    drop(conn);
    for statement in statements_of_month(&t.db, month).await.unwrap() {
        let bill = bill_month(&facts[&statement.customer_id], month, &lists).unwrap().unwrap();
        assert_eq!(
            (statement.users, statement.users_at_end, statement.total),
            (bill.users, bill.users_at_end, bill.total),
            "{}: the statement holds every report that is not late",
            statement.customer_name
        );
    }
}

#[tokio::test]
async fn a_report_racing_the_close_is_in_the_statement_or_flagged_late() {
    let t = testing::fresh().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(billed_customer(&t, &format!("Customer {i}")).await);
    }
    let month = this_month().previous();
    // Each report raises its customer's peak above the 30 users reported
    // before, on the last day of the month: one left out of the statement
    // without its flag would change the bill.
    let sends = ids.iter().flat_map(|&id| (0..8u32).map(move |n| (id, n))).map(|(id, n)| {
        let db = t.db.clone();
        async move {
            let at = month.last_day().and_hms_opt(12, 0, 0).unwrap().and_utc();
            let report = UsageReport { report_id: format!("race-{n}"), observed_at: at, users: 40 + n };
            let accepted = metering::ingest(&db, id, &report, Utc::now()).await.unwrap();
            (id, report.report_id, accepted.late)
        }
    });
    let (closed, answers) =
        tokio::join!(close_month(&t.db, "admin", month, Utc::now()), futures_util::future::join_all(sends));
    assert!(closed.unwrap().closed_now);
    for (id, report_id, late) in answers {
        let super::db::Flag(stored) = sqlx::query_scalar(
            "SELECT CAST(late AS INTEGER) FROM usage_reports WHERE customer_id = $1 AND report_id = $2",
        )
        .bind(id)
        .bind(&report_id)
        .fetch_one(&t.db)
        .await
        .unwrap();
        assert_eq!(stored, late, "the answer tells how the report was stored");
    }
    assert_statements_match_stored_facts(&t, month).await;
    let marks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM month_closing").fetch_one(&t.db).await.unwrap();
    assert_eq!(marks, 0, "the close removes its mark");
}

#[tokio::test]
async fn a_close_that_died_leaves_its_month_frozen_for_the_next_close_to_finish() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let month = this_month().previous();
    // What a close leaves when it dies after its first step.
    sqlx::query("INSERT INTO month_closing (month, marked_at) VALUES ($1, $2)")
        .bind(month.to_string())
        .bind(super::db::Time(Utc::now()))
        .execute(&t.db)
        .await
        .unwrap();
    let at = month.last_day().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let late = UsageReport { report_id: "after-the-mark".into(), observed_at: at, users: 90 };
    assert!(metering::ingest(&t.db, id, &late, Utc::now()).await.unwrap().late);
    let now = UsageReport { report_id: "this-month".into(), observed_at: Utc::now(), users: 35 };
    assert!(!metering::ingest(&t.db, id, &now, Utc::now()).await.unwrap().late);
    let berlin = SettingsForm { currency: "EUR".into(), time_zone: "Europe/Berlin".into(), grace_days: "3".into() };
    let error = billing::save_settings(&t.db, "admin", &berlin, 1, Utc::now()).await.unwrap_err();
    assert!(error.for_field("time_zone").is_some(), "the time zone is fixed once a close has begun");

    let outcome = close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    assert!(outcome.closed_now);
    let statement = &statements_of_month(&t.db, month).await.unwrap()[0];
    assert_eq!(statement.users_at_end, 30, "the report after the mark is late, not billed");
    assert_statements_match_stored_facts(&t, month).await;
    let marks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM month_closing").fetch_one(&t.db).await.unwrap();
    assert_eq!(marks, 0);
}

/// On PostgreSQL a close freezes statements holding only its own lock:
/// the usage writer does not wait for it.
#[tokio::test]
async fn on_postgres_reports_are_stored_while_a_close_freezes_statements() {
    let t = testing::fresh().await;
    if super::db::Backend::of(&t.db) != super::db::Backend::Postgres {
        return;
    }
    let id = billed_customer(&t, "Acme").await;
    let closing = super::db::begin_close(&t.db).await.unwrap();
    let report = UsageReport { report_id: "during-a-close".into(), observed_at: Utc::now(), users: 33 };
    let stored =
        tokio::time::timeout(std::time::Duration::from_secs(60), metering::ingest(&t.db, id, &report, Utc::now()))
            .await
            .expect("the report does not wait for the close")
            .unwrap();
    assert!(!stored.late);
    // A second close waits for the first (one at a time).
    let other = tokio::spawn({
        let db = t.db.clone();
        async move { close_month(&db, "admin", this_month().previous(), Utc::now()).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!other.is_finished(), "the second close waits for the close lock");
    closing.rollback().await.unwrap();
    assert!(other.await.unwrap().unwrap().closed_now);
}

/// On PostgreSQL a close gathers its statements' planner statistics, so
/// the closed month's pages are planned knowing its thousands of rows.
#[tokio::test]
async fn on_postgres_a_close_gathers_the_statements_statistics() {
    let t = testing::fresh().await;
    if super::db::Backend::of(&t.db) != super::db::Backend::Postgres {
        return;
    }
    testing::without_autovacuum(&t.db, &["statements", "statement_lines"]).await;
    billed_customer(&t, "Acme").await;
    billed_customer(&t, "Globex").await;
    assert!(!testing::has_statistics(&t.db, "statements").await);
    close_month(&t.db, "admin", this_month().previous(), Utc::now()).await.unwrap();
    assert!(testing::has_statistics(&t.db, "statements").await);
    assert!(testing::has_statistics(&t.db, "statement_lines").await);
}

#[tokio::test]
async fn the_current_month_cannot_be_closed() {
    let t = testing::fresh().await;
    let error = close_month(&t.db, "admin", this_month(), Utc::now()).await.unwrap_err();
    assert!(matches!(error.refusal(), Some(AppError::Invalid(_))), "{error:?}");
    assert!(super::events::after(&t.db, 0, 10).await.unwrap().is_empty(), "a refused close tells nobody");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_a_statement() {
    let t = testing::fresh().await;
    billed_customer(&t, "Acme").await;
    close_month(&t.db, "admin", this_month().previous(), Utc::now()).await.unwrap();
    for sql in [
        "UPDATE statements SET total_cents = 1",
        "DELETE FROM statements",
        "UPDATE statement_lines SET amount_cents = 1",
        "DELETE FROM statement_lines",
        "DELETE FROM month_closes",
    ] {
        let error = sqlx::query(sql).execute(&t.db).await.unwrap_err();
        assert!(error.to_string().contains("frozen"), "{sql}: {error}");
    }
    let total: i64 = sqlx::query_scalar("SELECT total_cents FROM statements").fetch_one(&t.db).await.unwrap();
    assert_eq!(total, 13000);
}

#[tokio::test]
async fn a_price_change_afterwards_leaves_closed_statements_alone() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let month = this_month().previous();
    close_month(&t.db, "admin", month, Utc::now()).await.unwrap();
    billing::save_price_list(&t.db, "admin", &price_form(this_month(), "4.00"), Utc::now()).await.unwrap();
    let statement = &statements_of_month(&t.db, month).await.unwrap()[0];
    assert_eq!(statement.total, Money::from_cents(13000));
    // The forecast of this month uses the new price: 30 users x 4.00 + 15.00 + 25.00.
    let forecast = forecast_of(&t.db, id, Utc::now()).await.unwrap();
    let bill = forecast.bill.unwrap();
    assert_eq!(bill.lines[0].unit_price.to_string(), "4.00");
    assert_eq!(bill.total, Money::from_cents(12000 + 1500 + 2500));
}

#[tokio::test]
async fn a_price_list_for_a_past_month_is_refused() {
    let t = testing::fresh().await;
    let error = billing::save_price_list(&t.db, "admin", &price_form(this_month().previous(), "4"), Utc::now())
        .await
        .unwrap_err();
    assert!(error.for_field("effective_month").is_some(), "{error:?}");
    let mut missing = price_form(this_month().next(), "4");
    missing.options.pop();
    let error = billing::save_price_list(&t.db, "admin", &missing, Utc::now()).await.unwrap_err();
    assert!(error.for_field("price:hsm_pkcs11").is_some(), "{error:?}");
}

#[tokio::test]
async fn saving_a_price_list_ends_the_example_marker_and_is_audited() {
    let t = testing::fresh().await;
    assert!(!billing::settings(&t.db).await.unwrap().prices_confirmed);
    billing::save_price_list(&t.db, "admin", &price_form(this_month().next(), "3.5"), Utc::now()).await.unwrap();
    assert!(billing::settings(&t.db).await.unwrap().prices_confirmed);
    let lists = billing::price_lists(&mut t.db.acquire().await.unwrap()).await.unwrap();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].list.effective, this_month().next());
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'price_list.saved'")
        .fetch_one(&t.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_new_option_gets_its_price_in_every_list_and_retired_ones_cannot_be_booked() {
    let t = testing::fresh().await;
    let new = NewOptionForm {
        code: "backup".into(),
        name: "Backup agent".into(),
        pricing: "flat".into(),
        price: "9.90".into(),
    };
    billing::add_option(&t.db, "admin", &new, Utc::now()).await.unwrap();
    let lists = billing::price_lists(&mut t.db.acquire().await.unwrap()).await.unwrap();
    assert_eq!(lists[0].list.options["backup"].price().to_string(), "9.90");
    let again = billing::add_option(&t.db, "admin", &new, Utc::now()).await.unwrap_err();
    assert!(again.for_field("code").is_some());
    billing::rename_option(&t.db, "admin", "backup", "Backup agent (cloud)", Utc::now()).await.unwrap();
    billing::set_retired(&t.db, "admin", "backup", true, Utc::now()).await.unwrap();
    let bookable = customers::bookable_options(&t.db).await.unwrap();
    assert!(!bookable.iter().any(|o| o.code == "backup"));
    let refused = customers::create(&t.db, "otto", &form("Acme", true, &["backup"]), Utc::now()).await.unwrap_err();
    assert!(refused.for_field("options").is_some(), "{refused:?}");
}

#[tokio::test]
async fn the_time_zone_is_fixed_once_a_month_is_closed() {
    let t = testing::fresh().await;
    let settings = |tz: &str| SettingsForm { currency: "EUR".into(), time_zone: tz.into(), grace_days: "3".into() };
    billing::save_settings(&t.db, "admin", &settings("Europe/Berlin"), 1, Utc::now()).await.unwrap();
    let stale = billing::save_settings(&t.db, "admin", &settings("UTC"), 1, Utc::now()).await.unwrap_err();
    assert!(matches!(stale.refusal(), Some(AppError::Conflict(_))));
    let bad = billing::save_settings(&t.db, "admin", &settings("Mars/Olympus"), 2, Utc::now()).await.unwrap_err();
    assert!(bad.for_field("time_zone").is_some());
    billed_customer(&t, "Acme").await;
    close_month(&t.db, "admin", this_month().previous(), Utc::now()).await.unwrap();
    let locked = billing::save_settings(&t.db, "admin", &settings("UTC"), 2, Utc::now()).await.unwrap_err();
    assert!(locked.for_field("time_zone").is_some());
    // The grace period and the currency may still change.
    let other = SettingsForm { currency: "chf".into(), time_zone: "Europe/Berlin".into(), grace_days: "5".into() };
    billing::save_settings(&t.db, "admin", &other, 2, Utc::now()).await.unwrap();
    assert_eq!(billing::settings(&t.db).await.unwrap().currency, "CHF");
}

#[tokio::test]
async fn the_close_job_waits_for_the_grace_period() {
    let t = testing::fresh().await;
    billed_customer(&t, "Acme").await;
    let month = this_month().previous();
    let start = this_month().first_day().and_hms_opt(6, 0, 0).unwrap().and_utc();
    // Three days of grace: not on the 3rd, on the 4th.
    // (The months before it, long past their grace, close at the first run.)
    let early = close_due_months(&t.db, start + Duration::days(2)).await.unwrap();
    assert!(!early.is_empty() && early.iter().all(|c| c.month < month), "{early:?}");
    let closed = close_due_months(&t.db, start + Duration::days(3)).await.unwrap();
    assert_eq!(closed.iter().map(|c| c.month).collect::<Vec<_>>(), vec![month]);
    assert!(close_due_months(&t.db, start + Duration::days(4)).await.unwrap().is_empty());
}

#[tokio::test]
async fn every_change_writes_the_history_billing_reads() {
    let t = testing::fresh().await;
    let id = customers::create(&t.db, "otto", &form("Acme", false, &["web_access"]), Utc::now()).await.unwrap().id;
    customers::change_kind(&t.db, "otto", id, 1, "billed", Utc::now()).await.unwrap();
    customers::set_options(&t.db, "otto", id, 2, &["offline".to_owned()], Utc::now()).await.unwrap();
    customers::deactivate(&t.db, "otto", id, 3, "", Utc::now()).await.unwrap();
    customers::activate(&t.db, "otto", id, 4, None, Utc::now()).await.unwrap();
    customers::remove(&t.db, "otto", id, 5, "Acme", Utc::now()).await.unwrap();
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT kind, status, options FROM customer_history WHERE customer_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&t.db)
            .await
            .unwrap();
    let expected = [
        ("test", "active", "web_access"),
        ("billed", "active", "web_access"),
        ("billed", "active", "offline"),
        ("billed", "deactivated", "offline"),
        ("billed", "active", "offline"),
        ("billed", "removed", "offline"),
    ];
    let rows: Vec<(&str, &str, &str)> = rows.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    assert_eq!(rows, expected);
    // Removed this month: still billed this month (DESIGN: the month of removal is billed).
    let forecast_facts =
        facts_for_month(&mut t.db.acquire().await.unwrap(), chrono_tz::Tz::UTC, this_month(), Some(id)).await.unwrap();
    assert!(forecast_facts.contains_key(&id));
}

#[tokio::test]
async fn a_test_customer_has_no_forecast() {
    let t = testing::fresh().await;
    let id = customers::create(&t.db, "otto", &form("Trial", false, &[]), Utc::now()).await.unwrap().id;
    assert_eq!(forecast_of(&t.db, id, Utc::now()).await.unwrap().bill, None);
}

/// The two cases of the option rule, through the write paths: a test
/// customer whose option B is removed at 11:00 and who is converted to
/// billed at 12:00, and a billed customer deactivated at 10:00 who gets B
/// at 11:00 while deactivated. Neither is billed for B: not in the closed
/// month's statements, not in the forecast of the current month.
#[tokio::test]
async fn an_option_booked_only_in_the_test_phase_or_while_deactivated_is_not_billed() {
    let t = testing::fresh().await;
    let both = ["web_access".to_owned(), "discovery".to_owned()];
    let web = ["web_access".to_owned()];
    // Two customers in `month`, the options of each as billed.
    let billed_options = |month: BillingMonth| {
        let t = &t;
        let (both, web) = (both.clone(), web.clone());
        async move {
            let at = |d: u32, h: u32| month.first_day().with_day(d).unwrap().and_hms_opt(h, 0, 0).unwrap().and_utc();
            let trial = customers::create(
                &t.db,
                "otto",
                &form(&format!("Trial {month}"), false, &["web_access", "discovery"]),
                at(2, 9),
            )
            .await
            .unwrap()
            .id;
            customers::set_options(&t.db, "otto", trial, 1, &web, at(10, 11)).await.unwrap();
            customers::change_kind(&t.db, "otto", trial, 2, "billed", at(10, 12)).await.unwrap();
            let paused =
                customers::create(&t.db, "otto", &form(&format!("Paused {month}"), true, &["web_access"]), at(2, 9))
                    .await
                    .unwrap()
                    .id;
            customers::deactivate(&t.db, "otto", paused, 1, "", at(10, 10)).await.unwrap();
            customers::set_options(&t.db, "otto", paused, 2, &both, at(10, 11)).await.unwrap();
            (trial, paused, at(20, 12))
        }
    };
    let option_codes = |s: &crate::views::billing::Statement| -> Vec<String> {
        s.lines.iter().filter(|l| l.kind != LineKind::Users).map(|l| l.code.clone()).collect()
    };

    let closed = this_month().previous().previous();
    let (trial, paused, _) = billed_options(closed).await;
    close_month(&t.db, "admin", closed, Utc::now()).await.unwrap();
    let statements = statements_of_month(&t.db, closed).await.unwrap();
    for id in [trial, paused] {
        let s = statements.iter().find(|s| s.customer_id == id).expect("billed in the month");
        assert_eq!(option_codes(s), ["web_access"], "customer {id}");
    }

    let (trial, paused, now) = billed_options(this_month()).await;
    for id in [trial, paused] {
        let bill = forecast_of(&t.db, id, now).await.unwrap().bill.expect("a forecast");
        assert_eq!(option_codes(&bill), ["web_access"], "customer {id}");
    }
}

/// On the days clocks change, the stored UTC times become local billing
/// times in the order they were written: in Berlin's repeated hour a later
/// change can read earlier on the clock, and still counts as later.
#[tokio::test]
async fn on_the_days_clocks_change_an_option_added_after_a_deactivation_is_not_billed() {
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    // (time zone, month, deactivated at, option added at): Berlin's summer
    // time ends 2025-10-26 01:00 UTC (02:30 CEST, then 02:10 CET); New
    // York's starts 2025-03-09 07:00 UTC (01:59 EST, then 03:00 EDT).
    let cases = [
        ("Europe/Berlin", "2025-10", "2025-10-26T00:30:00Z", "2025-10-26T01:10:00Z"),
        ("America/New_York", "2025-03", "2025-03-09T06:59:00Z", "2025-03-09T07:00:00Z"),
    ];
    for (zone, month, deactivated, added) in cases {
        let t = testing::fresh().await;
        let settings = SettingsForm { currency: "EUR".into(), time_zone: zone.into(), grace_days: "3".into() };
        billing::save_settings(&t.db, "admin", &settings, 1, Utc::now()).await.unwrap();
        let month = BillingMonth::parse(month).unwrap();
        let created = month.first_day().and_hms_opt(12, 0, 0).unwrap().and_utc();
        let id = customers::create(&t.db, "otto", &form("Acme", true, &["web_access"]), created).await.unwrap().id;
        customers::deactivate(&t.db, "otto", id, 1, "", utc(deactivated)).await.unwrap();
        let both = ["web_access".to_owned(), "discovery".to_owned()];
        customers::set_options(&t.db, "otto", id, 2, &both, utc(added)).await.unwrap();
        let mut conn = t.db.acquire().await.unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let facts = facts_for_month(&mut conn, tz, month, Some(id)).await.unwrap();
        let lists = billing::rule_lists(&mut conn).await.unwrap();
        let bill = bill_month(&facts[&id], month, &lists).unwrap().unwrap();
        assert_eq!(bill.options, ["web_access"], "{zone}");
        // Written the other way round (option first, then deactivated), it is.
        drop(conn);
        let id = customers::create(&t.db, "otto", &form("Beta", true, &["web_access"]), created).await.unwrap().id;
        customers::set_options(&t.db, "otto", id, 1, &both, utc(deactivated)).await.unwrap();
        customers::deactivate(&t.db, "otto", id, 2, "", utc(added)).await.unwrap();
        let mut conn = t.db.acquire().await.unwrap();
        let facts = facts_for_month(&mut conn, tz, month, Some(id)).await.unwrap();
        let bill = bill_month(&facts[&id], month, &lists).unwrap().unwrap();
        assert_eq!(bill.options, ["discovery", "web_access"], "{zone}");
    }
}
