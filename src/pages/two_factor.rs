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
use crate::components::language::{use_locale, use_reader};
use crate::components::session::UserResource;
use crate::components::{loaded, FieldError};
use crate::error::AppError;
use crate::i18n::td_string;
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
    let l = use_locale();
    view! {
        <section class="card narrow-card" aria-labelledby="two-factor-title">
            // The browser's passkey calls (`components::passkey`).
            <script src="/passkey.js"></script>
            <h2 id="two-factor-title">{td_string!(l, account.two_factor)}</h2>
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
    let l = use_locale();
    view! {
        {(required && !any).then(|| view! {
            <p class="notice notice-warn" role="status" data-testid="two-factor-required">
                {td_string!(l, account.policy_requires)}
            </p>
        })}
        {move || used_recovery().then(|| view! {
            <p class="notice notice-warn" role="status">{td_string!(l, account.recovery_used, left)}</p>
        })}
        <h3>{td_string!(l, account.authenticator_app)}</h3>
        <AppSection state=state.clone() actions />
        <h3>{td_string!(l, account.passkeys)}</h3>
        <Passkeys state=state.clone() actions />
        {any.then(|| view! {
            <h3>{td_string!(l, account.recovery_codes)}</h3>
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
        let l = use_locale();
        return view! { <p class="muted">{td_string!(l, account.app_no_key)}</p> }.into_any();
    }
    view! { <SetUp actions /> }.into_any()
}

#[component]
fn Enabled(last: bool, actions: Actions) -> impl IntoView {
    let disable_error = Signal::derive(move || actions.disable.value().get().and_then(Result::err));
    let l = use_locale();
    view! {
        {move || matches!(actions.confirm.value().get(), Some(Ok(_))).then(|| view! {
            <p class="notice notice-ok" role="status">{td_string!(l, account.now_on)}</p>
        })}
        <p>
            <span class="badge badge-active">{td_string!(l, account.on)}</span>
            {td_string!(l, account.on_text)}
        </p>
        {if last {
            view! { <p class="muted" data-testid="two-factor-required">{td_string!(l, account.stays_on)}</p> }
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
    let l = use_locale();
    view! {
        {move || match fresh_codes() {
            Some(codes) => view! { <RecoveryCodes codes /> }.into_any(),
            None => view! {
                <p class="muted" data-testid="recovery-left">{td_string!(l, account.recovery_left, left)}</p>
            }
            .into_any(),
        }}
        <ActionForm action=actions.renew attr:class="form-stack two-factor-form">
            <div class="field">
                <label for="recovery-password">{td_string!(l, account.recovery_password)}</label>
                <input id="recovery-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="recovery-password-error" required />
                <FieldError id="recovery-password-error" message=field_or_general(renew_error, "current_password") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-secondary" disabled=move || actions.renew.pending().get()>
                    {td_string!(l, account.new_recovery_codes)}
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
    let r = use_reader();
    let l = r.l();
    if !state.passkeys_available {
        return view! { <p class="muted">{td_string!(l, account.passkeys_unavailable)}</p> }.into_any();
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
            let used = key.last_used_at.map(|at| r.time(at)).unwrap_or_else(|| td_string!(l, account.never).to_owned());
            view! {
                <tr>
                    <th scope="row">{key.name.clone()}</th>
                    <td class="nowrap">{r.time(key.created_at)}</td>
                    <td class="nowrap">{used}</td>
                    <td>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=last
                            aria-label=td_string!(l, account.remove_passkey_of, name = key.name.clone())
                            on:click=move |_| removing.set(Some((id, label.clone())))
                        >
                            {td_string!(l, account.remove)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted">{td_string!(l, account.passkeys_intro)}</p>
        {move || added().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, account.passkey_added)}</p> })}
        {(!state.passkeys.is_empty()).then(|| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, account.your_passkeys)>
                <table class="data-table" data-testid="passkeys">
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, account.name)}</th>
                            <th scope="col">{td_string!(l, account.added)}</th>
                            <th scope="col">{td_string!(l, account.last_used)}</th>
                            <th scope="col"><span class="visually-hidden">{td_string!(l, account.actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {last.then(|| view! {
            <p class="muted small">{td_string!(l, account.only_factor)}</p>
        })}
        {move || removing.get().map(|(id, label)| view! {
            <ActionForm action=remove_passkey attr:class="form-stack two-factor-form">
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="passkey-remove-password">{td_string!(l, account.remove_password, name = label)}</label>
                    <input id="passkey-remove-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="passkey-remove-error" required />
                    <FieldError id="passkey-remove-error" message=field_or_general(remove_error, "current_password") />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-danger" disabled=move || remove_passkey.pending().get()>
                        {td_string!(l, account.remove_passkey)}
                    </button>
                    <button type="button" class="button button-secondary" on:click=move |_| removing.set(None)>
                        {td_string!(l, account.cancel)}
                    </button>
                </div>
            </ActionForm>
        })}
        <form class="form-stack two-factor-form" on:submit=on_add novalidate>
            <div class="field">
                <label for="passkey-name">{td_string!(l, account.passkey_name)}</label>
                <input
                    id="passkey-name"
                    type="text"
                    maxlength="50"
                    autocomplete="off"
                    placeholder=td_string!(l, account.passkey_placeholder)
                    aria-describedby="passkey-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <FieldError id="passkey-name-error" message=Signal::derive(move || server_message(add_error, "name").get().or_else(|| field_or_general(add_error, "passkey").get())) />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-secondary" disabled=move || add_passkey.pending().get()>
                    {td_string!(l, account.add_passkey)}
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn TurnOff(actions: Actions, error: Signal<Option<AppError>>) -> impl IntoView {
    let l = use_locale();
    view! {
        <ActionForm action=actions.disable attr:class="form-stack two-factor-form">
            <div class="field">
                <label for="two-factor-password">{td_string!(l, account.off_password)}</label>
                <input id="two-factor-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="two-factor-password-error" required />
                <FieldError id="two-factor-password-error" message=field_or_general(error, "current_password") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-danger" disabled=move || actions.disable.pending().get()>
                    {td_string!(l, account.turn_off)}
                </button>
            </div>
        </ActionForm>
    }
}

/// A set of recovery codes, shown once: to copy or to download.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let l = use_locale();
    let text = format!("{}\n\n{}\n", td_string!(l, account.codes_file), codes.join("\n"));
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
            <h3 id="recovery-title">{td_string!(l, account.your_codes)}</h3>
            <p>
                <strong>{td_string!(l, account.shown_once)}</strong>
                {td_string!(l, account.keep_them)}
            </p>
            <ol class="recovery-list" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <div class="field-actions">
                <button type="button" class="button button-secondary" on:click=copy>
                    {move || if copied.get() { td_string!(l, account.copied) } else { td_string!(l, account.copy) }}
                </button>
                <button type="button" class="button button-secondary" on:click=download>
                    {td_string!(l, account.download)}
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
    let l = use_locale();
    view! {
        <p class="muted">{td_string!(l, account.app_off)}</p>
        {move || general_message(begin_error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <Show
            when=move || setup().is_some()
            fallback=move || view! {
                <ActionForm action=begin>
                    <button type="submit" class="button button-primary" disabled=move || begin.pending().get()>
                        {td_string!(l, account.set_up_app)}
                    </button>
                </ActionForm>
            }
        >
            {move || setup().map(|s| view! {
                <ol class="steps">
                    <li>
                        {td_string!(l, account.scan)}
                        <div class="qr-code" role="img" aria-label=td_string!(l, account.qr_label) inner_html=s.qr_svg.clone()></div>
                    </li>
                    <li>
                        {td_string!(l, account.type_secret)}
                        <code class="secret-text" data-testid="totp-secret">{s.secret.clone()}</code>
                    </li>
                    <li>{td_string!(l, account.enter_code)}</li>
                </ol>
            })}
            <ActionForm action=confirm attr:class="form-stack">
                <div class="field">
                    <label for="two-factor-code">{td_string!(l, account.code_from_app)}</label>
                    <input id="two-factor-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="16" aria-describedby="two-factor-code-error" required />
                    <FieldError id="two-factor-code-error" message=field_or_general(confirm_error, "code") />
                </div>
                <div class="field-actions">
                    <button type="submit" class="button button-primary" disabled=move || confirm.pending().get()>
                        {td_string!(l, account.turn_on)}
                    </button>
                </div>
            </ActionForm>
        </Show>
    }
}
