//! The billing settings (currency, time zone, grace days) and the time-zone
//! arithmetic of billing days.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::audit_log::FieldChange;
use crate::domain::billing_settings::SettingsForm;
use crate::domain::BillingMonth;
use crate::error::AppError;
use crate::server::audit::{self, Entry};
use crate::server::db::{begin_write, Db, Flag};
use crate::server::error::Result;
use crate::server::stored;
use crate::views::billing::BillingSettings;

pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// Every IANA time zone's name, sorted: the choices of a time zone field.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().to_owned()).collect();
    names.sort();
    names
}

/// The stored settings; an unknown time zone or a negative grace period is
/// an error, never replaced.
pub async fn settings(db: impl sqlx::AnyExecutor<'_>) -> Result<BillingSettings> {
    let (currency, time_zone, grace_days, Flag(prices_confirmed), version): (String, String, i64, Flag, i64) =
        sqlx::query_as(
            "SELECT currency, time_zone, grace_days, CAST(prices_confirmed AS INTEGER), version \
             FROM billing_settings WHERE id = 1",
        )
        .fetch_one(db)
        .await?;
    stored::time_zone(&time_zone)?;
    let grace_days = stored::count(grace_days, "grace days")?;
    Ok(BillingSettings { currency, time_zone, grace_days, prices_confirmed, version })
}

/// The billing time zone of settings read by [`settings`] (which checked
/// it; UTC only for settings made up in code with a bad name).
pub fn zone_of(settings: &BillingSettings) -> Tz {
    parse_time_zone(&settings.time_zone).unwrap_or(Tz::UTC)
}

pub fn local_today(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

pub(super) fn local(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
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

pub fn month_start_utc(tz: Tz, month: BillingMonth) -> DateTime<Utc> {
    utc_of(tz, month.first_day().and_time(chrono::NaiveTime::MIN))
}

/// Whether a month is closed or closing (the time zone is then fixed).
pub(super) async fn any_month_closed_or_closing(db: impl sqlx::AnyExecutor<'_>) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM month_closes) + (SELECT COUNT(*) FROM month_closing)")
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// An audit entry of an admin's change to billing.
pub(super) fn admin_entry<'a>(
    actor: &'a str,
    action: &'a str,
    subject: String,
    changes: Vec<FieldChange>,
    at: DateTime<Utc>,
) -> Entry<'a> {
    Entry { actor, action, subject, detail: String::new(), customer_id: None, changes, at }
}

#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn save_settings(db: &Db, actor: &str, form: &SettingsForm, version: i64, now: DateTime<Utc>) -> Result<()> {
    let valid = form.validate(|name| parse_time_zone(name).is_some()).map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let old = settings(&mut *tx).await?;
    if old.version != version {
        return Err(AppError::conflict(crate::domain::message::Message::SettingsChanged).into());
    }
    if valid.time_zone != old.time_zone && any_month_closed_or_closing(&mut *tx).await? {
        return Err(AppError::invalid("time_zone", crate::domain::message::Message::TimeZoneLocked).into());
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
    let entry = admin_entry(actor, "settings.changed", "settings:billing".to_owned(), changes, now);
    audit::write(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
