use crate::components::data::Data;
use leptos::prelude::*;
use std::sync::Arc;

use super::ErrorNotice;
use crate::error::AppError;

/// Shows what `resource` loaded, rendered by `render`: "Loading…" until
/// then, the error's message for a person if it failed.
pub fn loaded<T, V>(
    resource: Data<Result<T, AppError>>,
    render: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    loaded_result(resource, move |result| result.map(|value| render(value).into_any()))
}

/// Like [`loaded`], but `render` sees the error too and may show a page
/// of its own for it (e.g. "not found").
pub fn loaded_result<T>(
    resource: Data<Result<T, AppError>>,
    render: impl Fn(Result<T, AppError>) -> Result<AnyView, AppError> + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    shown(Arc::new(move || resource.get().map(&render)))
}

/// The view of a loading resource, once it has loaded.
type Shown = Arc<dyn Fn() -> Option<Result<AnyView, AppError>> + Send + Sync>;

/// The transition and error boundary around every loaded view: one copy in
/// the WebAssembly for all of them (generic over the view, each type
/// loaded would bring its own copy into its module's part).
fn shown(view: Shown) -> AnyView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorNotice errors /> }>
                {
                    let view = view.clone();
                    move || view()
                }
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}
