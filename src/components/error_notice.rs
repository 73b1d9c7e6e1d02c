use leptos::prelude::*;

use crate::components::language::{error_message, use_locale};
use crate::error::AppError;
use crate::i18n::td_string;

/// What an `<ErrorBoundary>` shows: the error's message for a person, never
/// a stack trace or SQL (the server only ever sends `AppError`s).
#[component]
pub fn ErrorNotice(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let l = use_locale();
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                let app_error = error.downcast_ref::<AppError>();
                let signed_out = app_error == Some(&AppError::Unauthenticated);
                let message = app_error.map_or_else(|| error.to_string(), |e| error_message(e, l));
                view! {
                    <p>
                        {message}
                        {signed_out.then(|| view! { " " <a href="/login" rel="external">{td_string!(l, common.sign_in)}</a> })}
                    </p>
                }
            })
            .collect_view()
    };
    view! {
        <div class="notice notice-error" role="alert">
            {messages}
        </div>
    }
}
