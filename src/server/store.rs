//! Everything the app keeps in its database: sign-ins, phone locks, accounts, the audit trail.
//! Queries are plain SQL kept portable between SQLite and Postgres (upserts, RETURNING).

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqliteConnection, SqlitePool,
};

use super::{
    clock,
    phase::Phase,
    throttle::{Limits, Throttled, DECLINES_BEFORE_COOLDOWN, DECLINE_WINDOW},
};
use crate::domain::Throttle;
use crate::domain::AccountView;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// A sign-in as stored.
#[derive(Clone, Debug)]
pub struct SignInRow {
    pub id: String,
    pub browser: String,
    pub phone: String,
    pub state_hash: String,
    pub request_id: Option<String>,
    pub phase: Phase,
    pub access_token: Option<String>,
    pub profile_url: Option<String>,
    pub account_id: Option<i64>,
    /// Whether the approval created the account (rather than signed into an existing one).
    pub new_account: bool,
    pub created_at: i64,
    pub deadline: i64,
    pub approved_at: Option<i64>,
}

/// What a new sign-in starts with.
pub struct NewSignIn<'a> {
    pub id: &'a str,
    pub browser: &'a str,
    pub phone: &'a str,
    /// The number's keyed hash (`NumberKeys::key`): what locks and limits are keyed by.
    pub phone_key: &'a str,
    /// The number's short tag for the audit trail (`NumberKeys::tag`).
    pub phone_tag: &'a str,
    pub state_hash: &'a str,
    pub deadline: i64,
    pub lock_until: i64,
}

/// Result of trying to take a number's lock.
pub enum Start {
    /// The new sign-in, as stored.
    Started(SignInRow),
    /// Another sign-in holds the number until `until` (Unix ms).
    Locked { holder: String, until: i64 },
    /// The number had its share of prompts for now.
    Throttled(Throttled),
}

/// Data a transition writes besides the phase.
#[derive(Default)]
pub struct Changes<'a> {
    pub request_id: Option<&'a str>,
    /// Stored only on the move into `Fetching`; every other move clears it.
    pub access_token: Option<&'a str>,
    pub profile_url: Option<&'a str>,
    pub approved_at: Option<i64>,
    pub account: Option<SavedAccount>,
}

#[derive(Clone, Copy, Debug)]
pub struct SavedAccount {
    pub id: i64,
    pub new: bool,
}

/// An account's row, with what the account page needs.
pub struct AccountRow {
    pub phone: String,
    pub name: String,
    pub details: Vec<(String, String)>,
    pub avatar_url: Option<String>,
    pub sign_in_count: i64,
}

/// The fields an approval writes into an account.
pub struct AccountData<'a> {
    pub provider: &'a str,
    pub subject: &'a str,
    pub phone: &'a str,
    pub name: &'a str,
    pub details: &'a [(String, String)],
    pub avatar_url: Option<&'a str>,
}

const SIGN_IN_COLUMNS: &str = "id, browser, phone, state_hash, request_id, phase, failure, access_token, \
     profile_url, account_id, new_account, created_at, deadline, approved_at";

impl Store {
    /// Opens (creating the file and its folder if missing) and migrates the database.
    pub async fn connect(database_url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL never corrupts the database; it only skips the fsync per commit
            // (a power cut may lose the last moments, a crashed process loses nothing).
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(parent) = Path::new(options.get_filename()).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Takes the number's lock, checks and counts the number's prompt limits, and records the
    /// sign-in in `Sending`, atomically: two browsers racing for one number cannot both get a
    /// prompt sent, and a refused attempt changes nothing.
    pub async fn start(&self, new: &NewSignIn<'_>, limits: &Limits) -> Result<Start, sqlx::Error> {
        let now = clock::now_ms();
        let mut tx = self.pool.begin().await?;
        let taken = sqlx::query(
            "INSERT INTO phone_locks (phone_key, sign_in_id, locked_until) VALUES ($1, $2, $3)
             ON CONFLICT (phone_key) DO UPDATE SET sign_in_id = excluded.sign_in_id, locked_until = excluded.locked_until
             WHERE phone_locks.locked_until <= $4",
        )
        .bind(new.phone_key)
        .bind(new.id)
        .bind(new.lock_until)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !taken {
            let row = sqlx::query("SELECT sign_in_id, locked_until FROM phone_locks WHERE phone_key = $1")
                .bind(new.phone_key)
                .fetch_one(&mut *tx)
                .await?;
            return Ok(Start::Locked { holder: row.get(0), until: row.get(1) });
        }
        if let Some(throttled) = number_throttled(&mut tx, new.phone_key, limits, now).await? {
            tx.rollback().await?;
            return Ok(Start::Throttled(throttled));
        }
        // Both counters in one statement; a counter whose window has passed starts again at 1.
        let [short, long] = limits.number_caps();
        sqlx::query(
            "INSERT INTO throttles (key, window_start, hits) VALUES ($1, $3, 1), ($2, $3, 1)
             ON CONFLICT (key) DO UPDATE SET
                 hits = CASE WHEN throttles.window_start <= (CASE WHEN throttles.key = $1 THEN $4 ELSE $5 END)
                        THEN 1 ELSE throttles.hits + 1 END,
                 window_start = CASE WHEN throttles.window_start <= (CASE WHEN throttles.key = $1 THEN $4 ELSE $5 END)
                        THEN $3 ELSE throttles.window_start END",
        )
        .bind(short.key(new.phone_key))
        .bind(long.key(new.phone_key))
        .bind(now)
        .bind(now - short.window.as_millis() as i64)
        .bind(now - long.window.as_millis() as i64)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sign_ins (id, browser, phone, phone_key, state_hash, phase, created_at, deadline, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7)",
        )
        .bind(new.id)
        .bind(new.browser)
        .bind(new.phone)
        .bind(new.phone_key)
        .bind(new.state_hash)
        .bind(Phase::Sending.as_str())
        .bind(now)
        .bind(new.deadline)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, Some(new.id), "initiated", Some(new.phone_tag)).await?;
        tx.commit().await?;
        Ok(Start::Started(SignInRow {
            id: new.id.to_owned(),
            browser: new.browser.to_owned(),
            phone: new.phone.to_owned(),
            state_hash: new.state_hash.to_owned(),
            request_id: None,
            phase: Phase::Sending,
            access_token: None,
            profile_url: None,
            account_id: None,
            new_account: false,
            created_at: now,
            deadline: new.deadline,
            approved_at: None,
        }))
    }

    /// A secret this deployment generates once and keeps (e.g. the number-hash key): the first
    /// instance to ask creates it, every later one reads the same value.
    pub async fn secret(&self, name: &str) -> Result<String, sqlx::Error> {
        sqlx::query("INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(format!("{}{}", clock::random_token(), clock::random_token()))
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT value FROM app_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(row.get(0))
    }

    pub async fn sign_in(&self, id: &str) -> Result<Option<SignInRow>, sqlx::Error> {
        let sql = format!("SELECT {SIGN_IN_COLUMNS} FROM sign_ins WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(sign_in_from_row).transpose()
    }

    /// The sign-in a callback names: by the hash of the `state` we sent when the callback carries
    /// one (it is ours and unguessable), else by Truecaller's requestId.
    pub async fn sign_in_for_callback(
        &self,
        state_hash: Option<&str>,
        request_id: &str,
    ) -> Result<Option<SignInRow>, sqlx::Error> {
        let row = match state_hash {
            Some(hash) => {
                let sql = format!("SELECT {SIGN_IN_COLUMNS} FROM sign_ins WHERE state_hash = $1");
                sqlx::query(&sql).bind(hash).fetch_optional(&self.pool).await?
            }
            None => {
                let sql = format!("SELECT {SIGN_IN_COLUMNS} FROM sign_ins WHERE request_id = $1");
                sqlx::query(&sql).bind(request_id).fetch_optional(&self.pool).await?
            }
        };
        row.map(sign_in_from_row).transpose()
    }

    /// Moves a sign-in from `from` to `to` if it is still in `from`; false if something else moved
    /// it first. Leaving the lock-holding phases releases the number.
    pub async fn transition(&self, id: &str, from: Phase, to: Phase, changes: Changes<'_>) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let moved = transition_in(&mut tx, id, from, to, &changes).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Saves the account from a verified profile and moves the sign-in `Fetching → Approved` in
    /// one transaction: either both happen or neither.
    pub async fn approve(&self, id: &str, account: &AccountData<'_>) -> Result<Option<SavedAccount>, sqlx::Error> {
        let now = clock::now_ms();
        let details = serde_json::to_string(account.details).unwrap_or_else(|_| "[]".into());
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO accounts (provider, subject, phone, name, details, avatar_url, created_at, updated_at, sign_in_count)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1)
             ON CONFLICT (provider, subject) DO UPDATE SET phone = excluded.phone, name = excluded.name,
                 details = excluded.details, avatar_url = excluded.avatar_url, updated_at = excluded.updated_at,
                 sign_in_count = accounts.sign_in_count + 1
             RETURNING id, sign_in_count",
        )
        .bind(account.provider)
        .bind(account.subject)
        .bind(account.phone)
        .bind(account.name)
        .bind(details)
        .bind(account.avatar_url)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let saved = SavedAccount { id: row.get(0), new: row.get::<i64, _>(1) == 1 };
        let changes = Changes { account: Some(saved), ..Changes::default() };
        if !transition_in(&mut tx, id, Phase::Fetching, Phase::Approved, &changes).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(saved))
    }

    pub async fn account(&self, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
        let row = sqlx::query("SELECT phone, name, details, avatar_url, sign_in_count FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| AccountRow {
            phone: row.get(0),
            name: row.get(1),
            details: serde_json::from_str(row.get::<&str, _>(2)).unwrap_or_default(),
            avatar_url: row.get(3),
            sign_in_count: row.get(4),
        }))
    }

    /// Appends to the audit trail something that is not a phase move (those are recorded by
    /// the move itself). Numbers appear only as keyed tags.
    pub async fn record_event(&self, sign_in_id: Option<&str>, event: &str, detail: Option<&str>) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        insert_event(&mut conn, sign_in_id, event, detail).await
    }

    /// Audit events for one sign-in, oldest first (used by tests and operators).
    pub async fn events(&self, sign_in_id: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT event FROM sign_in_events WHERE sign_in_id IS $1 ORDER BY id")
            .bind(sign_in_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// Sign-ins still sending or waiting after their deadline.
    pub async fn overdue(&self, now: i64) -> Result<Vec<(String, Phase)>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, phase FROM sign_ins WHERE phase IN ('sending', 'waiting') AND deadline <= $1")
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.get(0), Phase::from_stored(r.get(1), None)?)))
            .collect())
    }

    /// Sign-ins whose profile fetch was interrupted (e.g. by a restart).
    pub async fn fetching(&self) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT id FROM sign_ins WHERE phase = 'fetching'").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }

    /// Forgets finished sign-ins, expired locks and old audit events.
    pub async fn purge(&self, before: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "DELETE FROM sign_ins WHERE updated_at < $1 AND phase NOT IN ('sending', 'waiting', 'fetching', 'approved')",
        )
            .bind(before)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM phone_locks WHERE locked_until < $1").bind(clock::now_ms()).execute(&self.pool).await?;
        sqlx::query("DELETE FROM throttles WHERE window_start < $1").bind(before).execute(&self.pool).await?;
        sqlx::query("DELETE FROM sign_in_events WHERE at < $1").bind(before).execute(&self.pool).await?;
        Ok(())
    }
}

/// Whether `phone_key` may not be prompted now: a cool-down after repeated rejections, or a
/// per-number cap reached within its window.
async fn number_throttled(
    conn: &mut SqliteConnection,
    phone_key: &str,
    limits: &Limits,
    now: i64,
) -> Result<Option<Throttled>, sqlx::Error> {
    let wait = |until: i64| std::time::Duration::from_millis((until - now).max(0) as u64);
    // The latest rejections that could still be pausing the number: the pause runs from the
    // latest one, and the ones counted must fall within DECLINE_WINDOW of it.
    let cooldown = limits.decline_cooldown.as_millis() as i64;
    let declines: Vec<i64> = sqlx::query_scalar(
        "SELECT updated_at FROM sign_ins WHERE phone_key = $1 AND phase = 'rejected' AND updated_at > $2
         ORDER BY updated_at DESC LIMIT $3",
    )
    .bind(phone_key)
    .bind(now - cooldown - DECLINE_WINDOW.as_millis() as i64)
    .bind(DECLINES_BEFORE_COOLDOWN as i64)
    .fetch_all(&mut *conn)
    .await?;
    if let (Some(latest), Some(earliest)) = (declines.first(), declines.get(DECLINES_BEFORE_COOLDOWN - 1)) {
        let until = latest + cooldown;
        if latest - earliest <= DECLINE_WINDOW.as_millis() as i64 && until > now {
            return Ok(Some(Throttled { cause: Throttle::RecentlyDeclined, retry_after: wait(until) }));
        }
    }
    let [short, long] = limits.number_caps();
    let counters = sqlx::query("SELECT key, window_start, hits FROM throttles WHERE key IN ($1, $2)")
        .bind(short.key(phone_key))
        .bind(long.key(phone_key))
        .fetch_all(&mut *conn)
        .await?;
    for row in counters {
        let cap = if row.get::<&str, _>(0) == short.key(phone_key) { short } else { long };
        let until = row.get::<i64, _>(1) + cap.window.as_millis() as i64;
        if until > now && row.get::<i64, _>(2) >= i64::from(cap.max) {
            return Ok(Some(Throttled { cause: Throttle::TooManyAttempts, retry_after: wait(until) }));
        }
    }
    Ok(None)
}

async fn insert_event(
    conn: &mut SqliteConnection,
    sign_in_id: Option<&str>,
    event: &str,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sign_in_events (sign_in_id, at, event, detail) VALUES ($1, $2, $3, $4)")
        .bind(sign_in_id)
        .bind(clock::now_ms())
        .bind(event)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The audit trail's name for arriving in `to`.
fn event_name(to: Phase) -> &'static str {
    match to {
        Phase::Completed => "signed_in",
        other => other.as_str(),
    }
}

async fn transition_in(
    conn: &mut SqliteConnection,
    id: &str,
    from: Phase,
    to: Phase,
    changes: &Changes<'_>,
) -> Result<bool, sqlx::Error> {
    let token = if to == Phase::Fetching { changes.access_token } else { None };
    let moved = sqlx::query(
        "UPDATE sign_ins SET phase = $1, failure = $2, updated_at = $3,
             request_id = COALESCE($4, request_id), access_token = $5,
             profile_url = COALESCE($6, profile_url), approved_at = COALESCE($7, approved_at),
             account_id = COALESCE($8, account_id), new_account = COALESCE($9, new_account)
         WHERE id = $10 AND phase = $11",
    )
    .bind(to.as_str())
    .bind(to.failure().map(|f| f.as_str()))
    .bind(clock::now_ms())
    .bind(changes.request_id)
    .bind(token)
    .bind(changes.profile_url)
    .bind(changes.approved_at)
    .bind(changes.account.map(|a| a.id))
    .bind(changes.account.map(|a| a.new))
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if moved && from.holds_lock() && !to.holds_lock() {
        sqlx::query("DELETE FROM phone_locks WHERE sign_in_id = $1").bind(id).execute(&mut *conn).await?;
    }
    if moved {
        // In the same transaction as the move: one commit, and the trail never misses a move.
        let detail = match (to, changes.account) {
            (Phase::Failed(reason), _) => Some(reason.as_str()),
            (Phase::Approved, Some(account)) if account.new => Some("new_account"),
            _ => None,
        };
        insert_event(conn, Some(id), event_name(to), detail).await?;
    }
    Ok(moved)
}

fn sign_in_from_row(row: sqlx::sqlite::SqliteRow) -> Result<SignInRow, sqlx::Error> {
    let phase_name: String = row.try_get("phase")?;
    let failure: Option<String> = row.try_get("failure")?;
    let phase = Phase::from_stored(&phase_name, failure.as_deref()).ok_or_else(|| {
        sqlx::Error::Decode(format!("unknown sign-in phase {phase_name:?} / {failure:?}").into())
    })?;
    Ok(SignInRow {
        id: row.try_get("id")?,
        browser: row.try_get("browser")?,
        phone: row.try_get("phone")?,
        state_hash: row.try_get("state_hash")?,
        request_id: row.try_get("request_id")?,
        phase,
        access_token: row.try_get("access_token")?,
        profile_url: row.try_get("profile_url")?,
        account_id: row.try_get("account_id")?,
        new_account: row.try_get("new_account")?,
        created_at: row.try_get("created_at")?,
        deadline: row.try_get("deadline")?,
        approved_at: row.try_get("approved_at")?,
    })
}

impl AccountRow {
    pub fn view(self, international_phone: String, new_account: bool) -> AccountView {
        AccountView {
            name: self.name,
            phone: international_phone,
            details: self.details,
            avatar_url: self.avatar_url,
            new_account,
            sign_in_count: self.sign_in_count,
        }
    }
}
