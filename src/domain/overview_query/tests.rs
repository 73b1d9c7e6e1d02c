use super::*;
use crate::domain::cost_history::Figures;
use crate::domain::cost_overview::{overview_rows, CustomerBill};
use crate::domain::Money;

fn bill(id: i64, name: &str, users: u32, status: CustomerStatus) -> CustomerBill {
    let users_cost = Money::from_cents(300 * i64::from(users));
    CustomerBill {
        customer_id: id,
        name: name.to_owned(),
        database_name: format!("db_{id}"),
        status,
        figures: Figures::Final,
        users,
        users_at_start: users,
        users_at_end: users,
        options: Vec::new(),
        users_cost,
        options_cost: Money::from_cents(0),
        total: users_cost,
        revenue: None,
        not_for_resale: false,
    }
}

/// By name, as the server sends them: Acme (+2), Bäckerei (new),
/// Globex (unchanged, deactivated), Müller (−4), Zeta (unchanged).
fn rows() -> Vec<OverviewRow> {
    let before = [
        bill(1, "Acme", 10, CustomerStatus::Active),
        bill(3, "Globex", 7, CustomerStatus::Active),
        bill(4, "Müller", 20, CustomerStatus::Active),
        bill(5, "Zeta", 7, CustomerStatus::Active),
    ];
    let now = vec![
        bill(1, "Acme", 12, CustomerStatus::Active),
        bill(2, "Bäckerei", 3, CustomerStatus::Active),
        bill(3, "Globex", 7, CustomerStatus::Deactivated),
        bill(4, "Müller", 16, CustomerStatus::Active),
        bill(5, "Zeta", 7, CustomerStatus::Active),
    ];
    overview_rows(BillingMonth::parse("2026-10").unwrap(), now, &before)
}

fn names(query: &OverviewQuery) -> Vec<String> {
    let rows = rows();
    query.apply(&rows).into_iter().map(|i| rows[i].bill.name.clone()).collect()
}

fn query(params: &[(&str, &str)]) -> OverviewQuery {
    OverviewQuery::from_params(|key| params.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned()))
}

#[test]
fn the_address_round_trips_every_setting() {
    let q = query(&[
        ("month", "2026-09"),
        ("q", "müller & co"),
        ("status", "deactivated"),
        ("changes", "1"),
        ("sort", "total"),
        ("dir", "desc"),
        ("page", "3"),
        ("range", "24"),
    ]);
    assert_eq!(q.month, BillingMonth::parse("2026-09").ok());
    assert_eq!(q.search, "müller & co");
    assert_eq!(q.status, Some(CustomerStatus::Deactivated));
    assert!(q.changes_only && q.descending);
    assert_eq!((q.sort, q.page, q.range), (OverviewSort::Total, 3, 24));
    let href = q.href();
    assert_eq!(
        href,
        "/costs?month=2026-09&q=m%C3%BCller%20%26%20co&status=deactivated&changes=1&sort=total&dir=desc&page=3&range=24"
    );
    assert_eq!(OverviewQuery::default().href(), "/costs");
}

#[test]
fn unknown_values_fall_back_to_the_defaults() {
    let q = query(&[("month", "2026-13"), ("status", "gone"), ("sort", "x"), ("page", "0"), ("range", "7")]);
    assert_eq!(q, OverviewQuery::default());
}

#[test]
fn filters_by_name_or_database_status_and_changes() {
    assert_eq!(names(&query(&[("q", "MÜL")])), ["Müller"]);
    assert_eq!(names(&query(&[("q", "db_5")])), ["Zeta"]);
    assert_eq!(names(&query(&[("status", "deactivated")])), ["Globex"]);
    // Unchanged Zeta drops out; deactivated Globex stays (no longer active).
    assert_eq!(names(&query(&[("changes", "1")])), ["Acme", "Bäckerei", "Globex", "Müller"]);
    assert!(names(&query(&[("q", "nobody")])).is_empty());
}

#[test]
fn sorts_by_each_column_with_ties_in_name_order() {
    assert_eq!(names(&query(&[("dir", "desc")])), ["Zeta", "Müller", "Globex", "Bäckerei", "Acme"]);
    assert_eq!(names(&query(&[("sort", "users")])), ["Bäckerei", "Globex", "Zeta", "Acme", "Müller"]);
    assert_eq!(names(&query(&[("sort", "total"), ("dir", "desc")])), ["Müller", "Acme", "Globex", "Zeta", "Bäckerei"]);
    // Fewest users first, new customers last.
    assert_eq!(names(&query(&[("sort", "change")])), ["Müller", "Globex", "Zeta", "Acme", "Bäckerei"]);
    assert_eq!(names(&query(&[("sort", "status")])), ["Acme", "Bäckerei", "Müller", "Zeta", "Globex"]);
}

#[test]
fn sorting_or_changing_the_month_goes_back_to_the_first_page() {
    let q = query(&[("page", "4"), ("sort", "users")]);
    assert!(q.sorted_by(OverviewSort::Users).descending);
    assert_eq!(q.sorted_by(OverviewSort::Users).page, 1);
    assert!(!q.sorted_by(OverviewSort::Total).descending);
    assert_eq!(q.with_month(None).page, 1);
    assert_eq!(q.page_of(120), 3);
    assert_eq!(q.page_of(0), 1);
    assert_eq!(page_count(101), 3);
}

#[test]
fn negative_margin_keeps_only_rows_that_lose_money_and_margin_sorts() {
    let mut rows = rows();
    // Acme sells at a profit, Bäckerei at a loss, Globex was closed before
    // selling (no revenue), Müller at cost, Zeta is for internal use.
    let revenue = [Some(5_000), Some(100), None, Some(4_800), Some(0)];
    for (row, cents) in rows.iter_mut().zip(revenue) {
        row.bill.revenue = cents.map(Money::from_cents);
    }
    rows[4].bill.not_for_resale = true;
    let names =
        |q: &OverviewQuery| -> Vec<String> { q.apply(&rows).into_iter().map(|i| rows[i].bill.name.clone()).collect() };
    let negative = query(&[("margin", "negative")]);
    assert!(negative.filtered());
    assert_eq!(negative.href(), "/costs?margin=negative");
    assert_eq!(names(&negative), ["Bäckerei", "Zeta"]);
    // Unknown margins first, then from the largest loss up.
    assert_eq!(names(&query(&[("sort", "margin")])), ["Globex", "Zeta", "Bäckerei", "Müller", "Acme"]);
    assert_eq!(
        names(&query(&[("sort", "revenue"), ("dir", "desc")])),
        ["Acme", "Müller", "Bäckerei", "Zeta", "Globex"]
    );
}
