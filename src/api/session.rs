use crate::error::AppError;
use crate::views::session::*;
use leptos::prelude::*;

/// The signed-in user, or `None` on the sign-in page.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::server::guard;
    guard::signed_in().map(|s| s.map(|s| s.user))
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
    response.append_header(SET_COOKIE, sessions::session_cookie(&state.config, &signed_in.token));
    // After an admin's reset, choosing a new password comes first.
    let target = if signed_in.user.must_change_password {
        "/password".to_owned()
    } else {
        crate::server::security::safe_next(next.as_deref())
    };
    leptos_axum::redirect(&target);
    Ok(())
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
