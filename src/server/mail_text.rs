//! What an alert mail says: its subject and plain-text body, in the
//! recipient's language and time zone, from the stored events.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::events::StoredEvent;
use crate::domain::billing_month::BillingMonth;
use crate::domain::locale::{self, Language};
use crate::domain::money::Money;
use crate::domain::time_zone::ZoneRules;
use crate::i18n::{td_string, Locale};

/// Who reads the mail, and where links point.
pub struct Reader<'a> {
    pub language: Language,
    pub zone: &'a ZoneRules,
    /// The console's address (`MSP_PUBLIC_URL`), for links; none: paths only.
    pub public_url: Option<&'a str>,
}

impl Reader<'_> {
    fn locale(&self) -> Locale {
        match self.language {
            Language::English => Locale::en,
            Language::German => Locale::de,
        }
    }

    fn link(&self, path: &str) -> String {
        match self.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }

    fn date(&self, text: &str) -> String {
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(day) => locale::date(day, self.language),
            Err(_) => text.to_owned(),
        }
    }

    fn month(&self, text: &str) -> String {
        match BillingMonth::parse(text) {
            Ok(month) => locale::month_long(month, self.language),
            Err(_) => text.to_owned(),
        }
    }

    fn time(&self, at: DateTime<Utc>) -> String {
        locale::time(at, self.zone, self.language)
    }
}

fn text(data: &Value, key: &str) -> String {
    match data.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(data: &Value, key: &str) -> i64 {
    data.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The one sentence that says what happened.
pub fn sentence(event: &StoredEvent, r: &Reader) -> String {
    let l = r.locale();
    let d = &event.data;
    let customer = d.get("customer").map(|c| text(c, "name")).unwrap_or_default();
    let left = || match number(d, "days_left") {
        0 => td_string!(l, mail.last_day).to_owned(),
        1 => td_string!(l, mail.one_day_left).to_owned(),
        n => td_string!(l, mail.days_left, n = locale::count(n.unsigned_abs(), r.language)),
    };
    match event.kind.as_str() {
        "contract.ending" => {
            td_string!(
                l,
                mail.contract_ending,
                customer = customer,
                date = r.date(&text(d, "contract_end")),
                left = left()
            )
        }
        "test_phase.ending" => {
            td_string!(
                l,
                mail.test_phase_ending,
                customer = customer,
                date = r.date(&text(d, "contract_end")),
                left = left()
            )
        }
        "customer.deactivated_by_contract_end" => {
            td_string!(l, mail.deactivated, customer = customer, date = r.date(&text(d, "contract_end")))
        }
        "month.closed" => {
            let total = Money::parse(&text(d, "total"))
                .map(|m| locale::money(m, &text(d, "currency"), r.language))
                .unwrap_or_else(|_| text(d, "total"));
            let statements = locale::count(number(d, "statements").unsigned_abs(), r.language);
            td_string!(l, mail.month_closed, month = r.month(&text(d, "month")), statements = statements, total = total)
        }
        "license.threshold" => td_string!(
            l,
            mail.license_threshold,
            customer = customer,
            percent = number(d, "percent").to_string(),
            users = locale::count(number(d, "users").unsigned_abs(), r.language),
            max = locale::count(number(d, "max_users").unsigned_abs(), r.language)
        ),
        "license.hard_limit_reached" => td_string!(
            l,
            mail.hard_limit,
            customer = customer,
            max = locale::count(number(d, "max_users").unsigned_abs(), r.language)
        ),
        "usage.silent" => {
            td_string!(l, mail.usage_silent, customer = customer, hours = number(d, "silent_hours").to_string())
        }
        "usage.resumed" => td_string!(
            l,
            mail.usage_resumed,
            customer = customer,
            users = locale::count(number(d, "users").unsigned_abs(), r.language)
        ),
        "usage.late_report" => td_string!(l, mail.late_report, customer = customer, month = r.month(&text(d, "month"))),
        "month.close_overdue" => {
            td_string!(l, mail.close_overdue, month = r.month(&text(d, "month")), due = r.date(&text(d, "due")))
        }
        "job.failed" => td_string!(l, mail.job_failed, job = text(d, "job")),
        "staff.locked_out" => td_string!(
            l,
            mail.locked_out,
            username = text(d, "username"),
            failures = number(d, "failures").to_string(),
            address = text(d, "address")
        ),
        "webhook_endpoint.disabled" => {
            td_string!(l, mail.endpoint_disabled, url = text(d, "url"), reply = text(d, "last_reply"))
        }
        "test" => td_string!(l, mail.test, who = text(d, "requested_by")),
        other => other.to_owned(),
    }
}

/// The lines under an event's sentence: its customer's page, and the
/// event's kind, id and time.
fn details(event: &StoredEvent, r: &Reader, out: &mut String) {
    let l = r.locale();
    if let Some(path) = event.data.get("customer").and_then(|c| c.get("path")).and_then(Value::as_str) {
        out.push_str(&td_string!(l, mail.customer_page, link = r.link(path)));
        out.push('\n');
    }
    out.push_str(&format!("{} · {} · {}\n", event.kind, event.id, r.time(event.occurred_at)));
}

/// The longest subject written (a long customer name is cut).
const SUBJECT_MAX_CHARS: usize = 150;

fn subject_of(text: &str) -> String {
    let text = text.trim_end_matches('.');
    if text.chars().count() <= SUBJECT_MAX_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(SUBJECT_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A mail's subject: the event's sentence, a digest's count (`total`, all
/// its events), or the test's.
pub fn subject(kind: &str, events: &[StoredEvent], total: usize, r: &Reader) -> String {
    let l = r.locale();
    match events {
        _ if kind == "test" => td_string!(l, mail.test_subject).to_owned(),
        [one] if total == 1 => subject_of(&sentence(one, r)),
        _ => td_string!(l, mail.digest_subject, n = locale::count(total as u64, r.language)),
    }
}

/// A mail's body: each event's sentence and details (a digest: oldest
/// first, and how many more it has than `events` lists), then where the
/// reader changes what reaches them.
pub fn body(kind: &str, events: &[StoredEvent], total: usize, requested_by: &str, r: &Reader) -> String {
    let l = r.locale();
    let mut out = String::new();
    if kind == "test" {
        out.push_str(&td_string!(l, mail.test, who = requested_by.to_owned()));
        out.push('\n');
    }
    if kind == "digest" {
        out.push_str(td_string!(l, mail.digest_intro));
        out.push_str("\n\n");
    }
    for event in events {
        out.push_str(&sentence(event, r));
        out.push('\n');
        details(event, r, &mut out);
        out.push('\n');
    }
    if total > events.len() {
        let more = locale::count((total - events.len()) as u64, r.language);
        out.push_str(&td_string!(l, mail.digest_more, n = more));
        out.push_str("\n\n");
    }
    out.push_str("-- \n");
    out.push_str(&td_string!(l, mail.footer, link = r.link("/password")));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, data: Value) -> StoredEvent {
        StoredEvent {
            id: "evt_test".into(),
            kind: kind.into(),
            occurred_at: "2027-03-01T08:30:00Z".parse().unwrap(),
            customer_id: None,
            data,
        }
    }

    #[test]
    fn every_kind_reads_as_a_sentence_in_both_languages() {
        let zone = ZoneRules::utc();
        let customer = serde_json::json!({ "id": 7, "name": "Acme GmbH", "path": "/customers/7" });
        let events = [
            event(
                "contract.ending",
                serde_json::json!({ "contract_end": "2027-03-15", "days_left": 14, "customer": customer }),
            ),
            event(
                "test_phase.ending",
                serde_json::json!({ "contract_end": "2027-03-02", "days_left": 1, "customer": customer }),
            ),
            event(
                "customer.deactivated_by_contract_end",
                serde_json::json!({ "contract_end": "2027-02-28", "customer": customer }),
            ),
            event(
                "month.closed",
                serde_json::json!({ "month": "2027-02", "statements": 12, "total": "1234.50", "currency": "EUR" }),
            ),
            event(
                "license.threshold",
                serde_json::json!({ "percent": 80, "users": 8, "max_users": 10, "customer": customer }),
            ),
            event(
                "license.hard_limit_reached",
                serde_json::json!({ "users": 10, "max_users": 10, "customer": customer }),
            ),
            event("usage.silent", serde_json::json!({ "silent_hours": 48, "customer": customer })),
            event("usage.resumed", serde_json::json!({ "users": 9, "customer": customer })),
            event("usage.late_report", serde_json::json!({ "month": "2027-01", "users": 9, "customer": customer })),
            event("month.close_overdue", serde_json::json!({ "month": "2027-02", "due": "2027-03-03" })),
            event("job.failed", serde_json::json!({ "job": "month_close", "day": "2027-03-01" })),
            event("staff.locked_out", serde_json::json!({ "username": "jo", "address": "192.0.2.1", "failures": 10 })),
            event(
                "webhook_endpoint.disabled",
                serde_json::json!({ "url": "https://hooks.example.com/", "last_reply": "500" }),
            ),
        ];
        for language in Language::ALL {
            let r = Reader { language, zone: &zone, public_url: Some("https://console.example.com/") };
            for e in &events {
                let said = sentence(e, &r);
                assert!(!said.contains("{{") && !said.is_empty() && said != e.kind, "{}: {said}", e.kind);
            }
        }
        let en = Reader { language: Language::English, zone: &zone, public_url: Some("https://console.example.com/") };
        let de = Reader { language: Language::German, ..en };
        assert_eq!(sentence(&events[0], &en), "The contract of Acme GmbH ends on 15 Mar 2027 (14 days left).");
        assert_eq!(sentence(&events[0], &de), "Der Vertrag von Acme GmbH endet am 15.03.2027 (noch 14 Tage).");
        assert_eq!(sentence(&events[3], &de), "Februar 2027 wurde abgeschlossen: 12 Abrechnungen, 1.234,50\u{a0}€.");
        let body = body("event", &events[4..5], 1, "", &en);
        assert!(body.contains("https://console.example.com/customers/7"), "{body}");
        assert!(body.contains("license.threshold · evt_test · 1 Mar 2027, 08:30 UTC"), "{body}");
        assert_eq!(subject("event", &events[4..5], 1, &en), "Acme GmbH uses 80 % of its license: 8 of 10 users");
        assert_eq!(subject("digest", &events[..3], 3, &de), "3 Hinweise seit der letzten Zusammenfassung");
    }

    #[test]
    fn a_long_name_makes_a_cut_subject() {
        let zone = ZoneRules::utc();
        let r = Reader { language: Language::English, zone: &zone, public_url: None };
        let customer = serde_json::json!({ "id": 7, "name": "A".repeat(300), "path": "/customers/7" });
        let e = event("usage.resumed", serde_json::json!({ "users": 1, "customer": customer }));
        let subject = subject("event", &[e], 1, &r);
        assert_eq!(subject.chars().count(), SUBJECT_MAX_CHARS);
        assert!(subject.ends_with('…'));
    }
}
