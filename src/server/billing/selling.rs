//! The MSP's sell prices in the database: the sell lists (Settings) and
//! each customer's pricing, read straight into the rules' `SellList` and
//! `CustomerPricing`, saved effective-dated with an audit entry; and the
//! `Seller` that prices bills by `domain::selling`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::settings::{admin_entry, local_today, settings, zone_of};
use crate::domain::audit_log::FieldChange;
use crate::domain::billing::MonthBill;
use crate::domain::percent::{Percent, DISCOUNT_MAX, MARKUP_MAX};
use crate::domain::sell_forms::{fixed_field, sell_field, CustomerPricingForm, SellListForm};
use crate::domain::selling::{sell, sell_total, CustomerPricing, Sale, SellList, SellPrice};
use crate::domain::{BillingMonth, FieldMessage, Money, UnitPrice};
use crate::error::AppError;
use crate::server::audit::{self, Entry};
use crate::server::db::{begin_write, one_or_all, Db, Time, WriteTx};
use crate::server::error::{Result, ServerError};
use crate::server::stored;
use crate::views::billing::{CustomerPricingPage, PricingView};

/// A sell list as stored: the prices, and who saved it when.
pub struct StoredSellList {
    pub list: SellList,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

fn sell_price(method: &str, value: i64) -> Result<SellPrice> {
    match method {
        "price" => Ok(SellPrice::Price(stored::unit_price(value)?)),
        "markup" => Percent::from_bp(value, MARKUP_MAX)
            .map(SellPrice::Markup)
            .map_err(|e| ServerError::corrupt("markup (1/100 %)", value, e)),
        other => Err(ServerError::unknown("sell price method", other)),
    }
}

fn stored_value(price: &SellPrice) -> i64 {
    match price {
        SellPrice::Price(p) => p.e4(),
        SellPrice::Markup(m) => m.bp(),
    }
}

/// Every sell list, newest first.
pub async fn sell_lists(db: &mut sqlx::AnyConnection) -> Result<Vec<StoredSellList>> {
    let lists: Vec<(i64, String, Time, String)> =
        sqlx::query_as("SELECT id, effective_month, saved_at, saved_by FROM sell_lists ORDER BY effective_month DESC")
            .fetch_all(&mut *db)
            .await?;
    let items: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT sell_list_id, code, method, value FROM sell_list_items").fetch_all(&mut *db).await?;
    let mut by_list: HashMap<i64, Vec<(String, SellPrice)>> = HashMap::new();
    for (list, code, method, value) in items {
        by_list.entry(list).or_default().push((code, sell_price(&method, value)?));
    }
    lists
        .into_iter()
        .map(|(id, month, saved_at, saved_by)| {
            let mut list = SellList { effective: stored::month(&month)?, per_user: None, options: BTreeMap::new() };
            for (code, price) in by_list.remove(&id).unwrap_or_default() {
                if code.is_empty() {
                    list.per_user = Some(price);
                } else {
                    list.options.insert(code, price);
                }
            }
            Ok(StoredSellList { list, saved_at: saved_at.0, saved_by })
        })
        .collect()
}

fn describe_sell(price: Option<&SellPrice>) -> String {
    match price {
        None => "vendor price".to_owned(),
        Some(SellPrice::Price(p)) => p.to_string(),
        Some(SellPrice::Markup(m)) => format!("+{m} %"),
    }
}

/// Saves the sell list in force from its effective month (the current
/// month or later); it replaces a list of the same month.
#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn save_sell_list(db: &Db, actor: &str, form: &SellListForm, now: DateTime<Utc>) -> Result<()> {
    let current = BillingMonth::of(local_today(zone_of(&settings(db).await?), now));
    let list = form.validate(current).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    check_codes(&mut tx, list.options.keys(), sell_field).await?;
    let month = list.effective.to_string();
    let old: Option<i64> = sqlx::query_scalar("SELECT id FROM sell_lists WHERE effective_month = $1")
        .bind(&month)
        .fetch_optional(&mut *tx)
        .await?;
    let id: i64 = match old {
        Some(id) => {
            sqlx::query("UPDATE sell_lists SET saved_at = $1, saved_by = $2 WHERE id = $3")
                .bind(Time(now))
                .bind(actor)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sell_list_items WHERE sell_list_id = $1").bind(id).execute(&mut *tx).await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO sell_lists (effective_month, saved_at, saved_by) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&month)
            .bind(Time(now))
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let items = list.per_user.iter().map(|p| ("", p)).chain(list.options.iter().map(|(c, p)| (c.as_str(), p)));
    let mut described = vec![format!("users {}", describe_sell(list.per_user.as_ref()))];
    for (code, price) in items {
        sqlx::query("INSERT INTO sell_list_items (sell_list_id, code, method, value) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(code)
            .bind(price.method())
            .bind(stored_value(price))
            .execute(&mut *tx)
            .await?;
        if !code.is_empty() {
            described.push(format!("{code} {}", describe_sell(Some(price))));
        }
    }
    let change = FieldChange::new("sell_list", if old.is_some() { "replaced" } else { "" }, described.join("; "));
    audit::write(&mut tx, admin_entry(actor, "sell_list.saved", format!("sell_list:{month}"), vec![change], now))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses codes that are not options of the catalogue, under their field.
async fn check_codes<'a>(
    tx: &mut WriteTx,
    codes: impl Iterator<Item = &'a String>,
    field: fn(&str) -> String,
) -> Result<()> {
    let known: HashSet<String> =
        sqlx::query_scalar("SELECT code FROM option_catalogue").fetch_all(&mut **tx).await?.into_iter().collect();
    let unknown: Vec<FieldMessage> = codes
        .filter(|c| !known.contains(*c))
        .map(|c| FieldMessage::new(&field(c), crate::domain::message::Message::OptionNotInCatalogue))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(unknown).into())
    }
}

/// Who saved a customer's pricing, and when.
pub struct StoredPricing {
    pub pricing: CustomerPricing,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

/// The pricings of every customer (`only`: of that one), by customer,
/// oldest first.
pub async fn customer_pricings(
    db: &mut sqlx::AnyConnection,
    only: Option<i64>,
) -> Result<HashMap<i64, Vec<StoredPricing>>> {
    let customer = only.unwrap_or(-1);
    let rows: Vec<(i64, i64, String, i64, Time, String)> = sqlx::query_as(&format!(
        "SELECT id, customer_id, effective_month, discount_bp, saved_at, saved_by FROM customer_pricing \
         WHERE {} ORDER BY customer_id, effective_month",
        one_or_all("customer_id", 1, only)
    ))
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
    let prices: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT p.customer_pricing_id, p.code, p.price_e4 FROM customer_pricing_prices p \
         JOIN customer_pricing c ON c.id = p.customer_pricing_id WHERE {}",
        one_or_all("c.customer_id", 1, only)
    ))
    .bind(customer)
    .fetch_all(&mut *db)
    .await?;
    let mut fixed: HashMap<i64, Vec<(String, UnitPrice)>> = HashMap::new();
    for (id, code, e4) in prices {
        fixed.entry(id).or_default().push((code, stored::unit_price(e4)?));
    }
    let mut out: HashMap<i64, Vec<StoredPricing>> = HashMap::new();
    for (id, customer_id, month, discount, saved_at, saved_by) in rows {
        let mut pricing = CustomerPricing {
            effective: stored::month(&month)?,
            discount: Percent::from_bp(discount, DISCOUNT_MAX)
                .map_err(|e| ServerError::corrupt("discount (1/100 %)", discount, e))?,
            per_user: None,
            options: BTreeMap::new(),
        };
        for (code, price) in fixed.remove(&id).unwrap_or_default() {
            if code.is_empty() {
                pricing.per_user = Some(price);
            } else {
                pricing.options.insert(code, price);
            }
        }
        out.entry(customer_id).or_default().push(StoredPricing { pricing, saved_at: saved_at.0, saved_by });
    }
    Ok(out)
}

fn describe_pricing(pricing: &CustomerPricing) -> String {
    if pricing.is_list_prices() {
        return "list prices".to_owned();
    }
    let mut parts = Vec::new();
    if pricing.discount != Percent::ZERO {
        parts.push(format!("discount {} %", pricing.discount));
    }
    if let Some(p) = pricing.per_user {
        parts.push(format!("users {p}"));
    }
    parts.extend(pricing.options.iter().map(|(code, p)| format!("{code} {p}")));
    parts.join("; ")
}

/// Saves one customer's pricing from its month on (the current month or
/// later); it replaces one of the same month. Saving no discount and no
/// fixed price goes back to the list's prices.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn save_customer_pricing(
    db: &Db,
    actor: &str,
    id: i64,
    form: &CustomerPricingForm,
    now: DateTime<Utc>,
) -> Result<()> {
    let current = BillingMonth::of(local_today(zone_of(&settings(db).await?), now));
    let pricing = form.validate(current).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    crate::server::customers::ensure_exists(&mut *tx, id).await?;
    check_codes(&mut tx, pricing.options.keys(), fixed_field).await?;
    let month = pricing.effective.to_string();
    let old: Option<i64> =
        sqlx::query_scalar("SELECT id FROM customer_pricing WHERE customer_id = $1 AND effective_month = $2")
            .bind(id)
            .bind(&month)
            .fetch_optional(&mut *tx)
            .await?;
    let pricing_id: i64 = match old {
        Some(old) => {
            sqlx::query("UPDATE customer_pricing SET discount_bp = $1, saved_at = $2, saved_by = $3 WHERE id = $4")
                .bind(pricing.discount.bp())
                .bind(Time(now))
                .bind(actor)
                .bind(old)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM customer_pricing_prices WHERE customer_pricing_id = $1")
                .bind(old)
                .execute(&mut *tx)
                .await?;
            old
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO customer_pricing (customer_id, effective_month, discount_bp, saved_at, saved_by) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(id)
            .bind(&month)
            .bind(pricing.discount.bp())
            .bind(Time(now))
            .bind(actor)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let fixed = pricing.per_user.iter().map(|p| ("", p)).chain(pricing.options.iter().map(|(c, p)| (c.as_str(), p)));
    for (code, price) in fixed {
        sqlx::query("INSERT INTO customer_pricing_prices (customer_pricing_id, code, price_e4) VALUES ($1, $2, $3)")
            .bind(pricing_id)
            .bind(code)
            .bind(price.e4())
            .execute(&mut *tx)
            .await?;
    }
    let changes = vec![FieldChange::new(
        &format!("pricing from {month}"),
        if old.is_some() { "replaced" } else { "" },
        describe_pricing(&pricing),
    )];
    let entry = Entry {
        actor,
        action: "customer.pricing_saved",
        subject: format!("customer:{id}"),
        detail: String::new(),
        customer_id: Some(id),
        changes,
        at: now,
    };
    audit::write(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Prices bills as the MSP sells them: the sell lists, every customer's
/// pricings and who is not for resale, read once.
pub struct Seller {
    lists: Vec<SellList>,
    pricings: HashMap<i64, Vec<CustomerPricing>>,
    not_for_resale: HashSet<i64>,
}

impl Seller {
    /// Reads what selling needs (`only`: for that customer).
    pub async fn load(db: &mut sqlx::AnyConnection, only: Option<i64>) -> Result<Self> {
        let lists = sell_lists(&mut *db).await?.into_iter().map(|s| s.list).collect();
        let pricings = customer_pricings(&mut *db, only)
            .await?
            .into_iter()
            .map(|(id, stored)| (id, stored.into_iter().map(|s| s.pricing).collect()))
            .collect();
        // Only the few not for resale, not a row per customer.
        let not_for_resale: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM customers WHERE CAST(not_for_resale AS INTEGER) = 1 AND {}",
            one_or_all("id", 1, only)
        ))
        .bind(only.unwrap_or(-1))
        .fetch_all(&mut *db)
        .await?;
        let not_for_resale = not_for_resale.into_iter().collect();
        Ok(Seller { lists, pricings, not_for_resale })
    }

    /// What the MSP charges customer `id` for `bill`.
    pub fn sale(&self, id: i64, bill: &MonthBill) -> Result<Sale> {
        let pricings = self.pricings.get(&id).map(Vec::as_slice).unwrap_or_default();
        Ok(sell(bill, &self.lists, pricings, self.not_for_resale.contains(&id))
            .map_err(crate::domain::billing::BillingError::from)?)
    }

    /// What the MSP charges customer `id` for `bill` in all (without the
    /// lines), and whether it is not for resale.
    pub fn revenue(&self, id: i64, bill: &MonthBill) -> Result<(Money, bool)> {
        let pricings = self.pricings.get(&id).map(Vec::as_slice).unwrap_or_default();
        let not_for_resale = self.not_for_resale.contains(&id);
        let total = sell_total(bill, &self.lists, pricings, not_for_resale)
            .map_err(crate::domain::billing::BillingError::from)?;
        Ok((total, not_for_resale))
    }
}

/// What a customer's sell prices panel shows.
pub async fn customer_pricing_page(db: &Db, id: i64, now: DateTime<Utc>) -> Result<CustomerPricingPage> {
    crate::server::customers::ensure_exists(db, id).await?;
    let settings = settings(db).await?;
    let current_month = BillingMonth::of(local_today(zone_of(&settings), now));
    let mut conn = db.acquire().await?;
    let pricings = customer_pricings(&mut conn, Some(id))
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|s| PricingView::new(s.pricing, s.saved_at, s.saved_by))
        .collect();
    let options: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.code, o.name FROM option_catalogue o JOIN customer_options c ON c.code = o.code \
         WHERE c.customer_id = $1 ORDER BY o.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(CustomerPricingPage { currency: settings.currency, current_month, pricings, options })
}
