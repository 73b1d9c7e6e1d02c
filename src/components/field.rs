use leptos::prelude::*;

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
    Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
}

/// An error that is not about a single field (conflict, refusal, network).
pub fn general_message(error: Signal<Option<AppError>>) -> Signal<Option<String>> {
    Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| e.to_string()))
}
