//! What the limits are decided from: a number's recent rejections and prompt counters, and the
//! shared per-client and per-browser counters. The verdicts are `throttle`'s; this reads and counts.

use sqlx::{AnyConnection, Row};

use super::Store;
use crate::server::throttle::Cap;

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

pub(super) async fn history(
    conn: &mut AnyConnection,
    phone_key: &str,
    query: &NumberQuery,
) -> Result<NumberHistory, sqlx::Error> {
    let declines = sqlx::query_scalar(
        "SELECT updated_at FROM sign_ins WHERE phone_key = $1 AND phase = 'rejected' AND updated_at > $2
         ORDER BY updated_at DESC LIMIT $3",
    )
    .bind(phone_key)
    .bind(query.declines_since)
    .bind(query.declines as i64)
    .fetch_all(&mut *conn)
    .await?;
    let [short, long] = query.caps;
    let rows = sqlx::query("SELECT key, window_start, hits FROM throttles WHERE key IN ($1, $2)")
        .bind(short.key(phone_key))
        .bind(long.key(phone_key))
        .fetch_all(&mut *conn)
        .await?;
    let counters = rows
        .into_iter()
        .map(|row| {
            let cap = if row.get::<&str, _>(0) == short.key(phone_key) { short } else { long };
            (cap, row.get(1), row.get(2))
        })
        .collect();
    Ok(NumberHistory { declines, counters })
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
