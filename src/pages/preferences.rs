//! The account page's language and time zone: saved, they take effect at
//! once (the page is drawn again by the server, in the new language).

use leptos::prelude::*;

use crate::api::session::{my_preferences, SetMyPreferences};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::language::use_locale;
use crate::components::{loaded, FieldError};
use crate::domain::locale::Language;
use crate::i18n::{td_string, Locale};
use crate::views::session::AccountPreferences;

#[component]
pub fn PreferencesCard() -> impl IntoView {
    let preferences = data(|| (), |_| my_preferences());
    let l = use_locale();
    view! {
        <section class="card narrow-card" aria-labelledby="preferences-title">
            <h2 id="preferences-title">{td_string!(l, account.preferences_title)}</h2>
            <p class="muted">{td_string!(l, account.preferences_intro)}</p>
            {loaded(preferences, move |p| view! { <PreferencesForm preferences=p l=l /> })}
        </section>
    }
}

#[component]
fn PreferencesForm(preferences: AccountPreferences, l: Locale) -> impl IntoView {
    let save = ServerAction::<SetMyPreferences>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    // Drawn again by the server: every word and time in the new choice.
    Effect::new(move |_| {
        if saved() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    let chosen_language = preferences.language.map(Language::code).unwrap_or_default();
    let chosen_zone = preferences.time_zone.clone().unwrap_or_default();
    let billing_zone = td_string!(l, account.time_zone_billing, zone = preferences.billing_time_zone.clone());
    view! {
        {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, account.preferences_saved)}</p> })}
        <ActionForm action=save attr:class="form-stack">
            <div class="field">
                <label for="preferences-language">{td_string!(l, account.language_label)}</label>
                <select id="preferences-language" name="language" aria-describedby="preferences-language-error">
                    <option value="" selected=chosen_language.is_empty()>{td_string!(l, account.language_browser)}</option>
                    {Language::ALL
                        .into_iter()
                        .map(|language| {
                            let code = language.code();
                            view! {
                                <option value=code selected=code == chosen_language lang=code>{language.name()}</option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldError id="preferences-language-error" message=server_message(error, "language") />
            </div>
            <div class="field">
                <label for="preferences-time-zone">{td_string!(l, account.time_zone_label)}</label>
                <select id="preferences-time-zone" name="time_zone" aria-describedby="preferences-time-zone-error">
                    <option value="" selected=chosen_zone.is_empty()>{billing_zone}</option>
                    {preferences
                        .time_zones
                        .into_iter()
                        .map(|zone| {
                            let selected = zone == chosen_zone;
                            view! { <option value=zone.clone() selected=selected>{zone.clone()}</option> }
                        })
                        .collect_view()}
                </select>
                <FieldError id="preferences-time-zone-error" message=server_message(error, "time_zone") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, account.save_preferences)}
                </button>
            </div>
        </ActionForm>
    }
}
