//! The sell prices as typed: the MSP's sell list (Settings) and one
//! customer's pricing (the customer's page), checked into the rules'
//! `SellList` and `CustomerPricing`. The same checks run in the browser and
//! on the server.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::message::Message;
use super::percent::{Percent, DISCOUNT_MAX, MARKUP_MAX};
use super::selling::{CustomerPricing, SellList, SellPrice};
use super::validation::{FieldMessage, Problems};
use super::{BillingMonth, UnitPrice};

/// How one item is priced, as chosen: `vendor` (the vendor's price),
/// `price` (a unit price) or `markup` (a percentage over the vendor's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellPriceForm {
    /// Empty for the users, else the option's code.
    pub code: String,
    pub method: String,
    pub value: String,
}

/// The MSP's sell list as typed: in force from `effective_month`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellListForm {
    pub effective_month: String,
    /// The users (code empty) and the options.
    pub items: Vec<SellPriceForm>,
}

/// The field of an item in messages: `sell:` (users), `sell:offline`.
pub fn sell_field(code: &str) -> String {
    format!("sell:{code}")
}

/// An item's fixed price in a customer's pricing: `fixed:`, `fixed:offline`.
pub fn fixed_field(code: &str) -> String {
    format!("fixed:{code}")
}

/// The month a price change may start in: the current one or later, never
/// a past one (a change never alters a month that has ended).
fn starting_month(raw: &str, current: BillingMonth) -> Result<BillingMonth, Message> {
    let month = BillingMonth::parse(raw)?;
    if month < current {
        return Err(Message::PriceListStart { month: current.to_string() });
    }
    Ok(month)
}

/// One item's sell price; None: the vendor's price.
pub fn parse_sell_price(method: &str, value: &str) -> Result<Option<SellPrice>, Message> {
    match method {
        "vendor" => Ok(None),
        "price" => Ok(Some(SellPrice::Price(UnitPrice::parse(value)?))),
        "markup" => Ok(Some(SellPrice::Markup(Percent::parse(value, MARKUP_MAX)?))),
        _ => Err(Message::SellMethodUnknown),
    }
}

impl SellListForm {
    /// The list; an item not in the form sells at the vendor's price.
    pub fn validate(&self, current: BillingMonth) -> Result<SellList, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let effective = problems.check("effective_month", starting_month(&self.effective_month, current));
        let mut per_user = None;
        let mut options = BTreeMap::new();
        for item in &self.items {
            let Some(price) = problems.check(&sell_field(&item.code), parse_sell_price(&item.method, &item.value))
            else {
                continue;
            };
            match (item.code.as_str(), price) {
                ("", price) => per_user = price,
                (code, Some(price)) => {
                    options.insert(code.to_owned(), price);
                }
                (_, None) => {}
            }
        }
        problems.into_result(effective.map(|effective| SellList { effective, per_user, options }))
    }
}

/// A customer's pricing as typed: a discount and fixed prices (an empty
/// price: the list's), in force from `effective_month`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPricingForm {
    pub effective_month: String,
    pub discount: String,
    /// Code (empty for the users) and price; an empty price is none.
    pub fixed: Vec<(String, String)>,
}

impl CustomerPricingForm {
    pub fn validate(&self, current: BillingMonth) -> Result<CustomerPricing, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let effective = problems.check("effective_month", starting_month(&self.effective_month, current));
        let discount = if self.discount.trim().is_empty() {
            Some(Percent::ZERO)
        } else {
            problems.check("discount", Percent::parse(&self.discount, DISCOUNT_MAX))
        };
        let mut per_user = None;
        let mut options = BTreeMap::new();
        for (code, raw) in &self.fixed {
            if raw.trim().is_empty() {
                continue;
            }
            let Some(price) = problems.check(&fixed_field(code), UnitPrice::parse(raw)) else { continue };
            if code.is_empty() {
                per_user = Some(price);
            } else {
                options.insert(code.clone(), price);
            }
        }
        let valid = match (effective, discount) {
            (Some(effective), Some(discount)) => Some(CustomerPricing { effective, discount, per_user, options }),
            _ => None,
        };
        problems.into_result(valid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(raw: &str) -> BillingMonth {
        BillingMonth::parse(raw).unwrap()
    }

    fn item(code: &str, method: &str, value: &str) -> SellPriceForm {
        SellPriceForm { code: code.into(), method: method.into(), value: value.into() }
    }

    #[test]
    fn a_sell_list_takes_prices_markups_and_the_vendors_price() {
        let form = SellListForm {
            effective_month: "2026-12".into(),
            items: vec![item("", "markup", "25"), item("offline", "price", "0,60"), item("discovery", "vendor", "")],
        };
        let list = form.validate(month("2026-11")).unwrap();
        assert_eq!(list.effective, month("2026-12"));
        assert_eq!(list.per_user, Some(SellPrice::Markup(Percent::parse("25", MARKUP_MAX).unwrap())));
        assert_eq!(list.options.get("offline"), Some(&SellPrice::Price(UnitPrice::parse("0.6").unwrap())));
        assert!(!list.options.contains_key("discovery"));
    }

    #[test]
    fn a_sell_list_names_each_bad_field() {
        let form = SellListForm {
            effective_month: "2026-10".into(),
            items: vec![item("", "markup", "1001"), item("offline", "price", "-1"), item("sso", "gift", "1")],
        };
        let problems = form.validate(month("2026-11")).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, vec!["effective_month", "sell:", "sell:offline", "sell:sso"]);
        assert_eq!(problems[0].message, Message::PriceListStart { month: "2026-11".into() }.into());
        assert_eq!(problems[1].message, Message::PercentTooLarge { max: 1_000 }.into());
        assert_eq!(problems[3].message, Message::SellMethodUnknown.into());
    }

    #[test]
    fn a_customers_pricing_takes_a_discount_and_fixed_prices() {
        let form = CustomerPricingForm {
            effective_month: "2026-11".into(),
            discount: "7,5".into(),
            fixed: vec![("".into(), "3.10".into()), ("offline".into(), " ".into())],
        };
        let pricing = form.validate(month("2026-11")).unwrap();
        assert_eq!(pricing.discount.bp(), 750);
        assert_eq!(pricing.per_user, Some(UnitPrice::parse("3.1").unwrap()));
        assert!(pricing.options.is_empty());
        let back = CustomerPricingForm { effective_month: "2026-12".into(), ..Default::default() };
        assert!(back.validate(month("2026-11")).unwrap().is_list_prices());
    }

    #[test]
    fn a_customers_pricing_refuses_a_discount_over_everything() {
        let form = CustomerPricingForm {
            effective_month: "2026-11".into(),
            discount: "101".into(),
            fixed: vec![("sso".into(), "abc".into())],
        };
        let problems = form.validate(month("2026-11")).unwrap_err();
        assert_eq!(problems[0], FieldMessage::new("discount", Message::PercentTooLarge { max: 100 }));
        assert_eq!(problems[1], FieldMessage::new("fixed:sso", Message::PriceInvalid));
    }
}
