//! The bills of months that are not frozen: the current month's forecast
//! and an ended month waiting for its close, by the same rules as a
//! statement.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::catalogue::rule_lists;
use super::facts::facts_for_month;
use super::selling::Seller;
use super::settings::{local_today, settings, zone_of};
use super::statements::{label_in, option_names};
use crate::domain::billing::{bill_month, forecast, CustomerFacts, MonthBill};
use crate::domain::selling::Sale;
use crate::domain::BillingMonth;
use crate::error::AppError;
use crate::server::customers::WITH_USAGE;
use crate::server::db::Db;
use crate::server::error::Result;
use crate::server::stored;
use crate::views::billing::{Forecast, Statement};

/// One customer's current month: the forecast bill and what it was made from.
pub struct CurrentMonth {
    pub customer_name: String,
    pub currency: String,
    pub month: BillingMonth,
    pub current_users: u32,
    /// None: not billed this month (test customer or no billable day).
    pub bill: Option<MonthBill>,
    /// What the MSP charges for `bill`.
    pub sale: Option<Sale>,
    pub facts: Option<CustomerFacts>,
    pub today: NaiveDate,
    pub tz: Tz,
}

pub async fn current_month(db: &Db, id: i64, now: DateTime<Utc>) -> Result<CurrentMonth> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT c.name, u.reported_users FROM {WITH_USAGE} WHERE c.id = $1 AND c.status <> 'removed'"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    let (customer_name, reported) = row.ok_or(AppError::NotFound)?;
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let today = local_today(tz, now);
    let month = BillingMonth::of(today);
    // Never reported counts 0.
    let current_users = stored::count(reported.unwrap_or(0), "reported users")?;
    let mut conn = db.acquire().await?;
    let facts = facts_for_month(&mut conn, tz, month, Some(id)).await?.remove(&id);
    let lists = rule_lists(&mut conn).await?;
    let bill = match &facts {
        Some(facts) => forecast(facts, today, current_users, &lists)?,
        None => None,
    };
    let sale = match &bill {
        Some(bill) => Some(Seller::load(&mut conn, Some(id)).await?.sale(id, bill)?),
        None => None,
    };
    Ok(CurrentMonth { customer_name, currency: settings.currency, month, current_users, bill, sale, facts, today, tz })
}

impl CurrentMonth {
    /// The forecast as the customer's page shows it, as of `now`.
    pub async fn view(&self, db: &Db, id: i64, now: DateTime<Utc>) -> Result<Forecast> {
        let names = option_names(db).await?;
        Ok(Forecast {
            month: self.month,
            currency: self.currency.clone(),
            current_users: self.current_users,
            bill: self.bill.as_ref().zip(self.sale.as_ref()).map(|(b, sale)| {
                Statement::from_bill(id, self.customer_name.clone(), &self.currency, b, sale, label_in(&names), now)
            }),
        })
    }
}

/// The current month's bill so far for one customer.
pub async fn forecast_of(db: &Db, id: i64, now: DateTime<Utc>) -> Result<Forecast> {
    current_month(db, id, now).await?.view(db, id, now).await
}

/// The bill of an ended month that is not closed yet, by the same rules as
/// its statement will be (None: no billable day).
pub async fn pending_bill(db: &Db, tz: Tz, id: i64, month: BillingMonth) -> Result<Option<MonthBill>> {
    let mut conn = db.acquire().await?;
    let facts = facts_for_month(&mut conn, tz, month, Some(id)).await?;
    let lists = rule_lists(&mut conn).await?;
    match facts.get(&id) {
        Some(facts) => Ok(bill_month(facts, month, &lists)?),
        None => Ok(None),
    }
}
