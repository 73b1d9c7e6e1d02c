use leptos::prelude::*;
use leptos_meta::Title;

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
    view! {
        <Title text="Page not found" />
        <main class="login-page" id="main">
            <section class="login-card">
                <h1>"Page not found"</h1>
                <p class="muted">"There is no page at this address. It may have been moved, or the link is wrong."</p>
                <a class="button button-primary" href="/">"Go to the status page"</a>
            </section>
        </main>
    }
}
