//! Closing months: the months and their state, the close of one month into
//! frozen statements (one transaction), and the job that closes every month
//! whose grace period has passed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::catalogue::rule_lists;
use super::facts::{facts_for_month, first_billed_month};
use super::selling::Seller;
use super::settings::{local_today, settings, zone_of};
use super::statements::{insert_statements, option_names, Frozen, ToFreeze};
use crate::domain::audit_log::FieldChange;
use crate::domain::billing::{bill_month, close_due};
use crate::domain::cost_history::split_costs;
use crate::domain::events::EventKind;
use crate::domain::{BillingMonth, Money};
use crate::error::AppError;
use crate::server::audit::{self, Entry};
use crate::server::db::{analyze, begin_close, begin_write, hold_write_lock, Db, Time};
use crate::server::error::Result;
use crate::server::events::{self, Event};
use crate::server::stored;
use crate::views::billing::{CloseOutcome, MonthRow, MonthState};

/// Closes `month` (which must have ended): one frozen statement per
/// customer billed in it, all in one transaction. Closing a closed month
/// changes nothing and reports what the first close did.
///
/// First a short write marks the month as closing: from then on a report
/// for it is late, as if the month were closed. So the statements can be
/// frozen without the write lock on PostgreSQL (usage batches do not wait
/// a second for a close of 10,000 customers), and every report is either
/// in its statement or flagged late. A close that dies leaves the mark;
/// the next one finishes the month from the same data.
#[tracing::instrument(skip_all, fields(actor = %actor, month = %month))]
pub async fn close_month(db: &Db, actor: &str, month: BillingMonth, now: DateTime<Utc>) -> Result<CloseOutcome> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    if month >= BillingMonth::of(local_today(tz, now)) {
        return Err(AppError::invalid(
            "month",
            crate::domain::message::Message::MonthNotEnded { month: month.to_string() },
        )
        .into());
    }
    if let Some(done) = mark_closing(db, month, now).await? {
        return Ok(done);
    }
    let mut tx = begin_close(db).await?;
    if let Some(done) = closed(&mut *tx, month).await? {
        return Ok(done);
    }
    // Read again after the mark, which fixes the time zone.
    let settings = super::settings::settings(&mut *tx).await?;
    let tz = zone_of(&settings);
    let facts = facts_for_month(&mut tx, tz, month, None).await?;
    let lists = rule_lists(&mut tx).await?;
    let seller = Seller::load(&mut tx, None).await?;
    let names = option_names(&mut *tx).await?;
    let customer_names: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM customers")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let mut frozen = Vec::new();
    for (id, facts) in &facts {
        let Some(bill) = bill_month(facts, month, &lists)? else { continue };
        let sale = seller.sale(*id, &bill)?;
        let customer_name = customer_names.get(id).map(String::as_str).unwrap_or_default();
        let to = Frozen { customer_id: *id, customer_name, currency: &settings.currency, closed_at: now };
        frozen.push(ToFreeze { to, bill, sale });
    }
    let written = insert_statements(&mut tx, &frozen, &names).await?;
    let mut count = 0u64;
    let mut total = Money::ZERO;
    let (mut users, mut users_cost) = (0u64, Money::ZERO);
    for ToFreeze { bill, .. } in frozen.iter().filter(|f| written.contains(&f.to.customer_id)) {
        count += 1;
        total = total + bill.total;
        users += u64::from(bill.users);
        users_cost = users_cost + split_costs(bill.lines.iter().map(|l| (&l.kind, l.amount))).0;
    }
    // The month's record, its audit entry and its event are written under
    // the write lock (the event log's order is the commit order).
    hold_write_lock(db, &mut tx).await?;
    sqlx::query("DELETE FROM month_closing WHERE month = $1").bind(month.to_string()).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO month_closes (month, closed_at, closed_by, statements, total_cents, users, users_cents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(month.to_string())
    .bind(Time(now))
    .bind(actor)
    .bind(count as i64)
    .bind(total.cents())
    .bind(users as i64)
    .bind(users_cost.cents())
    .execute(&mut *tx)
    .await?;
    let changes = vec![
        FieldChange::new("statements", "", count),
        FieldChange::new("total", "", format!("{total} {}", settings.currency)),
    ];
    let entry = Entry {
        actor,
        action: "month.closed",
        subject: format!("month:{month}"),
        detail: String::new(),
        customer_id: None,
        changes,
        at: now,
    };
    audit::write(&mut tx, entry).await?;
    let closed = Event {
        kind: EventKind::MonthClosed,
        customer: None,
        data: serde_json::json!({
            "month": month.to_string(),
            "statements": count,
            "total": total.to_string(),
            "currency": settings.currency,
            "closed_by": actor,
        }),
        cause: Some(format!("{}:{month}", EventKind::MonthClosed.name())),
    };
    events::record(&mut tx, closed, now).await?;
    tx.commit().await?;
    if let Err(error) = analyze(db, &STATEMENT_TABLES).await {
        tracing::warn!(%error, "cannot gather the statements' planner statistics");
    }
    Ok(CloseOutcome { month, closed_now: true, statements: count, total })
}

/// What a close writes thousands of rows into at once.
const STATEMENT_TABLES: [&str; 4] = ["statements", "statement_lines", "statement_sales", "statement_sell_lines"];

/// Marks `month` as closing (once); what its close did if it is closed.
async fn mark_closing(db: &Db, month: BillingMonth, now: DateTime<Utc>) -> Result<Option<CloseOutcome>> {
    let mut tx = begin_write(db).await?;
    if let Some(done) = closed(&mut *tx, month).await? {
        return Ok(Some(done));
    }
    sqlx::query("INSERT INTO month_closing (month, marked_at) VALUES ($1, $2) ON CONFLICT (month) DO NOTHING")
        .bind(month.to_string())
        .bind(Time(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(None)
}

async fn closed(db: impl sqlx::AnyExecutor<'_>, month: BillingMonth) -> Result<Option<CloseOutcome>> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT statements, total_cents FROM month_closes WHERE month = $1")
        .bind(month.to_string())
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(n, cents)| CloseOutcome {
        month,
        closed_now: false,
        statements: n as u64,
        total: Money::from_cents(cents),
    }))
}

/// Every month from the first billed one to the current one, newest first,
/// with its state.
pub async fn months(db: &Db, now: DateTime<Utc>) -> Result<Vec<MonthRow>> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let current = BillingMonth::of(local_today(tz, now));
    let closes: Vec<(String, Time, String, i64, i64)> =
        sqlx::query_as("SELECT month, closed_at, closed_by, statements, total_cents FROM month_closes")
            .fetch_all(db)
            .await?;
    let mut closed = HashMap::new();
    for (month, at, by, n, cents) in closes {
        let state = MonthState::Closed {
            at: at.0,
            by,
            statements: u64::from(stored::count(n, "statements of a close")?),
            total: Money::from_cents(cents),
        };
        closed.insert(stored::month(&month)?, state);
    }
    let mut month = first_billed_month(db, tz).await?.unwrap_or(current).min(current);
    let mut rows = Vec::new();
    while month <= current {
        let state = if month == current {
            MonthState::Current
        } else if let Some(state) = closed.remove(&month) {
            state
        } else {
            MonthState::PendingClose {
                due: month.next().first_day() + chrono::Duration::days(i64::from(settings.grace_days)),
            }
        };
        rows.push(MonthRow { month, state, currency: settings.currency.clone() });
        month = month.next();
    }
    rows.reverse();
    Ok(rows)
}

/// The months waiting for their close past their due day, oldest first,
/// with the due day (what the status page lists and `month.close_overdue`
/// announces).
pub fn overdue(months: &[MonthRow], today: chrono::NaiveDate) -> Vec<(BillingMonth, chrono::NaiveDate)> {
    months
        .iter()
        .rev()
        .filter_map(|m| match m.state {
            MonthState::PendingClose { due } if due < today => Some((m.month, due)),
            _ => None,
        })
        .collect()
}

/// The month-close job: closes every ended month whose grace period has
/// passed, oldest first. Safe to run on several instances at once.
#[tracing::instrument(skip_all)]
pub async fn close_due_months(db: &Db, now: DateTime<Utc>) -> Result<Vec<CloseOutcome>> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let today = local_today(tz, now);
    let Some(mut month) = first_billed_month(db, tz).await? else { return Ok(Vec::new()) };
    let mut done = Vec::new();
    while close_due(month, today, settings.grace_days) {
        let outcome = close_month(db, "system", month, now).await?;
        if outcome.closed_now {
            done.push(outcome);
        }
        month = month.next();
    }
    Ok(done)
}
