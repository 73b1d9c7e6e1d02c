//! How audit entries read: actions and fields in words, old → new, times in
//! the reader's time zone.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use leptos::prelude::*;

use crate::domain::audit_log::field_label;
use crate::domain::audit_query::action_label;
use crate::views::audit::{AuditEntry, FieldChange};

/// Audit entries, newest first. `full` adds the customer, subject and
/// detail columns (the whole log; a customer's history does without).
#[component]
pub fn AuditTable(entries: Vec<AuditEntry>, caption: &'static str, #[prop(optional)] full: bool) -> impl IntoView {
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr data-entry=e.id>
                    <td class="nowrap"><LocalTime at=e.at /></td>
                    <td class="nowrap">{e.actor}</td>
                    <td>{action_label(&e.action).to_owned()}</td>
                    {full.then(|| view! {
                        <td>
                            {e.customer.clone().map(|c| view! { <a href=format!("/customers/{}", c.id)>{c.name}</a> })}
                        </td>
                        <td>
                            <div class="audit-subject">
                                <span class="mono">{e.subject.clone()}</span>
                                {(!e.detail.is_empty()).then(|| view! { <span class="muted small">{e.detail.clone()}</span> })}
                            </div>
                        </td>
                    })}
                    <td>
                        <ChangeList changes=e.changes />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption>
            <table class="data-table audit-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        {full.then(|| view! {
                            <th scope="col">"Customer"</th>
                            <th scope="col">"Subject and details"</th>
                        })}
                        <th scope="col">"Changes"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The changed fields of one audit entry, each as "Field: old → new".
#[component]
pub fn ChangeList(changes: Vec<FieldChange>) -> impl IntoView {
    view! {
        <ul class="changes">
            {changes
                .into_iter()
                .map(|ch| {
                    let old = if ch.old.is_empty() { "—".to_owned() } else { ch.old };
                    view! {
                        <li>
                            <span class="change-field">{field_label(&ch.field).to_owned()}</span>
                            ": "
                            <span class="change-old">{old}</span>
                            " → "
                            <span class="change-new">{ch.new}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// A moment in the reader's time zone ("2026-11-25 15:03:09"), its UTC time
/// on hover and in `datetime`. The server renders UTC; the browser switches
/// to local time once the page runs.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let utc = format!("{} {:02}:{:02}:{:02} UTC", super::format::date(at), at.hour(), at.minute(), at.second());
    let shown = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| shown.set(local_text(at)));
    view! {
        <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true) title=utc>
            {move || shown.get()}
        </time>
    }
}

#[cfg(feature = "hydrate")]
fn local_text(at: DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// The reader's time zone as the browser names it ("Europe/Berlin"); UTC
/// until the page runs in the browser.
pub fn reader_zone() -> Signal<String> {
    let zone = RwSignal::new("UTC".to_owned());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        if let Some(name) = js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|v| v.as_string()) {
            zone.set(name);
        }
    });
    zone.into()
}
