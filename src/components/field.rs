use leptos::prelude::*;

use crate::domain::FieldMessage;
use crate::error::AppError;

/// The message under a form field (`role="alert"`, so screen readers hear
/// it), or nothing.
#[component]
pub fn FieldError(
    /// The id the input points to with `aria-describedby`.
    #[prop(into)]
    id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// A labelled text field, with an optional help line and its message.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] help: Option<&'static str>,
    /// The keyboard phones show: "numeric", "decimal".
    #[prop(optional)]
    inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let described = if help.is_some() { format!("{help_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                inputmode=inputmode
                placeholder=placeholder
                autocomplete="off"
                aria-describedby=described
                aria-invalid=move || message.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))
            />
            {help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
            <FieldError id=error_id message />
        </div>
    }
}

/// The month a change starts in ("In force from (month)"): `min` (the
/// current month) or later.
#[component]
pub fn StartMonthField(
    id: &'static str,
    label: &'static str,
    min: crate::domain::BillingMonth,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="month"
                min=min.to_string()
                aria-describedby=error_id.clone()
                aria-invalid=move || message.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))
            />
            <FieldError id=error_id message />
        </div>
    }
}

/// The server's message for one field of a form, from the last answer of
/// the form's action.
pub fn server_message(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    let l = crate::components::language::use_locale();
    Signal::derive(move || error.get().and_then(|e| e.message_for(field).map(|m| crate::messages::text(m, l))))
}

/// An error that is not about a single field (conflict, refusal, network).
pub fn general_message(error: Signal<Option<AppError>>) -> Signal<Option<String>> {
    let l = crate::components::language::use_locale();
    Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| crate::components::language::error_message(&e, l))
    })
}

/// The message under one field of a form checked as the user types: the
/// rule's problem with what is typed (once `shown`), else the server's word
/// on the last save.
pub fn field_message(
    problems: Memo<Vec<FieldMessage>>,
    shown: Signal<bool>,
    server_error: Signal<Option<AppError>>,
    field: impl Into<String>,
) -> Signal<Option<String>> {
    let field = field.into();
    let l = crate::components::language::use_locale();
    Signal::derive(move || {
        let typed = shown.get().then(|| {
            problems.with(|p| p.iter().find(|p| p.field == field).map(|p| crate::messages::text(&p.message, l)))
        });
        typed
            .flatten()
            .or_else(|| server_error.get().and_then(|e| e.message_for(&field).map(|m| crate::messages::text(m, l))))
    })
}
