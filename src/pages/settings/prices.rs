//! The price lists: the one in force, planned ones, earlier ones, and the
//! form for a new list from a month on.

use leptos::prelude::*;

use crate::api::billing::SavePriceList;
use crate::components::field::{AmountCell, CheckedForm, ListFormHead};
use crate::components::language::{use_reader, Reader};
use crate::domain::billing_settings::{option_price_field, OptionPriceForm, PriceListForm, Pricing};
use crate::domain::UnitPrice;
use crate::i18n::{td_string, Locale};
use crate::views::billing::{PriceListView, PricingPage};

/// How a pricing reads on the settings page.
pub fn pricing_name(pricing: Pricing, l: Locale) -> &'static str {
    match pricing {
        Pricing::PerUser => td_string!(l, settings.pricing_per_user),
        Pricing::Flat => td_string!(l, settings.pricing_flat),
    }
}

/// A price as the form shows it to change: "4.50" / "4,50" (both are
/// read back, `UnitPrice::parse`).
fn typed(r: &Reader, price: UnitPrice) -> String {
    crate::domain::locale::fixed(price.e4(), 4, 2, r.language)
}

fn option_name(page: &PricingPage, code: &str) -> String {
    page.catalogue.iter().find(|o| o.code == code).map(|o| o.name.clone()).unwrap_or_else(|| code.to_owned())
}

/// One price list as a table.
#[component]
fn PriceTable(page: PricingPage, list: PriceListView, caption: String) -> impl IntoView {
    let currency = page.settings.currency.clone();
    let r = use_reader();
    let l = r.l();
    let rows = list
        .options
        .iter()
        .map(|o| {
            let retired = page.catalogue.iter().any(|c| c.code == o.code && c.retired);
            view! {
                <tr>
                    <td>
                        {option_name(&page, &o.code)}
                        {retired.then(|| view! { <span class="pill">{td_string!(l, settings.retired)}</span> })}
                    </td>
                    <td>{pricing_name(o.pricing, l)}</td>
                    <td class="num">{r.unit_price(o.price, &currency)}</td>
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
                        <th scope="col">{td_string!(l, settings.item)}</th>
                        <th scope="col">{td_string!(l, settings.pricing)}</th>
                        <th scope="col" class="num">{td_string!(l, settings.unit_price)}</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <td>{td_string!(l, settings.users)}</td>
                        <td>{pricing_name(Pricing::PerUser, l)}</td>
                        <td class="num">{r.unit_price(list.per_user, &page.settings.currency)}</td>
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
    let r = use_reader();
    let l = r.l();
    let examples = (!page.settings.prices_confirmed).then(|| {
        view! {
            <p class="notice notice-warn" role="note">
                <strong>{td_string!(l, settings.example_prices)}</strong>
                {td_string!(l, settings.example_prices_text)}
            </p>
        }
    });
    let in_force_view = in_force.clone().map(|list| {
        let month = r.month(list.effective);
        let caption = td_string!(l, settings.prices_in_force_since, month = month.clone());
        view! {
            <h3>{td_string!(l, settings.in_force_since, month)}</h3>
            <p class="muted small">{td_string!(l, settings.saved_by, at = r.time(list.saved_at), by = list.saved_by.clone())}</p>
            <PriceTable page=page.clone() list caption />
        }
    });
    let planned_view = planned
        .into_iter()
        .map(|list| {
            let month = r.month(list.effective);
            let caption = td_string!(l, settings.prices_from, month = month.clone());
            view! {
                <h3>{td_string!(l, settings.planned_from, month)}</h3>
                <PriceTable page=page.clone() list caption />
            }
        })
        .collect_view();
    let earlier_count = earlier.len();
    let earlier_view = (earlier_count > 0).then(|| {
        let page = page.clone();
        view! {
            <details class="earlier">
                <summary>{td_string!(l, settings.earlier_lists, count = earlier_count)}</summary>
                {earlier
                    .into_iter()
                    .map(|list| {
                        let month = r.month(list.effective);
                        let caption = td_string!(l, settings.prices_from, month = month.clone());
                        view! {
                            <h3>{td_string!(l, settings.from_month, month)}</h3>
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
                <h2 id="prices-title">{td_string!(l, settings.prices)}</h2>
                <button
                    type="button"
                    class="button button-secondary"
                    aria-expanded=move || editing.get().to_string()
                    aria-controls="price-list-form"
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    {move || {
                        if editing.get() {
                            td_string!(l, settings.close_form)
                        } else {
                            td_string!(l, settings.new_price_list_button)
                        }
                    }}
                </button>
            </div>
            {examples}
            <p class="muted">{td_string!(l, settings.prices_intro)}</p>
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
    let r = use_reader();
    let l = r.l();
    let form = RwSignal::new(PriceListForm {
        effective_month: start.to_string(),
        per_user: base.as_ref().map(|b| typed(&r, b.per_user)).unwrap_or_default(),
        options: page
            .catalogue
            .iter()
            .map(|o| {
                let price = base.as_ref().and_then(|b| b.price_of(&o.code));
                OptionPriceForm {
                    code: o.code.clone(),
                    pricing: price.map(|p| p.pricing.as_str()).unwrap_or("per_user").to_owned(),
                    price: price.map(|p| typed(&r, p.price)).unwrap_or_default(),
                }
            })
            .collect(),
    });
    let check = CheckedForm::<SavePriceList>::new(
        move || form.with(|f| f.validate(current).err().unwrap_or_default()),
        move || {
            editing.set(false);
            refresh.update(|n| *n += 1);
        },
    );
    let on_submit = move |ev| check.submit(ev, || SavePriceList { form: form.get() });
    let currency = page.settings.currency.clone();
    let option_rows = page
        .catalogue
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let field = option_price_field(&o.code);
            let price_id = format!("price-{}", o.code);
            let pricing_id = format!("pricing-{}", o.code);
            let msg = check.message(field);
            let name = o.name.clone();
            view! {
                <tr>
                    <th scope="row">
                        {o.name.clone()}
                        {o.retired.then(|| view! { <span class="pill">{td_string!(l, settings.retired)}</span> })}
                    </th>
                    <td>
                        <label class="visually-hidden" for=pricing_id.clone()>
                            {td_string!(l, settings.pricing_of, name = name.clone())}
                        </label>
                        <select
                            id=pricing_id
                            on:change=move |ev| form.update(|f| f.options[i].pricing = event_target_value(&ev))
                        >
                            <option value="per_user" selected=move || form.with(|f| f.options[i].pricing == "per_user")>
                                {pricing_name(Pricing::PerUser, l)}
                            </option>
                            <option value="flat" selected=move || form.with(|f| f.options[i].pricing == "flat")>
                                {pricing_name(Pricing::Flat, l)}
                            </option>
                        </select>
                    </td>
                    <AmountCell
                        id=price_id
                        label=td_string!(l, settings.price_of, name)
                        value=Signal::derive(move || form.with(|f| f.options[i].price.clone()))
                        set=Callback::new(move |v| form.update(|f| f.options[i].price = v))
                        message=msg
                    />
                </tr>
            }
        })
        .collect_view();
    view! {
        <form id="price-list-form" class="form-card price-form" on:submit=on_submit novalidate>
            <ListFormHead
                title=td_string!(l, settings.new_price_list)
                help=td_string!(l, settings.price_list_help, currency)
                general=check.general
                id="price-effective"
                min=current
                value=Signal::derive(move || form.with(|f| f.effective_month.clone()))
                set=Callback::new(move |v| form.update(|f| f.effective_month = v))
                message=check.message("effective_month")
            />
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, settings.new_list_prices)>
                <table class="data-table">
                    <caption class="visually-hidden">{td_string!(l, settings.new_list_prices)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, settings.item)}</th>
                            <th scope="col">{td_string!(l, settings.pricing)}</th>
                            <th scope="col" class="num">
                                {td_string!(l, settings.unit_price_in, currency = page.settings.currency.clone())}
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr>
                            <th scope="row">{td_string!(l, settings.users)}</th>
                            <td>{pricing_name(Pricing::PerUser, l)}</td>
                            <AmountCell
                                id="price-users".to_owned()
                                label=td_string!(l, settings.price_per_user).to_owned()
                                value=Signal::derive(move || form.with(|f| f.per_user.clone()))
                                set=Callback::new(move |v| form.update(|f| f.per_user = v))
                                message=check.message("per_user")
                            />
                        </tr>
                        {option_rows}
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || check.pending().get()>
                    {td_string!(l, settings.save_price_list)}
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| editing.set(false)>
                    {td_string!(l, settings.cancel)}
                </button>
            </div>
        </form>
    }
}
