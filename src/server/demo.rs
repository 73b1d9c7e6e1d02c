//! Demo data: a realistic set of customers, made through the same functions
//! the web app uses.

use chrono::Duration;

use super::clock;
use super::customers;
use super::db::Db;
use crate::domain::customer::CustomerForm;
use crate::domain::DatabaseName;

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

const OPTIONS: [&str; 8] = [
    "web_access",
    "offline",
    "mobile_sync",
    "sso_agent",
    "password_reset",
    "discovery",
    "directory_services",
    "hsm_pkcs11",
];

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
        .filter(|(k, _)| (i * 7 + k * 3) % 5 < 2 || *k == 0)
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

fn fail(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("demo data: {e}")
}

/// About 40 customers: billed, test and deactivated.
pub async fn fill(db: &Db) -> anyhow::Result<usize> {
    let mut made = 0;
    for (i, name) in BILLED.iter().enumerate() {
        customers::create(db, "demo", &demo_form(i, name, true)).await.map_err(fail)?;
        made += 1;
    }
    for (i, name) in TEST.iter().enumerate() {
        customers::create(db, "demo", &demo_form(i + 3, name, false)).await.map_err(fail)?;
        made += 1;
    }
    for (i, (name, billed, reason)) in DEACTIVATED.iter().enumerate() {
        let id = customers::create(db, "demo", &demo_form(i + 5, name, *billed)).await.map_err(fail)?;
        let reason = if reason.is_empty() && i == 3 {
            // As the contract-end job will word it.
            let ended = clock::today() - Duration::days(9);
            sqlx::query("UPDATE customers SET contract_end = $1 WHERE id = $2")
                .bind(ended)
                .bind(id)
                .execute(db)
                .await?;
            format!("Contract ended on {ended}")
        } else {
            (*reason).to_owned()
        };
        customers::deactivate(db, "demo", id, 1, &reason).await.map_err(fail)?;
        made += 1;
    }
    Ok(made)
}
