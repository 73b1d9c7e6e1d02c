//! The sign-in policy: who must sign in with a second factor.

use leptos::prelude::*;

use crate::api::staff::{get_sign_in_policy, SaveSignInPolicy};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::language::use_locale;
use crate::components::session::UserResource;
use crate::components::{loaded, FieldError};
use crate::domain::sign_in_policy::TwoFactorRule;
use crate::i18n::{td_string, Locale};
use crate::views::staff::SignInPolicy;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPolicyCard() -> impl IntoView {
    let save = ServerAction::<SaveSignInPolicy>::new();
    let policy = data(move || save.version().get(), |_| get_sign_in_policy());
    // Required of the admin who saved it, who has no factor: their account
    // page is all they may open now, so go there (the layout's notice
    // follows the refetched user).
    let navigate = use_navigate();
    let user = use_context::<UserResource>();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(true))) {
            if let Some(UserResource(user)) = user {
                user.refetch();
            }
            navigate("/password", Default::default());
        }
    });
    let l = use_locale();
    view! {
        <section class="card" aria-labelledby="sign-in-policy-title">
            <h2 id="sign-in-policy-title">{td_string!(l, settings.sign_in)}</h2>
            {loaded(policy, move |p| view! { <PolicyForm policy=p save /> })}
        </section>
    }
}

/// Each choice's name and what it means for the people it covers.
fn words(rule: TwoFactorRule, l: Locale) -> (&'static str, &'static str) {
    match rule {
        TwoFactorRule::Nobody => (td_string!(l, settings.rule_nobody), td_string!(l, settings.help_nobody)),
        TwoFactorRule::Admins => (td_string!(l, settings.rule_admins), td_string!(l, settings.help_admins)),
        TwoFactorRule::Everyone => (td_string!(l, settings.rule_everyone), td_string!(l, settings.help_everyone)),
    }
}

#[component]
fn PolicyForm(policy: SignInPolicy, save: ServerAction<SaveSignInPolicy>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let general = general_message(error);
    let current = policy.require_two_factor;
    let l = use_locale();
    view! {
        <p class="muted">{td_string!(l, settings.policy_intro)}</p>
        {(!policy.factors_available).then(|| view! {
            <p class="notice notice-warn" role="status">{td_string!(l, settings.no_secret_key)}</p>
        })}
        {(policy.factors_available && !policy.yours_is_set_up).then(|| view! {
            <p class="help">{td_string!(l, settings.no_factor_yet)}</p>
        })}
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, settings.policy_saved)}</p> })}
        <ActionForm action=save attr:class="form-stack">
            <input type="hidden" name="version" value=policy.version />
            <fieldset class="choice-list" aria-describedby="require-two-factor-error">
                <legend>{td_string!(l, settings.require_for)}</legend>
                {TwoFactorRule::ALL
                    .into_iter()
                    .map(|rule| {
                        let id = format!("require-two-factor-{}", rule.as_str());
                        let help_id = format!("{id}-help");
                        let (name, help) = words(rule, l);
                        view! {
                            <div class="choice">
                                <input
                                    type="radio"
                                    id=id.clone()
                                    name="require_two_factor"
                                    value=rule.as_str()
                                    checked=rule == current
                                    aria-describedby=help_id.clone()
                                />
                                <label for=id>{name}</label>
                                <p class="help" id=help_id>{help}</p>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <FieldError id="require-two-factor-error" message=server_message(error, "require_two_factor") />
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, settings.save_policy)}
                </button>
            </div>
        </ActionForm>
    }
}
