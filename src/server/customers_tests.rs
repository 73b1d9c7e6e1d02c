//! The customer rules against a real SQLite file.

use chrono::{Duration, Utc};

use super::clock;
use super::customers;
use super::db::testing::{self, TestDb};
use super::fixtures::customer_form;
use crate::domain::customer::{ContractForm, CustomerForm};
use crate::domain::customer_list::{ListQuery, ListTab, SortKey};
use crate::domain::{CustomerKind, CustomerStatus};
use crate::error::AppError;
use crate::server::error::ServerError;

fn form(name: &str) -> CustomerForm {
    CustomerForm {
        contract_end: (clock::today() + Duration::days(28)).to_string(),
        max_users: "25".to_owned(),
        ..customer_form(name, false, &["web_access"])
    }
}

async fn create(t: &TestDb, form: CustomerForm) -> i64 {
    customers::create(&t.db, "otto", &form, Utc::now()).await.expect("created").id
}

async fn audit_actions(t: &TestDb, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log WHERE customer_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&t.db)
        .await
        .unwrap()
}

async fn customer_count(t: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(&t.db).await.unwrap()
}

fn fields(error: ServerError) -> Vec<String> {
    match error.refusal() {
        Some(AppError::Invalid(problems)) => problems.iter().map(|p| p.field.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_test_customer_is_created_with_its_license_options_and_one_audit_entry() {
    let t = testing::fresh().await;
    let id = create(&t, CustomerForm { limit_user_creation: true, ..form("Müller & Söhne, \"Nord\"") }).await;
    let c = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!(c.name, "Müller & Söhne, \"Nord\"");
    assert_eq!(c.database_name, "mueller_soehne_nord");
    assert_eq!((c.kind, c.status), (CustomerKind::Test, CustomerStatus::Active));
    assert_eq!((c.max_users, c.limit_user_creation), (25, true));
    assert_eq!(c.options.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(), ["web_access"]);
    assert!(c.billed_since.is_none());
    assert_eq!(audit_actions(&t, id).await, ["customer.created"]);
}

#[tokio::test]
async fn a_billed_customer_is_billed_from_its_creation() {
    let t = testing::fresh().await;
    let id = create(&t, CustomerForm { billed: true, ..form("Acme") }).await;
    let c = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!(c.kind, CustomerKind::Billed);
    assert!(c.billed_since.is_some());
}

#[tokio::test]
async fn names_and_database_names_are_unique_ignoring_case_and_nothing_is_half_written() {
    let t = testing::fresh().await;
    create(&t, form("Acme GmbH")).await;
    let again = CustomerForm { name: "ACME gmbh".into(), database_name: "ACME_GMBH".into(), ..form("x") };
    let error = customers::create(&t.db, "otto", &again, Utc::now()).await.unwrap_err();
    assert_eq!(fields(error), ["name", "database_name"]);
    assert_eq!(customer_count(&t).await, 1);
}

#[tokio::test]
async fn each_invalid_field_is_refused_by_the_server() {
    let t = testing::fresh().await;
    let cases: Vec<(CustomerForm, &str)> = vec![
        (CustomerForm { name: "".into(), ..form("a") }, "name"),
        (CustomerForm { name: "x".repeat(101), ..form("a") }, "name"),
        (CustomerForm { max_users: "0".into(), ..form("a") }, "max_users"),
        (CustomerForm { max_users: "100001".into(), ..form("a") }, "max_users"),
        (CustomerForm { max_users: "2.5".into(), ..form("a") }, "max_users"),
        (CustomerForm { contract_end: (clock::today() - Duration::days(1)).to_string(), ..form("a") }, "contract_end"),
        (CustomerForm { database_name: "has space".into(), ..form("a") }, "database_name"),
        (CustomerForm { options: vec!["no_such_option".into()], ..form("a") }, "options"),
    ];
    for (bad, field) in cases {
        let error = customers::create(&t.db, "otto", &bad, Utc::now()).await.unwrap_err();
        assert_eq!(fields(error), [field], "{bad:?}");
    }
    assert_eq!(customer_count(&t).await, 0);
}

#[tokio::test]
async fn a_test_customer_converts_to_billed_and_never_back() {
    let t = testing::fresh().await;
    let id = create(&t, form("Acme")).await;
    customers::change_kind(&t.db, "otto", id, 1, "billed", Utc::now()).await.unwrap();
    let c = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!(c.kind, CustomerKind::Billed);
    assert!(c.billed_since.is_some());
    let back = customers::change_kind(&t.db, "otto", id, c.version, "test", Utc::now()).await.unwrap_err();
    assert_eq!(back.for_field("kind").as_deref(), Some("A billed customer can never become a test customer again."));
    assert_eq!(customers::get(&t.db, id, clock::today()).await.unwrap().kind, CustomerKind::Billed);
    assert_eq!(audit_actions(&t, id).await, ["customer.created", "customer.converted"]);
}

#[tokio::test]
async fn a_second_save_with_an_old_version_is_refused() {
    let t = testing::fresh().await;
    let id = create(&t, form("Acme")).await;
    let edit = |max: &str| ContractForm {
        name: "Acme".into(),
        contract_end: (clock::today() + Duration::days(28)).to_string(),
        max_users: max.into(),
        limit_user_creation: false,
    };
    customers::update_contract(&t.db, "first", id, 1, &edit("30"), Utc::now()).await.unwrap();
    let second = customers::update_contract(&t.db, "second", id, 1, &edit("40"), Utc::now()).await.unwrap_err();
    assert_eq!(second, AppError::conflict(crate::domain::message::Message::CustomerChanged));
    assert_eq!(customers::get(&t.db, id, clock::today()).await.unwrap().max_users, 30);
}

#[tokio::test]
async fn a_contract_change_records_old_and_new_values() {
    let t = testing::fresh().await;
    let id = create(&t, form("Acme")).await;
    let change = ContractForm {
        name: "Acme Europe".into(),
        contract_end: (clock::today() + Duration::days(90)).to_string(),
        max_users: "50".into(),
        limit_user_creation: true,
    };
    customers::update_contract(&t.db, "otto", id, 1, &change, Utc::now()).await.unwrap();
    let history = customers::history(&t.db, id).await.unwrap();
    let latest = &history[0];
    assert_eq!(latest.action, "customer.contract_changed");
    let summary: Vec<(String, String, String)> =
        latest.changes.iter().map(|c| (c.field.clone(), c.old.clone(), c.new.clone())).collect();
    assert_eq!(summary[0], ("name".into(), "Acme".into(), "Acme Europe".into()));
    assert_eq!(summary[2], ("max_users".into(), "25".into(), "50".into()));
    assert_eq!(summary[3], ("limit_user_creation".into(), "no".into(), "yes".into()));
}

#[tokio::test]
async fn deactivation_keeps_everything_and_activation_restores_it_exactly() {
    let t = testing::fresh().await;
    let id = create(&t, CustomerForm { billed: true, limit_user_creation: true, ..form("Acme") }).await;
    customers::set_options(&t.db, "otto", id, 1, &["offline".into(), "discovery".into()], Utc::now()).await.unwrap();
    let before = customers::get(&t.db, id, clock::today()).await.unwrap();
    let too_long =
        customers::deactivate(&t.db, "otto", id, before.version, &"x".repeat(501), Utc::now()).await.unwrap_err();
    assert_eq!(fields(too_long), ["reason"]);
    customers::deactivate(&t.db, "otto", id, before.version, " Unpaid invoices ", Utc::now()).await.unwrap();
    let off = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!(off.status, CustomerStatus::Deactivated);
    assert_eq!(off.deactivation_reason.as_deref(), Some("Unpaid invoices"));
    let deactivated =
        customers::list(&t.db, &ListQuery { tab: ListTab::Deactivated, ..Default::default() }, clock::today())
            .await
            .unwrap();
    assert_eq!(deactivated.rows.len(), 1);
    customers::activate(&t.db, "otto", id, off.version, None, Utc::now()).await.unwrap();
    let after = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!(after.status, CustomerStatus::Active);
    assert_eq!(
        (
            after.kind,
            after.max_users,
            after.limit_user_creation,
            after.contract_end,
            &after.options,
            &after.billed_since
        ),
        (
            before.kind,
            before.max_users,
            before.limit_user_creation,
            before.contract_end,
            &before.options,
            &before.billed_since
        )
    );
    assert!(after.deactivation_reason.is_none());
}

#[tokio::test]
async fn activating_after_the_contract_ended_needs_a_new_contract_end() {
    let t = testing::fresh().await;
    let id = create(&t, form("Acme")).await;
    customers::deactivate(&t.db, "otto", id, 1, "", Utc::now()).await.unwrap();
    let ended = clock::today() - Duration::days(3);
    sqlx::query("UPDATE customers SET contract_end = $1 WHERE id = $2")
        .bind(crate::server::db::Day(ended))
        .bind(id)
        .execute(&t.db)
        .await
        .unwrap();
    let refused = customers::activate(&t.db, "otto", id, 2, None, Utc::now()).await.unwrap_err();
    assert!(refused.for_field("contract_end").unwrap().contains(&ended.to_string()));
    let new_end = clock::today() + Duration::days(30);
    customers::activate(&t.db, "otto", id, 2, Some(&new_end.to_string()), Utc::now()).await.unwrap();
    let c = customers::get(&t.db, id, clock::today()).await.unwrap();
    assert_eq!((c.status, c.contract_end), (CustomerStatus::Active, new_end));
}

#[tokio::test]
async fn removal_needs_the_typed_name_and_takes_the_customer_out_of_every_list() {
    let t = testing::fresh().await;
    let id = create(&t, form("Acme \"Nord\"")).await;
    let wrong = customers::remove(&t.db, "otto", id, 1, "acme", Utc::now()).await.unwrap_err();
    assert_eq!(fields(wrong), ["confirm_name"]);
    let removed = customers::remove(&t.db, "otto", id, 1, "Acme \"Nord\"", Utc::now()).await.unwrap();
    assert_eq!(removed.database_name, "acme_nord");
    assert_eq!(customers::get(&t.db, id, clock::today()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(customers::history(&t.db, id).await.unwrap_err(), AppError::NotFound);
    for tab in ListTab::ALL {
        let page = customers::list(&t.db, &ListQuery { tab, ..Default::default() }, clock::today()).await.unwrap();
        assert!(page.rows.is_empty(), "{tab:?}");
    }
    let change = customers::deactivate(&t.db, "otto", id, 2, "", Utc::now()).await.unwrap_err();
    assert_eq!(change, AppError::NotFound);
    // The record stays for statements and the audit log; the name is free again.
    assert_eq!(customer_count(&t).await, 1);
    assert_eq!(audit_actions(&t, id).await, ["customer.created", "customer.removed"]);
    create(&t, form("Acme \"Nord\"")).await;
}

#[tokio::test]
async fn lists_have_tabs_with_counts_search_sort_and_pages() {
    let t = testing::fresh().await;
    for i in 0..55 {
        create(&t, CustomerForm { billed: true, max_users: (i + 1).to_string(), ..form(&format!("Billed {i:02}")) })
            .await;
    }
    create(&t, form("Test Zeta")).await;
    let off = create(&t, form("Test Off")).await;
    customers::deactivate(&t.db, "otto", off, 1, "", Utc::now()).await.unwrap();

    let first = customers::list(&t.db, &ListQuery::default(), clock::today()).await.unwrap();
    assert_eq!((first.counts.test, first.counts.billed, first.counts.deactivated), (1, 55, 1));
    assert_eq!((first.page, first.pages, first.rows.len()), (1, 2, 50));
    assert_eq!(first.rows[0].name, "Billed 00");
    let second = customers::list(&t.db, &ListQuery { page: 2, ..Default::default() }, clock::today()).await.unwrap();
    assert_eq!(second.rows.len(), 5);
    let beyond = customers::list(&t.db, &ListQuery { page: 9, ..Default::default() }, clock::today()).await.unwrap();
    assert_eq!(beyond.page, 2);

    let by_users = ListQuery { sort: SortKey::Users, descending: true, ..Default::default() };
    assert_eq!(customers::list(&t.db, &by_users, clock::today()).await.unwrap().rows[0].max_users, 55);

    let search = ListQuery { search: "billed 5".into(), ..Default::default() };
    let found = customers::list(&t.db, &search, clock::today()).await.unwrap();
    assert_eq!(found.rows.len(), 5);
    assert_eq!((found.counts.test, found.counts.deactivated), (0, 0));
    let wildcard = ListQuery { search: "%".into(), ..Default::default() };
    assert!(
        customers::list(&t.db, &wildcard, clock::today()).await.unwrap().rows.is_empty(),
        "% is searched literally"
    );
}
