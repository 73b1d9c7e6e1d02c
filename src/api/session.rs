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
    let signed_in = match login::sign_in(&state, &username, password, ip, old).await {
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
