use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::customers::list_customers;
use crate::components::badges::{ContractEnd, UsersOfMax};
use crate::components::language::{kind_name, use_locale, use_reader};
use crate::components::loaded;
use crate::components::pager::{numbered, Pager};
use crate::components::session::use_can_operate;
use crate::domain::customer_list::{ListQuery, ListTab, SortKey};
use crate::i18n::{td_string, Locale};
use crate::views::customers::CustomerPage;

/// A list's name on its tab.
fn tab_name(tab: ListTab, l: Locale) -> &'static str {
    match tab {
        ListTab::Test => td_string!(l, customers.tab_test),
        ListTab::Billed => td_string!(l, customers.tab_billed),
        ListTab::Deactivated => td_string!(l, customers.tab_deactivated),
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        ListQuery::from_params(|key| params.get(key))
    });
    let page = data(move || query.get(), list_customers);
    let can_operate = use_can_operate();
    let l = use_locale();
    view! {
        <Title text=td_string!(l, customers.customers) />
        <div class="page-header page-header-actions">
            <div>
                <h1>{td_string!(l, customers.customers)}</h1>
                <p class="muted">{td_string!(l, customers.intro)}</p>
            </div>
            // Inside a Transition: the user is a resource, and reading it
            // outside one would render differently on server and browser.
            <Transition fallback=|| ()>
                <Show when=move || can_operate.get()>
                    <a class="button button-primary" href="/customers/new">
                        {td_string!(l, customers.new_title)}
                    </a>
                </Show>
            </Transition>
        </div>
        <Form method="GET" action="/customers" attr:class="search-bar" attr:role="search">
            <input type="hidden" name="tab" prop:value=move || query.read().tab.as_str() />
            <label for="customer-search" class="visually-hidden">
                {td_string!(l, customers.search_label)}
            </label>
            <input
                id="customer-search"
                type="search"
                name="q"
                placeholder=td_string!(l, customers.search_placeholder)
                prop:value=move || query.read().search.clone()
            />
            <button type="submit" class="button button-secondary">
                {td_string!(l, customers.search)}
            </button>
            <Show when=move || !query.read().search.is_empty()>
                <A href=move || ListQuery { search: String::new(), ..query.get() }.with_page(1).href() attr:class="clear-search">
                    {td_string!(l, customers.clear_search)}
                </A>
            </Show>
        </Form>
        {loaded(page, move |p| view! { <CustomerTabs page=p query=query.get() /> })}
    }
}

#[component]
fn CustomerTabs(page: CustomerPage, query: ListQuery) -> impl IntoView {
    let l = use_locale();
    let tabs = ListTab::ALL
        .into_iter()
        .map(|tab| {
            let current = tab == query.tab;
            view! {
                <li>
                    <a
                        href=query.with_tab(tab).href()
                        aria-current=current.then_some("page")
                        class=if current { "tab tab-current" } else { "tab" }
                    >
                        {tab_name(tab, l)}
                        <span class="tab-count">{page.counts.of(tab)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let empty = page.rows.is_empty();
    let searching = !query.search.is_empty();
    view! {
        <nav class="tabs" aria-label=td_string!(l, customers.lists_label)>
            <ul>{tabs}</ul>
        </nav>
        {if empty {
            view! {
                <div class="card card-plain empty-state">
                    <p>
                        {
                            let tab = tab_name(query.tab, l).to_lowercase();
                            if searching {
                                td_string!(l, customers.no_match, tab, search = query.search.clone())
                            } else {
                                td_string!(l, customers.none_in_tab, tab)
                            }
                        }
                    </p>
                </div>
            }
                .into_any()
        } else {
            view! { <CustomerTable page=page.clone() query=query.clone() /> }.into_any()
        }}
    }
}

#[component]
fn SortHeader(query: ListQuery, key: SortKey, label: &'static str, #[prop(optional)] numeric: bool) -> impl IntoView {
    let active = query.sort == key;
    let aria_sort = match (active, query.descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = match (active, query.descending) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    view! {
        <th scope="col" aria-sort=aria_sort class:num=numeric>
            <a class="sort-link" href=query.sorted_by(key).href()>
                {label}
                <span aria-hidden="true">{arrow}</span>
            </a>
        </th>
    }
}

#[component]
fn CustomerTable(page: CustomerPage, query: ListQuery) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let deactivated = query.tab == ListTab::Deactivated;
    let today = page.today;
    let rows = page
        .rows
        .into_iter()
        .map(|c| {
            view! {
                <tr>
                    <td>
                        <a href=format!("/customers/{}", c.id) class="row-link">
                            {c.name.clone()}
                        </a>
                        {deactivated.then(|| view! { <span class="muted small">" · "{kind_name(c.kind, l)}</span> })}
                    </td>
                    <td class="num">
                        <UsersOfMax reported=c.reported_users max=c.max_users />
                    </td>
                    <td class="nowrap">
                        <ContractEnd date=c.contract_end flag=c.contract_flag today />
                    </td>
                    <td class="num">{c.option_count}</td>
                    {deactivated
                        .then(|| {
                            view! {
                                <td class="nowrap">{c.deactivated_at.map(|at| r.iso_date_of(at)).unwrap_or_default()}</td>
                                <td class="reason">{c.deactivation_reason.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            }
                        })}
                </tr>
            }
        })
        .collect_view();
    let pager = {
        let (before, after) =
            numbered(page.page as usize, page.pages as usize, |target| query.with_page(target as u32).href());
        view! { <Pager before status=td_string!(l, lists.page_of, page = page.page, pages = page.pages) after /> }
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=td_string!(l, customers.table_label)>
            <table class="data-table customers-table">
                <caption class="visually-hidden">
                    {td_string!(l, customers.caption, tab = tab_name(query.tab, l), page = page.page, pages = page.pages)}
                </caption>
                <thead>
                    <tr>
                        <SortHeader query=query.clone() key=SortKey::Name label=td_string!(l, customers.name) />
                        <SortHeader query=query.clone() key=SortKey::Users label=td_string!(l, customers.column_users) numeric=true />
                        <SortHeader query=query.clone() key=SortKey::ContractEnd label=td_string!(l, customers.contract_end) />
                        <SortHeader query=query.clone() key=SortKey::Options label=td_string!(l, customers.options) numeric=true />
                        {deactivated
                            .then(|| view! {
                                <th scope="col">{td_string!(l, customers.column_deactivated)}</th>
                                <th scope="col">{td_string!(l, customers.column_reason)}</th>
                            })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager}
    }
}
