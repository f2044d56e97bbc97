//! Truecaller's callbacks between their acknowledgement and the move they cause. Taking them in
//! is one insert (for all that arrived together, keeping only those that name a sign-in on
//! record) on a pool of its own (and on SQLite a file of its own), so a burst of callbacks never
//! queues behind the sign-ins being completed; the rules' worker claims rows in batches, records
//! them, and deletes them.

use sqlx::Row;

use super::{Engine, Store};
use crate::domain::Provider;

/// A callback as Truecaller sent it, already parsed and bounded. Its `Debug` hides the token
/// and our `state`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Received {
    pub request_id: String,
    pub access_token: Option<String>,
    pub state: Option<String>,
    pub endpoint: Option<String>,
    pub status: Option<String>,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("Received")
            .field("request_id", &self.request_id)
            .field("access_token", &redacted(&self.access_token))
            .field("state", &redacted(&self.state))
            .field("endpoint", &self.endpoint)
            .field("status", &self.status)
            .finish()
    }
}

/// A claimed callback: `id` is handed back to [`Store::remove_callbacks`] once it is recorded.
#[derive(Debug)]
pub struct InboxRow {
    pub id: i64,
    pub callback: Received,
}

impl Store {
    /// Takes in those of `callbacks` that name a Truecaller sign-in on record, in one statement,
    /// and returns how many that was; the others are not kept at all. Each comes with the hash
    /// of its `state`, if it has one. A callback names a sign-in by its `requestId` (Truecaller's
    /// id for the request, or our one-tap nonce), or by the `state` we sent while Truecaller's
    /// answer to our request (the id) is not stored yet: so a callback that overtakes that answer
    /// is kept. The check is the same as the worker's (`correlate`), less its verdict on the
    /// state; both lookups are on unique indexes. Once this returns, those taken in survive the
    /// process stopping.
    pub async fn put_callbacks(&self, callbacks: &[(&Received, Option<&str>)], now: i64) -> Result<u64, sqlx::Error> {
        // The inbox's own connection reads the sign-ins: on PostgreSQL they are in the same
        // database; SQLite's inbox file has the main one attached.
        let sign_ins = match self.engine {
            Engine::Sqlite => format!("{}.sign_ins", super::SIGN_INS_DB),
            Engine::Postgres => "sign_ins".to_owned(),
        };
        let mut stored = 0;
        // Six values a row; PostgreSQL allows 65,535 parameters a statement, SQLite 32,766.
        for chunk in callbacks.chunks(1000) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = 2 + i * 6;
                    format!("(${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6)
                })
                .collect();
            let sql = format!(
                "WITH arrived (request_id, access_token, state, endpoint, status, state_hash) AS (VALUES {}) \
                 INSERT INTO callback_inbox (request_id, access_token, state, endpoint, status, received_at) \
                 SELECT request_id, access_token, state, endpoint, status, $1 FROM arrived a \
                 WHERE EXISTS (SELECT 1 FROM {sign_ins} s WHERE s.provider = $2 AND s.provider_ref = a.request_id) \
                    OR EXISTS (SELECT 1 FROM {sign_ins} s WHERE s.state_hash = a.state_hash AND s.provider_ref IS NULL)",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(now).bind(Provider::Truecaller.as_str());
            for (callback, state_hash) in chunk {
                query = query
                    .bind(&callback.request_id)
                    .bind(&callback.access_token)
                    .bind(&callback.state)
                    .bind(&callback.endpoint)
                    .bind(&callback.status)
                    .bind(*state_hash);
            }
            stored += query.execute(&self.inbox).await?.rows_affected();
        }
        Ok(stored)
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
