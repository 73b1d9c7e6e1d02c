// Only the server functions' bodies (compiled on the server) use it.
#[cfg(feature = "ssr")]
use crate::domain::Role;
use crate::error::AppError;
use crate::views::staff::*;
use leptos::prelude::*;

/// All staff accounts (admins only).
#[server(endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    Ok(staff::list(&caller.state.db).await?)
}

/// Adds a staff account (admins only).
#[server(endpoint = "create_staff")]
pub async fn create_staff(
    username: String,
    role: String,
    password: String,
    sso_email: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::single_sign_on::parse_email;
    use crate::domain::{Password, Username};
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    let username = Username::parse(&username).map_err(|e| AppError::invalid("username", e))?;
    let role = Role::parse(&role).map_err(|e| AppError::invalid("role", e))?;
    let password = Password::parse(&password).map_err(|e| AppError::invalid("password", e))?;
    let sso_email = match sso_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(raw) => Some(parse_email(raw).map_err(|e| AppError::invalid("sso_email", e))?),
        None => None,
    };
    let state = caller.state;
    let actor = &caller.user.username;
    let now = state.clock.now();
    let new = staff::NewAccount { username: &username, password: &password, role, sso_email: sso_email.as_deref() };
    staff::create_account(&state.db, &state.hash_limit, actor, new, now).await?;
    Ok(())
}

/// Gives an account another role (admins only; the last admin stays one).
#[server(endpoint = "staff/change_role")]
pub async fn change_staff_role(id: i64, role: String) -> Result<(), AppError> {
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    let role = Role::parse(&role).map_err(|e| AppError::invalid("role", e))?;
    Ok(staff::change_role(&caller.state.db, &caller.user.username, id, role, caller.state.clock.now()).await?)
}

/// Disables an account, ending its sessions at once, or enables it again
/// (admins only).
#[server(endpoint = "staff/set_disabled")]
pub async fn set_staff_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    Ok(staff::set_disabled(&caller.state.db, &caller.user, id, disabled, caller.state.clock.now()).await?)
}

/// Sets a temporary password the user must replace at the next sign-in
/// (admins only).
#[server(endpoint = "staff/reset_password")]
pub async fn reset_staff_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::domain::Password;
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    let password = Password::parse(&password).map_err(|e| AppError::invalid("password", e))?;
    let state = caller.state;
    Ok(staff::reset_password(&state.db, &state.hash_limit, &caller.user, id, &password, state.clock.now()).await?)
}

/// Every signed-in user changes their own password.
#[server(endpoint = "change_own_password")]
pub async fn change_own_password(
    current_password: String,
    new_password: String,
    repeat_password: String,
) -> Result<(), AppError> {
    use crate::domain::Password;
    use crate::server::{guard, staff};
    let signed_in = guard::signed_in()?.ok_or(AppError::Unauthenticated)?;
    if current_password.is_empty() {
        return Err(AppError::invalid("current_password", crate::domain::message::Message::CurrentPasswordEmpty));
    }
    let new = Password::parse(&new_password).map_err(|e| AppError::invalid("new_password", e))?;
    if new_password != repeat_password {
        return Err(AppError::invalid("repeat_password", crate::domain::message::Message::PasswordsDiffer));
    }
    let (state, ip) = (guard::state()?, guard::client_ip()?.0);
    Ok(staff::change_own_password(&state, &signed_in.user, &signed_in.token_hash, current_password, &new, ip).await?)
}

/// Ends every session of another account (admins only); how many ended.
#[server(endpoint = "staff/end_sessions")]
pub async fn end_staff_sessions(id: i64) -> Result<u64, AppError> {
    use crate::server::{active_sessions, guard};
    let caller = guard::caller(Role::Admin).await?;
    Ok(active_sessions::end_all_of(&caller.state, &caller.user, id).await?)
}

/// Removes another account's authenticator app and recovery codes, ending
/// its sessions (admins only; not their own).
#[server(endpoint = "staff/reset_two_factor")]
pub async fn reset_staff_two_factor(id: i64) -> Result<(), AppError> {
    use crate::server::{guard, two_factor};
    let caller = guard::caller(Role::Admin).await?;
    Ok(two_factor::reset_for(&caller.state, &caller.user, id).await?)
}

/// Who must sign in with a second factor (admins only).
#[server(endpoint = "staff/sign_in_policy")]
pub async fn get_sign_in_policy() -> Result<SignInPolicy, AppError> {
    use crate::server::{guard, sign_in_policy};
    let caller = guard::caller(Role::Admin).await?;
    Ok(sign_in_policy::get(&caller.state.db, &caller.state.config, &caller.user).await?)
}

/// Sets who must sign in with a second factor (admins only); whether the
/// admin must now set up one of their own before anything else.
#[server(endpoint = "staff/save_sign_in_policy")]
pub async fn save_sign_in_policy(require_two_factor: String, version: i64) -> Result<bool, AppError> {
    use crate::domain::sign_in_policy::TwoFactorRule;
    use crate::server::{guard, sign_in_policy};
    let caller = guard::caller(Role::Admin).await?;
    let rule = TwoFactorRule::parse(&require_two_factor).map_err(|e| AppError::invalid("require_two_factor", e))?;
    let state = caller.state;
    Ok(sign_in_policy::save(&state.db, &state.config, &caller.user, rule, version, state.clock.now()).await?)
}

/// Sets the email an account is linked to single sign-on by (admins only;
/// empty: none). A changed email unlinks the account from the provider's
/// person until its next sign-in there.
#[server(endpoint = "staff/set_sso_email")]
pub async fn set_staff_sso_email(id: i64, sso_email: String) -> Result<(), AppError> {
    use crate::domain::single_sign_on::parse_email;
    use crate::server::{guard, staff};
    let caller = guard::caller(Role::Admin).await?;
    let email = match sso_email.trim() {
        "" => None,
        raw => Some(parse_email(raw).map_err(|e| AppError::invalid("sso_email", e))?),
    };
    let state = caller.state;
    Ok(staff::set_sso_email(&state.db, &caller.user.username, id, email.as_deref(), state.clock.now()).await?)
}

/// Single sign-on's settings (admins only).
#[server(endpoint = "staff/single_sign_on")]
pub async fn get_single_sign_on() -> Result<SingleSignOnView, AppError> {
    use crate::server::{guard, single_sign_on};
    let caller = guard::caller(Role::Admin).await?;
    Ok(single_sign_on::view(&caller.state, &guard::headers()?).await?)
}

/// Saves single sign-on's settings (admins only). An empty secret keeps
/// the stored one; `password_sign_in` is `everyone` or the id of the
/// break-glass admin.
#[server(endpoint = "staff/save_single_sign_on")]
pub async fn save_single_sign_on(form: SingleSignOnForm, version: i64) -> Result<(), AppError> {
    use crate::domain::single_sign_on::{PasswordSignIn, SsoSettings};
    use crate::server::{guard, single_sign_on};
    let caller = guard::caller(Role::Admin).await?;
    let password_sign_in = match form.password_sign_in.as_str() {
        "everyone" => PasswordSignIn::Everyone,
        id => PasswordSignIn::OnlyBreakGlass(id.parse().map_err(|_| {
            AppError::invalid("password_sign_in", crate::domain::message::Message::PasswordSignInChoice)
        })?),
    };
    let mapping = [form.role_claim.as_str(), &form.role_admin, &form.role_operator, &form.role_viewer];
    let settings = SsoSettings::parse(
        form.enabled.is_some(),
        &form.display_name,
        &form.issuer_url,
        &form.client_id,
        &form.allowed_domains,
        &form.new_staff_role,
        mapping,
        password_sign_in,
    )
    .map_err(AppError::Invalid)?;
    Ok(single_sign_on::save(&caller.state, &caller.user, settings, form.client_secret, version).await?)
}
