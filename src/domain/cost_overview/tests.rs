use super::*;

fn month(s: &str) -> BillingMonth {
    BillingMonth::parse(s).unwrap()
}

fn option(code: &str) -> BilledOption {
    BilledOption { code: code.to_owned(), name: format!("Option {code}") }
}

fn bill(id: i64, users: u32, options: &[&str]) -> CustomerBill {
    let options_cost = Money::from_cents(100 * options.len() as i64);
    let users_cost = Money::from_cents(250 * i64::from(users));
    CustomerBill {
        customer_id: id,
        name: format!("Customer {id}"),
        database_name: format!("db_{id}"),
        status: CustomerStatus::Active,
        figures: Figures::Final,
        users,
        users_at_start: users,
        users_at_end: users,
        options: options.iter().map(|c| option(c)).collect(),
        users_cost,
        options_cost,
        total: users_cost + options_cost,
        revenue: None,
        not_for_resale: false,
    }
}

fn rows() -> Vec<OverviewRow> {
    let before = vec![bill(1, 10, &["offline", "sso"]), bill(2, 5, &["sso"]), bill(3, 8, &[])];
    let now = vec![
        bill(1, 13, &["offline", "discovery"]), // +3, discovery added, sso removed
        bill(2, 5, &["sso"]),                   // unchanged
        CustomerBill { status: CustomerStatus::Removed, ..bill(3, 6, &[]) }, // -2, removed during the month
        bill(4, 7, &["sso"]),                   // new
    ];
    overview_rows(month("2026-10"), now, &before)
}

#[test]
fn users_change_against_the_month_before() {
    let changes: Vec<String> = rows().iter().map(|r| r.change.label()).collect();
    assert_eq!(changes, ["+3", "—", "−2", "new"]);
    let plain: Vec<String> = rows().iter().map(|r| r.change.plain()).collect();
    assert_eq!(plain, ["+3", "0", "-2", "new"]);
}

#[test]
fn options_added_and_removed_are_named() {
    let first = &rows()[0];
    assert_eq!(first.options_added, vec![option("discovery")]);
    assert_eq!(first.options_removed, vec![option("sso")]);
    assert!(rows()[1].options_added.is_empty() && rows()[1].options_removed.is_empty());
    assert!(rows()[3].options_added.is_empty(), "a new customer is marked new, not as added options");
}

#[test]
fn changes_only_keeps_changed_new_and_no_longer_active_customers() {
    let changed: Vec<i64> = rows().iter().filter(|r| r.has_changes()).map(|r| r.bill.customer_id).collect();
    assert_eq!(changed, [1, 3, 4]);
    let deactivated = overview_rows(
        month("2026-10"),
        vec![CustomerBill { status: CustomerStatus::Deactivated, ..bill(2, 5, &["sso"]) }],
        &[bill(2, 5, &["sso"])],
    );
    assert!(deactivated[0].has_changes(), "deactivated during the month");
}

#[test]
fn totals_add_up_the_rows_shown() {
    let all = rows();
    let t = totals(all.iter().map(|r| &r.bill));
    assert_eq!((t.customers, t.users), (4, 13 + 5 + 6 + 7));
    assert_eq!(t.users_cost, Money::from_cents(250 * 31));
    assert_eq!(t.options_cost, Money::from_cents(100 * 4));
    assert_eq!(t.total, t.users_cost + t.options_cost);
    let changed = totals(all.iter().filter(|r| r.has_changes()).map(|r| &r.bill));
    assert_eq!((changed.customers, changed.users), (3, 13 + 6 + 7));
    assert_eq!(totals([]), Totals::default());
}

#[test]
fn a_bill_splits_its_lines_into_users_and_options() {
    let lines = [
        (LineKind::Users, "", "Users", Money::from_cents(3000)),
        (LineKind::OptionPerUser, "offline", "Offline access", Money::from_cents(750)),
        (LineKind::OptionFlat, "discovery", "Discovery service", Money::from_cents(2500)),
    ];
    let (options, users, opts) = CustomerBill::options_of(lines.iter().map(|(k, c, n, a)| (k, *c, *n, *a)));
    assert_eq!(users, Money::from_cents(3000));
    assert_eq!(opts, Money::from_cents(3250));
    let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Offline access", "Discovery service"]);
}

#[test]
fn a_bill_travels_without_the_resale_flag_unless_it_is_set() {
    let plain = bill(1, 10, &["web_access"]);
    let json = serde_json::to_string(&plain).unwrap();
    assert!(!json.contains("not_for_resale"), "{json}");
    assert_eq!(serde_json::from_str::<CustomerBill>(&json).unwrap(), plain);
    let internal = CustomerBill { not_for_resale: true, ..plain };
    let json = serde_json::to_string(&internal).unwrap();
    assert!(json.contains(r#""not_for_resale":true"#), "{json}");
    assert_eq!(serde_json::from_str::<CustomerBill>(&json).unwrap(), internal);
}
