//! Changing customers: each change one write transaction, checked against
//! the version the user saw, with its audit entry and history snapshot.

use chrono::{DateTime, Utc};

use crate::domain::audit_log::FieldChange;
use crate::domain::customer::{
    parse_contract_end, parse_options, parse_reason, ContractForm, CustomerForm, KindChangeError,
};
use crate::domain::{CustomerKind, CustomerStatus};
use crate::error::AppError;
use crate::server::api_keys;
use crate::server::audit::{self, Entry};
use crate::server::db::{begin_write, Day, Db, Time, WriteTx};
use crate::server::error::Result;
use crate::server::history;
use crate::views::customers::{NewCustomer, RemovedCustomer};

use super::read::{bookable_options, options_of, taken};
use super::*;

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// The options' names, in catalogue order, as the audit log shows them.
async fn option_names(executor: impl sqlx::AnyExecutor<'_>, codes: &[String]) -> Result<String, sqlx::Error> {
    let catalogue: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM option_catalogue ORDER BY position").fetch_all(executor).await?;
    let names: Vec<String> =
        catalogue.into_iter().filter(|(code, _)| codes.contains(code)).map(|(_, name)| name).collect();
    Ok(if names.is_empty() { "none".to_owned() } else { names.join(", ") })
}

/// Creates a customer as of `now` (the demo backdates its history), with
/// its machine API key, returned in full this once.
#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn create(db: &Db, actor: &str, form: &CustomerForm, now: DateTime<Utc>) -> Result<NewCustomer> {
    let today = now.date_naive();
    let bookable: Vec<String> = bookable_options(db).await?.into_iter().map(|o| o.code).collect();
    let new = form.validate(today, &bookable).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let mut problems = Vec::new();
    if taken(&mut *tx, "name_key", &new.name.unique_key(), None).await? {
        problems.push(crate::domain::FieldMessage::new("name", NAME_TAKEN));
    }
    if taken(&mut *tx, "database_key", &new.database_name.unique_key(), None).await? {
        problems.push(crate::domain::FieldMessage::new("database_name", DATABASE_NAME_TAKEN));
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems).into());
    }
    let billed_since = (new.kind == CustomerKind::Billed).then_some(now);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (name, name_key, sort_key, database_name, database_key, kind, status, contract_end, \
           max_users, limit_user_creation, option_count, created_at, billed_since) \
         VALUES ($1, $2, $12, $3, $4, $5, 'active', $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(new.name.as_str())
    .bind(new.name.unique_key())
    .bind(new.database_name.as_str())
    .bind(new.database_name.unique_key())
    .bind(new.kind.as_str())
    .bind(Day(new.contract_end))
    .bind(i64::from(new.max_users.get()))
    .bind(new.limit_user_creation)
    .bind(new.options.len() as i64)
    .bind(Time(now))
    .bind(billed_since.map(Time))
    .bind(new.name.sort_key())
    .fetch_one(&mut *tx)
    .await?;
    for code in &new.options {
        sqlx::query("INSERT INTO customer_options (customer_id, code) VALUES ($1, $2)")
            .bind(id)
            .bind(&code.0)
            .execute(&mut *tx)
            .await?;
    }
    let codes: Vec<String> = new.options.iter().map(|c| c.0.clone()).collect();
    let changes = vec![
        FieldChange::new("name", "", new.name.as_str()),
        FieldChange::new("kind", "", new.kind.label()),
        FieldChange::new("contract_end", "", new.contract_end),
        FieldChange::new("database_name", "", new.database_name.as_str()),
        FieldChange::new("max_users", "", new.max_users),
        FieldChange::new("limit_user_creation", "", yes_no(new.limit_user_creation)),
        FieldChange::new("options", "", option_names(&mut *tx, &codes).await?),
    ];
    audit::write(&mut tx, customer_entry(actor, "customer.created", id, changes, now)).await?;
    history::snapshot(&mut tx, id, now).await?;
    let api_key = api_keys::issue(&mut tx, id, actor, now).await?;
    tx.commit().await?;
    Ok(NewCustomer { id, api_key })
}

fn customer_entry<'a>(
    actor: &'a str,
    action: &'a str,
    id: i64,
    changes: Vec<FieldChange>,
    at: DateTime<Utc>,
) -> Entry<'a> {
    Entry {
        actor,
        action,
        subject: format!("customer:{id}"),
        detail: String::new(),
        customer_id: Some(id),
        changes,
        at,
    }
}

async fn bump_version(tx: &mut WriteTx, id: i64, version: i64) -> Result<()> {
    let done = sqlx::query("UPDATE customers SET version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::conflict(crate::domain::message::Message::CustomerChanged).into());
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn update_contract(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    form: &ContractForm,
    now: DateTime<Utc>,
) -> Result<()> {
    patch(db, actor, id, version, Some(form), None, now).await.map(|_| ())
}

#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn set_options(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    requested: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    patch(db, actor, id, version, None, Some(requested), now).await.map(|_| ())
}

/// Changes the contract (name, contract end, license) and the booked
/// options, either or both, as of `version`: one transaction, one new
/// version, an audit entry per part that changed. Whether anything did.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn patch(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    contract: Option<&ContractForm>,
    options: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    let contract_changes = match contract {
        Some(form) => apply_contract(&mut tx, &row, form, now.date_naive()).await?,
        None => Vec::new(),
    };
    let option_changes = match options {
        Some(requested) => apply_options(&mut tx, id, requested).await?,
        None => Vec::new(),
    };
    if contract_changes.is_empty() && option_changes.is_empty() {
        return Ok(false);
    }
    bump_version(&mut tx, id, version).await?;
    if !contract_changes.is_empty() {
        audit::write(&mut tx, customer_entry(actor, "customer.contract_changed", id, contract_changes, now)).await?;
    }
    if !option_changes.is_empty() {
        audit::write(&mut tx, customer_entry(actor, "customer.options_changed", id, option_changes, now)).await?;
    }
    history::snapshot(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes the contract's new values, if any differ; what changed.
async fn apply_contract(
    tx: &mut WriteTx,
    row: &super::Row,
    form: &ContractForm,
    today: chrono::NaiveDate,
) -> Result<Vec<FieldChange>> {
    let id = row.id;
    let change = form.validate(today, row.contract_end).map_err(AppError::Invalid)?;
    let mut changes = Vec::new();
    if change.name.as_str() != row.name {
        if taken(&mut **tx, "name_key", &change.name.unique_key(), Some(id)).await? {
            return Err(AppError::invalid("name", NAME_TAKEN).into());
        }
        changes.push(FieldChange::new("name", &row.name, change.name.as_str()));
    }
    if change.contract_end != row.contract_end {
        changes.push(FieldChange::new("contract_end", row.contract_end, change.contract_end));
    }
    if i64::from(change.max_users.get()) != row.max_users {
        changes.push(FieldChange::new("max_users", row.max_users, change.max_users));
    }
    if change.limit_user_creation != row.limit_user_creation {
        changes.push(FieldChange::new(
            "limit_user_creation",
            yes_no(row.limit_user_creation),
            yes_no(change.limit_user_creation),
        ));
    }
    if changes.is_empty() {
        return Ok(changes);
    }
    sqlx::query(
        "UPDATE customers SET name = $1, name_key = $2, sort_key = $7, contract_end = $3, max_users = $4, \
         limit_user_creation = $5 WHERE id = $6",
    )
    .bind(change.name.as_str())
    .bind(change.name.unique_key())
    .bind(Day(change.contract_end))
    .bind(i64::from(change.max_users.get()))
    .bind(change.limit_user_creation)
    .bind(id)
    .bind(change.name.sort_key())
    .execute(&mut **tx)
    .await?;
    Ok(changes)
}

/// Books exactly the `requested` options, if they differ; what changed.
async fn apply_options(tx: &mut WriteTx, id: i64, requested: &[String]) -> Result<Vec<FieldChange>> {
    let current: Vec<String> = options_of(&mut **tx, id).await?.into_iter().map(|o| o.code).collect();
    // Retired options stay bookable for customers that already have them.
    let mut allowed: Vec<String> =
        sqlx::query_scalar("SELECT code FROM option_catalogue WHERE retired = FALSE").fetch_all(&mut **tx).await?;
    allowed.extend(current.iter().cloned());
    let wanted = parse_options(requested, &allowed).map_err(|e| AppError::invalid("options", e))?;
    let wanted: Vec<String> = wanted.into_iter().map(|c| c.0).collect();
    let mut current_sorted = current.clone();
    current_sorted.sort();
    if wanted == current_sorted {
        return Ok(Vec::new());
    }
    sqlx::query("DELETE FROM customer_options WHERE customer_id = $1").bind(id).execute(&mut **tx).await?;
    for code in &wanted {
        sqlx::query("INSERT INTO customer_options (customer_id, code) VALUES ($1, $2)")
            .bind(id)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE customers SET option_count = $1 WHERE id = $2")
        .bind(wanted.len() as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(vec![FieldChange::new(
        "options",
        option_names(&mut **tx, &current_sorted).await?,
        option_names(&mut **tx, &wanted).await?,
    )])
}

#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn change_kind(db: &Db, actor: &str, id: i64, version: i64, kind: &str, now: DateTime<Utc>) -> Result<()> {
    let to = CustomerKind::parse(kind).map_err(|e| AppError::invalid("kind", e))?;
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    let from = row.kind();
    match from.change_to(to) {
        Ok(_) => {}
        Err(KindChangeError::BilledIsFinal) => {
            tracing::warn!(customer = id, %actor, "refused a change from billed to test");
            return Err(AppError::invalid("kind", KindChangeError::BilledIsFinal).into());
        }
        Err(other) => return Err(AppError::invalid("kind", other).into()),
    }
    sqlx::query("UPDATE customers SET kind = $1, billed_since = $2 WHERE id = $3")
        .bind(to.as_str())
        .bind(Time(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx, id, version).await?;
    let changes = vec![FieldChange::new("kind", from.label(), to.label())];
    audit::write(&mut tx, customer_entry(actor, "customer.converted", id, changes, now)).await?;
    history::snapshot(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a customer for internal use (cost, no revenue) or for resale,
/// from its next statement on (frozen statements keep what they sold).
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn set_not_for_resale(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    not_for_resale: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    if row.not_for_resale == not_for_resale {
        return Ok(());
    }
    sqlx::query("UPDATE customers SET not_for_resale = $1 WHERE id = $2")
        .bind(not_for_resale)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx, id, version).await?;
    let changes = vec![FieldChange::new("not_for_resale", yes_no(row.not_for_resale), yes_no(not_for_resale))];
    audit::write(&mut tx, customer_entry(actor, "customer.resale_changed", id, changes, now)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets (or, empty, clears) the customer's debtor account for the DATEV
/// export; its length follows the export's settings.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn set_debtor_account(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = begin_write(db).await?;
    let account = if raw.trim().is_empty() {
        None
    } else {
        let (settings, _) = crate::server::datev::settings(&mut tx)
            .await?
            .ok_or_else(|| AppError::invalid("debtor_account", crate::domain::message::Message::DatevNotSet))?;
        let parsed = crate::domain::datev::parse_debtor_account(raw, settings.account_length)
            .map_err(|e| AppError::invalid("debtor_account", e))?;
        Some(parsed)
    };
    let row = find_for_change(&mut tx, id, version).await?;
    if row.debtor_account == account {
        return Ok(());
    }
    sqlx::query("UPDATE customers SET debtor_account = $1 WHERE id = $2")
        .bind(&account)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx, id, version).await?;
    let changes = vec![FieldChange::new(
        "debtor_account",
        row.debtor_account.as_deref().unwrap_or(""),
        account.as_deref().unwrap_or(""),
    )];
    audit::write(&mut tx, customer_entry(actor, "customer.debtor_account_changed", id, changes, now)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn deactivate(db: &Db, actor: &str, id: i64, version: i64, reason: &str, now: DateTime<Utc>) -> Result<()> {
    let reason = parse_reason(reason).map_err(|e| AppError::invalid("reason", e))?;
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    if row.status() != CustomerStatus::Active {
        return Err(AppError::conflict(crate::domain::message::Message::AlreadyDeactivated).into());
    }
    sqlx::query(
        "UPDATE customers SET status = 'deactivated', deactivation_reason = $1, deactivated_at = $2 WHERE id = $3",
    )
    .bind(&reason)
    .bind(Time(now))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    bump_version(&mut tx, id, version).await?;
    let mut changes = vec![FieldChange::new("status", "Active", "Deactivated")];
    if let Some(reason) = &reason {
        changes.push(FieldChange::new("reason", "", reason));
    }
    audit::write(&mut tx, customer_entry(actor, "customer.deactivated", id, changes, now)).await?;
    history::snapshot(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Activates a deactivated customer as it was. When its contract end has
/// passed, a new one (today or later) is required, or the contract-end job
/// would deactivate it again at once.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn activate(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    new_contract_end: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let today = now.date_naive();
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    if row.status() != CustomerStatus::Deactivated {
        return Err(AppError::conflict(crate::domain::message::Message::AlreadyActive).into());
    }
    let mut changes = vec![FieldChange::new("status", "Deactivated", "Active")];
    let contract_end = match new_contract_end.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => parse_contract_end(raw, today).map_err(|e| AppError::invalid("contract_end", e))?,
        None if row.contract_end < today => {
            return Err(AppError::invalid(
                "contract_end",
                crate::domain::message::Message::ContractEnded { date: row.contract_end.to_string() },
            )
            .into())
        }
        None => row.contract_end,
    };
    if contract_end != row.contract_end {
        changes.push(FieldChange::new("contract_end", row.contract_end, contract_end));
    }
    sqlx::query(
        "UPDATE customers SET status = 'active', deactivation_reason = NULL, deactivated_at = NULL, \
         contract_end = $1 WHERE id = $2",
    )
    .bind(Day(contract_end))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    bump_version(&mut tx, id, version).await?;
    audit::write(&mut tx, customer_entry(actor, "customer.activated", id, changes, now)).await?;
    history::snapshot(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a customer after the user typed its name. The record stays for
/// statements and the audit log; it leaves every list and cannot be opened.
#[tracing::instrument(skip_all, fields(actor = %actor, customer = id))]
pub async fn remove(
    db: &Db,
    actor: &str,
    id: i64,
    version: i64,
    confirm_name: &str,
    now: DateTime<Utc>,
) -> Result<RemovedCustomer> {
    let mut tx = begin_write(db).await?;
    let row = find_for_change(&mut tx, id, version).await?;
    if confirm_name.trim() != row.name {
        return Err(AppError::invalid("confirm_name", crate::domain::message::Message::ConfirmName).into());
    }
    sqlx::query("UPDATE customers SET status = 'removed', removed_at = $1 WHERE id = $2")
        .bind(Time(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    bump_version(&mut tx, id, version).await?;
    let changes = vec![FieldChange::new("status", row.status().label(), "Removed")];
    audit::write(&mut tx, customer_entry(actor, "customer.removed", id, changes, now)).await?;
    history::snapshot(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(RemovedCustomer { name: row.name, database_name: row.database_name })
}
