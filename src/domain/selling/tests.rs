use super::*;
use crate::domain::percent::{DISCOUNT_MAX, MARKUP_MAX};
use proptest::prelude::*;

fn month(raw: &str) -> BillingMonth {
    BillingMonth::parse(raw).unwrap()
}

fn price(raw: &str) -> UnitPrice {
    UnitPrice::parse(raw).unwrap()
}

fn markup(raw: &str) -> Percent {
    Percent::parse(raw, MARKUP_MAX).unwrap()
}

fn discount(raw: &str) -> Percent {
    Percent::parse(raw, DISCOUNT_MAX).unwrap()
}

fn cost_line(kind: LineKind, code: &str, quantity: u64, unit: &str) -> Line {
    let unit_price = price(unit);
    Line {
        kind,
        code: code.to_owned(),
        quantity,
        unit_price,
        amount: Money::line(quantity, unit_price.as_decimal()).unwrap(),
    }
}

/// November 2026: 7 users at 3.00, the offline add-on per user at 0.4167
/// and discovery flat at 25.00.
fn bill() -> MonthBill {
    let lines = vec![
        cost_line(LineKind::Users, "", 7, "3.00"),
        cost_line(LineKind::OptionPerUser, "offline", 7, "0.4167"),
        cost_line(LineKind::OptionFlat, "discovery", 1, "25"),
    ];
    let total = lines.iter().map(|l| l.amount).sum();
    MonthBill {
        month: month("2026-11"),
        billable_days: 30,
        users: 7,
        users_at_start: 7,
        users_at_end: 7,
        options: vec!["discovery".into(), "offline".into()],
        lines,
        total,
    }
}

fn list(effective: &str, per_user: impl Into<Option<SellPrice>>, options: &[(&str, SellPrice)]) -> SellList {
    SellList {
        effective: month(effective),
        per_user: per_user.into(),
        options: options.iter().map(|(c, p)| ((*c).to_owned(), *p)).collect(),
    }
}

fn amounts(sale: &Sale) -> Vec<i64> {
    sale.lines.iter().map(|l| l.amount.cents()).collect()
}

#[test]
fn without_a_sell_list_everything_sells_at_the_vendor_price() {
    let bill = bill();
    let sale = sell(&bill, &[], &[], false).unwrap();
    assert_eq!(sale.total, bill.total);
    assert!(sale.lines.iter().all(|l| l.basis == SellBasis::AtCost));
    assert_eq!(margin(bill.total, sale.total), Margin { amount: Money::ZERO, percent: Some(Share(0)) });
}

#[test]
fn a_markup_rounds_the_unit_price_to_four_decimals_then_each_line_to_cents() {
    // 0.4167 + 20 % = 0.50004 -> 0.5000; 7 x 0.5000 = 3.50.
    // 3.00 + 12.5 % = 3.375; 7 x 3.375 = 23.625 -> 23.63 (half away from zero).
    let lists = [list(
        "2026-01",
        SellPrice::Markup(markup("12.5")),
        &[("offline", SellPrice::Markup(markup("20"))), ("discovery", SellPrice::Price(price("40")))],
    )];
    let sale = sell(&bill(), &lists, &[], false).unwrap();
    assert_eq!(sale.lines[0].unit_price, price("3.375"));
    assert_eq!(sale.lines[1].unit_price, price("0.5"));
    assert_eq!(amounts(&sale), vec![2_363, 350, 4_000]);
    assert_eq!(sale.total.cents(), 2_363 + 350 + 4_000);
    assert_eq!(sale.lines[0].basis, SellBasis::Markup(markup("12.5")));
    assert_eq!(sale.lines[2].basis, SellBasis::ListPrice);
}

#[test]
fn the_sell_line_has_the_cost_lines_quantity() {
    let lists = [list("2026-01", SellPrice::Price(price("4")), &[])];
    let sale = sell(&bill(), &lists, &[], false).unwrap();
    let quantities: Vec<u64> = sale.lines.iter().map(|l| l.quantity).collect();
    assert_eq!(quantities, vec![7, 7, 1]);
}

#[test]
fn an_option_the_list_does_not_name_sells_at_the_vendor_price() {
    let lists = [list("2026-01", SellPrice::Price(price("4")), &[])];
    let sale = sell(&bill(), &lists, &[], false).unwrap();
    assert_eq!(sale.lines[1].unit_price, price("0.4167"));
    assert_eq!(sale.lines[1].basis, SellBasis::AtCost);
}

#[test]
fn the_sell_list_in_force_is_the_newest_effective_by_the_month() {
    let lists = [
        list("2026-01", SellPrice::Price(price("4")), &[]),
        list("2026-11", SellPrice::Price(price("5")), &[]),
        list("2026-12", SellPrice::Price(price("6")), &[]),
    ];
    assert_eq!(sell(&bill(), &lists, &[], false).unwrap().lines[0].unit_price, price("5"));
    let mut october = bill();
    october.month = month("2026-10");
    assert_eq!(sell(&october, &lists, &[], false).unwrap().lines[0].unit_price, price("4"));
}

#[test]
fn a_customers_fixed_price_and_discount_apply_from_their_month() {
    let lists = [list("2026-01", SellPrice::Price(price("4")), &[("discovery", SellPrice::Price(price("40")))])];
    let pricing = CustomerPricing {
        effective: month("2026-11"),
        discount: discount("10"),
        per_user: Some(price("3.5")),
        options: BTreeMap::new(),
    };
    let sale = sell(&bill(), &lists, std::slice::from_ref(&pricing), false).unwrap();
    assert_eq!(sale.lines[0].basis, SellBasis::Fixed);
    assert_eq!(sale.lines[0].amount.cents(), 2_450);
    // The discount comes off the list's price: 40 - 10 % = 36.
    assert_eq!(sale.lines[2].unit_price, price("36"));
    assert_eq!(sale.lines[2].basis, SellBasis::Discount(discount("10")));
    // 0.4167 (at cost) - 10 % = 0.37503 -> 0.375; 7 x 0.375 = 2.625 -> 2.63.
    assert_eq!(sale.lines[1].amount.cents(), 263);

    let mut october = bill();
    october.month = month("2026-10");
    let before = sell(&october, &lists, &[pricing], false).unwrap();
    assert_eq!(before.lines[0].unit_price, price("4"));
    assert_eq!(before.lines[0].basis, SellBasis::ListPrice);
}

#[test]
fn a_later_pricing_of_list_prices_ends_a_customers_discount() {
    let lists = [list("2026-01", SellPrice::Price(price("4")), &[])];
    let pricings = [
        CustomerPricing { discount: discount("50"), ..CustomerPricing::list_prices(month("2026-06")) },
        CustomerPricing::list_prices(month("2026-11")),
    ];
    assert!(pricings[1].is_list_prices());
    let sale = sell(&bill(), &lists, &pricings, false).unwrap();
    assert_eq!(sale.lines[0].amount.cents(), 2_800);
    assert_eq!(sale.lines[0].basis, SellBasis::ListPrice);
}

#[test]
fn a_customer_not_for_resale_has_cost_and_no_revenue() {
    let lists = [list("2026-01", SellPrice::Markup(markup("30")), &[])];
    let bill = bill();
    let sale = sell(&bill, &lists, &[], true).unwrap();
    assert!(sale.not_for_resale);
    assert!(sale.lines.is_empty());
    assert_eq!(sale.total, Money::ZERO);
    let m = margin(bill.total, sale.total);
    assert_eq!(m.amount.cents(), -bill.total.cents());
    assert_eq!(m.percent, None);
}

#[test]
fn margin_is_revenue_less_cost_and_its_share_of_the_revenue() {
    let m = margin(Money::from_cents(7_500), Money::from_cents(10_000));
    assert_eq!(m, Margin { amount: Money::from_cents(2_500), percent: Some(Share(250)) });
    // 1 / 3 = 33.333… -> 33.3; 2 / 3 -> 66.7; a loss is negative.
    assert_eq!(Share(-33).to_string(), "-3.3");
    assert_eq!(Share(5).to_string(), "0.5");
    assert_eq!(margin(Money::from_cents(200), Money::from_cents(300)).percent, Some(Share(333)));
    assert_eq!(margin(Money::from_cents(100), Money::from_cents(300)).percent, Some(Share(667)));
    let loss = margin(Money::from_cents(12_000), Money::from_cents(10_000));
    assert_eq!(loss.amount.cents(), -2_000);
    assert_eq!(loss.percent, Some(Share(-200)));
    // Half a tenth rounds away from zero: 1 / 8 = 12.5 %, 1 / 16 = 6.25 % -> 6.3, -6.25 -> -6.3.
    assert_eq!(margin(Money::from_cents(1_500), Money::from_cents(1_600)).percent, Some(Share(63)));
    assert_eq!(margin(Money::from_cents(1_700), Money::from_cents(1_600)).percent, Some(Share(-63)));
}

#[test]
fn the_basis_is_stored_and_read_back() {
    for basis in [
        SellBasis::AtCost,
        SellBasis::ListPrice,
        SellBasis::Fixed,
        SellBasis::Markup(markup("12.5")),
        SellBasis::Discount(discount("100")),
    ] {
        assert_eq!(SellBasis::parse(&basis.stored()), Some(basis));
    }
    assert_eq!(SellBasis::parse("discount:10001"), None);
    assert_eq!(SellBasis::parse("markup:x"), None);
    assert_eq!(SellBasis::parse("gift"), None);
}

proptest! {
    /// A markup line against a model in integer arithmetic: the unit price
    /// in ten-thousandths (rounded half up, all values positive), then the
    /// line in cents.
    #[test]
    fn markup_lines_match_an_integer_model(quantity in 0u64..100_000, e4 in 0i64..1_000_000, bp in 0i64..100_000) {
        let vendor = UnitPrice::from_e4(e4).unwrap();
        let line = Line { kind: LineKind::Users, code: String::new(), quantity, unit_price: vendor,
            amount: Money::line(quantity, vendor.as_decimal()).unwrap() };
        let bill = MonthBill { lines: vec![line], ..bill() };
        let lists = [list("2026-01", SellPrice::Markup(Percent::from_bp(bp, MARKUP_MAX).unwrap()), &[])];
        let sale = sell(&bill, &lists, &[], false).unwrap();
        // e4 x (10,000 + bp) / 10,000, rounded half up.
        let unit = (i128::from(e4) * i128::from(10_000 + bp) + 5_000) / 10_000;
        let cents = (i128::from(quantity) * unit + 50) / 100;
        prop_assert_eq!(i128::from(sale.lines[0].unit_price.e4()), unit);
        prop_assert_eq!(i128::from(sale.total.cents()), cents);
    }

    /// The revenue is the sum of the rounded sell lines, whatever the prices.
    #[test]
    fn revenue_is_the_sum_of_its_lines(bp in 0i64..100_000, d in 0i64..10_000, fixed in proptest::option::of(0i64..1_000_000)) {
        let lists = [list("2026-01", SellPrice::Markup(Percent::from_bp(bp, MARKUP_MAX).unwrap()), &[])];
        let pricing = CustomerPricing {
            effective: month("2026-01"),
            discount: Percent::from_bp(d, DISCOUNT_MAX).unwrap(),
            per_user: fixed.map(|e4| UnitPrice::from_e4(e4).unwrap()),
            options: BTreeMap::new(),
        };
        let sale = sell(&bill(), &lists, std::slice::from_ref(&pricing), false).unwrap();
        prop_assert_eq!(sale.total, sale.lines.iter().map(|l| l.amount).sum::<Money>());
        prop_assert_eq!(sale.lines.len(), 3);
        // The overview's total without lines is the same, with or without
        // the list and the pricing, and nothing for a customer not for resale.
        prop_assert_eq!(sell_total(&bill(), &lists, std::slice::from_ref(&pricing), false).unwrap(), sale.total);
        prop_assert_eq!(sell_total(&bill(), &[], std::slice::from_ref(&pricing), false).unwrap(), sell(&bill(), &[], &[pricing], false).unwrap().total);
        prop_assert_eq!(sell_total(&bill(), &lists, &[], false).unwrap(), sell(&bill(), &lists, &[], false).unwrap().total);
        prop_assert_eq!(sell_total(&bill(), &lists, &[], true).unwrap(), Money::ZERO);
    }
}
