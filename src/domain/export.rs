//! The cost overview as a CSV file, written in the browser: exactly the
//! rows given, a header row, UTF-8, RFC 4180 quoting ([`CsvFile`]), and
//! the column set documented in the README ("Cost overview CSV").

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use super::cost_overview::{BilledOption, OverviewRow};
use super::{BillingMonth, Money};

/// The two layouts a user may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CsvFormat {
    /// `,` between fields, `.` before the cents: for programs.
    Comma,
    /// `;` between fields, `,` before the cents, and a byte order mark so
    /// spreadsheet programs set to German read UTF-8 as such.
    Spreadsheet,
}

impl CsvFormat {
    /// The layout offered first: German readers' spreadsheets take `;` and
    /// decimal commas, everyone else's programs `,` and points.
    pub fn first_for(language: super::locale::Language) -> Self {
        match language {
            super::locale::Language::German => CsvFormat::Spreadsheet,
            super::locale::Language::English => CsvFormat::Comma,
        }
    }

    fn delimiter(self) -> char {
        match self {
            CsvFormat::Comma => ',',
            CsvFormat::Spreadsheet => ';',
        }
    }

    /// An empty file in this layout: for spreadsheets, the byte order mark
    /// already written.
    pub fn file(self) -> CsvFile {
        let out = if self == CsvFormat::Spreadsheet { "\u{feff}".to_owned() } else { String::new() };
        CsvFile { out, delimiter: self.delimiter() }
    }

    fn decimal_mark(self) -> char {
        match self {
            CsvFormat::Comma => '.',
            CsvFormat::Spreadsheet => ',',
        }
    }
}

/// A CSV file being written into memory, as RFC 4180 has it: records end
/// with CRLF; a field is quoted when it holds the delimiter, a quote, CR or
/// LF (a quote inside doubled), and so is a record's only field when it is
/// empty, which would otherwise be an empty line. The same bytes as the
/// `csv` crate's writer (a test compares them), without that crate in the
/// browser: its number check brings float parsing and its tables, which
/// WebAssembly keeps in the first download whichever part uses them.
pub struct CsvFile {
    out: String,
    delimiter: char,
}

impl CsvFile {
    pub fn record<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) {
        let mut count = 0;
        let mut last_empty = false;
        for field in fields {
            let field = field.as_ref();
            if count > 0 {
                self.out.push(self.delimiter);
            }
            if field.contains([self.delimiter, '"', '\r', '\n']) {
                self.out.push('"');
                self.out.push_str(&field.replace('"', "\"\""));
                self.out.push('"');
            } else {
                self.out.push_str(field);
            }
            count += 1;
            last_empty = field.is_empty();
        }
        if count == 1 && last_empty {
            self.out.push_str("\"\"");
        }
        self.out.push_str("\r\n");
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

pub const COLUMNS: [&str; 22] = [
    "month",
    "customer_id",
    "customer",
    "database_name",
    "status",
    "billed_users",
    "change",
    "users_at_month_start",
    "users_at_month_end",
    "options",
    "options_added",
    "options_removed",
    "users_cost",
    "options_cost",
    "total",
    "currency",
    "figures",
    "option_codes",
    "revenue",
    "margin",
    "margin_percent",
    "not_for_resale",
];

/// A text cell as written to a CSV file. A spreadsheet program reads a cell
/// that starts with `=`, `+`, `-` or `@` (or their full-width forms), or
/// with a tab, carriage return or line feed, as a formula, also after
/// leading spaces; such a cell gets a leading `'` (OWASP's advice on CSV
/// injection), which the program shows as plain text. Only text columns go
/// through here: amounts and counts stay numbers.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    const STARTS: [char; 11] = ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];
    let first = text.trim_start_matches([' ', '\u{a0}', '\u{3000}']).chars().next();
    let raw_first = text.chars().next();
    if first.is_some_and(|c| STARTS.contains(&c)) || raw_first.is_some_and(|c| STARTS.contains(&c)) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// "cost-overview-2026-10.csv".
pub fn file_name(month: BillingMonth) -> String {
    format!("cost-overview-{month}.csv")
}

/// An amount with exactly two decimals and no grouping: "1234.50", "-0.05".
pub fn amount(money: Money, mark: char) -> String {
    let cents = money.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}{mark}{:02}", abs / 100, abs % 100)
}

/// A margin percentage with one decimal: "25.0", "-3.3" / "25,0".
fn percent(value: super::selling::Share, mark: char) -> String {
    value.to_string().replace('.', &mark.to_string())
}

fn names(options: &[BilledOption]) -> String {
    options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// The file's bytes.
pub fn write(rows: &[&OverviewRow], currency: &str, format: CsvFormat) -> Vec<u8> {
    let mut file = format.file();
    let mark = format.decimal_mark();
    file.record(COLUMNS);
    for row in rows {
        let b = &row.bill;
        let codes = b.options.iter().map(|o| o.code.as_str()).collect::<Vec<_>>().join(" ");
        let text = |t: &str| text_cell(t).into_owned();
        let margin = b.margin();
        file.record([
            row.month.to_string(),
            b.customer_id.to_string(),
            text(&b.name),
            text(&b.database_name),
            text(b.status.as_str()),
            b.users.to_string(),
            row.change.plain(),
            b.users_at_start.to_string(),
            b.users_at_end.to_string(),
            text(&names(&b.options)),
            text(&names(&row.options_added)),
            text(&names(&row.options_removed)),
            amount(b.users_cost, mark),
            amount(b.options_cost, mark),
            amount(b.total, mark),
            text(currency),
            text(b.figures.label()),
            text(&codes),
            b.revenue.map(|r| amount(r, mark)).unwrap_or_default(),
            margin.map(|m| amount(m.amount, mark)).unwrap_or_default(),
            margin.and_then(|m| m.percent).map(|p| percent(p, mark)).unwrap_or_default(),
            b.not_for_resale.to_string(),
        ]);
    }
    file.into_bytes()
}

#[cfg(test)]
mod tests;
