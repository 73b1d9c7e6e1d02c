use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::customers::list_customers;
use crate::components::badges::{ContractEnd, UsersOfMax};
use crate::components::format;
use crate::components::loaded;
use crate::components::pager::{numbered, Pager};
use crate::components::session::use_can_operate;
use crate::domain::customer_list::{ListQuery, ListTab, SortKey};
use crate::views::customers::CustomerPage;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        ListQuery::from_params(|key| params.get(key))
    });
    let page = data(move || query.get(), list_customers);
    let can_operate = use_can_operate();
    view! {
        <Title text="Customers" />
        <div class="page-header page-header-actions">
            <div>
                <h1>"Customers"</h1>
                <p class="muted">"One password-manager database per customer."</p>
            </div>
            // Inside a Transition: the user is a resource, and reading it
            // outside one would render differently on server and browser.
            <Transition fallback=|| ()>
                <Show when=move || can_operate.get()>
                    <a class="button button-primary" href="/customers/new">
                        "New customer"
                    </a>
                </Show>
            </Transition>
        </div>
        <Form method="GET" action="/customers" attr:class="search-bar" attr:role="search">
            <input type="hidden" name="tab" prop:value=move || query.read().tab.as_str() />
            <label for="customer-search" class="visually-hidden">
                "Search customers by name"
            </label>
            <input
                id="customer-search"
                type="search"
                name="q"
                placeholder="Search by name"
                prop:value=move || query.read().search.clone()
            />
            <button type="submit" class="button button-secondary">
                "Search"
            </button>
            <Show when=move || !query.read().search.is_empty()>
                <A href=move || ListQuery { search: String::new(), ..query.get() }.with_page(1).href() attr:class="clear-search">
                    "Clear search"
                </A>
            </Show>
        </Form>
        {loaded(page, move |p| view! { <CustomerTabs page=p query=query.get() /> })}
    }
}

#[component]
fn CustomerTabs(page: CustomerPage, query: ListQuery) -> impl IntoView {
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
                        {tab.label()}
                        <span class="tab-count">{page.counts.of(tab)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let empty = page.rows.is_empty();
    let searching = !query.search.is_empty();
    view! {
        <nav class="tabs" aria-label="Customer lists">
            <ul>{tabs}</ul>
        </nav>
        {if empty {
            view! {
                <div class="card card-plain empty-state">
                    <p>
                        {if searching {
                            format!("No {} customer matches “{}”.", query.tab.label().to_lowercase(), query.search)
                        } else {
                            format!("There are no {} customers.", query.tab.label().to_lowercase())
                        }}
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
                        {deactivated.then(|| view! { <span class="muted small">" · "{c.kind.label()}</span> })}
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
                                <td class="nowrap">{c.deactivated_at.map(format::date).unwrap_or_default()}</td>
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
        view! { <Pager before status=format!("Page {} of {}", page.page, page.pages) after /> }
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Customers table">
            <table class="data-table customers-table">
                <caption class="visually-hidden">
                    {format!("{} customers, page {} of {}", query.tab.label(), page.page, page.pages)}
                </caption>
                <thead>
                    <tr>
                        <SortHeader query=query.clone() key=SortKey::Name label="Name" />
                        <SortHeader query=query.clone() key=SortKey::Users label="Users / max" numeric=true />
                        <SortHeader query=query.clone() key=SortKey::ContractEnd label="Contract end" />
                        <SortHeader query=query.clone() key=SortKey::Options label="Options" numeric=true />
                        {deactivated
                            .then(|| view! {
                                <th scope="col">"Deactivated"</th>
                                <th scope="col">"Reason"</th>
                            })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager}
    }
}
