use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::detail::CustomerNotFound;
use super::edit_contract::conflict_notice;
use super::option_checklist::OptionChecklist;
use super::use_customer_id;
use crate::api::customers::{
    customer_form_defaults, get_customer, CatalogueOption, CustomerDetail, SetCustomerOptions,
};
use crate::components::field::server_message;
use crate::components::{ErrorNotice, FieldError};
use crate::error::AppError;

#[component]
pub fn EditOptionsPage() -> impl IntoView {
    let id = use_customer_id();
    let data = Resource::new_blocking(
        move || id.get(),
        |id| async move {
            let id = id.ok_or(AppError::NotFound)?;
            let customer = get_customer(id).await?;
            let catalogue = customer_form_defaults().await?.options;
            Ok::<_, AppError>((customer, catalogue))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorNotice errors /> }>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Err(AppError::NotFound) => Ok(view! { <CustomerNotFound /> }.into_any()),
                            other => {
                                other.map(|(c, catalogue)| view! { <OptionsEditor customer=c catalogue /> }.into_any())
                            }
                        })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn OptionsEditor(customer: CustomerDetail, catalogue: Vec<CatalogueOption>) -> impl IntoView {
    let chosen = RwSignal::new(customer.options.iter().map(|o| o.code.clone()).collect::<BTreeSet<_>>());
    // Bookable options, plus retired ones this customer still has.
    let mut shown = catalogue.clone();
    for booked in &customer.options {
        if !shown.iter().any(|o| o.code == booked.code) {
            shown.push(booked.clone());
        }
    }
    let retired: Vec<String> =
        shown.iter().filter(|o| !catalogue.iter().any(|c| c.code == o.code)).map(|o| o.code.clone()).collect();
    let save = ServerAction::<SetCustomerOptions>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let (id, version) = (customer.id, customer.version);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            navigate(&format!("/customers/{id}"), Default::default());
        }
    });
    view! {
        <Title text=format!("Edit options · {}", customer.name) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">"Customers"</a>
                " › "
                <a href=format!("/customers/{id}")>{customer.name.clone()}</a>
            </p>
            <h1>"Edit options"</h1>
        </div>
        <form
            class="card form-card"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SetCustomerOptions { id, version, options: chosen.get().into_iter().collect() });
            }
        >
            {conflict_notice(error)}
            <fieldset>
                <legend>"Booked options"</legend>
                <OptionChecklist options=shown chosen retired />
                <FieldError id="options-error" message=server_message(error, "options") />
            </fieldset>
            <p class="help">
                "An option is billed for a whole month when it was booked on any billed day of that month."
            </p>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save options"
                </button>
                <a class="button button-secondary" href=format!("/customers/{id}")>
                    "Cancel"
                </a>
            </div>
        </form>
    }
}
