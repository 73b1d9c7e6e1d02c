use leptos::prelude::*;

use crate::error::AppError;

/// What an `<ErrorBoundary>` shows: the error's message for a person, never
/// a stack trace or SQL (the server only ever sends `AppError`s).
#[component]
pub fn ErrorNotice(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| {
                let signed_out = error.downcast_ref::<AppError>() == Some(&AppError::Unauthenticated);
                view! {
                    <p>
                        {error.to_string()}
                        {signed_out.then(|| view! { " " <a href="/login" rel="external">"Sign in"</a> })}
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
