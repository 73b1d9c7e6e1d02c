use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::{login_methods, Login, LoginCode, LoginPasskey};
use crate::components::field::server_message;
use crate::components::FieldError;
use crate::error::AppError;
use crate::views::session::{SignInMethods, SignInOptions};

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

/// The sign-in page. The server draws it, and sends it without the app's
/// code (`app::shell`); the browser's code never draws it either: signing
/// out and the links to it load it in full. So what only single sign-on
/// adds (the provider's button, its refusals) is compiled for the server
/// alone and costs the first signed-in page nothing.
#[component]
pub fn LoginPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let options = Resource::new_blocking(|| (), |_| crate::api::session::login_options());
        view! {
            <Suspense fallback=|| ()>
                {move || options.get().map(|o| view! { <FirstStep options=o.unwrap_or_default() /> })}
            </Suspense>
        }
        .into_any()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let options = SignInOptions { single_sign_on: None, password_for_everyone: true };
        view! { <FirstStep options /> }.into_any()
    }
}

/// The first step: the provider's button when single sign-on is on, and
/// the password form (for everyone, or only the break-glass admin).
#[component]
fn FirstStep(options: SignInOptions) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // After a refused plain form post (`server::security::sign_in_again`).
    let username = move || query.read().get("username").unwrap_or_default();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    let password_primary = options.single_sign_on.is_none();
    let password_note = (!options.password_for_everyone).then(|| {
        view! { <p class="help">"Password sign-in is kept for the break-glass admin."</p> }
    });
    view! {
        <SignInCard title="Sign in" intro="Staff of your managed service only." error>
            {single_sign_on(&options, next)}
            {password_note}
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
                <button
                    type="submit"
                    class=if password_primary { "button button-primary" } else { "button button-secondary button-block" }
                    disabled=move || login.pending().get()
                >
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
    let methods = Resource::new_blocking(|| (), |_| login_methods());
    view! {
        <Suspense fallback=|| ()>
            {move || methods.get().map(|m| view! { <SecondStep methods=m.unwrap_or_default() /> })}
        </Suspense>
    }
}

/// The second step: the app's code or a recovery code, and a passkey when
/// the account has one. Plain HTML: the passkey button works through
/// `public/passkey.js`, which posts the browser's answer with its form.
#[component]
fn SecondStep(methods: SignInMethods) -> impl IntoView {
    let verify = ServerAction::<LoginCode>::new();
    let passkey = ServerAction::<LoginPasskey>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || verify.value().get().and_then(Result::err));
    let passkey_error = Signal::derive(move || passkey.value().get().and_then(Result::err));
    let (title, intro, label) = match (methods.app, methods.passkey) {
        (true, true) => (
            "Second step",
            "Use your passkey or security key, or enter the code your authenticator app shows, or a recovery code.",
            "Code from the app, or a recovery code",
        ),
        (false, true) => (
            "Second step",
            "Use your passkey or security key. Lost it? Enter one of your recovery codes.",
            "Recovery code",
        ),
        _ => (
            "Authenticator code",
            "Enter the 6-digit code your authenticator app shows for MSP Server Manager, or one of your recovery codes.",
            "Code",
        ),
    };
    view! {
        <SignInCard title intro error>
            {methods.passkey.then(|| view! {
                <script src="/passkey.js" defer></script>
                <ActionForm action=passkey attr:class="form-stack" attr:id="login-passkey-form">
                    <input type="hidden" name="next" value=next />
                    <input type="hidden" name="credential" value="" />
                    <button type="button" class="button button-primary" id="login-passkey">
                        "Use a passkey"
                    </button>
                    <p class="field-error" id="login-passkey-error" role="alert" hidden=move || server_message(passkey_error, "passkey").get().is_none()>
                        {move || server_message(passkey_error, "passkey").get()}
                    </p>
                </ActionForm>
                <p class="divider-text" aria-hidden="true">"or"</p>
            })}
            <ActionForm action=verify attr:class="form-stack">
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="login-code">{label}</label>
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
                        autofocus=!methods.passkey
                    />
                    <FieldError id="login-code-error" message=server_message(error, "code") />
                </div>
                <button
                    type="submit"
                    class=if methods.passkey { "button button-secondary" } else { "button button-primary" }
                    disabled=move || verify.pending().get()
                >
                    "Verify and sign in"
                </button>
            </ActionForm>
            <p class="muted small">
                <a href="/login">"Start again with your password"</a>
            </p>
        </SignInCard>
    }
}

/// The provider's button and why the last sign-in through it was refused
/// (server only, see [`LoginPage`]).
#[cfg(feature = "ssr")]
fn single_sign_on(options: &SignInOptions, next: impl Fn() -> String + Copy + Send + Sync + 'static) -> impl IntoView {
    use crate::domain::single_sign_on::SsoRefusal;
    let query = use_query_map();
    // Back from the provider without a sign-in (`server::single_sign_on`).
    let refused = query.read_untracked().get("sso_error").and_then(|code| SsoRefusal::parse(&code)).map(|refusal| {
        view! {
            <p class="notice notice-error" role="alert">
                {refusal.message()}
            </p>
        }
    });
    let button = options.single_sign_on.clone().map(|name| {
        let href = match next() {
            next if next.is_empty() => "/sso/start".to_owned(),
            next => format!("/sso/start?next={}", crate::domain::customer_list::encode(&next)),
        };
        view! {
            <a class="button button-primary button-block" href=href id="login-sso">
                {format!("Sign in with {name}")}
            </a>
            <p class="divider-text" aria-hidden="true">"or"</p>
        }
    });
    view! { {refused} {button} }
}

#[cfg(not(feature = "ssr"))]
fn single_sign_on(_: &SignInOptions, _: impl Fn() -> String) -> impl IntoView {}
