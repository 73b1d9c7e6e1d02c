//! Single sign-on with an OpenID Connect provider: the settings an admin
//! gives, and who may still sign in with a password.

use leptos::prelude::*;

use crate::api::staff::{get_single_sign_on, SaveSingleSignOn};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::language::{role_name, use_locale};
use crate::components::{loaded, FieldError};
use crate::domain::single_sign_on::PasswordSignIn;
use crate::domain::Role;
use crate::i18n::td_string;
use crate::views::staff::SingleSignOnView;

#[component]
pub fn SingleSignOnCard() -> impl IntoView {
    let save = ServerAction::<SaveSingleSignOn>::new();
    let current = data(move || save.version().get(), |_| get_single_sign_on());
    let l = use_locale();
    view! {
        <section class="card" aria-labelledby="sso-title">
            <h2 id="sso-title">{td_string!(l, settings.sso)}</h2>
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
    let l = use_locale();
    let secret_help =
        if view.has_secret { td_string!(l, settings.secret_stored) } else { td_string!(l, settings.secret_new) };
    let break_glass = match s.password_sign_in {
        PasswordSignIn::Everyone => None,
        PasswordSignIn::OnlyBreakGlass(id) => Some(id),
    };
    let role_choice = s.new_staff_role;
    view! {
        <p class="muted">{td_string!(l, settings.sso_intro)}</p>
        {(!view.secrets_available).then(|| view! {
            <p class="notice notice-warn" role="status">{td_string!(l, settings.sso_no_key)}</p>
        })}
        <div class="field">
            <span class="field-label" id="sso-redirect-label">{td_string!(l, settings.redirect_uri)}</span>
            <p class="break-all"><code id="sso-redirect-uri">{view.redirect_uri.clone()}</code></p>
        </div>
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, settings.sso_saved)}</p> })}
        <ActionForm action=save attr:class="form-stack">
            <input type="hidden" name="version" value=view.version />
            <label class="check">
                <input type="checkbox" id="sso-enabled" name="form[enabled]" value="on" checked=s.enabled />
                <span>{td_string!(l, settings.sso_offer)}</span>
            </label>
            <div class="form-grid form-grid-wide">
                <TextField id="sso-display-name" name="display_name" label=td_string!(l, settings.button_label) value=s.display_name.clone() maxlength=40 required=true error help=td_string!(l, settings.button_label_help) />
                <TextField id="sso-issuer" name="issuer_url" label=td_string!(l, settings.issuer) value=s.issuer_url.clone() kind="url" maxlength=300 required=true error help=td_string!(l, settings.issuer_help) />
                <TextField id="sso-client-id" name="client_id" label=td_string!(l, settings.client_id) value=s.client_id.clone() maxlength=200 required=true error />
                <TextField id="sso-client-secret" name="client_secret" label=td_string!(l, settings.client_secret) value=String::new() kind="password" maxlength=500 error help=secret_help />
                <TextField id="sso-domains" name="allowed_domains" label=td_string!(l, settings.domains) value=s.allowed_domains.join(", ") maxlength=1000 error help=td_string!(l, settings.domains_help) />
                <div class="field">
                    <label for="sso-new-role">{td_string!(l, settings.new_role)}</label>
                    <select id="sso-new-role" name="form[new_staff_role]" aria-describedby="sso-new-role-error">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == role_choice>{role_name(role, l)}</option>
                        }).collect_view()}
                    </select>
                    <FieldError id="sso-new-role-error" message=server_message(error, "new_staff_role") />
                </div>
            </div>
            <fieldset>
                <legend>{td_string!(l, settings.role_from_provider)}</legend>
                <p class="help">{td_string!(l, settings.role_claim_help)}</p>
                <div class="form-grid">
                    <TextField id="sso-role-claim" name="role_claim" label=td_string!(l, settings.claim) value=s.role_mapping.claim.clone() maxlength=100 error />
                    <TextField id="sso-role-admin" name="role_admin" label=td_string!(l, settings.value_admin) value=s.role_mapping.admin.clone() maxlength=100 error />
                    <TextField id="sso-role-operator" name="role_operator" label=td_string!(l, settings.value_operator) value=s.role_mapping.operator.clone() maxlength=100 error />
                    <TextField id="sso-role-viewer" name="role_viewer" label=td_string!(l, settings.value_viewer) value=s.role_mapping.viewer.clone() maxlength=100 error />
                </div>
            </fieldset>
            <div class="field">
                <label for="sso-password">{td_string!(l, settings.password_who)}</label>
                <select id="sso-password" name="form[password_sign_in]" aria-describedby="sso-password-help sso-password-error">
                    <option value="everyone" selected=break_glass.is_none()>{td_string!(l, settings.password_everyone)}</option>
                    {view.admins.iter().map(|admin| view! {
                        <option value=admin.id.to_string() selected=break_glass == Some(admin.id)>
                            {td_string!(l, settings.password_only, name = admin.username.clone())}
                        </option>
                    }).collect_view()}
                </select>
                <p class="help" id="sso-password-help">{td_string!(l, settings.password_help)}</p>
                <FieldError id="sso-password-error" message=server_message(error, "password_sign_in") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, settings.save_sso)}
                </button>
            </div>
        </ActionForm>
    }
}
