use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::{Login, LoginCode};
use crate::components::field::server_message;
use crate::components::FieldError;
use crate::error::AppError;

/// The card both steps of sign-in are drawn in: the brand, the title, a
/// line under it, an error that belongs to no field, and the form.
#[component]
fn SignInCard(
    title: &'static str,
    intro: &'static str,
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
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
        <Title text=title />
        <main class="login-page" id="main">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"M"</span>
                    <span>"MSP Server Manager"</span>
                </div>
                <h1 id="login-title">{title}</h1>
                <p class="muted">{intro}</p>
                {general_error}
                {children()}
            </section>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // After a refused plain form post (`server::security::sign_in_again`).
    let username = move || query.read().get("username").unwrap_or_default();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    view! {
        <SignInCard title="Sign in" intro="Staff of your managed service only." error>
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
        </SignInCard>
    }
}

/// Sign-in's second step, for an account with an authenticator app: plain
/// HTML like the first (its form posts to `/api/login_code`).
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    view! {
        <SignInCard
            title="Authenticator code"
            intro="Enter the 6-digit code your authenticator app shows for MSP Server Manager, or one of your recovery codes."
            error
        >
            <ActionForm action=verify attr:class="form-stack">
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="login-code">"Code"</label>
                    <input
                        id="login-code"
                        name="code"
                        type="text"
                        autocomplete="one-time-code"
                        autocapitalize="none"
                        spellcheck="false"
                        maxlength="40"
                        aria-describedby="login-code-error"
                        required
                        autofocus
                    />
                    <FieldError id="login-code-error" message=server_message(error, "code") />
                </div>
                <button type="submit" class="button button-primary" disabled=move || verify.pending().get()>
                    "Verify and sign in"
                </button>
            </ActionForm>
            <p class="muted small">
                <a href="/login">"Start again with your password"</a>
            </p>
        </SignInCard>
    }
}
