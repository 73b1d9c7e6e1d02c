//! The cost overview of a month: every customer billed in it, with the
//! billing engine's figures (frozen statements of a closed month, the rules
//! on the stored facts for a month waiting for its close, the forecast of
//! the current month) and what changed against the month before.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::billing::{
    self, billing_error, facts_for_month, load_statements, month_start_utc, option_names, price_list_views, rule_lists,
    sort_key, statement_of,
};
use super::db::Db;
use crate::api::billing::{CostOverviewPage, MonthState, Statement};
use crate::domain::billing::{bill_month, forecast};
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{overview_rows, CustomerBill};
use crate::domain::{BillingMonth, CustomerStatus};
use crate::error::AppError;

fn figures_of(state: &MonthState) -> Figures {
    match state {
        MonthState::Closed { .. } => Figures::Final,
        MonthState::PendingClose { .. } => Figures::PendingClose,
        MonthState::Current => Figures::Forecast,
    }
}

/// The overview of `month` (None: the current month).
pub async fn cost_overview(
    db: &Db,
    month: Option<BillingMonth>,
    now: DateTime<Utc>,
) -> Result<CostOverviewPage, AppError> {
    let settings = billing::settings(db).await?;
    let tz = billing::zone_of(&settings);
    let months: Vec<(BillingMonth, Figures)> =
        billing::months(db).await?.iter().map(|m| (m.month, figures_of(&m.state))).collect();
    let current = BillingMonth::of(billing::local_today(tz, now));
    let month = month.unwrap_or(current);
    let Some(figures) = months.iter().find(|(m, _)| *m == month).map(|(_, f)| *f) else {
        return Err(AppError::invalid("month", format!("There are no figures for {month}.")));
    };
    let previous = months.iter().find(|(m, _)| *m == month.previous()).map(|(_, f)| *f);
    let bills = bills_of(db, tz, month, figures, now).await?;
    let before = match previous {
        Some(f) => bills_of(db, tz, month.previous(), f, now).await?,
        None => Vec::new(),
    };
    let mut bills = bills;
    bills.sort_by_cached_key(|b| (sort_key(&b.name), b.customer_id));
    Ok(CostOverviewPage {
        month,
        figures,
        currency: settings.currency,
        months,
        rows: overview_rows(month, bills, &before),
    })
}

/// Database name and status (at the end of `month`, or now) of every customer.
async fn customers_at(
    db: &Db,
    end: DateTime<Utc>,
) -> Result<HashMap<i64, (String, String, CustomerStatus)>, sqlx::Error> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.database_name, (SELECT h.status FROM customer_history h \
           WHERE h.customer_id = c.id AND h.effective_at < $1 ORDER BY h.effective_at DESC, h.id DESC LIMIT 1) \
         FROM customers c",
    )
    .bind(end)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, database, status)| {
            let status = status.as_deref().and_then(CustomerStatus::parse).unwrap_or(CustomerStatus::Active);
            (id, (name, database, status))
        })
        .collect())
}

/// Every customer's bill of `month`, as its figures say where they come
/// from: the frozen statements of a closed month, else the engine's bills
/// made into statements the same way a close makes them.
async fn bills_of(
    db: &Db,
    tz: Tz,
    month: BillingMonth,
    figures: Figures,
    now: DateTime<Utc>,
) -> Result<Vec<CustomerBill>, AppError> {
    let end = month_start_utc(tz, month.next()).min(now);
    let customers = customers_at(db, end).await?;
    let statements = if figures == Figures::Final {
        load_statements(db, Some(month), None).await?
    } else {
        computed_statements(db, tz, month, figures, now, &customers).await?
    };
    Ok(statements
        .into_iter()
        .map(|s| {
            let (database_name, status) = customers
                .get(&s.customer_id)
                .map(|(_, database, status)| (database.clone(), *status))
                .unwrap_or_else(|| (String::new(), CustomerStatus::Removed));
            let (options, users_cost, options_cost) = CustomerBill::options_of(
                s.lines.iter().map(|l| (&l.kind, l.code.as_str(), l.label.as_str(), l.amount)),
            );
            CustomerBill {
                customer_id: s.customer_id,
                name: s.customer_name,
                database_name,
                status,
                figures,
                users: s.users,
                users_at_start: s.users_at_start,
                users_at_end: s.users_at_end,
                options,
                users_cost,
                options_cost,
                total: s.total,
            }
        })
        .collect())
}

/// The bills of an open month (ended: the rules on what is stored; the
/// current one: the forecast), as statements.
async fn computed_statements(
    db: &Db,
    tz: Tz,
    month: BillingMonth,
    figures: Figures,
    now: DateTime<Utc>,
    customers: &HashMap<i64, (String, String, CustomerStatus)>,
) -> Result<Vec<Statement>, AppError> {
    let mut conn = db.acquire().await?;
    let facts = facts_for_month(&mut conn, tz, month, None).await?;
    let lists = rule_lists(&price_list_views(&mut conn).await?);
    drop(conn);
    let names = option_names(db).await?;
    let currency = billing::settings(db).await?.currency;
    let reported: HashMap<i64, i64> =
        sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, reported_users FROM customers WHERE status <> 'removed'")
            .fetch_all(db)
            .await?
            .into_iter()
            .map(|(id, n)| (id, n.unwrap_or(0)))
            .collect();
    let today = billing::local_today(tz, now);
    let mut statements = Vec::new();
    for (id, facts) in &facts {
        let bill = if figures == Figures::Forecast {
            let users = reported.get(id).copied().unwrap_or(0).max(0) as u32;
            forecast(facts, today, users, &lists).map_err(billing_error)?
        } else {
            bill_month(facts, month, &lists).map_err(billing_error)?
        };
        if let Some(bill) = bill {
            let name = customers.get(id).map(|(name, ..)| name.clone()).unwrap_or_default();
            statements.push(statement_of(*id, name, &currency, &bill, &names, now));
        }
    }
    Ok(statements)
}
