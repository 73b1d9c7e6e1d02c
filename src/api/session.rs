use crate::domain::access_token::TokenForm;
use crate::error::AppError;
use crate::views::session::*;
use leptos::prelude::*;

/// The signed-in user, or `None` on the sign-in page.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::server::guard;
    guard::signed_in().map(|s| s.map(|s| s.user))
}

/// What the sign-in page offers: the provider's button, and whether
/// everyone may sign in with a password.
#[server(endpoint = "login_options")]
pub async fn login_options() -> Result<SignInOptions, AppError> {
    use crate::server::{guard, single_sign_on};
    let state = guard::state()?;
    Ok(single_sign_on::sign_in_options(&state.db).await?)
}

#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{guard, login, sessions};
    use axum::http::header::SET_COOKIE;
    use leptos_axum::ResponseOptions;

    let state = guard::state()?;
    let ip = guard::client_ip()?.0;
    let old = guard::signed_in()?.map(|s| s.token_hash);
    let user_agent = guard::user_agent()?;
    let signed_in = match login::sign_in(&state, &username, password, ip, &user_agent, old).await {
        Ok(signed_in) => signed_in,
        Err(error) => {
            let error = AppError::from(error);
            if guard::plain_form_post()? {
                leptos_axum::redirect(&crate::server::security::sign_in_again(&username, next.as_deref(), &error));
            }
            return Err(error);
        }
    };
    let response = expect_context::<ResponseOptions>();
    let signed_in = match signed_in {
        login::SignInOutcome::SignedIn(signed_in) => signed_in,
        login::SignInOutcome::CodeNeeded { challenge } => {
            response.append_header(SET_COOKIE, sessions::challenge_cookie(&state.config, Some(&challenge)));
            leptos_axum::redirect(&crate::server::security::code_page(next.as_deref()));
            return Ok(());
        }
    };
    response.append_header(SET_COOKIE, sessions::session_cookie(&state.config, &signed_in.token));
    leptos_axum::redirect(&after_sign_in(&signed_in.user, next.as_deref()));
    Ok(())
}

/// Where a completed sign-in goes: after an admin's reset, choosing a new
/// password comes first, and a second factor the policy requires next; else
/// `next` when it is safe.
#[cfg(feature = "ssr")]
fn after_sign_in(user: &CurrentUser, next: Option<&str>) -> String {
    if user.must_change_password || user.must_set_up_two_factor {
        "/password".to_owned()
    } else {
        crate::server::security::safe_next(next)
    }
}

/// Sign-in's second step: the code from the authenticator app, for the
/// sign-in whose password was right (its cookie).
#[server(endpoint = "login_code")]
pub async fn login_code(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{guard, sessions, two_factor};
    let state = guard::state()?;
    let ip = guard::client_ip()?.0;
    let user_agent = guard::user_agent()?;
    let challenge = guard::cookie(sessions::challenge_cookie_name(&state.config))?;
    let result = two_factor::complete(&state, challenge.as_deref(), &code, ip, &user_agent).await;
    second_step(&state, result, (<LoginCode as leptos::server_fn::ServerFn>::PATH, next.as_deref()))
}

/// The end of sign-in's second step. Passed: the challenge cookie goes,
/// the session's comes, and the browser goes on (after a recovery code, to
/// the account page, which says how many are left). Refused: a plain form
/// post goes back to the code page with the message for the form of
/// `server_fn`, and an expired sign-in back to the password.
#[cfg(feature = "ssr")]
fn second_step(
    state: &crate::server::state::AppState,
    result: crate::server::error::Result<crate::server::two_factor::Completed>,
    (server_fn, next): (&str, Option<&str>),
) -> Result<(), AppError> {
    use crate::server::{guard, security, sessions};
    use axum::http::header::SET_COOKIE;
    use leptos_axum::ResponseOptions;
    let completed = match result {
        Ok(completed) => completed,
        Err(error) => {
            let error = AppError::from(error);
            if guard::plain_form_post()? {
                let back = match &error {
                    AppError::Conflict(_) => security::sign_in_again("", next, &error),
                    _ => security::code_again(next, server_fn, &error),
                };
                leptos_axum::redirect(&back);
            }
            return Err(error);
        }
    };
    let response = expect_context::<ResponseOptions>();
    let signed_in = completed.signed_in;
    response.append_header(SET_COOKIE, sessions::challenge_cookie(&state.config, None));
    response.append_header(SET_COOKIE, sessions::session_cookie(&state.config, &signed_in.token));
    let target = match completed.recovery_left {
        Some(_) if !signed_in.user.must_change_password => "/password?recovery=used".to_owned(),
        _ => after_sign_in(&signed_in.user, next),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

/// What the second step of the caller's sign-in offers (the code page asks;
/// both off when no sign-in is waiting).
#[server(endpoint = "login_methods")]
pub async fn login_methods() -> Result<SignInMethods, AppError> {
    use crate::server::{guard, sessions, two_factor};
    let state = guard::state()?;
    let challenge = guard::cookie(sessions::challenge_cookie_name(&state.config))?;
    match two_factor::waiting(&state, challenge.as_deref()).await {
        Ok(waiting) => Ok(two_factor::methods(&state.db, waiting.staff_id).await?),
        Err(_) => Ok(SignInMethods::default()),
    }
}

/// The passkey step of the caller's sign-in: the options for the browser
/// (JSON), with a fresh challenge.
#[server(endpoint = "login_passkey_begin")]
pub async fn login_passkey_begin() -> Result<String, AppError> {
    use crate::server::{guard, passkeys, sessions};
    let state = guard::state()?;
    let challenge = guard::cookie(sessions::challenge_cookie_name(&state.config))?;
    Ok(passkeys::begin_sign_in(&state, challenge.as_deref()).await?)
}

/// Sign-in's second step with a passkey: the browser's answer (JSON).
#[server(endpoint = "login_passkey")]
pub async fn login_passkey(credential: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{guard, passkeys, sessions};
    let state = guard::state()?;
    let ip = guard::client_ip()?.0;
    let user_agent = guard::user_agent()?;
    let challenge = guard::cookie(sessions::challenge_cookie_name(&state.config))?;
    let result = passkeys::complete_sign_in(&state, challenge.as_deref(), &credential, ip, &user_agent).await;
    second_step(&state, result, (<LoginPasskey as leptos::server_fn::ServerFn>::PATH, next.as_deref()))
}

/// Whether the caller signs in with an authenticator code, and whether the
/// server can keep one.
#[server(endpoint = "two_factor")]
pub async fn my_two_factor() -> Result<TwoFactorState, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, passkeys, secret_box::SecretBox, sign_in_policy, two_factor};
    let caller = guard::caller(Role::Viewer).await?;
    let available = matches!(SecretBox::from_config(&caller.state.config), Ok(Some(_)));
    let (db, id) = (&caller.state.db, caller.user.id);
    Ok(TwoFactorState {
        enabled: two_factor::enabled(db, id).await?,
        available,
        recovery_left: two_factor::recovery_left(db, id).await?,
        required: sign_in_policy::requires_two_factor(db, caller.user.role).await?,
        passkeys: passkeys::list(db, id).await?,
        passkeys_available: caller.state.webauthn.is_some(),
    })
}

/// Starts setting up an authenticator app: the secret, shown once.
#[server(endpoint = "two_factor/begin")]
pub async fn begin_totp_setup() -> Result<TotpSetup, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, two_factor};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(two_factor::begin_setup(&caller.state, &caller.user).await?)
}

/// Confirms the set-up with the app's first code; the recovery codes,
/// shown once.
#[server(endpoint = "two_factor/confirm")]
pub async fn confirm_totp_setup(code: String) -> Result<Vec<String>, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, two_factor};
    let caller = guard::caller(Role::Viewer).await?;
    let ip = guard::client_ip()?.0;
    Ok(two_factor::confirm_setup(&caller.state, &caller.user, &code, ip).await?)
}

/// A new set of recovery codes (the old one stops working), after the
/// current password; shown once.
#[server(endpoint = "two_factor/recovery_codes")]
pub async fn renew_recovery_codes(current_password: String) -> Result<Vec<String>, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, two_factor};
    let caller = guard::caller(Role::Viewer).await?;
    let ip = guard::client_ip()?.0;
    Ok(two_factor::renew_recovery_codes(&caller.state, &caller.user, current_password, ip).await?)
}

/// Turns two-factor sign-in off, after the current password.
#[server(endpoint = "two_factor/disable")]
pub async fn disable_totp(current_password: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{guard, two_factor};
    let caller = guard::caller(Role::Viewer).await?;
    let ip = guard::client_ip()?.0;
    Ok(two_factor::disable(&caller.state, &caller.user, current_password, ip).await?)
}

/// Starts adding a passkey or security key named `name`: the options for
/// the browser (JSON).
#[server(endpoint = "passkeys/begin")]
pub async fn begin_passkey_registration(name: String) -> Result<String, AppError> {
    use crate::domain::passkey_name::PasskeyName;
    use crate::domain::Role;
    use crate::server::{guard, passkeys};
    let caller = guard::caller(Role::Viewer).await?;
    let name = PasskeyName::parse(&name).map_err(|e| AppError::invalid("name", e))?;
    Ok(passkeys::begin_registration(&caller.state, &caller.user, &name).await?)
}

/// Finishes adding a passkey with the browser's answer (JSON); with the
/// first second factor, the recovery codes, shown once.
#[server(endpoint = "passkeys/finish")]
pub async fn finish_passkey_registration(credential: String) -> Result<Option<Vec<String>>, AppError> {
    use crate::domain::Role;
    use crate::server::{guard, passkeys};
    let caller = guard::caller(Role::Viewer).await?;
    let ip = guard::client_ip()?.0;
    Ok(passkeys::finish_registration(&caller.state, &caller.user, &credential, ip).await?)
}

/// Removes one of the caller's passkeys, after the current password.
#[server(endpoint = "passkeys/remove")]
pub async fn remove_passkey(id: i64, current_password: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{guard, passkeys};
    let caller = guard::caller(Role::Viewer).await?;
    let ip = guard::client_ip()?.0;
    Ok(passkeys::remove(&caller.state, &caller.user, id, current_password, ip).await?)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{guard, login, sessions};
    use axum::http::header::SET_COOKIE;
    use leptos_axum::ResponseOptions;

    let state = guard::state()?;
    let signed_in = guard::signed_in()?.ok_or(AppError::Unauthenticated)?;
    login::sign_out(&state, &signed_in.user, &signed_in.token_hash).await?;
    expect_context::<ResponseOptions>().append_header(SET_COOKIE, sessions::expired_cookie(&state.config));
    leptos_axum::redirect("/login");
    Ok(())
}

/// The caller's open sessions, the one in use first.
#[server(endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<ActiveSession>, AppError> {
    use crate::domain::Role;
    use crate::server::{active_sessions, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let current = guard::signed_in()?.ok_or(AppError::Unauthenticated)?.token_hash;
    let state = caller.state;
    Ok(active_sessions::list(&state.db, &state.config, caller.user.id, &current, state.clock.now()).await?)
}

/// Ends one of the caller's other sessions: that browser is signed out at
/// its next request.
#[server(endpoint = "end_my_session")]
pub async fn end_my_session(id: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{active_sessions, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let current = guard::signed_in()?.ok_or(AppError::Unauthenticated)?.token_hash;
    Ok(active_sessions::end_one(&caller.state, &caller.user, &current, &id).await?)
}

/// Ends every session of the caller but the one in use; how many ended.
#[server(endpoint = "end_my_other_sessions")]
pub async fn end_my_other_sessions() -> Result<u64, AppError> {
    use crate::domain::Role;
    use crate::server::{active_sessions, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let current = guard::signed_in()?.ok_or(AppError::Unauthenticated)?.token_hash;
    Ok(active_sessions::end_others(&caller.state, &caller.user, &current).await?)
}

/// The signed-in staff member's language and time zone.
#[server(endpoint = "my_preferences")]
pub async fn my_preferences() -> Result<AccountPreferences, AppError> {
    use crate::server::{guard, staff};
    let signed_in = guard::signed_in()?.ok_or(AppError::Unauthenticated)?;
    Ok(staff::preferences(&guard::state()?.db, &signed_in.user).await?)
}

/// Saves the signed-in staff member's language and time zone (empty: the
/// browser's language, the billing time zone). The pages use them from the
/// next one drawn.
#[server(endpoint = "set_my_preferences")]
pub async fn set_my_preferences(language: String, time_zone: String) -> Result<(), AppError> {
    use crate::domain::locale::Preferences;
    use crate::server::{billing, guard, staff};
    let signed_in = guard::signed_in()?.ok_or(AppError::Unauthenticated)?;
    let preferences = Preferences::parse(&language, &time_zone, |z| billing::parse_time_zone(z).is_some())
        .map_err(AppError::Invalid)?;
    Ok(staff::set_preferences(&guard::state()?.db, signed_in.user.id, &preferences).await?)
}

/// The caller's personal access tokens (an admin's list has everyone's).
#[server(endpoint = "access_tokens")]
pub async fn my_access_tokens() -> Result<AccessTokens, AppError> {
    use crate::domain::Role;
    use crate::server::{access_tokens, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(access_tokens::list(&caller.state.db, &caller.user, caller.state.clock.now()).await?)
}

/// A new personal access token of the caller's, shown this once.
#[server(endpoint = "access_tokens/create")]
pub async fn create_access_token(form: TokenForm) -> Result<NewAccessToken, AppError> {
    use crate::domain::Role;
    use crate::server::{access_tokens, guard};
    let caller = guard::caller(Role::Viewer).await?;
    let db = &caller.state.db;
    let owner = access_tokens::owner(db, &caller.user.username).await?;
    Ok(access_tokens::create(db, &caller.user.username, &owner, &form, caller.state.clock.now()).await?)
}

/// Revokes one of the caller's tokens (an admin: anyone's).
#[server(endpoint = "access_tokens/revoke")]
pub async fn revoke_access_token(id: i64) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::{access_tokens, guard};
    let caller = guard::caller(Role::Viewer).await?;
    Ok(access_tokens::revoke(&caller.state.db, &caller.user, id, caller.state.clock.now()).await?)
}
