//! Truecaller's callbacks between their acknowledgement and the move they cause. Taking them in
//! is one insert (for all that arrived together) on a pool of its own (and on SQLite a file of its own), so a burst of
//! callbacks never queues behind the sign-ins being completed; the rules' worker claims rows in
//! batches, records them, and deletes them.

use sqlx::Row;

use super::Store;

/// A callback as Truecaller sent it, already parsed and bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    pub request_id: String,
    pub access_token: Option<String>,
    pub state: Option<String>,
    pub endpoint: Option<String>,
    pub status: Option<String>,
}

/// A claimed callback: `id` is handed back to [`Store::remove_callbacks`] once it is recorded.
#[derive(Debug)]
pub struct InboxRow {
    pub id: i64,
    pub callback: Received,
}

impl Store {
    /// Takes callbacks in, in one statement. Once this returns, they survive the process stopping.
    pub async fn put_callbacks(&self, callbacks: &[&Received], now: i64) -> Result<(), sqlx::Error> {
        // Six values a row; PostgreSQL allows 65,535 parameters a statement, SQLite 32,766.
        for chunk in callbacks.chunks(1000) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 6;
                    format!("(${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6)
                })
                .collect();
            let sql = format!(
                "INSERT INTO callback_inbox (request_id, access_token, state, endpoint, status, received_at) VALUES {}",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for callback in chunk {
                query = query
                    .bind(&callback.request_id)
                    .bind(&callback.access_token)
                    .bind(&callback.state)
                    .bind(&callback.endpoint)
                    .bind(&callback.status)
                    .bind(now);
            }
            query.execute(&self.inbox).await?;
        }
        Ok(())
    }

    /// Claims up to `limit` callbacks nobody holds (or whose claim lapsed), oldest first, until
    /// `until`. The claim is checked again on each row, so two instances claiming at once never
    /// both take one.
    pub async fn claim_callbacks(&self, now: i64, until: i64, limit: i64) -> Result<Vec<InboxRow>, sqlx::Error> {
        let rows = sqlx::query(
            "UPDATE callback_inbox SET claimed_until = $1 \
             WHERE (claimed_until IS NULL OR claimed_until < $2) AND id IN ( \
                 SELECT id FROM callback_inbox WHERE claimed_until IS NULL OR claimed_until < $2 ORDER BY id LIMIT $3) \
             RETURNING id, request_id, access_token, state, endpoint, status",
        )
        .bind(until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.inbox)
        .await?;
        let mut claimed: Vec<InboxRow> = rows
            .into_iter()
            .map(|row| InboxRow {
                id: row.get(0),
                callback: Received {
                    request_id: row.get(1),
                    access_token: row.get(2),
                    state: row.get(3),
                    endpoint: row.get(4),
                    status: row.get(5),
                },
            })
            .collect();
        // RETURNING promises no order.
        claimed.sort_by_key(|row| row.id);
        Ok(claimed)
    }

    /// Forgets callbacks that are recorded.
    pub async fn remove_callbacks(&self, ids: &[i64]) -> Result<(), sqlx::Error> {
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!("DELETE FROM callback_inbox WHERE id IN ({})", marks.join(", "));
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&self.inbox).await?;
        }
        Ok(())
    }

    /// Drops callbacks received before `before` that were never recorded (their tokens have
    /// expired, and their sign-ins have timed out); returns how many.
    pub async fn drop_stale_callbacks(&self, before: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM callback_inbox WHERE received_at < $1").bind(before).execute(&self.inbox).await?;
        Ok(done.rows_affected())
    }

    /// How many callbacks are taken in and not yet recorded.
    pub async fn callbacks_waiting(&self) -> Result<i64, sqlx::Error> {
        sqlx::query("SELECT COUNT(*) FROM callback_inbox").fetch_one(&self.inbox).await.map(|row| row.get(0))
    }
}
