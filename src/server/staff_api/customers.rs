//! `/api/v1/customers`: list, read, create, change (with `If-Match`),
//! deactivate and activate, through the same rules as the pages.

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::{Activation, CreatedCustomer, Customer, CustomerList, CustomerPatch, Deactivation, NewCustomer};
use super::{authorize, created, json_body, path_id, query, refused, Staff};
use crate::domain::api_query::CustomerFilter;
use crate::domain::customer::{ContractForm, CustomerForm};
use crate::domain::message::Message;
use crate::error::AppError;
use crate::server::customers;
use crate::server::machine_api::ApiError;
use crate::server::state::AppState;

/// The customer with its version as `ETag`.
fn with_etag(customer: Customer, status: StatusCode) -> Response {
    let etag = format!("\"{}\"", customer.version);
    let mut response = (status, Json(customer)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

async fn current(staff: &Staff, id: i64) -> Result<Customer, ApiError> {
    let state = &staff.state;
    Ok(customers::get(&state.db, id, state.clock.today()).await.map_err(AppError::from)?.into())
}

/// The version an `If-Match` header names (`"3"`, `W/"3"` or `3`); `Err`
/// when it names none we gave out (it cannot match).
fn if_match(headers: &HeaderMap) -> Option<Result<i64, ()>> {
    let raw = headers.get(header::IF_MATCH)?;
    let text = raw.to_str().map_err(|_| ()).map(|t| t.trim().trim_start_matches("W/").trim_matches('"').to_owned());
    Some(text.and_then(|t| t.parse::<i64>().map_err(|_| ())))
}

fn precondition_failed(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        format!("The customer changed since that version (it is at version {current}); read it again."),
    )
}

/// A version conflict of the change itself (someone saved in between).
fn changed(error: AppError) -> ApiError {
    match error {
        AppError::Conflict(said) if said.wire() == Message::CustomerChanged.wire() => ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            "The customer changed since that version; read it again.",
        ),
        other => refused(other),
    }
}

pub async fn list(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/customers")).await?;
    let filter = CustomerFilter::parse(query(&request)).map_err(|f| ApiError::invalid("invalid", f))?;
    let (page, next) =
        customers::page_after(&staff.state.db, &filter, staff.state.clock.today()).await.map_err(AppError::from)?;
    let body = CustomerList {
        customers: page.into_iter().map(Customer::from).collect(),
        next_cursor: next.map(|id| id.to_string()),
    };
    Ok(Json(body).into_response())
}

pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/customers/{id}")).await?;
    let id = path_id(&id)?;
    Ok(with_etag(current(&staff, id).await?, StatusCode::OK))
}

pub async fn create(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("POST", "/customers")).await?;
    let new: NewCustomer = json_body(body, &parts.headers, None).await?;
    let billed = match new.kind.as_str() {
        "billed" => true,
        "test" => false,
        _ => return Err(refused(AppError::invalid("kind", Message::KindUnknown))),
    };
    let form = CustomerForm {
        name: new.name,
        billed,
        contract_end: new.contract_end,
        database_name: new.database_name,
        max_users: new.max_users.to_string(),
        limit_user_creation: new.limit_user_creation,
        options: new.options,
    };
    let made = customers::create(&staff.state.db, &staff.actor(), &form, staff.state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    let customer = current(&staff, made.id).await?;
    Ok(created(&format!("/api/v1/customers/{}", made.id), CreatedCustomer { customer, api_key: made.api_key }))
}

pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("PATCH", "/customers/{id}")).await?;
    let id = path_id(&id)?;
    let before = current(&staff, id).await?;
    let version = match if_match(&parts.headers) {
        None => {
            return Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                "Send the version you read as `If-Match` (the customer's ETag).",
            ))
        }
        Some(Ok(version)) if version == before.version => version,
        Some(_) => return Err(precondition_failed(before.version)),
    };
    let change: CustomerPatch = json_body(body, &parts.headers, None).await?;
    if change.is_empty() {
        return Err(refused(AppError::invalid("body", Message::FillIn)));
    }
    let contract = change.touches_contract().then(|| ContractForm {
        name: change.name.clone().unwrap_or_else(|| before.name.clone()),
        contract_end: change.contract_end.clone().unwrap_or_else(|| before.contract_end.to_string()),
        max_users: change.max_users.unwrap_or(before.max_users).to_string(),
        limit_user_creation: change.limit_user_creation.unwrap_or(before.limit_user_creation),
    });
    let db = &staff.state.db;
    customers::patch(
        db,
        &staff.actor(),
        id,
        version,
        contract.as_ref(),
        change.options.as_deref(),
        staff.state.clock.now(),
    )
    .await
    .map_err(|e| changed(e.into()))?;
    Ok(with_etag(current(&staff, id).await?, StatusCode::OK))
}

/// The version to change: `If-Match`'s when sent (412 unless current),
/// else the current one.
fn version_to_change(headers: &HeaderMap, before: &Customer) -> Result<i64, ApiError> {
    match if_match(headers) {
        None => Ok(before.version),
        Some(Ok(version)) if version == before.version => Ok(version),
        Some(_) => Err(precondition_failed(before.version)),
    }
}

pub async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("POST", "/customers/{id}/deactivate")).await?;
    let id = path_id(&id)?;
    let before = current(&staff, id).await?;
    let version = version_to_change(&parts.headers, &before)?;
    let wish: Deactivation = json_body(body, &parts.headers, Some(Deactivation::default())).await?;
    let reason = wish.reason.unwrap_or_default();
    customers::deactivate(&staff.state.db, &staff.actor(), id, version, &reason, staff.state.clock.now())
        .await
        .map_err(|e| changed(e.into()))?;
    Ok(with_etag(current(&staff, id).await?, StatusCode::OK))
}

pub async fn activate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("POST", "/customers/{id}/activate")).await?;
    let id = path_id(&id)?;
    let before = current(&staff, id).await?;
    let version = version_to_change(&parts.headers, &before)?;
    let wish: Activation = json_body(body, &parts.headers, Some(Activation::default())).await?;
    let db = &staff.state.db;
    customers::activate(db, &staff.actor(), id, version, wish.contract_end.as_deref(), staff.state.clock.now())
        .await
        .map_err(|e| changed(e.into()))?;
    Ok(with_etag(current(&staff, id).await?, StatusCode::OK))
}
