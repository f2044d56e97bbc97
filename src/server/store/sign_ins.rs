//! Sign-in rows: recording an attempt (with its number's lock and counters when it has a number),
//! finding it again, and the compare-and-set phase move with its audit row.

use sqlx::{AnyConnection, Row};

use super::{
    insert_event,
    limits::{self, NumberHistory, NumberQuery},
    SavedAccount, Store,
};
use crate::{
    domain::{Flow, Provider},
    server::{clock, phase::Phase},
};

/// A sign-in as stored.
#[derive(Clone)]
pub struct SignInRow {
    pub id: String,
    pub flow: Flow,
    pub browser: String,
    /// The number typed, as E.164 digits, when the attempt started from one.
    pub phone: Option<String>,
    /// SHA-256 of the `state` we sent (Truecaller desktop).
    pub state_hash: Option<String>,
    /// The provider's id for the attempt: Truecaller's requestId, Sandbox's session id.
    pub provider_ref: Option<String>,
    pub phase: Phase,
    /// Truecaller's access token, held only between the approval and the profile fetch.
    pub provider_token: Option<String>,
    pub profile_url: Option<String>,
    pub account_id: Option<i64>,
    /// Whether the approval created the account (rather than signed into an existing one).
    pub new_account: bool,
    pub created_at: i64,
    pub deadline: i64,
    pub approved_at: Option<i64>,
}

impl SignInRow {
    /// Who vouches for the person at the end of this sign-in.
    pub fn provider(&self) -> Provider {
        self.flow.provider()
    }
}

/// The row for logs and test failures: its phase and times, never the number, the token, the
/// profile URL or the browser's key hash.
impl std::fmt::Debug for SignInRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("SignInRow")
            // Enough of the id to follow it through the logs (which print the same prefix).
            .field("id", &self.id.get(..8).unwrap_or(&self.id))
            .field("flow", &self.flow)
            .field("phase", &self.phase)
            .field("phone", &redacted(&self.phone))
            .field("provider_token", &redacted(&self.provider_token))
            .field("profile_url", &redacted(&self.profile_url))
            .field("account_id", &self.account_id)
            .field("new_account", &self.new_account)
            .field("created_at", &self.created_at)
            .field("deadline", &self.deadline)
            .field("approved_at", &self.approved_at)
            .finish_non_exhaustive()
    }
}

/// What a new sign-in starts with.
pub struct NewSignIn<'a> {
    pub id: &'a str,
    pub flow: Flow,
    pub browser: &'a str,
    pub number: Option<TypedNumber<'a>>,
    pub state_hash: Option<&'a str>,
    pub provider_ref: Option<&'a str>,
    pub deadline: i64,
}

/// The number an attempt was started with, and what its lock and limits are keyed by.
pub struct TypedNumber<'a> {
    pub digits: &'a str,
    /// The number's keyed hash (`NumberKeys::key`): what locks and limits are keyed by.
    pub key: &'a str,
    /// The number's short tag for the audit trail (`NumberKeys::tag`).
    pub tag: &'a str,
    pub lock_until: i64,
    pub query: NumberQuery,
}

/// Result of trying to start a sign-in. `R`: the rules' reason to refuse a number (the store
/// only hands it back).
pub enum Start<R> {
    /// The new sign-in, as stored.
    Started(SignInRow),
    /// Another sign-in holds the number until `until` (Unix ms).
    Locked { holder: String, until: i64 },
    /// The rules refused the number on its history (e.g. it had its share of prompts for now).
    Refused(R),
}

/// Data a transition writes besides the phase.
#[derive(Clone, Copy, Default)]
pub struct Changes<'a> {
    pub provider_ref: Option<&'a str>,
    /// Stored only on the move into `Fetching`; every other move clears it.
    pub provider_token: Option<&'a str>,
    pub profile_url: Option<&'a str>,
    pub approved_at: Option<i64>,
    pub account: Option<SavedAccount>,
}

const SIGN_IN_COLUMNS: &str = "id, flow, provider, browser, phone, state_hash, provider_ref, phase, failure, \
     provider_token, profile_url, account_id, new_account, created_at, deadline, approved_at";

impl Store {
    /// Records a sign-in in `Sending`. One with a number first takes the number's lock and asks
    /// `verdict` about the number's history, then counts the prompt, all in one transaction: two
    /// browsers racing for one number cannot both get a prompt sent, and a refused attempt
    /// changes nothing.
    pub async fn start<R>(
        &self,
        new: &NewSignIn<'_>,
        verdict: impl FnOnce(&NumberHistory) -> Option<R>,
    ) -> Result<Start<R>, sqlx::Error> {
        let now = clock::now_ms();
        let mut tx = self.pool.begin().await?;
        if let Some(number) = &new.number {
            let taken = sqlx::query(
                "INSERT INTO phone_locks (phone_key, sign_in_id, locked_until) VALUES ($1, $2, $3)
                 ON CONFLICT (phone_key) DO UPDATE SET sign_in_id = excluded.sign_in_id, locked_until = excluded.locked_until
                 WHERE phone_locks.locked_until <= $4",
            )
            .bind(number.key)
            .bind(new.id)
            .bind(number.lock_until)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !taken {
                let row = sqlx::query("SELECT sign_in_id, locked_until FROM phone_locks WHERE phone_key = $1")
                    .bind(number.key)
                    .fetch_one(&mut *tx)
                    .await?;
                return Ok(Start::Locked { holder: row.get(0), until: row.get(1) });
            }
            let history = limits::history(&mut tx, number.key, &number.query).await?;
            if let Some(refusal) = verdict(&history) {
                tx.rollback().await?;
                return Ok(Start::Refused(refusal));
            }
            limits::count_prompt(&mut tx, number.key, &number.query.caps, now).await?;
        }
        sqlx::query(
            "INSERT INTO sign_ins (id, provider, browser, phone, phone_key, state_hash, provider_ref, phase, created_at,
                                   deadline, updated_at, flow)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $11)",
        )
        .bind(new.id)
        .bind(new.flow.provider().as_str())
        .bind(new.browser)
        .bind(new.number.as_ref().map(|n| n.digits))
        .bind(new.number.as_ref().map(|n| n.key))
        .bind(new.state_hash)
        .bind(new.provider_ref)
        .bind(Phase::Sending.as_str())
        .bind(now)
        .bind(new.deadline)
        .bind(new.flow.as_str())
        .execute(&mut *tx)
        .await?;
        let detail = new.number.as_ref().map_or(new.flow.provider().as_str(), |n| n.tag);
        insert_event(&mut tx, Some(new.id), "initiated", Some(detail)).await?;
        tx.commit().await?;
        Ok(Start::Started(SignInRow {
            id: new.id.to_owned(),
            flow: new.flow,
            browser: new.browser.to_owned(),
            phone: new.number.as_ref().map(|n| n.digits.to_owned()),
            state_hash: new.state_hash.map(str::to_owned),
            provider_ref: new.provider_ref.map(str::to_owned),
            phase: Phase::Sending,
            provider_token: None,
            profile_url: None,
            account_id: None,
            new_account: false,
            created_at: now,
            deadline: new.deadline,
            approved_at: None,
        }))
    }

    pub async fn sign_in(&self, id: &str) -> Result<Option<SignInRow>, sqlx::Error> {
        self.sign_in_where("id = $1", id).await
    }

    /// The sign-in we sent this `state` for (stored hashed).
    pub async fn sign_in_by_state(&self, state_hash: &str) -> Result<Option<SignInRow>, sqlx::Error> {
        self.sign_in_where("state_hash = $1", state_hash).await
    }

    /// The sign-in a provider knows by `provider_ref` (Truecaller's requestId, Sandbox's session id).
    pub async fn sign_in_by_ref(&self, provider: Provider, provider_ref: &str) -> Result<Option<SignInRow>, sqlx::Error> {
        let sql = format!("SELECT {SIGN_IN_COLUMNS} FROM sign_ins WHERE provider = $1 AND provider_ref = $2");
        let row = sqlx::query(&sql).bind(provider.as_str()).bind(provider_ref).fetch_optional(&self.pool).await?;
        row.map(sign_in_from_row).transpose()
    }

    async fn sign_in_where(&self, condition: &str, value: &str) -> Result<Option<SignInRow>, sqlx::Error> {
        let sql = format!("SELECT {SIGN_IN_COLUMNS} FROM sign_ins WHERE {condition}");
        let row = sqlx::query(&sql).bind(value).fetch_optional(&self.pool).await?;
        row.map(sign_in_from_row).transpose()
    }

    /// Moves a sign-in from `from` to `to` if it is still in `from`; false if something else moved
    /// it first. Leaving the lock-holding phases releases the number, in the same transaction;
    /// any other move is one statement.
    pub async fn transition(&self, id: &str, from: Phase, to: Phase, changes: Changes<'_>) -> Result<bool, sqlx::Error> {
        if !releases_lock(from, to) {
            let mut conn = self.pool.acquire().await?;
            return transition_in(&mut conn, id, from, to, &changes).await;
        }
        let mut tx = self.begin_write(&[]).await?;
        let moved = transition_in(&mut tx, id, from, to, &changes).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Moves an unanswered sign-in's deadline from `from` to `to` (the person asked for more
    /// time); false if it was answered, timed out or extended meanwhile. Audited.
    pub async fn extend_deadline(&self, id: &str, from: i64, to: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let extended = sqlx::query(
            "UPDATE sign_ins SET deadline = $1, updated_at = $2
             WHERE id = $3 AND deadline = $4 AND phase IN ('sending', 'waiting')",
        )
        .bind(to)
        .bind(clock::now_ms())
        .bind(id)
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if extended {
            insert_event(&mut tx, Some(id), "more_time", Some(&format!("{}s", (to - from) / 1000))).await?;
        }
        tx.commit().await?;
        Ok(extended)
    }

    /// Sign-ins still sending or waiting after their deadline.
    pub async fn overdue(&self, now: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM sign_ins WHERE phase IN ('sending', 'waiting') AND deadline <= $1")
            .bind(now)
            .fetch_all(&self.pool)
            .await
    }

    /// Sign-ins waiting for a profile fetch that nobody holds: not started yet, or its holder's
    /// lease lapsed (the instance stopped or died mid-fetch).
    pub async fn fetching(&self, now: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT id FROM sign_ins WHERE phase = 'fetching' AND (fetch_lease_until IS NULL OR fetch_lease_until <= $1)",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// Claims (or, for its `holder`, renews) the profile fetch of a sign-in in `Fetching` until
    /// `until`. False when another holder's lease runs, or the fetch is over. One statement: two
    /// instances claiming at once are serialised on the row, and the second sees the first's lease.
    pub async fn lease_fetch(&self, id: &str, holder: &str, now: i64, until: i64) -> Result<bool, sqlx::Error> {
        let leased = sqlx::query(
            "UPDATE sign_ins SET fetch_holder = $1, fetch_lease_until = $2
             WHERE id = $3 AND phase = 'fetching'
               AND (fetch_holder IS NULL OR fetch_holder = $1 OR fetch_lease_until <= $4)",
        )
        .bind(holder)
        .bind(until)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(leased == 1)
    }
}

fn releases_lock(from: Phase, to: Phase) -> bool {
    from.holds_lock() && !to.holds_lock()
}

/// The move itself, in the caller's transaction, with the number's lock when the move releases
/// it. The audit row (and on PostgreSQL the announcement to other instances) is written by the
/// database with the move (`sign_in_moved` in the migrations): they commit together or not at all.
pub(super) async fn transition_in(
    conn: &mut AnyConnection,
    id: &str,
    from: Phase,
    to: Phase,
    changes: &Changes<'_>,
) -> Result<bool, sqlx::Error> {
    let token = if to == Phase::Fetching { changes.provider_token } else { None };
    let moved = sqlx::query(
        "UPDATE sign_ins SET phase = $1, failure = $2, updated_at = $3,
             provider_ref = COALESCE($4, provider_ref), provider_token = $5,
             profile_url = COALESCE($6, profile_url), approved_at = COALESCE($7, approved_at),
             account_id = COALESCE($8, account_id), new_account = COALESCE($9, new_account)
         WHERE id = $10 AND phase = $11",
    )
    .bind(to.as_str())
    .bind(to.failure().map(|f| f.as_str()))
    .bind(clock::now_ms())
    .bind(changes.provider_ref)
    .bind(token)
    .bind(changes.profile_url)
    .bind(changes.approved_at)
    .bind(changes.account.map(|a| a.id))
    .bind(changes.account.map(|a| i64::from(a.new)))
    .bind(id)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if moved && releases_lock(from, to) {
        sqlx::query("DELETE FROM phone_locks WHERE sign_in_id = $1").bind(id).execute(&mut *conn).await?;
    }
    Ok(moved)
}

fn sign_in_from_row(row: sqlx::any::AnyRow) -> Result<SignInRow, sqlx::Error> {
    let phase_name: String = row.try_get("phase")?;
    let failure: Option<String> = row.try_get("failure")?;
    let phase = Phase::from_stored(&phase_name, failure.as_deref()).ok_or_else(|| {
        sqlx::Error::Decode(format!("unknown sign-in phase {phase_name:?} / {failure:?}").into())
    })?;
    let phone: Option<String> = row.try_get("phone")?;
    let state_hash: Option<String> = row.try_get("state_hash")?;
    let flow = match row.try_get::<Option<String>, _>("flow")? {
        Some(name) => Flow::parse(&name).ok_or_else(|| sqlx::Error::Decode(format!("unknown flow {name:?}").into()))?,
        // Written by an older version still sharing the database (a rolling upgrade), which names
        // no flow: the one it inferred, from the columns left empty (migrations 0008).
        None => match row.try_get::<String, _>("provider")?.as_str() {
            "digilocker" => Flow::DigiLocker,
            _ if phone.is_none() && state_hash.is_none() => Flow::OneTap,
            _ => Flow::Desktop,
        },
    };
    Ok(SignInRow {
        id: row.try_get("id")?,
        flow,
        browser: row.try_get("browser")?,
        phone,
        state_hash,
        provider_ref: row.try_get("provider_ref")?,
        phase,
        provider_token: row.try_get("provider_token")?,
        profile_url: row.try_get("profile_url")?,
        account_id: row.try_get("account_id")?,
        // Flags are stored as 0/1 on every engine.
        new_account: row.try_get::<i64, _>("new_account")? != 0,
        created_at: row.try_get("created_at")?,
        deadline: row.try_get("deadline")?,
        approved_at: row.try_get("approved_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_no_number_token_or_browser() {
        let row = SignInRow {
            id: "abcdefgh-rest-of-the-id".into(),
            flow: Flow::Desktop,
            browser: "browser-key-hash".into(),
            phone: Some("919999999999".into()),
            state_hash: Some("state-hash".into()),
            provider_ref: Some("request-id".into()),
            phase: Phase::Fetching,
            provider_token: Some("access-token".into()),
            profile_url: Some("https://profile4.truecaller.com/v1/default".into()),
            account_id: None,
            new_account: false,
            created_at: 1,
            deadline: 2,
            approved_at: Some(3),
        };
        let debug = format!("{row:?}");
        for secret in ["919999999999", "access-token", "browser-key-hash", "state-hash", "request-id", "profile4", "rest-of-the-id"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("abcdefgh") && debug.contains("Fetching"), "{debug}");
    }
}
