//! The effective-dated history of what billing depends on. Every change to
//! a customer's kind, status, license or options appends the state after it,
//! in the same transaction, so any past month is computed from facts rather
//! than from today's state.

use chrono::{DateTime, Utc};

use super::db::{Time, WriteTx};

/// Appends the customer's current state, in force from `at`.
pub async fn snapshot(tx: &mut WriteTx, customer_id: i64, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM customer_options WHERE customer_id = $1 ORDER BY code")
            .bind(customer_id)
            .fetch_all(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO customer_history (customer_id, effective_at, kind, status, max_users, limit_user_creation, options) \
         SELECT id, $2, kind, status, max_users, limit_user_creation, $3 FROM customers WHERE id = $1",
    )
    .bind(customer_id)
    .bind(Time(at))
    .bind(codes.join(" "))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
