//! "Two-factor sign-in", on the "Your password" page: setting up an
//! authenticator app (a QR code drawn on the server, the secret as text,
//! the first code to confirm), the recovery codes (shown once, a new set on
//! request) and turning it off again.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::session::{my_two_factor, BeginTotpSetup, ConfirmTotpSetup, DisableTotp, RenewRecoveryCodes};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::session::UserResource;
use crate::components::{loaded, FieldError};
use crate::error::AppError;
use crate::views::session::TwoFactorState;

#[derive(Clone, Copy)]
struct Actions {
    begin: ServerAction<BeginTotpSetup>,
    confirm: ServerAction<ConfirmTotpSetup>,
    renew: ServerAction<RenewRecoveryCodes>,
    disable: ServerAction<DisableTotp>,
}

#[component]
pub fn TwoFactorCard() -> impl IntoView {
    let actions = Actions {
        begin: ServerAction::new(),
        confirm: ServerAction::new(),
        renew: ServerAction::new(),
        disable: ServerAction::new(),
    };
    let state = data(
        move || (actions.confirm.version().get(), actions.renew.version().get(), actions.disable.version().get()),
        |_| my_two_factor(),
    );
    // Turned on: the layout's notice that the policy requires it goes.
    let user = use_context::<UserResource>();
    Effect::new(move |_| {
        if matches!(actions.confirm.value().get(), Some(Ok(_))) {
            if let Some(UserResource(user)) = user {
                user.refetch();
            }
        }
    });
    // Turned off: a later set-up starts from the beginning.
    Effect::new(move |_| {
        if matches!(actions.disable.value().get(), Some(Ok(()))) {
            actions.begin.clear();
            actions.confirm.clear();
            actions.renew.clear();
        }
    });
    view! {
        <section class="card narrow-card" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor sign-in"</h2>
            {loaded(state, move |s| view! { <TwoFactorBody state=s actions /> })}
        </section>
    }
}

/// A message for a form's field, else for the form.
fn field_or_general(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || server_message(error, field).get().or_else(|| general_message(error).get()))
}

#[component]
fn TwoFactorBody(state: TwoFactorState, actions: Actions) -> impl IntoView {
    if state.enabled {
        return view! { <Enabled state actions /> }.into_any();
    }
    if !state.available {
        return view! {
            <p class="muted">
                "Off. The server has no key to keep the secrets of authenticator apps with (MSP_SECRET_KEY): "
                "ask your administrator to set one."
            </p>
        }
        .into_any();
    }
    view! { <SetUp required=state.required actions /> }.into_any()
}

#[component]
fn Enabled(state: TwoFactorState, actions: Actions) -> impl IntoView {
    let query = use_query_map();
    let used_recovery = move || query.read().get("recovery").is_some_and(|v| v == "used");
    // The codes just made (at the set-up, or a new set), shown once.
    let fresh_codes = move || {
        actions.renew.value().get().and_then(Result::ok).or_else(|| actions.confirm.value().get().and_then(Result::ok))
    };
    let renew_error = Signal::derive(move || actions.renew.value().get().and_then(Result::err));
    let disable_error = Signal::derive(move || actions.disable.value().get().and_then(Result::err));
    let left = state.recovery_left;
    view! {
        {move || matches!(actions.confirm.value().get(), Some(Ok(_))).then(|| view! {
            <p class="notice notice-ok" role="status">"Two-factor sign-in is on: from now on, sign-in asks for a code."</p>
        })}
        {move || used_recovery().then(|| view! {
            <p class="notice notice-warn" role="status">
                {format!("You signed in with a recovery code: {left} of 10 left. Each works once; make a new set below when few are left.")}
            </p>
        })}
        <p>
            <span class="badge badge-active">"On"</span>
            " Sign-in asks for a code from your authenticator app after your password."
        </p>
        {move || match fresh_codes() {
            Some(codes) => view! { <RecoveryCodes codes /> }.into_any(),
            None => view! {
                <p class="muted" data-testid="recovery-left">
                    {format!("Recovery codes: {left} of 10 left. Each one signs in once in place of a code, if your phone is lost.")}
                </p>
            }
            .into_any(),
        }}
        <ActionForm action=actions.renew attr:class="form-stack two-factor-form">
            <div class="field">
                <label for="recovery-password">"Current password, for a new set of recovery codes"</label>
                <input id="recovery-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="recovery-password-error" required />
                <FieldError id="recovery-password-error" message=field_or_general(renew_error, "current_password") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-secondary" disabled=move || actions.renew.pending().get()>
                    "Make new recovery codes"
                </button>
            </div>
        </ActionForm>
        {if state.required {
            view! {
                <p class="muted" data-testid="two-factor-required">
                    "The sign-in policy requires it for your account, so it stays on. On a new phone, ask an admin "
                    "to reset it: you then set up the new app at your next sign-in."
                </p>
            }
            .into_any()
        } else {
            view! { <TurnOff actions error=disable_error /> }.into_any()
        }}
    }
}

#[component]
fn TurnOff(actions: Actions, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <ActionForm action=actions.disable attr:class="form-stack two-factor-form">
            <div class="field">
                <label for="two-factor-password">"Current password, to turn it off"</label>
                <input id="two-factor-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="two-factor-password-error" required />
                <FieldError id="two-factor-password-error" message=field_or_general(error, "current_password") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-danger" disabled=move || actions.disable.pending().get()>
                    "Turn off two-factor sign-in"
                </button>
            </div>
        </ActionForm>
    }
}

/// A set of recovery codes, shown once: to copy or to download.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!(
        "MSP Server Manager: recovery codes\nEach one signs in once in place of an authenticator code.\n\n{}\n",
        codes.join("\n")
    );
    let copied = RwSignal::new(false);
    let copy = {
        let text = text.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&text);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &text;
        }
    };
    let download = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = crate::components::download_as(text.as_bytes(), "msp-recovery-codes.txt", "text/plain;charset=utf-8");
    };
    view! {
        <div class="recovery-codes" role="region" aria-labelledby="recovery-title">
            <h3 id="recovery-title">"Your recovery codes"</h3>
            <p>
                <strong>"Shown only now."</strong>
                " Keep them where you keep passwords; each one signs in once if your phone is lost."
            </p>
            <ol class="recovery-list" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <div class="field-actions">
                <button type="button" class="button button-secondary" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button type="button" class="button button-secondary" on:click=download>
                    "Download"
                </button>
            </div>
        </div>
    }
}

#[component]
fn SetUp(required: bool, actions: Actions) -> impl IntoView {
    let Actions { begin, confirm, .. } = actions;
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let setup = move || begin.value().get().and_then(Result::ok);
    view! {
        {required.then(|| view! {
            <p class="notice notice-warn" role="status" data-testid="two-factor-required">
                "The sign-in policy requires two-factor sign-in for your account. Set it up now: until then, "
                "this page is all you can open."
            </p>
        })}
        <p class="muted">
            "Off. With it on, sign-in asks for a 6-digit code from an authenticator app on your phone "
            "(for example Microsoft Authenticator, Google Authenticator or 1Password) after your password."
        </p>
        {move || general_message(begin_error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <Show
            when=move || setup().is_some()
            fallback=move || view! {
                <ActionForm action=begin>
                    <button type="submit" class="button button-primary" disabled=move || begin.pending().get()>
                        "Set up an authenticator app"
                    </button>
                </ActionForm>
            }
        >
            {move || setup().map(|s| view! {
                <ol class="steps">
                    <li>
                        "Scan this QR code with the app:"
                        <div class="qr-code" role="img" aria-label="QR code of the authenticator secret" inner_html=s.qr_svg.clone()></div>
                    </li>
                    <li>
                        "Or type this secret into the app: "
                        <code class="secret-text" data-testid="totp-secret">{s.secret.clone()}</code>
                    </li>
                    <li>"Enter the code the app shows:"</li>
                </ol>
            })}
            <ActionForm action=confirm attr:class="form-stack">
                <div class="field">
                    <label for="two-factor-code">"Code from the app"</label>
                    <input id="two-factor-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="16" aria-describedby="two-factor-code-error" required />
                    <FieldError id="two-factor-code-error" message=field_or_general(confirm_error, "code") />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>
                        "Turn on two-factor sign-in"
                    </button>
                </div>
            </ActionForm>
        </Show>
    }
}
