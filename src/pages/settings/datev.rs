//! The DATEV export's settings: the tax adviser's and client's numbers, the
//! fiscal year's start, the account length, and the revenue account and
//! tax key of each item.

use leptos::prelude::*;

use crate::api::billing::{datev_settings, SaveDatevSettings};
use crate::components::data::data;
use crate::components::field::{CheckedForm, TextField};
use crate::components::language::use_reader;
use crate::components::loaded;
use crate::components::FieldError;
use crate::domain::datev::{revenue_field, DatevSettingsForm};
use crate::i18n::td_string;
use crate::views::billing::DatevPage;

#[component]
pub fn DatevCard() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let page = data(move || refresh.get(), |_| datev_settings());
    view! {
        <section class="card" aria-labelledby="datev-title">
            {loaded(page, move |p| view! { <DatevForm page=p refresh /> })}
        </section>
    }
}

#[component]
fn DatevForm(page: DatevPage, refresh: RwSignal<u32>) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let s = page.settings.clone().unwrap_or_default();
    let blank = |n: u32| if n == 0 { String::new() } else { n.to_string() };
    let mut items = vec![(String::new(), s.items.get("").cloned().unwrap_or_default())];
    items.extend(page.options.iter().map(|(code, _)| (code.clone(), s.items.get(code).cloned().unwrap_or_default())));
    let form = RwSignal::new(DatevSettingsForm {
        adviser_number: blank(s.adviser_number),
        client_number: blank(s.client_number),
        fiscal_year_start: if s.fiscal_year_start == 0 { "1".into() } else { s.fiscal_year_start.to_string() },
        account_length: if s.account_length == 0 { "4".into() } else { s.account_length.to_string() },
        revenue_account: s.revenue.account.clone(),
        tax_key: s.revenue.tax_key.clone(),
        collective_debtor: s.collective_debtor.clone().unwrap_or_default(),
        items: items.into_iter().map(|(code, r)| (code, r.account, r.tax_key)).collect(),
    });
    let version = page.version;
    let check = CheckedForm::<SaveDatevSettings>::new(
        move || form.with(|f| f.validate().err().unwrap_or_default()),
        move || refresh.update(|n| *n += 1),
    );
    let saved = move || matches!(check.save.value().get(), Some(Ok(())));
    let message = move |field: &str| check.message(field);
    let on_submit = move |ev| check.submit(ev, || SaveDatevSettings { form: form.get(), version });
    let text = |get: fn(&DatevSettingsForm) -> String| Signal::derive(move || form.with(get));
    let names: Vec<String> = std::iter::once(td_string!(l, settings.users).to_owned())
        .chain(page.options.iter().map(|(_, name)| name.clone()))
        .collect();
    let item_rows = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let code = form.with_untracked(|f| f.items[i].0.clone());
            let slug = if code.is_empty() { "users".to_owned() } else { code.clone() };
            let account_id = format!("datev-account-{slug}");
            let key_id = format!("datev-key-{slug}");
            let error_id = format!("datev-{slug}-error");
            let msg = message(&revenue_field(&code));
            view! {
                <tr>
                    <th scope="row">{name.clone()}</th>
                    <td class="num">
                        <label class="visually-hidden" for=account_id.clone()>
                            {td_string!(l, settings.revenue_account_of, name = name.clone())}
                        </label>
                        <input
                            id=account_id
                            class="price-input"
                            type="text"
                            inputmode="numeric"
                            placeholder=td_string!(l, settings.datev_default)
                            aria-describedby=error_id.clone()
                            aria-invalid=move || msg.get().is_some().then_some("true")
                            prop:value=move || form.with(|f| f.items[i].1.clone())
                            on:input=move |ev| form.update(|f| f.items[i].1 = event_target_value(&ev))
                        />
                        <FieldError id=error_id message=msg />
                    </td>
                    <td class="num">
                        <label class="visually-hidden" for=key_id.clone()>
                            {td_string!(l, settings.tax_key_of, name)}
                        </label>
                        <input
                            id=key_id
                            class="price-input"
                            type="text"
                            inputmode="numeric"
                            prop:value=move || form.with(|f| f.items[i].2.clone())
                            on:input=move |ev| form.update(|f| f.items[i].2 = event_target_value(&ev))
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();
    let months = (1..=12u32)
        .map(|m| {
            let month = crate::domain::BillingMonth::parse(&format!("2026-{m:02}")).ok();
            let name = month.map(|m| r.month(m).split(' ').next().unwrap_or_default().to_owned()).unwrap_or_default();
            view! {
                <option value=m.to_string() selected=move || form.with(|f| f.fiscal_year_start == m.to_string())>
                    {name}
                </option>
            }
        })
        .collect_view();
    let lengths = (4..=8u32)
        .map(|n| {
            view! {
                <option value=n.to_string() selected=move || form.with(|f| f.account_length == n.to_string())>
                    {n.to_string()}
                </option>
            }
        })
        .collect_view();
    view! {
        <h2 id="datev-title">{td_string!(l, settings.datev)}</h2>
        <p class="muted">{td_string!(l, settings.datev_intro)}</p>
        {page.settings.is_none().then(|| view! { <p class="notice" role="note">{td_string!(l, settings.datev_not_set)}</p> })}
        {move || check.general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, settings.datev_saved)}</p> })}
        <form on:submit=on_submit novalidate>
            <div class="form-grid">
                <TextField
                    id="datev-adviser"
                    label=td_string!(l, settings.adviser_number)
                    help=td_string!(l, settings.adviser_number_help)
                    value=text(|f| f.adviser_number.clone())
                    set=Callback::new(move |v| form.update(|f| f.adviser_number = v))
                    message=message("adviser_number")
                    inputmode="numeric"
                />
                <TextField
                    id="datev-client"
                    label=td_string!(l, settings.client_number)
                    help=td_string!(l, settings.client_number_help)
                    value=text(|f| f.client_number.clone())
                    set=Callback::new(move |v| form.update(|f| f.client_number = v))
                    message=message("client_number")
                    inputmode="numeric"
                />
                <div class="field">
                    <label for="datev-fiscal">{td_string!(l, settings.fiscal_year_start)}</label>
                    <select id="datev-fiscal" on:change=move |ev| form.update(|f| f.fiscal_year_start = event_target_value(&ev))>
                        {months}
                    </select>
                </div>
                <div class="field">
                    <label for="datev-length">{td_string!(l, settings.account_length)}</label>
                    <select
                        id="datev-length"
                        aria-describedby="datev-length-help"
                        on:change=move |ev| form.update(|f| f.account_length = event_target_value(&ev))
                    >
                        {lengths}
                    </select>
                    <p class="help" id="datev-length-help">{td_string!(l, settings.account_length_help)}</p>
                </div>
                <TextField
                    id="datev-revenue"
                    label=td_string!(l, settings.revenue_account)
                    help=td_string!(l, settings.revenue_account_help)
                    value=text(|f| f.revenue_account.clone())
                    set=Callback::new(move |v| form.update(|f| f.revenue_account = v))
                    message=message("revenue_account")
                    inputmode="numeric"
                />
                <TextField
                    id="datev-tax-key"
                    label=td_string!(l, settings.tax_key)
                    help=td_string!(l, settings.tax_key_help)
                    value=text(|f| f.tax_key.clone())
                    set=Callback::new(move |v| form.update(|f| f.tax_key = v))
                    message=message("tax_key")
                    inputmode="numeric"
                />
                <TextField
                    id="datev-collective"
                    label=td_string!(l, settings.collective_debtor)
                    help=td_string!(l, settings.collective_debtor_help)
                    value=text(|f| f.collective_debtor.clone())
                    set=Callback::new(move |v| form.update(|f| f.collective_debtor = v))
                    message=message("collective_debtor")
                    inputmode="numeric"
                />
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, settings.datev_items)>
                <table class="data-table">
                    <caption class="visually-hidden">{td_string!(l, settings.datev_items)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{td_string!(l, settings.item)}</th>
                            <th scope="col" class="num">{td_string!(l, settings.revenue_account)}</th>
                            <th scope="col" class="num">{td_string!(l, settings.tax_key)}</th>
                        </tr>
                    </thead>
                    <tbody>{item_rows}</tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || check.pending().get()>
                    {td_string!(l, settings.save_datev)}
                </button>
            </div>
        </form>
    }
}
