//! Settings (admin): billing settings, prices, the option catalogue, the
//! sign-in policy and staff accounts.

mod billing;
mod catalogue;
mod prices;
mod sign_in;
mod single_sign_on;
mod staff;

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing::get_pricing;
use crate::components::loaded;
use crate::components::session::with_user;
use crate::domain::Role;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <div class="page-header">
            <h1>"Settings"</h1>
            <p class="muted">"Billing settings, prices, the option catalogue, sign-in and staff accounts."</p>
        </div>
        {with_user(|user| {
            if user.role == Role::Admin {
                view! {
                    <BillingSections />
                    <sign_in::SignInPolicyCard />
                    <single_sign_on::SingleSignOnCard />
                    <staff::StaffAccounts me=user.id />
                }
                .into_any()
            } else {
                view! {
                    <section class="card card-plain">
                        <h2>"Admins only"</h2>
                        <p class="muted">
                            {format!(
                                "You are signed in as {} ({}). Only admins can see and change settings and staff accounts.",
                                user.username,
                                user.role.label(),
                            )}
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
            <catalogue::CatalogueCard page refresh />
        }
    })
}
