//! The MSP's own prices: what it charges its customers for what the vendor
//! charges it, as pure functions of a month's bill (the vendor's cost, from
//! `billing::bill_month`) and the sell prices. No database, no clock.
//!
//! - The **sell list** in force for a month (the newest effective by then)
//!   prices the users and each option, either at an explicit unit price or
//!   at a markup percentage over the vendor's unit price. An item it does
//!   not name, and every item while no sell list exists, sells at the
//!   vendor's price (markup 0 %).
//! - A customer's **pricing** in force for the month (the newest effective
//!   by then) may fix the unit price of an item and give a discount
//!   percentage on the items it does not fix.
//! - A derived unit price (markup, discount) is rounded to ten-thousandths
//!   half away from zero like every unit price; each sell line is quantity
//!   x sell unit price, rounded to cents half away from zero, for the same
//!   quantity as the cost line; the revenue is the sum of the rounded lines.
//! - A customer **not for resale** (internal use) has cost and no revenue.
//! - Margin = revenue - cost; its percentage is of the revenue, rounded to
//!   one decimal half away from zero, and there is none without revenue.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::billing::{Line, LineKind, MonthBill};
use super::money::{Money, MoneyError};
use super::percent::Percent;
use super::unit_price::UnitPriceError;
use super::{BillingMonth, UnitPrice};

/// How the sell list prices one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SellPrice {
    /// This unit price, whatever the vendor charges.
    Price(UnitPrice),
    /// The vendor's unit price plus this percentage.
    Markup(Percent),
}

impl SellPrice {
    /// The stored name of the method.
    pub fn method(&self) -> &'static str {
        match self {
            SellPrice::Price(_) => "price",
            SellPrice::Markup(_) => "markup",
        }
    }
}

/// The MSP's prices in force from `effective` on, until a later list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellList {
    pub effective: BillingMonth,
    /// None: the users sell at the vendor's price.
    pub per_user: Option<SellPrice>,
    /// By option code; an option missing here sells at the vendor's price.
    pub options: BTreeMap<String, SellPrice>,
}

/// One customer's own prices from `effective` on, until a later one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPricing {
    pub effective: BillingMonth,
    /// Off the list's sell price of every item without a fixed price.
    pub discount: Percent,
    /// A fixed unit price per user, instead of the list's.
    pub per_user: Option<UnitPrice>,
    /// Fixed unit prices of options, by code.
    pub options: BTreeMap<String, UnitPrice>,
}

impl CustomerPricing {
    /// The list's prices from `effective` on: no discount, no fixed price.
    pub fn list_prices(effective: BillingMonth) -> Self {
        CustomerPricing { effective, discount: Percent::ZERO, per_user: None, options: BTreeMap::new() }
    }

    /// Whether it changes nothing: no discount, no fixed price (saved to go
    /// back to the list's prices from a month on).
    pub fn is_list_prices(&self) -> bool {
        self.discount == Percent::ZERO && self.per_user.is_none() && self.options.is_empty()
    }
}

/// Where a sell unit price came from, as a statement explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SellBasis {
    /// No sell price set: the vendor's price.
    AtCost,
    /// The sell list's explicit price.
    ListPrice,
    /// The vendor's price plus the list's markup.
    Markup(Percent),
    /// The customer's fixed price.
    Fixed,
    /// The list's sell price less the customer's discount.
    Discount(Percent),
}

impl SellBasis {
    /// As stored with a frozen line: `at_cost`, `list`, `markup:2500`,
    /// `fixed`, `discount:1000` (hundredths of a percent).
    pub fn stored(&self) -> String {
        match self {
            SellBasis::AtCost => "at_cost".to_owned(),
            SellBasis::ListPrice => "list".to_owned(),
            SellBasis::Markup(p) => format!("markup:{}", p.bp()),
            SellBasis::Fixed => "fixed".to_owned(),
            SellBasis::Discount(p) => format!("discount:{}", p.bp()),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let percent = |bp: &str, max| bp.parse().ok().and_then(|bp| Percent::from_bp(bp, max).ok());
        match raw.split_once(':') {
            None => match raw {
                "at_cost" => Some(SellBasis::AtCost),
                "list" => Some(SellBasis::ListPrice),
                "fixed" => Some(SellBasis::Fixed),
                _ => None,
            },
            Some(("markup", bp)) => percent(bp, super::percent::MARKUP_MAX).map(SellBasis::Markup),
            Some(("discount", bp)) => percent(bp, super::percent::DISCOUNT_MAX).map(SellBasis::Discount),
            Some(_) => None,
        }
    }
}

/// One line of what the MSP charges, for the cost line of the same kind
/// and code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellLine {
    pub kind: LineKind,
    /// Empty for the users line, else the option's code.
    pub code: String,
    pub quantity: u64,
    pub unit_price: UnitPrice,
    pub amount: Money,
    pub basis: SellBasis,
}

/// What the MSP charges for a month's bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    /// Internal use: no lines, no revenue.
    pub not_for_resale: bool,
    pub lines: Vec<SellLine>,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SellError {
    #[error("A sell price is too large: {0:?}")]
    Price(UnitPriceError),
    #[error("A sell amount is too large: {0:?}")]
    Money(MoneyError),
}

/// A sell price or amount too large is a bill's amount too large.
impl From<SellError> for super::billing::BillingError {
    fn from(_: SellError) -> Self {
        super::billing::BillingError::Money(MoneyError::TooLarge)
    }
}

/// The sell list in force for `month`: the newest one effective by then.
pub fn sell_list_for(lists: &[SellList], month: BillingMonth) -> Option<&SellList> {
    in_force(lists, month, |l| l.effective)
}

/// Of things effective from a month (sell lists, pricings, with or without
/// who saved them), the one in force in `month`: the newest effective by
/// then. The one rule for every effective-dated list.
pub fn in_force<'a, T>(
    items: impl IntoIterator<Item = &'a T>,
    month: BillingMonth,
    effective: impl Fn(&T) -> BillingMonth,
) -> Option<&'a T> {
    items.into_iter().filter(|i| effective(i) <= month).max_by_key(|i| effective(i))
}

/// The customer's pricing in force for `month`: the newest one effective
/// by then.
pub fn pricing_for(pricings: &[CustomerPricing], month: BillingMonth) -> Option<&CustomerPricing> {
    in_force(pricings, month, |p| p.effective)
}

/// The vendor's unit price plus `markup`, rounded to ten-thousandths.
pub fn marked_up(vendor: UnitPrice, markup: Percent) -> Result<UnitPrice, SellError> {
    UnitPrice::derived(vendor.as_decimal() * (Decimal::ONE + markup.fraction())).map_err(SellError::Price)
}

/// A unit price less `discount`, rounded to ten-thousandths.
pub fn discounted(price: UnitPrice, discount: Percent) -> Result<UnitPrice, SellError> {
    UnitPrice::derived(price.as_decimal() * (Decimal::ONE - discount.fraction())).map_err(SellError::Price)
}

/// The list's sell unit price of one cost line.
fn list_price(list: Option<&SellList>, line: &Line) -> Result<(UnitPrice, SellBasis), SellError> {
    let set = list.and_then(|l| match line.kind {
        LineKind::Users => l.per_user,
        _ => l.options.get(&line.code).copied(),
    });
    Ok(match set {
        None => (line.unit_price, SellBasis::AtCost),
        Some(SellPrice::Price(p)) => (p, SellBasis::ListPrice),
        Some(SellPrice::Markup(m)) => (marked_up(line.unit_price, m)?, SellBasis::Markup(m)),
    })
}

/// Each of `bill`'s lines with its sell unit price, where that came from,
/// and its amount, under `list` and the customer's `pricing` (the ones in
/// force for the bill's month).
fn priced<'a>(
    bill: &'a MonthBill,
    list: Option<&'a SellList>,
    pricing: Option<&'a CustomerPricing>,
) -> impl Iterator<Item = Result<(&'a Line, UnitPrice, SellBasis, Money), SellError>> + 'a {
    bill.lines.iter().map(move |line| {
        let fixed = pricing.and_then(|p| match line.kind {
            LineKind::Users => p.per_user,
            _ => p.options.get(&line.code).copied(),
        });
        let (unit_price, basis) = match (fixed, pricing) {
            (Some(price), _) => (price, SellBasis::Fixed),
            (None, Some(p)) if p.discount != Percent::ZERO => {
                (discounted(list_price(list, line)?.0, p.discount)?, SellBasis::Discount(p.discount))
            }
            _ => list_price(list, line)?,
        };
        // At the vendor's unit price the amount is the cost line's (the
        // same rule on the same numbers), without the decimal maths.
        let amount = if unit_price == line.unit_price {
            line.amount
        } else {
            Money::line(line.quantity, unit_price.as_decimal()).map_err(SellError::Money)?
        };
        Ok((line, unit_price, basis, amount))
    })
}

/// What the MSP charges for `bill`, from its sell lists and the customer's
/// pricings (each effective-dated; the ones in force for the bill's month
/// apply).
pub fn sell(
    bill: &MonthBill,
    lists: &[SellList],
    pricings: &[CustomerPricing],
    not_for_resale: bool,
) -> Result<Sale, SellError> {
    if not_for_resale {
        return Ok(Sale { not_for_resale, lines: Vec::new(), total: Money::ZERO });
    }
    let lines = priced(bill, sell_list_for(lists, bill.month), pricing_for(pricings, bill.month))
        .map(|priced| {
            let (line, unit_price, basis, amount) = priced?;
            Ok(SellLine {
                kind: line.kind.clone(),
                code: line.code.clone(),
                quantity: line.quantity,
                unit_price,
                amount,
                basis,
            })
        })
        .collect::<Result<Vec<_>, SellError>>()?;
    let total = lines.iter().map(|l| l.amount).sum();
    Ok(Sale { not_for_resale, lines, total })
}

/// What [`sell`] charges in all, without its lines (the cost overview's
/// revenue of an open month, for every customer at once).
pub fn sell_total(
    bill: &MonthBill,
    lists: &[SellList],
    pricings: &[CustomerPricing],
    not_for_resale: bool,
) -> Result<Money, SellError> {
    if not_for_resale {
        return Ok(Money::ZERO);
    }
    priced(bill, sell_list_for(lists, bill.month), pricing_for(pricings, bill.month)).map(|p| Ok(p?.3)).sum()
}

/// A share in tenths of a percent: 225 is 22.5 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Share(pub i64);

impl std::fmt::Display for Share {
    /// One decimal with a point: "22.5", "-3.3", "0.0".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{}", self.0.unsigned_abs() / 10, self.0.unsigned_abs() % 10)
    }
}

/// Revenue less cost, and what share of the revenue that is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Margin {
    pub amount: Money,
    /// Of the revenue, one decimal; none without revenue.
    pub percent: Option<Share>,
}

/// The margin of `cost` against `revenue`; its share rounded to a tenth of
/// a percent half away from zero (integer arithmetic, exact).
pub fn margin(cost: Money, revenue: Money) -> Margin {
    let amount = Money::from_cents(revenue.cents() - cost.cents());
    // In i64 (an i128 division would bring its own code into the browser):
    // amounts beyond 92 billion have no share.
    let percent = amount.cents().checked_mul(1000).filter(|_| revenue.cents() != 0).map(|num| {
        let den = revenue.cents();
        let (quotient, rest) = (num / den, num % den);
        let away = if rest.unsigned_abs() * 2 >= den.unsigned_abs() { num.signum() * den.signum() } else { 0 };
        Share(quotient + away)
    });
    Margin { amount, percent }
}

#[cfg(test)]
mod tests;
