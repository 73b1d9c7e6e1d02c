use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::Login;
use crate::components::field::server_message;
use crate::components::FieldError;
use crate::error::AppError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // After a refused plain form post (`server::security::sign_in_again`).
    let username = move || query.read().get("username").unwrap_or_default();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let general_error = move || {
        error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| {
            view! {
                <p class="notice notice-error" role="alert">
                    {e.to_string()}
                </p>
            }
        })
    };
    view! {
        <Title text="Sign in" />
        <main class="login-page" id="main">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"M"</span>
                    <span>"MSP Server Manager"</span>
                </div>
                <h1 id="login-title">"Sign in"</h1>
                <p class="muted">"Staff of your managed service only."</p>
                {general_error}
                <ActionForm action=login attr:class="form-stack">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="login-username">"User name"</label>
                        <input
                            id="login-username"
                            name="username"
                            type="text"
                            value=username
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required
                        />
                    </div>
                    <div class="field">
                        <label for="login-password">"Password"</label>
                        <input
                            id="login-password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            aria-describedby="login-password-error"
                            required
                        />
                        <FieldError id="login-password-error" message=server_message(error, "password") />
                    </div>
                    <button type="submit" class="button button-primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
