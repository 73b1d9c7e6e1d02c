//! The cost overview's rows: every customer billed in a month, its bill as
//! the billing engine made it, and what changed against the month before
//! (users, options added and removed). No billing rule is applied here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::billing::LineKind;
use super::cost_history::{split_costs, Figures};
use super::selling::{margin, Margin};
use super::{BillingMonth, CustomerStatus, Money};

/// One option billed in a month: its code and its name on the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilledOption {
    pub code: String,
    pub name: String,
}

/// One customer's bill of one month (statement, pending month or forecast).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerBill {
    pub customer_id: i64,
    pub name: String,
    pub database_name: String,
    pub status: CustomerStatus,
    pub figures: Figures,
    pub users: u32,
    pub users_at_start: u32,
    pub users_at_end: u32,
    /// In the order of the bill's lines.
    pub options: Vec<BilledOption>,
    pub users_cost: Money,
    pub options_cost: Money,
    pub total: Money,
    /// What the MSP charges; None for a statement closed before sell
    /// prices were recorded.
    pub revenue: Option<Money>,
    /// Internal use: cost, no revenue. Left out of the JSON when false
    /// (nearly every row: 22 bytes each, 10,000 rows a month).
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_for_resale: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl CustomerBill {
    /// Revenue less cost, when the revenue is known.
    pub fn margin(&self) -> Option<Margin> {
        self.revenue.map(|revenue| margin(self.total, revenue))
    }

    /// The option part of a bill from its lines: (kind, code, name, amount).
    pub fn options_of<'a>(
        lines: impl IntoIterator<Item = (&'a LineKind, &'a str, &'a str, Money)>,
    ) -> (Vec<BilledOption>, Money, Money) {
        let lines: Vec<_> = lines.into_iter().collect();
        let (users_cost, options_cost) = split_costs(lines.iter().map(|(kind, _, _, amount)| (*kind, *amount)));
        let options = lines
            .iter()
            .filter(|(kind, ..)| **kind != LineKind::Users)
            .map(|(_, code, name, _)| BilledOption { code: (*code).to_owned(), name: (*name).to_owned() })
            .collect();
        (options, users_cost, options_cost)
    }
}

/// Billed users against the month before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserChange {
    /// Not billed the month before.
    New,
    /// Signed difference (0: unchanged).
    By(i64),
}

impl UserChange {
    /// As the table shows it: "+3", "−2" (minus sign), "new", "—".
    pub fn label(self) -> String {
        match self {
            UserChange::New => "new".to_owned(),
            UserChange::By(0) => "—".to_owned(),
            UserChange::By(n) if n > 0 => format!("+{n}"),
            UserChange::By(n) => format!("−{}", n.unsigned_abs()),
        }
    }

    /// As the CSV file has it: "+3", "-2", "new", "0".
    pub fn plain(self) -> String {
        match self {
            UserChange::New => "new".to_owned(),
            UserChange::By(n) if n > 0 => format!("+{n}"),
            UserChange::By(n) => n.to_string(),
        }
    }
}

/// One row of the cost overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub month: BillingMonth,
    pub bill: CustomerBill,
    pub change: UserChange,
    /// Billed this month, not the month before (none for a new customer:
    /// its "new" says it all).
    pub options_added: Vec<BilledOption>,
    /// Billed the month before, not this month.
    pub options_removed: Vec<BilledOption>,
}

impl OverviewRow {
    /// Whether anything changed against the month before: users, options,
    /// a new customer, or one that is no longer active.
    pub fn has_changes(&self) -> bool {
        self.change != UserChange::By(0)
            || !self.options_added.is_empty()
            || !self.options_removed.is_empty()
            || self.bill.status != CustomerStatus::Active
    }
}

/// The rows of `month` from its bills and those of the month before, in the
/// order of `bills`.
pub fn overview_rows(
    month: BillingMonth,
    bills: impl IntoIterator<Item = CustomerBill>,
    before: &[CustomerBill],
) -> Vec<OverviewRow> {
    let before: HashMap<i64, &CustomerBill> = before.iter().map(|b| (b.customer_id, b)).collect();
    bills
        .into_iter()
        .map(|bill| {
            let (change, options_added, options_removed) = match before.get(&bill.customer_id) {
                None => (UserChange::New, Vec::new(), Vec::new()),
                Some(p) => {
                    let has = |list: &[BilledOption], code: &str| list.iter().any(|o| o.code == code);
                    let added = bill.options.iter().filter(|o| !has(&p.options, &o.code)).cloned().collect();
                    let removed = p.options.iter().filter(|o| !has(&bill.options, &o.code)).cloned().collect();
                    (UserChange::By(i64::from(bill.users) - i64::from(p.users)), added, removed)
                }
            };
            OverviewRow { month, bill, change, options_added, options_removed }
        })
        .collect()
}

/// The totals row over the rows shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub customers: u64,
    pub users: u64,
    pub users_cost: Money,
    pub options_cost: Money,
    pub total: Money,
    /// The revenue of the rows whose revenue is known, and their cost.
    pub revenue: Money,
    pub revenue_cost: Money,
    /// Rows whose revenue is known.
    pub with_revenue: u64,
}

impl Totals {
    /// The margin over the rows whose revenue is known (none if no row's is).
    pub fn margin(&self) -> Option<Margin> {
        (self.with_revenue > 0).then(|| margin(self.revenue_cost, self.revenue))
    }
}

/// The totals of one month, for the chart of monthly totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthTotal {
    pub month: BillingMonth,
    pub figures: Figures,
    pub totals: Totals,
}

pub fn totals<'a>(bills: impl IntoIterator<Item = &'a CustomerBill>) -> Totals {
    bills.into_iter().fold(Totals::default(), |t, b| Totals {
        customers: t.customers + 1,
        users: t.users + u64::from(b.users),
        users_cost: t.users_cost + b.users_cost,
        options_cost: t.options_cost + b.options_cost,
        total: t.total + b.total,
        revenue: t.revenue + b.revenue.unwrap_or(Money::ZERO),
        revenue_cost: t.revenue_cost + if b.revenue.is_some() { b.total } else { Money::ZERO },
        with_revenue: t.with_revenue + u64::from(b.revenue.is_some()),
    })
}

#[cfg(test)]
mod tests;
