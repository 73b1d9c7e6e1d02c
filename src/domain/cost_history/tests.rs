use super::*;
use crate::domain::billing::{bill_month, forecast, CustomerFacts, HistoryPoint, MonthBill, OptionPrice, PriceList};
use crate::domain::UnitPrice;
use chrono::NaiveDateTime;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(h, 0, 0).unwrap()
}

fn month(s: &str) -> BillingMonth {
    BillingMonth::parse(s).unwrap()
}

fn prices() -> Vec<PriceList> {
    vec![PriceList {
        effective: month("2020-01"),
        per_user: UnitPrice::parse("2.35").unwrap(),
        options: BTreeMap::from([
            ("offline".to_owned(), OptionPrice::PerUser(UnitPrice::parse("0.125").unwrap())),
            ("discovery".to_owned(), OptionPrice::Flat(UnitPrice::parse("30.00").unwrap())),
        ]),
    }]
}

/// A billed customer's state from `at` on.
fn state(at: NaiveDateTime, active: bool, options: &[&str]) -> HistoryPoint {
    HistoryPoint { at, billed: true, active, options: options.iter().map(|o| (*o).to_owned()).collect() }
}

/// Billed since mid-January 2026 with both options, deactivated for April,
/// users growing from 7 to 41 with gaps between reports.
fn facts() -> CustomerFacts {
    CustomerFacts {
        history: vec![
            state(at(2026, 1, 14, 10), true, &["offline"]),
            state(at(2026, 2, 10, 12), true, &[]),
            state(at(2026, 3, 3, 9), true, &["discovery"]),
            state(at(2026, 3, 31, 23), false, &["discovery"]),
            state(at(2026, 5, 2, 8), true, &["discovery"]),
        ],
        daily_users: BTreeMap::from([
            (day(2026, 1, 14), 7),
            (day(2026, 2, 3), 19),
            (day(2026, 2, 20), 13),
            (day(2026, 5, 9), 33),
            (day(2026, 6, 2), 41),
        ]),
    }
}

fn month_of(bill: &MonthBill, figures: Figures) -> CostMonth {
    CostMonth::from_bill(
        bill.month,
        figures,
        bill.users,
        50,
        bill.lines.iter().map(|l| (&l.kind, l.amount)),
        bill.total,
    )
}

#[test]
fn a_month_shows_the_engines_users_and_total_and_splits_its_lines() {
    for m in ["2026-01", "2026-02", "2026-03", "2026-05"] {
        let bill = bill_month(&facts(), month(m), &prices()).unwrap().unwrap();
        let shown = month_of(&bill, Figures::Final);
        assert_eq!(shown.users, bill.users, "{m}");
        assert_eq!(shown.total, bill.total, "{m}");
        let users_line: Money = bill.lines.iter().filter(|l| l.kind == LineKind::Users).map(|l| l.amount).sum();
        assert_eq!(shown.users_cost, users_line, "{m}");
        assert_eq!(shown.users_cost + shown.options_cost, bill.total, "{m}: the parts add up to the total");
    }
}

#[test]
fn the_split_follows_the_option_lines() {
    // February: offline (per user) booked until the 10th, 19 users.
    let feb = month_of(&bill_month(&facts(), month("2026-02"), &prices()).unwrap().unwrap(), Figures::Final);
    assert_eq!(feb.users, 19);
    assert_eq!(feb.users_cost, Money::from_cents(4465)); // 19 x 2.35
    assert_eq!(feb.options_cost, Money::from_cents(238)); // 19 x 0.125 = 2.375 -> 2.38
                                                          // March: discovery (flat) from the 3rd.
    let march = month_of(&bill_month(&facts(), month("2026-03"), &prices()).unwrap().unwrap(), Figures::Final);
    assert_eq!(march.options_cost, Money::from_cents(3000));
}

#[test]
fn a_month_without_a_billable_day_has_no_bill_and_shows_nothing() {
    assert_eq!(bill_month(&facts(), month("2026-04"), &prices()).unwrap(), None);
    let april = CostMonth::not_billed(month("2026-04"), 50);
    assert_eq!((april.users, april.total, april.figures), (0, Money::ZERO, Figures::NotBilled));
}

#[test]
fn the_forecast_month_shows_the_engines_forecast() {
    let today = day(2026, 6, 12);
    let bill = forecast(&facts(), today, 44, &prices()).unwrap().unwrap();
    let shown = month_of(&bill, Figures::Forecast);
    assert_eq!(shown.users, 44, "the current count stands for the rest of the month");
    assert_eq!(shown.total, bill.total);
    assert_eq!(shown.users_cost + shown.options_cost, shown.total);
}

#[test]
fn the_daily_curve_carries_counts_forward_like_billing() {
    let curve = daily_curve(&facts().daily_users, month("2026-02"), day(2026, 2, 28));
    assert_eq!(curve.len(), 28);
    assert_eq!(curve[0], DayUsers { day: day(2026, 2, 1), users: 7, reported: false }, "from January");
    assert_eq!(curve[2], DayUsers { day: day(2026, 2, 3), users: 19, reported: true });
    assert_eq!(curve[19].users, 13);
    for d in &curve {
        assert_eq!(d.users, users_on(&facts().daily_users, d.day));
    }
    // The month's billed users are the curve's peak (all of February was billable).
    let peak = curve.iter().map(|d| d.users).max().unwrap();
    assert_eq!(peak, bill_month(&facts(), month("2026-02"), &prices()).unwrap().unwrap().users);
}

#[test]
fn the_daily_curve_stops_today() {
    let curve = daily_curve(&facts().daily_users, month("2026-06"), day(2026, 6, 12));
    assert_eq!(curve.len(), 12);
    assert_eq!(curve.last().unwrap().users, 41);
    assert!(daily_curve(&BTreeMap::new(), month("2026-06"), day(2026, 6, 1)).iter().all(|d| d.users == 0));
}

#[test]
fn a_window_ends_with_its_last_month() {
    let months = window(month("2026-02"), 12);
    assert_eq!(months.len(), 12);
    assert_eq!(months[0], month("2025-03"));
    assert_eq!(months[11], month("2026-02"));
}

#[test]
fn the_history_starts_with_the_first_bill() {
    let m = |s: &str, billed: bool| {
        if billed {
            CostMonth { figures: Figures::Final, ..CostMonth::not_billed(month(s), 5) }
        } else {
            CostMonth::not_billed(month(s), 5)
        }
    };
    let shown = from_first_bill(vec![m("2026-01", false), m("2026-02", true), m("2026-03", false), m("2026-04", true)]);
    let months: Vec<String> = shown.iter().map(|m| m.month.to_string()).collect();
    assert_eq!(months, ["2026-02", "2026-03", "2026-04"], "gaps after the first bill stay");
    assert!(from_first_bill(vec![m("2026-01", false)]).is_empty());
}
