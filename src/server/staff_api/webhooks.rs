//! `/api/v1/webhook-endpoints`: an admin's endpoints, through the same
//! rules and write paths as the Settings page. The secret is in the answer
//! of the creation only.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::wire::{CreatedEndpoint, Delivery, Endpoint, EndpointList, EndpointPatch, NewEndpoint};
use super::{authorize, created, json_body, path_id, refused};
use crate::domain::message::Message;
use crate::domain::webhooks::EndpointForm;
use crate::error::AppError;
use crate::server::machine_api::ApiError;
use crate::server::secret_box::SecretBox;
use crate::server::state::AppState;
use crate::server::{deliveries, webhooks};

pub async fn list(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (request, _) = request.into_parts();
    let staff = authorize(&state, &request, ("GET", "/webhook-endpoints")).await?;
    let endpoints =
        webhooks::list(&staff.state.db).await.map_err(AppError::from)?.into_iter().map(Endpoint::from).collect();
    Ok(Json(EndpointList { endpoints }).into_response())
}

pub async fn create(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("POST", "/webhook-endpoints")).await?;
    let new: NewEndpoint = json_body(body, &parts.headers, None).await?;
    let form = EndpointForm { url: new.url, description: new.description, events: new.events };
    let valid = form.validate(staff.state.config.webhook_allow_private).map_err(|f| ApiError::invalid("invalid", f))?;
    let key = SecretBox::required(&staff.state.config).map_err(refused)?;
    let made = webhooks::create(&staff.state.db, &key, &staff.actor(), valid, staff.state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    Ok(created(&format!("/api/v1/webhook-endpoints/{}", made.endpoint.id), CreatedEndpoint::from(made)))
}

pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let staff = authorize(&state, &parts, ("PATCH", "/webhook-endpoints/{id}")).await?;
    let id = path_id(&id)?;
    let db = &staff.state.db;
    let before = webhooks::get(db, id).await.map_err(AppError::from)?;
    let change: EndpointPatch = json_body(body, &parts.headers, None).await?;
    if !change.touches_form() && change.enabled.is_none() {
        return Err(refused(AppError::invalid("body", Message::FillIn)));
    }
    let form = if change.touches_form() {
        let form = EndpointForm {
            url: change.url.unwrap_or(before.url),
            description: change.description.unwrap_or(before.description),
            events: change.events.unwrap_or(before.events),
        };
        let allow_private = staff.state.config.webhook_allow_private;
        Some(form.validate(allow_private).map_err(|f| ApiError::invalid("invalid", f))?)
    } else {
        None
    };
    let change = webhooks::Change { form, enabled: change.enabled };
    let after = webhooks::update(db, id, change, &staff.actor(), staff.state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    Ok(Json(Endpoint::from(after)).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    let staff = authorize(&state, &parts, ("DELETE", "/webhook-endpoints/{id}")).await?;
    let id = path_id(&id)?;
    webhooks::remove(&staff.state.db, id, &staff.actor(), staff.state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, _) = request.into_parts();
    let staff = authorize(&state, &parts, ("POST", "/webhook-endpoints/{id}/test")).await?;
    let id = path_id(&id)?;
    let state = &staff.state;
    let sent = deliveries::send_test(&state.db, &state.sender, id, &staff.actor(), state.clock.now())
        .await
        .map_err(|e| refused(e.into()))?;
    Ok(Json(Delivery::from(sent)).into_response())
}
