//! Settings (admin): billing settings, prices, sell prices, the option
//! catalogue, the DATEV export, the sign-in policy and staff accounts.

mod billing;
mod catalogue;
mod datev;
mod prices;
mod sell_prices;
mod sign_in;
mod single_sign_on;
mod staff;

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing::get_pricing;
use crate::components::language::{role_name, use_locale};
use crate::components::loaded;
use crate::components::session::with_user;
use crate::domain::Role;
use crate::i18n::td_string;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let l = use_locale();
    view! {
        <Title text=td_string!(l, settings.title) />
        <div class="page-header">
            <h1>{td_string!(l, settings.title)}</h1>
            <p class="muted">{td_string!(l, settings.intro)}</p>
        </div>
        {with_user(move |user| {
            if user.role == Role::Admin {
                view! {
                    <section class="card card-plain" aria-labelledby="alerts-link-title">
                        <h2 id="alerts-link-title">{td_string!(l, settings.alerts_title)}</h2>
                        <p class="muted">{td_string!(l, settings.alerts_text)}</p>
                        <a class="button button-secondary" href="/settings/alerts">{td_string!(l, settings.alerts_open)}</a>
                    </section>
                    <BillingSections />
                    <datev::DatevCard />
                    <sign_in::SignInPolicyCard />
                    <single_sign_on::SingleSignOnCard />
                    <staff::StaffAccounts me=user.id />
                }
                .into_any()
            } else {
                view! {
                    <section class="card card-plain">
                        <h2>{td_string!(l, settings.admins_only)}</h2>
                        <p class="muted">
                            {td_string!(l, settings.admins_only_text, name = user.username, role = role_name(user.role, l))}
                        </p>
                    </section>
                }
                    .into_any()
            }
        })}
    }
}

/// The billing settings, prices and catalogue, loaded once and again after
/// every change made in any of them.
#[component]
fn BillingSections() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let pricing = data(move || refresh.get(), |_| get_pricing());
    loaded(pricing, move |page| {
        view! {
            <billing::BillingSettingsCard page=page.clone() refresh />
            <prices::PricesCard page=page.clone() refresh />
            <sell_prices::SellPricesCard page=page.clone() refresh />
            <catalogue::CatalogueCard page refresh />
        }
    })
}
