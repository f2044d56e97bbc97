//! What the limits are decided from: a number's recent rejections and prompt counters, and the
//! shared per-client and per-browser counters. The verdicts are `throttle`'s; this reads and counts.

use std::time::Duration;

use sqlx::{AnyConnection, Row};

use super::Store;

/// A fixed-window counter kept in the database: at most `max` in `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    pub name: &'static str,
    pub max: u32,
    pub window: Duration,
}

impl Cap {
    /// The counter's key for what it counts (a keyed hash, never a number or an address).
    pub fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.name)
    }
}

/// What to read about a number, as the rules define it.
#[derive(Clone, Copy, Debug)]
pub struct NumberQuery {
    /// The prompt caps whose counters are read (and bumped when a prompt is sent).
    pub caps: [Cap; 2],
    /// Rejections at or before this time (Unix ms) cannot matter any more.
    pub declines_since: i64,
    /// How many of the latest rejections to read.
    pub declines: usize,
}

/// A number's recent history, for the rules to judge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NumberHistory {
    /// When the latest rejections of prompts to the number happened (Unix ms), newest first.
    pub declines: Vec<i64>,
    /// For each cap that has a counter: the cap, when its window started, prompts counted in it.
    pub counters: Vec<(Cap, i64, i64)>,
}

/// Read inside the start's write transaction, so in one query: each statement there is a round
/// trip made while SQLite's one write lock is held. Rows of kind 0 are rejections (`at`); kind 1
/// are the caps' counters (`key`, `at` = window start, `hits`).
pub(super) async fn history(
    conn: &mut AnyConnection,
    phone_key: &str,
    query: &NumberQuery,
) -> Result<NumberHistory, sqlx::Error> {
    let [short, long] = query.caps;
    let (short_key, long_key) = (short.key(phone_key), long.key(phone_key));
    let rows = sqlx::query(
        "SELECT CAST(0 AS BIGINT) AS kind, NULL AS key, updated_at AS at, CAST(0 AS BIGINT) AS hits FROM
             (SELECT updated_at FROM sign_ins WHERE phone_key = $1 AND phase = 'rejected' AND updated_at > $2
              ORDER BY updated_at DESC LIMIT $3) AS declines
         UNION ALL
         SELECT CAST(1 AS BIGINT), key, window_start, hits FROM throttles WHERE key IN ($4, $5)
         ORDER BY kind, at DESC",
    )
    .bind(phone_key)
    .bind(query.declines_since)
    .bind(query.declines as i64)
    .bind(&short_key)
    .bind(&long_key)
    .fetch_all(&mut *conn)
    .await?;
    let mut history = NumberHistory::default();
    for row in rows {
        let at: i64 = row.try_get(2)?;
        if row.try_get::<i64, _>(0)? == 0 {
            history.declines.push(at);
        } else {
            let cap = if row.try_get::<&str, _>(1)? == short_key { short } else { long };
            history.counters.push((cap, at, row.try_get(3)?));
        }
    }
    Ok(history)
}

/// A counter after counting: its cap, when its window started, how many it holds now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestCount {
    pub cap: Cap,
    pub window_start: i64,
    pub hits: i64,
}

impl Store {
    /// Counts one request against each counter (a cap and its key), in one statement, and returns
    /// the counters as they now stand.
    pub async fn count_requests(&self, counters: &[(Cap, String)], now: i64) -> Result<Vec<RequestCount>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        count(&mut conn, counters, now).await
    }
}

/// Counts one prompt against both of a number's caps.
pub(super) async fn count_prompt(
    conn: &mut AnyConnection,
    phone_key: &str,
    caps: &[Cap; 2],
    now: i64,
) -> Result<(), sqlx::Error> {
    let counters = caps.map(|cap| (cap, cap.key(phone_key)));
    count(conn, &counters, now).await.map(drop)
}

/// Counts one hit on each counter in one upsert; a counter whose window has passed starts again
/// at 1. The statement has a key and a window threshold per counter: `$1` is now, then
/// `$2, $3` the first counter's key and threshold, and so on.
async fn count(conn: &mut AnyConnection, counters: &[(Cap, String)], now: i64) -> Result<Vec<RequestCount>, sqlx::Error> {
    let values: Vec<String> = (0..counters.len()).map(|i| format!("(${}, $1, 1)", 2 + 2 * i)).collect();
    let thresholds: Vec<String> = (0..counters.len()).map(|i| format!("WHEN ${} THEN ${}", 2 + 2 * i, 3 + 2 * i)).collect();
    let passed = format!("throttles.window_start <= (CASE throttles.key {} END)", thresholds.join(" "));
    let sql = format!(
        "INSERT INTO throttles (key, window_start, hits) VALUES {}
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN {passed} THEN 1 ELSE throttles.hits + 1 END,
             window_start = CASE WHEN {passed} THEN $1 ELSE throttles.window_start END
         RETURNING key, window_start, hits",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now);
    for (cap, key) in counters {
        query = query.bind(key.as_str()).bind(now - cap.window.as_millis() as i64);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let key: String = row.get(0);
            let (cap, _) = counters.iter().find(|(_, k)| *k == key)?;
            Some(RequestCount { cap: *cap, window_start: row.get(1), hits: row.get(2) })
        })
        .collect())
}
