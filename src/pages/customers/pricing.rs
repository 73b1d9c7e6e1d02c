//! A billed customer's sell prices: whether it is for resale, the pricing
//! in force (list prices, a discount, fixed prices), planned and earlier
//! ones, and the form for a pricing from a month on (operators and admins).

use leptos::prelude::*;

use crate::api::billing::{customer_pricing, SaveCustomerPricing};
use crate::api::customers::{SetDebtorAccount, SetNotForResale};
use crate::components::data::data;
use crate::components::field::{general_message, CheckedForm, StartMonthField, TextField};
use crate::components::language::{use_reader, Reader};
use crate::components::loaded;
use crate::components::session::use_can_operate;
use crate::components::FieldError;
use crate::domain::percent::Percent;
use crate::domain::sell_forms::{fixed_field, CustomerPricingForm};
use crate::i18n::td_string;
use crate::views::billing::{CustomerPricingPage, PricingView};
use crate::views::customers::CustomerDetail;

/// A pricing in words: "List prices", "10% discount · Users €3.50 fixed".
fn describe(r: &Reader, p: &PricingView, page: &CustomerPricingPage) -> String {
    let l = r.l();
    if p.is_list_prices() {
        return td_string!(l, customer.list_prices).to_owned();
    }
    let mut parts = Vec::new();
    if p.discount != Percent::ZERO {
        parts.push(td_string!(l, customer.discount_of, percent = r.percent(p.discount.bp(), 2, 0)));
    }
    let fixed =
        |name: String, price| td_string!(l, customer.fixed_price_of, name, price = r.unit_price(price, &page.currency));
    if let Some(price) = p.per_user {
        parts.push(fixed(td_string!(l, customer.line_users).to_owned(), price));
    }
    for (code, price) in &p.fixed {
        let name = page.options.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone()).unwrap_or_else(|| code.clone());
        parts.push(fixed(name, *price));
    }
    parts.join(" · ")
}

#[component]
pub fn SellPricesCard(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let id = customer.id;
    let page = data(move || refresh.get(), move |_| customer_pricing(id));
    view! {
        <section class="card" aria-labelledby="sell-title">
            {loaded(page, move |p| view! { <SellPricesView page=p customer=customer.clone() refresh /> })}
        </section>
    }
}

#[component]
fn SellPricesView(page: CustomerPricingPage, customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let can_operate = use_can_operate();
    let r = use_reader();
    let l = r.l();
    let editing = RwSignal::new(false);
    let current = page.current_month;
    let in_force = page
        .in_force()
        .map(|p| describe(&r, p, &page))
        .unwrap_or_else(|| td_string!(l, customer.list_prices).to_owned());
    let others: Vec<_> = page
        .pricings
        .iter()
        .rev()
        .filter(|p| Some(p.effective) != page.in_force().map(|f| f.effective))
        .map(|p| {
            let when = if p.effective > current {
                td_string!(l, customer.pricing_planned, month = r.month(p.effective))
            } else {
                td_string!(l, customer.pricing_earlier, month = r.month(p.effective))
            };
            let saved = td_string!(l, customer.pricing_saved_by, at = r.time(p.saved_at), by = p.saved_by.clone());
            view! {
                <li>
                    <strong>{when}</strong>
                    ": "
                    {describe(&r, p, &page)}
                    <span class="muted small">{format!(" · {saved}")}</span>
                </li>
            }
        })
        .collect();
    let others = (!others.is_empty()).then(|| view! { <ul class="pricing-list">{others}</ul> });
    let nfr = customer.not_for_resale;
    let toggle = ServerAction::<SetNotForResale>::new();
    Effect::new(move |_| {
        if matches!(toggle.value().get(), Some(Ok(()))) {
            refresh.update(|n| *n += 1);
        }
    });
    let toggle_error = general_message(Signal::derive(move || toggle.value().get().and_then(Result::err)));
    let version = customer.version;
    let form_page = page.clone();
    let form_customer = customer.clone();
    view! {
        <div class="card-heading">
            <h2 id="sell-title">{td_string!(l, customer.sell_prices)}</h2>
            {move || {
                can_operate.get().then(|| view! {
                    <button
                        type="button"
                        class="button button-secondary"
                        aria-expanded=move || editing.get().to_string()
                        aria-controls="pricing-form"
                        on:click=move |_| editing.update(|e| *e = !*e)
                    >
                        {move || if editing.get() {
                            td_string!(l, customer.close_pricing)
                        } else {
                            td_string!(l, customer.change_pricing)
                        }}
                    </button>
                })
            }}
        </div>
        <dl class="facts">
            <dt>{td_string!(l, customer.resale)}</dt>
            <dd>
                {if nfr {
                    td_string!(l, customer.resale_no)
                } else {
                    td_string!(l, customer.resale_yes)
                }}
                {move || can_operate.get().then(|| view! {
                    " "
                    <button
                        type="button"
                        class="button button-secondary resale-action"
                        disabled=move || toggle.pending().get()
                        on:click=move |_| {
                            toggle.dispatch(SetNotForResale { id: customer.id, version, not_for_resale: !nfr });
                        }
                    >
                        {if nfr { td_string!(l, customer.mark_for_resale) } else { td_string!(l, customer.mark_not_for_resale) }}
                    </button>
                })}
            </dd>
            <dt>{td_string!(l, customer.pricing_now)}</dt>
            <dd>{in_force}</dd>
            <dt>{td_string!(l, customer.debtor_account)}</dt>
            <dd>
                {customer.debtor_account.clone().unwrap_or_else(|| td_string!(l, customer.debtor_account_none).to_owned())}
            </dd>
        </dl>
        {move || toggle_error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {others}
        <p class="muted small">{td_string!(l, customer.pricing_help)}</p>
        {move || {
            editing.get().then(|| {
                let (page, customer) = (form_page.clone(), form_customer.clone());
                view! {
                    <Suspense fallback=|| ()>
                        {Suspend::new(async move { sell_price_forms(page, customer, refresh, editing).await })}
                    </Suspense>
                }
            })
        }}
    }
}

/// The card's forms (the pricing from a month on, the debtor account): a
/// part of the WebAssembly of their own, loaded when someone opens them
/// rather than with every customer's page.
#[lazy]
fn sell_price_forms(
    page: CustomerPricingPage,
    customer: CustomerDetail,
    refresh: RwSignal<u32>,
    editing: RwSignal<bool>,
) -> AnyView {
    view! {
        <PricingEditor page id=customer.id refresh editing />
        <DebtorAccountForm customer refresh />
    }
    .into_any()
}

#[component]
fn PricingEditor(page: CustomerPricingPage, id: i64, refresh: RwSignal<u32>, editing: RwSignal<bool>) -> impl IntoView {
    let current = page.current_month;
    let r = use_reader();
    let l = r.l();
    let base = page.in_force();
    let typed = |price: Option<crate::domain::UnitPrice>| {
        price.map(|p| crate::domain::locale::fixed(p.e4(), 4, 2, r.language)).unwrap_or_default()
    };
    let mut fixed = vec![(String::new(), typed(base.and_then(|b| b.per_user)))];
    fixed.extend(page.options.iter().map(|(code, _)| (code.clone(), typed(base.and_then(|b| b.fixed_price(code))))));
    let discount = base.map(|b| b.discount).filter(|d| *d != Percent::ZERO);
    let form = RwSignal::new(CustomerPricingForm {
        effective_month: current.next().to_string(),
        discount: discount.map(|d| crate::domain::locale::fixed(d.bp(), 2, 0, r.language)).unwrap_or_default(),
        fixed,
    });
    let check = CheckedForm::<SaveCustomerPricing>::new(
        move || form.with(|f| f.validate(current).err().unwrap_or_default()),
        move || {
            editing.set(false);
            refresh.update(|n| *n += 1);
        },
    );
    let on_submit = move |ev| check.submit(ev, || SaveCustomerPricing { id, form: form.get() });
    let names: Vec<String> = std::iter::once(td_string!(l, customer.line_users).to_owned())
        .chain(page.options.iter().map(|(_, name)| name.clone()))
        .collect();
    let fixed_fields = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let code = form.with_untracked(|f| f.fixed[i].0.clone());
            let slug = if code.is_empty() { "users".to_owned() } else { code.clone() };
            let input_id = format!("fixed-{slug}");
            let error_id = format!("fixed-{slug}-error");
            let msg = check.message(fixed_field(&code));
            view! {
                <div class="field">
                    <label for=input_id.clone()>{td_string!(l, customer.fixed_price_label, name)}</label>
                    <input
                        id=input_id
                        class="price-input"
                        type="text"
                        inputmode="decimal"
                        placeholder=td_string!(l, customer.list_price_placeholder)
                        aria-describedby=error_id.clone()
                        aria-invalid=move || msg.get().is_some().then_some("true")
                        prop:value=move || form.with(|f| f.fixed[i].1.clone())
                        on:input=move |ev| form.update(|f| f.fixed[i].1 = event_target_value(&ev))
                    />
                    <FieldError id=error_id message=msg />
                </div>
            }
        })
        .collect_view();
    view! {
        <form id="pricing-form" class="form-card" on:submit=on_submit novalidate>
            <h3>{td_string!(l, customer.new_pricing)}</h3>
            <p class="muted small">{td_string!(l, customer.new_pricing_help, currency = page.currency.clone())}</p>
            {move || check.general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <div class="form-grid">
                <StartMonthField
                    id="pricing-effective"
                    label=td_string!(l, customer.pricing_from)
                    min=current
                    value=Signal::derive(move || form.with(|f| f.effective_month.clone()))
                    set=Callback::new(move |v| form.update(|f| f.effective_month = v))
                    message=check.message("effective_month")
                />
                <TextField
                    id="pricing-discount"
                    label=td_string!(l, customer.discount_label)
                    inputmode="decimal"
                    placeholder="0"
                    value=Signal::derive(move || form.with(|f| f.discount.clone()))
                    set=Callback::new(move |v| form.update(|f| f.discount = v))
                    message=check.message("discount")
                />
                {fixed_fields}
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || check.pending().get()>
                    {td_string!(l, customer.save_pricing)}
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| editing.set(false)>
                    {td_string!(l, customer.cancel)}
                </button>
            </div>
        </form>
    }
}

/// The customer's debtor account for the DATEV export.
#[component]
fn DebtorAccountForm(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let l = use_reader().l();
    let value = RwSignal::new(customer.debtor_account.clone().unwrap_or_default());
    let save = ServerAction::<SetDebtorAccount>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let field = crate::components::field::server_message(error, "debtor_account");
    let general = general_message(error);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            refresh.update(|n| *n += 1);
        }
    });
    let (id, version) = (customer.id, customer.version);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SetDebtorAccount { id, version, debtor_account: value.get() });
    };
    view! {
        <form class="inline-form" on:submit=on_submit novalidate>
            <div class="field field-inline">
                <label for="debtor-account">{td_string!(l, customer.debtor_account)}</label>
                <input
                    id="debtor-account"
                    class="price-input"
                    type="text"
                    inputmode="numeric"
                    maxlength="9"
                    aria-describedby="debtor-account-error"
                    aria-invalid=move || field.get().is_some().then_some("true")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <button type="submit" class="button button-secondary" disabled=move || save.pending().get()>
                    {td_string!(l, customer.save_debtor_account)}
                </button>
            </div>
            <FieldError id="debtor-account-error" message=field />
            {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        </form>
    }
}
