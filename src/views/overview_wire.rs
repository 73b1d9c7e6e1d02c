//! The cost overview's page on the wire. A month has up to tens of
//! thousands of rows, so each row leaves out what all of them share: the
//! month and where its figures come from are said once for the page, and
//! the options billed are listed once (code and name) and named by their
//! position in each row. About a third fewer bytes than the rows as they
//! are, to write on the server and to read in the browser.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

use super::billing::CostOverviewPage;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{BilledOption, CustomerBill, OverviewRow, UserChange};
use crate::domain::{BillingMonth, CustomerStatus, Money};

#[derive(Serialize, Deserialize)]
struct Page<'a> {
    month: BillingMonth,
    figures: Figures,
    currency: Cow<'a, str>,
    months: Cow<'a, [(BillingMonth, Figures)]>,
    /// Every option some row bills or compares with, once.
    options: Vec<Cow<'a, BilledOption>>,
    rows: Vec<Row<'a>>,
}

#[derive(Serialize, Deserialize)]
struct Row<'a> {
    id: i64,
    name: Cow<'a, str>,
    database: Cow<'a, str>,
    status: CustomerStatus,
    /// Billed, at the month's start, at its end.
    users: [u32; 3],
    /// Positions in the page's `options`.
    options: Vec<u32>,
    /// Users, options, total.
    costs: [Money; 3],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revenue: Option<Money>,
    #[serde(default, skip_serializing_if = "is_false")]
    not_for_resale: bool,
    change: UserChange,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    added: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    removed: Vec<u32>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The page's list of options while its rows are written.
#[derive(Default)]
struct Options<'a> {
    list: Vec<Cow<'a, BilledOption>>,
    at: HashMap<(&'a str, &'a str), u32>,
}

impl<'a> Options<'a> {
    fn positions(&mut self, options: &'a [BilledOption]) -> Vec<u32> {
        options
            .iter()
            .map(|o| {
                *self.at.entry((&o.code, &o.name)).or_insert_with(|| {
                    self.list.push(Cow::Borrowed(o));
                    (self.list.len() - 1) as u32
                })
            })
            .collect()
    }
}

impl Serialize for CostOverviewPage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut options = Options::default();
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let b = &r.bill;
                Row {
                    id: b.customer_id,
                    name: Cow::Borrowed(&b.name),
                    database: Cow::Borrowed(&b.database_name),
                    status: b.status,
                    users: [b.users, b.users_at_start, b.users_at_end],
                    options: options.positions(&b.options),
                    costs: [b.users_cost, b.options_cost, b.total],
                    revenue: b.revenue,
                    not_for_resale: b.not_for_resale,
                    change: r.change,
                    added: options.positions(&r.options_added),
                    removed: options.positions(&r.options_removed),
                }
            })
            .collect();
        Page {
            month: self.month,
            figures: self.figures,
            currency: Cow::Borrowed(&self.currency),
            months: Cow::Borrowed(&self.months),
            options: options.list,
            rows,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CostOverviewPage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let page = Page::deserialize(deserializer)?;
        let named = |positions: Vec<u32>| -> Result<Vec<BilledOption>, D::Error> {
            positions
                .into_iter()
                .map(|i| {
                    page.options
                        .get(i as usize)
                        .map(|o| o.clone().into_owned())
                        .ok_or_else(|| D::Error::custom("no such option"))
                })
                .collect()
        };
        let mut rows = Vec::with_capacity(page.rows.len());
        for r in page.rows {
            let [users, users_at_start, users_at_end] = r.users;
            let [users_cost, options_cost, total] = r.costs;
            let bill = CustomerBill {
                customer_id: r.id,
                name: r.name.into_owned(),
                database_name: r.database.into_owned(),
                status: r.status,
                figures: page.figures,
                users,
                users_at_start,
                users_at_end,
                options: named(r.options)?,
                users_cost,
                options_cost,
                total,
                revenue: r.revenue,
                not_for_resale: r.not_for_resale,
            };
            rows.push(OverviewRow {
                month: page.month,
                bill,
                change: r.change,
                options_added: named(r.added)?,
                options_removed: named(r.removed)?,
            });
        }
        Ok(CostOverviewPage {
            month: page.month,
            figures: page.figures,
            currency: page.currency.into_owned(),
            months: page.months.into_owned(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(code: &str, name: &str) -> BilledOption {
        BilledOption { code: code.to_owned(), name: name.to_owned() }
    }

    fn row(id: i64, options: Vec<BilledOption>, change: UserChange, added: Vec<BilledOption>) -> OverviewRow {
        OverviewRow {
            month: BillingMonth::parse("2026-11").unwrap(),
            bill: CustomerBill {
                customer_id: id,
                name: format!("Customer \"{id}\""),
                database_name: format!("db_{id}"),
                status: CustomerStatus::Active,
                figures: Figures::Final,
                users: 10,
                users_at_start: 9,
                users_at_end: 11,
                options,
                users_cost: Money::from_cents(4_500),
                options_cost: Money::from_cents(120),
                total: Money::from_cents(4_620),
                revenue: (id % 2 == 0).then(|| Money::from_cents(5_000)),
                not_for_resale: id == 3,
            },
            change,
            options_added: added,
            options_removed: Vec::new(),
        }
    }

    fn page() -> CostOverviewPage {
        let month = BillingMonth::parse("2026-11").unwrap();
        CostOverviewPage {
            month,
            figures: Figures::Final,
            currency: "EUR".to_owned(),
            months: vec![(month.next(), Figures::Forecast), (month, Figures::Final)],
            rows: vec![
                row(1, vec![option("offline", "Offline mode"), option("sso", "SSO")], UserChange::New, vec![]),
                row(2, vec![option("sso", "SSO")], UserChange::By(-2), vec![option("sso", "SSO")]),
                // The same code under another name (renamed before this
                // statement was frozen) stays its own option.
                row(3, vec![option("sso", "Single sign-on")], UserChange::By(0), vec![]),
                row(4, vec![], UserChange::By(3), vec![]),
            ],
        }
    }

    #[test]
    fn a_page_reads_back_as_it_was_written() {
        let page = page();
        let json = serde_json::to_string(&page).unwrap();
        assert_eq!(serde_json::from_str::<CostOverviewPage>(&json).unwrap(), page);
    }

    #[test]
    fn each_option_is_written_once_and_rows_name_it_by_position() {
        let json: serde_json::Value = serde_json::to_value(page()).unwrap();
        assert_eq!(
            json["options"],
            serde_json::json!([
                {"code": "offline", "name": "Offline mode"},
                {"code": "sso", "name": "SSO"},
                {"code": "sso", "name": "Single sign-on"},
            ])
        );
        assert_eq!(json["rows"][0]["options"], serde_json::json!([0, 1]));
        assert_eq!(json["rows"][1]["added"], serde_json::json!([1]));
        assert_eq!(json["rows"][2]["options"], serde_json::json!([2]));
        assert!(json["rows"][0].get("month").is_none() && json["rows"][0].get("figures").is_none());
        assert!(json["rows"][0].get("added").is_none(), "empty lists are left out");
    }

    #[test]
    fn a_position_past_the_list_is_refused() {
        let mut json: serde_json::Value = serde_json::to_value(page()).unwrap();
        json["rows"][1]["options"] = serde_json::json!([7]);
        assert!(serde_json::from_value::<CostOverviewPage>(json).is_err());
    }
}
