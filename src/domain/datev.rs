//! A closed month's sell amounts as a DATEV "Buchungsstapel" (the CSV
//! interface format, header version 700, data category 21, format version
//! 13) for the MSP's tax adviser. Pure: the server reads the statements and
//! settings, this writes the text, the server encodes it as Windows-1252.
//!
//! - Line 1, the header record: `"EXTF";700;21;"Buchungsstapel";13;…`, 31
//!   fields (adviser and client number, fiscal year start, account length,
//!   the month as the period, the currency).
//! - Line 2, the 125 column names of format version 13, in DATEV's order.
//! - One booking per customer statement and revenue account: the statement's
//!   sell lines that go to the same revenue account and tax key are summed.
//!   Amount (positive, decimal comma), `S` (debit the customer's debtor
//!   account, credit the revenue account), currency, debtor account (the
//!   customer's own, else the collective one of the settings),
//!   revenue account, tax key, document date `DDMM` (the month's last day),
//!   document number (the statement number), booking text (customer and
//!   month). A statement that sold nothing (not for resale) books nothing.
//! - Fields separated by `;`, lines ended by CRLF, text in double quotes
//!   (inner quotes doubled, control characters replaced by spaces; a text
//!   that starts like a formula gets a leading `'`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::message::Message;
use super::validation::{FieldMessage, Problems};
use super::{BillingMonth, Money};

/// The column names of format version 13, in order (125).
pub const COLUMNS: [&str; 125] = [
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    "Beleginfo - Art 1",
    "Beleginfo - Inhalt 1",
    "Beleginfo - Art 2",
    "Beleginfo - Inhalt 2",
    "Beleginfo - Art 3",
    "Beleginfo - Inhalt 3",
    "Beleginfo - Art 4",
    "Beleginfo - Inhalt 4",
    "Beleginfo - Art 5",
    "Beleginfo - Inhalt 5",
    "Beleginfo - Art 6",
    "Beleginfo - Inhalt 6",
    "Beleginfo - Art 7",
    "Beleginfo - Inhalt 7",
    "Beleginfo - Art 8",
    "Beleginfo - Inhalt 8",
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    "Zusatzinformation - Art 1",
    "Zusatzinformation - Inhalt 1",
    "Zusatzinformation - Art 2",
    "Zusatzinformation - Inhalt 2",
    "Zusatzinformation - Art 3",
    "Zusatzinformation - Inhalt 3",
    "Zusatzinformation - Art 4",
    "Zusatzinformation - Inhalt 4",
    "Zusatzinformation - Art 5",
    "Zusatzinformation - Inhalt 5",
    "Zusatzinformation - Art 6",
    "Zusatzinformation - Inhalt 6",
    "Zusatzinformation - Art 7",
    "Zusatzinformation - Inhalt 7",
    "Zusatzinformation - Art 8",
    "Zusatzinformation - Inhalt 8",
    "Zusatzinformation - Art 9",
    "Zusatzinformation - Inhalt 9",
    "Zusatzinformation - Art 10",
    "Zusatzinformation - Inhalt 10",
    "Zusatzinformation - Art 11",
    "Zusatzinformation - Inhalt 11",
    "Zusatzinformation - Art 12",
    "Zusatzinformation - Inhalt 12",
    "Zusatzinformation - Art 13",
    "Zusatzinformation - Inhalt 13",
    "Zusatzinformation - Art 14",
    "Zusatzinformation - Inhalt 14",
    "Zusatzinformation - Art 15",
    "Zusatzinformation - Inhalt 15",
    "Zusatzinformation - Art 16",
    "Zusatzinformation - Inhalt 16",
    "Zusatzinformation - Art 17",
    "Zusatzinformation - Inhalt 17",
    "Zusatzinformation - Art 18",
    "Zusatzinformation - Inhalt 18",
    "Zusatzinformation - Art 19",
    "Zusatzinformation - Inhalt 19",
    "Zusatzinformation - Art 20",
    "Zusatzinformation - Inhalt 20",
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Mitgliedstaat (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Leerfeld",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Mitgliedstaat u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
];

/// Fields of the header record.
pub const HEADER_FIELDS: usize = 31;
/// The longest booking text DATEV takes.
pub const BOOKING_TEXT_MAX: usize = 60;

/// Where an item's revenue goes: the revenue account and the tax key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueAccount {
    pub account: String,
    /// Up to four digits; empty: none (an automatic account).
    pub tax_key: String,
}

/// The tax adviser's numbers and the accounts, as saved in Settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatevSettings {
    /// 1001 to 9999999.
    pub adviser_number: u32,
    /// 1 to 99999.
    pub client_number: u32,
    /// The month (1 to 12) the fiscal year starts in.
    pub fiscal_year_start: u32,
    /// Digits of a general ledger account, 4 to 8; a debtor account has one
    /// more.
    pub account_length: u32,
    /// For every item without its own.
    pub revenue: RevenueAccount,
    /// By item: the users (code empty) or an option's code.
    pub items: BTreeMap<String, RevenueAccount>,
    /// A collective debtor account for customers without their own (none:
    /// each customer needs one).
    pub collective_debtor: Option<String>,
}

impl DatevSettings {
    /// The revenue account of an item.
    pub fn revenue_of(&self, code: &str) -> &RevenueAccount {
        self.items.get(code).unwrap_or(&self.revenue)
    }

    /// The first day of the fiscal year `month` falls in.
    pub fn fiscal_year_of(&self, month: BillingMonth) -> chrono::NaiveDate {
        let start = self.fiscal_year_start.clamp(1, 12);
        let year = if month.month() >= start { month.year() } else { month.year() - 1 };
        chrono::NaiveDate::from_ymd_opt(year, start, 1).unwrap_or(month.first_day())
    }
}

/// The settings as typed in Settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatevSettingsForm {
    pub adviser_number: String,
    pub client_number: String,
    pub fiscal_year_start: String,
    pub account_length: String,
    pub revenue_account: String,
    pub tax_key: String,
    /// Empty: none.
    pub collective_debtor: String,
    /// Item code (empty: the users), revenue account and tax key; an empty
    /// account: the default.
    pub items: Vec<(String, String, String)>,
}

/// The field of an item's account: `revenue:` (users), `revenue:offline`.
pub fn revenue_field(code: &str) -> String {
    format!("revenue:{code}")
}

fn number_in(raw: &str, min: u32, max: u32) -> Result<u32, Message> {
    let trimmed = raw.trim();
    let n: u32 = trimmed
        .parse()
        .ok()
        .filter(|_| trimmed.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(Message::WholeNumberRange { min, max })?;
    if (min..=max).contains(&n) {
        Ok(n)
    } else {
        Err(Message::WholeNumberRange { min, max })
    }
}

/// A general ledger account: digits, at most `length` of them, not 0.
pub fn parse_ledger_account(raw: &str, length: u32) -> Result<String, Message> {
    let account = raw.trim();
    let digits = account.len() <= length as usize && account.bytes().all(|b| b.is_ascii_digit());
    if account.is_empty() || !digits || account.bytes().all(|b| b == b'0') {
        return Err(Message::LedgerAccount { length });
    }
    Ok(account.to_owned())
}

/// A debtor account: one digit more than a ledger account, starting with 1
/// to 6 (DATEV's debtors: 10000 to 69999 with four-digit accounts).
pub fn parse_debtor_account(raw: &str, length: u32) -> Result<String, Message> {
    let account = raw.trim();
    let ok = account.len() == length as usize + 1
        && account.bytes().all(|b| b.is_ascii_digit())
        && (b'1'..=b'6').contains(&account.as_bytes()[0]);
    if ok {
        Ok(account.to_owned())
    } else {
        Err(Message::DebtorAccount { digits: length + 1 })
    }
}

/// A tax key: up to four digits, or none.
pub fn parse_tax_key(raw: &str) -> Result<String, Message> {
    let key = raw.trim();
    if key.len() <= 4 && key.bytes().all(|b| b.is_ascii_digit()) {
        Ok(key.to_owned())
    } else {
        Err(Message::TaxKey)
    }
}

impl DatevSettingsForm {
    pub fn validate(&self) -> Result<DatevSettings, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let adviser_number = problems.check("adviser_number", number_in(&self.adviser_number, 1001, 9_999_999));
        let client_number = problems.check("client_number", number_in(&self.client_number, 1, 99_999));
        let fiscal_year_start = problems.check("fiscal_year_start", number_in(&self.fiscal_year_start, 1, 12));
        let account_length = problems.check("account_length", number_in(&self.account_length, 4, 8));
        let length = account_length.unwrap_or(8);
        let account = problems.check("revenue_account", parse_ledger_account(&self.revenue_account, length));
        let tax_key = problems.check("tax_key", parse_tax_key(&self.tax_key));
        let collective_debtor = if self.collective_debtor.trim().is_empty() {
            Some(None)
        } else {
            problems.check("collective_debtor", parse_debtor_account(&self.collective_debtor, length)).map(Some)
        };
        let mut items = BTreeMap::new();
        for (code, account, key) in &self.items {
            if account.trim().is_empty() && key.trim().is_empty() {
                continue;
            }
            let field = revenue_field(code);
            let account = problems.check(&field, parse_ledger_account(account, length));
            let key = problems.check(&field, parse_tax_key(key));
            if let (Some(account), Some(tax_key)) = (account, key) {
                items.insert(code.clone(), RevenueAccount { account, tax_key });
            }
        }
        let valid = match (adviser_number, client_number, fiscal_year_start, account_length, account, tax_key) {
            (
                Some(adviser_number),
                Some(client_number),
                Some(fiscal_year_start),
                Some(account_length),
                Some(a),
                Some(k),
            ) => collective_debtor.map(|collective_debtor| DatevSettings {
                adviser_number,
                client_number,
                fiscal_year_start,
                account_length,
                revenue: RevenueAccount { account: a, tax_key: k },
                items,
                collective_debtor,
            }),
            _ => None,
        };
        problems.into_result(valid)
    }
}

/// One customer's statement of the month as the export needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldStatement {
    pub customer_id: i64,
    pub customer_name: String,
    pub debtor_account: Option<String>,
    /// The sell lines: item code (empty: the users) and amount.
    pub lines: Vec<(String, Money)>,
}

/// One booking of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    pub amount: Money,
    pub debtor_account: String,
    pub revenue: RevenueAccount,
    pub document: String,
    pub text: String,
}

/// The statement number: the month and the customer, `202611-42`.
pub fn statement_number(month: BillingMonth, customer_id: i64) -> String {
    format!("{:04}{:02}-{customer_id}", month.year(), month.month())
}

/// The bookings of a month's statements, by statement then account (a
/// customer without a debtor account books to the collective one); or the
/// names of the customers with neither.
pub fn bookings(
    settings: &DatevSettings,
    month: BillingMonth,
    statements: &[SoldStatement],
) -> Result<Vec<Booking>, Vec<String>> {
    let mut missing = Vec::new();
    let mut out = Vec::new();
    for s in statements {
        let mut by_account: BTreeMap<(String, String), Money> = BTreeMap::new();
        for (code, amount) in &s.lines {
            let revenue = settings.revenue_of(code);
            let sum = by_account.entry((revenue.account.clone(), revenue.tax_key.clone())).or_default();
            *sum = *sum + *amount;
        }
        by_account.retain(|_, amount| amount.cents() != 0);
        if by_account.is_empty() {
            continue;
        }
        let Some(debtor) = s.debtor_account.as_ref().or(settings.collective_debtor.as_ref()) else {
            missing.push(s.customer_name.clone());
            continue;
        };
        for ((account, tax_key), amount) in by_account {
            out.push(Booking {
                amount,
                debtor_account: debtor.clone(),
                revenue: RevenueAccount { account, tax_key },
                document: statement_number(month, s.customer_id),
                text: booking_text(&s.customer_name, month),
            });
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// "Acme GmbH 11/2026", cut to 60 characters (the month kept). A name a
/// spreadsheet would read as a formula gets a leading `'`, as in the cost
/// overview's CSV (an adviser may open the file in one).
fn booking_text(name: &str, month: BillingMonth) -> String {
    let suffix = format!(" {:02}/{:04}", month.month(), month.year());
    let room = BOOKING_TEXT_MAX - suffix.chars().count();
    let name = super::export::text_cell(name);
    let name: String = name.chars().take(room).collect();
    format!("{}{suffix}", name.trim_end())
}

/// A text field: in double quotes, inner quotes doubled, control characters
/// (DATEV takes none) replaced by spaces.
fn text(value: &str) -> String {
    let clean: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("\"{}\"", clean.replace('"', "\"\""))
}

/// An amount with a decimal comma and no grouping: "1234,50".
fn amount(money: Money) -> String {
    super::export::amount(money, ',')
}

/// Who made the file and when, for the header record.
pub struct Made<'a> {
    /// Local time of the billing time zone.
    pub at: chrono::NaiveDateTime,
    pub by: &'a str,
}

/// The file's text (lines ended by CRLF); the caller encodes it.
pub fn file(
    settings: &DatevSettings,
    month: BillingMonth,
    currency: &str,
    made: &Made,
    bookings: &[Booking],
) -> String {
    let ymd = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let label: String = format!("Umsätze {month}").chars().take(30).collect();
    let by: String = made.by.chars().take(25).collect();
    let header: [String; HEADER_FIELDS] = [
        text("EXTF"),
        "700".into(),
        "21".into(),
        text("Buchungsstapel"),
        "13".into(),
        made.at.format("%Y%m%d%H%M%S%3f").to_string(),
        String::new(),
        text("RE"),
        text(&by),
        text(""),
        settings.adviser_number.to_string(),
        settings.client_number.to_string(),
        ymd(settings.fiscal_year_of(month)),
        settings.account_length.to_string(),
        ymd(month.first_day()),
        ymd(month.last_day()),
        text(&label),
        text(""),
        "1".into(),
        "0".into(),
        "0".into(),
        text(currency),
        String::new(),
        text(""),
        String::new(),
        String::new(),
        text(""),
        String::new(),
        String::new(),
        text(""),
        text(""),
    ];
    let mut out = header.join(";");
    out.push_str("\r\n");
    out.push_str(&COLUMNS.join(";"));
    out.push_str("\r\n");
    let date = month.last_day().format("%d%m").to_string();
    for b in bookings {
        let mut row = vec![String::new(); COLUMNS.len()];
        row[0] = amount(b.amount);
        row[1] = text("S");
        row[2] = text(currency);
        row[6] = b.debtor_account.clone();
        row[7] = b.revenue.account.clone();
        row[8] = text(&b.revenue.tax_key);
        row[9] = date.clone();
        row[10] = text(&b.document);
        row[13] = text(&b.text);
        row[113] = "0".into();
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// "EXTF_Buchungsstapel_2026-11.csv".
pub fn file_name(month: BillingMonth) -> String {
    format!("EXTF_Buchungsstapel_{month}.csv")
}

#[cfg(test)]
mod tests;
