//! What a customer list shows: tab, search, sort and page, as kept in the
//! page's URL (`/customers?tab=billed&q=acme&sort=contract_end&dir=desc&page=2`).

use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 50;
pub const SEARCH_MAX_CHARS: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListTab {
    Test,
    #[default]
    Billed,
    Deactivated,
}

impl ListTab {
    pub const ALL: [ListTab; 3] = [ListTab::Test, ListTab::Billed, ListTab::Deactivated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Billed => "billed",
            Self::Deactivated => "deactivated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Test => "Test",
            Self::Billed => "Billed",
            Self::Deactivated => "Deactivated",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Users,
    ContractEnd,
    Options,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Name, SortKey::Users, SortKey::ContractEnd, SortKey::Options];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Users => "users",
            Self::ContractEnd => "contract_end",
            Self::Options => "options",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListQuery {
    pub tab: ListTab,
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { tab: ListTab::default(), search: String::new(), sort: SortKey::default(), descending: false, page: 1 }
    }
}

impl ListQuery {
    /// Reads the URL's query parameters; anything unknown falls back to the
    /// default (Billed tab, by name, first page).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let search = address_text(get("q"), SEARCH_MAX_CHARS);
        Self {
            tab: get("tab").as_deref().and_then(ListTab::parse).unwrap_or_default(),
            search,
            sort: get("sort").as_deref().and_then(SortKey::parse).unwrap_or_default(),
            descending: get("dir").as_deref() == Some("desc"),
            page: get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// The server's check of a query it is sent: the search's length.
    pub fn check(&self) -> Result<(), super::FieldMessage> {
        super::validation::filter_text("q", &self.search, SEARCH_MAX_CHARS)
    }

    /// The URL of this list, e.g. `/customers?tab=test&q=acme`; defaults are left out.
    pub fn href(&self) -> String {
        let mut parts = vec![format!("tab={}", self.tab.as_str())];
        if !self.search.is_empty() {
            parts.push(format!("q={}", encode(&self.search)));
        }
        if self.sort != SortKey::Name {
            parts.push(format!("sort={}", self.sort.as_str()));
        }
        if self.descending {
            parts.push("dir=desc".to_owned());
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        format!("/customers?{}", parts.join("&"))
    }

    pub fn with_tab(&self, tab: ListTab) -> Self {
        Self { tab, page: 1, ..self.clone() }
    }

    pub fn with_page(&self, page: u32) -> Self {
        Self { page: page.max(1), ..self.clone() }
    }

    /// Sorting by a column: first ascending, a second click descending.
    pub fn sorted_by(&self, sort: SortKey) -> Self {
        let descending = self.sort == sort && !self.descending;
        Self { sort, descending, page: 1, ..self.clone() }
    }

    /// The search text as a SQL `LIKE` pattern on the lower-cased name,
    /// with `\` escaping `%`, `_` and itself.
    pub fn like_pattern(&self) -> String {
        like_pattern(&self.search)
    }
}

/// A search text as a SQL `LIKE` pattern on the lower-cased name, with `\`
/// escaping `%`, `_` and itself.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A text from the address (a search, a filter): trimmed and cut to `max`
/// characters, then trimmed again, so that the address written from it
/// reads back as the same text.
pub(crate) fn address_text(raw: Option<String>, max: usize) -> String {
    let cut: String = raw.unwrap_or_default().trim().chars().take(max).collect();
    cut.trim_end().to_owned()
}

pub(crate) fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Undoes [`encode`].
#[cfg(test)]
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("the address holds UTF-8")
}

/// The parameters of an address written by a query's `href`, decoded.
#[cfg(test)]
pub(crate) fn params_of(href: &str) -> Vec<(String, String)> {
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
    query.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_owned(), decode(v))).collect()
}

/// Number of pages for `total` rows (at least one, so that an empty list has
/// a page 1).
pub fn page_count(total: u64) -> u32 {
    (total.div_ceil(u64::from(PAGE_SIZE))).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ListQuery::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn the_url_round_trips() {
        let q =
            query(&[("tab", "test"), ("q", "Müller & Co"), ("sort", "contract_end"), ("dir", "desc"), ("page", "3")]);
        assert_eq!(q.tab, ListTab::Test);
        assert_eq!(q.sort, SortKey::ContractEnd);
        assert!(q.descending);
        assert_eq!(q.page, 3);
        assert_eq!(q.href(), "/customers?tab=test&q=M%C3%BCller%20%26%20Co&sort=contract_end&dir=desc&page=3");
    }

    #[test]
    fn unknown_values_fall_back_to_the_defaults() {
        let q = query(&[("tab", "x"), ("sort", "'; DROP TABLE"), ("page", "0")]);
        assert_eq!(q, ListQuery { page: 1, ..ListQuery::default() });
        assert_eq!(q.href(), "/customers?tab=billed");
    }

    #[test]
    fn a_second_click_on_a_column_sorts_descending_and_goes_to_page_one() {
        let q = ListQuery { page: 4, ..ListQuery::default() };
        let once = q.sorted_by(SortKey::Users);
        assert_eq!((once.sort, once.descending, once.page), (SortKey::Users, false, 1));
        assert!(once.sorted_by(SortKey::Users).descending);
        assert!(!once.sorted_by(SortKey::Name).descending);
    }

    #[test]
    fn search_wildcards_are_escaped() {
        let q = ListQuery { search: "50%_A\\b".into(), ..ListQuery::default() };
        assert_eq!(q.like_pattern(), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn pages_are_counted_in_fifties() {
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(50), 1);
        assert_eq!(page_count(51), 2);
        assert_eq!(page_count(10_000), 200);
    }
}
