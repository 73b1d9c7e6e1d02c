use leptos::prelude::*;

use super::{back_to_customer_when, customer_loaded, use_customer, EditHeader};
use crate::api::customers::UpdateContract;
use crate::components::field::field_message;
use crate::components::language::{error_message, use_locale};
use crate::components::FieldError;
use crate::domain::customer::ContractForm;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::views::customers::CustomerDetail;

#[component]
pub fn EditContractPage() -> impl IntoView {
    let customer = use_customer(Signal::stored(0));
    customer_loaded(customer, |c| view! { <ContractEditor customer=c /> })
}

/// The "changed by someone else" notice, with a way to load the new state.
pub fn conflict_notice(error: Signal<Option<AppError>>) -> impl IntoView {
    let l = use_locale();
    move || {
        error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| {
            let conflict = matches!(e, AppError::Conflict(_));
            view! {
                <div class="notice notice-error" role="alert">
                    <p>{error_message(&e, l)}</p>
                    {conflict
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    on:click=|_| {
                                        #[cfg(feature = "hydrate")]
                                        if let Some(window) = web_sys::window() {
                                            let _ = window.location().reload();
                                        }
                                    }
                                >
                                    {td_string!(l, customers.reload)}
                                </button>
                            }
                        })}
                </div>
            }
        })
    }
}

#[component]
fn ContractEditor(customer: CustomerDetail) -> impl IntoView {
    let l = use_locale();
    let today = customer.today;
    let current_end = customer.contract_end;
    let name = RwSignal::new(customer.name.clone());
    let contract_end = RwSignal::new(customer.contract_end.to_string());
    let max_users = RwSignal::new(customer.max_users.to_string());
    let limit = RwSignal::new(customer.limit_user_creation);
    let form = Memo::new(move |_| ContractForm {
        name: name.get(),
        contract_end: contract_end.get(),
        max_users: max_users.get(),
        limit_user_creation: limit.get(),
    });
    let problems = Memo::new(move |_| form.get().validate(today, current_end).err().unwrap_or_default());
    let save = ServerAction::<UpdateContract>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let message = move |field: &'static str| field_message(problems, Signal::stored(true), error, field);
    let (id, version) = (customer.id, customer.version);
    back_to_customer_when(Signal::derive(move || matches!(save.value().get(), Some(Ok(())))), id);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if problems.with(Vec::is_empty) {
            save.dispatch(UpdateContract { id, version, form: form.get() });
        }
    };
    view! {
        <EditHeader customer=customer.clone() title=td_string!(l, customers.edit_contract) />
        <form class="card form-card" on:submit=on_submit novalidate>
            {conflict_notice(error)}
            <div class="field">
                <label for="contract-name">{td_string!(l, customers.name)}</label>
                <input
                    id="contract-name"
                    type="text"
                    aria-describedby="contract-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <FieldError id="contract-name-error" message=message("name") />
            </div>
            <div class="field">
                <label for="contract-end">{td_string!(l, customers.contract_end)}</label>
                <input
                    id="contract-end"
                    type="date"
                    aria-describedby="contract-end-error"
                    prop:value=move || contract_end.get()
                    on:input=move |ev| contract_end.set(event_target_value(&ev))
                />
                <FieldError id="contract-end-error" message=message("contract_end") />
            </div>
            <div class="field field-narrow">
                <label for="contract-max-users">{td_string!(l, customers.max_users)}</label>
                <input
                    id="contract-max-users"
                    type="text"
                    inputmode="numeric"
                    aria-describedby="contract-max-users-error"
                    prop:value=move || max_users.get()
                    on:input=move |ev| max_users.set(event_target_value(&ev))
                />
                <FieldError id="contract-max-users-error" message=message("max_users") />
            </div>
            <div class="field">
                <label class="check" for="contract-limit">
                    <input
                        id="contract-limit"
                        type="checkbox"
                        prop:checked=move || limit.get()
                        on:change=move |ev| limit.set(event_target_checked(&ev))
                    />
                    <span>{td_string!(l, customers.limit)}</span>
                </label>
            </div>
            <p class="help">{td_string!(l, customers.database_fixed, database = customer.database_name.clone())}</p>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, customers.save_contract)}
                </button>
                <a class="button button-secondary" href=format!("/customers/{id}")>
                    {td_string!(l, customers.cancel)}
                </a>
            </div>
        </form>
    }
}
