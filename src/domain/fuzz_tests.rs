//! Generated input for every parser of outside input: usage reports, the
//! customer form, the sign-in form's user name and password, names as they
//! go into CSV files, and the audit log's address. None may panic; what one
//! accepts keeps its rules and parses again to itself.

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::audit_query::AuditQuery;
use super::customer::CustomerForm;
use super::customer_list::params_of;
use super::export::CsvFormat;
use super::usage::{UsageBody, CLOCK_SKEW, MAX_REPORTED_USERS, MAX_REPORT_ID_LEN};
use super::{CustomerName, DatabaseName, MaxUsers, Password, Username};

/// Any text, weighted towards what breaks parsers: control characters,
/// quotes, separators, umlauts, digits, signs and long runs.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \\t\\r\\n\"',;%_\\\\a-zA-Z0-9äöüßÄÖÜé€\u{0}\u{7f}\u{202e}-]{0,140}",
        "[0-9+\\-.eE ]{0,20}",
    ]
}

/// Timestamps as servers send them, and near misses.
fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        nasty(),
        (2000i32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60, -14i32..15)
            .prop_map(|(y, mo, d, h, mi, tz)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{tz:+03}:00")),
        Just("2026-11-26T10:00:00Z".to_owned()),
    ]
}

fn from_href(href: &str) -> AuditQuery {
    let pairs = params_of(href);
    AuditQuery::from_params(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn usage_reports_never_panic_and_accepted_ones_keep_the_rules(
        report_id in nasty(),
        observed_at in timestamp(),
        users in prop_oneof![any::<i64>(), -5i64..2_000_000],
        raw_json in nasty(),
    ) {
        // The JSON parser first: any text is an error or a body, never a panic.
        let _ = serde_json::from_str::<UsageBody>(&raw_json);
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
        let body = UsageBody { report_id: report_id.clone(), observed_at, users };
        match body.validate(now) {
            Ok(report) => {
                prop_assert_eq!(&report.report_id, &report_id);
                prop_assert!((1..=MAX_REPORT_ID_LEN).contains(&report.report_id.chars().count()));
                prop_assert!(!report.report_id.chars().any(char::is_control));
                prop_assert!(i64::from(report.users) <= MAX_REPORTED_USERS);
                prop_assert_eq!(i64::from(report.users), users);
                prop_assert!(report.observed_at <= now + CLOCK_SKEW);
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(["report_id", "observed_at", "users"].contains(&p.field.as_str()), "{}", p.field);
                }
            }
        }
    }

    #[test]
    fn customer_forms_never_panic_and_accepted_values_parse_again_to_themselves(
        name in nasty(),
        billed in any::<bool>(),
        contract_end in prop_oneof![nasty(), (2020i32..2040, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"))],
        database_name in prop_oneof![nasty(), "[a-z0-9_]{1,70}"],
        max_users in prop_oneof![nasty(), (0u64..200_000).prop_map(|n| n.to_string())],
        limit in any::<bool>(),
        options in prop::collection::vec(prop_oneof![nasty(), Just("web_access".to_owned())], 0..4),
    ) {
        let form = CustomerForm {
            name, billed, contract_end, database_name, max_users, limit_user_creation: limit, options,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let bookable = vec!["web_access".to_owned(), "sso_agent".to_owned()];
        if let Ok(customer) = form.validate(today, &bookable) {
            prop_assert_eq!(CustomerName::parse(customer.name.as_str()), Ok(customer.name.clone()));
            prop_assert_eq!(DatabaseName::parse(customer.database_name.as_str()), Ok(customer.database_name.clone()));
            prop_assert!(customer.database_name.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            prop_assert_eq!(MaxUsers::parse(&customer.max_users.get().to_string()), Ok(customer.max_users));
            prop_assert!(customer.options.iter().all(|o| bookable.contains(&o.0)));
            prop_assert_eq!(customer.limit_user_creation, limit);
        }
    }

    #[test]
    fn sign_in_input_never_panics_and_user_names_are_normalised(username in nasty(), password in nasty()) {
        if let Ok(name) = Username::parse(&username) {
            let text = name.as_str();
            prop_assert_eq!(text, username.trim().to_lowercase());
            prop_assert_eq!(Username::parse(text), Ok(name.clone()));
            prop_assert!((3..=64).contains(&text.chars().count()));
        }
        if let Ok(accepted) = Password::parse(&password) {
            prop_assert_eq!(accepted.expose(), password.as_str(), "a password is taken exactly as typed");
            prop_assert!((12..=256).contains(&password.chars().count()));
        }
    }

    #[test]
    fn every_accepted_customer_name_survives_a_csv_file_in_both_layouts(name in nasty(), other in nasty()) {
        let Ok(name) = CustomerName::parse(&name) else { return Ok(()) };
        for (format, delimiter) in [(CsvFormat::Comma, b','), (CsvFormat::Spreadsheet, b';')] {
            let mut file = format.file();
            file.record([name.as_str(), other.as_str()]);
            let bytes = file.into_bytes();
            let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
            let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(body);
            let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            prop_assert_eq!(records.len(), 1);
            prop_assert_eq!(&records[0][0], name.as_str());
            prop_assert_eq!(&records[0][1], other.as_str());
        }
    }

    #[test]
    fn our_csv_files_are_byte_for_byte_the_csv_crates(records in prop::collection::vec(prop::collection::vec(nasty(), 1..5), 0..4)) {
        for (format, delimiter) in [(CsvFormat::Comma, b','), (CsvFormat::Spreadsheet, b';')] {
            let mut file = format.file();
            let mut reference = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(Vec::new());
            for record in &records {
                file.record(record);
                reference.write_record(record).unwrap();
            }
            let ours = file.into_bytes();
            let body = ours.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&ours);
            prop_assert_eq!(format == CsvFormat::Spreadsheet, body.len() < ours.len(), "a byte order mark for spreadsheets only");
            let expected = reference.into_inner().unwrap();
            prop_assert_eq!(String::from_utf8_lossy(body), String::from_utf8_lossy(&expected));
        }
    }

    #[test]
    fn any_audit_address_reads_back_the_same_after_it_is_written(
        person in nasty(),
        customer in nasty(),
        action in prop_oneof![nasty(), Just("all-customers".to_owned()), Just("login.failed".to_owned())],
        from in nasty(),
        to in prop_oneof![nasty(), Just("2026-11-30".to_owned())],
        before in nasty(),
    ) {
        let raw = [("person", person), ("customer", customer), ("action", action), ("from", from), ("to", to), ("before", before)];
        let query = AuditQuery::from_params(|key| raw.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
        prop_assert_eq!(from_href(&query.href()), query);
    }
}
