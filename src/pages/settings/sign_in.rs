//! The sign-in policy: who must sign in with a second factor.

use leptos::prelude::*;

use crate::api::staff::{get_sign_in_policy, SaveSignInPolicy};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::session::UserResource;
use crate::components::{loaded, FieldError};
use crate::domain::sign_in_policy::TwoFactorRule;
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
    view! {
        <section class="card" aria-labelledby="sign-in-policy-title">
            <h2 id="sign-in-policy-title">"Sign-in"</h2>
            {loaded(policy, move |p| view! { <PolicyForm policy=p save /> })}
        </section>
    }
}

/// What each choice means for the people it covers.
fn help(rule: TwoFactorRule) -> &'static str {
    match rule {
        TwoFactorRule::Nobody => "Each person decides on their own account page.",
        TwoFactorRule::Admins => "Admins without an authenticator app set it up at their next sign-in.",
        TwoFactorRule::Everyone => "Everyone without an authenticator app sets it up at their next sign-in.",
    }
}

#[component]
fn PolicyForm(policy: SignInPolicy, save: ServerAction<SaveSignInPolicy>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let general = general_message(error);
    let current = policy.require_two_factor;
    view! {
        <p class="muted">
            "Two-factor sign-in asks for a code from an authenticator app after the password. Staff it is "
            "required of who have none are sent to set it up after their password and can open nothing else "
            "until they have."
        </p>
        {(!policy.factors_available).then(|| view! {
            <p class="notice notice-warn" role="status">
                "This server has no MSP_SECRET_KEY, so nobody can set up an authenticator app, and two-factor "
                "sign-in cannot be required. The README says how to set the key."
            </p>
        })}
        {(policy.factors_available && !policy.yours_is_set_up).then(|| view! {
            <p class="help">
                "You have no second factor yet: if the rule you save includes admins, you set one up right after "
                "saving."
            </p>
        })}
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">"Sign-in policy saved."</p> })}
        <ActionForm action=save attr:class="form-stack">
            <input type="hidden" name="version" value=policy.version />
            <fieldset class="choice-list" aria-describedby="require-two-factor-error">
                <legend>"Require two-factor sign-in for"</legend>
                {TwoFactorRule::ALL
                    .into_iter()
                    .map(|rule| {
                        let id = format!("require-two-factor-{}", rule.as_str());
                        let help_id = format!("{id}-help");
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
                                <label for=id>{rule.label()}</label>
                                <p class="help" id=help_id>{help(rule)}</p>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <FieldError id="require-two-factor-error" message=server_message(error, "require_two_factor") />
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save sign-in policy"
                </button>
            </div>
        </ActionForm>
    }
}
