//! The billing rules of DESIGN.md ("Billing"), as pure functions of the
//! facts and the month. No database, no clock: the server turns what it
//! stores into these facts, with every time already in the billing time zone
//! (local, naive date-times), and asks for one month.
//!
//! The facts are the customer's states in the order they were written:
//! each (billed or test, active or not, the options booked) holds from its
//! time until the next one's.
//!
//! - A *billable day* is a day on which the customer was billed and active
//!   at some moment.
//! - A customer is billed for a month with at least one billable day.
//! - Billed users = the highest daily user count over the billable days; a
//!   day without a report counts the last count reported before it; never
//!   reported = 0.
//! - An option is billed for the whole month when it was booked at some
//!   moment of the month at which the customer was billed and active (not
//!   merely on a billable day: an option booked only while the customer was
//!   a test customer or deactivated costs nothing): per user for the billed
//!   users, or a flat price once.
//! - Each line = quantity x unit price, rounded half away from zero to cents;
//!   the total is the sum of the rounded lines.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::billing_settings::Pricing;
use super::money::{Money, MoneyError};
use super::{BillingMonth, UnitPrice};

/// What billing depends on, from `at` (local billing time) until the next
/// point: the customer's state and booked options, as the server stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryPoint {
    pub at: NaiveDateTime,
    pub billed: bool,
    pub active: bool,
    pub options: Vec<String>,
}

/// Everything billing needs to know about one customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFacts {
    /// The states in the order they were written. Before the first one the
    /// customer did not exist.
    pub history: Vec<HistoryPoint>,
    /// The highest count reported on each day (local billing days).
    pub daily_users: BTreeMap<NaiveDate, u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptionPrice {
    PerUser(UnitPrice),
    Flat(UnitPrice),
}

impl OptionPrice {
    pub fn new(pricing: Pricing, price: UnitPrice) -> Self {
        match pricing {
            Pricing::PerUser => OptionPrice::PerUser(price),
            Pricing::Flat => OptionPrice::Flat(price),
        }
    }

    pub fn pricing(&self) -> Pricing {
        match self {
            OptionPrice::PerUser(_) => Pricing::PerUser,
            OptionPrice::Flat(_) => Pricing::Flat,
        }
    }

    pub fn price(&self) -> UnitPrice {
        match self {
            OptionPrice::PerUser(p) | OptionPrice::Flat(p) => *p,
        }
    }
}

/// Prices in force from `effective` on, until a later list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    pub effective: BillingMonth,
    pub per_user: UnitPrice,
    pub options: BTreeMap<String, OptionPrice>,
}

/// The price list in force for `month`: the newest one effective by then.
pub fn prices_for(lists: &[PriceList], month: BillingMonth) -> Option<&PriceList> {
    lists.iter().filter(|l| l.effective <= month).max_by_key(|l| l.effective)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineKind {
    Users,
    OptionPerUser,
    OptionFlat,
}

impl LineKind {
    /// The stored name of the kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            LineKind::Users => "users",
            LineKind::OptionPerUser => "option_per_user",
            LineKind::OptionFlat => "option_flat",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "users" => Some(LineKind::Users),
            "option_per_user" => Some(LineKind::OptionPerUser),
            "option_flat" => Some(LineKind::OptionFlat),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub kind: LineKind,
    /// Empty for the users line, else the option's code.
    pub code: String,
    pub quantity: u64,
    pub unit_price: UnitPrice,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthBill {
    pub month: BillingMonth,
    pub billable_days: u32,
    pub users: u32,
    pub users_at_start: u32,
    pub users_at_end: u32,
    /// Option codes billed, in code order.
    pub options: Vec<String>,
    pub lines: Vec<Line>,
    pub total: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    #[error("There is no price list in force for {0}.")]
    NoPrices(BillingMonth),
    #[error("The option {0} has no price in the price list of {1}.")]
    NoOptionPrice(String, BillingMonth),
    #[error("An amount is too large: {0}")]
    Money(#[from] MoneyError),
}

fn day_start(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// Local billing time from `from` until (not including) `to`: a day or a
/// month.
#[derive(Clone, Copy, Debug)]
struct Span {
    from: NaiveDateTime,
    to: NaiveDateTime,
}

impl Span {
    fn day(day: NaiveDate) -> Self {
        Span { from: day_start(day), to: day_start(day + Duration::days(1)) }
    }

    fn month(month: BillingMonth) -> Self {
        Span { from: day_start(month.first_day()), to: day_start(month.next().first_day()) }
    }
}

/// The states in which the customer was billed and active at some moment
/// of `span`. A state holds from its time until the next state's; one
/// replaced at the instant it was written (or, in the hour a change from
/// summer time repeats, at an earlier local time) still was, at its time:
/// which of two changes at once came first is the order they were written.
fn billed_and_active_within(history: &[HistoryPoint], span: Span) -> impl Iterator<Item = &HistoryPoint> {
    let until = history.iter().skip(1).map(|next| Some(next.at)).chain([None]);
    history.iter().zip(until).filter_map(move |(state, until)| {
        let held = state.at < span.to
            && match until {
                None => true,
                Some(until) if until > state.at => until > span.from,
                Some(_) => state.at >= span.from,
            };
        (held && state.billed && state.active).then_some(state)
    })
}

/// Whether the customer was billed and active at some moment of `day`.
pub fn is_billable_day(history: &[HistoryPoint], day: NaiveDate) -> bool {
    billed_and_active_within(history, Span::day(day)).next().is_some()
}

/// The count that stands for `day`: its own, or the last one before it.
pub fn users_on(daily: &BTreeMap<NaiveDate, u32>, day: NaiveDate) -> u32 {
    daily.range(..=day).next_back().map(|(_, n)| *n).unwrap_or(0)
}

/// The bill of `month` from the facts, or `None` when the month has no
/// billable day.
pub fn bill_month(
    facts: &CustomerFacts,
    month: BillingMonth,
    price_lists: &[PriceList],
) -> Result<Option<MonthBill>, BillingError> {
    let billable: Vec<NaiveDate> = month.days().filter(|d| is_billable_day(&facts.history, *d)).collect();
    if billable.is_empty() {
        return Ok(None);
    }
    let prices = prices_for(price_lists, month).ok_or(BillingError::NoPrices(month))?;
    let users = billable.iter().map(|d| users_on(&facts.daily_users, *d)).max().unwrap_or(0);
    let mut options: Vec<String> =
        billed_and_active_within(&facts.history, Span::month(month)).flat_map(|s| s.options.iter().cloned()).collect();
    options.sort();
    options.dedup();

    let mut lines = vec![Line {
        kind: LineKind::Users,
        code: String::new(),
        quantity: u64::from(users),
        unit_price: prices.per_user,
        amount: Money::line(u64::from(users), prices.per_user.as_decimal())?,
    }];
    for code in &options {
        let price = prices.options.get(code).ok_or_else(|| BillingError::NoOptionPrice(code.clone(), month))?;
        let (kind, quantity, unit_price) = match price {
            OptionPrice::PerUser(p) => (LineKind::OptionPerUser, u64::from(users), *p),
            OptionPrice::Flat(p) => (LineKind::OptionFlat, 1, *p),
        };
        let amount = Money::line(quantity, unit_price.as_decimal())?;
        lines.push(Line { kind, code: code.clone(), quantity, unit_price, amount });
    }
    let total = lines.iter().map(|l| l.amount).sum();
    Ok(Some(MonthBill {
        month,
        billable_days: billable.len() as u32,
        users,
        users_at_start: users_on(&facts.daily_users, month.first_day()),
        users_at_end: users_on(&facts.daily_users, month.last_day()),
        options,
        lines,
        total,
    }))
}

/// The forecast of the current month: the same rules applied to the month so
/// far, taking the current state and the current user count for the rest of
/// the month (`today` and later).
pub fn forecast(
    facts: &CustomerFacts,
    today: NaiveDate,
    current_users: u32,
    price_lists: &[PriceList],
) -> Result<Option<MonthBill>, BillingError> {
    let month = BillingMonth::of(today);
    let mut assumed = facts.clone();
    let mut day = today;
    while day <= month.last_day() {
        let known = assumed.daily_users.get(&day).copied().unwrap_or(0);
        assumed.daily_users.insert(day, known.max(current_users));
        day += Duration::days(1);
    }
    bill_month(&assumed, month, price_lists)
}

/// Whether `month` may be closed automatically on `today`: it has ended and
/// the grace period after it has passed (grace 3: November closes on
/// December 4).
pub fn close_due(month: BillingMonth, today: NaiveDate, grace_days: u32) -> bool {
    today >= month.next().first_day() + Duration::days(i64::from(grace_days))
}

#[cfg(test)]
mod tests;
