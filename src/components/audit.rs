//! How audit entries read: actions and fields in words, old → new.

use leptos::prelude::*;

use crate::api::audit::{AuditEntry, FieldChange};
use crate::components::format;

/// Audit entries, newest first. `with_subject` adds the subject and detail
/// columns (the whole log; a customer's history does without).
#[component]
pub fn AuditTable(
    entries: Vec<AuditEntry>,
    caption: &'static str,
    #[prop(optional)] with_subject: bool,
) -> impl IntoView {
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td class="nowrap">{format::timestamp(e.at)}</td>
                    <td>{e.actor}</td>
                    <td>{action_label(&e.action)}</td>
                    {with_subject.then(|| view! {
                        <td>{e.subject.clone()}</td>
                        <td>{e.detail.clone()}</td>
                    })}
                    <td>
                        <ChangeList changes=e.changes />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        {with_subject.then(|| view! {
                            <th scope="col">"Subject"</th>
                            <th scope="col">"Details"</th>
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
                            <span class="change-field">{field_label(&ch.field)}</span>
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

pub fn action_label(action: &str) -> String {
    match action {
        "customer.created" => "Created",
        "customer.contract_changed" => "Contract changed",
        "customer.options_changed" => "Options changed",
        "customer.converted" => "Converted to billed",
        "customer.deactivated" => "Deactivated",
        "customer.activated" => "Activated",
        "customer.removed" => "Removed",
        other => other,
    }
    .to_owned()
}

fn field_label(field: &str) -> String {
    match field {
        "name" => "Name",
        "kind" => "Kind",
        "status" => "Status",
        "reason" => "Reason",
        "contract_end" => "Contract end",
        "database_name" => "Database name",
        "max_users" => "Maximum users",
        "limit_user_creation" => "Hard limit",
        "options" => "Options",
        other => other,
    }
    .to_owned()
}
