use crate::components::data::data;
use std::collections::{BTreeSet, HashSet};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use super::api_key::KeyReveal;
use super::option_checklist::OptionChecklist;
use crate::api::customers::{check_customer_names, customer_form_defaults, CreateCustomer};
use crate::components::field::general_message;
use crate::components::language::{use_locale, use_reader};
use crate::components::{loaded, FieldError};
use crate::domain::customer::CustomerForm;
use crate::domain::message::Message;
use crate::domain::{BillingMonth, DatabaseName};
use crate::i18n::td_string;
use crate::messages;
use crate::views::customers::{NameCheck, NewCustomerDefaults};

#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let defaults = data(|| (), |_| customer_form_defaults());
    let l = use_locale();
    view! {
        <Title text=td_string!(l, customers.new_title) />
        <div class="page-header">
            <p class="breadcrumb">
                <a href="/customers">{td_string!(l, customers.customers)}</a>
            </p>
            <h1>{td_string!(l, customers.new_title)}</h1>
        </div>
        {loaded(defaults, |d| view! { <NewCustomerForm defaults=d /> })}
    }
}

#[component]
fn NewCustomerForm(defaults: NewCustomerDefaults) -> impl IntoView {
    let today = defaults.today;
    let bookable: Vec<String> = defaults.options.iter().map(|o| o.code.clone()).collect();

    let name = RwSignal::new(String::new());
    let billed = RwSignal::new(false);
    let contract_end = RwSignal::new(defaults.contract_end.to_string());
    let database_name = RwSignal::new(String::new());
    let database_name_edited = RwSignal::new(false);
    let max_users = RwSignal::new(String::new());
    let limit_user_creation = RwSignal::new(false);
    let options = RwSignal::new(BTreeSet::<String>::new());
    // Messages show for fields the user has left, and for all after a submit.
    let touched = RwSignal::new(HashSet::<&'static str>::new());
    let submitted = RwSignal::new(false);

    let form = Memo::new(move |_| CustomerForm {
        name: name.get(),
        billed: billed.get(),
        contract_end: contract_end.get(),
        database_name: database_name.get(),
        max_users: max_users.get(),
        limit_user_creation: limit_user_creation.get(),
        options: options.get().into_iter().collect(),
    });
    let problems = Memo::new(move |_| form.get().validate(today, &bookable).err().unwrap_or_default());
    // Whether the name and database name are taken, asked as one types. A
    // plain signal, filled by a task in the browser (not a resource, which
    // would hold up the page's Suspense); only the newest answer counts.
    let checked = RwSignal::new(NameCheck::default());
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (n, d) = (name.get(), database_name.get());
        let ticket = asked.get_value() + 1;
        asked.set_value(ticket);
        leptos::task::spawn_local(async move {
            if let Ok(answer) = check_customer_names(n, d, None).await {
                if asked.get_value() == ticket {
                    checked.set(answer);
                }
            }
        });
    });
    let taken = move || checked.get();

    let create = ServerAction::<CreateCustomer>::new();
    let sent = RwSignal::new(None::<CustomerForm>);
    let server_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let r = use_reader();
    let l = r.l();
    let general = general_message(server_error);

    let message = move |field: &'static str| {
        Signal::derive(move || {
            // The server's word on what was sent, while it is unchanged.
            if sent.get().as_ref() == Some(&form.get()) {
                if let Some(m) = server_error.get().and_then(|e| e.message_for(field).map(|m| messages::text(m, l))) {
                    return Some(m);
                }
            }
            let shown = submitted.get() || touched.with(|t| t.contains(field));
            let problem = problems.with(|p| p.iter().find(|p| p.field == field).map(|p| messages::text(&p.message, l)));
            if let Some(problem) = problem.filter(|_| shown) {
                return Some(problem);
            }
            let check = taken();
            match field {
                "name" if check.name_taken => Some(messages::text(&Message::NameTaken.into(), l)),
                "database_name" if check.database_name_taken => {
                    Some(messages::text(&Message::DatabaseNameTaken.into(), l))
                }
                _ => None,
            }
        })
    };
    let invalid = move |field: &'static str| {
        let m = message(field);
        move || m.get().is_some().then_some("true")
    };
    let touch = move |field: &'static str| move |_| touched.update(|t| _ = t.insert(field));

    // Made: show its API key once; closing the dialog opens the customer.
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let reveal = RwSignal::new(false);
    let key = Signal::derive(move || created.get().map(|c| c.api_key));
    Effect::new(move |_| {
        if created.get().is_some() {
            reveal.set(true);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |was_open: Option<bool>| {
        let open = reveal.get();
        if was_open == Some(true) && !open {
            if let Some(c) = created.get_untracked() {
                navigate(&format!("/customers/{}", c.id), Default::default());
            }
        }
        open
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let check = taken();
        if problems.with(Vec::is_empty) && !check.name_taken && !check.database_name_taken {
            sent.set(Some(form.get()));
            create.dispatch(CreateCustomer { form: form.get() });
        }
    };

    let on_name = move |ev| {
        let value = event_target_value(&ev);
        if !database_name_edited.get_untracked() {
            database_name.set(if value.trim().is_empty() {
                String::new()
            } else {
                DatabaseName::slug_of(&value).to_string()
            });
        }
        name.set(value);
    };
    let this_month = r.month(BillingMonth::of(today));

    view! {
        <form class="card form-card" on:submit=on_submit novalidate>
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <fieldset>
                <legend>{td_string!(l, customers.general)}</legend>
                <div class="field">
                    <label for="customer-name">{td_string!(l, customers.name)}</label>
                    <input
                        id="customer-name"
                        type="text"
                        autocomplete="off"
                        aria-describedby="customer-name-error"
                        aria-invalid=invalid("name")
                        prop:value=move || name.get()
                        on:input=on_name
                        on:blur=touch("name")
                    />
                    <FieldError id="customer-name-error" message=message("name") />
                </div>
                <div class="field">
                    <label class="check" for="customer-billed">
                        <input
                            id="customer-billed"
                            type="checkbox"
                            aria-describedby="customer-billed-help"
                            prop:checked=move || billed.get()
                            on:change=move |ev| billed.set(event_target_checked(&ev))
                        />
                        <span>{td_string!(l, customers.billed)}</span>
                    </label>
                    <p class="help" id="customer-billed-help">
                        {move || {
                            if billed.get() {
                                td_string!(l, customers.billed_help, month = this_month.clone())
                            } else {
                                td_string!(l, customers.test_help).to_owned()
                            }
                        }}
                    </p>
                </div>
                <div class="field">
                    <label for="customer-contract-end">{td_string!(l, customers.contract_end)}</label>
                    <input
                        id="customer-contract-end"
                        type="date"
                        min=today.to_string()
                        aria-describedby="customer-contract-end-help customer-contract-end-error"
                        aria-invalid=invalid("contract_end")
                        prop:value=move || contract_end.get()
                        on:input=move |ev| contract_end.set(event_target_value(&ev))
                        on:blur=touch("contract_end")
                    />
                    <p class="help" id="customer-contract-end-help">
                        {td_string!(l, customers.contract_end_help)}
                    </p>
                    <FieldError id="customer-contract-end-error" message=message("contract_end") />
                </div>
                <div class="field">
                    <label for="customer-database-name">{td_string!(l, customers.database_name)}</label>
                    <input
                        id="customer-database-name"
                        type="text"
                        maxlength="64"
                        autocomplete="off"
                        spellcheck="false"
                        class="mono"
                        aria-describedby="customer-database-name-help customer-database-name-error"
                        aria-invalid=invalid("database_name")
                        prop:value=move || database_name.get()
                        on:input=move |ev| {
                            database_name_edited.set(true);
                            database_name.set(event_target_value(&ev));
                        }
                        on:blur=touch("database_name")
                    />
                    <p class="help" id="customer-database-name-help">
                        {td_string!(l, customers.database_name_help)}
                    </p>
                    <FieldError id="customer-database-name-error" message=message("database_name") />
                </div>
            </fieldset>
            <fieldset>
                <legend>{td_string!(l, customers.license)}</legend>
                <div class="field field-narrow">
                    <label for="customer-max-users">{td_string!(l, customers.max_users)}</label>
                    <input
                        id="customer-max-users"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        aria-describedby="customer-max-users-help customer-max-users-error"
                        aria-invalid=invalid("max_users")
                        prop:value=move || max_users.get()
                        on:input=move |ev| max_users.set(event_target_value(&ev))
                        on:blur=touch("max_users")
                    />
                    <p class="help" id="customer-max-users-help">{td_string!(l, customers.max_users_help)}</p>
                    <FieldError id="customer-max-users-error" message=message("max_users") />
                </div>
                <div class="field">
                    <label class="check" for="customer-limit">
                        <input
                            id="customer-limit"
                            type="checkbox"
                            aria-describedby="customer-limit-help"
                            prop:checked=move || limit_user_creation.get()
                            on:change=move |ev| limit_user_creation.set(event_target_checked(&ev))
                        />
                        <span>{td_string!(l, customers.limit)}</span>
                    </label>
                    <p class="help" id="customer-limit-help">
                        {td_string!(l, customers.limit_help)}
                    </p>
                </div>
            </fieldset>
            <fieldset>
                <legend>{td_string!(l, customers.options)}</legend>
                <OptionChecklist options=defaults.options.clone() chosen=options />
                <FieldError id="customer-options-error" message=message("options") />
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { td_string!(l, customers.creating) } else { td_string!(l, customers.create) }}
                </button>
                <a class="button button-secondary" href="/customers">
                    {td_string!(l, customers.cancel)}
                </a>
            </div>
        </form>
        <KeyReveal
            open=reveal
            key
            heading=td_string!(l, customers.created_heading)
            done_label=td_string!(l, customers.open_customer)
        />
    }
}
