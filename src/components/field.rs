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
