//! The MSP's own sell prices: the sell list in force, planned and earlier
//! ones, and the form for a new list from a month on (each item at the
//! vendor's price, at a unit price or at a markup over the vendor's).

use leptos::prelude::*;

use crate::api::billing::SaveSellList;
use crate::components::field::{AmountCell, CheckedForm, ListFormHead};
use crate::components::language::{use_reader, Reader};
use crate::domain::sell_forms::{sell_field, SellListForm, SellPriceForm};
use crate::domain::selling::{marked_up, SellList, SellPrice};
use crate::domain::UnitPrice;
use crate::i18n::td_string;
use crate::views::billing::{PricingPage, SellListView};

/// How an item's sell price reads: "Vendor price", "€4.00", "+25%".
pub fn sell_rule(r: &Reader, price: Option<SellPrice>, currency: &str) -> String {
    match price {
        None => td_string!(r.l(), settings.sell_vendor).to_owned(),
        Some(SellPrice::Price(p)) => r.unit_price(p, currency),
        Some(SellPrice::Markup(m)) => format!("+{}", r.percent(m.bp(), 2, 0)),
    }
}

/// The item's sell unit price against a vendor price (None: unknown).
fn resulting(price: Option<SellPrice>, vendor: Option<UnitPrice>) -> Option<UnitPrice> {
    match price {
        Some(SellPrice::Price(p)) => Some(p),
        Some(SellPrice::Markup(m)) => vendor.and_then(|v| marked_up(v, m).ok()),
        None => vendor,
    }
}

/// The items of the catalogue: (code, name), the users first (code empty).
fn items(page: &PricingPage) -> Vec<(String, String)> {
    let users = td_string!(use_reader().l(), settings.users).to_owned();
    std::iter::once((String::new(), users))
        .chain(page.catalogue.iter().map(|o| (o.code.clone(), o.name.clone())))
        .collect()
}

fn price_in(list: &SellList, code: &str) -> Option<SellPrice> {
    if code.is_empty() {
        list.per_user
    } else {
        list.options.get(code).copied()
    }
}

/// One sell list as a table, with each item's vendor price in force now.
#[component]
fn SellTable(page: PricingPage, list: SellList, caption: String) -> impl IntoView {
    let currency = page.settings.currency.clone();
    let r = use_reader();
    let l = r.l();
    let vendor = page.in_force().cloned();
    let rows = items(&page)
        .into_iter()
        .map(|(code, name)| {
            let price = price_in(&list, &code);
            let vendor_price = vendor.as_ref().and_then(|v| {
                if code.is_empty() {
                    Some(v.per_user)
                } else {
                    v.price_of(&code).map(|o| o.price)
                }
            });
            let shown = |p: Option<UnitPrice>| p.map(|p| r.unit_price(p, &currency)).unwrap_or_else(|| "—".to_owned());
            view! {
                <tr>
                    <td>{name}</td>
                    <td class="num">{shown(vendor_price)}</td>
                    <td class="num">{sell_rule(&r, price, &currency)}</td>
                    <td class="num">{shown(resulting(price, vendor_price))}</td>
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
                        <th scope="col" class="num">{td_string!(l, settings.vendor_price_now)}</th>
                        <th scope="col" class="num">{td_string!(l, settings.sell_price)}</th>
                        <th scope="col" class="num">{td_string!(l, settings.sell_unit_price)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn SellPricesCard(page: PricingPage, refresh: RwSignal<u32>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let current = page.current_month;
    let in_force = page.sell_in_force().cloned();
    let in_force_month = in_force.as_ref().map(|l| l.effective);
    let planned: Vec<SellListView> = page.sell_lists.iter().filter(|s| s.list.effective > current).cloned().collect();
    let earlier: Vec<SellListView> = page
        .sell_lists
        .iter()
        .filter(|s| s.list.effective < current && Some(s.list.effective) != in_force_month)
        .cloned()
        .collect();
    let r = use_reader();
    let l = r.l();
    let in_force_view = match page.sell_lists.iter().find(|s| Some(s.list.effective) == in_force_month).cloned() {
        Some(shown) => {
            let month = r.month(shown.list.effective);
            let caption = td_string!(l, settings.sell_prices_since, month = month.clone());
            view! {
                <h3>{td_string!(l, settings.in_force_since, month)}</h3>
                <p class="muted small">
                    {td_string!(l, settings.saved_by, at = r.time(shown.saved_at), by = shown.saved_by.clone())}
                </p>
                <SellTable page=page.clone() list=shown.list caption />
            }
            .into_any()
        }
        None => view! { <p class="notice" role="note">{td_string!(l, settings.no_sell_list)}</p> }.into_any(),
    };
    let planned_view = planned
        .into_iter()
        .map(|shown| {
            let month = r.month(shown.list.effective);
            let caption = td_string!(l, settings.sell_prices_from, month = month.clone());
            view! {
                <h3>{td_string!(l, settings.planned_from, month)}</h3>
                <SellTable page=page.clone() list=shown.list caption />
            }
        })
        .collect_view();
    let earlier_count = earlier.len();
    let earlier_view = (earlier_count > 0).then(|| {
        let page = page.clone();
        view! {
            <details class="earlier">
                <summary>{td_string!(l, settings.earlier_sell_lists, count = earlier_count)}</summary>
                {earlier
                    .into_iter()
                    .map(|shown| {
                        let month = r.month(shown.list.effective);
                        let caption = td_string!(l, settings.sell_prices_from, month = month.clone());
                        view! {
                            <h3>{td_string!(l, settings.from_month, month)}</h3>
                            <SellTable page=page.clone() list=shown.list caption />
                        }
                    })
                    .collect_view()}
            </details>
        }
    });
    let form_page = page.clone();
    view! {
        <section class="card" aria-labelledby="sell-prices-title">
            <div class="card-heading">
                <h2 id="sell-prices-title">{td_string!(l, settings.sell_prices)}</h2>
                <button
                    type="button"
                    class="button button-secondary"
                    aria-expanded=move || editing.get().to_string()
                    aria-controls="sell-list-form"
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    {move || {
                        if editing.get() {
                            td_string!(l, settings.close_form)
                        } else {
                            td_string!(l, settings.new_sell_list_button)
                        }
                    }}
                </button>
            </div>
            <p class="muted">{td_string!(l, settings.sell_intro)}</p>
            {move || editing.get().then(|| view! { <SellListEditor page=form_page.clone() refresh editing /> })}
            {in_force_view}
            {planned_view}
            {earlier_view}
        </section>
    }
}

/// An item's price as the form shows it to change.
fn typed(r: &Reader, price: Option<SellPrice>) -> (String, String) {
    use crate::domain::locale::fixed;
    match price {
        None => ("vendor".to_owned(), String::new()),
        Some(SellPrice::Price(p)) => ("price".to_owned(), fixed(p.e4(), 4, 2, r.language)),
        Some(SellPrice::Markup(m)) => ("markup".to_owned(), fixed(m.bp(), 2, 0, r.language)),
    }
}

#[component]
fn SellListEditor(page: PricingPage, refresh: RwSignal<u32>, editing: RwSignal<bool>) -> impl IntoView {
    let current = page.current_month;
    let base = page.sell_in_force().cloned();
    let r = use_reader();
    let l = r.l();
    let items = items(&page);
    let form = RwSignal::new(SellListForm {
        effective_month: current.next().to_string(),
        items: items
            .iter()
            .map(|(code, _)| {
                let (method, value) = typed(&r, base.as_ref().and_then(|b| price_in(b, code)));
                SellPriceForm { code: code.clone(), method, value }
            })
            .collect(),
    });
    let check = CheckedForm::<SaveSellList>::new(
        move || form.with(|f| f.validate(current).err().unwrap_or_default()),
        move || {
            editing.set(false);
            refresh.update(|n| *n += 1);
        },
    );
    let on_submit = move |ev| check.submit(ev, || SaveSellList { form: form.get() });
    let currency = page.settings.currency.clone();
    let rows = items
        .into_iter()
        .enumerate()
        .map(|(i, (code, name))| {
            let slug = if code.is_empty() { "users".to_owned() } else { code.clone() };
            let method_id = format!("sell-method-{slug}");
            let value_id = format!("sell-{slug}");
            let msg = check.message(sell_field(&code));
            let is_vendor = Signal::derive(move || form.with(|f| f.items[i].method == "vendor"));
            view! {
                <tr>
                    <th scope="row">{name.clone()}</th>
                    <td>
                        <label class="visually-hidden" for=method_id.clone()>
                            {td_string!(l, settings.sell_method_of, name = name.clone())}
                        </label>
                        <select
                            id=method_id
                            on:change=move |ev| form.update(|f| f.items[i].method = event_target_value(&ev))
                        >
                            <option value="vendor" selected=move || form.with(|f| f.items[i].method == "vendor")>
                                {td_string!(l, settings.sell_vendor)}
                            </option>
                            <option value="markup" selected=move || form.with(|f| f.items[i].method == "markup")>
                                {td_string!(l, settings.sell_markup)}
                            </option>
                            <option value="price" selected=move || form.with(|f| f.items[i].method == "price")>
                                {td_string!(l, settings.sell_fixed_price)}
                            </option>
                        </select>
                    </td>
                    <AmountCell
                        id=value_id
                        label=td_string!(l, settings.sell_value_of, name)
                        value=Signal::derive(move || form.with(|f| f.items[i].value.clone()))
                        set=Callback::new(move |v| form.update(|f| f.items[i].value = v))
                        message=msg
                        disabled=is_vendor
                    />
                </tr>
            }
        })
        .collect_view();
    view! {
        <form id="sell-list-form" class="form-card price-form" on:submit=on_submit novalidate>
            <ListFormHead
                title=td_string!(l, settings.new_sell_list)
                help=td_string!(l, settings.sell_list_help, currency)
                general=check.general
                id="sell-effective"
                min=current
                value=Signal::derive(move || form.with(|f| f.effective_month.clone()))
                set=Callback::new(move |v| form.update(|f| f.effective_month = v))
                message=check.message("effective_month")
            />
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, settings.new_sell_prices)>
                <table class="data-table">
                    <caption class="visually-hidden">{td_string!(l, settings.new_sell_prices)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, settings.item)}</th>
                            <th scope="col">{td_string!(l, settings.sell_how)}</th>
                            <th scope="col" class="num">{td_string!(l, settings.sell_value)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || check.pending().get()>
                    {td_string!(l, settings.save_sell_list)}
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| editing.set(false)>
                    {td_string!(l, settings.cancel)}
                </button>
            </div>
        </form>
    }
}
