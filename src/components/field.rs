use leptos::prelude::*;

use crate::error::AppError;

/// The message under a form field when the last answer was about it.
#[component]
pub fn FieldError(
    /// The form field's name, as in `AppError::Invalid { field }`.
    field: &'static str,
    /// The id the input points to with `aria-describedby`.
    id: &'static str,
    /// The last answer of the form's server action.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.for_field(field)).map(|message| {
            view! {
                <p class="field-error" id=id role="alert">
                    {message}
                </p>
            }
        })
    }
}
