//! Currency, billing time zone and grace period.

use leptos::prelude::*;

use crate::api::billing::SaveBillingSettings;
use crate::components::field::{general_message, server_message};
use crate::components::language::use_locale;
use crate::components::FieldError;
use crate::domain::billing_settings::{SettingsForm, MAX_GRACE_DAYS};
use crate::i18n::td_string;
use crate::views::billing::PricingPage;

#[component]
pub fn BillingSettingsCard(page: PricingPage, refresh: RwSignal<u32>) -> impl IntoView {
    let s = page.settings.clone();
    let version = s.version;
    let currency = RwSignal::new(s.currency.clone());
    let time_zone = RwSignal::new(s.time_zone.clone());
    let grace_days = RwSignal::new(s.grace_days.to_string());
    let save = ServerAction::<SaveBillingSettings>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if saved() {
            refresh.update(|n| *n += 1);
        }
    });
    let general = general_message(error);
    let zones = page.time_zones.clone();
    let locked = page.time_zone_locked;
    let l = use_locale();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SettingsForm { currency: currency.get(), time_zone: time_zone.get(), grace_days: grace_days.get() };
        save.dispatch(SaveBillingSettings { form, version });
    };
    view! {
        <section class="card" aria-labelledby="billing-settings-title">
            <h2 id="billing-settings-title">{td_string!(l, settings.billing)}</h2>
            <p class="muted">{td_string!(l, settings.billing_intro)}</p>
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            {move || {
                saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, settings.billing_saved)}</p> })
            }}
            <form class="form-grid" on:submit=on_submit novalidate>
                <div class="field">
                    <label for="billing-currency">{td_string!(l, settings.currency)}</label>
                    <input
                        id="billing-currency"
                        type="text"
                        maxlength="3"
                        autocomplete="off"
                        aria-describedby="billing-currency-help billing-currency-error"
                        prop:value=move || currency.get()
                        on:input=move |ev| currency.set(event_target_value(&ev))
                    />
                    <p class="help" id="billing-currency-help">{td_string!(l, settings.currency_help)}</p>
                    <FieldError id="billing-currency-error" message=server_message(error, "currency") />
                </div>
                <div class="field">
                    <label for="billing-time-zone">{td_string!(l, settings.time_zone)}</label>
                    <select
                        id="billing-time-zone"
                        disabled=locked
                        aria-describedby="billing-time-zone-help billing-time-zone-error"
                        on:change=move |ev| time_zone.set(event_target_value(&ev))
                    >
                        {zones
                            .into_iter()
                            .map(|z| {
                                let selected = z == s.time_zone;
                                view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                    <p class="help" id="billing-time-zone-help">
                        {if locked { td_string!(l, settings.time_zone_locked) } else { td_string!(l, settings.time_zone_open) }}
                    </p>
                    <FieldError id="billing-time-zone-error" message=server_message(error, "time_zone") />
                </div>
                <div class="field">
                    <label for="billing-grace">{td_string!(l, settings.grace)}</label>
                    <input
                        id="billing-grace"
                        type="number"
                        min="0"
                        max=MAX_GRACE_DAYS
                        aria-describedby="billing-grace-help billing-grace-error"
                        prop:value=move || grace_days.get()
                        on:input=move |ev| grace_days.set(event_target_value(&ev))
                    />
                    <p class="help" id="billing-grace-help">{td_string!(l, settings.grace_help)}</p>
                    <FieldError id="billing-grace-error" message=server_message(error, "grace_days") />
                </div>
                <div class="field field-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {td_string!(l, settings.save_billing)}
                    </button>
                </div>
            </form>
        </section>
    }
}
