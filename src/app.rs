//! The page shell, the router and the layout with the modules' navigation.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

use crate::api::session::{get_current_user, Logout};
use crate::components::session::UserResource;
use crate::pages::customers::{
    CustomerPage, CustomerStatementPage, CustomersPage, EditContractPage, EditOptionsPage, NewCustomerPage,
};
use crate::pages::{AuditPage, CostsPage, LoginPage, NotFound, PasswordPage, SettingsPage, StatementsPage, StatusPage};
use crate::views::session::CurrentUser;

/// The HTML document around the app. Its scripts carry this response's CSP
/// nonce (`server::security::PageNonce`).
///
/// The sign-in page comes without the WebAssembly: its form works as a
/// plain HTML form (the server answers the post with a redirect, and shows
/// a refusal next to its field on the page it sends the browser back to),
/// so the first page downloads no code, and the app's code comes with the
/// first signed-in page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let scripts = (!is_sign_in_request()).then(|| {
        view! {
            <AutoReload options=options.clone() />
            <HydrationScripts options />
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" />
                {scripts}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Whether the page being rendered on the server is the sign-in page.
fn is_sign_in_request() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| parts.uri.path() == "/login")
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Every page renders completely on the server before it is sent
/// (`SsrMode::Async`): the data is small and fast to load, and a page that
/// arrives whole hydrates the same way every time (streamed fragments raced
/// hydration now and then).
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
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=StatusPage ssr=SsrMode::Async />
                    <Route path=path!("customers") view={Lazy::<CustomersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/new") view={Lazy::<NewCustomerRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id") view={Lazy::<CustomerRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id/contract") view={Lazy::<EditContractRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("customers/:id/options") view={Lazy::<EditOptionsRoute>::new()} ssr=SsrMode::Async />
                    <Route
                        path=path!("customers/:id/statements/:month")
                        view={Lazy::<CustomerStatementRoute>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("costs") view={Lazy::<CostsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("costs/statements/:month") view={Lazy::<StatementsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("password") view={Lazy::<PasswordRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
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
            <Transition fallback=|| ()>
                {move || {
                    user.get()
                        .and_then(Result::ok)
                        .flatten()
                        .filter(|u| u.must_change_password)
                        .map(|_| view! {
                            <p class="notice notice-warning" role="status">
                                "An administrator reset your password. "
                                <a href="/password">"Choose a new one"</a>
                                " before you continue."
                            </p>
                        })
                }}
            </Transition>
            <Outlet />
        </main>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <div class="user-menu">
            <a class="user-name" href="/password" data-testid="signed-in-user" title="Your password">
                {user.username.clone()}
            </a>
            <span class=format!("role-badge role-{}", user.role.as_str()) data-testid="signed-in-role">
                {user.role.label()}
            </span>
            <ActionForm action=logout>
                <button type="submit" class="button button-quiet">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// A route whose page is a part of the WebAssembly of its own, loaded on
/// its first visit (`cargo leptos build --split`); the server renders it as
/// any other.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(CustomersRoute, CustomersPage);
lazy_page!(NewCustomerRoute, NewCustomerPage);
lazy_page!(CustomerRoute, CustomerPage);
lazy_page!(EditContractRoute, EditContractPage);
lazy_page!(EditOptionsRoute, EditOptionsPage);
lazy_page!(CustomerStatementRoute, CustomerStatementPage);
lazy_page!(CostsRoute, CostsPage);
lazy_page!(StatementsRoute, StatementsPage);
lazy_page!(SettingsRoute, SettingsPage);
lazy_page!(AuditRoute, AuditPage);
lazy_page!(PasswordRoute, PasswordPage);
