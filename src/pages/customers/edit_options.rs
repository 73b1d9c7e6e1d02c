use crate::components::data::Data;
use std::collections::BTreeSet;

use leptos::prelude::*;

use super::edit_contract::conflict_notice;
use super::option_checklist::OptionChecklist;
use super::{back_to_customer_when, customer_loaded, use_customer_id, EditHeader};
use crate::api::customers::{customer_form_defaults, get_customer, SetCustomerOptions};
use crate::components::field::server_message;
use crate::components::language::use_locale;
use crate::components::FieldError;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::views::customers::{CatalogueOption, CustomerDetail};

#[component]
pub fn EditOptionsPage() -> impl IntoView {
    let id = use_customer_id();
    let data = Data::new_with_options(
        move || id.get(),
        |id| async move {
            let customer = get_customer(id.ok_or(AppError::NotFound)?).await?;
            let catalogue = customer_form_defaults().await?.options;
            Ok::<_, AppError>((customer, catalogue))
        },
        true,
    );
    customer_loaded(data, |(c, catalogue)| view! { <OptionsEditor customer=c catalogue /> })
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
    back_to_customer_when(Signal::derive(move || matches!(save.value().get(), Some(Ok(())))), id);
    let l = use_locale();
    view! {
        <EditHeader customer=customer.clone() title=td_string!(l, customers.edit_options) />
        <form
            class="card form-card"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SetCustomerOptions { id, version, options: chosen.get().into_iter().collect() });
            }
        >
            {conflict_notice(error)}
            <fieldset>
                <legend>{td_string!(l, customers.booked_options)}</legend>
                <OptionChecklist options=shown chosen retired />
                <FieldError id="options-error" message=server_message(error, "options") />
            </fieldset>
            <p class="help">{td_string!(l, customers.options_help)}</p>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, customers.save_options)}
                </button>
                <a class="button button-secondary" href=format!("/customers/{id}")>
                    {td_string!(l, customers.cancel)}
                </a>
            </div>
        </form>
    }
}
