use super::*;

fn month(raw: &str) -> BillingMonth {
    BillingMonth::parse(raw).unwrap()
}

fn settings() -> DatevSettings {
    let form = DatevSettingsForm {
        adviser_number: "29098".into(),
        client_number: "55003".into(),
        fiscal_year_start: "7".into(),
        account_length: "4".into(),
        revenue_account: "8400".into(),
        tax_key: "".into(),
        collective_debtor: "".into(),
        items: vec![("discovery".into(), "8338".into(), "9".into()), ("offline".into(), "".into(), "".into())],
    };
    form.validate().unwrap()
}

fn sold(id: i64, name: &str, debtor: Option<&str>, lines: &[(&str, i64)]) -> SoldStatement {
    SoldStatement {
        customer_id: id,
        customer_name: name.into(),
        debtor_account: debtor.map(str::to_owned),
        lines: lines.iter().map(|(c, cents)| ((*c).to_owned(), Money::from_cents(*cents))).collect(),
    }
}

/// Splits a file as DATEV reads it: CRLF lines, `;` fields, quoted text
/// with doubled quotes.
fn read(file: &str) -> Vec<Vec<String>> {
    assert!(file.ends_with("\r\n"));
    file.trim_end_matches("\r\n")
        .split("\r\n")
        .map(|line| {
            assert!(!line.contains('\n'), "a bare line feed in {line:?}");
            let mut fields = Vec::new();
            let mut current = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        current.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (';', false) => fields.push(std::mem::take(&mut current)),
                    (c, _) => current.push(c),
                }
            }
            fields.push(current);
            fields
        })
        .collect()
}

fn made() -> Made<'static> {
    let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_milli_opt(9, 5, 7, 123).unwrap();
    Made { at, by: "ada" }
}

#[test]
fn the_header_record_has_the_format_and_the_advisers_numbers() {
    let file = file(&settings(), month("2026-11"), "EUR", &made(), &[]);
    let lines = read(&file);
    let header = &lines[0];
    assert_eq!(header.len(), HEADER_FIELDS);
    assert!(file.starts_with("\"EXTF\";700;21;\"Buchungsstapel\";13;20261204090507123;;\"RE\";\"ada\";"));
    assert_eq!(&header[10..16], ["29098", "55003", "20260701", "4", "20261101", "20261130"]);
    assert_eq!(header[16], "Umsätze 2026-11");
    assert_eq!(&header[18..22], ["1", "0", "0", "EUR"]);
    // A month before the fiscal year's start belongs to the year before.
    let march = read(&file_text_for("2027-03"));
    assert_eq!(march[0][12], "20260701");
}

fn file_text_for(m: &str) -> String {
    file(&settings(), month(m), "EUR", &made(), &[])
}

#[test]
fn the_second_line_names_the_125_columns_of_format_version_13_in_order() {
    let lines = read(&file_text_for("2026-11"));
    assert_eq!(lines[1].len(), 125);
    // The fields the export fills, at the positions DATEV's format
    // description gives them (1-based there).
    for (position, name) in [
        (1, "Umsatz (ohne Soll/Haben-Kz)"),
        (2, "Soll/Haben-Kennzeichen"),
        (3, "WKZ Umsatz"),
        (7, "Konto"),
        (8, "Gegenkonto (ohne BU-Schlüssel)"),
        (9, "BU-Schlüssel"),
        (10, "Belegdatum"),
        (11, "Belegfeld 1"),
        (14, "Buchungstext"),
        (37, "KOST1 - Kostenstelle"),
        (88, "Stück"),
        (114, "Festschreibung"),
        (115, "Leistungsdatum"),
        (121, "Abrechnungsreferenz"),
        (125, "Abw. Skontokonto"),
    ] {
        assert_eq!(lines[1][position - 1], name, "column {position}");
    }
}

#[test]
fn one_booking_per_statement_and_revenue_account_read_back_field_by_field() {
    let s = settings();
    let statements = [
        sold(42, "Müller \"Söhne\" GmbH", Some("10042"), &[("", 11_250), ("discovery", 4_000), ("offline", 1_500)]),
        sold(7, "Internal IT", None, &[]),
    ];
    let bookings = bookings(&s, month("2026-11"), &statements).unwrap();
    assert_eq!(
        bookings.len(),
        2,
        "users and offline go to 8400, discovery to 8338; the internal customer books nothing"
    );
    let lines = read(&file(&s, month("2026-11"), "EUR", &made(), &bookings));
    assert_eq!(lines.len(), 4);
    for row in &lines[2..] {
        assert_eq!(row.len(), 125);
        assert!(row.iter().enumerate().all(|(i, f)| [0, 1, 2, 6, 7, 8, 9, 10, 13, 113].contains(&i) || f.is_empty()));
    }
    let discovery = &lines[2];
    assert_eq!(
        [&discovery[0], &discovery[1], &discovery[2], &discovery[6], &discovery[7], &discovery[8], &discovery[9]],
        ["40,00", "S", "EUR", "10042", "8338", "9", "3011"]
    );
    assert_eq!(discovery[10], "202611-42");
    assert_eq!(discovery[13], "Müller \"Söhne\" GmbH 11/2026");
    assert_eq!(discovery[113], "0");
    let rest = &lines[3];
    assert_eq!([&rest[0], &rest[7], &rest[8]], ["127,50", "8400", ""]);
    // The sum of the bookings is the statement's revenue.
    assert_eq!(bookings.iter().map(|b| b.amount.cents()).sum::<i64>(), 16_750);
}

#[test]
fn text_fields_are_quoted_and_cannot_break_a_line() {
    let s = settings();
    let name = "=1+1\";\r\nEvil \"Corp\"";
    let bookings = bookings(&s, month("2026-11"), &[sold(1, name, Some("10001"), &[("", 100)])]).unwrap();
    let file = file(&s, month("2026-11"), "EUR", &made(), &bookings);
    assert!(file.contains("\"'=1+1\"\";  Evil \"\"Corp\"\" 11/2026\""));
    let lines = read(&file);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2].len(), 125);
    assert_eq!(lines[2][13], "'=1+1\";  Evil \"Corp\" 11/2026");
}

#[test]
fn a_long_name_is_cut_so_that_the_text_keeps_the_month() {
    let name = "A".repeat(80);
    let b = bookings(&settings(), month("2026-11"), &[sold(1, &name, Some("10001"), &[("", 100)])]).unwrap();
    assert_eq!(b[0].text.chars().count(), BOOKING_TEXT_MAX);
    assert!(b[0].text.ends_with(" 11/2026"));
}

#[test]
fn customers_without_a_debtor_account_are_named_unless_there_is_a_collective_one() {
    let statements = [sold(1, "Acme", None, &[("", 100)]), sold(2, "Beta", Some("10002"), &[("", 100)])];
    assert_eq!(bookings(&settings(), month("2026-11"), &statements), Err(vec!["Acme".to_owned()]));
    let with_collective = DatevSettings { collective_debtor: Some("19999".into()), ..settings() };
    let booked = bookings(&with_collective, month("2026-11"), &statements).unwrap();
    let debtors: Vec<&str> = booked.iter().map(|b| b.debtor_account.as_str()).collect();
    assert_eq!(debtors, ["19999", "10002"]);
}

#[test]
fn settings_are_checked_field_by_field() {
    let form = DatevSettingsForm {
        adviser_number: "1000".into(),
        client_number: "100000".into(),
        fiscal_year_start: "13".into(),
        account_length: "4".into(),
        revenue_account: "84000".into(),
        tax_key: "12345".into(),
        collective_debtor: "99999".into(),
        items: vec![("sso".into(), "x".into(), "".into())],
    };
    let problems = form.validate().unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "adviser_number",
            "client_number",
            "fiscal_year_start",
            "revenue_account",
            "tax_key",
            "collective_debtor",
            "revenue:sso"
        ]
    );
    assert_eq!(problems[0].message, Message::WholeNumberRange { min: 1001, max: 9_999_999 }.into());
    assert_eq!(problems[3].message, Message::LedgerAccount { length: 4 }.into());
}

#[test]
fn debtor_accounts_have_one_digit_more_than_ledger_accounts() {
    assert_eq!(parse_debtor_account(" 10042 ", 4), Ok("10042".into()));
    assert_eq!(parse_debtor_account("70000", 4), Err(Message::DebtorAccount { digits: 5 }));
    assert_eq!(parse_debtor_account("1004", 4), Err(Message::DebtorAccount { digits: 5 }));
    assert_eq!(parse_debtor_account("100420", 5), Ok("100420".into()));
    assert_eq!(parse_debtor_account("1004a", 4), Err(Message::DebtorAccount { digits: 5 }));
    assert_eq!(parse_ledger_account("0000", 4), Err(Message::LedgerAccount { length: 4 }));
}
