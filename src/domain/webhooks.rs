//! Webhook endpoints' rules: which addresses a delivery may go to, and when
//! a failed delivery is tried again. The signing is the server's
//! (`server::webhooks`); these rules are pure.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::events::EventKind;
use super::message::Message;
use super::validation::FieldMessage;

/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Why an endpoint's URL is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    Empty,
    TooLong,
    /// Not an absolute `http` or `https` URL with a host, or with a user
    /// name or password in it.
    NotHttp,
    /// An address deliveries never go to (see [`address_allowed`]).
    Address,
}

/// Reads an endpoint URL: absolute, `http` or `https`, a host, no user
/// name or password, no fragment (it would not be sent). An IP address as
/// the host is checked here already; a name is checked when it is
/// resolved, at every delivery.
pub fn parse_url(raw: &str, allow_private: bool) -> Result<url::Url, UrlProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(UrlProblem::TooLong);
    }
    let url = url::Url::parse(raw).map_err(|_| UrlProblem::NotHttp)?;
    let web = matches!(url.scheme(), "http" | "https");
    if !web
        || url.host().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
    {
        return Err(UrlProblem::NotHttp);
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if literal.is_some_and(|ip| !address_allowed(ip, allow_private)) {
        return Err(UrlProblem::Address);
    }
    let local = |host: &str| {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        host == "localhost" || host.ends_with(".localhost")
    };
    if url.host_str().is_some_and(local) && !allow_private {
        return Err(UrlProblem::Address);
    }
    Ok(url)
}

/// Whether a delivery may connect to `ip`. Never: unspecified, multicast,
/// broadcast, link-local (169.254.0.0/16 with the clouds' metadata
/// services, fe80::/10) and the known metadata addresses on other ranges.
/// Only when private ranges are allowed (`MSP_WEBHOOK_ALLOW_PRIVATE`):
/// loopback, the private and shared ranges (10/8, 172.16/12, 192.168/16,
/// 100.64/10, fc00::/7). An IPv4 address written as IPv6 counts as itself.
pub fn address_allowed(ip: IpAddr, allow_private: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_allowed(v4, allow_private),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_allowed(v4, allow_private),
            None => v6_allowed(v6, allow_private),
        },
    }
}

fn v4_allowed(ip: Ipv4Addr, allow_private: bool) -> bool {
    let [a, b, ..] = ip.octets();
    let never = ip.is_unspecified()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || a >= 240
        // Alibaba Cloud's metadata service, inside the shared range.
        || ip == Ipv4Addr::new(100, 100, 100, 200);
    if never {
        return false;
    }
    let private = ip.is_loopback() || ip.is_private() || (a == 100 && (64..128).contains(&b));
    !private || allow_private
}

fn v6_allowed(ip: Ipv6Addr, allow_private: bool) -> bool {
    let first = ip.segments()[0];
    // AWS's metadata service over IPv6 (inside fc00::/7).
    let metadata = ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    let link_local = first & 0xffc0 == 0xfe80;
    if ip.is_unspecified() || ip.is_multicast() || link_local || metadata {
        return false;
    }
    // NAT64 and 6to4 carry an IPv4 address that could be anything.
    if first == 0x2002 || ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return allow_private;
    }
    let private = ip.is_loopback() || first & 0xfe00 == 0xfc00;
    !private || allow_private
}

/// The longest description of an endpoint.
pub const DESCRIPTION_MAX_CHARS: u32 = 200;

/// The most endpoints an installation keeps (each event is sent to each).
pub const MAX_ENDPOINTS: u32 = 20;

/// An endpoint as an admin enters it (the page's form and the staff API).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointForm {
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event names of the catalogue (`EventKind::name`).
    pub events: Vec<String>,
}

/// A checked endpoint form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidEndpoint {
    pub url: url::Url,
    pub description: String,
    /// Known kinds, each once, in the catalogue's order.
    pub events: Vec<EventKind>,
}

impl EndpointForm {
    /// Every field against its rule (messages per field: `url`,
    /// `description`, `events`).
    pub fn validate(&self, allow_private: bool) -> Result<ValidEndpoint, Vec<FieldMessage>> {
        let mut problems = Vec::new();
        let url = parse_url(&self.url, allow_private)
            .map_err(|problem| {
                let message = match problem {
                    UrlProblem::Empty => Message::FillIn,
                    UrlProblem::TooLong => Message::AtMost { max: MAX_URL_CHARS as u32 },
                    UrlProblem::NotHttp => Message::WebhookUrl,
                    UrlProblem::Address => Message::WebhookAddress,
                };
                problems.push(FieldMessage::new("url", message));
            })
            .ok();
        let description = self.description.trim();
        if description.chars().count() > DESCRIPTION_MAX_CHARS as usize {
            problems.push(FieldMessage::new("description", Message::AtMost { max: DESCRIPTION_MAX_CHARS }));
        } else if description.chars().any(char::is_control) {
            problems.push(FieldMessage::new("description", Message::NameControlCharacters));
        }
        let unknown = self.events.iter().any(|name| EventKind::from_name(name).is_none());
        let events: Vec<EventKind> =
            EventKind::ALL.into_iter().filter(|kind| self.events.iter().any(|name| name == kind.name())).collect();
        if unknown || events.is_empty() {
            problems.push(FieldMessage::new("events", Message::EventsEmpty));
        }
        match url {
            Some(url) if problems.is_empty() => Ok(ValidEndpoint { url, description: description.to_owned(), events }),
            _ => Err(problems),
        }
    }
}

/// Deliveries are retried for this long after the event, then given up.
pub const RETRY_HOURS: i64 = 24;

/// The wait after the `attempts`-th failed attempt (1 for the first):
/// 15 s, doubling, at most 4 hours.
pub fn retry_delay(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(10);
    Duration::seconds((15i64 << doublings).min(4 * 3600))
}

/// When a delivery of an event made at `created` is tried next after its
/// `attempts`-th failure at `now`; None when that would be past
/// [`RETRY_HOURS`] (the delivery has failed for good).
pub fn next_attempt(created: DateTime<Utc>, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let next = now + retry_delay(attempts);
    (next <= created + Duration::hours(RETRY_HOURS)).then_some(next)
}

/// An endpoint failing for this long without a success is turned off.
pub const DISABLE_AFTER_HOURS: i64 = 24;

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(ip: &str, private: bool) -> bool {
        address_allowed(ip.parse().unwrap(), private)
    }

    #[test]
    fn public_addresses_pass_and_metadata_never() {
        for ip in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            assert!(allowed(ip, false), "{ip}");
        }
        for ip in [
            "169.254.169.254",
            "::ffff:169.254.169.254",
            "fe80::1",
            "fd00:ec2::254",
            "100.100.100.200",
            "0.0.0.0",
            "::",
            "224.0.0.1",
            "255.255.255.255",
            "ff02::1",
            "0.1.2.3",
            "240.0.0.1",
        ] {
            assert!(!allowed(ip, false), "{ip}");
            assert!(!allowed(ip, true), "{ip} even with private ranges allowed");
        }
    }

    #[test]
    fn private_ranges_only_when_allowed() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "::ffff:127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "fd12:3456::1",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!allowed(ip, false), "{ip}");
            assert!(allowed(ip, true), "{ip}");
        }
        assert!(allowed("172.32.0.1", false), "just outside 172.16/12");
        assert!(allowed("100.128.0.1", false), "just outside 100.64/10");
    }

    #[test]
    fn urls_must_be_http_with_a_host_and_no_credentials() {
        assert!(parse_url("https://hooks.example.com/in?x=1", false).is_ok());
        assert!(parse_url("  http://hooks.example.com:8080/  ", false).is_ok());
        assert_eq!(parse_url("", false), Err(UrlProblem::Empty));
        assert_eq!(parse_url(&format!("https://e.com/{}", "a".repeat(2000)), false), Err(UrlProblem::TooLong));
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://example.com/",
            "javascript:alert(1)",
            "hooks.example.com/in",
            "https://user:pw@example.com/",
            "https://user@example.com/",
            "https://example.com/#part",
            "http://",
        ] {
            assert_eq!(parse_url(bad, true), Err(UrlProblem::NotHttp), "{bad}");
        }
        for bad in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://127.0.0.1:3000/",
            "http://[::1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://localhost:3000/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://10.0.0.1/",
        ] {
            assert_eq!(parse_url(bad, false), Err(UrlProblem::Address), "{bad}");
        }
        assert!(parse_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert_eq!(parse_url("http://169.254.169.254/", true), Err(UrlProblem::Address));
    }

    #[test]
    fn an_endpoint_form_names_each_problem_at_its_field() {
        let form = EndpointForm {
            url: " https://hooks.example.com/msp ".into(),
            description: " PSA ".into(),
            events: vec!["usage.silent".into(), "contract.ending".into(), "usage.silent".into()],
        };
        let valid = form.validate(false).unwrap();
        assert_eq!(valid.url.as_str(), "https://hooks.example.com/msp");
        assert_eq!(valid.description, "PSA");
        assert_eq!(valid.events, [EventKind::ContractEnding, EventKind::UsageSilent], "once each, catalogue order");

        let wire = |form: EndpointForm| -> Vec<String> {
            form.validate(false).unwrap_err().into_iter().map(|p| format!("{}:{}", p.field, p.message.wire())).collect()
        };
        let bad = EndpointForm { url: "".into(), description: "x".repeat(201), events: vec![] };
        assert_eq!(wire(bad), ["url:fill_in", "description:at_most|200", "events:events_empty"]);
        let bad = EndpointForm {
            url: "http://169.254.169.254/".into(),
            description: "a\u{7}b".into(),
            events: vec!["month.closed".into(), "month.opened".into()],
        };
        assert_eq!(wire(bad), ["url:webhook_address", "description:name_control_characters", "events:events_empty"]);
        let bad = EndpointForm { url: "ftp://x.example/".into(), events: vec!["month.closed".into()], ..form };
        assert_eq!(wire(bad), ["url:webhook_url"]);
    }

    #[test]
    fn retries_double_from_15_seconds_and_stop_after_a_day() {
        let delays: Vec<i64> = (1..=13).map(|n| retry_delay(n).num_seconds()).collect();
        assert_eq!(delays, [15, 30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 14400, 14400, 14400]);
        let created: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(next_attempt(created, 1, created), Some(created + Duration::seconds(15)));
        let late = created + Duration::hours(23);
        assert_eq!(next_attempt(created, 12, late), None, "four more hours would pass the day");
        let mut now = created;
        let mut attempts = 0;
        while let Some(next) = next_attempt(created, attempts + 1, now) {
            attempts += 1;
            now = next;
        }
        assert!((13..=16).contains(&attempts), "{attempts} tries in a day");
    }
}
