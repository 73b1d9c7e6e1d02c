//! Wire types of billing: what its server functions (`api::billing`) send and take.

use crate::domain::billing::{Line, LineKind, MonthBill, PriceList};
use crate::domain::billing_settings::Pricing;
use crate::domain::cost_history::{CostMonth, DayUsers, Figures};
use crate::domain::cost_overview::{MonthTotal, OverviewRow};
use crate::domain::percent::Percent;
use crate::domain::selling::{margin, CustomerPricing, Margin, Sale, SellList};
use crate::domain::{BillingMonth, Money, UnitPrice};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSettings {
    pub currency: String,
    pub time_zone: String,
    pub grace_days: u32,
    /// False while the seeded example prices were never saved by an admin.
    pub prices_confirmed: bool,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub code: String,
    pub name: String,
    pub retired: bool,
    /// Customers (not removed) that have it booked.
    pub booked_by: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionPriceView {
    pub code: String,
    pub pricing: Pricing,
    pub price: UnitPrice,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListView {
    pub effective: BillingMonth,
    pub per_user: UnitPrice,
    pub options: Vec<OptionPriceView>,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

impl PriceListView {
    /// A price list as the settings page shows it: its options in the
    /// catalogue's order (`order`, codes).
    pub fn new(list: &PriceList, order: &[String], saved_at: DateTime<Utc>, saved_by: String) -> Self {
        let options = order
            .iter()
            .filter_map(|code| list.options.get(code).map(|p| (code, p)))
            .map(|(code, p)| OptionPriceView { code: code.clone(), pricing: p.pricing(), price: p.price() })
            .collect();
        PriceListView { effective: list.effective, per_user: list.per_user, options, saved_at, saved_by }
    }

    pub fn price_of(&self, code: &str) -> Option<&OptionPriceView> {
        self.options.iter().find(|o| o.code == code)
    }
}

/// A sell list as the settings page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellListView {
    pub list: SellList,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

/// Everything the billing settings page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingPage {
    pub settings: BillingSettings,
    pub catalogue: Vec<CatalogueEntry>,
    /// Newest first.
    pub price_lists: Vec<PriceListView>,
    /// The MSP's own prices, newest first.
    pub sell_lists: Vec<SellListView>,
    pub current_month: BillingMonth,
    /// The billing time zone is fixed once a month has been closed.
    pub time_zone_locked: bool,
    pub time_zones: Vec<String>,
}

impl PricingPage {
    /// The list in force for the current month.
    pub fn in_force(&self) -> Option<&PriceListView> {
        self.price_lists.iter().find(|l| l.effective <= self.current_month)
    }

    /// The sell list in force for the current month.
    pub fn sell_in_force(&self) -> Option<&SellList> {
        crate::domain::selling::in_force(&self.sell_lists, self.current_month, |s| s.list.effective).map(|s| &s.list)
    }
}

/// One of a customer's pricings (see `CustomerPricing`), with who saved it
/// when. Its fixed prices are a list, not the rules' map: the browser then
/// carries no map code for the few a customer has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingView {
    pub effective: BillingMonth,
    pub discount: Percent,
    pub per_user: Option<UnitPrice>,
    /// Fixed unit prices of options (code, price), by code.
    pub fixed: Vec<(String, UnitPrice)>,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

impl PricingView {
    pub fn new(pricing: CustomerPricing, saved_at: DateTime<Utc>, saved_by: String) -> Self {
        let CustomerPricing { effective, discount, per_user, options } = pricing;
        Self { effective, discount, per_user, fixed: options.into_iter().collect(), saved_at, saved_by }
    }

    /// No discount and no fixed price: the list's prices.
    pub fn is_list_prices(&self) -> bool {
        self.discount == Percent::ZERO && self.per_user.is_none() && self.fixed.is_empty()
    }

    /// The fixed price of option `code`, if any.
    pub fn fixed_price(&self, code: &str) -> Option<UnitPrice> {
        self.fixed.iter().find(|(c, _)| c == code).map(|(_, p)| *p)
    }
}

/// What a customer's sell prices panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPricingPage {
    pub currency: String,
    pub current_month: BillingMonth,
    /// Oldest first.
    pub pricings: Vec<PricingView>,
    /// The options the customer has booked (code, name), catalogue order.
    pub options: Vec<(String, String)>,
}

impl CustomerPricingPage {
    /// The pricing in force this month.
    pub fn in_force(&self) -> Option<&PricingView> {
        crate::domain::selling::in_force(&self.pricings, self.current_month, |p| p.effective)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MonthState {
    /// Closed: statements are frozen.
    Closed { at: DateTime<Utc>, by: String, statements: u64, total: Money },
    /// Ended, waiting for its grace period; an admin may close it now.
    PendingClose { due: chrono::NaiveDate },
    /// The current month: forecast only.
    Current,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    pub month: BillingMonth,
    pub state: MonthState,
    /// The currency of the settings (statements carry their own).
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub kind: LineKind,
    pub code: String,
    pub label: String,
    pub quantity: u64,
    pub unit_price: UnitPrice,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub customer_id: i64,
    pub customer_name: String,
    pub month: BillingMonth,
    pub currency: String,
    pub billable_days: u32,
    pub users: u32,
    pub users_at_start: u32,
    pub users_at_end: u32,
    pub lines: Vec<StatementLine>,
    pub total: Money,
    pub closed_at: DateTime<Utc>,
    /// What the MSP charged (sell lines in the order of the cost lines);
    /// None: closed before sell prices were recorded.
    pub sale: Option<Sale>,
}

/// What a statement line is called: "Users", or the option's name.
pub fn line_label(line: &Line, label: impl Fn(&str) -> String) -> String {
    match line.kind {
        LineKind::Users => "Users".to_owned(),
        _ => label(&line.code),
    }
}

impl Statement {
    /// A bill of the rules as a statement: `label` names an option by its
    /// code; `at` is when it was frozen (a forecast: when it was computed).
    pub fn from_bill(
        customer_id: i64,
        customer_name: String,
        currency: &str,
        bill: &MonthBill,
        sale: &Sale,
        label: impl Fn(&str) -> String,
        at: DateTime<Utc>,
    ) -> Self {
        Statement {
            customer_id,
            customer_name,
            month: bill.month,
            currency: currency.to_owned(),
            billable_days: bill.billable_days,
            users: bill.users,
            users_at_start: bill.users_at_start,
            users_at_end: bill.users_at_end,
            lines: bill
                .lines
                .iter()
                .map(|l| StatementLine {
                    kind: l.kind.clone(),
                    code: l.code.clone(),
                    label: line_label(l, &label),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    amount: l.amount,
                })
                .collect(),
            total: bill.total,
            closed_at: at,
            sale: Some(sale.clone()),
        }
    }

    /// Revenue less cost, when the revenue is recorded.
    pub fn margin(&self) -> Option<Margin> {
        self.sale.as_ref().map(|sale| margin(self.total, sale.total))
    }
}

/// What closing a month did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseOutcome {
    pub month: BillingMonth,
    /// False when the month had been closed before (nothing changed).
    pub closed_now: bool,
    pub statements: u64,
    pub total: Money,
}

/// A customer's bill of the current month so far (same rules as a statement).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    pub month: BillingMonth,
    pub currency: String,
    pub current_users: u32,
    /// None: not billed this month (test customer or no billable day).
    /// Shaped as a statement (its `closed_at` is when it was computed) so
    /// the page draws both alike.
    pub bill: Option<Statement>,
}

/// A frozen statement as a customer's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSummary {
    pub month: BillingMonth,
    pub users: u32,
    pub total: Money,
    /// None: closed before sell prices were recorded.
    pub revenue: Option<Money>,
    pub closed_at: DateTime<Utc>,
}

/// What a billed customer's page shows of its billing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerBillingPage {
    pub currency: String,
    /// Today in the billing time zone.
    pub today: chrono::NaiveDate,
    /// The license's maximum now.
    pub max_users: u32,
    pub forecast: Forecast,
    /// Oldest first, from the first billed month of the window on; the last
    /// one is the current month.
    pub months: Vec<CostMonth>,
    /// The current month's daily users through today.
    pub days: Vec<DayUsers>,
    /// Every frozen statement of the customer, newest first.
    pub statements: Vec<StatementSummary>,
    pub loaded_at: DateTime<Utc>,
}

/// The cost overview of one month: one row per customer billed in it.
/// Written and read in a shorter form of its own (`views::overview_wire`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostOverviewPage {
    pub month: BillingMonth,
    /// Where the month's figures come from.
    pub figures: Figures,
    pub currency: String,
    /// Every month with billing, newest first (the current one first), for
    /// the month picker.
    pub months: Vec<(BillingMonth, Figures)>,
    /// By customer name.
    pub rows: Vec<OverviewRow>,
}

/// The monthly totals of all customers for the cost overview's chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTotalsPage {
    pub currency: String,
    /// Oldest first, from the first month with billing on; the last one is
    /// the current month.
    pub months: Vec<MonthTotal>,
}

/// What the DATEV card in Settings shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatevPage {
    /// None until an admin saved them.
    pub settings: Option<crate::domain::datev::DatevSettings>,
    /// 0 before the first save.
    pub version: i64,
    /// The catalogue's options (code, name), in its order.
    pub options: Vec<(String, String)>,
}
