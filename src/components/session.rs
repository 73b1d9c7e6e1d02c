//! The signed-in user as the pages see it: the layout provides it once, and
//! every page in the layout reads it through these hooks.

use crate::components::data::Data;
use leptos::prelude::*;

use crate::components::loaded::loaded_result;
use crate::views::session::CurrentUser;

/// The signed-in user, shared by the layout with every page in it.
#[derive(Clone, Copy)]
pub struct UserResource(pub Data<Result<Option<CurrentUser>, crate::error::AppError>>);

/// Renders `child` with the signed-in user once it is known.
pub fn with_user<V: IntoView + 'static>(
    child: impl Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    loaded_result(user, move |result| {
        result.and_then(|maybe| maybe.ok_or(crate::error::AppError::Unauthenticated)).map(|u| child(u).into_any())
    })
}

/// Whether the signed-in user may change customers (operator or admin).
/// False until the user is known, so no control flashes up for a viewer.
pub fn use_can_operate() -> Signal<bool> {
    let UserResource(user) = expect_context::<UserResource>();
    Signal::derive(move || {
        user.get().and_then(Result::ok).flatten().is_some_and(|u| u.role.includes(crate::domain::Role::Operator))
    })
}
