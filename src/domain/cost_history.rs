//! What a billed customer's page shows of its costs and users, month by
//! month. Every figure comes from a bill the billing engine made (a frozen
//! statement, a month waiting for its close, this month's forecast): this
//! module only arranges them. It applies no billing rule of its own, so the
//! page can never disagree with a statement.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::billing::{users_on, LineKind};
use super::{BillingMonth, Money};

/// Where a month's figures come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Figures {
    /// A frozen statement.
    Final,
    /// The month has ended and waits for its close: the rules applied to
    /// what is known now.
    PendingClose,
    /// The current month so far.
    Forecast,
    /// No billable day in the month (before the customer was billed, or
    /// deactivated all month).
    NotBilled,
}

impl Figures {
    pub fn label(self) -> &'static str {
        match self {
            Figures::Final => "Final",
            Figures::PendingClose => "Pending close",
            Figures::Forecast => "Forecast",
            Figures::NotBilled => "Not billed",
        }
    }
}

/// One month of a customer's cost history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostMonth {
    pub month: BillingMonth,
    pub figures: Figures,
    /// Billed users (the month's peak).
    pub users: u32,
    /// The license's maximum at the end of the month (now, for the current
    /// month).
    pub max_users: u32,
    pub users_cost: Money,
    pub options_cost: Money,
    pub total: Money,
}

impl CostMonth {
    /// A month from the lines of its bill: users' lines and options' lines
    /// summed apart. `total` is the bill's own total (the sum of its lines).
    pub fn from_bill<'a>(
        month: BillingMonth,
        figures: Figures,
        users: u32,
        max_users: u32,
        lines: impl IntoIterator<Item = (&'a LineKind, Money)>,
        total: Money,
    ) -> Self {
        let (users_cost, options_cost) = split_costs(lines);
        Self { month, figures, users, max_users, users_cost, options_cost, total }
    }

    /// A month without a billable day.
    pub fn not_billed(month: BillingMonth, max_users: u32) -> Self {
        Self {
            month,
            figures: Figures::NotBilled,
            users: 0,
            max_users,
            users_cost: Money::ZERO,
            options_cost: Money::ZERO,
            total: Money::ZERO,
        }
    }
}

/// What a bill's users' lines and its options' lines cost, apart.
pub fn split_costs<'a>(lines: impl IntoIterator<Item = (&'a LineKind, Money)>) -> (Money, Money) {
    lines.into_iter().fold((Money::ZERO, Money::ZERO), |(users, options), (kind, amount)| match kind {
        LineKind::Users => (users + amount, options),
        LineKind::OptionPerUser | LineKind::OptionFlat => (users, options + amount),
    })
}

/// The months a history of `count` months ending with `last` covers, oldest
/// first.
pub fn window(last: BillingMonth, count: u32) -> Vec<BillingMonth> {
    let mut months = vec![last];
    while months.len() < count.max(1) as usize {
        let first = months[months.len() - 1].previous();
        months.push(first);
    }
    months.reverse();
    months
}

/// Drops the months before the first one with a bill, so a customer billed
/// for three months gets three bars, not nine empty ones before them.
pub fn from_first_bill(months: Vec<CostMonth>) -> Vec<CostMonth> {
    let first = months.iter().position(|m| m.figures != Figures::NotBilled);
    match first {
        Some(i) => months.into_iter().skip(i).collect(),
        None => Vec::new(),
    }
}

/// One day of the current month's user curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayUsers {
    pub day: NaiveDate,
    /// The count that stands for the day: its highest report, or the last
    /// count before it (the billing engine's carry-forward rule).
    pub users: u32,
    /// False when no report arrived that day and the count was carried
    /// forward.
    pub reported: bool,
}

/// The daily curve of `month` from its first day through `through`, by the
/// same carry-forward rule as billing.
pub fn daily_curve(daily: &BTreeMap<NaiveDate, u32>, month: BillingMonth, through: NaiveDate) -> Vec<DayUsers> {
    let mut days = Vec::new();
    let mut day = month.first_day();
    let last = through.min(month.last_day());
    while day <= last {
        days.push(DayUsers { day, users: users_on(daily, day), reported: daily.contains_key(&day) });
        day += Duration::days(1);
    }
    days
}

#[cfg(test)]
mod tests;
