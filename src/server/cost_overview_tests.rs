//! The cost overview against a real SQLite file: its rows are the engine's
//! statements and forecasts, with the changes against the month before.

use chrono::{Duration, Utc};

use super::billing::{close_month, forecast_of, statement_of_customer};
use super::billing_tests::{billed_customer, form, last_month_at, report, this_month};
use super::cost_overview::cost_overview;
use super::customers;
use super::db::testing;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::UserChange;
use crate::domain::{BillingMonth, CustomerStatus};

#[tokio::test]
async fn a_closed_month_shows_its_statements_and_the_change_against_the_month_before() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let trial =
        customers::create_at(&t.db, "otto", &form("Trial", false, &[]), Utc::now() - Duration::days(70)).await.unwrap();
    report(&t, trial.id, "t", last_month_at(4), 9).await;
    let last = this_month().previous();
    close_month(&t.db, "admin", last, Utc::now()).await.unwrap();

    let page = cost_overview(&t.db, Some(last), Utc::now()).await.unwrap();
    assert_eq!((page.month, page.figures, page.currency.as_str()), (last, Figures::Final, "EUR"));
    assert_eq!(page.rows.len(), 1, "test customers cost nothing");
    let row = &page.rows[0];
    let statement = statement_of_customer(&t.db, id, last).await.unwrap();
    assert_eq!((row.bill.users, row.bill.total), (statement.users, statement.total));
    assert_eq!(row.bill.users_cost + row.bill.options_cost, row.bill.total);
    // The month before had no report: 0 users, the same options.
    assert_eq!(row.change, UserChange::By(30));
    assert!(row.options_added.is_empty() && row.options_removed.is_empty());
    let names: Vec<&str> = row.bill.options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Discovery service", "Web application access"]);
    assert_eq!(row.bill.database_name, "acme");
}

#[tokio::test]
async fn the_current_month_is_the_forecast_and_a_customer_removed_in_it_stays() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let gone = billed_customer(&t, "Gone").await;
    let page = cost_overview(&t.db, None, Utc::now()).await.unwrap();
    assert_eq!((page.month, page.figures), (this_month(), Figures::Forecast));
    let acme = page.rows.iter().find(|r| r.bill.customer_id == id).unwrap();
    let forecast = forecast_of(&t.db, id, Utc::now()).await.unwrap().bill.unwrap();
    assert_eq!((acme.bill.users, acme.bill.total), (forecast.users, forecast.total));
    assert_eq!(acme.change, UserChange::By(0), "30 users last month, 30 now");

    let version = customers::get(&t.db, gone).await.unwrap().version;
    customers::remove(&t.db, "otto", gone, version, "Gone").await.unwrap();
    let page = cost_overview(&t.db, None, Utc::now()).await.unwrap();
    let removed = page.rows.iter().find(|r| r.bill.customer_id == gone).expect("billed this month, so listed");
    assert_eq!(removed.bill.status, CustomerStatus::Removed);
    assert!(removed.has_changes());
    // The picker: the current month first, every month with billing after it.
    assert_eq!(page.months[0], (this_month(), Figures::Forecast));
    assert_eq!(page.months[1], (this_month().previous(), Figures::PendingClose));
}

#[tokio::test]
async fn a_month_without_billing_is_refused() {
    let t = testing::fresh().await;
    billed_customer(&t, "Acme").await;
    let error = cost_overview(&t.db, BillingMonth::parse("2001-01").ok(), Utc::now()).await.unwrap_err();
    assert!(error.for_field("month").is_some(), "{error:?}");
}
