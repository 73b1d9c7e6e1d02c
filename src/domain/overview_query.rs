//! What the cost overview shows, as its address says: the month, the
//! filters (name, status, changes only), the sort, the page and the chart's
//! range. The browser filters and sorts the month's rows itself (it has
//! them all, for the CSV export); these functions say how.

use super::cost_overview::{OverviewRow, UserChange};
use super::customer_list::{address_text, encode};
use super::{BillingMonth, CustomerStatus, Money};

pub const PAGE_SIZE: usize = 50;
pub const SEARCH_MAX_CHARS: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OverviewSort {
    #[default]
    Customer,
    Status,
    Users,
    Change,
    UsersCost,
    OptionsCost,
    Total,
    Revenue,
    Margin,
}

impl OverviewSort {
    pub const ALL: [OverviewSort; 9] = [
        Self::Customer,
        Self::Status,
        Self::Users,
        Self::Change,
        Self::UsersCost,
        Self::OptionsCost,
        Self::Total,
        Self::Revenue,
        Self::Margin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Status => "status",
            Self::Users => "users",
            Self::Change => "change",
            Self::UsersCost => "users_cost",
            Self::OptionsCost => "options_cost",
            Self::Total => "total",
            Self::Revenue => "revenue",
            Self::Margin => "margin",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OverviewQuery {
    /// None: the current month.
    pub month: Option<BillingMonth>,
    pub search: String,
    pub status: Option<CustomerStatus>,
    pub changes_only: bool,
    /// Only rows that lose money (margin below zero).
    pub negative_margin: bool,
    pub sort: OverviewSort,
    pub descending: bool,
    pub page: usize,
    /// Months in the totals chart: 12 or 24.
    pub range: u32,
}

impl Default for OverviewQuery {
    fn default() -> Self {
        Self {
            month: None,
            search: String::new(),
            status: None,
            changes_only: false,
            negative_margin: false,
            sort: OverviewSort::default(),
            descending: false,
            page: 1,
            range: 12,
        }
    }
}

/// The order of a change when sorting: fewer users first, new customers last.
fn change_rank(change: UserChange) -> (u8, i64) {
    match change {
        UserChange::By(n) => (0, n),
        UserChange::New => (1, 0),
    }
}

impl OverviewQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            month: get("month").and_then(|m| BillingMonth::parse(&m).ok()),
            search: address_text(get("q"), SEARCH_MAX_CHARS),
            status: get("status").as_deref().and_then(CustomerStatus::parse),
            changes_only: get("changes").as_deref() == Some("1"),
            negative_margin: get("margin").as_deref() == Some("negative"),
            sort: get("sort").as_deref().and_then(OverviewSort::parse).unwrap_or_default(),
            descending: get("dir").as_deref() == Some("desc"),
            page: get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
            range: if get("range").as_deref() == Some("24") { 24 } else { 12 },
        }
    }

    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(month) = self.month {
            parts.push(format!("month={month}"));
        }
        if !self.search.is_empty() {
            parts.push(format!("q={}", encode(&self.search)));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={}", status.as_str()));
        }
        if self.changes_only {
            parts.push("changes=1".to_owned());
        }
        if self.negative_margin {
            parts.push("margin=negative".to_owned());
        }
        if self.sort != OverviewSort::Customer {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".to_owned());
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if self.range != 12 {
            parts.push(format!("range={}", self.range));
        }
        if parts.is_empty() {
            "/costs".to_owned()
        } else {
            format!("/costs?{}", parts.join("&"))
        }
    }

    /// Another month, with the same filters, from the first page.
    pub fn with_month(&self, month: Option<BillingMonth>) -> Self {
        Self { month, page: 1, ..self.clone() }
    }

    pub fn with_page(&self, page: usize) -> Self {
        Self { page: page.max(1), ..self.clone() }
    }

    pub fn sorted_by(&self, sort: OverviewSort) -> Self {
        let descending = self.sort == sort && !self.descending;
        Self { sort, descending, page: 1, ..self.clone() }
    }

    /// Whether any filter leaves rows out.
    pub fn filtered(&self) -> bool {
        !self.search.is_empty() || self.status.is_some() || self.changes_only || self.negative_margin
    }

    fn keeps(&self, row: &OverviewRow, needle: &str) -> bool {
        let b = &row.bill;
        (needle.is_empty() || b.name.to_lowercase().contains(needle) || b.database_name.to_lowercase().contains(needle))
            && self.status.is_none_or(|s| s == b.status)
            && (!self.changes_only || row.has_changes())
            && (!self.negative_margin || b.margin().is_some_and(|m| m.amount.cents() < 0))
    }

    /// The rows shown, filtered and sorted (as positions in `rows`, which
    /// come sorted by customer name). Ties keep the name order.
    pub fn apply(&self, rows: &[OverviewRow]) -> Vec<usize> {
        let needle = self.search.to_lowercase();
        let mut shown: Vec<usize> = (0..rows.len()).filter(|i| self.keeps(&rows[*i], &needle)).collect();
        let by = |i: &usize| {
            let b = &rows[*i].bill;
            match self.sort {
                OverviewSort::Customer => (0, 0, 0),
                OverviewSort::Status => (b.status as i64, 0, 0),
                OverviewSort::Users => (i64::from(b.users), 0, 0),
                OverviewSort::Change => {
                    let (rank, n) = change_rank(rows[*i].change);
                    (i64::from(rank), n, 0)
                }
                OverviewSort::UsersCost => (b.users_cost.cents(), 0, 0),
                OverviewSort::OptionsCost => (b.options_cost.cents(), 0, 0),
                OverviewSort::Total => (b.total.cents(), 0, 0),
                // Rows whose revenue is not recorded first.
                OverviewSort::Revenue => (i64::from(b.revenue.is_some()), b.revenue.map_or(0, Money::cents), 0),
                OverviewSort::Margin => {
                    let margin = b.margin();
                    (i64::from(margin.is_some()), margin.map_or(0, |m| m.amount.cents()), 0)
                }
            }
        };
        // One sort with the position as the last key (a total order, so the
        // unstable sort is exact): ties keep the name order, A to Z, also
        // when descending; the name column itself descending runs Z to A.
        let descending = self.descending;
        let by_name = self.sort == OverviewSort::Customer;
        shown.sort_unstable_by(|a, b| match (descending, by_name) {
            (false, _) => by(a).cmp(&by(b)).then(a.cmp(b)),
            (true, false) => by(b).cmp(&by(a)).then(a.cmp(b)),
            (true, true) => b.cmp(a),
        });
        shown
    }

    /// The page actually shown (the last one when the address asks for more).
    pub fn page_of(&self, shown: usize) -> usize {
        self.page.min(page_count(shown))
    }
}

pub fn page_count(rows: usize) -> usize {
    rows.div_ceil(PAGE_SIZE).max(1)
}

#[cfg(test)]
mod tests;
