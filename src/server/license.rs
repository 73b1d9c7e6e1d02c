//! A customer's license as the machine API answers it (`GET /license`, and
//! with every accepted report), read for many customers with one statement.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::customers::WITH_USAGE;
use super::db::{Day, Flag, Sql, WriteTx};

/// What a password-manager server needs to enforce the license.
#[derive(Clone, Debug, Serialize)]
pub struct License {
    pub customer_id: i64,
    pub status: String,
    pub max_users: i64,
    pub limit_user_creation: bool,
    pub can_create_user: bool,
    pub users: Option<i64>,
    pub options: Vec<String>,
    pub contract_end: NaiveDate,
}

/// The licenses of the customers `ids` (a removed customer has none),
/// read inside `tx`, so that they show what it wrote.
pub async fn read_all(tx: &mut WriteTx, ids: &[i64]) -> Result<HashMap<i64, License>, sqlx::Error> {
    let mut licenses: HashMap<i64, License> = HashMap::new();
    if ids.is_empty() {
        return Ok(licenses);
    }
    // One row per booked option (one row with no code when there is none).
    type Row = (i64, String, i64, Flag, Option<i64>, Day, Option<String>);
    let mut sql = Sql::new(&format!(
        "SELECT c.id, c.status, c.max_users, CAST(c.limit_user_creation AS INTEGER), u.reported_users, \
         c.contract_end, o.code FROM {WITH_USAGE} LEFT JOIN customer_options o ON o.customer_id = c.id WHERE c.id IN ("
    ));
    sql.bind_list(ids.iter().copied()).push(") ORDER BY c.id, o.code");
    let (text, args) = sql.build();
    let rows: Vec<Row> = sqlx::query_as_with(&text, args).fetch_all(&mut **tx).await?;
    for (id, status, max_users, Flag(limit_user_creation), users, Day(contract_end), code) in rows {
        let license = licenses.entry(id).or_insert_with(|| {
            let full = limit_user_creation && users.unwrap_or(0) >= max_users;
            License {
                customer_id: id,
                can_create_user: status == "active" && !full,
                status,
                max_users,
                limit_user_creation,
                users,
                options: Vec::new(),
                contract_end,
            }
        });
        license.options.extend(code);
    }
    Ok(licenses)
}
