//! The staff API's query parameters: the customer list's filters and
//! cursor, and the month of the billing routes. Each is bounded and an
//! unknown value is refused (a script should hear about its typo).

use super::message::Message;
use super::validation::FieldMessage;
use super::{BillingMonth, CustomerKind, CustomerStatus};

pub const NAME_MAX_CHARS: usize = 100;
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// A cursor is a customer id (opaque to callers): at most this many digits.
const CURSOR_MAX_CHARS: usize = 19;

/// `GET /api/v1/customers`: who to list, from where, and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerFilter {
    pub kind: Option<CustomerKind>,
    /// Active or deactivated; removed customers are never listed.
    pub status: Option<CustomerStatus>,
    /// Part of the name, any case.
    pub name: String,
    /// Customers with an id above this one (0: from the start).
    pub after: i64,
    pub limit: u32,
}

impl CustomerFilter {
    /// Reads the query's `kind`, `status`, `name`, `cursor` and `limit`.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Self, Vec<FieldMessage>> {
        let mut problems = Vec::new();
        let kind = match get("kind").as_deref() {
            None => None,
            Some("test") => Some(CustomerKind::Test),
            Some("billed") => Some(CustomerKind::Billed),
            Some(_) => {
                problems.push(FieldMessage::new("kind", Message::KindUnknown));
                None
            }
        };
        let status = match get("status").as_deref() {
            None => None,
            Some("active") => Some(CustomerStatus::Active),
            Some("deactivated") => Some(CustomerStatus::Deactivated),
            Some(_) => {
                problems.push(FieldMessage::new("status", Message::Text { text: "Use active or deactivated.".into() }));
                None
            }
        };
        let name = get("name").unwrap_or_default().trim().to_owned();
        if let Err(message) = super::validation::filter_text("name", &name, NAME_MAX_CHARS) {
            problems.push(message);
        }
        let after = match get("cursor") {
            None => 0,
            Some(raw) => match raw.parse::<i64>() {
                Ok(id) if id > 0 && raw.len() <= CURSOR_MAX_CHARS => id,
                _ => {
                    problems.push(FieldMessage::new(
                        "cursor",
                        Message::Text { text: "Use the next_cursor of the page before.".into() },
                    ));
                    0
                }
            },
        };
        let limit = match get("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    problems.push(FieldMessage::new("limit", Message::WholeNumberRange { min: 1, max: MAX_LIMIT }));
                    DEFAULT_LIMIT
                }
            },
        };
        if problems.is_empty() {
            Ok(Self { kind, status, name, after, limit })
        } else {
            Err(problems)
        }
    }
}

/// The `month` parameter of the billing routes (required, `YYYY-MM`).
pub fn month(raw: Option<String>) -> Result<BillingMonth, FieldMessage> {
    match raw {
        None => Err(FieldMessage::new("month", Message::MonthFormat)),
        Some(raw) => BillingMonth::parse(&raw).map_err(|e| FieldMessage::new("month", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<CustomerFilter, Vec<String>> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        CustomerFilter::parse(|k| map.get(k).cloned()).map_err(|e| e.into_iter().map(|m| m.field).collect())
    }

    #[test]
    fn defaults_list_everyone_from_the_start() {
        let filter = parse(&[]).unwrap();
        assert_eq!(
            filter,
            CustomerFilter { kind: None, status: None, name: String::new(), after: 0, limit: DEFAULT_LIMIT }
        );
    }

    #[test]
    fn each_filter_is_read() {
        let filter = parse(&[
            ("kind", "billed"),
            ("status", "deactivated"),
            ("name", " Acme "),
            ("cursor", "42"),
            ("limit", "200"),
        ])
        .unwrap();
        assert_eq!(filter.kind, Some(CustomerKind::Billed));
        assert_eq!(filter.status, Some(CustomerStatus::Deactivated));
        assert_eq!(filter.name, "Acme");
        assert_eq!((filter.after, filter.limit), (42, 200));
    }

    #[test]
    fn unknown_or_unbounded_values_are_refused_by_name() {
        assert_eq!(
            parse(&[("kind", "Billed"), ("status", "removed"), ("cursor", "-1"), ("limit", "201")]).unwrap_err(),
            ["kind", "status", "cursor", "limit"]
        );
        assert_eq!(parse(&[("name", &"x".repeat(101))]).unwrap_err(), ["name"]);
        assert_eq!(parse(&[("cursor", "99999999999999999999")]).unwrap_err(), ["cursor"]);
        assert_eq!(parse(&[("limit", "0")]).unwrap_err(), ["limit"]);
        assert!(parse(&[("name", &"x".repeat(100))]).is_ok());
    }

    #[test]
    fn the_month_is_required_and_checked() {
        assert_eq!(month(Some("2026-11".into())).unwrap().to_string(), "2026-11");
        assert_eq!(month(None).unwrap_err().field, "month");
        assert!(month(Some("2026-13".into())).is_err());
        assert!(month(Some("november".into())).is_err());
    }
}
