//! The cost overview against a real SQLite file: its rows are the engine's
//! statements and forecasts, with the changes against the month before.

use chrono::{Duration, Utc};

use super::billing::{close_month, forecast_of, statement_of_customer};
use super::billing_tests::{billed_customer, form, last_month_at, report, this_month};
use super::clock;
use super::cost_overview::{cost_overview, cost_totals, BillCache};
use super::customers;
use super::db::testing;
use crate::domain::billing::LineKind;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::UserChange;
use crate::domain::customer::ContractForm;
use crate::domain::{BillingMonth, CustomerStatus};

#[tokio::test]
async fn a_closed_month_shows_its_statements_and_the_change_against_the_month_before() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let trial =
        customers::create(&t.db, "otto", &form("Trial", false, &[]), Utc::now() - Duration::days(70)).await.unwrap();
    report(&t, trial.id, "t", last_month_at(4), 9).await;
    let last = this_month().previous();
    close_month(&t.db, "admin", last, Utc::now()).await.unwrap();

    let page = cost_overview(&t.db, &BillCache::default(), Some(last), Utc::now()).await.unwrap();
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
    let page = cost_overview(&t.db, &BillCache::default(), None, Utc::now()).await.unwrap();
    assert_eq!((page.month, page.figures), (this_month(), Figures::Forecast));
    let acme = page.rows.iter().find(|r| r.bill.customer_id == id).unwrap();
    let forecast = forecast_of(&t.db, id, Utc::now()).await.unwrap().bill.unwrap();
    assert_eq!((acme.bill.users, acme.bill.total), (forecast.users, forecast.total));
    assert_eq!(acme.change, UserChange::By(0), "30 users last month, 30 now");

    let version = customers::get(&t.db, gone, clock::today()).await.unwrap().version;
    customers::remove(&t.db, "otto", gone, version, "Gone", Utc::now()).await.unwrap();
    let page = cost_overview(&t.db, &BillCache::default(), None, Utc::now()).await.unwrap();
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
    let error =
        cost_overview(&t.db, &BillCache::default(), BillingMonth::parse("2001-01").ok(), Utc::now()).await.unwrap_err();
    assert!(error.for_field("month").is_some(), "{error:?}");
}

#[tokio::test]
async fn a_kept_month_is_computed_again_when_usage_or_a_customer_changes() {
    let t = testing::fresh().await;
    let cache = BillCache::default();
    let id = billed_customer(&t, "Acme").await;
    let users = |page: &crate::views::billing::CostOverviewPage| page.rows[0].bill.users;
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(users(&page), 30);
    report(&t, id, "more", Utc::now(), 44).await;
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(users(&page), 44, "a new usage report shows at once");
    let version = customers::get(&t.db, id, clock::today()).await.unwrap().version;
    customers::deactivate(&t.db, "otto", id, version, "Moved", Utc::now()).await.unwrap();
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(page.rows[0].bill.status, CustomerStatus::Deactivated);
}

#[tokio::test]
async fn a_kept_month_shows_a_new_name_at_once() {
    // A rename writes no history and no usage: only the customers' count
    // of changes (kept by a trigger) tells the cache.
    let t = testing::fresh().await;
    let cache = BillCache::default();
    let id = billed_customer(&t, "Acme").await;
    assert_eq!(cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap().rows[0].bill.name, "Acme");
    let before = customers::get(&t.db, id, clock::today()).await.unwrap();
    let rename = ContractForm {
        name: "Acme Europe".into(),
        contract_end: before.contract_end.to_string(),
        max_users: before.max_users.to_string(),
        limit_user_creation: before.limit_user_creation,
    };
    customers::update_contract(&t.db, "otto", id, before.version, &rename, Utc::now()).await.unwrap();
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(page.rows[0].bill.name, "Acme Europe");
}

#[tokio::test]
async fn with_a_refresh_interval_new_usage_waits_for_it_but_a_customer_change_does_not() {
    let t = testing::fresh().await;
    let cache = BillCache::refreshing_usage_every(std::time::Duration::from_secs(3600));
    let id = billed_customer(&t, "Acme").await;
    let users = |page: &crate::views::billing::CostOverviewPage| page.rows[0].bill.users;
    assert_eq!(users(&cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap()), 30);
    report(&t, id, "more", Utc::now(), 44).await;
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(users(&page), 30, "kept: the usage is less than the interval old");
    let version = customers::get(&t.db, id, clock::today()).await.unwrap().version;
    customers::deactivate(&t.db, "otto", id, version, "Moved", Utc::now()).await.unwrap();
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    assert_eq!(page.rows[0].bill.status, CustomerStatus::Deactivated, "computed again at once");
    assert_eq!(users(&page), 44, "with the usage as it is now");
}

#[tokio::test]
async fn the_chart_totals_are_the_closes_and_the_forecast() {
    let t = testing::fresh().await;
    let cache = BillCache::default();
    billed_customer(&t, "Acme").await;
    billed_customer(&t, "Globex").await;
    let last = this_month().previous();
    let closed = close_month(&t.db, "admin", last, Utc::now()).await.unwrap();
    let totals = cost_totals(&t.db, &cache, 12, Utc::now()).await.unwrap();
    let months: Vec<(BillingMonth, Figures)> = totals.months.iter().map(|m| (m.month, m.figures)).collect();
    let first = last.previous();
    assert_eq!(
        months,
        [(first, Figures::PendingClose), (last, Figures::Final), (this_month(), Figures::Forecast)],
        "from the first billed month on"
    );
    let final_month = &totals.months[1].totals;
    assert_eq!((final_month.customers, final_month.total), (2, closed.total));
    let statements = crate::server::billing::statements_of_month(&t.db, last).await.unwrap();
    let users_cost: crate::domain::Money =
        statements.iter().flat_map(|s| &s.lines).filter(|l| l.kind == LineKind::Users).map(|l| l.amount).sum();
    assert_eq!(final_month.users_cost, users_cost);
    assert_eq!(final_month.users_cost + final_month.options_cost, final_month.total);
    assert_eq!(final_month.users, statements.iter().map(|s| u64::from(s.users)).sum::<u64>());
    let forecast = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    let sum: crate::domain::Money = forecast.rows.iter().map(|r| r.bill.total).sum();
    assert_eq!(totals.months[2].totals.total, sum);
    assert!(cost_totals(&t.db, &cache, 6, Utc::now()).await.unwrap_err().for_field("months").is_some());
}
