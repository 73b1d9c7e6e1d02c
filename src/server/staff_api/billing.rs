//! `/api/v1/statements`, `/api/v1/cost-overview` and
//! `/api/v1/exports/datev`: a month's frozen statements, its overview (JSON,
//! or with `Accept: text/csv` the page's CSV) and its DATEV file.

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::{figures_name, Overview, OverviewRowOut, StatementOut, Statements};
use super::{authorize, query, refused};
use crate::domain::api_query;
use crate::domain::cost_overview::totals;
use crate::domain::export::{self, CsvFormat};
use crate::error::AppError;
use crate::server::machine_api::ApiError;
use crate::server::state::AppState;
use crate::server::{billing as bills, cost_overview as overview, datev};

fn month_of(request: &Parts) -> Result<crate::domain::BillingMonth, ApiError> {
    api_query::month(query(request)("month")).map_err(|f| ApiError::invalid("invalid", vec![f]))
}

/// Whether the caller asked for CSV rather than JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| {
        accept.split(',').any(|part| part.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv")))
    })
}

pub async fn statements(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/statements")).await?;
    let month = month_of(&request)?;
    let list = bills::statements_of_month(&staff.state.db, month).await.map_err(AppError::from)?;
    let body = Statements { month: month.to_string(), statements: list.into_iter().map(StatementOut::from).collect() };
    Ok(Json(body).into_response())
}

pub async fn cost_overview(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/cost-overview")).await?;
    let month = month_of(&request)?;
    let layout = match query(&request)("layout").as_deref() {
        None | Some("comma") => CsvFormat::Comma,
        Some("spreadsheet") => CsvFormat::Spreadsheet,
        Some(_) => {
            let message = crate::domain::message::Message::Text { text: "Use comma or spreadsheet.".into() };
            return Err(refused(AppError::invalid("layout", message)));
        }
    };
    let s = &staff.state;
    let page = overview::cost_overview(&s.db, &s.bill_cache, Some(month), s.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    if wants_csv(&request.headers) {
        let rows: Vec<_> = page.rows.iter().collect();
        let bytes = export::write(&rows, &page.currency, layout);
        // The name is made of a parsed month only.
        let disposition = format!("attachment; filename=\"{}\"", export::file_name(page.month));
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
            bytes,
        )
            .into_response());
    }
    let body = Overview {
        month: page.month.to_string(),
        figures: figures_name(page.figures),
        totals: totals(page.rows.iter().map(|r| &r.bill)).into(),
        rows: page.rows.iter().map(OverviewRowOut::from).collect(),
        currency: page.currency,
    };
    Ok(Json(body).into_response())
}

pub async fn datev(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/exports/datev")).await?;
    let month = month_of(&request)?;
    let file = datev::export(&staff.state.db, &staff.actor(), month, staff.state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=windows-1252".to_owned()),
            // The name is made of a parsed month only.
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.name)),
        ],
        file.bytes,
    )
        .into_response())
}
