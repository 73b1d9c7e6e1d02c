//! The option catalogue: add, rename, retire and reinstate options.

use leptos::prelude::*;

use super::prices::pricing_name;
use crate::api::billing::{AddOption, RenameOption, SetOptionRetired};
use crate::components::field::{field_message, general_message, server_message};
use crate::components::language::{use_locale, use_reader};
use crate::components::FieldError;
use crate::domain::billing_settings::{NewOptionForm, Pricing};
use crate::i18n::td_string;
use crate::views::billing::{CatalogueEntry, PricingPage};

/// Loads the settings anew after each successful call of `action`.
fn bump_on_success<A>(action: ServerAction<A>, refresh: RwSignal<u32>)
where
    A: leptos::server_fn::ServerFn<Output = (), Error = crate::error::AppError> + Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            refresh.update(|n| *n += 1);
        }
    });
}

#[component]
pub fn CatalogueCard(page: PricingPage, refresh: RwSignal<u32>) -> impl IntoView {
    let rename = ServerAction::<RenameOption>::new();
    let retire = ServerAction::<SetOptionRetired>::new();
    bump_on_success(rename, refresh);
    bump_on_success(retire, refresh);
    let rename_error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let retire_error = general_message(Signal::derive(move || retire.value().get().and_then(Result::err)));
    let rows = page.catalogue.iter().cloned().map(|o| view! { <CatalogueRow option=o rename retire /> }).collect_view();
    let l = use_locale();
    view! {
        <section class="card" aria-labelledby="catalogue-title">
            <h2 id="catalogue-title">{td_string!(l, settings.catalogue)}</h2>
            <p class="muted">{td_string!(l, settings.catalogue_intro)}</p>
            {move || retire_error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <FieldError id="rename-error" message=server_message(rename_error, "name") />
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, settings.catalogue_table)>
                <table class="data-table catalogue-table">
                    <caption class="visually-hidden">{td_string!(l, settings.catalogue)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, settings.option)}</th>
                            <th scope="col">{td_string!(l, settings.code)}</th>
                            <th scope="col" class="num">{td_string!(l, settings.booked_by)}</th>
                            <th scope="col">{td_string!(l, settings.state)}</th>
                            <th scope="col">
                                <span class="visually-hidden">{td_string!(l, settings.actions)}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <AddOptionForm currency=page.settings.currency.clone() refresh />
        </section>
    }
}

#[component]
fn CatalogueRow(
    option: CatalogueEntry,
    rename: ServerAction<RenameOption>,
    retire: ServerAction<SetOptionRetired>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let name = RwSignal::new(option.name.clone());
    let code = option.code.clone();
    let input_id = format!("rename-{}", option.code);
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(()))) {
            editing.set(false);
        }
    });
    let (code_for_save, code_for_retire) = (code.clone(), code.clone());
    let retired = option.retired;
    let booked = option.booked_by;
    let r = use_reader();
    let l = r.l();
    let name_cell = {
        let input_id = input_id.clone();
        let shown = option.name.clone();
        move || {
            if editing.get() {
                let code = code_for_save.clone();
                view! {
                    <form
                        class="inline-form"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            rename.dispatch(RenameOption { code: code.clone(), name: name.get() });
                        }
                    >
                        <label class="visually-hidden" for=input_id.clone()>{td_string!(l, settings.new_name)}</label>
                        <input
                            id=input_id.clone()
                            type="text"
                            maxlength="80"
                            aria-describedby="rename-error"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                        <button type="submit" class="button button-primary" disabled=move || rename.pending().get()>
                            {td_string!(l, settings.save)}
                        </button>
                        <button type="button" class="button button-secondary" on:click=move |_| editing.set(false)>
                            {td_string!(l, settings.cancel)}
                        </button>
                    </form>
                }
                .into_any()
            } else {
                view! { <span>{shown.clone()}</span> }.into_any()
            }
        }
    };
    view! {
        <tr>
            <td>{name_cell}</td>
            <td>
                <code>{code.clone()}</code>
            </td>
            <td class="num">
                <span class="narrow-only">{td_string!(l, settings.booked_by_narrow)}</span>
                {r.count(booked)}
            </td>
            <td>
                {if retired {
                    view! { <span class="badge badge-deactivated">{td_string!(l, settings.state_retired)}</span> }.into_any()
                } else {
                    view! { <span class="badge badge-active">{td_string!(l, settings.state_bookable)}</span> }.into_any()
                }}
            </td>
            <td class="row-actions">
                <button
                    type="button"
                    class="button button-quiet"
                    aria-label=td_string!(l, settings.rename_option, name = option.name.clone())
                    on:click=move |_| editing.set(true)
                >
                    {td_string!(l, settings.rename)}
                </button>
                <button
                    type="button"
                    class="button button-quiet"
                    aria-label=if retired {
                        td_string!(l, settings.reinstate_option, name = option.name.clone())
                    } else {
                        td_string!(l, settings.retire_option, name = option.name.clone())
                    }
                    disabled=move || retire.pending().get()
                    on:click=move |_| {
                        retire.dispatch(SetOptionRetired { code: code_for_retire.clone(), retired: !retired });
                    }
                >
                    {if retired { td_string!(l, settings.reinstate) } else { td_string!(l, settings.retire) }}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn AddOptionForm(currency: String, refresh: RwSignal<u32>) -> impl IntoView {
    let form = RwSignal::new(NewOptionForm { pricing: "per_user".to_owned(), ..Default::default() });
    let add = ServerAction::<AddOption>::new();
    bump_on_success(add, refresh);
    let submitted = RwSignal::new(false);
    let server_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let general = general_message(server_error);
    let problems = Memo::new(move |_| form.with(|f| f.validate().err().unwrap_or_default()));
    let message = move |field: &'static str| field_message(problems, submitted.into(), server_error, field);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if problems.with(Vec::is_empty) {
            add.dispatch(AddOption { form: form.get() });
        }
    };
    let l = use_locale();
    let field = move |id: &'static str,
                      label: String,
                      key: &'static str,
                      get: fn(&NewOptionForm) -> String,
                      set: fn(&mut NewOptionForm, String)| {
        let msg = message(key);
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    type="text"
                    autocomplete="off"
                    aria-describedby=error_id.clone()
                    aria-invalid=move || msg.get().is_some().then_some("true")
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
                <FieldError id=error_id message=msg />
            </div>
        }
    };
    view! {
        <h3>{td_string!(l, settings.add_option_title)}</h3>
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <form class="form-grid" on:submit=on_submit novalidate>
            {field("option-name", td_string!(l, settings.name).to_owned(), "name", |f| f.name.clone(), |f, v| f.name = v)}
            {field("option-code", td_string!(l, settings.code).to_owned(), "code", |f| f.code.clone(), |f, v| f.code = v)}
            <div class="field">
                <label for="option-pricing">{td_string!(l, settings.pricing)}</label>
                <select id="option-pricing" on:change=move |ev| form.update(|f| f.pricing = event_target_value(&ev))>
                    <option value="per_user">{pricing_name(Pricing::PerUser, l)}</option>
                    <option value="flat">{pricing_name(Pricing::Flat, l)}</option>
                </select>
            </div>
            {field(
                "option-price",
                td_string!(l, settings.price_in, currency),
                "price",
                |f| f.price.clone(),
                |f, v| f.price = v,
            )}
            <div class="field field-actions">
                <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                    {td_string!(l, settings.add_option)}
                </button>
            </div>
        </form>
        <p class="help">{td_string!(l, settings.add_option_help)}</p>
    }
}
