//! The audit log (every role reads it, nobody changes it): filters by person,
//! customer, action and dates, pages of 50 that stay fast at millions of
//! entries, and a CSV export of every filtered entry built in the browser.

use crate::components::data::data;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::audit::audit_log;
use crate::components::audit::{action_name, group_name, AuditTable};
use crate::components::language::{use_locale, use_reader, Reader};
use crate::components::pager::{Pager, PagerLink};
use crate::components::{loaded, CsvFormatChoice};
use crate::domain::audit_query::{ActionFilter, ActionGroup, AuditCursor, AuditQuery, ACTIONS, EXPORT_MAX};
use crate::domain::export::CsvFormat;
use crate::i18n::td_string;
use crate::views::audit::AuditLogPage;

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let params = params.read();
        AuditQuery::from_params(|key| params.get(key))
    });
    let page = data(move || query.get(), |q| audit_log(q.filter, q.cursor));
    let l = use_locale();
    view! {
        <Title text=td_string!(l, audit.title) />
        <div class="page-header">
            <h1>{td_string!(l, audit.title)}</h1>
            <p class="muted">{td_string!(l, audit.intro)}</p>
        </div>
        <Filters query />
        <section class="card" aria-labelledby="audit-title">
            {loaded(page, move |p| view! { <Entries page=p query=query.get() /> })}
        </section>
    }
}

#[component]
fn Filters(query: Memo<AuditQuery>) -> impl IntoView {
    let f = move || query.read().filter.clone();
    let action_value = move || f().action.map(|a| a.as_param()).unwrap_or_default();
    let l = use_locale();
    let groups = ActionGroup::ALL
        .into_iter()
        .map(|group| {
            let all = ActionFilter::Group(group).as_param();
            let actions = ACTIONS
                .iter()
                .filter(move |(_, _, g)| *g == group)
                .map(move |(code, _, _)| {
                    let code = *code;
                    view! { <option value=code selected=move || action_value() == code>{action_name(code, l)}</option> }
                })
                .collect_view();
            let all_selected = {
                let all = all.clone();
                move || action_value() == all
            };
            view! {
                <optgroup label=group_name(group, l)>
                    <option value=all.clone() selected=all_selected>
                        {td_string!(l, audit.all_of, group = group_name(group, l))}
                    </option>
                    {actions}
                </optgroup>
            }
        })
        .collect_view();
    let reversed = move || query.read().filter.dates_reversed();
    // In the browser the filters go into the address as the page writes it
    // (no empty fields); without WebAssembly the form's plain GET does.
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
            ev.prevent_default();
            let query = AuditQuery::from_params(|key| data.get(key).as_string());
            navigate(&query.href(), Default::default());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &navigate);
    };
    view! {
        <form method="get" action="/audit" class="card filter-form" role="search" aria-label=td_string!(l, audit.filter_label) on:submit=submit>
            <div class="field">
                <label for="audit-person">{td_string!(l, audit.who)}</label>
                <input
                    id="audit-person"
                    name="person"
                    type="text"
                    list="audit-people"
                    autocomplete="off"
                    placeholder=td_string!(l, audit.anyone)
                    prop:value=move || f().person
                />
            </div>
            <div class="field">
                <label for="audit-customer">{td_string!(l, audit.customer)}</label>
                <input
                    id="audit-customer"
                    name="customer"
                    type="search"
                    placeholder=td_string!(l, audit.name_or_database)
                    prop:value=move || f().customer
                />
            </div>
            <div class="field">
                <label for="audit-action">{td_string!(l, audit.action)}</label>
                <select id="audit-action" name="action">
                    <option value="" selected=move || action_value().is_empty()>{td_string!(l, audit.any_action)}</option>
                    {groups}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">{td_string!(l, audit.from)}</label>
                <input id="audit-from" name="from" type="date" prop:value=move || f().from.map(|d| d.to_string()).unwrap_or_default() />
            </div>
            <div class="field">
                <label for="audit-to">{td_string!(l, audit.to)}</label>
                <input
                    id="audit-to"
                    name="to"
                    type="date"
                    aria-describedby="audit-to-error"
                    aria-invalid=move || reversed().then_some("true")
                    prop:value=move || f().to.map(|d| d.to_string()).unwrap_or_default()
                />
                <p id="audit-to-error" class="field-error" role="alert">
                    {move || reversed().then_some(td_string!(l, audit.dates_reversed))}
                </p>
            </div>
            <div class="field field-actions">
                <button type="submit" class="button button-primary">{td_string!(l, audit.apply)}</button>
                <Show when=move || !query.read().filter.is_empty()>
                    <A href="/audit" attr:class="clear-search">{td_string!(l, audit.clear)}</A>
                </Show>
            </div>
        </form>
    }
}

#[component]
fn Entries(page: AuditLogPage, query: AuditQuery) -> impl IntoView {
    let people = page.people.iter().map(|p| view! { <option value=p.clone()></option> }).collect_view();
    let total = page.total;
    let shown = page.entries.len();
    let r = use_reader();
    let l = r.l();
    let count = r.count_of(total, td_string!(l, audit.entry_singular), td_string!(l, audit.entry_plural));
    let heading = match (query.filter.is_empty(), total == 1) {
        (true, _) => count,
        (false, true) => td_string!(l, audit.matches_singular, count),
        (false, false) => td_string!(l, audit.matches_plural, count),
    };
    let pager = {
        let to = |cursor: Option<AuditCursor>, label: &'static str, rel: &'static str| PagerLink {
            label,
            rel,
            href: cursor.map(|c| query.at(c).href()),
        };
        let at_newest = query.cursor == AuditCursor::Newest;
        let before = vec![
            to((!at_newest).then_some(AuditCursor::Newest), td_string!(l, audit.newest), "first"),
            to(page.newer, td_string!(l, audit.newer), "prev"),
        ];
        let after = vec![to(page.older, td_string!(l, audit.older), "next")];
        let status = td_string!(l, audit.on_this_page, count = r.count(shown as u64));
        view! { <Pager before status after /> }
    };
    view! {
        <datalist id="audit-people">{people}</datalist>
        <div class="card-heading">
            <h2 id="audit-title">{heading}</h2>
            <p class="muted small">{td_string!(l, audit.times_in, zone = r.zone.name().to_owned())}</p>
        </div>
        {if page.entries.is_empty() {
            view! {
                <p class="empty-state muted">
                    {if query.filter.is_empty() { td_string!(l, audit.empty) } else { td_string!(l, audit.none_match) }}
                </p>
            }
                .into_any()
        } else {
            view! {
                <AuditTable entries=page.entries caption=td_string!(l, audit.caption) full=true />
                {pager}
            }
                .into_any()
        }}
        <Export query total />
    }
}

/// Fetches every filtered entry part by part (up to `EXPORT_MAX`) and hands
/// the browser a CSV file built here.
#[component]
fn Export(query: AuditQuery, total: u64) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let csv_format = RwSignal::new(CsvFormat::first_for(r.language));
    let reader = StoredValue::new(r.clone());
    let progress = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let filter = StoredValue::new(query.filter);
    let export = move |_| {
        // Only the browser builds files.
        #[cfg(not(feature = "hydrate"))]
        let _ = (filter, reader);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            error.set(None);
            let r = reader.get_value();
            let fetched = {
                let r = r.clone();
                move |n: usize| td_string!(l, audit.fetched, count = r.count(n as u64))
            };
            let result = fetch_all(filter.get_value(), progress, fetched).await;
            busy.set(false);
            match result {
                Ok((entries, capped)) => {
                    let bytes = crate::domain::audit_log::write_csv(&entries, csv_format.get_untracked());
                    let today = chrono::Utc::now().date_naive();
                    match crate::components::download(&bytes, &crate::domain::audit_log::csv_file_name(today)) {
                        Ok(()) => progress.set(Some(if capped {
                            td_string!(l, audit.downloaded_capped, count = r.count(entries.len() as u64))
                        } else {
                            td_string!(l, audit.downloaded, entries = entries_of(&r, entries.len() as u64))
                        })),
                        Err(_) => error.set(Some(td_string!(l, audit.download_refused).to_owned())),
                    }
                }
                Err(e) => {
                    progress.set(None);
                    error.set(Some(crate::components::language::error_message(&e, l)));
                }
            }
        });
    };
    let count = total.min(EXPORT_MAX as u64);
    view! {
        <fieldset class="export">
            <legend>{td_string!(l, audit.csv_export)}</legend>
            <CsvFormatChoice
                selected=csv_format
                name="audit-csv-format"
                labels=[td_string!(l, audit.csv_comma), td_string!(l, audit.csv_semicolon)]
            />
            <button
                type="button"
                class="button button-secondary"
                id="audit-export"
                disabled=move || busy.get() || total == 0
                on:click=export
            >
                {move || if busy.get() {
                    td_string!(l, audit.preparing).to_owned()
                } else {
                    td_string!(l, audit.download, entries = reader.with_value(|r| entries_of(r, count)))
                }}
            </button>
            <p class="muted small">{td_string!(l, audit.export_help, max = r.count(EXPORT_MAX as u64))}</p>
            <p class="muted small" role="status">{move || progress.get()}</p>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
    }
}

/// "1 entry", "60 entries" / "1 Eintrag", "60 Einträge".
fn entries_of(r: &Reader, n: u64) -> String {
    let l = r.l();
    r.count_of(n, td_string!(l, audit.entry_singular), td_string!(l, audit.entry_plural))
}

/// Every entry under `filter`, newest first, in parts of `EXPORT_CHUNK`;
/// `true` when it stopped at `EXPORT_MAX`.
#[cfg(feature = "hydrate")]
async fn fetch_all(
    filter: crate::domain::audit_query::AuditFilter,
    progress: RwSignal<Option<String>>,
    fetched: impl Fn(usize) -> String,
) -> Result<(Vec<crate::views::audit::AuditEntry>, bool), crate::error::AppError> {
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let chunk = crate::api::audit::audit_export(filter.clone(), before).await?;
        entries.extend(chunk.entries);
        progress.set(Some(fetched(entries.len())));
        if entries.len() >= EXPORT_MAX {
            let more = chunk.next.is_some() || entries.len() > EXPORT_MAX;
            entries.truncate(EXPORT_MAX);
            return Ok((entries, more));
        }
        match chunk.next {
            Some(next) => before = Some(next),
            None => return Ok((entries, false)),
        }
    }
}
