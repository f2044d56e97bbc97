//! How long what the app keeps is kept, and the sweep that removes what has outlived it. Live
//! sign-ins are never removed; finished ones hold the number typed, so they go first.

use std::time::Duration;

use sqlx::Row;

use super::{devices::SEEN_EVERY_MS, Engine, Store};
use crate::server::session::ABSOLUTE_LIFETIME_MS;

/// However active, a signed-in device lasts no longer than this.
const ABSOLUTE_LIFETIME: Duration = Duration::from_millis(ABSOLUTE_LIFETIME_MS as u64);

/// Every limit's window is at most a day: older counters can no longer refuse anything.
const COUNTERS_LAST: Duration = Duration::from_secs(24 * 60 * 60);

/// How long each kind of row is kept once it is no longer in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Finished sign-ins (they hold the number typed): from their last move.
    pub sign_ins: Duration,
    /// Audit events (numbers appear in them only as keyed tags): from when they happened.
    pub audit: Duration,
    /// Accounts nobody has signed in to for this long, with their identities; `None` keeps them.
    pub idle_accounts: Option<Duration>,
    /// A signed-in device unused this long is signed out (the session layer's idle expiry);
    /// none outlives `session::ABSOLUTE_LIFETIME_MS` from its sign-in.
    pub idle_devices: Duration,
}

/// What one sweep removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub sign_ins: u64,
    pub audit_events: u64,
    /// The accounts removed for idleness.
    pub accounts: Vec<i64>,
    pub devices: u64,
}

impl Store {
    /// Removes what has outlived `keep` at `now` (Unix ms), and expired locks and counters. With
    /// several instances on one PostgreSQL, one sweeps at a time: the others find the turn taken
    /// and skip this round (`None`).
    pub async fn purge(&self, keep: &Retention, now: i64) -> Result<Option<Removed>, sqlx::Error> {
        let turn = match self.engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let mut turn = self.pool.begin().await?;
                let mine: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext('purge'))")
                    .fetch_one(&mut *turn)
                    .await?;
                if !mine {
                    return Ok(None);
                }
                Some(turn)
            }
        };
        let before = |kept: Duration| now - kept.as_millis() as i64;
        let delete = |sql: &'static str, before: i64| async move {
            sqlx::query(sql).bind(before).execute(&self.pool).await.map(|done| done.rows_affected())
        };
        let mut removed = Removed {
            sign_ins: delete(
                "DELETE FROM sign_ins WHERE updated_at < $1 AND phase NOT IN ('sending', 'waiting', 'fetching', 'approved')",
                before(keep.sign_ins),
            )
            .await?,
            audit_events: delete("DELETE FROM sign_in_events WHERE at < $1", before(keep.audit)).await?,
            accounts: Vec::new(),
            devices: self.remove_expired_devices(before(keep.idle_devices), before(ABSOLUTE_LIFETIME)).await?,
        };
        delete("DELETE FROM phone_locks WHERE locked_until < $1", now).await?;
        delete("DELETE FROM throttles WHERE window_start < $1", before(COUNTERS_LAST)).await?;
        if let Some(idle) = keep.idle_accounts {
            removed.accounts = self.remove_idle_accounts(before(idle)).await?;
        }
        if let Some(turn) = turn {
            turn.commit().await?;
        }
        Ok(Some(removed))
    }

    /// Devices last seen before `idle_before` (their last-seen time lags by up to
    /// [`SEEN_EVERY_MS`], so they are given that much longer), or signed in before `signed_in_before`.
    async fn remove_expired_devices(&self, idle_before: i64, signed_in_before: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM devices WHERE last_seen_at < $1 OR signed_in_at < $2")
            .bind(idle_before - SEEN_EVERY_MS)
            .bind(signed_in_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Accounts last signed in to before `before`, with their identities; sign-ins that name one
    /// keep their row without it. A session still signed in to one is signed out on its next
    /// request (the account is gone).
    async fn remove_idle_accounts(&self, before: i64) -> Result<Vec<i64>, sqlx::Error> {
        let mut tx = self.begin_write(&["accounts"]).await?;
        let idle: Vec<i64> = sqlx::query("SELECT id FROM accounts WHERE updated_at < $1")
            .bind(before)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|row| row.get(0))
            .collect();
        let mut removed = Vec::with_capacity(idle.len());
        for id in idle {
            // Signed in to meanwhile (an approval takes no lock of this sweep's): it stays, whole.
            let still_idle = sqlx::query("SELECT 1 FROM accounts WHERE id = $1 AND updated_at < $2")
                .bind(id)
                .bind(before)
                .fetch_optional(&mut *tx)
                .await?;
            if still_idle.is_none() {
                continue;
            }
            sqlx::query("UPDATE sign_ins SET account_id = NULL WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM identities WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM devices WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM accounts WHERE id = $1").bind(id).execute(&mut *tx).await?;
            removed.push(id);
        }
        tx.commit().await?;
        Ok(removed)
    }
}
