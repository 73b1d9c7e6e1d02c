//! "Two-factor sign-in", on the "Your password" page: setting up an
//! authenticator app (a QR code drawn on the server, the secret as text,
//! the first code to confirm) and turning it off again.

use leptos::prelude::*;

use crate::api::session::{my_two_factor, BeginTotpSetup, ConfirmTotpSetup, DisableTotp};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::{loaded, FieldError};
use crate::views::session::TwoFactorState;

#[component]
pub fn TwoFactorCard() -> impl IntoView {
    let begin = ServerAction::<BeginTotpSetup>::new();
    let confirm = ServerAction::<ConfirmTotpSetup>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let state = data(move || (confirm.version().get(), disable.version().get()), |_| my_two_factor());
    view! {
        <section class="card narrow-card" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor sign-in"</h2>
            {loaded(state, move |s| view! { <TwoFactorBody state=s begin confirm disable /> })}
        </section>
    }
}

#[component]
fn TwoFactorBody(
    state: TwoFactorState,
    begin: ServerAction<BeginTotpSetup>,
    confirm: ServerAction<ConfirmTotpSetup>,
    disable: ServerAction<DisableTotp>,
) -> impl IntoView {
    let confirmed = move || matches!(confirm.value().get(), Some(Ok(())));
    if state.enabled {
        let error = Signal::derive(move || disable.value().get().and_then(Result::err));
        return view! {
            {move || confirmed().then(|| view! {
                <p class="notice notice-ok" role="status">"Two-factor sign-in is on: from now on, sign-in asks for a code."</p>
            })}
            <p>
                <span class="badge badge-active">"On"</span>
                " Sign-in asks for a code from your authenticator app after your password."
            </p>
            <ActionForm action=disable attr:class="form-stack">
                <div class="field">
                    <label for="two-factor-password">"Current password, to turn it off"</label>
                    <input id="two-factor-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="two-factor-password-error" required />
                    <FieldError id="two-factor-password-error" message=Signal::derive(move || {
                        server_message(error, "current_password").get().or_else(|| general_message(error).get())
                    }) />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-danger" disabled=move || disable.pending().get()>
                        "Turn off two-factor sign-in"
                    </button>
                </div>
            </ActionForm>
        }
        .into_any();
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
    let begin_error = Signal::derive(move || begin.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    let setup = move || begin.value().get().and_then(Result::ok);
    view! {
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
                    <FieldError id="two-factor-code-error" message=Signal::derive(move || {
                        server_message(confirm_error, "code").get().or_else(|| general_message(confirm_error).get())
                    }) />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>
                        "Turn on two-factor sign-in"
                    </button>
                </div>
            </ActionForm>
        </Show>
    }
    .into_any()
}
