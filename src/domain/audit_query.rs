//! What the audit log page shows, as its address says: the filters (person,
//! customer, action, date range) and where the page starts. The server
//! filters (the log may hold millions of entries); these types say how.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::customer_list::{address_text, encode};

/// Entries per page.
pub const PAGE_SIZE: u32 = 50;
/// Entries per request while exporting.
pub const EXPORT_CHUNK: u32 = 5_000;
/// The most entries one CSV file holds; narrow the filters for the rest.
pub const EXPORT_MAX: usize = 100_000;
pub const TEXT_MAX_CHARS: usize = 100;

/// Every action the app writes: code, how it reads, and its group.
pub const ACTIONS: [(&str, &str, ActionGroup); 74] = [
    ("login.succeeded", "Signed in", ActionGroup::SignIns),
    ("login.failed", "Sign-in failed", ActionGroup::SignIns),
    ("login.refused", "Sign-in refused (too many failures)", ActionGroup::SignIns),
    ("login.code_required", "Password right; authenticator code asked", ActionGroup::SignIns),
    ("login.code_failed", "Sign-in failed: wrong authenticator or recovery code", ActionGroup::SignIns),
    ("login.recovery_code_used", "Signed in with a recovery code", ActionGroup::SignIns),
    ("login.passkey_failed", "Sign-in failed: passkey not accepted", ActionGroup::SignIns),
    ("login.sso_succeeded", "Signed in with single sign-on", ActionGroup::SignIns),
    ("login.sso_failed", "Single sign-on refused", ActionGroup::SignIns),
    ("login.password_off", "Refused: password sign-in is switched off", ActionGroup::SignIns),
    ("logout", "Signed out", ActionGroup::SignIns),
    ("session.ended", "Ended one of their sessions", ActionGroup::SignIns),
    ("session.others_ended", "Ended their other sessions", ActionGroup::SignIns),
    ("access.refused", "Refused: role too low", ActionGroup::Refusals),
    ("access.cross_site", "Refused: request from another site", ActionGroup::Refusals),
    ("access.password_change_required", "Refused: must change password first", ActionGroup::Refusals),
    ("access.two_factor_setup_required", "Refused: must set up two-factor sign-in first", ActionGroup::Refusals),
    ("customer.created", "Created", ActionGroup::Customers),
    ("customer.contract_changed", "Contract changed", ActionGroup::Customers),
    ("customer.options_changed", "Options changed", ActionGroup::Customers),
    ("customer.converted", "Converted to billed", ActionGroup::Customers),
    ("customer.deactivated", "Deactivated", ActionGroup::Customers),
    ("customer.activated", "Activated", ActionGroup::Customers),
    ("customer.removed", "Removed", ActionGroup::Customers),
    ("api_key.rotated", "API key rotated", ActionGroup::ApiKeys),
    ("api_key.revoked", "API key revoked", ActionGroup::ApiKeys),
    ("settings.changed", "Billing settings changed", ActionGroup::Settings),
    ("settings.sign_in_policy_changed", "Sign-in policy changed", ActionGroup::Settings),
    ("settings.single_sign_on_changed", "Single sign-on settings changed", ActionGroup::Settings),
    ("price_list.saved", "Price list saved", ActionGroup::Settings),
    ("option.added", "Option added", ActionGroup::Settings),
    ("option.renamed", "Option renamed", ActionGroup::Settings),
    ("option.retired", "Option retired", ActionGroup::Settings),
    ("option.reinstated", "Option reinstated", ActionGroup::Settings),
    ("month.closed", "Month closed", ActionGroup::MonthClose),
    ("staff.created", "Staff account created", ActionGroup::Staff),
    ("staff.role_changed", "Role changed", ActionGroup::Staff),
    ("staff.disabled", "Account disabled", ActionGroup::Staff),
    ("staff.enabled", "Account enabled", ActionGroup::Staff),
    ("staff.password_reset", "Password reset by an admin", ActionGroup::Staff),
    ("staff.password_changed", "Password changed", ActionGroup::Staff),
    ("staff.password_change_failed", "Password change refused: wrong current password", ActionGroup::Staff),
    ("staff.sessions_ended", "Sessions ended by an admin", ActionGroup::Staff),
    ("staff.totp_enabled", "Two-factor sign-in turned on", ActionGroup::Staff),
    ("staff.totp_disabled", "Two-factor sign-in turned off", ActionGroup::Staff),
    ("staff.totp_setup_failed", "Two-factor set-up: wrong code", ActionGroup::Staff),
    ("staff.recovery_codes_renewed", "New recovery codes made", ActionGroup::Staff),
    ("staff.passkey_added", "Passkey added", ActionGroup::Staff),
    ("staff.passkey_removed", "Passkey removed", ActionGroup::Staff),
    ("staff.passkey_refused", "Passkey not added: its answer did not check out", ActionGroup::Staff),
    ("staff.two_factor_reset", "Two-factor sign-in reset by an admin", ActionGroup::Staff),
    ("staff.sso_linked", "Linked to single sign-on", ActionGroup::Staff),
    ("staff.sso_email_changed", "Email for single sign-on changed", ActionGroup::Staff),
    ("staff.created_by_sso", "Account made at first single sign-on", ActionGroup::Staff),
    ("customer.resale_changed", "Resale flag changed", ActionGroup::Customers),
    ("customer.pricing_saved", "Sell pricing saved", ActionGroup::Customers),
    ("customer.debtor_account_changed", "Debtor account changed", ActionGroup::Customers),
    ("sell_list.saved", "Sell price list saved", ActionGroup::Settings),
    ("settings.datev_changed", "DATEV settings changed", ActionGroup::Settings),
    ("export.datev", "DATEV file downloaded", ActionGroup::MonthClose),
    ("token.created", "Access token created", ActionGroup::ApiKeys),
    ("token.revoked", "Access token revoked", ActionGroup::ApiKeys),
    ("token.refused", "Refused: access token expired, revoked or not allowed", ActionGroup::Refusals),
    ("webhook.created", "Webhook endpoint added", ActionGroup::Settings),
    ("webhook.changed", "Webhook endpoint changed", ActionGroup::Settings),
    ("webhook.removed", "Webhook endpoint removed", ActionGroup::Settings),
    ("webhook.test_sent", "Test event sent", ActionGroup::Settings),
    ("webhook.redelivered", "Delivery sent again", ActionGroup::Settings),
    ("webhook.disabled", "Webhook endpoint turned off after a day of failures", ActionGroup::Settings),
    ("mail.settings_changed", "Mail server settings saved", ActionGroup::Settings),
    ("mail.settings_removed", "Mail server settings removed", ActionGroup::Settings),
    ("mail.test_sent", "Test mail sent", ActionGroup::Settings),
    ("mail.redelivered", "Mail sent again", ActionGroup::Settings),
    ("mail.choices_changed", "Alert mails chosen", ActionGroup::Settings),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionGroup {
    SignIns,
    Refusals,
    Customers,
    ApiKeys,
    Settings,
    MonthClose,
    Staff,
}

impl ActionGroup {
    pub const ALL: [ActionGroup; 7] =
        [Self::SignIns, Self::Refusals, Self::Customers, Self::ApiKeys, Self::Settings, Self::MonthClose, Self::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIns => "sign-ins",
            Self::Refusals => "refusals",
            Self::Customers => "customers",
            Self::ApiKeys => "api-keys",
            Self::Settings => "settings",
            Self::MonthClose => "month-close",
            Self::Staff => "staff",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SignIns => "Sign-ins",
            Self::Refusals => "Refused actions",
            Self::Customers => "Customers",
            Self::ApiKeys => "API keys",
            Self::Settings => "Settings",
            Self::MonthClose => "Month close",
            Self::Staff => "Staff accounts",
        }
    }

    /// The action codes of this group.
    pub fn codes(self) -> Vec<&'static str> {
        ACTIONS.iter().filter(|(_, _, g)| *g == self).map(|(code, _, _)| *code).collect()
    }
}

/// How an action reads ("customer.created" -> "Created"); unknown codes as
/// they are.
pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _, _)| *c == code).map(|(_, label, _)| *label).unwrap_or(code)
}

/// The action filter: one action or a whole group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionFilter {
    One(String),
    Group(ActionGroup),
}

impl ActionFilter {
    /// The address's value: a group as "all-customers", an action as its code.
    pub fn as_param(&self) -> String {
        match self {
            Self::One(code) => code.clone(),
            Self::Group(group) => format!("all-{}", group.as_str()),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        if let Some(group) = raw.strip_prefix("all-") {
            return ActionGroup::ALL.into_iter().find(|g| g.as_str() == group).map(Self::Group);
        }
        ACTIONS.iter().find(|(code, _, _)| *code == raw).map(|(code, _, _)| Self::One((*code).to_owned()))
    }

    /// The action codes this filter keeps.
    pub fn codes(&self) -> Vec<String> {
        match self {
            Self::One(code) => vec![code.clone()],
            Self::Group(group) => group.codes().into_iter().map(str::to_owned).collect(),
        }
    }
}

/// Which entries to show. Dates are whole UTC days, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Who acted (a user name, "system", "cli" or an API key's owner), exactly.
    pub person: String,
    /// Part of a customer's name or database name.
    pub customer: String,
    pub action: Option<ActionFilter>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    /// The server's check of a filter it is sent: the texts' lengths.
    pub fn check(&self) -> Result<(), super::FieldMessage> {
        super::validation::filter_text("person", &self.person, TEXT_MAX_CHARS)?;
        super::validation::filter_text("customer", &self.customer, TEXT_MAX_CHARS)
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether the dates are the wrong way round.
    pub fn dates_reversed(&self) -> bool {
        matches!((self.from, self.to), (Some(from), Some(to)) if from > to)
    }
}

/// Where the page starts: the newest entries, or just older / newer than a
/// given entry (keyset paging: every page is as fast as the first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditCursor {
    #[default]
    Newest,
    Before(i64),
    After(i64),
}

/// The audit log page's address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AuditQuery {
    pub filter: AuditFilter,
    pub cursor: AuditCursor,
}

fn date(raw: Option<String>) -> Option<NaiveDate> {
    raw.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
}

impl AuditQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let id = |key: &str| get(key).and_then(|v| v.parse::<i64>().ok()).filter(|id| *id > 0);
        let cursor = match (id("before"), id("after")) {
            (Some(id), _) => AuditCursor::Before(id),
            (None, Some(id)) => AuditCursor::After(id),
            (None, None) => AuditCursor::Newest,
        };
        Self {
            filter: AuditFilter {
                person: address_text(get("person").map(|p| p.to_lowercase()), TEXT_MAX_CHARS),
                customer: address_text(get("customer"), TEXT_MAX_CHARS),
                action: get("action").as_deref().and_then(ActionFilter::parse),
                from: date(get("from")),
                to: date(get("to")),
            },
            cursor,
        }
    }

    pub fn href(&self) -> String {
        let f = &self.filter;
        let mut parts = Vec::new();
        if !f.person.is_empty() {
            parts.push(format!("person={}", encode(&f.person)));
        }
        if !f.customer.is_empty() {
            parts.push(format!("customer={}", encode(&f.customer)));
        }
        if let Some(action) = &f.action {
            parts.push(format!("action={}", encode(&action.as_param())));
        }
        if let Some(from) = f.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = f.to {
            parts.push(format!("to={to}"));
        }
        match self.cursor {
            AuditCursor::Newest => {}
            AuditCursor::Before(id) => parts.push(format!("before={id}")),
            AuditCursor::After(id) => parts.push(format!("after={id}")),
        }
        if parts.is_empty() {
            "/audit".to_owned()
        } else {
            format!("/audit?{}", parts.join("&"))
        }
    }

    /// The same filters at another place.
    pub fn at(&self, cursor: AuditCursor) -> Self {
        Self { filter: self.filter.clone(), cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer_list::params_of;

    fn parse(href: &str) -> AuditQuery {
        let pairs = params_of(href);
        AuditQuery::from_params(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_address_round_trips_every_filter_and_the_cursor() {
        let query = AuditQuery {
            filter: AuditFilter {
                person: "ada".to_owned(),
                customer: "Acme GmbH".to_owned(),
                action: Some(ActionFilter::Group(ActionGroup::Customers)),
                from: NaiveDate::from_ymd_opt(2026, 10, 1),
                to: NaiveDate::from_ymd_opt(2026, 10, 31),
            },
            cursor: AuditCursor::Before(42),
        };
        let href = query.href();
        assert_eq!(
            href,
            "/audit?person=ada&customer=Acme%20GmbH&action=all-customers&from=2026-10-01&to=2026-10-31&before=42"
        );
        assert_eq!(parse(&href), query);
        let one = query.at(AuditCursor::After(7));
        let one = AuditQuery {
            filter: AuditFilter { action: Some(ActionFilter::One("login.failed".to_owned())), ..one.filter },
            ..one
        };
        assert_eq!(parse(&one.href()), one);
        assert_eq!(AuditQuery::default().href(), "/audit");
    }

    #[test]
    fn unknown_or_bad_values_fall_back_to_no_filter() {
        let query = parse("/audit?action=drop.table&from=2026-13-01&to=yesterday&before=-3&person=%20Ada%20");
        assert_eq!(query.filter.action, None);
        assert_eq!((query.filter.from, query.filter.to), (None, None));
        assert_eq!(query.cursor, AuditCursor::Newest);
        assert_eq!(query.filter.person, "ada");
        assert_eq!(parse(&format!("/audit?customer={}", "x".repeat(500))).filter.customer.len(), TEXT_MAX_CHARS);
    }

    #[test]
    fn every_action_has_one_label_and_groups_cover_them_all() {
        let mut codes: Vec<&str> = ACTIONS.iter().map(|(c, _, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ACTIONS.len(), "an action is listed twice");
        let grouped: usize = ActionGroup::ALL.iter().map(|g| g.codes().len()).sum();
        assert_eq!(grouped, ACTIONS.len());
        assert_eq!(action_label("customer.created"), "Created");
        assert_eq!(action_label("something.new"), "something.new");
        assert_eq!(
            ActionFilter::parse("all-sign-ins").unwrap().codes(),
            [
                "login.succeeded",
                "login.failed",
                "login.refused",
                "login.code_required",
                "login.code_failed",
                "login.recovery_code_used",
                "login.passkey_failed",
                "login.sso_succeeded",
                "login.sso_failed",
                "login.password_off",
                "logout",
                "session.ended",
                "session.others_ended"
            ]
        );
    }

    #[test]
    fn a_text_cut_at_its_limit_reads_back_the_same() {
        // Character 100 is a space: the cut leaves it off, so the address
        // written from the query parses to the same query.
        let long = format!("{} tail", "x".repeat(TEXT_MAX_CHARS - 1));
        let query = AuditQuery::from_params(|key| (key == "customer").then(|| long.clone()));
        assert_eq!(query.filter.customer, "x".repeat(TEXT_MAX_CHARS - 1));
        assert_eq!(parse(&query.href()), query);
        // Lower case first, then the cut: "İ" becomes two characters.
        let person = "İ".repeat(TEXT_MAX_CHARS);
        let query = AuditQuery::from_params(|key| (key == "person").then(|| person.clone()));
        assert_eq!(query.filter.person.chars().count(), TEXT_MAX_CHARS);
    }

    #[test]
    fn reversed_dates_are_noticed() {
        let mut filter = AuditFilter {
            from: NaiveDate::from_ymd_opt(2026, 11, 2),
            to: NaiveDate::from_ymd_opt(2026, 11, 1),
            ..Default::default()
        };
        assert!(filter.dates_reversed());
        filter.to = filter.from;
        assert!(!filter.dates_reversed());
    }
}
