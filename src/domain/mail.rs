//! Alert mails' rules: the SMTP settings, the addresses, which events reach
//! a staff member who has not chosen (by role), and when a daily digest is
//! due. Sending is the server's (`server::mail`); these rules are pure.

use std::net::IpAddr;

use chrono::{NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use super::events::EventKind;
use super::message::Message;
use super::role::Role;
use super::validation::FieldMessage;
use super::webhooks::address_allowed;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network,
    /// and never with a password.
    None,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::StartTls, Security::Tls, Security::None];

    pub fn name(self) -> &'static str {
        match self {
            Security::StartTls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }

    pub fn parse(name: &str) -> Option<Security> {
        Security::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The port such a server usually listens on.
    pub fn usual_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// The longest email address accepted (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// The longest SMTP host name.
pub const HOST_MAX_CHARS: usize = 253;
/// The longest SMTP user name or password.
pub const CREDENTIAL_MAX_CHARS: usize = 256;

/// Whether `text` is an address mail can go to: one `@`, a local part of
/// 1–64 printable characters without spaces, quotes or angle brackets, a
/// domain of dot-separated labels (letters, digits, hyphens) with at least
/// one dot. Stricter than RFC 5322 on purpose: nothing that could end a
/// header line or open a second address.
pub fn email_valid(text: &str) -> bool {
    if text.chars().count() > EMAIL_MAX_CHARS {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else { return false };
    let local_ok = (1..=64).contains(&local.len())
        && local.chars().all(|c| c.is_ascii_graphic() && !"\"(),:;<>@[\\]".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    local_ok && host_name_valid(domain) && domain.contains('.')
}

/// A host name: dot-separated labels of 1–63 letters, digits and hyphens,
/// not starting or ending with a hyphen.
fn host_name_valid(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && host.len() <= HOST_MAX_CHARS
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The SMTP settings as a form sends them. `password`: a new one, or none
/// to keep the stored one (it is never shown back).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpForm {
    pub host: String,
    pub port: String,
    pub security: String,
    pub username: String,
    pub password: Option<String>,
    pub from: String,
}

/// Checked SMTP settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSmtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: no authentication.
    pub username: String,
    /// A new password to store; none keeps the stored one (or none).
    pub password: Option<String>,
    pub from: String,
}

impl SmtpForm {
    /// Checks every field; `has_password`: a password is stored already.
    pub fn validate(&self, has_password: bool) -> Result<ValidSmtp, Vec<FieldMessage>> {
        let mut problems = Vec::new();
        let host = self.host.trim().trim_start_matches('[').trim_end_matches(']').to_owned();
        match host.parse::<IpAddr>() {
            _ if host.is_empty() => problems.push(FieldMessage::new("host", Message::FillIn)),
            // SMTP relays are often on the same network: private addresses
            // are fine, link-local and metadata addresses never.
            Ok(ip) if !address_allowed(ip, true) => problems.push(FieldMessage::new("host", Message::SmtpHost)),
            Ok(_) => {}
            Err(_) if !host_name_valid(&host) => problems.push(FieldMessage::new("host", Message::SmtpHost)),
            Err(_) => {}
        }
        let port = self.port.trim().parse::<u16>().ok().filter(|&p| p > 0);
        if port.is_none() {
            problems.push(FieldMessage::new("port", Message::SmtpPort));
        }
        let security = Security::parse(self.security.trim());
        if security.is_none() {
            problems.push(FieldMessage::new("security", Message::FillIn));
        }
        let username = self.username.trim().to_owned();
        if username.chars().count() > CREDENTIAL_MAX_CHARS {
            problems.push(FieldMessage::new("username", Message::AtMost { max: CREDENTIAL_MAX_CHARS as u32 }));
        } else if username.chars().any(char::is_control) {
            problems.push(FieldMessage::new("username", Message::NameControlCharacters));
        }
        let password = self.password.clone().filter(|p| !p.is_empty());
        if let Some(password) = &password {
            if password.chars().count() > CREDENTIAL_MAX_CHARS {
                problems.push(FieldMessage::new("password", Message::AtMost { max: CREDENTIAL_MAX_CHARS as u32 }));
            } else if password.chars().any(char::is_control) {
                problems.push(FieldMessage::new("password", Message::NameControlCharacters));
            }
        }
        if !username.is_empty() {
            if security == Some(Security::None) {
                problems.push(FieldMessage::new("security", Message::SmtpCredentialsNeedTls));
            }
            if password.is_none() && !has_password {
                problems.push(FieldMessage::new("password", Message::FillIn));
            }
        }
        let from = self.from.trim().to_owned();
        if from.is_empty() {
            problems.push(FieldMessage::new("from", Message::FillIn));
        } else if !email_valid(&from) {
            problems.push(FieldMessage::new("from", Message::EmailAddress));
        }
        match (port, security) {
            (Some(port), Some(security)) if problems.is_empty() => {
                Ok(ValidSmtp { host, port, security, username, password, from })
            }
            _ => Err(problems),
        }
    }
}

/// A staff member's alert mails as their account page sends them: an
/// address (empty: no mails), one mail per event or a daily digest, and
/// the events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoicesForm {
    pub email: String,
    pub digest: bool,
    pub events: Vec<String>,
}

/// Checked choices: the events once each, in the catalogue's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidChoices {
    pub email: Option<String>,
    pub digest: bool,
    pub events: Vec<EventKind>,
}

impl ChoicesForm {
    pub fn validate(&self) -> Result<ValidChoices, Vec<FieldMessage>> {
        let mut problems = Vec::new();
        let email = self.email.trim();
        if !email.is_empty() && !email_valid(email) {
            problems.push(FieldMessage::new("email", Message::EmailAddress));
        }
        if self.events.len() > EventKind::ALL.len() * 2
            || self.events.iter().any(|name| EventKind::from_name(name).is_none())
        {
            problems.push(FieldMessage::new("events", Message::EventsEmpty));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ValidChoices {
            email: (!email.is_empty()).then(|| email.to_owned()),
            digest: self.digest,
            events: EventKind::ALL.into_iter().filter(|k| self.events.iter().any(|n| n == k.name())).collect(),
        })
    }
}

/// The events that reach a staff member who has not chosen: admins all of
/// them; operators what concerns customers and months; viewers none (they
/// choose for themselves).
pub fn default_events(role: Role) -> Vec<EventKind> {
    match role {
        Role::Admin => EventKind::ALL.to_vec(),
        Role::Operator => EventKind::ALL
            .into_iter()
            .filter(|k| !matches!(k, EventKind::JobFailed | EventKind::StaffLockedOut | EventKind::EndpointDisabled))
            .collect(),
        Role::Viewer => Vec::new(),
    }
}

/// The most events a digest lists; the rest are counted at its end, so
/// that a day of many events (a license threshold crossed by thousands of
/// customers) still makes a mail of bounded size.
pub const DIGEST_LISTED: usize = 200;

/// The hour (in the recipient's time zone) the daily digest goes out.
pub const DIGEST_HOUR: u32 = 7;

/// Whether a recipient's digest is due at `local_now` (their wall clock)
/// when the last went out on `last_sent` (their day): once a day, from
/// [`DIGEST_HOUR`] on. A console that was down at 7 sends it when it is
/// back, the same day.
pub fn digest_due(local_now: NaiveDateTime, last_sent: Option<NaiveDate>) -> bool {
    local_now.hour() >= DIGEST_HOUR && last_sent.is_none_or(|day| day < local_now.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SmtpForm {
        SmtpForm {
            host: " mail.example.com ".into(),
            port: "587".into(),
            security: "starttls".into(),
            username: "alerts".into(),
            password: Some("s3cret".into()),
            from: "console@example.com".into(),
        }
    }

    fn wire(form: SmtpForm, has_password: bool) -> Vec<String> {
        form.validate(has_password)
            .unwrap_err()
            .into_iter()
            .map(|p| format!("{}:{}", p.field, p.message.wire()))
            .collect()
    }

    #[test]
    fn addresses_that_could_break_a_header_are_refused() {
        for good in ["a@example.com", "first.last+alerts@mail.example.co.uk", "x_y-z@a-b.de"] {
            assert!(email_valid(good), "{good}");
        }
        for bad in [
            "",
            "example.com",
            "a@b",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "a@example.com\r\nBcc: x@evil.example",
            "a@example.com, b@example.com",
            "<a@example.com>",
            "\"a\"@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@exa_mple.com",
            "a@example..com",
        ] {
            assert!(!email_valid(bad), "{bad:?}");
        }
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(186));
        assert_eq!(long.len(), 255);
        assert!(!email_valid(&long), "longer than 254");
        assert!(!email_valid(&format!("{}@example.com", "a".repeat(65))), "local part over 64");
    }

    #[test]
    fn smtp_settings_are_checked_field_by_field() {
        let valid = form().validate(false).unwrap();
        assert_eq!(valid.host, "mail.example.com");
        assert_eq!((valid.port, valid.security), (587, Security::StartTls));
        assert_eq!(valid.password.as_deref(), Some("s3cret"));

        let keep = SmtpForm { password: None, ..form() };
        assert_eq!(keep.validate(true).unwrap().password, None, "the stored password stays");
        assert_eq!(wire(keep, false), ["password:fill_in"], "a user name needs a password");

        let bad = SmtpForm {
            host: "169.254.169.254".into(),
            port: "0".into(),
            security: "ssl".into(),
            username: "a\u{0}b".into(),
            password: Some("x".repeat(257)),
            from: "console".into(),
        };
        assert_eq!(
            wire(bad, true),
            [
                "host:smtp_host",
                "port:smtp_port",
                "security:fill_in",
                "username:name_control_characters",
                "password:at_most|256",
                "from:email_address"
            ]
        );
        let plain = SmtpForm { security: "none".into(), port: "25".into(), ..form() };
        assert_eq!(wire(plain, true), ["security:smtp_credentials_need_tls"], "no password in the clear");
        let relay = SmtpForm {
            security: "none".into(),
            username: "".into(),
            password: None,
            host: "10.0.0.5".into(),
            ..form()
        };
        assert!(relay.validate(false).is_ok(), "a relay without a password on the local network");
        for host in
            ["mail..example.com", "-mail.example.com", "mail example.com", "mail.example.com\r\nX", "[fe80::1]", ""]
        {
            assert!(SmtpForm { host: host.into(), ..form() }.validate(true).is_err(), "{host:?}");
        }
        assert!(SmtpForm { host: "[::1]".into(), ..form() }.validate(true).is_ok());
        assert!(SmtpForm { host: "localhost".into(), ..form() }.validate(true).is_ok());
        assert_eq!(wire(SmtpForm { port: "65536".into(), ..form() }, true), ["port:smtp_port"]);
        let crlf = SmtpForm { password: Some("pw\r\nQUIT".into()), ..form() };
        assert_eq!(wire(crlf, true), ["password:name_control_characters"]);
    }

    #[test]
    fn choices_take_an_address_or_none_and_known_events() {
        let form = ChoicesForm {
            email: " jo@example.com ".into(),
            digest: true,
            events: vec!["usage.silent".into(), "contract.ending".into(), "usage.silent".into()],
        };
        let valid = form.validate().unwrap();
        assert_eq!(valid.email.as_deref(), Some("jo@example.com"));
        assert_eq!(valid.events, [EventKind::ContractEnding, EventKind::UsageSilent]);
        let none = ChoicesForm { email: "".into(), digest: false, events: vec![] }.validate().unwrap();
        assert_eq!((none.email, none.events.len()), (None, 0), "no address: no mails");
        let bad = ChoicesForm { email: "jo@".into(), digest: false, events: vec!["test".into()] };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|p| p.field.to_string()).collect();
        assert_eq!(fields, ["email", "events"], "test events are not for subscribing");
    }

    #[test]
    fn defaults_by_role() {
        assert_eq!(default_events(Role::Admin).len(), EventKind::ALL.len());
        let operator = default_events(Role::Operator);
        assert!(operator.contains(&EventKind::ContractEnding) && operator.contains(&EventKind::CloseOverdue));
        assert!(!operator.contains(&EventKind::StaffLockedOut) && !operator.contains(&EventKind::JobFailed));
        assert!(default_events(Role::Viewer).is_empty());
    }

    #[test]
    fn a_digest_goes_once_a_day_from_seven() {
        let at = |d: u32, h: u32| NaiveDate::from_ymd_opt(2027, 3, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        assert!(!digest_due(at(2, 6), Some(day(1))), "before seven");
        assert!(digest_due(at(2, 7), Some(day(1))));
        assert!(digest_due(at(2, 23), Some(day(1))), "late, after a pause");
        assert!(!digest_due(at(2, 8), Some(day(2))), "once a day");
        assert!(digest_due(at(2, 9), None), "the first");
    }
}
