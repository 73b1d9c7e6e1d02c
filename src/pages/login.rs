//! The sign-in pages. The server draws them, and sends them without the
//! app's code (`app::shell`): their forms work as plain HTML forms. So they
//! are compiled for the server alone, and cost the browser's download
//! nothing; a link the browser's router follows to one loads it in full.

#[cfg(feature = "ssr")]
pub use drawn::{LoginCodePage, LoginPage};

/// The sign-in page, reached by the browser's router: loaded in full.
#[cfg(not(feature = "ssr"))]
#[leptos::component]
pub fn LoginPage() -> impl leptos::IntoView {
    load_in_full()
}

/// The second step of sign-in, reached by the browser's router: loaded in
/// full.
#[cfg(not(feature = "ssr"))]
#[leptos::component]
pub fn LoginCodePage() -> impl leptos::IntoView {
    load_in_full()
}

#[cfg(not(feature = "ssr"))]
fn load_in_full() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

#[cfg(feature = "ssr")]
mod drawn {
    use leptos::prelude::*;
    use leptos_meta::Title;
    use leptos_router::hooks::use_query_map;

    use crate::api::session::{login_methods, Login, LoginCode, LoginPasskey};
    use crate::components::field::server_message;
    use crate::components::language::{error_message, use_locale};
    use crate::components::FieldError;
    use crate::error::AppError;
    use crate::i18n::td_string;
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
        let l = use_locale();
        let general_error = move || {
            error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| {
                view! {
                    <p class="notice notice-error" role="alert">
                        {error_message(&e, l)}
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

    /// The sign-in page: the provider's button when single sign-on is on, and
    /// the password form.
    #[component]
    pub fn LoginPage() -> impl IntoView {
        let options = Resource::new_blocking(|| (), |_| crate::api::session::login_options());
        view! {
            <Suspense fallback=|| ()>
                {move || options.get().map(|o| view! { <FirstStep options=o.unwrap_or_default() /> })}
            </Suspense>
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
        let l = use_locale();
        let password_note = (!options.password_for_everyone).then(|| {
            view! { <p class="help">{td_string!(l, sign_in.break_glass_note)}</p> }
        });
        view! {
            <SignInCard title=td_string!(l, sign_in.title) intro=td_string!(l, sign_in.intro) error>
                {single_sign_on(&options, next)}
                {password_note}
                <ActionForm action=login attr:class="form-stack">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="login-username">{td_string!(l, sign_in.username)}</label>
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
                        <label for="login-password">{td_string!(l, sign_in.password)}</label>
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
                        {move || if login.pending().get() { td_string!(l, sign_in.signing_in) } else { td_string!(l, sign_in.submit) }}
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
        let l = use_locale();
        let (title, intro, label) = match (methods.app, methods.passkey) {
            (true, true) => (
                td_string!(l, sign_in.second_step),
                td_string!(l, sign_in.second_step_both),
                td_string!(l, sign_in.code_or_recovery),
            ),
            (false, true) => (
                td_string!(l, sign_in.second_step),
                td_string!(l, sign_in.second_step_passkey),
                td_string!(l, sign_in.recovery_code),
            ),
            _ => (
                td_string!(l, sign_in.authenticator_code),
                td_string!(l, sign_in.authenticator_intro),
                td_string!(l, sign_in.code),
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
                            {td_string!(l, sign_in.use_passkey)}
                        </button>
                        <p class="field-error" id="login-passkey-error" role="alert" hidden=move || server_message(passkey_error, "passkey").get().is_none()>
                            {move || server_message(passkey_error, "passkey").get()}
                        </p>
                    </ActionForm>
                    <p class="divider-text" aria-hidden="true">{td_string!(l, sign_in.or)}</p>
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
                        {td_string!(l, sign_in.verify)}
                    </button>
                </ActionForm>
                <p class="muted small">
                    <a href="/login">{td_string!(l, sign_in.start_again)}</a>
                </p>
            </SignInCard>
        }
    }

    /// The provider's button and why the last sign-in through it was refused.
    fn single_sign_on(
        options: &SignInOptions,
        next: impl Fn() -> String + Copy + Send + Sync + 'static,
    ) -> impl IntoView {
        use crate::domain::single_sign_on::SsoRefusal;
        let l = use_locale();
        let query = use_query_map();
        // Back from the provider without a sign-in (`server::single_sign_on`).
        let refused =
            query.read_untracked().get("sso_error").and_then(|code| SsoRefusal::parse(&code)).map(|refusal| {
                view! {
                    <p class="notice notice-error" role="alert">
                        {refusal_message(refusal, l)}
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
                    {td_string!(l, sign_in.sign_in_with, name)}
                </a>
                <p class="divider-text" aria-hidden="true">{td_string!(l, sign_in.or)}</p>
            }
        });
        view! { {refused} {button} }
    }

    /// Why single sign-on refused, in the reader's language.
    fn refusal_message(refusal: crate::domain::single_sign_on::SsoRefusal, l: crate::i18n::Locale) -> &'static str {
        use crate::domain::single_sign_on::SsoRefusal;
        match refusal {
            SsoRefusal::State => td_string!(l, sign_in.sso_state),
            SsoRefusal::Provider => td_string!(l, sign_in.sso_provider),
            SsoRefusal::Token => td_string!(l, sign_in.sso_token),
            SsoRefusal::Unreachable => td_string!(l, sign_in.sso_unreachable),
            SsoRefusal::Unknown => td_string!(l, sign_in.sso_unknown),
            SsoRefusal::Disabled => td_string!(l, sign_in.sso_disabled),
            SsoRefusal::NoRole => td_string!(l, sign_in.sso_no_role),
            SsoRefusal::Busy => td_string!(l, sign_in.sso_busy),
            SsoRefusal::Off => td_string!(l, sign_in.sso_off),
        }
    }
}
