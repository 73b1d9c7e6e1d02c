//! Settings (admin): billing settings, prices, the option catalogue and
//! staff accounts.

mod billing;
mod catalogue;
mod prices;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::billing::get_pricing;

use crate::api::staff::{list_staff, CreateStaff};
use crate::app::with_user;
use crate::components::field::server_message;
use crate::components::{format, loaded, FieldError};
use crate::domain::Role;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <div class="page-header">
            <h1>"Settings"</h1>
            <p class="muted">"Billing settings, prices, the option catalogue and staff accounts."</p>
        </div>
        {with_user(|user| {
            if user.role == Role::Admin {
                view! {
                    <BillingSections />
                    <StaffAccounts />
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
    let pricing = Resource::new(move || refresh.get(), |_| get_pricing());
    loaded(pricing, move |page| {
        view! {
            <billing::BillingSettingsCard page=page.clone() refresh />
            <prices::PricesCard page=page.clone() refresh />
            <catalogue::CatalogueCard page refresh />
        }
    })
}

#[component]
fn StaffAccounts() -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let staff = Resource::new(move || create.version().get(), |_| list_staff());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || matches!(create.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="staff-title">
            <h2 id="staff-title">"Staff accounts"</h2>
            {loaded(staff, |rows| view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Staff accounts"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"User name"</th>
                                                <th scope="col">"Role"</th>
                                                <th scope="col">"State"</th>
                                                <th scope="col">"Created"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|m| view! {
                                                    <tr>
                                                        <td>{m.username}</td>
                                                        <td>
                                                            <span class=format!("role-badge role-{}", m.role.as_str())>
                                                                {m.role.label()}
                                                            </span>
                                                        </td>
                                                        <td>{if m.disabled { "Disabled" } else { "Active" }}</td>
                                                        <td class="nowrap">{format::timestamp(m.created_at)}</td>
                                                    </tr>
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            })}

            <h3>"Add a staff account"</h3>
            {move || {
                error
                    .get()
                    .filter(|e| !matches!(e, crate::error::AppError::Invalid(_)))
                    .map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })
            }}
            {move || created().then(|| view! { <p class="notice notice-ok" role="status">"The account was created."</p> })}
            <ActionForm action=create attr:class="form-grid">
                <div class="field">
                    <label for="staff-username">"User name"</label>
                    <input id="staff-username" name="username" type="text" autocomplete="off" aria-describedby="staff-username-error" required />
                    <FieldError id="staff-username-error" message=server_message(error, "username") />
                </div>
                <div class="field">
                    <label for="staff-role">"Role"</label>
                    <select id="staff-role" name="role" aria-describedby="staff-role-help">
                        <option value="viewer">"Viewer: read and export"</option>
                        <option value="operator">"Operator: manage customers"</option>
                        <option value="admin">"Admin: everything"</option>
                    </select>
                    <FieldError id="staff-role-help" message=server_message(error, "role") />
                </div>
                <div class="field">
                    <label for="staff-password">"Initial password"</label>
                    <input id="staff-password" name="password" type="password" autocomplete="new-password" aria-describedby="staff-password-error" required minlength="12" />
                    <FieldError id="staff-password-error" message=server_message(error, "password") />
                </div>
                <div class="field field-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        "Add account"
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
