//! How audit entries read: actions and fields in words, old → new, times in
//! the reader's time zone.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use leptos::prelude::*;

use crate::components::language::{use_locale, use_reader};
use crate::domain::audit_query::ActionGroup;
use crate::i18n::{td_string, Locale};
use crate::views::audit::{AuditEntry, FieldChange};

/// How an action reads in the reader's language ("customer.created" ->
/// "Created" / "Angelegt"); unknown codes as they are. The English words
/// are the ones of `domain::audit_query::ACTIONS` (the CSV's), which a test
/// holds to.
pub fn action_name(code: &str, l: Locale) -> &str {
    match code {
        "login.succeeded" => td_string!(l, audit.action_login_succeeded),
        "login.failed" => td_string!(l, audit.action_login_failed),
        "login.refused" => td_string!(l, audit.action_login_refused),
        "login.code_required" => td_string!(l, audit.action_login_code_required),
        "login.code_failed" => td_string!(l, audit.action_login_code_failed),
        "login.recovery_code_used" => td_string!(l, audit.action_login_recovery_code_used),
        "login.passkey_failed" => td_string!(l, audit.action_login_passkey_failed),
        "login.sso_succeeded" => td_string!(l, audit.action_login_sso_succeeded),
        "login.sso_failed" => td_string!(l, audit.action_login_sso_failed),
        "login.password_off" => td_string!(l, audit.action_login_password_off),
        "logout" => td_string!(l, audit.action_logout),
        "session.ended" => td_string!(l, audit.action_session_ended),
        "session.others_ended" => td_string!(l, audit.action_session_others_ended),
        "access.refused" => td_string!(l, audit.action_access_refused),
        "access.cross_site" => td_string!(l, audit.action_access_cross_site),
        "access.password_change_required" => td_string!(l, audit.action_access_password_change_required),
        "access.two_factor_setup_required" => td_string!(l, audit.action_access_two_factor_setup_required),
        "customer.created" => td_string!(l, audit.action_customer_created),
        "customer.contract_changed" => td_string!(l, audit.action_customer_contract_changed),
        "customer.options_changed" => td_string!(l, audit.action_customer_options_changed),
        "customer.converted" => td_string!(l, audit.action_customer_converted),
        "customer.deactivated" => td_string!(l, audit.action_customer_deactivated),
        "customer.activated" => td_string!(l, audit.action_customer_activated),
        "customer.removed" => td_string!(l, audit.action_customer_removed),
        "api_key.rotated" => td_string!(l, audit.action_api_key_rotated),
        "api_key.revoked" => td_string!(l, audit.action_api_key_revoked),
        "settings.changed" => td_string!(l, audit.action_settings_changed),
        "settings.sign_in_policy_changed" => td_string!(l, audit.action_settings_sign_in_policy_changed),
        "settings.single_sign_on_changed" => td_string!(l, audit.action_settings_single_sign_on_changed),
        "price_list.saved" => td_string!(l, audit.action_price_list_saved),
        "option.added" => td_string!(l, audit.action_option_added),
        "option.renamed" => td_string!(l, audit.action_option_renamed),
        "option.retired" => td_string!(l, audit.action_option_retired),
        "option.reinstated" => td_string!(l, audit.action_option_reinstated),
        "month.closed" => td_string!(l, audit.action_month_closed),
        "staff.created" => td_string!(l, audit.action_staff_created),
        "staff.role_changed" => td_string!(l, audit.action_staff_role_changed),
        "staff.disabled" => td_string!(l, audit.action_staff_disabled),
        "staff.enabled" => td_string!(l, audit.action_staff_enabled),
        "staff.password_reset" => td_string!(l, audit.action_staff_password_reset),
        "staff.password_changed" => td_string!(l, audit.action_staff_password_changed),
        "staff.password_change_failed" => td_string!(l, audit.action_staff_password_change_failed),
        "staff.sessions_ended" => td_string!(l, audit.action_staff_sessions_ended),
        "staff.totp_enabled" => td_string!(l, audit.action_staff_totp_enabled),
        "staff.totp_disabled" => td_string!(l, audit.action_staff_totp_disabled),
        "staff.totp_setup_failed" => td_string!(l, audit.action_staff_totp_setup_failed),
        "staff.recovery_codes_renewed" => td_string!(l, audit.action_staff_recovery_codes_renewed),
        "staff.passkey_added" => td_string!(l, audit.action_staff_passkey_added),
        "staff.passkey_removed" => td_string!(l, audit.action_staff_passkey_removed),
        "staff.passkey_refused" => td_string!(l, audit.action_staff_passkey_refused),
        "staff.two_factor_reset" => td_string!(l, audit.action_staff_two_factor_reset),
        "staff.sso_linked" => td_string!(l, audit.action_staff_sso_linked),
        "staff.sso_email_changed" => td_string!(l, audit.action_staff_sso_email_changed),
        "staff.created_by_sso" => td_string!(l, audit.action_staff_created_by_sso),
        "customer.resale_changed" => td_string!(l, audit.action_customer_resale_changed),
        "customer.pricing_saved" => td_string!(l, audit.action_customer_pricing_saved),
        "customer.debtor_account_changed" => td_string!(l, audit.action_customer_debtor_account_changed),
        "sell_list.saved" => td_string!(l, audit.action_sell_list_saved),
        "settings.datev_changed" => td_string!(l, audit.action_settings_datev_changed),
        "export.datev" => td_string!(l, audit.action_export_datev),
        "token.created" => td_string!(l, audit.action_token_created),
        "token.revoked" => td_string!(l, audit.action_token_revoked),
        "token.refused" => td_string!(l, audit.action_token_refused),
        "webhook.created" => td_string!(l, audit.action_webhook_created),
        "webhook.changed" => td_string!(l, audit.action_webhook_changed),
        "webhook.removed" => td_string!(l, audit.action_webhook_removed),
        "webhook.test_sent" => td_string!(l, audit.action_webhook_test_sent),
        "webhook.redelivered" => td_string!(l, audit.action_webhook_redelivered),
        "webhook.disabled" => td_string!(l, audit.action_webhook_disabled),
        "mail.settings_changed" => td_string!(l, audit.action_mail_settings_changed),
        "mail.settings_removed" => td_string!(l, audit.action_mail_settings_removed),
        "mail.test_sent" => td_string!(l, audit.action_mail_test_sent),
        "mail.redelivered" => td_string!(l, audit.action_mail_redelivered),
        "mail.choices_changed" => td_string!(l, audit.action_mail_choices_changed),
        other => other,
    }
}

/// An action group's name in the reader's language.
pub fn group_name(group: ActionGroup, l: Locale) -> &'static str {
    match group {
        ActionGroup::SignIns => td_string!(l, audit.group_sign_ins),
        ActionGroup::Refusals => td_string!(l, audit.group_refusals),
        ActionGroup::Customers => td_string!(l, audit.group_customers),
        ActionGroup::ApiKeys => td_string!(l, audit.group_api_keys),
        ActionGroup::Settings => td_string!(l, audit.group_settings),
        ActionGroup::MonthClose => td_string!(l, audit.group_month_close),
        ActionGroup::Staff => td_string!(l, audit.group_staff),
    }
}

/// A changed field's name in the reader's language (the English ones are
/// `domain::audit_log::field_label`'s); unknown fields as they are.
pub fn field_name(field: &str, l: Locale) -> &str {
    match field {
        "name" => td_string!(l, audit.field_name),
        "kind" => td_string!(l, audit.field_kind),
        "status" => td_string!(l, audit.field_status),
        "reason" => td_string!(l, audit.field_reason),
        "contract_end" => td_string!(l, audit.field_contract_end),
        "database_name" => td_string!(l, audit.field_database_name),
        "max_users" => td_string!(l, audit.field_max_users),
        "limit_user_creation" => td_string!(l, audit.field_limit_user_creation),
        "options" => td_string!(l, audit.field_options),
        "role" => td_string!(l, audit.field_role),
        "state" => td_string!(l, audit.field_state),
        "api_key" => td_string!(l, audit.field_api_key),
        "currency" => td_string!(l, audit.field_currency),
        "grace_days" => td_string!(l, audit.field_grace_days),
        "time_zone" => td_string!(l, audit.field_time_zone),
        "price" => td_string!(l, audit.field_price),
        "statements" => td_string!(l, audit.field_statements),
        "total" => td_string!(l, audit.field_total),
        "sso_email" => td_string!(l, audit.field_sso_email),
        other => other,
    }
}

/// Audit entries, newest first. `full` adds the customer, subject and
/// detail columns (the whole log; a customer's history does without).
#[component]
pub fn AuditTable(entries: Vec<AuditEntry>, caption: &'static str, #[prop(optional)] full: bool) -> impl IntoView {
    let l = use_locale();
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr data-entry=e.id>
                    <td class="nowrap"><LocalTime at=e.at /></td>
                    <td class="nowrap">{e.actor}</td>
                    <td>{action_name(&e.action, l).to_owned()}</td>
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
                        <th scope="col">{td_string!(l, audit.when)}</th>
                        <th scope="col">{td_string!(l, audit.who)}</th>
                        <th scope="col">{td_string!(l, audit.what)}</th>
                        {full.then(|| view! {
                            <th scope="col">{td_string!(l, audit.customer)}</th>
                            <th scope="col">{td_string!(l, audit.subject)}</th>
                        })}
                        <th scope="col">{td_string!(l, audit.changes)}</th>
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
    let l = use_locale();
    view! {
        <ul class="changes">
            {changes
                .into_iter()
                .map(|ch| {
                    let old = if ch.old.is_empty() { "—".to_owned() } else { ch.old };
                    view! {
                        <li>
                            <span class="change-field">{field_name(&ch.field, l).to_owned()}</span>
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

/// A moment in the reader's time zone ("25.11.2026, 15:03:09 MEZ"), its UTC
/// time on hover ("2026-11-25 14:03:09 UTC") and in `datetime`. The server
/// and the browser write the same (`components::language::Reader`).
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let utc = format!(
        "{} {:02}:{:02}:{:02} UTC",
        crate::domain::locale::date_sortable(at.date_naive()),
        at.hour(),
        at.minute(),
        at.second()
    );
    view! {
        <time datetime=at.to_rfc3339_opts(SecondsFormat::Secs, true) title=utc>
            {use_reader().stamp(at)}
        </time>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_query::ACTIONS;

    #[test]
    fn every_action_group_and_field_has_its_words_in_both_languages() {
        for (code, label, group) in ACTIONS {
            assert_eq!(action_name(code, Locale::en), label, "{code}");
            assert_ne!(action_name(code, Locale::de), code, "{code} has no German words");
            assert_eq!(group_name(group, Locale::en), group.label());
        }
        for field in [
            "name",
            "kind",
            "status",
            "reason",
            "contract_end",
            "database_name",
            "max_users",
            "limit_user_creation",
            "options",
            "role",
            "state",
            "api_key",
            "currency",
            "grace_days",
            "time_zone",
            "price",
            "statements",
            "total",
            "sso_email",
        ] {
            assert_eq!(field_name(field, Locale::en), crate::domain::audit_log::field_label(field));
            assert_ne!(field_name(field, Locale::de), field);
        }
        assert_eq!(action_name("something.new", Locale::de), "something.new");
    }
}
