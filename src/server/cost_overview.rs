//! The cost overview of a month: every customer billed in it, with the
//! billing engine's figures (frozen statements of a closed month, the rules
//! on the stored facts for a month waiting for its close, the forecast of
//! the current month) and what changed against the month before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::billing::{self, facts_for_month, label_in, month_start_utc, option_names, rule_lists, sort_key, Seller};
use super::db::{Db, Flag, Time};
use super::error::{Result, ServerError};
use super::stored;
use crate::domain::billing::{bill_month, forecast, LineKind, MonthBill};
use crate::domain::cost_history::{self, Figures};
use crate::domain::cost_overview::{overview_rows, totals, CustomerBill, MonthTotal, Totals};
use crate::domain::{BillingMonth, CustomerStatus, Money};
use crate::error::AppError;
use crate::views::billing::{line_label, CostOverviewPage, CostTotalsPage, MonthState};

fn figures_of(state: &MonthState) -> Figures {
    match state {
        MonthState::Closed { .. } => Figures::Final,
        MonthState::PendingClose { .. } => Figures::PendingClose,
        MonthState::Current => Figures::Forecast,
    }
}

/// The bills of recently shown months, kept while what they come from is
/// unchanged: a closed month's statements never change, and an open month
/// is computed again as soon as a customer, a price or the settings change
/// (see `stamp`). New usage reports make an open month stale only after
/// `usage_refresh`: with servers reporting all the time, an open month
/// would otherwise be computed for every page (with 10,000 customers a few
/// hundred milliseconds of CPU each); a kept one is ready at once.
///
/// One month is computed at a time: pages that need a month being computed
/// wait for it and take it from the cache, so a burst of requests after a
/// change costs one computation (and its memory), not one each.
#[derive(Default)]
pub struct BillCache {
    entries: Mutex<Vec<CacheEntry>>,
    usage_refresh: Duration,
    computing: tokio::sync::Mutex<()>,
}

struct CacheEntry {
    month: BillingMonth,
    key: String,
    /// The usage counter the bills were computed at.
    usage: i64,
    bills: Arc<Vec<CustomerBill>>,
    computed: Instant,
    used: Instant,
}

/// Months kept (about 4 MB each with 10,000 customers).
const CACHED_MONTHS: usize = 6;

impl BillCache {
    /// A cache whose open months include usage reports at most `refresh` old.
    pub fn refreshing_usage_every(refresh: Duration) -> Self {
        Self { usage_refresh: refresh, ..Self::default() }
    }

    fn get(&self, month: BillingMonth, key: &str, usage: i64) -> Option<Arc<Vec<CustomerBill>>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.iter_mut().find(|e| {
            e.month == month && e.key == key && (e.usage == usage || e.computed.elapsed() < self.usage_refresh)
        })?;
        entry.used = Instant::now();
        Some(entry.bills.clone())
    }

    fn put(&self, month: BillingMonth, key: String, usage: i64, bills: Arc<Vec<CustomerBill>>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|e| e.month != month);
        if entries.len() >= CACHED_MONTHS {
            if let Some(oldest) = entries.iter().enumerate().min_by_key(|(_, e)| e.used).map(|(i, _)| i) {
                entries.remove(oldest);
            }
        }
        let now = Instant::now();
        entries.push(CacheEntry { month, key, usage, bills, computed: now, used: now });
    }
}

/// What the bills depend on, in two parts: everything but usage (customers
/// and their history, settings, prices, option names, closes), and usage
/// (the count of usage writes). One cheap query, reading no table whole
/// (the customers' count of changes is kept by a trigger on `customers`);
/// any change gives a new stamp.
async fn stamp(db: &Db) -> Result<(String, i64)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT value FROM change_counters WHERE name = 'customers') || '/' || \
                (SELECT COALESCE(MAX(id), 0) FROM customer_history) || '/' || \
                (SELECT version FROM billing_settings) || '/' || \
                (SELECT COALESCE(MAX(saved_at), '') FROM price_lists) || '/' || \
                (SELECT COALESCE(MAX(saved_at), '') FROM sell_lists) || '/' || \
                (SELECT COUNT(*) || ':' || COALESCE(MAX(saved_at), '') FROM customer_pricing) || '/' || \
                (SELECT COUNT(*) FROM month_closes) || '/' || \
                (SELECT COALESCE(string_agg(code || '=' || name, ',' ORDER BY code), '') FROM option_catalogue), \
                (SELECT value FROM change_counters WHERE name = 'usage')",
    )
    .fetch_one(db)
    .await?)
}

/// Every customer's bill of `month`, by customer name, from the cache when
/// nothing changed since it was computed.
async fn month_bills(
    db: &Db,
    cache: &BillCache,
    tz: Tz,
    month: BillingMonth,
    figures: Figures,
    now: DateTime<Utc>,
    (data, usage): &(String, i64),
) -> Result<Arc<Vec<CustomerBill>>> {
    let (key, usage) = match figures {
        Figures::Final => (data.clone(), 0),
        // An open month also depends on usage and on today (the forecast).
        _ => (format!("{data}|{}", billing::local_today(tz, now)), *usage),
    };
    if let Some(bills) = cache.get(month, &key, usage) {
        return Ok(bills);
    }
    let _computing = cache.computing.lock().await;
    if let Some(bills) = cache.get(month, &key, usage) {
        return Ok(bills);
    }
    let customers = customers_at(db, month_start_utc(tz, month.next()).min(now)).await?;
    let mut bills = bills_of(db, tz, month, figures, now, &customers).await?;
    bills.sort_by_cached_key(|b| (sort_key(&b.name), b.customer_id));
    let bills = Arc::new(bills);
    cache.put(month, key, usage, bills.clone());
    Ok(bills)
}

/// The overview of `month` (None: the current month).
pub async fn cost_overview(
    db: &Db,
    cache: &BillCache,
    month: Option<BillingMonth>,
    now: DateTime<Utc>,
) -> Result<CostOverviewPage> {
    let settings = billing::settings(db).await?;
    let tz = billing::zone_of(&settings);
    let months: Vec<(BillingMonth, Figures)> =
        billing::months(db, now).await?.iter().map(|m| (m.month, figures_of(&m.state))).collect();
    let current = BillingMonth::of(billing::local_today(tz, now));
    let month = month.unwrap_or(current);
    let Some(figures) = months.iter().find(|(m, _)| *m == month).map(|(_, f)| *f) else {
        return Err(AppError::invalid(
            "month",
            crate::domain::message::Message::NoFigures { month: month.to_string() },
        )
        .into());
    };
    let previous = months.iter().find(|(m, _)| *m == month.previous()).map(|(_, f)| *f);
    let stamp = stamp(db).await?;
    let bills = month_bills(db, cache, tz, month, figures, now, &stamp).await?;
    let before = match previous {
        Some(f) => month_bills(db, cache, tz, month.previous(), f, now, &stamp).await?,
        None => Arc::new(Vec::new()),
    };
    Ok(CostOverviewPage {
        month,
        figures,
        currency: settings.currency,
        months,
        rows: overview_rows(month, bills.iter().cloned(), &before),
    })
}

/// The totals of the last `count` months (12 or 24): closed months as their
/// close recorded them, open months from the engine's bills.
pub async fn cost_totals(db: &Db, cache: &BillCache, count: u32, now: DateTime<Utc>) -> Result<CostTotalsPage> {
    if count != 12 && count != 24 {
        return Err(AppError::invalid("months", crate::domain::message::Message::MonthsWindow).into());
    }
    let settings = billing::settings(db).await?;
    let tz = billing::zone_of(&settings);
    let current = BillingMonth::of(billing::local_today(tz, now));
    let window = cost_history::window(current, count);
    let states: HashMap<BillingMonth, Figures> =
        billing::months(db, now).await?.iter().map(|m| (m.month, figures_of(&m.state))).collect();
    let closed: Vec<(String, i64, i64, i64, i64)> =
        sqlx::query_as("SELECT month, statements, users, users_cents, total_cents FROM month_closes WHERE month >= $1")
            .bind(window[0].to_string())
            .fetch_all(db)
            .await?;
    let closed: HashMap<String, Totals> = closed
        .into_iter()
        .map(|(month, customers, users, users_cents, total_cents)| {
            let totals = Totals {
                customers: u64::from(stored::count(customers, "statements of a close")?),
                users: stored::quantity(users)?,
                users_cost: Money::from_cents(users_cents),
                options_cost: Money::from_cents(total_cents - users_cents),
                total: Money::from_cents(total_cents),
                // The chart draws costs; a close records no revenue.
                ..Totals::default()
            };
            Ok((month, totals))
        })
        .collect::<Result<_>>()?;
    let stamp = stamp(db).await?;
    let mut months = Vec::new();
    for month in window {
        let Some(figures) = states.get(&month).copied() else { continue };
        let totals = match closed.get(&month.to_string()) {
            Some(totals) if figures == Figures::Final => totals.clone(),
            _ => {
                let bills = month_bills(db, cache, tz, month, figures, now, &stamp).await?;
                totals(bills.iter())
            }
        };
        months.push(MonthTotal { month, figures, totals });
    }
    Ok(CostTotalsPage { currency: settings.currency, months })
}

/// Name, database name and status of every customer, by id.
type CustomersAt = HashMap<i64, (String, String, CustomerStatus)>;

/// Database name and status (at the end of `month`, or now) of every customer.
async fn customers_at(db: &Db, end: DateTime<Utc>) -> Result<CustomersAt> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.database_name, (SELECT h.status FROM customer_history h \
           WHERE h.customer_id = c.id AND h.effective_at < $1 ORDER BY h.effective_at DESC, h.id DESC LIMIT 1) \
         FROM customers c",
    )
    .bind(Time(end))
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, name, database, status)| {
            // No state before `end`: created since, so active.
            let status = status.as_deref().map(stored::customer_status).transpose()?.unwrap_or(CustomerStatus::Active);
            Ok((id, (name, database, status)))
        })
        .collect()
}

/// Every customer's bill of `month`, as its figures say where they come
/// from: the frozen statements of a closed month, else the engine's bills
/// made into statements the same way a close makes them. Database name and
/// status come from `customers`.
async fn bills_of(
    db: &Db,
    tz: Tz,
    month: BillingMonth,
    figures: Figures,
    now: DateTime<Utc>,
    customers: &CustomersAt,
) -> Result<Vec<CustomerBill>> {
    let bill = |b: RatedBill| {
        let (database_name, status) = customers
            .get(&b.customer_id)
            .map(|(_, database, status)| (database.clone(), *status))
            .unwrap_or_else(|| (String::new(), CustomerStatus::Removed));
        let (options, users_cost, options_cost) = CustomerBill::options_of(
            b.lines.iter().map(|(kind, code, label, amount)| (kind, code.as_str(), label.as_str(), *amount)),
        );
        CustomerBill {
            customer_id: b.customer_id,
            name: b.name,
            database_name,
            status,
            figures,
            users: b.users[0],
            users_at_start: b.users[1],
            users_at_end: b.users[2],
            options,
            users_cost,
            options_cost,
            total: b.total,
            revenue: b.revenue,
            not_for_resale: b.not_for_resale,
        }
    };
    if figures == Figures::Final {
        return Ok(final_bills(db, month).await?.into_iter().map(bill).collect());
    }
    let names = option_names(db).await?;
    Ok(computed_bills(db, tz, month, figures, now)
        .await?
        .into_iter()
        .map(|(id, b, (revenue, not_for_resale))| {
            let lines: Vec<_> = b
                .lines
                .iter()
                .map(|l| (l.kind.clone(), l.code.clone(), line_label(l, label_in(&names)), l.amount))
                .collect();
            let name = customers.get(&id).map(|(name, ..)| name.clone()).unwrap_or_default();
            bill(RatedBill {
                customer_id: id,
                name,
                users: [b.users, b.users_at_start, b.users_at_end],
                total: b.total,
                revenue: Some(revenue),
                not_for_resale,
                lines,
            })
        })
        .collect())
}

/// Between the fields of a line and between the lines in `final_bills`:
/// control characters no name or code may contain.
const FIELD: &str = "\u{1f}";
const LINE: &str = "\u{1e}";

/// One customer's bill as the overview needs it, frozen or computed.
struct RatedBill {
    customer_id: i64,
    name: String,
    /// Billed, at the month's start, at its end.
    users: [u32; 3],
    total: Money,
    revenue: Option<Money>,
    not_for_resale: bool,
    /// Kind, code, label, amount.
    lines: Vec<(LineKind, String, String, Money)>,
}

/// customer, name, users, at start, at end, total, revenue, not for resale,
/// lines folded.
type StatementRow = (i64, String, i64, i64, i64, i64, Option<i64>, Option<Flag>, Option<String>);

/// The frozen statements of a closed month, one row per statement with its
/// lines folded into one text (reading 30,000 lines as rows would take
/// several times as long).
async fn final_bills(db: &Db, month: BillingMonth) -> Result<Vec<RatedBill>> {
    let rows: Vec<StatementRow> = sqlx::query_as(
        "SELECT s.customer_id, s.customer_name, s.users, s.users_at_start, s.users_at_end, s.total_cents, \
           a.total_cents, CAST(a.not_for_resale AS INTEGER), \
           (SELECT string_agg(l.kind || $2 || l.code || $2 || l.label || $2 || l.amount_cents, $3 ORDER BY l.position) \
            FROM statement_lines l WHERE l.statement_id = s.id) \
         FROM statements s LEFT JOIN statement_sales a ON a.statement_id = s.id WHERE s.month = $1",
    )
    .bind(month.to_string())
    .bind(FIELD)
    .bind(LINE)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, name, users, start, end, total, revenue, not_for_resale, lines)| {
            let lines = match lines.as_deref() {
                None | Some("") => Vec::new(),
                Some(folded) => folded.split(LINE).map(final_line).collect::<Result<_>>()?,
            };
            let users = [
                stored::count(users, "users")?,
                stored::count(start, "users at start")?,
                stored::count(end, "users at end")?,
            ];
            Ok(RatedBill {
                customer_id: id,
                name,
                users,
                total: Money::from_cents(total),
                revenue: revenue.map(Money::from_cents),
                not_for_resale: not_for_resale.is_some_and(|f| f.0),
                lines,
            })
        })
        .collect()
}

/// One line of `final_bills`: kind, code, label, cents.
fn final_line(line: &str) -> Result<(LineKind, String, String, Money)> {
    let mut fields = line.split(FIELD);
    let mut next = || fields.next().ok_or_else(|| ServerError::unknown("statement line", line));
    let kind = stored::line_kind(next()?)?;
    let (code, label) = (next()?.to_owned(), next()?.to_owned());
    let cents = next()?;
    let cents = cents.parse().map_err(|e| ServerError::corrupt("statement line amount", cents, e))?;
    Ok((kind, code, label, Money::from_cents(cents)))
}

/// The bills of an open month by customer (ended: the rules on what is
/// stored; the current one: the forecast).
async fn computed_bills(
    db: &Db,
    tz: Tz,
    month: BillingMonth,
    figures: Figures,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, MonthBill, (Money, bool))>> {
    let mut conn = db.acquire().await?;
    let facts = facts_for_month(&mut conn, tz, month, None).await?;
    let lists = rule_lists(&mut conn).await?;
    let seller = Seller::load(&mut conn, None).await?;
    drop(conn);
    // Only customers that reported: the others' count is 0 below.
    let reported: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT c.id, u.reported_users FROM customers c JOIN customer_usage u ON u.customer_id = c.id \
             WHERE c.status <> 'removed'",
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .collect();
    let today = billing::local_today(tz, now);
    let mut bills = Vec::new();
    for (id, facts) in &facts {
        let bill = if figures == Figures::Forecast {
            let users = stored::count(reported.get(id).copied().unwrap_or(0), "reported users")?;
            forecast(facts, today, users, &lists)?
        } else {
            bill_month(facts, month, &lists)?
        };
        if let Some(bill) = bill {
            let revenue = seller.revenue(*id, &bill)?;
            bills.push((*id, bill, revenue));
        }
    }
    Ok(bills)
}
