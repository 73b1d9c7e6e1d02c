use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::language::use_locale;
use crate::i18n::td_string;

/// Makes the page being rendered on the server answer 404 (no effect in
/// the browser).
pub fn respond_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    respond_not_found();
    let l = use_locale();
    view! {
        <Title text=td_string!(l, common.not_found_title) />
        <main class="login-page" id="main">
            <section class="login-card">
                <h1>{td_string!(l, common.not_found_title)}</h1>
                <p class="muted">{td_string!(l, common.not_found_text)}</p>
                <a class="button button-primary" href="/">{td_string!(l, common.not_found_link)}</a>
            </section>
        </main>
    }
}
