//! "Two-factor sign-in", on the "Your password" page: an authenticator app
//! (a QR code drawn on the server, the secret as text, the first code to
//! confirm; off again), passkeys and security keys (added with a name,
//! removed), and the recovery codes (shown once, a new set on request).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::session::{
    begin_passkey_registration, finish_passkey_registration, my_two_factor, BeginTotpSetup, ConfirmTotpSetup,
    DisableTotp, RemovePasskey, RenewRecoveryCodes,
};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::format;
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
    /// Adds a passkey named so: the server's options, the browser's
    /// answer, the server's check; the first recovery codes, if these are.
    add_passkey: Action<String, Result<Option<Vec<String>>, AppError>>,
    remove_passkey: ServerAction<RemovePasskey>,
}

/// The three steps of adding a passkey named `name`.
async fn add_passkey(name: String) -> Result<Option<Vec<String>>, AppError> {
    let options = begin_passkey_registration(name).await?;
    let answer = crate::components::passkey::register(&options).await.map_err(|m| AppError::invalid("passkey", m))?;
    finish_passkey_registration(answer).await
}

#[component]
pub fn TwoFactorCard() -> impl IntoView {
    let actions = Actions {
        begin: ServerAction::new(),
        confirm: ServerAction::new(),
        renew: ServerAction::new(),
        disable: ServerAction::new(),
        add_passkey: Action::new_local(|name: &String| add_passkey(name.clone())),
        remove_passkey: ServerAction::new(),
    };
    // Loaded again after each change that went through, not after a
    // refusal: that would draw the form anew under the person's typing.
    let changed = RwSignal::new(0u32);
    macro_rules! reload_after_success {
        ($($action:expr),*) => {$(
            Effect::new(move |_| {
                if $action.value().with(|v| matches!(v, Some(Ok(_)))) {
                    changed.update(|n| *n += 1);
                }
            });
        )*};
    }
    reload_after_success!(actions.confirm, actions.renew, actions.disable, actions.add_passkey, actions.remove_passkey);
    let state = data(move || changed.get(), |_| my_two_factor());
    // A first factor: the layout's notice that the policy requires one goes.
    let user = use_context::<UserResource>();
    Effect::new(move |_| {
        let added = matches!(actions.add_passkey.value().get(), Some(Ok(_)));
        if added || matches!(actions.confirm.value().get(), Some(Ok(_))) {
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
            // The browser's passkey calls (`components::passkey`).
            <script src="/passkey.js"></script>
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
    let query = use_query_map();
    let used_recovery = move || query.read().get("recovery").is_some_and(|v| v == "used");
    let left = state.recovery_left;
    let any = state.any_factor();
    let required = state.required;
    view! {
        {(required && !any).then(|| view! {
            <p class="notice notice-warn" role="status" data-testid="two-factor-required">
                "The sign-in policy requires two-factor sign-in for your account. Set up an app or add a passkey "
                "now: until then, this page is all you can open."
            </p>
        })}
        {move || used_recovery().then(|| view! {
            <p class="notice notice-warn" role="status">
                {format!("You signed in with a recovery code: {left} of 10 left. Each works once; make a new set below when few are left.")}
            </p>
        })}
        <h3>"Authenticator app"</h3>
        <AppSection state=state.clone() actions />
        <h3>"Passkeys and security keys"</h3>
        <Passkeys state=state.clone() actions />
        {any.then(|| view! {
            <h3>"Recovery codes"</h3>
            <Recovery left actions />
        })}
    }
}

#[component]
fn AppSection(state: TwoFactorState, actions: Actions) -> impl IntoView {
    if state.enabled {
        // The last factor stays while the policy requires one.
        let last = state.required && state.passkeys.is_empty();
        return view! { <Enabled last actions /> }.into_any();
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
    view! { <SetUp actions /> }.into_any()
}

#[component]
fn Enabled(last: bool, actions: Actions) -> impl IntoView {
    let disable_error = Signal::derive(move || actions.disable.value().get().and_then(Result::err));
    view! {
        {move || matches!(actions.confirm.value().get(), Some(Ok(_))).then(|| view! {
            <p class="notice notice-ok" role="status">"Two-factor sign-in is on: from now on, sign-in asks for a code."</p>
        })}
        <p>
            <span class="badge badge-active">"On"</span>
            " Sign-in asks for a code from your authenticator app after your password."
        </p>
        {if last {
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

/// The recovery codes: the set just made (shown once), else how many are
/// left, and a new set on request.
#[component]
fn Recovery(left: u32, actions: Actions) -> impl IntoView {
    let fresh_codes = move || {
        actions
            .renew
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| actions.confirm.value().get().and_then(Result::ok))
            .or_else(|| actions.add_passkey.value().get().and_then(Result::ok).flatten())
    };
    let renew_error = Signal::derive(move || actions.renew.value().get().and_then(Result::err));
    view! {
        {move || match fresh_codes() {
            Some(codes) => view! { <RecoveryCodes codes /> }.into_any(),
            None => view! {
                <p class="muted" data-testid="recovery-left">
                    {format!("{left} of 10 left. Each one signs in once in place of a code or passkey, if your phone or key is lost.")}
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
    }
}

/// The account's passkeys, adding one with a name, removing one after the
/// current password.
#[component]
fn Passkeys(state: TwoFactorState, actions: Actions) -> impl IntoView {
    let Actions { add_passkey, remove_passkey, .. } = actions;
    if !state.passkeys_available {
        return view! {
            <p class="muted">
                "Not available: passkeys are bound to the app's address, which the server does not know "
                "(MSP_PUBLIC_URL). Ask your administrator to set it."
            </p>
        }
        .into_any();
    }
    let name = RwSignal::new(String::new());
    let add_error = Signal::derive(move || add_passkey.value().get().and_then(Result::err));
    let added = move || matches!(add_passkey.value().get(), Some(Ok(_)));
    let removing = RwSignal::new(None::<(i64, String)>);
    let remove_error = Signal::derive(move || remove_passkey.value().get().and_then(Result::err));
    let last = state.required && !state.enabled && state.passkeys.len() == 1;
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add_passkey.dispatch(name.get());
    };
    let rows = state
        .passkeys
        .iter()
        .map(|key| {
            let (id, label) = (key.id, key.name.clone());
            let used = key.last_used_at.map(format::timestamp).unwrap_or_else(|| "Never".to_owned());
            view! {
                <tr>
                    <th scope="row">{key.name.clone()}</th>
                    <td class="nowrap">{format::timestamp(key.created_at)}</td>
                    <td class="nowrap">{used}</td>
                    <td>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=last
                            aria-label=format!("Remove {}", key.name)
                            on:click=move |_| removing.set(Some((id, label.clone())))
                        >
                            "Remove"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">
            "A passkey on this device or a security key (YubiKey and the like) can stand in for the app's code "
            "after your password."
        </p>
        {move || added().then(|| view! { <p class="notice notice-ok" role="status">"Passkey added: sign-in can use it now."</p> })}
        {(!state.passkeys.is_empty()).then(|| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Your passkeys">
                <table class="data-table" data-testid="passkeys">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Added"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {last.then(|| view! {
            <p class="muted small">"Your only second factor stays while the sign-in policy requires one."</p>
        })}
        {move || removing.get().map(|(id, label)| view! {
            <ActionForm action=remove_passkey attr:class="form-stack two-factor-form">
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="passkey-remove-password">{format!("Current password, to remove “{label}”")}</label>
                    <input id="passkey-remove-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="passkey-remove-error" required />
                    <FieldError id="passkey-remove-error" message=field_or_general(remove_error, "current_password") />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-danger" disabled=move || remove_passkey.pending().get()>
                        "Remove passkey"
                    </button>
                    <button type="button" class="button button-secondary" on:click=move |_| removing.set(None)>
                        "Cancel"
                    </button>
                </div>
            </ActionForm>
        })}
        <form class="form-stack two-factor-form" on:submit=on_add novalidate>
            <div class="field">
                <label for="passkey-name">"Name of the new passkey"</label>
                <input
                    id="passkey-name"
                    type="text"
                    maxlength="50"
                    autocomplete="off"
                    placeholder="e.g. YubiKey 5, Work laptop"
                    aria-describedby="passkey-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <FieldError id="passkey-name-error" message=Signal::derive(move || server_message(add_error, "name").get().or_else(|| field_or_general(add_error, "passkey").get())) />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-secondary" disabled=move || add_passkey.pending().get()>
                    "Add a passkey"
                </button>
            </div>
        </form>
    }
    .into_any()
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
fn SetUp(actions: Actions) -> impl IntoView {
    let Actions { begin, confirm, .. } = actions;
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
