use leptos::prelude::*;
use leptos_meta::Title;

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
            <p class="muted">"Staff accounts and, later, prices and billing settings."</p>
        </div>
        {with_user(|user| {
            if user.role == Role::Admin {
                view! { <StaffAccounts /> }.into_any()
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
        <section class="card card-plain" aria-labelledby="settings-later">
            <h2 id="settings-later">"Coming with billing"</h2>
            <p class="muted">
                "The option catalogue, the price list with its effective month, the billing time zone, "
                "the currency and the grace period before a month closes."
            </p>
        </section>
    }
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
