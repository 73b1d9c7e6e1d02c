//! The page shell, the router and the layout with the modules' navigation.

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::{path, Lazy, LazyRoute, SsrMode};

use crate::api::session::{get_current_user, Logout};
use crate::components::language::{provide_reader, role_name, use_locale, ZONE_META};
use crate::components::session::UserResource;
use crate::i18n::{td, td_string, Locale};
use crate::pages::customers::{
    CustomerPage, CustomerStatementPage, CustomersPage, EditContractPage, EditOptionsPage, NewCustomerPage,
};
use crate::pages::{
    AuditPage, CostsPage, LoginCodePage, LoginPage, NotFound, PasswordPage, SettingsPage, StatementsPage, StatusPage,
};
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
    let reader = provide_reader();
    let scripts = sign_in_page().is_none().then(|| {
        // The build of the reader's language (`server::bundles`).
        #[cfg(feature = "ssr")]
        let bundle = crate::server::bundles::for_language(&options, reader.language);
        #[cfg(feature = "ssr")]
        let options = bundle.options(&options);
        let scripts = view! {
            <AutoReload options=options.clone() />
            <HydrationScripts options />
        };
        // After `HydrationScripts`, which provides the preloads of the
        // first page it drew: these point at this reader's build.
        #[cfg(feature = "ssr")]
        if let Some(manifest) = bundle.split_manifest() {
            provide_context(manifest);
        }
        scripts
    });
    view! {
        <!DOCTYPE html>
        <html lang=reader.language.code()>
            <head>
                <meta charset="utf-8" />
                <meta name=ZONE_META content=reader.zone.encode() />
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

/// The sign-in page being rendered on the server, if it is one (the
/// password, or the second factor after it).
fn sign_in_page() -> Option<&'static str> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().and_then(|parts| match parts.uri.path() {
            "/login" => Some("/login"),
            "/login/code" => Some("/login/code"),
            _ => None,
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Every page renders completely on the server before it is sent
/// (`SsrMode::Async`): the data is small and fast to load, and a page that
/// arrives whole hydrates the same way every time (streamed fragments raced
/// hydration now and then).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_reader();
    view! {
        <Stylesheet id="leptos" href="/pkg/msp-manager.css" />
        <Title formatter=|title: String| {
            if title.is_empty() { PRODUCT.to_owned() } else { format!("{title} · {PRODUCT}") }
        } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/code") view=LoginCodePage ssr=SsrMode::Async />
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
                    <Route path=path!("settings/alerts") view={Lazy::<AlertsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("password") view={Lazy::<PasswordRoute>::new()} ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The product's name, the same in every language.
const PRODUCT: &str = "MSP Server Manager";

/// The modules in the navigation: where each is, and its name.
fn modules(l: Locale) -> [(&'static str, &'static str); 5] {
    [
        ("/", td_string!(l, common.module_status)),
        ("/customers", td_string!(l, common.module_customers)),
        ("/costs", td_string!(l, common.module_costs)),
        ("/settings", td_string!(l, common.module_settings)),
        ("/audit", td_string!(l, common.module_audit)),
    ]
}

#[component]
fn Layout() -> impl IntoView {
    let user = data(|| (), |_| get_current_user());
    provide_context(UserResource(user));
    let l = use_locale();
    view! {
        <a class="skip-link" href="#main">{td_string!(l, common.skip_to_content)}</a>
        <header class="topbar">
            <div class="topbar-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"M"</span>
                    <span>{PRODUCT}</span>
                </a>
                <Transition fallback=|| ()>
                    {move || user.get().and_then(Result::ok).flatten().map(|u| view! { <UserMenu user=u /> })}
                </Transition>
            </div>
            <nav class="modules" aria-label=td_string!(l, common.modules_label)>
                <ul>
                    {modules(l)
                        .into_iter()
                        .map(|(href, label)| {
                            view! {
                                <li>
                                    <A href=href exact=href == "/">
                                        {label}
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
                        .and_then(|u| {
                            if u.must_change_password {
                                let link = |children: ChildrenFn| view! { <a href="/password">{children()}</a> };
                                Some(held_back_notice(td!(l, common.reset_notice, <a> = link).into_any()))
                            } else if u.must_set_up_two_factor {
                                let link =
                                    |children: ChildrenFn| view! { <a href="/password#two-factor-title">{children()}</a> };
                                Some(held_back_notice(td!(l, common.two_factor_notice, <a> = link).into_any()))
                            } else {
                                None
                            }
                        })
                }}
            </Transition>
            <Outlet />
        </main>
    }
}

/// Why the signed-in user can open nothing but their account page yet, and
/// the link there.
fn held_back_notice(text: AnyView) -> impl IntoView {
    view! {
        <p class="notice notice-warning" role="status">
            {text}
        </p>
    }
}

/// Where the sign-out form posts (the `logout` server function).
const SIGN_OUT: &str = <Logout as leptos::server_fn::ServerFn>::PATH;

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let l = use_locale();
    view! {
        <div class="user-menu">
            <a class="user-name" href="/password" data-testid="signed-in-user" title=td_string!(l, common.your_account)>
                {user.username.clone()}
            </a>
            <span class=format!("role-badge role-{}", user.role.as_str()) data-testid="signed-in-role">
                {role_name(user.role, l)}
            </span>
            // A plain form: signing out loads the sign-in page in full (a
            // page the app's code never draws, see `pages::login`), and
            // leaves nothing of the signed-in app in the browser.
            <form method="post" action=SIGN_OUT>
                <button type="submit" class="button button-quiet">{td_string!(l, common.sign_out)}</button>
            </form>
        </div>
    }
}

// The modules loaded on their first visit: each is one part of the
// WebAssembly (a `#[lazy]` function, cut out by the site builder), drawn by
// the routes that show one of its screens. Fewer parts than routes: the
// screens of a module share most of their code, and every part costs the
// browser a request.

/// The customer list.
#[lazy]
fn customers_module() -> AnyView {
    view! { <CustomersPage /> }.into_any()
}

#[derive(Clone, Copy)]
enum CustomerFormScreen {
    New,
    Contract,
    Options,
}

/// The forms that create a customer or change its contract or options.
#[lazy]
fn customer_forms_module(screen: CustomerFormScreen) -> AnyView {
    match screen {
        CustomerFormScreen::New => view! { <NewCustomerPage /> }.into_any(),
        CustomerFormScreen::Contract => view! { <EditContractPage /> }.into_any(),
        CustomerFormScreen::Options => view! { <EditOptionsPage /> }.into_any(),
    }
}

#[derive(Clone, Copy)]
enum CustomerScreen {
    Billing,
    Statement,
    MonthStatements,
}

/// A customer's page (its billing part and charts) and the frozen
/// statements: a customer's, and all of a closed month's (reached from the
/// cost overview, but drawn with the statement lines this module has).
#[lazy]
fn customer_module(screen: CustomerScreen) -> AnyView {
    match screen {
        CustomerScreen::Billing => view! { <CustomerPage /> }.into_any(),
        CustomerScreen::Statement => view! { <CustomerStatementPage /> }.into_any(),
        CustomerScreen::MonthStatements => view! { <StatementsPage /> }.into_any(),
    }
}

/// The cost overview.
#[lazy]
fn costs_module() -> AnyView {
    view! { <CostsPage /> }.into_any()
}

#[lazy]
fn settings_module() -> AnyView {
    view! { <SettingsPage /> }.into_any()
}

#[lazy]
fn audit_module() -> AnyView {
    view! { <AuditPage /> }.into_any()
}

#[derive(Clone, Copy)]
enum AccountScreen {
    Password,
    Alerts,
}

/// The account page ("Your password") and Settings → Alerts: one part, as
/// both carry the alert mails' forms (the account page chooses one's own
/// events; the alerts page sets up the mail server and the webhooks). A
/// part of its own for the alerts page would cut every other part into
/// more pieces (code shared by a different set of parts), which costs
/// each of them a few kilobytes of file headers.
#[lazy]
fn account_module(screen: AccountScreen) -> AnyView {
    match screen {
        AccountScreen::Password => view! { <PasswordPage /> }.into_any(),
        AccountScreen::Alerts => view! { <crate::pages::alerts::AlertsPage /> }.into_any(),
    }
}

/// A route drawn by a screen of a lazily loaded module: `Lazy::<Route>`
/// loads the module's part on the first visit (also when the route is the
/// first page loaded: the app hydrates with `hydrate_from_async`), and
/// `preload` fetches it ahead when the router asks.
macro_rules! lazy_screen {
    ($route:ident, $module:ident ( $($screen:expr)? ), $preload:ident) => {
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(this: Self) -> AnyView {
                let _ = this;
                $module($($screen)?).await
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                $preload().await;
            }
        }
    };
}

lazy_screen!(CustomersRoute, customers_module(), __preload_customers_module);
lazy_screen!(NewCustomerRoute, customer_forms_module(CustomerFormScreen::New), __preload_customer_forms_module);
lazy_screen!(EditContractRoute, customer_forms_module(CustomerFormScreen::Contract), __preload_customer_forms_module);
lazy_screen!(EditOptionsRoute, customer_forms_module(CustomerFormScreen::Options), __preload_customer_forms_module);
lazy_screen!(CustomerRoute, customer_module(CustomerScreen::Billing), __preload_customer_module);
lazy_screen!(CustomerStatementRoute, customer_module(CustomerScreen::Statement), __preload_customer_module);
lazy_screen!(CostsRoute, costs_module(), __preload_costs_module);
lazy_screen!(StatementsRoute, customer_module(CustomerScreen::MonthStatements), __preload_customer_module);
lazy_screen!(SettingsRoute, settings_module(), __preload_settings_module);
lazy_screen!(AlertsRoute, account_module(AccountScreen::Alerts), __preload_account_module);
lazy_screen!(AuditRoute, audit_module(), __preload_audit_module);
lazy_screen!(PasswordRoute, account_module(AccountScreen::Password), __preload_account_module);
