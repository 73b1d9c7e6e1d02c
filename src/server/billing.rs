//! Billing in the database: settings, option catalogue and price lists;
//! turning the stored history into the facts of `domain::billing`; the
//! forecast; closing a month into frozen statements.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::audit::{self, Entry};
use super::db::{begin_write, Db, Flag, Time, WriteTx};
use crate::domain::audit_log::FieldChange;
use crate::domain::billing::{
    bill_month, close_due, facts_from_history, forecast, CustomerFacts, HistoryPoint, LineKind, MonthBill, OptionPrice,
    PriceList,
};
use crate::domain::billing_settings::{
    option_price_field, parse_option_name, NewOptionForm, PriceListForm, Pricing, SettingsForm,
};
use crate::domain::cost_history::split_costs;
use crate::domain::{BillingMonth, FieldMessage, Money, UnitPrice};
use crate::error::AppError;
use crate::views::billing::{
    BillingSettings, CatalogueEntry, CloseOutcome, Forecast, MonthRow, MonthState, OptionPriceView, PriceListView,
    PricingPage, Statement, StatementLine,
};

// ---------------------------------------------------------------- settings

pub fn parse_time_zone(name: &str) -> Option<Tz> {
    Tz::from_str(name).ok()
}

pub async fn settings(db: impl sqlx::AnyExecutor<'_>) -> Result<BillingSettings, sqlx::Error> {
    let (currency, time_zone, grace_days, Flag(prices_confirmed), version): (String, String, i64, Flag, i64) =
        sqlx::query_as(
            "SELECT currency, time_zone, grace_days, CAST(prices_confirmed AS INTEGER), version \
             FROM billing_settings WHERE id = 1",
        )
        .fetch_one(db)
        .await?;
    Ok(BillingSettings { currency, time_zone, grace_days: grace_days as u32, prices_confirmed, version })
}

/// The billing time zone (UTC if the stored name were ever unknown).
pub fn zone_of(settings: &BillingSettings) -> Tz {
    parse_time_zone(&settings.time_zone).unwrap_or(Tz::UTC)
}

pub fn local_today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn local(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

/// The UTC instant a local billing time stands for (the earlier one when a
/// clock change makes it ambiguous, the moment after a gap).
fn utc_of(tz: Tz, at: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&at) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => utc_of(tz, at + chrono::Duration::hours(1)),
    }
}

pub(super) fn month_start_utc(tz: Tz, month: BillingMonth) -> DateTime<Utc> {
    utc_of(tz, month.first_day().and_time(chrono::NaiveTime::MIN))
}

async fn any_month_closed(db: impl sqlx::AnyExecutor<'_>) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM month_closes").fetch_one(db).await?;
    Ok(n > 0)
}

fn admin_entry<'a>(actor: &'a str, action: &'a str, subject: String, changes: Vec<FieldChange>) -> Entry<'a> {
    Entry { actor, action, subject, detail: String::new(), customer_id: None, changes, at: Utc::now() }
}

pub async fn save_settings(db: &Db, actor: &str, form: &SettingsForm, version: i64) -> Result<(), AppError> {
    let valid = form.validate(|name| parse_time_zone(name).is_some()).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let old = settings(&mut *tx).await?;
    if old.version != version {
        return Err(AppError::Conflict(
            "The settings were changed by someone else in the meantime. Reload, then try again.".to_owned(),
        ));
    }
    if valid.time_zone != old.time_zone && any_month_closed(&mut *tx).await? {
        return Err(AppError::invalid(
            "time_zone",
            "The billing time zone cannot change once a month has been closed: the daily counts of the closed \
             months were taken in it.",
        ));
    }
    let mut changes = Vec::new();
    if valid.currency != old.currency {
        changes.push(FieldChange::new("currency", &old.currency, &valid.currency));
    }
    if valid.time_zone != old.time_zone {
        changes.push(FieldChange::new("time_zone", &old.time_zone, &valid.time_zone));
    }
    if valid.grace_days != old.grace_days {
        changes.push(FieldChange::new("grace_days", old.grace_days, valid.grace_days));
    }
    if changes.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE billing_settings SET currency = $1, time_zone = $2, grace_days = $3, version = version + 1 \
         WHERE id = 1",
    )
    .bind(&valid.currency)
    .bind(&valid.time_zone)
    .bind(i64::from(valid.grace_days))
    .execute(&mut *tx)
    .await?;
    audit::write(&mut tx, admin_entry(actor, "settings.changed", "settings:billing".to_owned(), changes)).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------- catalogue and price lists

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    effective_month: String,
    per_user_e4: i64,
    #[sqlx(try_from = "Time")]
    saved_at: DateTime<Utc>,
    saved_by: String,
}

fn unit_price(e4: i64) -> UnitPrice {
    // The CHECK constraints keep stored prices non-negative.
    UnitPrice::from_e4(e4).unwrap_or_default()
}

/// Every price list, newest first.
pub async fn price_list_views(db: &mut sqlx::AnyConnection) -> Result<Vec<PriceListView>, AppError> {
    let lists: Vec<ListRow> = sqlx::query_as(
        "SELECT id, effective_month, per_user_e4, saved_at, saved_by FROM price_lists ORDER BY effective_month DESC",
    )
    .fetch_all(&mut *db)
    .await?;
    let prices: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT p.price_list_id, p.code, p.pricing, p.price_e4 FROM price_list_options p \
         JOIN option_catalogue o ON o.code = p.code ORDER BY o.position",
    )
    .fetch_all(&mut *db)
    .await?;
    let mut views = Vec::new();
    for list in lists {
        let effective = BillingMonth::parse(&list.effective_month).map_err(|e| {
            tracing::error!(month = %list.effective_month, %e, "a stored price list has a bad month");
            AppError::Internal
        })?;
        let options = prices
            .iter()
            .filter(|(id, ..)| *id == list.id)
            .map(|(_, code, pricing, e4)| OptionPriceView {
                code: code.clone(),
                pricing: Pricing::parse(pricing).unwrap_or(Pricing::Flat),
                price: unit_price(*e4),
            })
            .collect();
        views.push(PriceListView {
            effective,
            per_user: unit_price(list.per_user_e4),
            options,
            saved_at: list.saved_at,
            saved_by: list.saved_by,
        });
    }
    Ok(views)
}

/// The price lists as the billing rules take them.
pub fn rule_lists(views: &[PriceListView]) -> Vec<PriceList> {
    views
        .iter()
        .map(|v| PriceList {
            effective: v.effective,
            per_user: v.per_user.as_decimal(),
            options: v
                .options
                .iter()
                .map(|o| {
                    let price = match o.pricing {
                        Pricing::PerUser => OptionPrice::PerUser(o.price.as_decimal()),
                        Pricing::Flat => OptionPrice::Flat(o.price.as_decimal()),
                    };
                    (o.code.clone(), price)
                })
                .collect(),
        })
        .collect()
}

pub async fn catalogue(db: &Db) -> Result<Vec<CatalogueEntry>, AppError> {
    let rows: Vec<(String, String, Flag, i64)> = sqlx::query_as(
        "SELECT o.code, o.name, CAST(o.retired AS INTEGER), \
           (SELECT COUNT(*) FROM customer_options co JOIN customers c ON c.id = co.customer_id \
            WHERE co.code = o.code AND c.status <> 'removed') \
         FROM option_catalogue o ORDER BY o.position",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, Flag(retired), booked_by)| CatalogueEntry {
            code,
            name,
            retired,
            booked_by: booked_by as u64,
        })
        .collect())
}

pub async fn pricing_page(db: &Db) -> Result<PricingPage, AppError> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let mut time_zones: Vec<String> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().to_owned()).collect();
    time_zones.sort();
    Ok(PricingPage {
        current_month: BillingMonth::of(local_today(tz, Utc::now())),
        catalogue: catalogue(db).await?,
        price_lists: price_list_views(&mut *db.acquire().await?).await?,
        time_zone_locked: any_month_closed(db).await?,
        time_zones,
        settings,
    })
}

fn describe(list: &[(String, Pricing, UnitPrice)], per_user: UnitPrice) -> String {
    let mut parts = vec![format!("users {per_user}")];
    parts.extend(list.iter().map(|(code, pricing, price)| format!("{code} {price} {}", pricing.label())));
    parts.join("; ")
}

/// Saves the price list in force from its effective month (the current
/// month or later). Every option of the catalogue needs a price.
pub async fn save_price_list(db: &Db, actor: &str, form: &PriceListForm) -> Result<(), AppError> {
    let tz = zone_of(&settings(db).await?);
    let current = BillingMonth::of(local_today(tz, Utc::now()));
    let valid = form.validate(current).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM option_catalogue ORDER BY position").fetch_all(&mut *tx).await?;
    let missing: Vec<FieldMessage> = codes
        .iter()
        .filter(|code| !valid.options.iter().any(|(c, ..)| c == *code))
        .map(|code| FieldMessage::new(&option_price_field(code), "Enter a price for this option."))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    if let Some((code, ..)) = valid.options.iter().find(|(c, ..)| !codes.contains(c)) {
        return Err(AppError::invalid(&option_price_field(code), "This option is not in the catalogue."));
    }
    let month = valid.effective.to_string();
    let old: Option<(i64, i64)> = sqlx::query_as("SELECT id, per_user_e4 FROM price_lists WHERE effective_month = $1")
        .bind(&month)
        .fetch_optional(&mut *tx)
        .await?;
    let now = Utc::now();
    let id = match old {
        Some((id, _)) => {
            sqlx::query("UPDATE price_lists SET per_user_e4 = $1, saved_at = $2, saved_by = $3 WHERE id = $4")
                .bind(valid.per_user.e4())
                .bind(Time(now))
                .bind(actor)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM price_list_options WHERE price_list_id = $1").bind(id).execute(&mut *tx).await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO price_lists (effective_month, per_user_e4, saved_at, saved_by) VALUES ($1, $2, $3, $4) \
                 RETURNING id",
            )
            .bind(&month)
            .bind(valid.per_user.e4())
            .bind(Time(now))
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    for (code, pricing, price) in &valid.options {
        sqlx::query("INSERT INTO price_list_options (price_list_id, code, pricing, price_e4) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(code)
            .bind(pricing.as_str())
            .bind(price.e4())
            .execute(&mut *tx)
            .await?;
    }
    // The catalogue shows how each option is priced now.
    sync_catalogue_pricing(&mut tx, current).await?;
    sqlx::query("UPDATE billing_settings SET prices_confirmed = TRUE WHERE id = 1").execute(&mut *tx).await?;
    let change = FieldChange::new(
        "price_list",
        if old.is_some() { "replaced" } else { "" },
        describe(&valid.options, valid.per_user),
    );
    audit::write(&mut tx, admin_entry(actor, "price_list.saved", format!("price_list:{month}"), vec![change])).await?;
    tx.commit().await?;
    Ok(())
}

async fn sync_catalogue_pricing(tx: &mut WriteTx, current: BillingMonth) -> Result<(), sqlx::Error> {
    let in_force: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM price_lists WHERE effective_month <= $1 ORDER BY effective_month DESC LIMIT 1",
    )
    .bind(current.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = in_force {
        sqlx::query(
            "UPDATE option_catalogue SET pricing = (SELECT p.pricing FROM price_list_options p \
             WHERE p.price_list_id = $1 AND p.code = option_catalogue.code) \
             WHERE code IN (SELECT code FROM price_list_options WHERE price_list_id = $1)",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds an option to the catalogue with its price in every price list: no
/// customer had it booked before, so no past month changes.
pub async fn add_option(db: &Db, actor: &str, form: &NewOptionForm) -> Result<(), AppError> {
    let new = form.validate().map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let (code_taken, name_taken): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN code = $1 THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN LOWER(name) = LOWER($2) THEN 1 ELSE 0 END), 0) FROM option_catalogue",
    )
    .bind(&new.code)
    .bind(&new.name)
    .fetch_one(&mut *tx)
    .await?;
    let mut problems = Vec::new();
    if code_taken > 0 {
        problems.push(FieldMessage::new("code", "An option with this code exists already."));
    }
    if name_taken > 0 {
        problems.push(FieldMessage::new("name", "An option with this name exists already."));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    sqlx::query(
        "INSERT INTO option_catalogue (code, name, pricing, retired, position) \
         SELECT $1, $2, $3, FALSE, COALESCE(MAX(position), 0) + 1 FROM option_catalogue",
    )
    .bind(&new.code)
    .bind(&new.name)
    .bind(new.pricing.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO price_list_options (price_list_id, code, pricing, price_e4) SELECT id, $1, $2, $3 FROM price_lists",
    )
    .bind(&new.code)
    .bind(new.pricing.as_str())
    .bind(new.price.e4())
    .execute(&mut *tx)
    .await?;
    let changes = vec![
        FieldChange::new("name", "", &new.name),
        FieldChange::new("price", "", format!("{} {}", new.price, new.pricing.label())),
    ];
    audit::write(&mut tx, admin_entry(actor, "option.added", format!("option:{}", new.code), changes)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn rename_option(db: &Db, actor: &str, code: &str, name: &str) -> Result<(), AppError> {
    let name = parse_option_name(name).map_err(|e| AppError::invalid("name", e))?;
    let mut tx = begin_write(db).await?;
    let old: Option<String> = sqlx::query_scalar("SELECT name FROM option_catalogue WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
    let old = old.ok_or(AppError::NotFound)?;
    if old == name {
        return Ok(());
    }
    let clash: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM option_catalogue WHERE LOWER(name) = LOWER($1) AND code <> $2")
            .bind(&name)
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
    if clash > 0 {
        return Err(AppError::invalid("name", "An option with this name exists already."));
    }
    sqlx::query("UPDATE option_catalogue SET name = $1 WHERE code = $2")
        .bind(&name)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    let changes = vec![FieldChange::new("name", &old, &name)];
    audit::write(&mut tx, admin_entry(actor, "option.renamed", format!("option:{code}"), changes)).await?;
    tx.commit().await?;
    Ok(())
}

/// A retired option can no longer be booked; customers that have it keep
/// it (and are billed for it) until someone removes it from them.
pub async fn set_retired(db: &Db, actor: &str, code: &str, retired: bool) -> Result<(), AppError> {
    let mut tx = begin_write(db).await?;
    let old: Option<Flag> = sqlx::query_scalar("SELECT CAST(retired AS INTEGER) FROM option_catalogue WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
    if old.ok_or(AppError::NotFound)?.0 == retired {
        return Ok(());
    }
    sqlx::query("UPDATE option_catalogue SET retired = $1 WHERE code = $2")
        .bind(retired)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    let (from, to) = if retired { ("bookable", "retired") } else { ("retired", "bookable") };
    let action = if retired { "option.retired" } else { "option.reinstated" };
    let changes = vec![FieldChange::new("state", from, to)];
    audit::write(&mut tx, admin_entry(actor, action, format!("option:{code}"), changes)).await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ facts

#[derive(sqlx::FromRow)]
struct HistoryRow {
    customer_id: i64,
    #[sqlx(try_from = "Time")]
    effective_at: DateTime<Utc>,
    kind: String,
    status: String,
    options: String,
}

/// The facts of every customer that was billed at some time before the end
/// of `month`, as of the end of `month` (`only`: just that customer).
pub async fn facts_for_month(
    db: &mut sqlx::AnyConnection,
    tz: Tz,
    month: BillingMonth,
    only: Option<i64>,
) -> Result<BTreeMap<i64, CustomerFacts>, sqlx::Error> {
    let start = month_start_utc(tz, month);
    let end = month_start_utc(tz, month.next());
    let customer = only.unwrap_or(-1);
    let rows: Vec<HistoryRow> = sqlx::query_as(
        "SELECT customer_id, effective_at, kind, status, options FROM customer_history \
         WHERE effective_at < $1 AND ($2 < 0 OR customer_id = $2) AND customer_id IN \
           (SELECT customer_id FROM customer_history WHERE kind = 'billed' AND effective_at < $1 \
            AND ($2 < 0 OR customer_id = $2)) \
         ORDER BY customer_id, effective_at, id",
    )
    .bind(Time(end))
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
    let mut points: BTreeMap<i64, Vec<HistoryPoint>> = BTreeMap::new();
    for row in rows {
        points.entry(row.customer_id).or_default().push(HistoryPoint {
            at: local(tz, row.effective_at),
            billed: row.kind == "billed",
            active: row.status == "active",
            options: row.options.split_whitespace().map(str::to_owned).collect(),
        });
    }
    // A customer whose last state before the month was "removed" has
    // nothing to bill any more: skip it early.
    points.retain(|_, p| p.iter().any(|h| h.at >= local(tz, start)) || p.last().is_some_and(|h| h.active));

    // Per customer, one row: the month's daily peaks ("day=users day=users …")
    // and the last one before the month (for the carry forward), each an
    // index range on the (customer, day) key. One row per customer instead
    // of one per day keeps a month of 10,000 customers fast to read.
    let first = month.first_day().to_string();
    let last = month.last_day().to_string();
    let days: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT c.id, \
           (SELECT string_agg(d.day || '=' || d.peak_users, ' ') FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day >= $1 AND d.day <= $2), \
           (SELECT d.day || '=' || d.peak_users FROM usage_daily d \
            WHERE d.customer_id = c.id AND d.day < $1 ORDER BY d.day DESC LIMIT 1) \
         FROM customers c WHERE ($3 < 0 OR c.id = $3)",
    )
    .bind(&first)
    .bind(&last)
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
    let mut daily: HashMap<i64, BTreeMap<NaiveDate, u32>> = HashMap::new();
    for (id, month_days, before) in days {
        if !points.contains_key(&id) {
            continue;
        }
        let entries = before.iter().chain(month_days.iter()).flat_map(|list| list.split(' '));
        let map = daily.entry(id).or_default();
        for entry in entries {
            if let Some((day, users)) = entry.split_once('=') {
                if let (Ok(day), Ok(users)) = (NaiveDate::from_str(day), users.parse::<u32>()) {
                    map.insert(day, users);
                }
            }
        }
    }
    Ok(points
        .into_iter()
        .map(|(id, points)| (id, facts_from_history(&points, daily.remove(&id).unwrap_or_default())))
        .collect())
}

// ------------------------------------------------------- forecast and close

fn line_label(line: &crate::domain::billing::Line, names: &HashMap<String, String>) -> String {
    match line.kind {
        LineKind::Users => "Users".to_owned(),
        _ => names.get(&line.code).cloned().unwrap_or_else(|| line.code.clone()),
    }
}

pub(super) async fn option_names(db: impl sqlx::AnyExecutor<'_>) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT code, name FROM option_catalogue").fetch_all(db).await?;
    Ok(rows.into_iter().collect())
}

fn e4_of(price: Decimal) -> i64 {
    i64::try_from(price * Decimal::from(10_000)).unwrap_or(i64::MAX)
}

pub(super) fn statement_of(
    customer_id: i64,
    customer_name: String,
    currency: &str,
    bill: &MonthBill,
    names: &HashMap<String, String>,
    closed_at: DateTime<Utc>,
) -> Statement {
    Statement {
        customer_id,
        customer_name,
        month: bill.month,
        currency: currency.to_owned(),
        billable_days: bill.billable_days,
        users: bill.users,
        users_at_start: bill.users_at_start,
        users_at_end: bill.users_at_end,
        lines: bill
            .lines
            .iter()
            .map(|l| StatementLine {
                kind: l.kind.clone(),
                code: l.code.clone(),
                label: line_label(l, names),
                quantity: l.quantity,
                unit_price: unit_price(e4_of(l.unit_price)),
                amount: l.amount,
            })
            .collect(),
        total: bill.total,
        closed_at,
    }
}

pub(super) fn billing_error(e: crate::domain::billing::BillingError) -> AppError {
    tracing::error!(error = %e, "billing failed");
    AppError::Conflict(e.to_string())
}

/// One customer's current month: the forecast and what it was made from.
pub(super) struct CurrentMonth {
    pub forecast: Forecast,
    pub facts: Option<CustomerFacts>,
    pub today: NaiveDate,
    pub tz: Tz,
}

/// The current month's bill so far for one customer.
pub async fn forecast_of(db: &Db, id: i64, now: DateTime<Utc>) -> Result<Forecast, AppError> {
    Ok(current_month(db, id, now).await?.forecast)
}

pub(super) async fn current_month(db: &Db, id: i64, now: DateTime<Utc>) -> Result<CurrentMonth, AppError> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT name, reported_users FROM customers WHERE id = $1 AND status <> 'removed'")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let (name, reported) = row.ok_or(AppError::NotFound)?;
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let today = local_today(tz, now);
    let month = BillingMonth::of(today);
    let current_users = reported.unwrap_or(0).max(0) as u32;
    let mut conn = db.acquire().await?;
    let mut facts = facts_for_month(&mut conn, tz, month, Some(id)).await?;
    let lists = rule_lists(&price_list_views(&mut conn).await?);
    let facts = facts.remove(&id);
    let bill = match &facts {
        Some(facts) => forecast(facts, today, current_users, &lists).map_err(billing_error)?,
        None => None,
    };
    let names = option_names(db).await?;
    let forecast = Forecast {
        month,
        currency: settings.currency.clone(),
        current_users,
        bill: bill.map(|b| statement_of(id, name, &settings.currency, &b, &names, now)),
    };
    Ok(CurrentMonth { forecast, facts, today, tz })
}

/// The bill of an ended month that is not closed yet, by the same rules as
/// its statement will be (None: no billable day).
pub(super) async fn pending_bill(db: &Db, tz: Tz, id: i64, month: BillingMonth) -> Result<Option<MonthBill>, AppError> {
    let mut conn = db.acquire().await?;
    let facts = facts_for_month(&mut conn, tz, month, Some(id)).await?;
    let lists = rule_lists(&price_list_views(&mut conn).await?);
    match facts.get(&id) {
        Some(facts) => bill_month(facts, month, &lists).map_err(billing_error),
        None => Ok(None),
    }
}

/// Closes `month` (which must have ended): one frozen statement per
/// customer billed in it, all in one transaction. Closing a closed month
/// changes nothing and reports what the first close did.
pub async fn close_month(
    db: &Db,
    actor: &str,
    month: BillingMonth,
    now: DateTime<Utc>,
) -> Result<CloseOutcome, AppError> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    if month >= BillingMonth::of(local_today(tz, now)) {
        return Err(AppError::invalid("month", format!("{month} has not ended yet; only ended months can be closed.")));
    }
    let mut tx = begin_write(db).await?;
    if let Some(done) = closed(&mut *tx, month).await? {
        return Ok(done);
    }
    let facts = facts_for_month(&mut tx, tz, month, None).await?;
    let lists = rule_lists(&price_list_views(&mut tx).await?);
    let names = option_names(&mut *tx).await?;
    let customer_names: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM customers")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let mut count = 0u64;
    let mut total = Money::ZERO;
    let (mut users, mut users_cost) = (0u64, Money::ZERO);
    for (id, facts) in &facts {
        let Some(bill) = bill_month(facts, month, &lists).map_err(billing_error)? else { continue };
        let name = customer_names.get(id).cloned().unwrap_or_default();
        let statement = statement_of(*id, name, &settings.currency, &bill, &names, now);
        if insert_statement(&mut tx, &statement).await? {
            count += 1;
            total = total + statement.total;
            users += u64::from(statement.users);
            users_cost = users_cost + split_costs(statement.lines.iter().map(|l| (&l.kind, l.amount))).0;
        }
    }
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
    tx.commit().await?;
    Ok(CloseOutcome { month, closed_now: true, statements: count, total })
}

async fn closed(db: impl sqlx::AnyExecutor<'_>, month: BillingMonth) -> Result<Option<CloseOutcome>, sqlx::Error> {
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

/// Writes one statement unless the customer has one for the month already
/// (the unique key decides); true when written.
async fn insert_statement(tx: &mut WriteTx, s: &Statement) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO statements (customer_id, month, customer_name, currency, billable_days, users, users_at_start, \
           users_at_end, total_cents, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (customer_id, month) DO NOTHING RETURNING id",
    )
    .bind(s.customer_id)
    .bind(s.month.to_string())
    .bind(&s.customer_name)
    .bind(&s.currency)
    .bind(i64::from(s.billable_days))
    .bind(i64::from(s.users))
    .bind(i64::from(s.users_at_start))
    .bind(i64::from(s.users_at_end))
    .bind(s.total.cents())
    .bind(Time(s.closed_at))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = id else { return Ok(false) };
    // All lines of the statement in one statement.
    let values: Vec<String> = (0..s.lines.len())
        .map(|i| {
            let p = i * 8;
            format!("(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8)
        })
        .collect();
    let sql = format!(
        "INSERT INTO statement_lines (statement_id, position, kind, code, label, quantity, unit_price_e4, amount_cents) \
         VALUES {}",
        values.join(", ")
    );
    let mut insert = sqlx::query(&sql);
    for (position, line) in s.lines.iter().enumerate() {
        insert = insert
            .bind(id)
            .bind(position as i64)
            .bind(kind_str(&line.kind))
            .bind(&line.code)
            .bind(&line.label)
            .bind(line.quantity as i64)
            .bind(line.unit_price.e4())
            .bind(line.amount.cents());
    }
    insert.execute(&mut **tx).await?;
    Ok(true)
}

fn kind_str(kind: &LineKind) -> &'static str {
    match kind {
        LineKind::Users => "users",
        LineKind::OptionPerUser => "option_per_user",
        LineKind::OptionFlat => "option_flat",
    }
}

pub(super) fn kind_of(raw: &str) -> LineKind {
    match raw {
        "users" => LineKind::Users,
        "option_per_user" => LineKind::OptionPerUser,
        _ => LineKind::OptionFlat,
    }
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
pub async fn statements_of_month(db: &Db, month: BillingMonth) -> Result<Vec<Statement>, AppError> {
    let mut statements = load_statements(db, Some(month), None).await?;
    // As the customer lists sort: accents folded, case ignored.
    statements.sort_by_cached_key(|s| (sort_key(&s.customer_name), s.customer_id));
    Ok(statements)
}

/// Every frozen statement of one customer, oldest first.
pub async fn statements_of_customer(db: &Db, id: i64) -> Result<Vec<Statement>, AppError> {
    let mut statements = load_statements(db, None, Some(id)).await?;
    statements.sort_by_key(|s| s.month);
    Ok(statements)
}

/// One customer's frozen statement of `month`.
pub async fn statement_of_customer(db: &Db, id: i64, month: BillingMonth) -> Result<Statement, AppError> {
    load_statements(db, Some(month), Some(id)).await?.pop().ok_or(AppError::NotFound)
}

/// Frozen statements with their lines: of one month, one customer, or both.
/// Each filter is its own condition, so the unique (customer, month) index
/// and the month index serve it.
pub(super) async fn load_statements(
    db: &Db,
    month: Option<BillingMonth>,
    customer: Option<i64>,
) -> Result<Vec<Statement>, AppError> {
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
    let mut rows = sqlx::query_as::<_, StatementRow>(&statements_sql);
    let mut lines = sqlx::query_as::<_, LineRow>(&lines_sql);
    if let Some(month) = &month {
        rows = rows.bind(month.clone());
        lines = lines.bind(month.clone());
    }
    if let Some(customer) = customer {
        rows = rows.bind(customer);
        lines = lines.bind(customer);
    }
    let rows = rows.fetch_all(db).await?;
    let lines = lines.fetch_all(db).await?;
    let mut by_statement: HashMap<i64, Vec<StatementLine>> = HashMap::new();
    for l in lines {
        by_statement.entry(l.statement_id).or_default().push(StatementLine {
            kind: kind_of(&l.kind),
            code: l.code,
            label: l.label,
            quantity: l.quantity as u64,
            unit_price: unit_price(l.unit_price_e4),
            amount: Money::from_cents(l.amount_cents),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| Statement {
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            month: BillingMonth::parse(&r.month).unwrap_or(BillingMonth::of(r.closed_at.date_naive())),
            currency: r.currency,
            billable_days: r.billable_days as u32,
            users: r.users as u32,
            users_at_start: r.users_at_start as u32,
            users_at_end: r.users_at_end as u32,
            lines: by_statement.remove(&r.id).unwrap_or_default(),
            total: Money::from_cents(r.total_cents),
            closed_at: r.closed_at,
        })
        .collect())
}

pub(super) fn sort_key(name: &str) -> String {
    crate::domain::CustomerName::parse(name).map(|n| n.sort_key()).unwrap_or_else(|_| name.to_lowercase())
}

/// The first month with a billed customer, if any.
async fn first_billed_month(db: &Db, tz: Tz) -> Result<Option<BillingMonth>, sqlx::Error> {
    let first: Option<Time> =
        sqlx::query_scalar("SELECT MIN(effective_at) FROM customer_history WHERE kind = 'billed'")
            .fetch_one(db)
            .await?;
    Ok(first.map(|at| BillingMonth::of(local(tz, at.0).date())))
}

/// Every month from the first billed one to the current one, newest first,
/// with its state.
pub async fn months(db: &Db) -> Result<Vec<MonthRow>, AppError> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let current = BillingMonth::of(local_today(tz, Utc::now()));
    let closes: Vec<(String, Time, String, i64, i64)> =
        sqlx::query_as("SELECT month, closed_at, closed_by, statements, total_cents FROM month_closes")
            .fetch_all(db)
            .await?;
    let closes: HashMap<String, (DateTime<Utc>, String, i64, i64)> =
        closes.into_iter().map(|(m, at, by, n, t)| (m, (at.0, by, n, t))).collect();
    let mut month = first_billed_month(db, tz).await?.unwrap_or(current).min(current);
    let mut rows = Vec::new();
    while month <= current {
        let state = if month == current {
            MonthState::Current
        } else if let Some((at, by, n, cents)) = closes.get(&month.to_string()) {
            MonthState::Closed { at: *at, by: by.clone(), statements: *n as u64, total: Money::from_cents(*cents) }
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

/// The month-close job: closes every ended month whose grace period has
/// passed, oldest first. Safe to run on several instances at once.
pub async fn close_due_months(db: &Db, now: DateTime<Utc>) -> Result<Vec<CloseOutcome>, AppError> {
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

/// The months closed so far.
pub async fn closed_months(
    db: impl sqlx::AnyExecutor<'_>,
) -> Result<std::collections::HashSet<BillingMonth>, sqlx::Error> {
    let months: Vec<String> = sqlx::query_scalar("SELECT month FROM month_closes").fetch_all(db).await?;
    Ok(months.iter().filter_map(|m| BillingMonth::parse(m).ok()).collect())
}
