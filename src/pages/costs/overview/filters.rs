//! Choosing what the overview shows: the month, and the filters on it.

use leptos::prelude::*;

use super::navigator;
use crate::components::format;
use crate::domain::cost_history::Figures;
use crate::domain::overview_query::OverviewQuery;
use crate::domain::{BillingMonth, CustomerStatus};

/// "November 2026 — Forecast".
fn month_choice(month: BillingMonth, figures: Figures) -> String {
    format!("{} — {}", format::month_long(month), figures.label())
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
    let options = months
        .iter()
        .map(|(m, f)| {
            let value = if Some(*m) == current { String::new() } else { m.to_string() };
            view! {
                <option value=value selected=*m == month>
                    {month_choice(*m, *f)}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="field field-inline">
            <label for="overview-month">"Month"</label>
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
    view! {
        <div class="overview-filters" role="search" aria-label="Filter the customers">
            <div class="field field-inline">
                <label for="overview-search">"Customer"</label>
                <input
                    id="overview-search"
                    type="search"
                    placeholder="Name or database"
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
                <label for="overview-status">"Status"</label>
                <select
                    id="overview-status"
                    on:change=move |ev| {
                        let status = CustomerStatus::parse(&event_target_value(&ev));
                        go_status(OverviewQuery { status, page: 1, ..query.get_untracked() }, false);
                    }
                >
                    <option value="" selected=move || query.read().status.is_none()>
                        "All"
                    </option>
                    {[CustomerStatus::Active, CustomerStatus::Deactivated, CustomerStatus::Removed]
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || query.read().status == Some(s)>
                                    {s.label()}
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
                "Only customers with changes"
            </label>
            <Show when=move || query.read().filtered()>
                <a class="clear-search" href=move || OverviewQuery {
                    month: query.read().month,
                    range: query.read().range,
                    ..Default::default()
                }
                .href()>"Clear filters"</a>
            </Show>
        </div>
    }
}
