//! Staff accounts (admins): add one, change a role, disable or enable an
//! account, set a temporary password.

use crate::components::data::data;
use leptos::prelude::*;

use crate::api::staff::{
    list_staff, ChangeStaffRole, CreateStaff, EndStaffSessions, ResetStaffPassword, ResetStaffTwoFactor,
    SetStaffDisabled, SetStaffSsoEmail,
};
use crate::components::audit::LocalTime;
use crate::components::field::{general_message, server_message};
use crate::components::language::{role_name, use_locale};
use crate::components::{loaded, Dialog, FieldError};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{td_string, Locale};
use crate::views::staff::StaffMember;

/// Each role with what it may do, as the role pickers offer them.
fn roles(l: Locale) -> [(Role, &'static str); 3] {
    [
        (Role::Viewer, td_string!(l, settings.role_viewer_help)),
        (Role::Operator, td_string!(l, settings.role_operator_help)),
        (Role::Admin, td_string!(l, settings.role_admin_help)),
    ]
}

/// The error of an action's last answer (`value` reads the answer).
fn error_of(value: impl Fn() -> Option<Result<(), AppError>> + Send + Sync + 'static) -> Signal<Option<AppError>> {
    Signal::derive(move || value().and_then(Result::err))
}

fn role_options(selected: impl Fn() -> Option<Role> + Copy + Send + Sync + 'static, l: Locale) -> impl IntoView {
    roles(l)
        .into_iter()
        .map(|(role, label)| view! { <option value=role.as_str() prop:selected=move || selected() == Some(role)>{label}</option> })
        .collect_view()
}

#[component]
pub fn StaffAccounts(
    /// The signed-in admin's own account id.
    me: i64,
) -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let change_role = ServerAction::<ChangeStaffRole>::new();
    let set_disabled = ServerAction::<SetStaffDisabled>::new();
    let reset = ServerAction::<ResetStaffPassword>::new();
    let end_sessions = ServerAction::<EndStaffSessions>::new();
    let reset_two_factor = ServerAction::<ResetStaffTwoFactor>::new();
    let set_sso_email = ServerAction::<SetStaffSsoEmail>::new();
    let staff = data(
        move || {
            let versions = (create.version().get(), change_role.version().get(), set_disabled.version().get());
            (versions, reset.version().get(), set_sso_email.version().get())
        },
        |_| list_staff(),
    );
    let managed = RwSignal::new(None::<StaffMember>);
    let l = use_locale();
    let dialog_open = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);

    // The role picked in the dialog (an action's input is gone once it
    // has answered).
    let chosen_role = RwSignal::new(None::<Role>);
    // A change that worked closes the dialog and says what happened.
    let done = move |message: String| {
        dialog_open.set(false);
        notice.set(Some(message));
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = change_role.value().get() {
            let name = managed.get_untracked().map(|m| m.username).unwrap_or_default();
            done(match chosen_role.get_untracked() {
                Some(Role::Admin) => td_string!(l, settings.now_admin, name),
                Some(Role::Operator) => td_string!(l, settings.now_operator, name),
                _ => td_string!(l, settings.now_viewer, name),
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = set_disabled.value().get() {
            // The dialog offered the opposite of the account's state then.
            let Some(member) = managed.get_untracked() else { return };
            let name = member.username;
            done(if !member.disabled {
                td_string!(l, settings.disabled_done, name)
            } else {
                td_string!(l, settings.enabled_done, name)
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = reset.value().get() {
            let name = managed.get_untracked().map(|m| m.username).unwrap_or_default();
            done(td_string!(l, settings.reset_done, name));
        }
    });

    Effect::new(move |_| {
        if let Some(Ok(ended)) = end_sessions.value().get() {
            let name = managed.get_untracked().map(|m| m.username).unwrap_or_default();
            done(match ended {
                0 => td_string!(l, settings.no_session, name),
                1 => td_string!(l, settings.one_session_ended, name),
                count => td_string!(l, settings.sessions_ended, name, count),
            });
        }
    });

    Effect::new(move |_| {
        if let Some(Ok(())) = reset_two_factor.value().get() {
            let name = managed.get_untracked().map(|m| m.username).unwrap_or_default();
            done(td_string!(l, settings.two_factor_reset_done, name));
        }
    });

    Effect::new(move |_| {
        if let Some(Ok(())) = set_sso_email.value().get() {
            let name = managed.get_untracked().map(|m| m.username).unwrap_or_default();
            done(td_string!(l, settings.sso_email_saved, name));
        }
    });

    let open_for = move |member: StaffMember| {
        set_sso_email.clear();
        reset_two_factor.clear();
        end_sessions.clear();
        change_role.clear();
        set_disabled.clear();
        reset.clear();
        notice.set(None);
        chosen_role.set(Some(member.role));
        managed.set(Some(member));
        dialog_open.set(true);
    };

    view! {
        <section class="card" aria-labelledby="staff-title">
            <h2 id="staff-title">{td_string!(l, settings.staff)}</h2>
            <p class="muted">{td_string!(l, settings.staff_intro)}</p>
            {move || notice.get().map(|m| view! { <p class="notice notice-ok" role="status">{m}</p> })}
            {loaded(staff, move |rows| view! { <StaffTable rows me open_for /> })}
            <ManageDialog open=dialog_open managed chosen_role me change_role set_disabled reset end_sessions reset_two_factor set_sso_email />
            <CreateForm create />
        </section>
    }
}

/// How an account is tied to single sign-on, under its user name.
fn sso_note(m: &StaffMember, l: Locale) -> Option<String> {
    match (&m.sso_email, m.sso_linked) {
        (_, true) => Some(td_string!(l, settings.sso_linked).to_owned()),
        (Some(email), false) => Some(td_string!(l, settings.sso_pending, email = email.clone())),
        (None, false) => None,
    }
}

#[component]
fn StaffTable(
    rows: Vec<StaffMember>,
    me: i64,
    open_for: impl Fn(StaffMember) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let l = use_locale();
    let body = rows
        .into_iter()
        .map(|m| {
            let state = match (m.disabled, m.must_change_password) {
                (true, _) => (td_string!(l, settings.state_disabled), "badge badge-deactivated"),
                (false, true) => (td_string!(l, settings.state_must_change), "badge badge-pending"),
                (false, false) => (td_string!(l, settings.state_active), "badge badge-active"),
            };
            let label = td_string!(l, settings.manage_member, name = m.username.clone());
            let member = m.clone();
            view! {
                <tr data-staff=m.username.clone()>
                    <td class="nowrap">
                        {m.username.clone()}
                        {(m.id == me).then(|| view! { <span class="muted small">{td_string!(l, settings.you)}</span> })}
                        {sso_note(&m, l).map(|note| view! { <span class="muted small cell-note">{note}</span> })}
                    </td>
                    <td>
                        <span class=format!("role-badge role-{}", m.role.as_str())>{role_name(m.role, l)}</span>
                    </td>
                    <td><span class=state.1>{state.0}</span></td>
                    <td class="nowrap hide-narrow">
                        {match m.last_sign_in {
                            Some(at) => view! { <LocalTime at /> }.into_any(),
                            None => view! { <span class="muted">{td_string!(l, settings.never)}</span> }.into_any(),
                        }}
                    </td>
                    <td class="nowrap hide-narrow"><LocalTime at=m.created_at /></td>
                    <td class="actions">
                        <button type="button" class="button button-secondary button-small" aria-label=label on:click=move |_| open_for(member.clone())>
                            {td_string!(l, settings.manage)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, settings.staff_table)>
            <table class="data-table staff-table">
                <caption class="visually-hidden">{td_string!(l, settings.staff)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, settings.username)}</th>
                        <th scope="col">{td_string!(l, settings.role)}</th>
                        <th scope="col">{td_string!(l, settings.state)}</th>
                        <th scope="col" class="hide-narrow">{td_string!(l, settings.last_sign_in)}</th>
                        <th scope="col" class="hide-narrow">{td_string!(l, settings.created)}</th>
                        <th scope="col"><span class="visually-hidden">{td_string!(l, settings.actions)}</span></th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
fn ManageDialog(
    open: RwSignal<bool>,
    managed: RwSignal<Option<StaffMember>>,
    chosen_role: RwSignal<Option<Role>>,
    me: i64,
    change_role: ServerAction<ChangeStaffRole>,
    set_disabled: ServerAction<SetStaffDisabled>,
    reset: ServerAction<ResetStaffPassword>,
    end_sessions: ServerAction<EndStaffSessions>,
    reset_two_factor: ServerAction<ResetStaffTwoFactor>,
    set_sso_email: ServerAction<SetStaffSsoEmail>,
) -> impl IntoView {
    let two_factor_error = error_of(move || reset_two_factor.value().get());
    let sso_error = error_of(move || set_sso_email.value().get());
    let sso_email = move || managed.get().and_then(|m| m.sso_email).unwrap_or_default();
    let role_error = error_of(move || change_role.value().get());
    let sessions_error = error_of(move || end_sessions.value().get().map(|r| r.map(|_| ())));
    let disable_error = error_of(move || set_disabled.value().get());
    let reset_error = error_of(move || reset.value().get());
    let id = move || managed.get().map(|m| m.id.to_string()).unwrap_or_default();
    let name = move || managed.get().map(|m| m.username).unwrap_or_default();
    let is_me = move || managed.get().is_some_and(|m| m.id == me);
    let disabled = move || managed.get().is_some_and(|m| m.disabled);
    let current_role = move || managed.get().map(|m| m.role);
    let l = use_locale();
    view! {
        <Dialog open labelled_by="manage-staff-title">
            <h2 id="manage-staff-title">{move || td_string!(l, settings.manage_member, name = name())}</h2>

            <ActionForm action=change_role attr:class="dialog-section">
                <input type="hidden" name="id" prop:value=id />
                <div class="field">
                    <label for="manage-role">{td_string!(l, settings.role)}</label>
                    <select
                        id="manage-role"
                        name="role"
                        aria-describedby="manage-role-error"
                        on:change=move |ev| chosen_role.set(Role::parse(&event_target_value(&ev)).ok())
                    >
                        {role_options(current_role, l)}
                    </select>
                    <FieldError id="manage-role-error" message=general_message(role_error) />
                </div>
                <button type="submit" class="button button-primary" disabled=move || change_role.pending().get()>
                    {td_string!(l, settings.change_role)}
                </button>
            </ActionForm>

            <ActionForm action=set_sso_email attr:class="dialog-section">
                <input type="hidden" name="id" prop:value=id />
                <div class="field">
                    <label for="manage-sso-email">{td_string!(l, settings.sso_email)}</label>
                    <input
                        id="manage-sso-email"
                        name="sso_email"
                        type="email"
                        autocomplete="off"
                        maxlength="254"
                        prop:value=sso_email
                        aria-describedby="manage-sso-email-help manage-sso-email-error"
                    />
                    <p id="manage-sso-email-help" class="muted small">{td_string!(l, settings.sso_email_help)}</p>
                    <FieldError id="manage-sso-email-error" message=Signal::derive(move || {
                        server_message(sso_error, "sso_email").get().or_else(|| general_message(sso_error).get())
                    }) />
                </div>
                <button type="submit" class="button button-secondary" disabled=move || set_sso_email.pending().get()>
                    {td_string!(l, settings.save_email)}
                </button>
            </ActionForm>

            <Show
                when=move || !is_me()
                fallback=move || view! { <p class="muted dialog-section">{td_string!(l, settings.own_account)}</p> }
            >
                <ActionForm action=reset attr:class="dialog-section">
                    <input type="hidden" name="id" prop:value=id />
                    <div class="field">
                        <label for="reset-password">{td_string!(l, settings.temporary_password)}</label>
                        <input
                            id="reset-password"
                            name="password"
                            type="password"
                            autocomplete="new-password"
                            minlength="12"
                            required
                            aria-describedby="reset-password-help reset-password-error"
                        />
                        <p id="reset-password-help" class="muted small">{td_string!(l, settings.temporary_password_help)}</p>
                        <FieldError id="reset-password-error" message=Signal::derive(move || {
                            server_message(reset_error, "password").get().or_else(|| general_message(reset_error).get())
                        }) />
                    </div>
                    <button type="submit" class="button button-secondary" disabled=move || reset.pending().get()>
                        {td_string!(l, settings.reset_password)}
                    </button>
                </ActionForm>

                <ActionForm action=end_sessions attr:class="dialog-section">
                    <input type="hidden" name="id" prop:value=id />
                    <p class="muted small">{td_string!(l, settings.end_sessions_help)}</p>
                    <FieldError id="manage-sessions-error" message=general_message(sessions_error) />
                    <button type="submit" class="button button-secondary" disabled=move || end_sessions.pending().get()>
                        {td_string!(l, settings.end_sessions)}
                    </button>
                </ActionForm>

                <ActionForm action=reset_two_factor attr:class="dialog-section">
                    <input type="hidden" name="id" prop:value=id />
                    <p class="muted small">{td_string!(l, settings.reset_two_factor_help)}</p>
                    <FieldError id="manage-two-factor-error" message=general_message(two_factor_error) />
                    <button type="submit" class="button button-secondary" disabled=move || reset_two_factor.pending().get()>
                        {td_string!(l, settings.reset_two_factor)}
                    </button>
                </ActionForm>

                <ActionForm action=set_disabled attr:class="dialog-section">
                    <input type="hidden" name="id" prop:value=id />
                    <input type="hidden" name="disabled" prop:value=move || (!disabled()).to_string() />
                    <p class="muted small">
                        {move || if disabled() { td_string!(l, settings.enable_help) } else { td_string!(l, settings.disable_help) }}
                    </p>
                    <FieldError id="manage-disable-error" message=general_message(disable_error) />
                    <button
                        type="submit"
                        class=move || if disabled() { "button button-secondary" } else { "button button-danger" }
                        disabled=move || set_disabled.pending().get()
                    >
                        {move || if disabled() { td_string!(l, settings.enable_account) } else { td_string!(l, settings.disable_account) }}
                    </button>
                </ActionForm>
            </Show>

            <div class="dialog-actions">
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>
                    {td_string!(l, settings.close)}
                </button>
            </div>
        </Dialog>
    }
}

#[component]
fn CreateForm(create: ServerAction<CreateStaff>) -> impl IntoView {
    let error = error_of(move || create.value().get());
    let created = move || matches!(create.value().get(), Some(Ok(())));
    let l = use_locale();
    view! {
        <h3>{td_string!(l, settings.add_staff)}</h3>
        {move || {
            general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })
        }}
        {move || created().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, settings.account_created)}</p> })}
        <ActionForm action=create attr:class="form-grid">
            <div class="field">
                <label for="staff-username">{td_string!(l, settings.username)}</label>
                <input id="staff-username" name="username" type="text" autocomplete="off" aria-describedby="staff-username-error" required />
                <FieldError id="staff-username-error" message=server_message(error, "username") />
            </div>
            <div class="field">
                <label for="staff-role">{td_string!(l, settings.role)}</label>
                <select id="staff-role" name="role" aria-describedby="staff-role-error">
                    {role_options(|| Some(Role::Viewer), l)}
                </select>
                <FieldError id="staff-role-error" message=server_message(error, "role") />
            </div>
            <div class="field">
                <label for="staff-password">{td_string!(l, settings.initial_password)}</label>
                <input id="staff-password" name="password" type="password" autocomplete="new-password" aria-describedby="staff-password-error" required minlength="12" />
                <FieldError id="staff-password-error" message=server_message(error, "password") />
            </div>
            <div class="field">
                <label for="staff-sso-email">{td_string!(l, settings.sso_email_optional)}</label>
                <input id="staff-sso-email" name="sso_email" type="email" autocomplete="off" maxlength="254" aria-describedby="staff-sso-email-help staff-sso-email-error" />
                <p class="help" id="staff-sso-email-help">{td_string!(l, settings.sso_email_create_help)}</p>
                <FieldError id="staff-sso-email-error" message=server_message(error, "sso_email") />
            </div>
            <div class="field field-actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                    {td_string!(l, settings.add_account)}
                </button>
            </div>
        </ActionForm>
    }
}
