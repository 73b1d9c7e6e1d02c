//! Single sign-on with an OpenID Connect provider: the settings an admin
//! gives, and who may still sign in with a password.

use leptos::prelude::*;

use crate::api::staff::{get_single_sign_on, SaveSingleSignOn};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::{loaded, FieldError};
use crate::domain::single_sign_on::PasswordSignIn;
use crate::domain::Role;
use crate::views::staff::SingleSignOnView;

#[component]
pub fn SingleSignOnCard() -> impl IntoView {
    let save = ServerAction::<SaveSingleSignOn>::new();
    let current = data(move || save.version().get(), |_| get_single_sign_on());
    view! {
        <section class="card" aria-labelledby="sso-title">
            <h2 id="sso-title">"Single sign-on"</h2>
            {loaded(current, move |view| view! { <SsoForm view save /> })}
        </section>
    }
}

/// A text field of the form with its label, help and message.
#[component]
fn TextField(
    id: &'static str,
    /// The form's field (`form[NAME]`), as its messages name it.
    name: &'static str,
    label: &'static str,
    value: String,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] required: bool,
    maxlength: usize,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described = if help.is_some() { format!("{help_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=format!("form[{name}]")
                type=kind.unwrap_or("text")
                value=value
                autocomplete="off"
                spellcheck="false"
                maxlength=maxlength
                required=required
                aria-describedby=described
            />
            {help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
            <FieldError id=error_id message=server_message(error, name) />
        </div>
    }
}

#[component]
fn SsoForm(view: SingleSignOnView, save: ServerAction<SaveSingleSignOn>) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let general = general_message(error);
    let s = view.settings;
    let secret_help = if view.has_secret {
        "A secret is stored (it is never shown). Leave this empty to keep it."
    } else {
        "From the provider's app registration. Stored encrypted with MSP_SECRET_KEY."
    };
    let break_glass = match s.password_sign_in {
        PasswordSignIn::Everyone => None,
        PasswordSignIn::OnlyBreakGlass(id) => Some(id),
    };
    let role_choice = s.new_staff_role;
    view! {
        <p class="muted">
            "Staff sign in through your identity provider (Microsoft Entra ID, Google Workspace, Keycloak, Okta or any "
            "OpenID Connect provider). Each account is linked to the provider's person at their first sign-in: by the "
            "email an admin gave the account, or, for an allowed email domain, a new account is made. Require "
            "multi-factor authentication at the provider: sign-ins through it skip this console's own second factor."
        </p>
        {(!view.secrets_available).then(|| view! {
            <p class="notice notice-warn" role="status">
                "This server has no MSP_SECRET_KEY, so it cannot keep a client secret: set the key first (README)."
            </p>
        })}
        <div class="field">
            <span class="field-label" id="sso-redirect-label">"Redirect URI to register at the provider"</span>
            <p class="break-all"><code id="sso-redirect-uri">{view.redirect_uri.clone()}</code></p>
        </div>
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">"Single sign-on settings saved."</p> })}
        <ActionForm action=save attr:class="form-stack">
            <input type="hidden" name="version" value=view.version />
            <label class="check">
                <input type="checkbox" id="sso-enabled" name="form[enabled]" value="on" checked=s.enabled />
                <span>"Offer single sign-on on the sign-in page"</span>
            </label>
            <div class="form-grid form-grid-wide">
                <TextField id="sso-display-name" name="display_name" label="Button label: Sign in with …" value=s.display_name.clone() maxlength=40 required=true error help="e.g. Microsoft, Google, Keycloak" />
                <TextField id="sso-issuer" name="issuer_url" label="Issuer URL" value=s.issuer_url.clone() kind="url" maxlength=300 required=true error help="e.g. https://login.microsoftonline.com/<tenant id>/v2.0" />
                <TextField id="sso-client-id" name="client_id" label="Client ID" value=s.client_id.clone() maxlength=200 required=true error />
                <TextField id="sso-client-secret" name="client_secret" label="Client secret" value=String::new() kind="password" maxlength=500 error help=secret_help />
                <TextField id="sso-domains" name="allowed_domains" label="Email domains that get an account at first sign-in" value=s.allowed_domains.join(", ") maxlength=1000 error help="Comma-separated, e.g. example.com. Empty: only accounts an admin created sign in." />
                <div class="field">
                    <label for="sso-new-role">"Role of accounts made at first sign-in"</label>
                    <select id="sso-new-role" name="form[new_staff_role]" aria-describedby="sso-new-role-error">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == role_choice>{role.label()}</option>
                        }).collect_view()}
                    </select>
                    <FieldError id="sso-new-role-error" message=server_message(error, "new_staff_role") />
                </div>
            </div>
            <fieldset>
                <legend>"Role from the provider (optional)"</legend>
                <p class="help">
                    "Leave the claim empty and roles stay as admins set them here. With a claim (e.g. groups or roles), "
                    "each sign-in takes the role whose value the claim holds, the highest when several match; a person "
                    "with none of the values is refused."
                </p>
                <div class="form-grid">
                    <TextField id="sso-role-claim" name="role_claim" label="Claim" value=s.role_mapping.claim.clone() maxlength=100 error />
                    <TextField id="sso-role-admin" name="role_admin" label="Value for Admin" value=s.role_mapping.admin.clone() maxlength=100 error />
                    <TextField id="sso-role-operator" name="role_operator" label="Value for Operator" value=s.role_mapping.operator.clone() maxlength=100 error />
                    <TextField id="sso-role-viewer" name="role_viewer" label="Value for Viewer" value=s.role_mapping.viewer.clone() maxlength=100 error />
                </div>
            </fieldset>
            <div class="field">
                <label for="sso-password">"Who may sign in with a password"</label>
                <select id="sso-password" name="form[password_sign_in]" aria-describedby="sso-password-help sso-password-error">
                    <option value="everyone" selected=break_glass.is_none()>"Everyone"</option>
                    {view.admins.iter().map(|admin| view! {
                        <option value=admin.id.to_string() selected=break_glass == Some(admin.id)>
                            {format!("Only {} (break-glass admin)", admin.username)}
                        </option>
                    }).collect_view()}
                </select>
                <p class="help" id="sso-password-help">
                    "With a break-glass admin, everyone else must sign in through the provider; that admin keeps a "
                    "password (and their second factor) for when the provider is down."
                </p>
                <FieldError id="sso-password-error" message=server_message(error, "password_sign_in") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save single sign-on"
                </button>
            </div>
        </ActionForm>
    }
}
