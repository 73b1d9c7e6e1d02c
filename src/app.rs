//! The page shell, the router and the layout with the modules' navigation.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::path;

use crate::api::session::{get_current_user, CurrentUser, Logout};
use crate::components::ErrorNotice;
use crate::pages::{
    AuditPage, CostsPage, CustomersPage, LoginPage, NotFound, SettingsPage, StatusPage,
};

/// The HTML document around the app. On the server it also sets the page's
/// Content-Security-Policy with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_page_csp() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&crate::server::security::page_csp(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/msp-manager.css" />
        <Title formatter=|title: String| {
            if title.is_empty() { "MSP Server Manager".to_owned() } else { format!("{title} · MSP Server Manager") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=StatusPage />
                    <Route path=path!("customers") view=CustomersPage />
                    <Route path=path!("costs") view=CostsPage />
                    <Route path=path!("settings") view=SettingsPage />
                    <Route path=path!("audit") view=AuditPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The signed-in user, shared by the layout with every page in it.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, crate::error::AppError>>);

/// Renders `child` with the signed-in user once it is known.
pub fn with_user<V: IntoView + 'static>(
    child: impl Fn(CurrentUser) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorNotice errors /> }>
                {move || {
                    user.get()
                        .map(|result| {
                            result.and_then(|maybe| maybe.ok_or(crate::error::AppError::Unauthenticated)).map(&child)
                        })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}

const MODULES: [(&str, &str); 5] = [
    ("/", "Status"),
    ("/customers", "Customers"),
    ("/costs", "Cost overview"),
    ("/settings", "Settings"),
    ("/audit", "Audit log"),
];

#[component]
fn Layout() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    provide_context(UserResource(user));
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="topbar-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"M"</span>
                    <span>"MSP Server Manager"</span>
                </a>
                <Transition fallback=|| ()>
                    {move || user.get().and_then(Result::ok).flatten().map(|u| view! { <UserMenu user=u /> })}
                </Transition>
            </div>
            <nav class="modules" aria-label="Modules">
                <ul>
                    {MODULES
                        .iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A href=*href exact=*href == "/">
                                        {*label}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
        <main id="main" class="page">
            <Outlet />
        </main>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <div class="user-menu">
            <span class="user-name" data-testid="signed-in-user">{user.username.clone()}</span>
            <span class=format!("role-badge role-{}", user.role.as_str()) data-testid="signed-in-role">
                {user.role.label()}
            </span>
            <ActionForm action=logout>
                <button type="submit" class="button button-quiet">"Sign out"</button>
            </ActionForm>
        </div>
    }
}
