//! What a billed customer's page shows: the forecast, the cost and user
//! history of the last months and the current month's daily users. Every
//! figure is a bill of the billing engine: a frozen statement, the rules
//! applied to an ended month that waits for its close, or the forecast.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::billing::{self, closed_months, current_month, pending_bill, statements_of_customer};
use super::db::{Db, Time};
use super::error::Result;
use super::stored;
use crate::domain::cost_history::{daily_curve, from_first_bill, window, CostMonth, Figures};
use crate::domain::BillingMonth;
use crate::error::AppError;
use crate::views::billing::{CustomerBillingPage, Statement, StatementSummary};

/// The months a page may ask for.
pub const WINDOWS: [u32; 2] = [12, 24];

pub async fn customer_billing(db: &Db, id: i64, count: u32, now: DateTime<Utc>) -> Result<CustomerBillingPage> {
    if !WINDOWS.contains(&count) {
        return Err(AppError::invalid("months", crate::domain::message::Message::MonthsWindow).into());
    }
    let current = current_month(db, id, now).await?;
    let this_month = current.month;
    let forecast = current.view(db, id, now).await?;
    let statements: HashMap<BillingMonth, Statement> =
        statements_of_customer(db, id).await?.into_iter().map(|s| (s.month, s)).collect();
    let closed = closed_months(db).await?;
    let max_users = max_users_by_month(db, current.tz, id).await?;
    let max_users_in = |month: BillingMonth| max_users.range(..=month).next_back().map(|(_, n)| *n).unwrap_or(0);

    let mut months = Vec::new();
    for month in window(this_month, count) {
        let max = max_users_in(month);
        let shown = if month == this_month {
            match &forecast.bill {
                Some(bill) => cost_month(bill, Figures::Forecast, max),
                None => CostMonth::not_billed(month, max),
            }
        } else if let Some(statement) = statements.get(&month) {
            cost_month(statement, Figures::Final, max)
        } else if closed.contains(&month) {
            // Closed without a statement for this customer: not billed.
            CostMonth::not_billed(month, max)
        } else {
            match pending_bill(db, current.tz, id, month).await? {
                Some(bill) => CostMonth::from_bill(
                    month,
                    Figures::PendingClose,
                    bill.users,
                    max,
                    bill.lines.iter().map(|l| (&l.kind, l.amount)),
                    bill.total,
                ),
                None => CostMonth::not_billed(month, max),
            }
        };
        months.push(shown);
    }

    let daily = current.facts.map(|f| f.daily_users).unwrap_or_default();
    let mut summaries: Vec<StatementSummary> = statements
        .values()
        .map(|s| StatementSummary {
            month: s.month,
            users: s.users,
            total: s.total,
            revenue: s.sale.as_ref().map(|a| a.total),
            closed_at: s.closed_at,
        })
        .collect();
    summaries.sort_by_key(|s| std::cmp::Reverse(s.month));
    let settings = billing::settings(db).await?;
    Ok(CustomerBillingPage {
        currency: settings.currency,
        today: current.today,
        max_users: max_users_in(this_month),
        months: from_first_bill(months),
        days: daily_curve(&daily, this_month, current.today),
        forecast,
        statements: summaries,
        loaded_at: now,
    })
}

fn cost_month(bill: &Statement, figures: Figures, max_users: u32) -> CostMonth {
    CostMonth::from_bill(
        bill.month,
        figures,
        bill.users,
        max_users,
        bill.lines.iter().map(|l| (&l.kind, l.amount)),
        bill.total,
    )
}

/// The license's maximum at the end of each month in which it changed.
async fn max_users_by_month(db: &Db, tz: Tz, id: i64) -> Result<BTreeMap<BillingMonth, u32>> {
    let rows: Vec<(Time, i64)> = sqlx::query_as(
        "SELECT effective_at, max_users FROM customer_history WHERE customer_id = $1 ORDER BY effective_at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let local_month = |at: DateTime<Utc>| -> BillingMonth {
        let day: NaiveDate = at.with_timezone(&tz).date_naive();
        BillingMonth::of(day)
    };
    // Later rows of the same month overwrite earlier ones: the value at its end.
    rows.into_iter().map(|(at, max)| Ok((local_month(at.0), stored::count(max, "max users")?))).collect()
}
