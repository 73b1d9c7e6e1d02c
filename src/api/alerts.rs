//! Alerts: the webhook endpoints and their delivery log, the mail server
//! and the mail log (admins only); everyone's own alert mails.

use crate::domain::mail::{ChoicesForm, SmtpForm};
use crate::domain::webhooks::EndpointForm;
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use crate::views::alerts::{AlertChoices, CreatedEndpoint, Delivery, Mail, SmtpSettings, WebhookEndpoint};
use leptos::prelude::*;

/// Every webhook endpoint.
#[server(endpoint = "alerts/endpoints")]
pub async fn list_webhooks() -> Result<Vec<WebhookEndpoint>, AppError> {
    use crate::server::{guard, webhooks};
    let caller = guard::caller(Role::Admin).await?;
    Ok(webhooks::list(&caller.state.db).await?)
}

/// Adds an endpoint; its secret is in the answer, this once.
#[server(endpoint = "alerts/add_endpoint")]
pub async fn add_webhook(form: EndpointForm) -> Result<CreatedEndpoint, AppError> {
    use crate::server::secret_box::SecretBox;
    use crate::server::{guard, webhooks};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    let valid = form.validate(state.config.webhook_allow_private).map_err(AppError::Invalid)?;
    let key = SecretBox::required(&state.config)?;
    Ok(webhooks::create(&state.db, &key, &caller.user.username, valid, state.clock.now()).await?)
}

/// Changes an endpoint's URL, description and events.
#[server(endpoint = "alerts/change_endpoint")]
pub async fn change_webhook(id: i64, form: EndpointForm) -> Result<WebhookEndpoint, AppError> {
    use crate::server::{guard, webhooks};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    let valid = form.validate(state.config.webhook_allow_private).map_err(AppError::Invalid)?;
    let change = webhooks::Change { form: Some(valid), enabled: None };
    Ok(webhooks::update(&state.db, id, change, &caller.user.username, state.clock.now()).await?)
}

/// Turns an endpoint on or off.
#[server(endpoint = "alerts/set_endpoint_enabled")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<WebhookEndpoint, AppError> {
    use crate::server::{guard, webhooks};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    let change = webhooks::Change { form: None, enabled: Some(enabled) };
    Ok(webhooks::update(&state.db, id, change, &caller.user.username, state.clock.now()).await?)
}

/// Removes an endpoint with its deliveries.
#[server(endpoint = "alerts/remove_endpoint")]
pub async fn remove_webhook(id: i64) -> Result<(), AppError> {
    use crate::server::{guard, webhooks};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    Ok(webhooks::remove(&state.db, id, &caller.user.username, state.clock.now()).await?)
}

/// Sends a `test` event to an endpoint at once.
#[server(endpoint = "alerts/send_test")]
pub async fn send_test_event(id: i64) -> Result<Delivery, AppError> {
    use crate::server::{deliveries, guard};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    Ok(deliveries::send_test(&state.db, &state.sender, id, &caller.user.username, state.clock.now()).await?)
}

/// An endpoint's newest deliveries with their attempts.
#[server(endpoint = "alerts/deliveries")]
pub async fn delivery_log(endpoint: i64) -> Result<Vec<Delivery>, AppError> {
    use crate::server::{deliveries, guard};
    let caller = guard::caller(Role::Admin).await?;
    Ok(deliveries::log(&caller.state.db, endpoint, 50).await?)
}

/// Sends a delivery again.
#[server(endpoint = "alerts/redeliver")]
pub async fn redeliver(id: i64) -> Result<Delivery, AppError> {
    use crate::server::{deliveries, guard};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    Ok(deliveries::redeliver(&state.db, id, &caller.user.username, state.clock.now()).await?)
}

/// The mail server's settings (none: not set up).
#[server(endpoint = "alerts/smtp")]
pub async fn mail_server() -> Result<Option<SmtpSettings>, AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    Ok(mail::settings(&caller.state.db).await?)
}

/// Saves the mail server's settings (an empty password keeps the stored one).
#[server(endpoint = "alerts/save_smtp")]
pub async fn save_smtp(form: SmtpForm) -> Result<SmtpSettings, AppError> {
    use crate::server::secret_box::SecretBox;
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    let stored = mail::settings(&state.db).await?.is_some_and(|s| s.has_password);
    let valid = form.validate(stored).map_err(AppError::Invalid)?;
    let key = match valid.password {
        Some(_) => Some(SecretBox::required(&state.config)?),
        None => None,
    };
    Ok(mail::save_settings(&state.db, key.as_ref(), &caller.user.username, valid, state.clock.now()).await?)
}

/// Removes the mail server's settings: no more alert mails.
#[server(endpoint = "alerts/remove_smtp")]
pub async fn remove_smtp() -> Result<(), AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    Ok(mail::remove_settings(&state.db, &caller.user.username, state.clock.now()).await?)
}

/// Sends a test mail to `to` at once.
#[server(endpoint = "alerts/send_test_mail")]
pub async fn send_test_mail(to: String) -> Result<Mail, AppError> {
    use crate::domain::mail::email_valid;
    use crate::domain::message::Message;
    use crate::domain::validation::FieldMessage;
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    let to = to.trim();
    if !email_valid(to) {
        return Err(AppError::Invalid(vec![FieldMessage::new("to", Message::EmailAddress)]));
    }
    Ok(mail::send_test(&state.db, &state.mailer, to, &caller.user.username, state.clock.now()).await?)
}

/// The newest mails with their attempts.
#[server(endpoint = "alerts/mails")]
pub async fn mail_log() -> Result<Vec<Mail>, AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    Ok(mail::log(&caller.state.db, 50).await?)
}

/// Sends a mail again.
#[server(endpoint = "alerts/resend_mail")]
pub async fn resend_mail(id: i64) -> Result<Mail, AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Admin).await?;
    let state = &caller.state;
    Ok(mail::redeliver(&state.db, id, &caller.user.username, state.clock.now()).await?)
}

/// The caller's own alert mails.
#[server(endpoint = "alerts/mine")]
pub async fn my_alerts() -> Result<AlertChoices, AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(mail::choices(&caller.state.db, caller.user.id, caller.user.role).await?)
}

/// Saves the caller's own alert mails.
#[server(endpoint = "alerts/save_mine")]
pub async fn save_my_alerts(form: ChoicesForm) -> Result<AlertChoices, AppError> {
    use crate::server::{guard, mail};
    let caller = guard::caller(Role::Viewer).await?;
    let state = &caller.state;
    let valid = form.validate().map_err(AppError::Invalid)?;
    let user = &caller.user;
    mail::save_choices(&state.db, user.id, &user.username, valid, state.clock.now()).await?;
    Ok(mail::choices(&state.db, user.id, user.role).await?)
}
