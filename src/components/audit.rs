//! How audit entries read: actions and fields in words, old → new.

use leptos::prelude::*;

use crate::api::audit::FieldChange;

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
