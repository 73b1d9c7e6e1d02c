//! The option catalogue and the price lists: read straight into the
//! domain's `PriceList`, saved effective-dated, every change audited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::settings::{admin_entry, any_month_closed_or_closing, local_today, settings, zone_of};
use crate::domain::audit_log::FieldChange;
use crate::domain::billing::{OptionPrice, PriceList};
use crate::domain::billing_settings::{option_price_field, parse_option_name, NewOptionForm, PriceListForm, Pricing};
use crate::domain::{BillingMonth, FieldMessage, UnitPrice};
use crate::error::AppError;
use crate::server::audit;
use crate::server::db::{begin_write, Db, Flag, Time, WriteTx};
use crate::server::error::Result;
use crate::server::stored;
use crate::views::billing::{CatalogueEntry, PriceListView, PricingPage, SellListView};

/// A price list as stored: the prices, and who saved it when.
pub struct StoredPriceList {
    pub list: PriceList,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    effective_month: String,
    per_user_e4: i64,
    #[sqlx(try_from = "Time")]
    saved_at: DateTime<Utc>,
    saved_by: String,
}

/// Every price list, newest first.
pub async fn price_lists(db: &mut sqlx::AnyConnection) -> Result<Vec<StoredPriceList>> {
    let lists: Vec<ListRow> = sqlx::query_as(
        "SELECT id, effective_month, per_user_e4, saved_at, saved_by FROM price_lists ORDER BY effective_month DESC",
    )
    .fetch_all(&mut *db)
    .await?;
    let prices: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT price_list_id, code, pricing, price_e4 FROM price_list_options")
            .fetch_all(&mut *db)
            .await?;
    let mut options: BTreeMap<i64, BTreeMap<String, OptionPrice>> = BTreeMap::new();
    for (list, code, pricing, e4) in prices {
        let price = OptionPrice::new(stored::pricing(&pricing)?, stored::unit_price(e4)?);
        options.entry(list).or_default().insert(code, price);
    }
    lists
        .into_iter()
        .map(|row| {
            Ok(StoredPriceList {
                list: PriceList {
                    effective: stored::month(&row.effective_month)?,
                    per_user: stored::unit_price(row.per_user_e4)?,
                    options: options.remove(&row.id).unwrap_or_default(),
                },
                saved_at: row.saved_at,
                saved_by: row.saved_by,
            })
        })
        .collect()
}

/// The price lists as the billing rules take them.
pub async fn rule_lists(db: &mut sqlx::AnyConnection) -> Result<Vec<PriceList>> {
    Ok(price_lists(db).await?.into_iter().map(|s| s.list).collect())
}

pub async fn catalogue(db: &Db) -> Result<Vec<CatalogueEntry>> {
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

pub async fn pricing_page(db: &Db, now: DateTime<Utc>) -> Result<PricingPage> {
    let settings = settings(db).await?;
    let tz = zone_of(&settings);
    let time_zones = super::settings::time_zone_names();
    let catalogue = catalogue(db).await?;
    let order: Vec<String> = catalogue.iter().map(|o| o.code.clone()).collect();
    let price_lists = price_lists(&mut *db.acquire().await?)
        .await?
        .into_iter()
        .map(|s| PriceListView::new(&s.list, &order, s.saved_at, s.saved_by))
        .collect();
    let sell_lists = super::selling::sell_lists(&mut *db.acquire().await?)
        .await?
        .into_iter()
        .map(|s| SellListView { list: s.list, saved_at: s.saved_at, saved_by: s.saved_by })
        .collect();
    Ok(PricingPage {
        current_month: BillingMonth::of(local_today(tz, now)),
        catalogue,
        price_lists,
        sell_lists,
        time_zone_locked: any_month_closed_or_closing(db).await?,
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
#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn save_price_list(db: &Db, actor: &str, form: &PriceListForm, now: DateTime<Utc>) -> Result<()> {
    let tz = zone_of(&settings(db).await?);
    let current = BillingMonth::of(local_today(tz, now));
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
        return Err(AppError::Invalid(missing).into());
    }
    if let Some((code, ..)) = valid.options.iter().find(|(c, ..)| !codes.contains(c)) {
        return Err(AppError::invalid(
            &option_price_field(code),
            crate::domain::message::Message::OptionNotInCatalogue,
        )
        .into());
    }
    let month = valid.effective.to_string();
    let old: Option<(i64, i64)> = sqlx::query_as("SELECT id, per_user_e4 FROM price_lists WHERE effective_month = $1")
        .bind(&month)
        .fetch_optional(&mut *tx)
        .await?;
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
    let entry = admin_entry(actor, "price_list.saved", format!("price_list:{month}"), vec![change], now);
    audit::write(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

async fn sync_catalogue_pricing(tx: &mut WriteTx, current: BillingMonth) -> Result<()> {
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
#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn add_option(db: &Db, actor: &str, form: &NewOptionForm, now: DateTime<Utc>) -> Result<()> {
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
        problems.push(FieldMessage::new("code", crate::domain::message::Message::OptionCodeTaken));
    }
    if name_taken > 0 {
        problems.push(FieldMessage::new("name", crate::domain::message::Message::OptionNameTaken));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems).into());
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
    audit::write(&mut tx, admin_entry(actor, "option.added", format!("option:{}", new.code), changes, now)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = %actor, option = %code))]
pub async fn rename_option(db: &Db, actor: &str, code: &str, name: &str, now: DateTime<Utc>) -> Result<()> {
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
        return Err(AppError::invalid("name", crate::domain::message::Message::OptionNameTaken).into());
    }
    sqlx::query("UPDATE option_catalogue SET name = $1 WHERE code = $2")
        .bind(&name)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    let changes = vec![FieldChange::new("name", &old, &name)];
    audit::write(&mut tx, admin_entry(actor, "option.renamed", format!("option:{code}"), changes, now)).await?;
    tx.commit().await?;
    Ok(())
}

/// A retired option can no longer be booked; customers that have it keep
/// it (and are billed for it) until someone removes it from them.
#[tracing::instrument(skip_all, fields(actor = %actor, option = %code))]
pub async fn set_retired(db: &Db, actor: &str, code: &str, retired: bool, now: DateTime<Utc>) -> Result<()> {
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
    audit::write(&mut tx, admin_entry(actor, action, format!("option:{code}"), changes, now)).await?;
    tx.commit().await?;
    Ok(())
}
