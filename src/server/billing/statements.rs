//! Frozen statements in the database: written once at a month's close
//! from the rules' bill, read back (checked) as the wire `Statement`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::billing::MonthBill;
use crate::domain::selling::{Sale, SellBasis, SellLine};
use crate::domain::{BillingMonth, Money};
use crate::error::AppError;
use crate::server::db::{Db, Flag, Sql, Time, WriteTx};
use crate::server::error::{Result, ServerError};
use crate::server::stored;
use crate::views::billing::{line_label, Statement, StatementLine};

/// The names of the catalogue's options, by code.
pub async fn option_names(db: impl sqlx::AnyExecutor<'_>) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM option_catalogue").fetch_all(db).await?;
    Ok(rows.into_iter().collect())
}

/// How a statement names an option: its catalogue name, else its code.
pub fn label_in(names: &HashMap<String, String>) -> impl Fn(&str) -> String + '_ {
    |code| names.get(code).cloned().unwrap_or_else(|| code.to_owned())
}

/// Who a statement is for, and when it is frozen.
pub(super) struct Frozen<'a> {
    pub customer_id: i64,
    pub customer_name: &'a str,
    pub currency: &'a str,
    pub closed_at: DateTime<Utc>,
}

/// A statement to freeze: who it is for, the rules' bill and the sale.
pub(super) struct ToFreeze<'a> {
    pub to: Frozen<'a>,
    pub bill: MonthBill,
    pub sale: Sale,
}

/// Writes the statements with their lines and what they sold, a few rows
/// per statement sent, so a close of 10,000 customers holds the write lock
/// briefly. A customer with a statement for the month keeps it (the
/// unique key decides). The customers whose statement was written.
pub(super) async fn insert_statements(
    tx: &mut WriteTx,
    statements: &[ToFreeze<'_>],
    names: &HashMap<String, String>,
) -> Result<HashSet<i64>> {
    let mut ids: HashMap<i64, i64> = HashMap::new();
    let inserts = Sql::inserts(
        "INSERT INTO statements (customer_id, month, customer_name, currency, billable_days, users, \
           users_at_start, users_at_end, total_cents, closed_at) VALUES ",
        10,
        statements,
        " ON CONFLICT (customer_id, month) DO NOTHING RETURNING customer_id, id",
        |row, ToFreeze { to, bill, .. }| {
            row.value(to.customer_id).value(bill.month.to_string()).value(to.customer_name.to_owned());
            row.value(to.currency.to_owned()).value(i64::from(bill.billable_days)).value(i64::from(bill.users));
            row.value(i64::from(bill.users_at_start)).value(i64::from(bill.users_at_end));
            row.value(bill.total.cents()).value(Time(to.closed_at));
        },
    );
    for sql in inserts {
        let (text, args) = sql.build();
        let written: Vec<(i64, i64)> = sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
        ids.extend(written);
    }
    let written: Vec<(i64, &ToFreeze)> =
        statements.iter().filter_map(|s| ids.get(&s.to.customer_id).map(|id| (*id, s))).collect();

    let label = label_in(names);
    let lines: Vec<_> = written
        .iter()
        .flat_map(|(id, s)| s.bill.lines.iter().enumerate().map(move |(position, line)| (*id, position, line)))
        .collect();
    let mut inserts = Sql::inserts(
        "INSERT INTO statement_lines (statement_id, position, kind, code, label, quantity, unit_price_e4, \
           amount_cents) VALUES ",
        8,
        &lines,
        "",
        |row, (id, position, line)| {
            row.value(*id).value(*position as i64).value(line.kind.as_str()).value(line.code.clone());
            row.value(line_label(line, &label)).value(line.quantity as i64).value(line.unit_price.e4());
            row.value(line.amount.cents());
        },
    );
    inserts.extend(Sql::inserts(
        "INSERT INTO statement_sales (statement_id, not_for_resale, total_cents) VALUES ",
        3,
        &written,
        "",
        |row, (id, s)| {
            row.value(*id).value(s.sale.not_for_resale).value(s.sale.total.cents());
        },
    ));
    let sell_lines: Vec<_> = written
        .iter()
        .flat_map(|(id, s)| s.sale.lines.iter().enumerate().map(move |(position, line)| (*id, position, line)))
        .collect();
    inserts.extend(Sql::inserts(
        "INSERT INTO statement_sell_lines (statement_id, position, kind, code, quantity, unit_price_e4, \
           amount_cents, basis) VALUES ",
        8,
        &sell_lines,
        "",
        |row, (id, position, line)| {
            row.value(*id).value(*position as i64).value(line.kind.as_str()).value(line.code.clone());
            row.value(line.quantity as i64).value(line.unit_price.e4()).value(line.amount.cents());
            row.value(line.basis.stored());
        },
    ));
    for sql in inserts {
        let (text, args) = sql.build();
        sqlx::query_with(&text, args).execute(&mut **tx).await?;
    }
    Ok(written.into_iter().map(|(_, s)| s.to.customer_id).collect())
}

#[derive(sqlx::FromRow)]
struct StatementRow {
    id: i64,
    customer_id: i64,
    month: String,
    customer_name: String,
    currency: String,
    billable_days: i64,
    users: i64,
    users_at_start: i64,
    users_at_end: i64,
    total_cents: i64,
    #[sqlx(try_from = "Time")]
    closed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SaleRow {
    statement_id: i64,
    #[sqlx(try_from = "Flag")]
    not_for_resale: bool,
    total_cents: i64,
}

#[derive(sqlx::FromRow)]
struct SellLineRow {
    statement_id: i64,
    kind: String,
    code: String,
    quantity: i64,
    unit_price_e4: i64,
    amount_cents: i64,
    basis: String,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    statement_id: i64,
    kind: String,
    code: String,
    label: String,
    quantity: i64,
    unit_price_e4: i64,
    amount_cents: i64,
}

/// The frozen statements of a month, by customer name.
pub async fn statements_of_month(db: &Db, month: BillingMonth) -> Result<Vec<Statement>> {
    let mut statements = load_statements(db, Some(month), None).await?;
    // As the customer lists sort: accents folded, case ignored.
    statements.sort_by_cached_key(|s| (sort_key(&s.customer_name), s.customer_id));
    Ok(statements)
}

/// Every frozen statement of one customer, oldest first.
pub async fn statements_of_customer(db: &Db, id: i64) -> Result<Vec<Statement>> {
    let mut statements = load_statements(db, None, Some(id)).await?;
    statements.sort_by_key(|s| s.month);
    Ok(statements)
}

/// One customer's frozen statement of `month`.
pub async fn statement_of_customer(db: &Db, id: i64, month: BillingMonth) -> Result<Statement> {
    Ok(load_statements(db, Some(month), Some(id)).await?.pop().ok_or(AppError::NotFound)?)
}

/// Frozen statements with their lines: of one month, one customer, or both.
/// Each filter is its own condition, so the unique (customer, month) index
/// and the month index serve it.
async fn load_statements(db: &Db, month: Option<BillingMonth>, customer: Option<i64>) -> Result<Vec<Statement>> {
    let filter = match (month, customer) {
        (Some(_), Some(_)) => "s.month = $1 AND s.customer_id = $2",
        (Some(_), None) => "s.month = $1",
        (None, Some(_)) => "s.customer_id = $1",
        (None, None) => "1 = 1",
    };
    let month = month.map(|m| m.to_string());
    let statements_sql = format!(
        "SELECT s.id, s.customer_id, s.month, s.customer_name, s.currency, s.billable_days, s.users, \
           s.users_at_start, s.users_at_end, s.total_cents, s.closed_at FROM statements s WHERE {filter}"
    );
    let lines_sql = format!(
        "SELECT l.statement_id, l.kind, l.code, l.label, l.quantity, l.unit_price_e4, l.amount_cents \
         FROM statement_lines l JOIN statements s ON s.id = l.statement_id WHERE {filter} \
         ORDER BY l.statement_id, l.position"
    );
    let sales_sql = format!(
        "SELECT a.statement_id, CAST(a.not_for_resale AS INTEGER) AS not_for_resale, a.total_cents \
         FROM statement_sales a JOIN statements s ON s.id = a.statement_id WHERE {filter}"
    );
    let sell_lines_sql = format!(
        "SELECT l.statement_id, l.kind, l.code, l.quantity, l.unit_price_e4, l.amount_cents, l.basis \
         FROM statement_sell_lines l JOIN statements s ON s.id = l.statement_id WHERE {filter} \
         ORDER BY l.statement_id, l.position"
    );
    let mut rows = sqlx::query_as::<_, StatementRow>(&statements_sql);
    let mut lines = sqlx::query_as::<_, LineRow>(&lines_sql);
    let mut sales = sqlx::query_as::<_, SaleRow>(&sales_sql);
    let mut sell_lines = sqlx::query_as::<_, SellLineRow>(&sell_lines_sql);
    if let Some(month) = &month {
        rows = rows.bind(month.clone());
        lines = lines.bind(month.clone());
        sales = sales.bind(month.clone());
        sell_lines = sell_lines.bind(month.clone());
    }
    if let Some(customer) = customer {
        rows = rows.bind(customer);
        lines = lines.bind(customer);
        sales = sales.bind(customer);
        sell_lines = sell_lines.bind(customer);
    }
    let rows = rows.fetch_all(db).await?;
    let lines = lines.fetch_all(db).await?;
    let mut sold: HashMap<i64, Sale> = HashMap::new();
    for a in sales.fetch_all(db).await? {
        let sale =
            Sale { not_for_resale: a.not_for_resale, lines: Vec::new(), total: Money::from_cents(a.total_cents) };
        sold.insert(a.statement_id, sale);
    }
    for l in sell_lines.fetch_all(db).await? {
        let line = SellLine {
            kind: stored::line_kind(&l.kind)?,
            code: l.code,
            quantity: stored::quantity(l.quantity)?,
            unit_price: stored::derived_price(l.unit_price_e4)?,
            amount: Money::from_cents(l.amount_cents),
            basis: SellBasis::parse(&l.basis).ok_or_else(|| ServerError::unknown("sell line basis", &l.basis))?,
        };
        if let Some(sale) = sold.get_mut(&l.statement_id) {
            sale.lines.push(line);
        }
    }
    let mut by_statement: HashMap<i64, Vec<StatementLine>> = HashMap::new();
    for l in lines {
        by_statement.entry(l.statement_id).or_default().push(StatementLine {
            kind: stored::line_kind(&l.kind)?,
            code: l.code,
            label: l.label,
            quantity: stored::quantity(l.quantity)?,
            unit_price: stored::unit_price(l.unit_price_e4)?,
            amount: Money::from_cents(l.amount_cents),
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Statement {
                customer_id: r.customer_id,
                customer_name: r.customer_name,
                month: stored::month(&r.month)?,
                currency: r.currency,
                billable_days: stored::count(r.billable_days, "billable days")?,
                users: stored::count(r.users, "users")?,
                users_at_start: stored::count(r.users_at_start, "users at start")?,
                users_at_end: stored::count(r.users_at_end, "users at end")?,
                lines: by_statement.remove(&r.id).unwrap_or_default(),
                total: Money::from_cents(r.total_cents),
                closed_at: r.closed_at,
                sale: sold.remove(&r.id),
            })
        })
        .collect()
}

/// How customer names sort: accents folded, case ignored.
pub fn sort_key(name: &str) -> String {
    crate::domain::CustomerName::parse(name).map(|n| n.sort_key()).unwrap_or_else(|_| name.to_lowercase())
}

/// What the usage writer places reports in months with, in one read (it
/// asks with every batch): the billing time zone and the months frozen so
/// far, closed or closing (a report for one of them is late).
pub async fn zone_and_frozen_months(db: impl sqlx::AnyExecutor<'_>) -> Result<(Tz, HashSet<BillingMonth>)> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT s.time_zone, m.month FROM billing_settings s LEFT JOIN \
           (SELECT month FROM month_closes UNION ALL SELECT month FROM month_closing) m ON TRUE \
         WHERE s.id = 1",
    )
    .fetch_all(db)
    .await?;
    let Some((zone, _)) = rows.first() else {
        return Err(sqlx::Error::RowNotFound.into());
    };
    let zone = stored::time_zone(zone)?;
    let closed = rows.iter().filter_map(|(_, month)| month.as_deref()).map(stored::month).collect::<Result<_>>()?;
    Ok((zone, closed))
}

/// The months closed so far.
pub async fn closed_months(db: impl sqlx::AnyExecutor<'_>) -> Result<HashSet<BillingMonth>> {
    let months: Vec<String> = sqlx::query_scalar("SELECT month FROM month_closes").fetch_all(db).await?;
    months.iter().map(|m| stored::month(m)).collect()
}
