//! Demo data: a realistic set of customers, made through the same functions
//! the web app uses.

use chrono::{DateTime, Duration, Utc};

use super::clock;
use super::db::Db;
use super::{billing, customers, metering};
use crate::domain::customer::CustomerForm;
use crate::domain::sell_forms::{CustomerPricingForm, SellListForm, SellPriceForm};
use crate::domain::usage::UsageReport;
use crate::domain::{BillingMonth, DatabaseName};

const BILLED: [&str; 24] = [
    "Müller & Söhne GmbH",
    "Bäckerei Schäfer KG",
    "Hoffmann, Weber & Partner",
    "Stadtwerke Süd-Ost",
    "Krüger Logistik AG",
    "Zahnarztpraxis Dr. Öztürk",
    "\"Alpenblick\" Hotel GmbH",
    "Nordlicht Versicherungen",
    "Ingenieurbüro Groß",
    "Fischer Maschinenbau",
    "Acme Corporation",
    "Globex Ltd.",
    "Initech, Inc.",
    "Umbrella Health Services",
    "Société Générale de Conseil",
    "Björk & Lindqvist AB",
    "Café Crème Franchise",
    "O'Connor Legal LLP",
    "Sakura Trading Co.",
    "Van der Berg Transport B.V.",
    "Kanzlei Schröder, Brandt & Kollegen",
    "Ärztehaus am Markt",
    "Blue Harbor Logistics",
    "Północ Software Sp. z o.o.",
];

const TEST: [&str; 10] = [
    "Evaluation – Stadt Ützenhausen",
    "Pilot: Löwen-Apotheke",
    "Trial \"Fernwärme Nord\"",
    "Demo Kunde Meier",
    "Brightline Analytics (trial)",
    "Papierfabrik Weiß – Test",
    "Nexus Robotics PoC",
    "Gärtnerei Blümchen",
    "Tanaka Engineering trial",
    "Rhein-Main Kliniken Test",
];

/// (name, billed, reason)
const DEACTIVATED: [(&str, bool, &str); 6] = [
    ("Werbeagentur Fröhlich", true, "Unpaid invoices since August"),
    ("Old Mill Bakery", true, "Moved to another provider"),
    ("Schulze, Fischer & Co.", false, "Test phase ended without an order"),
    ("Tiefbau Köhler GmbH", true, ""),
    ("Quantum Leap Consulting", false, ""),
    ("Hotel \"Zur Post\"", true, "Insolvency proceedings"),
];

pub(super) const OPTIONS: [&str; 8] = [
    "web_access",
    "offline",
    "mobile_sync",
    "sso_agent",
    "password_reset",
    "discovery",
    "directory_services",
    "hsm_pkcs11",
];

/// Of ten customers, about this many book each option.
const SHARE: [usize; 8] = [10, 4, 6, 3, 2, 3, 1, 2];

const MAX_USERS: [u32; 10] = [5, 10, 15, 25, 40, 50, 75, 120, 250, 1200];

fn demo_form(i: usize, name: &str, billed: bool) -> CustomerForm {
    let today = clock::today();
    // A few contracts end within two weeks; most run for months.
    let days = match i % 9 {
        0 => 3,
        4 => 12,
        _ => 40 + (i as i64 * 37) % 600,
    };
    let options = OPTIONS
        .iter()
        .enumerate()
        .filter(|(k, _)| (i * 13 + k * 7) % 10 < SHARE[*k] || *k == 0)
        .map(|(_, code)| (*code).to_owned())
        .collect();
    CustomerForm {
        name: name.to_owned(),
        billed,
        contract_end: (today + Duration::days(days)).to_string(),
        database_name: DatabaseName::slug_of(name).to_string(),
        max_users: MAX_USERS[i % MAX_USERS.len()].to_string(),
        limit_user_creation: i.is_multiple_of(3),
        options,
    }
}

fn fail(e: impl Into<super::error::ServerError>) -> anyhow::Error {
    anyhow::anyhow!("demo data: {}", e.into().chain())
}

/// How many months ago customer `i` started (1 to 24).
fn months_back(i: usize) -> i64 {
    1 + (i as i64 * 7) % 24
}

/// A user count that grows over the customer's life, with some ups and
/// downs, below its license most of the time.
fn users_on_day(i: usize, max_users: u32, hard_limit: bool, day: i64) -> u32 {
    let base = f64::from(max_users) * (0.45 + 0.05 * (i % 5) as f64);
    let growth = 1.0 + day as f64 / 900.0;
    let wobble = ((day * 37 + i as i64 * 11) % 13) as f64 - 6.0;
    // With the hard limit on, the server cannot go beyond the license.
    let ceiling = if hard_limit { f64::from(max_users) } else { f64::from(max_users) * 1.1 };
    (base * growth + wobble).round().clamp(0.0, ceiling) as u32
}

/// Usage reports through the same function the machine API calls: two a
/// day, every other day, from `from` until `until`.
async fn report_usage(
    db: &Db,
    id: i64,
    i: usize,
    (max_users, hard_limit): (u32, bool),
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut day = 0i64;
    loop {
        let morning = from + Duration::days(day) + Duration::hours(2);
        if morning > until {
            return Ok(());
        }
        for (slot, at) in [(0, morning), (1, morning + Duration::hours(7))] {
            if at > until {
                break;
            }
            let peak = users_on_day(i, max_users, hard_limit, day) + slot * ((day as u32 + i as u32) % 3);
            let users = if hard_limit { peak.min(max_users) } else { peak };
            let report = UsageReport {
                report_id: format!("demo-{id}-{day}-{slot}"),
                observed_at: at,
                users: users.min(1_000_000),
            };
            metering::ingest(db, id, &report, at + Duration::minutes(1)).await.map_err(fail)?;
        }
        day += 2;
    }
}

struct Plan<'a> {
    name: &'a str,
    billed: bool,
    /// Started as a test customer and was converted this many days later.
    converted_after: Option<i64>,
    deactivated: Option<(i64, &'a str)>,
}

/// The MSP's sell list from `since` on: the users at 30 % over the vendor's
/// price, the options at 25 % over it, discovery at a round 39.00.
async fn sell_prices(db: &Db, since: DateTime<Utc>) -> anyhow::Result<()> {
    let mut items = vec![SellPriceForm { code: String::new(), method: "markup".into(), value: "30".into() }];
    for code in OPTIONS {
        let (method, value) = if code == "discovery" { ("price", "39") } else { ("markup", "25") };
        items.push(SellPriceForm { code: code.into(), method: method.into(), value: value.into() });
    }
    let form = SellListForm { effective_month: BillingMonth::of(since.date_naive()).to_string(), items };
    billing::save_sell_list(db, "demo", &form, since).await.map_err(fail)?;
    Ok(())
}

/// Some billed customers' own prices from their first month: every seventh
/// a 10 % discount, one an old deal below the vendor's prices (a negative
/// margin), one for internal use. The versions it used.
async fn customer_prices(
    db: &Db,
    i: usize,
    id: i64,
    version: i64,
    billed: bool,
    created: DateTime<Utc>,
) -> anyhow::Result<i64> {
    if !billed {
        return Ok(0);
    }
    let month = BillingMonth::of(created.date_naive()).to_string();
    let pricing = match i {
        5 => {
            customers::set_not_for_resale(db, "demo", id, version, true, created).await.map_err(fail)?;
            return Ok(1);
        }
        8 => CustomerPricingForm {
            effective_month: month,
            discount: String::new(),
            fixed: vec![(String::new(), "2.6".into())],
        },
        _ if i % 7 == 3 => CustomerPricingForm { effective_month: month, discount: "10".into(), fixed: Vec::new() },
        _ => return Ok(0),
    };
    billing::save_customer_pricing(db, "demo", id, &pricing, created).await.map_err(fail)?;
    Ok(0)
}

/// About 40 customers with up to 24 months of history (created, converted,
/// options changed, deactivated, usage reported), then (`close`) every ended
/// month closed by the month-close job.
pub async fn fill(db: &Db, close: bool) -> anyhow::Result<usize> {
    let now = Utc::now();
    let mut plans = Vec::new();
    for (i, name) in BILLED.iter().enumerate() {
        let converted_after = (i % 4 == 1).then_some(21);
        plans.push(Plan { name, billed: true, converted_after, deactivated: None });
    }
    for name in TEST {
        plans.push(Plan { name, billed: false, converted_after: None, deactivated: None });
    }
    for (k, (name, billed, reason)) in DEACTIVATED.iter().enumerate() {
        plans.push(Plan {
            name,
            billed: *billed,
            converted_after: None,
            deactivated: Some((20 + 45 * k as i64, reason)),
        });
    }
    sell_prices(db, now - Duration::days(26 * 30)).await?;
    let mut made = 0;
    for (i, plan) in plans.iter().enumerate() {
        let mut form = demo_form(i, plan.name, plan.billed && plan.converted_after.is_none());
        // Test phases are short: they started at most three months ago.
        let back = if plan.billed { months_back(i) } else { months_back(i).min(3) };
        let created = now - Duration::days(back * 30 + (i as i64 % 9));
        let license = (form.max_users.parse().unwrap_or(10), form.limit_user_creation);
        let mut version = 1;
        // The first options; one more is booked later on.
        let later_option = form.options.pop().filter(|_| form.options.len() > 1);
        let id = customers::create(db, "demo", &form, created).await.map_err(fail)?.id;
        if let Some(days) = plan.converted_after.filter(|d| created + Duration::days(*d) < now) {
            customers::change_kind(db, "demo", id, version, "billed", created + Duration::days(days))
                .await
                .map_err(fail)?;
            version += 1;
        }
        version += customer_prices(db, i, id, version, plan.billed, created).await?;
        let option_day = created + Duration::days(back * 15);
        if let Some(code) = later_option.filter(|_| option_day < now) {
            let mut options = form.options.clone();
            options.push(code);
            customers::set_options(db, "demo", id, version, &options, option_day).await.map_err(fail)?;
            version += 1;
        }
        let until = match plan.deactivated {
            Some((days_ago, reason)) => {
                let at = (now - Duration::days(days_ago)).max(created + Duration::days(10));
                let reason = if reason.is_empty() {
                    format!("Contract ended on {}", at.date_naive())
                } else {
                    reason.to_owned()
                };
                report_usage(db, id, i, license, created, at).await?;
                customers::deactivate(db, "demo", id, version, &reason, at).await.map_err(fail)?;
                made += 1;
                continue;
            }
            None => now,
        };
        report_usage(db, id, i, license, created, until).await?;
        made += 1;
    }
    if close {
        billing::close_due_months(db, now).await.map_err(fail)?;
    }
    Ok(made)
}
