//! What the per-number limits are decided from: recent rejections and the prompt counters. The
//! verdict is `throttle::number_verdict`'s; this only reads and counts.

use sqlx::{AnyConnection, Row};

use crate::server::throttle::NumberCap;

/// What to read about a number, as the rules define it.
#[derive(Clone, Copy, Debug)]
pub struct NumberQuery {
    /// The prompt caps whose counters are read (and bumped when a prompt is sent).
    pub caps: [NumberCap; 2],
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
    pub counters: Vec<(NumberCap, i64, i64)>,
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

/// Counts one prompt against both caps, in one statement; a counter whose window has passed
/// starts again at 1.
pub(super) async fn count_prompt(
    conn: &mut AnyConnection,
    phone_key: &str,
    caps: &[NumberCap; 2],
    now: i64,
) -> Result<(), sqlx::Error> {
    let [short, long] = caps;
    sqlx::query(
        "INSERT INTO throttles (key, window_start, hits) VALUES ($1, $3, 1), ($2, $3, 1)
         ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN throttles.window_start <= (CASE WHEN throttles.key = $1 THEN $4 ELSE $5 END)
                    THEN 1 ELSE throttles.hits + 1 END,
             window_start = CASE WHEN throttles.window_start <= (CASE WHEN throttles.key = $1 THEN $4 ELSE $5 END)
                    THEN $3 ELSE throttles.window_start END",
    )
    .bind(short.key(phone_key))
    .bind(long.key(phone_key))
    .bind(now)
    .bind(now - short.window.as_millis() as i64)
    .bind(now - long.window.as_millis() as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
