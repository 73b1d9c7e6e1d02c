//! The audit log: who changed what and when. Every entry is written in the
//! same transaction as the change it describes.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::db::{Db, Sql, Time, WriteTx};
use super::error::Result;
use crate::domain::audit_log::capped;
use crate::domain::audit_log::{AuditCustomer, AuditEntry, FieldChange};
use crate::domain::audit_query::{ActionFilter, AuditCursor, AuditFilter, EXPORT_CHUNK, PAGE_SIZE};
use crate::error::AppError;
use crate::views::audit::{AuditChunk, AuditLogPage};

/// One entry to write. `subject` names what changed (`staff:alice`,
/// `customer:42`); `changes` lists each field with its old and new value.
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: String,
    pub detail: String,
    pub customer_id: Option<i64>,
    pub changes: Vec<FieldChange>,
    /// When it happened (now, except for demo history).
    pub at: DateTime<Utc>,
}

/// Writes an entry; its actor, subject and detail are cut to
/// [`capped`]'s length (the caller's text may come from anyone).
pub async fn write(tx: &mut WriteTx, entry: Entry<'_>) -> Result<(), sqlx::Error> {
    let changes = serde_json::to_string(&entry.changes).unwrap_or_else(|_| "[]".to_owned());
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail, customer_id, changes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Time(entry.at))
    .bind(capped(entry.actor))
    .bind(entry.action)
    .bind(capped(&entry.subject))
    .bind(capped(&entry.detail))
    .bind(entry.customer_id)
    .bind(changes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A plain entry without field changes (sign-ins, staff accounts).
pub async fn record(
    tx: &mut WriteTx,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let entry = Entry {
        actor,
        action,
        subject: subject.to_owned(),
        detail: detail.to_owned(),
        customer_id: None,
        changes: Vec::new(),
        at,
    };
    write(tx, entry).await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    #[sqlx(try_from = "Time")]
    at: DateTime<Utc>,
    actor: String,
    action: String,
    subject: String,
    detail: String,
    changes: String,
    customer_id: Option<i64>,
    customer_name: Option<String>,
}

impl From<Row> for AuditEntry {
    fn from(row: Row) -> Self {
        AuditEntry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
            customer: row.customer_id.map(|id| AuditCustomer { id, name: row.customer_name.unwrap_or_default() }),
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
        }
    }
}

const SELECT: &str = "SELECT a.id, a.at, a.actor, a.action, a.subject, a.detail, a.changes, \
                      a.customer_id, c.name AS customer_name \
                      FROM audit_log a LEFT JOIN customers c ON c.id = a.customer_id";

pub async fn of_customer(db: &Db, customer_id: i64, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE a.customer_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2"))
            .bind(customer_id)
            .bind(limit)
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}

/// Adds the filter's conditions (each served by one index) to a query that
/// already has a WHERE clause.
fn push_filter(q: &mut Sql<'_>, filter: &AuditFilter) {
    if !filter.person.is_empty() {
        q.push(" AND a.actor = ").bind(filter.person.clone());
    }
    if !filter.customer.is_empty() {
        let pattern = format!("%{}%", like_escape(&filter.customer.to_lowercase()));
        q.push(" AND a.customer_id IN (SELECT id FROM customers WHERE lower(name) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR lower(database_name) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(action) = &filter.action {
        q.push(" AND a.action IN (").bind_list(action.codes()).push(")");
    }
    if let Some(from) = filter.from {
        q.push(" AND a.at >= ").bind(Time(start_of(from)));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        q.push(" AND a.at < ").bind(Time(start_of(to)));
    }
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Where an entry stands in the log's order (time, then id).
async fn position(db: &Db, id: i64) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let at: Option<Time> =
        sqlx::query_scalar("SELECT at FROM audit_log WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(at.map(DateTime::from))
}

/// Up to `limit` entries matching `filter`, strictly older (`older`) or
/// newer than the entry `from` (none: from the newest), newest first, and
/// whether more follow in that direction.
async fn slice(
    db: &Db,
    filter: &AuditFilter,
    from: Option<(DateTime<Utc>, i64)>,
    older: bool,
    limit: u32,
) -> Result<(Vec<AuditEntry>, bool), sqlx::Error> {
    let dir = if older { "DESC" } else { "ASC" };
    let take = i64::from(limit) + 1;
    // One indexed, ordered range per action: with several actions (a group)
    // an `IN` list would read and sort every matching entry instead, so each
    // action gets its own part and the parts are merged.
    let parts: Vec<AuditFilter> = match &filter.action {
        Some(action) if action.codes().len() > 1 => action
            .codes()
            .into_iter()
            .map(|code| AuditFilter { action: Some(ActionFilter::One(code)), ..filter.clone() })
            .collect(),
        _ => vec![filter.clone()],
    };
    let mut q = Sql::new("SELECT * FROM (");
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push("SELECT * FROM (").push(SELECT).push(" WHERE 1 = 1");
        push_filter(&mut q, part);
        if let Some((at, id)) = from {
            let op = if older { "<" } else { ">" };
            q.push(&format!(" AND (a.at, a.id) {op} ("));
            q.bind(Time(at)).push(", ").bind(id).push(")");
        }
        q.push(&format!(" ORDER BY a.at {dir}, a.id {dir} LIMIT ")).bind(take).push(&format!(") AS part{i}"));
    }
    q.push(&format!(") AS parts ORDER BY at {dir}, id {dir} LIMIT ")).bind(take);
    let (sql, args) = q.build();
    let rows: Vec<Row> = sqlx::query_as_with(&sql, args).fetch_all(db).await?;
    let more = rows.len() > limit as usize;
    let mut entries: Vec<AuditEntry> = rows.into_iter().take(limit as usize).map(AuditEntry::from).collect();
    if !older {
        entries.reverse();
    }
    Ok((entries, more))
}

async fn count(db: &Db, filter: &AuditFilter) -> Result<u64, sqlx::Error> {
    let mut q = Sql::new("SELECT COUNT(*) FROM audit_log a WHERE 1 = 1");
    push_filter(&mut q, filter);
    let (sql, args) = q.build();
    let n: i64 = sqlx::query_scalar_with(&sql, args).fetch_one(db).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Who may appear as "who": staff accounts and the app's own actors.
async fn people(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let mut names: Vec<String> =
        sqlx::query_scalar("SELECT username FROM staff ORDER BY username").fetch_all(db).await?;
    names.extend(["system", "cli"].map(str::to_owned));
    Ok(names)
}

/// One page of the log under `filter`, starting at `cursor`.
pub async fn page(db: &Db, filter: &AuditFilter, cursor: AuditCursor) -> Result<AuditLogPage> {
    let at = |id: i64| async move { Ok::<_, sqlx::Error>(position(db, id).await?.map(|at| (at, id))) };
    let (entries, newer, older) = match cursor {
        AuditCursor::Newest => {
            let (entries, more) = slice(db, filter, None, true, PAGE_SIZE).await?;
            (entries, false, more)
        }
        AuditCursor::Before(id) => {
            let from = at(id).await?.ok_or(AppError::NotFound)?;
            let (entries, more) = slice(db, filter, Some(from), true, PAGE_SIZE).await?;
            // Something newer exists unless the cursor was the newest.
            let newer = slice(db, filter, Some(from), false, 0).await?.1;
            (entries, newer, more)
        }
        AuditCursor::After(id) => {
            let from = at(id).await?.ok_or(AppError::NotFound)?;
            let (entries, more) = slice(db, filter, Some(from), false, PAGE_SIZE).await?;
            let older = slice(db, filter, Some(from), true, 0).await?.1;
            (entries, more, older)
        }
    };
    let newer = entries.first().filter(|_| newer).map(|e| AuditCursor::After(e.id));
    let older = entries.last().filter(|_| older).map(|e| AuditCursor::Before(e.id));
    Ok(AuditLogPage { total: count(db, filter).await?, entries, newer, older, people: people(db).await? })
}

/// The next part of the filtered log for the CSV export.
pub async fn export_chunk(db: &Db, filter: &AuditFilter, before: Option<i64>) -> Result<AuditChunk> {
    let from = match before {
        Some(id) => Some((position(db, id).await?.ok_or(AppError::NotFound)?, id)),
        None => None,
    };
    let (entries, more) = slice(db, filter, from, true, EXPORT_CHUNK).await?;
    let next = entries.last().filter(|_| more).map(|e| e.id);
    Ok(AuditChunk { entries, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::begin_write;
    use crate::server::db::testing;

    #[tokio::test]
    async fn entries_cannot_be_changed_or_deleted_even_by_plain_sql() {
        let t = testing::fresh().await;
        let mut tx = begin_write(&t.db).await.unwrap();
        let entry = Entry {
            actor: "ada",
            action: "settings.saved",
            subject: "settings".to_owned(),
            detail: String::new(),
            customer_id: None,
            changes: Vec::new(),
            at: chrono::Utc::now(),
        };
        write(&mut tx, entry).await.unwrap();
        tx.commit().await.unwrap();
        let update = sqlx::query("UPDATE audit_log SET actor = 'mallory'").execute(&t.db).await.unwrap_err();
        assert!(update.to_string().contains("cannot be changed"), "{update}");
        let delete = sqlx::query("DELETE FROM audit_log").execute(&t.db).await.unwrap_err();
        assert!(delete.to_string().contains("cannot be deleted"), "{delete}");
        let actors: Vec<String> = sqlx::query_scalar("SELECT actor FROM audit_log").fetch_all(&t.db).await.unwrap();
        assert_eq!(actors, ["ada"]);
    }

    /// 130 entries over 13 days: actors ada/bob, actions alternating,
    /// every third about customer `c`; two share each moment (same `at`),
    /// so the order needs the id too.
    async fn filled(t: &testing::TestDb, c: i64) {
        let start: DateTime<Utc> = "2026-10-01T08:00:00Z".parse().unwrap();
        let mut tx = begin_write(&t.db).await.unwrap();
        for i in 0..130i64 {
            let entry = Entry {
                actor: if i % 2 == 0 { "ada" } else { "bob" },
                action: if i % 4 < 2 { "customer.contract_changed" } else { "login.succeeded" },
                subject: format!("n:{i}"),
                detail: String::new(),
                customer_id: (i % 3 == 0).then_some(c),
                changes: Vec::new(),
                at: start + chrono::Duration::hours(i / 2 * 5),
            };
            write(&mut tx, entry).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    fn numbers(entries: &[AuditEntry]) -> Vec<i64> {
        entries.iter().map(|e| e.subject.strip_prefix("n:").map_or(1000, |n| n.parse().unwrap())).collect()
    }

    /// Every page from the newest on, following "older", then back up
    /// following "newer": the entries in order both ways.
    async fn walk(db: &Db, filter: &AuditFilter) -> (Vec<i64>, Vec<i64>, u64) {
        let mut down = Vec::new();
        let mut page = page(db, filter, AuditCursor::Newest).await.unwrap();
        let total = page.total;
        assert_eq!(page.newer, None);
        loop {
            assert!(page.entries.len() <= PAGE_SIZE as usize);
            down.extend(numbers(&page.entries));
            match page.older {
                Some(cursor) => page = super::page(db, filter, cursor).await.unwrap(),
                None => break,
            }
        }
        let mut up = numbers(&page.entries);
        while let Some(cursor) = page.newer {
            page = super::page(db, filter, cursor).await.unwrap();
            up.splice(0..0, numbers(&page.entries));
        }
        (down, up, total)
    }

    #[tokio::test]
    async fn pages_walk_the_filtered_log_newest_first_both_ways() {
        let t = testing::fresh().await;
        let form = crate::domain::customer::CustomerForm {
            contract_end: (crate::server::clock::today() + chrono::Duration::days(30)).to_string(),
            database_name: "acme_bau".into(),
            max_users: "5".into(),
            ..crate::server::fixtures::customer_form("Acme Bau GmbH", true, &[])
        };
        // Its own entry ("customer.created", by otto, today) is not numbered.
        let c = crate::server::customers::create(&t.db, "otto", &form, Utc::now()).await.unwrap().id;
        filled(&t, c).await;
        let all_entries =
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(&t.db).await.unwrap();

        let everything = AuditFilter::default();
        let (down, up, total) = walk(&t.db, &everything).await;
        assert_eq!(total as i64, all_entries);
        let ours: Vec<i64> = down.iter().copied().filter(|n| *n < 1000).collect();
        assert_eq!(ours, (0..130).rev().collect::<Vec<_>>(), "time, then id, newest first");
        assert_eq!(down, up);

        // Each filter, which numbered entries it keeps, and how many
        // unnumbered ones (the customer's creation) it keeps too.
        type Keeps = Box<dyn Fn(i64) -> bool>;
        let cases: Vec<(AuditFilter, Keeps, usize)> = vec![
            (AuditFilter { person: "bob".into(), ..Default::default() }, Box::new(|i| i % 2 == 1), 0),
            (
                AuditFilter { action: Some(ActionFilter::One("login.succeeded".into())), ..Default::default() },
                Box::new(|i| i % 4 >= 2),
                0,
            ),
            (AuditFilter { customer: "bau g".into(), ..Default::default() }, Box::new(|i| i % 3 == 0), 1),
            (AuditFilter { customer: "ACME_BAU".into(), ..Default::default() }, Box::new(|i| i % 3 == 0), 1),
            (
                AuditFilter {
                    from: NaiveDate::from_ymd_opt(2026, 10, 3),
                    to: NaiveDate::from_ymd_opt(2026, 10, 5),
                    ..Default::default()
                },
                // Entry i is at 08:00 + (i / 2) * 5 h on 2026-10-01.
                Box::new(|i| (8 + i / 2 * 5) / 24 >= 2 && (8 + i / 2 * 5) / 24 <= 4),
                0,
            ),
            (
                AuditFilter {
                    person: "ada".into(),
                    action: Some(ActionFilter::Group(crate::domain::audit_query::ActionGroup::Customers)),
                    customer: "acme".into(),
                    ..Default::default()
                },
                Box::new(|i| i % 2 == 0 && i % 4 < 2 && i % 3 == 0),
                0,
            ),
        ];
        for (filter, keeps, unnumbered) in cases {
            let (down, up, total) = walk(&t.db, &filter).await;
            let down: Vec<i64> = down.into_iter().filter(|n| *n < 1000).collect();
            let expected: Vec<i64> = (0..130).rev().filter(|i| keeps(*i)).collect();
            assert!(!expected.is_empty());
            assert_eq!(down, expected, "{filter:?}");
            assert_eq!(up.len(), expected.len() + unnumbered, "{filter:?}");
            assert_eq!(total as usize, expected.len() + unnumbered, "{filter:?}");

            // The export's parts add up to the same entries.
            let mut exported = Vec::new();
            let mut before = None;
            loop {
                let chunk = export_chunk(&t.db, &filter, before).await.unwrap();
                exported.extend(numbers(&chunk.entries));
                match chunk.next {
                    Some(next) => before = Some(next),
                    None => break,
                }
            }
            let exported: Vec<i64> = exported.into_iter().filter(|n| *n < 1000).collect();
            assert_eq!(exported, expected, "{filter:?}");
        }
    }

    #[tokio::test]
    async fn a_missing_cursor_is_not_found_and_a_like_pattern_is_taken_literally() {
        let t = testing::fresh().await;
        assert_eq!(
            page(&t.db, &AuditFilter::default(), AuditCursor::Before(999)).await.unwrap_err(),
            AppError::NotFound
        );
        let filter = AuditFilter { customer: "%".into(), ..Default::default() };
        assert_eq!(page(&t.db, &filter, AuditCursor::Newest).await.unwrap().total, 0);
    }
}
