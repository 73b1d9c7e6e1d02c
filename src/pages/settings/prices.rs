//! The price lists: the one in force, planned ones, earlier ones, and the
//! form for a new list from a month on.

use leptos::prelude::*;

use crate::api::billing::SavePriceList;
use crate::components::field::{field_message, general_message};
use crate::components::{format, FieldError};
use crate::domain::billing_settings::{option_price_field, OptionPriceForm, PriceListForm, Pricing};
use crate::views::billing::{PriceListView, PricingPage};

fn option_name(page: &PricingPage, code: &str) -> String {
    page.catalogue.iter().find(|o| o.code == code).map(|o| o.name.clone()).unwrap_or_else(|| code.to_owned())
}

/// One price list as a table.
#[component]
fn PriceTable(page: PricingPage, list: PriceListView, caption: String) -> impl IntoView {
    let currency = page.settings.currency.clone();
    let rows = list
        .options
        .iter()
        .map(|o| {
            let retired = page.catalogue.iter().any(|c| c.code == o.code && c.retired);
            view! {
                <tr>
                    <td>
                        {option_name(&page, &o.code)}
                        {retired.then(|| view! { <span class="pill">"retired"</span> })}
                    </td>
                    <td>{o.pricing.label()}</td>
                    <td class="num">{format!("{} {currency}", o.price)}</td>
                </tr>
            }
        })
        .collect_view();
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Pricing"</th>
                        <th scope="col" class="num">"Unit price"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <td>"Users"</td>
                        <td>{Pricing::PerUser.label()}</td>
                        <td class="num">{format!("{} {}", list.per_user, page.settings.currency)}</td>
                    </tr>
                    {rows}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn PricesCard(page: PricingPage, refresh: RwSignal<u32>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let current = page.current_month;
    let in_force = page.in_force().cloned();
    let planned: Vec<PriceListView> = page.price_lists.iter().filter(|l| l.effective > current).cloned().collect();
    let earlier: Vec<PriceListView> = page
        .price_lists
        .iter()
        .filter(|l| l.effective < current && Some(l.effective) != in_force.as_ref().map(|f| f.effective))
        .cloned()
        .collect();
    let examples = (!page.settings.prices_confirmed).then(|| {
        view! {
            <p class="notice notice-warn" role="note">
                <strong>"Example prices. "</strong>
                "These prices came with the app and are only examples. Save a price list to set your own."
            </p>
        }
    });
    let in_force_view = in_force.clone().map(|list| {
        let caption = format!("Prices in force since {}", list.effective);
        view! {
            <h3>{format!("In force since {}", list.effective)}</h3>
            <p class="muted small">{format!("Saved {} by {}", format::timestamp(list.saved_at), list.saved_by)}</p>
            <PriceTable page=page.clone() list caption />
        }
    });
    let planned_view = planned
        .into_iter()
        .map(|list| {
            let caption = format!("Prices from {}", list.effective);
            view! {
                <h3>{format!("Planned from {}", list.effective)}</h3>
                <PriceTable page=page.clone() list caption />
            }
        })
        .collect_view();
    let earlier_count = earlier.len();
    let earlier_view = (earlier_count > 0).then(|| {
        let page = page.clone();
        view! {
            <details class="earlier">
                <summary>{format!("Earlier price lists ({earlier_count})")}</summary>
                {earlier
                    .into_iter()
                    .map(|list| {
                        let caption = format!("Prices from {}", list.effective);
                        view! {
                            <h3>{format!("From {}", list.effective)}</h3>
                            <PriceTable page=page.clone() list caption />
                        }
                    })
                    .collect_view()}
            </details>
        }
    });
    let form_page = page.clone();
    view! {
        <section class="card" aria-labelledby="prices-title">
            <div class="card-heading">
                <h2 id="prices-title">"Prices"</h2>
                <button
                    type="button"
                    class="button button-secondary"
                    aria-expanded=move || editing.get().to_string()
                    aria-controls="price-list-form"
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    {move || if editing.get() { "Close the form" } else { "New price list…" }}
                </button>
            </div>
            {examples}
            <p class="muted">
                "A price list is in force from its month until a later one starts. A change never alters a past "
                "month: closed months keep their statements, and a new list starts in the current month at the earliest."
            </p>
            {move || {
                editing.get().then(|| view! { <PriceListEditor page=form_page.clone() refresh editing /> })
            }}
            {in_force_view}
            {planned_view}
            {earlier_view}
        </section>
    }
}

#[component]
fn PriceListEditor(page: PricingPage, refresh: RwSignal<u32>, editing: RwSignal<bool>) -> impl IntoView {
    let current = page.current_month;
    let base = page.in_force().cloned();
    let start = current.next();
    let form = RwSignal::new(PriceListForm {
        effective_month: start.to_string(),
        per_user: base.as_ref().map(|b| b.per_user.to_string()).unwrap_or_default(),
        options: page
            .catalogue
            .iter()
            .map(|o| {
                let price = base.as_ref().and_then(|b| b.price_of(&o.code));
                OptionPriceForm {
                    code: o.code.clone(),
                    pricing: price.map(|p| p.pricing.as_str()).unwrap_or("per_user").to_owned(),
                    price: price.map(|p| p.price.to_string()).unwrap_or_default(),
                }
            })
            .collect(),
    });
    let submitted = RwSignal::new(false);
    let save = ServerAction::<SavePriceList>::new();
    let server_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let general = general_message(server_error);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            editing.set(false);
            refresh.update(|n| *n += 1);
        }
    });
    let problems = Memo::new(move |_| form.with(|f| f.validate(current).err().unwrap_or_default()));
    let message = move |field: String| field_message(problems, submitted.into(), server_error, field);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if problems.with(Vec::is_empty) {
            save.dispatch(SavePriceList { form: form.get() });
        }
    };
    let currency = page.settings.currency.clone();
    let option_rows = page
        .catalogue
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let field = option_price_field(&o.code);
            let price_id = format!("price-{}", o.code);
            let pricing_id = format!("pricing-{}", o.code);
            let error_id = format!("price-{}-error", o.code);
            let msg = message(field);
            let name = o.name.clone();
            view! {
                <tr>
                    <th scope="row">
                        {o.name.clone()}
                        {o.retired.then(|| view! { <span class="pill">"retired"</span> })}
                    </th>
                    <td>
                        <label class="visually-hidden" for=pricing_id.clone()>{format!("Pricing of {name}")}</label>
                        <select
                            id=pricing_id
                            on:change=move |ev| form.update(|f| f.options[i].pricing = event_target_value(&ev))
                        >
                            <option value="per_user" selected=move || form.with(|f| f.options[i].pricing == "per_user")>
                                {Pricing::PerUser.label()}
                            </option>
                            <option value="flat" selected=move || form.with(|f| f.options[i].pricing == "flat")>
                                {Pricing::Flat.label()}
                            </option>
                        </select>
                    </td>
                    <td class="num">
                        <label class="visually-hidden" for=price_id.clone()>{format!("Price of {name}")}</label>
                        <input
                            id=price_id
                            class="price-input"
                            type="text"
                            inputmode="decimal"
                            aria-describedby=error_id.clone()
                            aria-invalid=move || msg.get().is_some().then_some("true")
                            prop:value=move || form.with(|f| f.options[i].price.clone())
                            on:input=move |ev| form.update(|f| f.options[i].price = event_target_value(&ev))
                        />
                        <FieldError id=error_id message=msg />
                    </td>
                </tr>
            }
        })
        .collect_view();
    let month_msg = message("effective_month".to_owned());
    let users_msg = message("per_user".to_owned());
    view! {
        <form id="price-list-form" class="form-card price-form" on:submit=on_submit novalidate>
            <h3>"New price list"</h3>
            <p class="muted small">
                {format!(
                    "Prices in {currency} with up to four decimals. Each line of a bill is quantity × unit price, \
                     rounded to cents half away from zero. A list for a month that already has one replaces it."
                )}
            </p>
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <div class="form-grid">
                <div class="field">
                    <label for="price-effective">"In force from (month)"</label>
                    <input
                        id="price-effective"
                        type="month"
                        min=current.to_string()
                        aria-describedby="price-effective-error"
                        aria-invalid=move || month_msg.get().is_some().then_some("true")
                        prop:value=move || form.with(|f| f.effective_month.clone())
                        on:input=move |ev| form.update(|f| f.effective_month = event_target_value(&ev))
                    />
                    <FieldError id="price-effective-error" message=month_msg />
                </div>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Prices of the new list">
                <table class="data-table">
                    <caption class="visually-hidden">"Prices of the new list"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            <th scope="col">"Pricing"</th>
                            <th scope="col" class="num">{format!("Unit price ({})", page.settings.currency)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr>
                            <th scope="row">"Users"</th>
                            <td>{Pricing::PerUser.label()}</td>
                            <td class="num">
                                <label class="visually-hidden" for="price-users">"Price per user"</label>
                                <input
                                    id="price-users"
                                    class="price-input"
                                    type="text"
                                    inputmode="decimal"
                                    aria-describedby="price-users-error"
                                    aria-invalid=move || users_msg.get().is_some().then_some("true")
                                    prop:value=move || form.with(|f| f.per_user.clone())
                                    on:input=move |ev| form.update(|f| f.per_user = event_target_value(&ev))
                                />
                                <FieldError id="price-users-error" message=users_msg />
                            </td>
                        </tr>
                        {option_rows}
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save price list"
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| editing.set(false)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
