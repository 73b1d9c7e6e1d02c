//! Sell prices against a real database: the close freezes what each
//! customer was sold, the cost overview and the forecast show revenue and
//! margin, and every change is checked and audited.

use chrono::{DateTime, Utc};

use super::billing::{
    close_month, customer_pricing_page, facts_for_month, forecast_of, rule_lists, save_customer_pricing,
    save_sell_list, statement_of_customer, Seller,
};
use super::billing_tests::{billed_customer, last_month_at, report, this_month};
use super::cost_overview::{cost_overview, BillCache};
use super::customers;
use super::db::testing::{self, TestDb};
use super::db::Time;
use crate::domain::audit_log::FieldChange;
use crate::domain::billing::bill_month;
use crate::domain::message::Message;
use crate::domain::sell_forms::{CustomerPricingForm, SellListForm, SellPriceForm};
use crate::domain::selling::SellBasis;
use crate::domain::{BillingMonth, FieldMessage, Money};
use crate::error::AppError;

fn item(code: &str, method: &str, value: &str) -> SellPriceForm {
    SellPriceForm { code: code.into(), method: method.into(), value: value.into() }
}

/// Users at 25 % over the vendor's 3.00, discovery at 40.00, web access at
/// the vendor's 0.50.
fn sell_list(month: BillingMonth) -> SellListForm {
    SellListForm {
        effective_month: month.to_string(),
        items: vec![item("", "markup", "25"), item("discovery", "price", "40"), item("web_access", "vendor", "")],
    }
}

/// Saves as if it were `at` (a list may start in the month of its saving).
async fn save_list(t: &TestDb, form: &SellListForm, at: DateTime<Utc>) {
    save_sell_list(&t.db, "ada", form, at).await.unwrap();
}

fn revenue_cents(statement: &crate::views::billing::Statement) -> Vec<i64> {
    statement.sale.as_ref().unwrap().lines.iter().map(|l| l.amount.cents()).collect()
}

#[tokio::test]
async fn closing_a_month_freezes_what_each_customer_was_sold() {
    let t = testing::fresh().await;
    let last = this_month().previous();
    let listed = billed_customer(&t, "Acme").await;
    let discounted = billed_customer(&t, "Bäckerei").await;
    let internal = billed_customer(&t, "Internal IT").await;
    save_list(&t, &sell_list(last), last_month_at(1)).await;
    let pricing = CustomerPricingForm { effective_month: last.to_string(), discount: "10".into(), fixed: Vec::new() };
    save_customer_pricing(&t.db, "otto", discounted, &pricing, last_month_at(1)).await.unwrap();
    let version = customers::get(&t.db, internal, last_month_at(1).date_naive()).await.unwrap().version;
    customers::set_not_for_resale(&t.db, "otto", internal, version, true, last_month_at(1)).await.unwrap();

    close_month(&t.db, "ada", last, Utc::now()).await.unwrap();

    // 30 users: users 3.75 (3.00 + 25 %), discovery 40.00, web access 0.50.
    let acme = statement_of_customer(&t.db, listed, last).await.unwrap();
    assert_eq!(acme.total, Money::from_cents(13_000), "the cost stays the vendor's");
    assert_eq!(revenue_cents(&acme), [11_250, 4_000, 1_500]);
    let sale = acme.sale.clone().unwrap();
    assert_eq!(sale.total, Money::from_cents(16_750));
    let bases: Vec<SellBasis> = sale.lines.iter().map(|l| l.basis).collect();
    assert!(matches!(bases[..], [SellBasis::Markup(_), SellBasis::ListPrice, SellBasis::AtCost]));
    assert_eq!(acme.margin().unwrap().amount, Money::from_cents(3_750));

    // 10 % off each: 3.375 x 30 = 101.25, 36.00, 0.45 x 30 = 13.50.
    let bakery = statement_of_customer(&t.db, discounted, last).await.unwrap();
    assert_eq!(revenue_cents(&bakery), [10_125, 3_600, 1_350]);

    let it = statement_of_customer(&t.db, internal, last).await.unwrap();
    let sale = it.sale.clone().unwrap();
    assert!(sale.not_for_resale && sale.lines.is_empty());
    assert_eq!(sale.total, Money::ZERO);
    assert_eq!(it.margin().unwrap().amount, Money::from_cents(-13_000));

    // A later list changes nothing frozen, and the database refuses to.
    let mut cheaper = sell_list(this_month());
    cheaper.items[0] = item("", "price", "1");
    save_list(&t, &cheaper, Utc::now()).await;
    assert_eq!(statement_of_customer(&t.db, listed, last).await.unwrap(), acme);
    for sql in [
        "UPDATE statement_sales SET total_cents = 1",
        "DELETE FROM statement_sales",
        "UPDATE statement_sell_lines SET amount_cents = 1",
        "DELETE FROM statement_sell_lines",
    ] {
        assert!(sqlx::query(sql).execute(&t.db).await.is_err(), "{sql} must be refused");
    }
}

#[tokio::test]
async fn the_overview_and_the_forecast_show_revenue_and_margin() {
    let t = testing::fresh().await;
    let last = this_month().previous();
    let id = billed_customer(&t, "Acme").await;
    save_list(&t, &sell_list(last), last_month_at(1)).await;
    close_month(&t.db, "ada", last, Utc::now()).await.unwrap();

    let closed = cost_overview(&t.db, &BillCache::default(), Some(last), Utc::now()).await.unwrap();
    let bill = &closed.rows[0].bill;
    assert_eq!((bill.total, bill.revenue), (Money::from_cents(13_000), Some(Money::from_cents(16_750))));
    let margin = bill.margin().unwrap();
    assert_eq!(margin.amount, Money::from_cents(3_750));
    assert_eq!(margin.percent.unwrap().to_string(), "22.4");

    // The current month: the same list, 30 users carried forward.
    let forecast = forecast_of(&t.db, id, Utc::now()).await.unwrap().bill.unwrap();
    assert_eq!(forecast.sale.as_ref().unwrap().total, Money::from_cents(16_750));
    let current = cost_overview(&t.db, &BillCache::default(), None, Utc::now()).await.unwrap();
    assert_eq!(current.rows[0].bill.revenue, Some(Money::from_cents(16_750)));

    // A fixed price from this month on shows at once (the cache sees it).
    let cache = BillCache::default();
    cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    let fixed = CustomerPricingForm {
        effective_month: this_month().to_string(),
        discount: String::new(),
        fixed: vec![(String::new(), "2".into())],
    };
    save_customer_pricing(&t.db, "otto", id, &fixed, Utc::now()).await.unwrap();
    let page = cost_overview(&t.db, &cache, None, Utc::now()).await.unwrap();
    // Users 2.00 x 30 = 60.00, discovery 40.00, web access 15.00 = 115.00 against 130.00.
    assert_eq!(page.rows[0].bill.revenue, Some(Money::from_cents(11_500)));
    assert_eq!(page.rows[0].bill.margin().unwrap().amount, Money::from_cents(-1_500));
}

#[tokio::test]
async fn a_statement_closed_before_sell_prices_has_no_revenue() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    // As an older close left it: a statement and its close, no sale.
    let month = this_month().previous().previous();
    let statement: i64 = sqlx::query_scalar(
        "INSERT INTO statements (customer_id, month, customer_name, currency, billable_days, users, users_at_start, \
           users_at_end, total_cents, closed_at) VALUES ($1, $2, 'Acme', 'EUR', 16, 0, 0, 0, 2500, $3) RETURNING id",
    )
    .bind(id)
    .bind(month.to_string())
    .bind(Time(Utc::now()))
    .fetch_one(&t.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO statement_lines (statement_id, position, kind, code, label, quantity, unit_price_e4, amount_cents) \
         VALUES ($1, 0, 'option_flat', 'discovery', 'Discovery service', 1, 250000, 2500)",
    )
    .bind(statement)
    .execute(&t.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO month_closes (month, closed_at, closed_by, statements, total_cents, users, users_cents) \
         VALUES ($1, $2, 'ada', 1, 2500, 0, 0)",
    )
    .bind(month.to_string())
    .bind(Time(Utc::now()))
    .execute(&t.db)
    .await
    .unwrap();

    let read = statement_of_customer(&t.db, id, month).await.unwrap();
    assert_eq!((read.total, read.sale.clone(), read.margin()), (Money::from_cents(2_500), None, None));
    let page = cost_overview(&t.db, &BillCache::default(), Some(month), Utc::now()).await.unwrap();
    assert_eq!((page.rows[0].bill.revenue, page.rows[0].bill.margin()), (None, None));
}

/// The close writes many statements per statement sent to the database:
/// with more customers than one INSERT takes, each still gets its own
/// statement, cost lines and sale, equal to the rules on its facts.
#[tokio::test]
async fn a_close_of_many_customers_gives_each_its_own_lines_and_sale() {
    let t = testing::fresh().await;
    let last = this_month().previous();
    save_list(&t, &sell_list(last), last_month_at(1)).await;
    let mut ids = Vec::new();
    for i in 0..90u32 {
        let id = billed_customer(&t, &format!("Customer {i:02}")).await;
        // A count of its own, so a line under the wrong statement shows.
        report(&t, id, "c", last_month_at(25), 31 + i).await;
        ids.push(id);
    }
    let mut conn = t.db.acquire().await.unwrap();
    let facts = facts_for_month(&mut conn, chrono_tz::Tz::UTC, last, None).await.unwrap();
    let lists = rule_lists(&mut conn).await.unwrap();
    let seller = Seller::load(&mut conn, None).await.unwrap();
    drop(conn);

    let outcome = close_month(&t.db, "ada", last, Utc::now()).await.unwrap();

    assert_eq!(outcome.statements, 90);
    for (i, id) in (0u32..).zip(&ids) {
        let bill = bill_month(&facts[id], last, &lists).unwrap().unwrap();
        let statement = statement_of_customer(&t.db, *id, last).await.unwrap();
        assert_eq!(statement.users, 31 + i);
        let frozen: Vec<(u64, Money)> = statement.lines.iter().map(|l| (l.quantity, l.amount)).collect();
        assert_eq!(frozen, bill.lines.iter().map(|l| (l.quantity, l.amount)).collect::<Vec<_>>());
        assert_eq!(statement.sale, Some(seller.sale(*id, &bill).unwrap()));
    }
}

#[tokio::test]
async fn without_a_sell_list_everything_sells_at_the_vendors_prices() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let last = this_month().previous();
    close_month(&t.db, "ada", last, Utc::now()).await.unwrap();
    let statement = statement_of_customer(&t.db, id, last).await.unwrap();
    assert_eq!(statement.sale.clone().unwrap().total, statement.total);
    assert_eq!(statement.margin().unwrap().amount, Money::ZERO);
}

#[tokio::test]
async fn sell_prices_refuse_unknown_options_past_months_and_missing_customers() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let mut list = sell_list(this_month());
    list.items.push(item("no_such_option", "price", "1"));
    let refused = save_sell_list(&t.db, "ada", &list, Utc::now()).await.unwrap_err();
    assert_eq!(
        refused,
        AppError::Invalid(vec![FieldMessage::new("sell:no_such_option", Message::OptionNotInCatalogue)])
    );
    let past = sell_list(this_month().previous());
    let refused = save_sell_list(&t.db, "ada", &past, Utc::now()).await.unwrap_err();
    assert!(refused.for_field("effective_month").is_some());

    let pricing = CustomerPricingForm {
        effective_month: this_month().to_string(),
        discount: "5".into(),
        fixed: vec![("no_such_option".into(), "1".into())],
    };
    let refused = save_customer_pricing(&t.db, "otto", id, &pricing, Utc::now()).await.unwrap_err();
    assert_eq!(
        refused,
        AppError::Invalid(vec![FieldMessage::new("fixed:no_such_option", Message::OptionNotInCatalogue)])
    );
    let ok = CustomerPricingForm { fixed: Vec::new(), ..pricing };
    assert_eq!(save_customer_pricing(&t.db, "otto", 999_999, &ok, Utc::now()).await.unwrap_err(), AppError::NotFound);
    assert!(customer_pricing_page(&t.db, 999_999, Utc::now()).await.is_err());
}

#[tokio::test]
async fn each_change_is_audited_and_a_stale_version_is_refused() {
    let t = testing::fresh().await;
    let id = billed_customer(&t, "Acme").await;
    let pricing =
        CustomerPricingForm { effective_month: this_month().to_string(), discount: "7,5".into(), fixed: Vec::new() };
    save_customer_pricing(&t.db, "otto", id, &pricing, Utc::now()).await.unwrap();
    // The same month again replaces it.
    let back = CustomerPricingForm { discount: String::new(), ..pricing };
    save_customer_pricing(&t.db, "otto", id, &back, Utc::now()).await.unwrap();
    let page = customer_pricing_page(&t.db, id, Utc::now()).await.unwrap();
    assert_eq!(page.pricings.len(), 1);
    assert!(page.in_force().unwrap().is_list_prices());

    let version = customers::get(&t.db, id, Utc::now().date_naive()).await.unwrap().version;
    customers::set_not_for_resale(&t.db, "otto", id, version, true, Utc::now()).await.unwrap();
    let stale = customers::set_not_for_resale(&t.db, "otto", id, version, false, Utc::now()).await.unwrap_err();
    assert_eq!(stale, AppError::conflict(Message::CustomerChanged));

    let history = super::audit::of_customer(&t.db, id, 20).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(&actions[..3], ["customer.resale_changed", "customer.pricing_saved", "customer.pricing_saved"]);
    let month = this_month().to_string();
    assert_eq!(history[2].changes, vec![FieldChange::new(&format!("pricing from {month}"), "", "discount 7.5 %")]);
    assert_eq!(history[1].changes, vec![FieldChange::new(&format!("pricing from {month}"), "replaced", "list prices")]);
    assert_eq!(history[0].changes, vec![FieldChange::new("not_for_resale", "no", "yes")]);
}

fn datev_form() -> crate::domain::datev::DatevSettingsForm {
    crate::domain::datev::DatevSettingsForm {
        adviser_number: "29098".into(),
        client_number: "55003".into(),
        fiscal_year_start: "1".into(),
        account_length: "4".into(),
        revenue_account: "8400".into(),
        tax_key: String::new(),
        collective_debtor: String::new(),
        items: vec![("discovery".into(), "8338".into(), "9".into())],
    }
}

#[tokio::test]
async fn the_datev_file_of_a_closed_month_books_each_customers_revenue() {
    use super::datev;
    let t = testing::fresh().await;
    let last = this_month().previous();
    let acme = billed_customer(&t, "Müller & Söhne").await;
    let internal = billed_customer(&t, "Internal IT").await;
    save_list(&t, &sell_list(last), last_month_at(1)).await;
    let version = customers::get(&t.db, internal, last_month_at(1).date_naive()).await.unwrap().version;
    customers::set_not_for_resale(&t.db, "otto", internal, version, true, last_month_at(1)).await.unwrap();

    // Not set up, then not closed, then a customer without a debtor account.
    let refused = datev::export(&t.db, "val", last, Utc::now()).await.unwrap_err();
    assert_eq!(refused, AppError::conflict(Message::DatevNotSet));
    datev::save(&t.db, "ada", &datev_form(), 0, Utc::now()).await.unwrap();
    let stale = datev::save(&t.db, "ada", &datev_form(), 0, Utc::now()).await.unwrap_err();
    assert_eq!(stale, AppError::conflict(Message::SettingsChanged));
    let refused = datev::export(&t.db, "val", last, Utc::now()).await.unwrap_err();
    assert_eq!(refused, AppError::conflict(Message::MonthNotClosed { month: last.to_string() }));
    close_month(&t.db, "ada", last, Utc::now()).await.unwrap();
    let refused = datev::check(&t.db, last).await.unwrap_err();
    assert_eq!(refused, AppError::conflict(Message::DebtorAccountsMissing { names: "Müller & Söhne".into() }));

    let version = customers::get(&t.db, acme, Utc::now().date_naive()).await.unwrap().version;
    let bad = customers::set_debtor_account(&t.db, "otto", acme, version, "8400", Utc::now()).await.unwrap_err();
    assert_eq!(bad, AppError::invalid("debtor_account", Message::DebtorAccount { digits: 5 }));
    customers::set_debtor_account(&t.db, "otto", acme, version, " 10042 ", Utc::now()).await.unwrap();

    let file = datev::export(&t.db, "val", last, Utc::now()).await.unwrap();
    assert_eq!(file.name, format!("EXTF_Buchungsstapel_{last}.csv"));
    // Windows-1252: "ü" is one byte, 0xFC.
    assert!(file.bytes.windows(2).any(|w| w == b"M\xfc"));
    let text: String = file.bytes.iter().map(|b| char::from(*b)).collect();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 5, "header, columns, two bookings, and the end of the last line");
    assert!(lines[0].starts_with("\"EXTF\";700;21;\"Buchungsstapel\";13;"));
    let fields = |line: &str| line.split(';').map(str::to_owned).collect::<Vec<_>>();
    let discovery = fields(lines[2]);
    let rest = fields(lines[3]);
    assert_eq!(discovery.len(), 125);
    // Discovery 40.00 to 8338 with tax key 9; users 112.50 and web access 15.00 to 8400.
    assert_eq!([&discovery[0], &discovery[6], &discovery[7], &discovery[8]], ["40,00", "10042", "8338", "\"9\""]);
    assert_eq!([&rest[0], &rest[6], &rest[7]], ["127,50", "10042", "8400"]);
    let code = format!("{:04}{:02}-{acme}", last.year(), last.month());
    assert_eq!(discovery[10], format!("\"{code}\""));

    let audit = super::audit::page(
        &t.db,
        &crate::domain::audit_query::AuditFilter::default(),
        crate::domain::audit_query::AuditCursor::Newest,
    )
    .await
    .unwrap();
    assert_eq!(audit.entries[0].action, "export.datev");
    assert_eq!(audit.entries[0].actor, "val");
}
