//! "Your password": every signed-in user changes their own (after an
//! admin's reset it is the only page open until they have), and sees where
//! they are signed in.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::ChangeOwnPassword;
use crate::components::field::{general_message, server_message};
use crate::components::language::use_locale;
use crate::components::session::{with_user, UserResource};
use crate::components::FieldError;
use crate::i18n::td_string;
use crate::pages::access_tokens::AccessTokensCard;
use crate::pages::alerts::AlertMailsCard;
use crate::pages::preferences::PreferencesCard;
use crate::pages::sessions::MySessions;
use crate::pages::two_factor::TwoFactorCard;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangeOwnPassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    // The layout's notice about a reset password goes once it is changed.
    let UserResource(user) = expect_context::<UserResource>();
    Effect::new(move |_| {
        if changed() {
            user.refetch();
        }
    });
    let l = use_locale();
    view! {
        <Title text=td_string!(l, account.page_title) />
        <div class="page-header">
            <h1>{td_string!(l, account.page_title)}</h1>
        </div>
        <PreferencesCard />
        <section class="card narrow-card" aria-labelledby="password-title">
            {with_user(move |user| {
                let username = user.username.clone();
                view! {
                    <h2 id="password-title">{td_string!(l, account.change_title, name = user.username.clone())}</h2>
                    <p class="muted">{td_string!(l, account.password_rules)}</p>
                    {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
                    {move || changed().then(|| view! {
                        <p class="notice notice-ok" role="status">
                            {td_string!(l, account.password_changed)}
                            <a href="/">{td_string!(l, account.continue_to_status)}</a>
                        </p>
                    })}
                    <ActionForm action=change attr:class="form-stack">
                        // For password managers: which account this password belongs to.
                        <input type="text" name="username" autocomplete="username" hidden prop:value=username.clone() readonly />
                        <div class="field">
                            <label for="current-password">{td_string!(l, account.current_password)}</label>
                            <input id="current-password" name="current_password" type="password" autocomplete="current-password" aria-describedby="current-password-error" required />
                            <FieldError id="current-password-error" message=server_message(error, "current_password") />
                        </div>
                        <div class="field">
                            <label for="new-password">{td_string!(l, account.new_password)}</label>
                            <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength="12" aria-describedby="new-password-error" required />
                            <FieldError id="new-password-error" message=server_message(error, "new_password") />
                        </div>
                        <div class="field">
                            <label for="repeat-password">{td_string!(l, account.repeat_password)}</label>
                            <input id="repeat-password" name="repeat_password" type="password" autocomplete="new-password" minlength="12" aria-describedby="repeat-password-error" required />
                            <FieldError id="repeat-password-error" message=server_message(error, "repeat_password") />
                        </div>
                        <div class="field-actions">
                            <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                                {td_string!(l, account.change_password)}
                            </button>
                        </div>
                    </ActionForm>
                }
            })}
        </section>
        <TwoFactorCard />
        <MySessions />
        <AlertMailsCard />
        <AccessTokensCard />
    }
}
