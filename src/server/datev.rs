//! The DATEV export in the database: its settings (an admin's), and the
//! file of a closed month's sell amounts, written by `domain::datev` and
//! encoded as Windows-1252.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::audit::{self, Entry};
use super::billing::{self, closed_months, statements_of_month};
use super::db::{begin_write, Db};
use super::error::{Result, ServerError};
use crate::domain::audit_log::FieldChange;
use crate::domain::datev::{self, DatevSettings, DatevSettingsForm, Made, RevenueAccount, SoldStatement};
use crate::domain::message::Message;
use crate::domain::BillingMonth;
use crate::error::AppError;
use crate::views::billing::DatevPage;

#[derive(sqlx::FromRow)]
struct SettingsRow {
    adviser_number: i64,
    client_number: i64,
    fiscal_year_start: i64,
    account_length: i64,
    revenue_account: String,
    tax_key: String,
    collective_debtor: Option<String>,
    version: i64,
}

fn small(n: i64, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|e| ServerError::corrupt(what, n, e))
}

/// The settings and their version; None until an admin saved them.
pub async fn settings(db: &mut sqlx::AnyConnection) -> Result<Option<(DatevSettings, i64)>> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT adviser_number, client_number, fiscal_year_start, account_length, revenue_account, tax_key, \
           collective_debtor, version FROM datev_settings WHERE id = 1",
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let items: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, account, tax_key FROM datev_revenue_accounts").fetch_all(&mut *db).await?;
    let settings = DatevSettings {
        adviser_number: small(row.adviser_number, "DATEV adviser number")?,
        client_number: small(row.client_number, "DATEV client number")?,
        fiscal_year_start: small(row.fiscal_year_start, "DATEV fiscal year start")?,
        account_length: small(row.account_length, "DATEV account length")?,
        revenue: RevenueAccount { account: row.revenue_account, tax_key: row.tax_key },
        items: items.into_iter().map(|(code, account, tax_key)| (code, RevenueAccount { account, tax_key })).collect(),
        collective_debtor: row.collective_debtor,
    };
    Ok(Some((settings, row.version)))
}

/// What the DATEV card in Settings shows.
pub async fn page(db: &Db) -> Result<DatevPage> {
    let saved = settings(&mut *db.acquire().await?).await?;
    let items: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM option_catalogue ORDER BY position").fetch_all(db).await?;
    let (settings, version) = match saved {
        Some((settings, version)) => (Some(settings), version),
        None => (None, 0),
    };
    Ok(DatevPage { settings, version, options: items })
}

/// Saves the settings (`version` 0: the first time), audited.
#[tracing::instrument(skip_all, fields(actor = %actor))]
pub async fn save(db: &Db, actor: &str, form: &DatevSettingsForm, version: i64, now: DateTime<Utc>) -> Result<()> {
    let new = form.validate().map_err(AppError::Invalid)?;
    let mut tx = begin_write(db).await?;
    let old = settings(&mut tx).await?;
    if old.as_ref().map_or(0, |(_, v)| *v) != version {
        return Err(AppError::conflict(Message::SettingsChanged).into());
    }
    let known: Vec<String> = sqlx::query_scalar("SELECT code FROM option_catalogue").fetch_all(&mut *tx).await?;
    if let Some(code) = new.items.keys().find(|c| !c.is_empty() && !known.contains(*c)) {
        return Err(AppError::invalid(&datev::revenue_field(code), Message::OptionNotInCatalogue).into());
    }
    sqlx::query(
        "INSERT INTO datev_settings (id, adviser_number, client_number, fiscal_year_start, account_length, \
           revenue_account, tax_key, collective_debtor, version) VALUES (1, $1, $2, $3, $4, $5, $6, $7, 1) \
         ON CONFLICT (id) DO UPDATE SET adviser_number = $1, client_number = $2, fiscal_year_start = $3, \
           account_length = $4, revenue_account = $5, tax_key = $6, collective_debtor = $7, \
           version = datev_settings.version + 1",
    )
    .bind(i64::from(new.adviser_number))
    .bind(i64::from(new.client_number))
    .bind(i64::from(new.fiscal_year_start))
    .bind(i64::from(new.account_length))
    .bind(&new.revenue.account)
    .bind(&new.revenue.tax_key)
    .bind(&new.collective_debtor)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM datev_revenue_accounts").execute(&mut *tx).await?;
    for (code, revenue) in &new.items {
        sqlx::query("INSERT INTO datev_revenue_accounts (code, account, tax_key) VALUES ($1, $2, $3)")
            .bind(code)
            .bind(&revenue.account)
            .bind(&revenue.tax_key)
            .execute(&mut *tx)
            .await?;
    }
    let describe = |s: &DatevSettings| {
        let mut text = format!(
            "adviser {}, client {}, fiscal year from month {}, accounts of {} digits, revenue {} key {}",
            s.adviser_number,
            s.client_number,
            s.fiscal_year_start,
            s.account_length,
            s.revenue.account,
            s.revenue.tax_key
        );
        for (code, r) in &s.items {
            let item = if code.is_empty() { "users" } else { code.as_str() };
            text.push_str(&format!("; {item} {} key {}", r.account, r.tax_key));
        }
        text
    };
    let changes =
        vec![FieldChange::new("datev", old.as_ref().map(|(s, _)| describe(s)).unwrap_or_default(), describe(&new))];
    let entry = Entry {
        actor,
        action: "settings.datev_changed",
        subject: "settings:datev".to_owned(),
        detail: String::new(),
        customer_id: None,
        changes,
        at: now,
    };
    audit::write(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A DATEV file: its name and its bytes (Windows-1252).
#[derive(Debug)]
pub struct DatevFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The cap on customer names a refusal lists.
const NAMES_LISTED: usize = 10;

/// What a month's file is made of.
struct Prepared {
    settings: DatevSettings,
    bookings: Vec<datev::Booking>,
    billing: crate::views::billing::BillingSettings,
}

/// The bookings of a closed month, or why there can be none.
async fn prepare(db: &Db, month: BillingMonth) -> Result<Prepared> {
    let (settings, _) = settings(&mut *db.acquire().await?).await?.ok_or(AppError::conflict(Message::DatevNotSet))?;
    if !closed_months(db).await?.contains(&month) {
        return Err(AppError::conflict(Message::MonthNotClosed { month: month.to_string() }).into());
    }
    let billing = billing::settings(db).await?;
    let debtors: HashMap<i64, Option<String>> =
        sqlx::query_as("SELECT id, debtor_account FROM customers").fetch_all(db).await?.into_iter().collect();
    let statements: Vec<SoldStatement> = statements_of_month(db, month)
        .await?
        .into_iter()
        .filter_map(|s| {
            // Closed before sell prices were recorded: nothing to book.
            let sale = s.sale?;
            Some(SoldStatement {
                customer_id: s.customer_id,
                debtor_account: debtors.get(&s.customer_id).cloned().flatten(),
                customer_name: s.customer_name,
                lines: sale.lines.into_iter().map(|l| (l.code, l.amount)).collect(),
            })
        })
        .collect();
    let bookings = datev::bookings(&settings, month, &statements).map_err(|names| {
        let mut listed = names.iter().take(NAMES_LISTED).cloned().collect::<Vec<_>>().join(", ");
        if names.len() > NAMES_LISTED {
            listed.push_str(&format!(" (+{})", names.len() - NAMES_LISTED));
        }
        AppError::conflict(Message::DebtorAccountsMissing { names: listed })
    })?;
    Ok(Prepared { settings, bookings, billing })
}

/// Whether the file of `month` can be made.
pub async fn check(db: &Db, month: BillingMonth) -> Result<()> {
    prepare(db, month).await.map(|_| ())
}

/// The file of a closed month's sell amounts, audited as an export.
#[tracing::instrument(skip_all, fields(actor = %actor, month = %month))]
pub async fn export(db: &Db, actor: &str, month: BillingMonth, now: DateTime<Utc>) -> Result<DatevFile> {
    let Prepared { settings, bookings, billing } = prepare(db, month).await?;
    let made = Made { at: now.with_timezone(&billing::zone_of(&billing)).naive_local(), by: actor };
    let text = datev::file(&settings, month, &billing.currency, &made, &bookings);
    let mut tx = begin_write(db).await?;
    let entry = Entry {
        actor,
        action: "export.datev",
        subject: format!("month:{month}"),
        detail: format!("{} bookings", bookings.len()),
        customer_id: None,
        changes: Vec::new(),
        at: now,
    };
    audit::write(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(DatevFile { name: datev::file_name(month), bytes: windows_1252(&text) })
}

/// The routes of the file's download (the page checks first, through
/// `api::billing::check_datev_export`, and shows any refusal in words).
pub fn routes() -> axum::Router<super::state::AppState> {
    axum::Router::new().route("/exports/datev/{month}", axum::routing::get(download))
}

/// `GET /exports/datev/2026-11`: the file, to any signed-in staff member
/// (viewers read and export).
async fn download(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    axum::extract::Path(month): axum::extract::Path<String>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let Some(signed_in) = request.extensions().get::<super::sessions::SignedIn>() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(month) = BillingMonth::parse(&month) else {
        return (StatusCode::BAD_REQUEST, "Give the month as YYYY-MM.").into_response();
    };
    match export(&state.db, &signed_in.user.username, month, state.clock.now()).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=windows-1252".to_owned()),
                // The name is made of a parsed month only.
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.name)),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            file.bytes,
        )
            .into_response(),
        Err(error) => {
            let error = AppError::from(error);
            let status = match error {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let text = match &error {
                AppError::Conflict(said) => said.english(),
                _ => "The file could not be made; the server's log says why.".to_owned(),
            };
            (status, text).into_response()
        }
    }
}

/// Text as Windows-1252, which DATEV reads; a character it has no byte
/// for becomes `?`.
pub fn windows_1252(text: &str) -> Vec<u8> {
    let mut encoder = encoding_rs::WINDOWS_1252.new_encoder();
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    let mut buffer = [0u8; 4096];
    loop {
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(rest, &mut buffer, true);
        out.extend_from_slice(&buffer[..written]);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => return out,
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_keeps_umlauts_and_the_euro_sign_and_replaces_the_rest() {
        assert_eq!(windows_1252("Müller €5 „ok“"), b"M\xfcller \x805 \x84ok\x93".to_vec());
        assert_eq!(windows_1252("日本 GmbH"), b"?? GmbH".to_vec());
        let long = "ä".repeat(10_000);
        assert_eq!(windows_1252(&long), vec![0xe4; 10_000]);
    }
}
