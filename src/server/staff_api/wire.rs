//! The staff API's JSON: field names that stay as they are, whatever the
//! pages' own types become. Amounts are strings with two decimals ("1234.50"),
//! unit prices with at least two ("4.50", "0.4167"), in the billing currency.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::billing::LineKind;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{BilledOption, OverviewRow, Totals};
use crate::domain::selling::{margin, Margin, SellBasis, SellLine};
use crate::views::alerts;
use crate::views::billing::{Statement, StatementLine};
use crate::views::customers::CustomerDetail;

#[derive(Debug, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub database_name: String,
    /// "test" or "billed".
    pub kind: &'static str,
    /// "active" or "deactivated".
    pub status: &'static str,
    pub contract_end: NaiveDate,
    pub max_users: u32,
    pub limit_user_creation: bool,
    pub reported_users: Option<u32>,
    /// Option codes, in catalogue order.
    pub options: Vec<String>,
    pub not_for_resale: bool,
    pub debtor_account: Option<String>,
    pub deactivation_reason: Option<String>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub billed_since: Option<DateTime<Utc>>,
    /// Send it back as `If-Match` to change the customer.
    pub version: i64,
}

impl From<CustomerDetail> for Customer {
    fn from(c: CustomerDetail) -> Self {
        Self {
            id: c.id,
            kind: c.kind.as_str(),
            status: c.status.as_str(),
            contract_end: c.contract_end,
            max_users: c.max_users,
            limit_user_creation: c.limit_user_creation,
            reported_users: c.reported_users,
            options: c.options.into_iter().map(|o| o.code).collect(),
            not_for_resale: c.not_for_resale,
            debtor_account: c.debtor_account,
            deactivation_reason: c.deactivation_reason,
            deactivated_at: c.deactivated_at,
            created_at: c.created_at,
            billed_since: c.billed_since,
            version: c.version,
            name: c.name,
            database_name: c.database_name,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CustomerList {
    pub customers: Vec<Customer>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct CreatedCustomer {
    pub customer: Customer,
    /// The customer's machine API key, shown this once.
    pub api_key: String,
}

/// `POST /api/v1/customers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub name: String,
    /// "test" or "billed".
    pub kind: String,
    pub contract_end: String,
    pub database_name: String,
    pub max_users: u32,
    #[serde(default)]
    pub limit_user_creation: bool,
    #[serde(default)]
    pub options: Vec<String>,
}

/// `PATCH /api/v1/customers/{id}`: what is sent changes; the rest stays.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub contract_end: Option<String>,
    pub max_users: Option<u32>,
    pub limit_user_creation: Option<bool>,
    pub options: Option<Vec<String>>,
}

impl CustomerPatch {
    pub fn touches_contract(&self) -> bool {
        self.name.is_some()
            || self.contract_end.is_some()
            || self.max_users.is_some()
            || self.limit_user_creation.is_some()
    }

    pub fn is_empty(&self) -> bool {
        !self.touches_contract() && self.options.is_none()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deactivation {
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    /// Required when the contract end has passed.
    pub contract_end: Option<String>,
}

fn kind_name(kind: &LineKind) -> &'static str {
    kind.as_str()
}

#[derive(Debug, Serialize)]
pub struct CostLine {
    /// "users", "option_per_user" or "option_flat".
    pub kind: &'static str,
    /// Empty for the users line, else the option's code.
    pub code: String,
    pub quantity: u64,
    pub unit_price: String,
    pub amount: String,
}

impl From<StatementLine> for CostLine {
    fn from(l: StatementLine) -> Self {
        Self {
            kind: kind_name(&l.kind),
            code: l.code,
            quantity: l.quantity,
            unit_price: l.unit_price.to_string(),
            amount: l.amount.to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SaleLine {
    pub kind: &'static str,
    pub code: String,
    pub quantity: u64,
    pub unit_price: String,
    pub amount: String,
    /// How the price came about: "at_cost", "list_price", "markup", "fixed"
    /// or "discount".
    pub basis: &'static str,
}

impl From<SellLine> for SaleLine {
    fn from(l: SellLine) -> Self {
        let basis = match l.basis {
            SellBasis::AtCost => "at_cost",
            SellBasis::ListPrice => "list_price",
            SellBasis::Markup(_) => "markup",
            SellBasis::Fixed => "fixed",
            SellBasis::Discount(_) => "discount",
        };
        Self {
            kind: kind_name(&l.kind),
            code: l.code,
            quantity: l.quantity,
            unit_price: l.unit_price.to_string(),
            amount: l.amount.to_string(),
            basis,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MarginOut {
    pub amount: String,
    /// Of the revenue, one decimal ("22.5"); null without revenue.
    pub percent: Option<String>,
}

impl From<Margin> for MarginOut {
    fn from(m: Margin) -> Self {
        Self { amount: m.amount.to_string(), percent: m.percent.map(|p| p.to_string()) }
    }
}

#[derive(Debug, Serialize)]
pub struct Sale {
    pub not_for_resale: bool,
    pub lines: Vec<SaleLine>,
    pub revenue: String,
}

#[derive(Debug, Serialize)]
pub struct StatementOut {
    pub customer_id: i64,
    pub customer_name: String,
    pub month: String,
    pub currency: String,
    pub billable_days: u32,
    pub users: u32,
    pub users_at_start: u32,
    pub users_at_end: u32,
    pub closed_at: DateTime<Utc>,
    pub cost_lines: Vec<CostLine>,
    pub cost: String,
    /// Null for a statement closed before sell prices were recorded.
    pub sale: Option<Sale>,
    pub margin: Option<MarginOut>,
}

impl From<Statement> for StatementOut {
    fn from(s: Statement) -> Self {
        let margin = s.sale.as_ref().map(|sale| margin(s.total, sale.total).into());
        Self {
            customer_id: s.customer_id,
            customer_name: s.customer_name,
            month: s.month.to_string(),
            currency: s.currency,
            billable_days: s.billable_days,
            users: s.users,
            users_at_start: s.users_at_start,
            users_at_end: s.users_at_end,
            closed_at: s.closed_at,
            cost_lines: s.lines.into_iter().map(CostLine::from).collect(),
            cost: s.total.to_string(),
            sale: s.sale.map(|sale| Sale {
                not_for_resale: sale.not_for_resale,
                lines: sale.lines.into_iter().map(SaleLine::from).collect(),
                revenue: sale.total.to_string(),
            }),
            margin,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Statements {
    pub month: String,
    pub statements: Vec<StatementOut>,
}

fn codes(options: &[BilledOption]) -> Vec<String> {
    options.iter().map(|o| o.code.clone()).collect()
}

#[derive(Debug, Serialize)]
pub struct OverviewRowOut {
    pub customer_id: i64,
    pub name: String,
    pub database_name: String,
    pub status: &'static str,
    pub users: u32,
    /// Against the month before: "new", "+3", "-2", "0".
    pub users_change: String,
    pub users_at_start: u32,
    pub users_at_end: u32,
    pub options: Vec<String>,
    pub options_added: Vec<String>,
    pub options_removed: Vec<String>,
    pub users_cost: String,
    pub options_cost: String,
    pub cost: String,
    pub revenue: Option<String>,
    pub margin: Option<MarginOut>,
    pub not_for_resale: bool,
}

impl From<&OverviewRow> for OverviewRowOut {
    fn from(row: &OverviewRow) -> Self {
        let b = &row.bill;
        Self {
            customer_id: b.customer_id,
            name: b.name.clone(),
            database_name: b.database_name.clone(),
            status: b.status.as_str(),
            users: b.users,
            users_change: row.change.plain(),
            users_at_start: b.users_at_start,
            users_at_end: b.users_at_end,
            options: codes(&b.options),
            options_added: codes(&row.options_added),
            options_removed: codes(&row.options_removed),
            users_cost: b.users_cost.to_string(),
            options_cost: b.options_cost.to_string(),
            cost: b.total.to_string(),
            revenue: b.revenue.map(|r| r.to_string()),
            margin: b.margin().map(MarginOut::from),
            not_for_resale: b.not_for_resale,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TotalsOut {
    pub customers: u64,
    pub users: u64,
    pub users_cost: String,
    pub options_cost: String,
    pub cost: String,
    /// Of the rows whose revenue is known.
    pub revenue: String,
    /// Over the rows whose revenue is known; null if none's is.
    pub margin: Option<MarginOut>,
}

impl From<Totals> for TotalsOut {
    fn from(t: Totals) -> Self {
        Self {
            customers: t.customers,
            users: t.users,
            users_cost: t.users_cost.to_string(),
            options_cost: t.options_cost.to_string(),
            cost: t.total.to_string(),
            revenue: t.revenue.to_string(),
            margin: t.margin().map(MarginOut::from),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub month: String,
    /// "final" (frozen statements), "pending_close" or "forecast".
    pub figures: &'static str,
    pub currency: String,
    pub rows: Vec<OverviewRowOut>,
    pub totals: TotalsOut,
}

pub fn figures_name(figures: Figures) -> &'static str {
    match figures {
        Figures::Final => "final",
        Figures::PendingClose => "pending_close",
        Figures::Forecast => "forecast",
        Figures::NotBilled => "not_billed",
    }
}

/// `POST /api/v1/webhook-endpoints`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    pub url: String,
    #[serde(default)]
    pub description: String,
    pub events: Vec<String>,
}

/// `PATCH /api/v1/webhook-endpoints/{id}`: what is sent changes; the rest stays.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

impl EndpointPatch {
    pub fn touches_form(&self) -> bool {
        self.url.is_some() || self.description.is_some() || self.events.is_some()
    }
}

/// `GET /api/v1/webhook-endpoints`.
#[derive(Debug, Serialize)]
pub struct EndpointList {
    pub endpoints: Vec<Endpoint>,
}

/// A webhook endpoint (`WebhookEndpoint` in the OpenAPI document).
#[derive(Debug, Serialize)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl From<alerts::WebhookEndpoint> for Endpoint {
    fn from(e: alerts::WebhookEndpoint) -> Self {
        Endpoint {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events,
            enabled: e.enabled,
            failing_since: e.failing_since,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
            created_by: e.created_by,
        }
    }
}

/// `POST /api/v1/webhook-endpoints`: the new endpoint and its secret, once.
#[derive(Debug, Serialize)]
pub struct CreatedEndpoint {
    pub endpoint: Endpoint,
    pub secret: String,
}

impl From<alerts::CreatedEndpoint> for CreatedEndpoint {
    fn from(made: alerts::CreatedEndpoint) -> Self {
        CreatedEndpoint { endpoint: made.endpoint.into(), secret: made.secret }
    }
}

/// `POST /api/v1/webhook-endpoints/{id}/test`: the test event's delivery.
#[derive(Debug, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// "pending", "delivered" or "failed".
    pub state: &'static str,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Serialize)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub reply: String,
    pub succeeded: bool,
}

impl From<alerts::Delivery> for Delivery {
    fn from(d: alerts::Delivery) -> Self {
        Delivery {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            kind: d.kind,
            occurred_at: d.occurred_at,
            state: d.state.as_str(),
            next_attempt_at: d.next_attempt_at,
            attempts: d
                .attempts
                .into_iter()
                .map(|a| Attempt { at: a.at, status: a.status, reply: a.reply, succeeded: a.succeeded })
                .collect(),
        }
    }
}
