//! Choosing what the overview shows: the month, and the filters on it.

use leptos::prelude::*;

use super::navigator;
use crate::components::language::{figures_name, status_name, use_locale, use_reader, Reader};
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, CustomerStatus};
use crate::i18n::td_string;

/// "November 2026 — Forecast".
fn month_choice(r: &Reader, month: BillingMonth, figures: Figures) -> String {
    format!("{} — {}", r.month(month), figures_name(figures, r.l()))
}

/// The month picker: every month with billing, newest (the current) first.
#[component]
pub fn MonthPicker(
    months: Vec<(BillingMonth, Figures)>,
    month: BillingMonth,
    query: Memo<OverviewQuery>,
) -> impl IntoView {
    let current = months.first().map(|(m, _)| *m);
    let go = navigator();
    let r = use_reader();
    let options = months
        .iter()
        .map(|(m, f)| {
            let value = if Some(*m) == current { String::new() } else { m.to_string() };
            view! {
                <option value=value selected=*m == month>
                    {month_choice(&r, *m, *f)}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field field-inline">
            <label for="overview-month">{td_string!(r.l(), costs.picker)}</label>
            <select
                id="overview-month"
                on:change=move |ev| {
                    let raw = event_target_value(&ev);
                    let m = BillingMonth::parse(&raw).ok();
                    go(query.get_untracked().with_month(m), false);
                }
            >
                {options}
            </select>
        </div>
    }
}

/// Search, status and "only changes"; each choice goes to the address.
#[component]
pub fn Filters(query: Memo<OverviewQuery>) -> impl IntoView {
    let go_search = navigator();
    let go_status = go_search.clone();
    let go_changes = go_search.clone();
    let go_margin = go_search.clone();
    let l = use_locale();
    view! {
        <div class="overview-filters" role="search" aria-label=td_string!(l, costs.filter_label)>
            <div class="field field-inline">
                <label for="overview-search">{td_string!(l, costs.customer)}</label>
                <input
                    id="overview-search"
                    type="search"
                    placeholder=td_string!(l, costs.search_placeholder)
                    autocomplete="off"
                    prop:value=move || query.read().search.clone()
                    on:input=move |ev| {
                        let q = query.get_untracked();
                        let search = event_target_value(&ev);
                        go_search(OverviewQuery { search, page: 1, ..q }, true);
                    }
                />
            </div>
            <div class="field field-inline">
                <label for="overview-status">{td_string!(l, costs.status)}</label>
                <select
                    id="overview-status"
                    on:change=move |ev| {
                        let status = CustomerStatus::parse(&event_target_value(&ev));
                        go_status(OverviewQuery { status, page: 1, ..query.get_untracked() }, false);
                    }
                >
                    <option value="" selected=move || query.read().status.is_none()>
                        {td_string!(l, costs.all)}
                    </option>
                    {[CustomerStatus::Active, CustomerStatus::Deactivated, CustomerStatus::Removed]
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || query.read().status == Some(s)>
                                    {status_name(s, l)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <label class="checkbox">
                <input
                    id="overview-changes"
                    type="checkbox"
                    prop:checked=move || query.read().changes_only
                    on:change=move |ev| {
                        let changes_only = event_target_checked(&ev);
                        go_changes(OverviewQuery { changes_only, page: 1, ..query.get_untracked() }, false);
                    }
                />
                {td_string!(l, costs.changes_only)}
            </label>
            <label class="checkbox">
                <input
                    id="overview-negative-margin"
                    type="checkbox"
                    prop:checked=move || query.read().negative_margin
                    on:change=move |ev| {
                        let negative_margin = event_target_checked(&ev);
                        go_margin(OverviewQuery { negative_margin, page: 1, ..query.get_untracked() }, false);
                    }
                />
                {td_string!(l, costs.negative_margin_only)}
            </label>
            <Show when=move || query.read().filtered()>
                <a class="clear-search" href=move || OverviewQuery {
                    month: query.read().month,
                    range: query.read().range,
                    ..Default::default()
                }
                .href()>{td_string!(l, costs.clear_filters)}</a>
            </Show>
        </div>
    }
}
