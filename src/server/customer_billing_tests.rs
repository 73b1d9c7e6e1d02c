//! A billed customer's page against a real SQLite file: every figure is the
//! billing engine's (statement, pending month, forecast).

use chrono::{Datelike, Duration, Utc};

use super::billing::{close_month, forecast_of, statement_of_customer};
use super::billing_tests::{billed_customer, form, last_month_at, report, this_month};
use super::customer_billing::customer_billing;
use super::db::testing;
use super::{clock, customers};
use crate::domain::cost_history::Figures;
use crate::domain::{BillingMonth, Money};
use crate::error::AppError;

#[tokio::test]
async fn the_page_shows_the_engines_bills_month_by_month() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let last = this_month().previous();

    let before = customer_billing(&t.db, id, 12, Utc::now()).await.unwrap();
    let pending = before.months.iter().find(|m| m.month == last).unwrap().clone();
    assert_eq!(pending.figures, Figures::PendingClose);
    let created = last.previous();
    assert_eq!(before.months[0].month, created, "the history starts with the first billed month");

    close_month(&t.db, "admin", last, Utc::now()).await.unwrap();
    let statement = statement_of_customer(&t.db, id, last).await.unwrap();
    let after = customer_billing(&t.db, id, 12, Utc::now()).await.unwrap();
    let closed = after.months.iter().find(|m| m.month == last).unwrap();
    assert_eq!(closed.figures, Figures::Final);
    assert_eq!((closed.users, closed.total), (statement.users, statement.total));
    assert_eq!(
        (pending.users, pending.total),
        (statement.users, statement.total),
        "pending showed what the close froze"
    );
    // 30 users x 3.00; web access 30 x 0.50 + discovery 25.00.
    assert_eq!((closed.users_cost, closed.options_cost), (Money::from_cents(9000), Money::from_cents(4000)));
    assert_eq!(closed.max_users, 100);

    let forecast = forecast_of(&t.db, id, Utc::now()).await.unwrap().bill.unwrap();
    let current = after.months.last().unwrap();
    assert_eq!(current.month, this_month());
    assert_eq!((current.figures, current.users, current.total), (Figures::Forecast, forecast.users, forecast.total));
    assert_eq!(after.forecast.bill.as_ref().map(|b| b.total), Some(forecast.total));

    let months: Vec<BillingMonth> = after.statements.iter().map(|s| s.month).collect();
    assert_eq!(months, vec![last]);
    assert_eq!(after.statements[0].total, statement.total);
}

#[tokio::test]
async fn the_daily_curve_carries_the_last_count_and_shows_todays_report() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let page = customer_billing(&t.db, id, 12, Utc::now()).await.unwrap();
    assert_eq!(page.days.len() as u32, clock::today().day(), "from the 1st through today");
    assert!(page.days.iter().all(|d| d.users == 30 && !d.reported), "carried forward from last month");

    report(&t, id, "today", Utc::now(), 45).await;
    let page = customer_billing(&t.db, id, 12, Utc::now()).await.unwrap();
    let today = page.days.last().unwrap();
    assert_eq!((today.users, today.reported), (45, true));
    assert_eq!(page.months.last().unwrap().users, 45);
    assert_eq!(page.forecast.current_users, 45);
}

#[tokio::test]
async fn a_month_closed_before_the_customer_was_billed_shows_not_billed() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let other = billed_customer(&t, "Other").await;
    let last = this_month().previous();
    // Deactivated before last month began: closed without its statement.
    let start = last.first_day().and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::days(1);
    let version = customers::get(&t.db, other, clock::today()).await.unwrap().version;
    customers::deactivate(&t.db, "otto", other, version, "paused", start).await.unwrap();
    close_month(&t.db, "admin", last, Utc::now()).await.unwrap();
    let page = customer_billing(&t.db, other, 12, Utc::now()).await.unwrap();
    let month = page.months.iter().find(|m| m.month == last).unwrap();
    assert_eq!((month.figures, month.total), (Figures::NotBilled, Money::ZERO));
    assert!(page.statements.is_empty());
    assert!(customer_billing(&t.db, id, 12, Utc::now()).await.unwrap().statements.len() == 1);
}

#[tokio::test]
async fn a_test_customer_has_no_billing_figures() {
    let t = testing::fresh().await;
    let trial =
        customers::create(&t.db, "otto", &form("Trial", false, &[]), Utc::now() - Duration::days(70)).await.unwrap();
    report(&t, trial.id, "a", last_month_at(5), 40).await;
    let page = customer_billing(&t.db, trial.id, 24, Utc::now()).await.unwrap();
    assert!(page.months.is_empty());
    assert_eq!(page.forecast.bill, None);
    assert!(page.statements.is_empty());
}

#[tokio::test]
async fn only_12_or_24_months_and_only_existing_customers() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let error = customer_billing(&t.db, id, 7, Utc::now()).await.unwrap_err();
    assert!(error.for_field("months").is_some(), "{error:?}");
    assert_eq!(customer_billing(&t.db, id + 100, 12, Utc::now()).await.unwrap_err(), AppError::NotFound);
    let month = this_month().previous();
    assert_eq!(statement_of_customer(&t.db, id, month).await.unwrap_err(), AppError::NotFound);
    assert_eq!(customer_billing(&t.db, id, 24, Utc::now()).await.unwrap().months.len(), 3);
}
