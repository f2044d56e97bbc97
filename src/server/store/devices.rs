//! The browsers signed in to each account (migration 0009): written when a session signs in,
//! read on each signed-in request, removed when the session ends, its account goes, or it
//! outlives its limits (`Store::purge`).

use sqlx::Row;

use super::Store;

/// A session that has just signed in.
pub struct NewDevice<'a> {
    pub id: &'a str,
    pub account_id: i64,
    pub session_id: &'a str,
    pub browser: &'a str,
    pub platform: &'a str,
    pub network: &'a str,
    pub provider: &'a str,
    pub now: i64,
}

/// A signed-in session as the account page lists it (and the downloaded data holds it, without
/// the id its form names).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeviceRow {
    #[serde(skip)]
    pub id: String,
    pub browser: String,
    pub platform: String,
    pub network: String,
    pub provider: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
}

/// A signed-in device found on a request.
pub struct Seen {
    /// Its last-seen time was moved on.
    pub moved: bool,
    /// The way in it signed in with (`''` when not known).
    pub provider: String,
}

/// A device's last-seen time is written at most this often (a status poll every few seconds
/// must not be a write each).
pub const SEEN_EVERY_MS: i64 = 60_000;

impl Store {
    /// Records a session signing in to an account, in place of `replacing` (the device this
    /// session was signed in as before, if any: signing in again is not a second device).
    pub async fn add_device(&self, device: &NewDevice<'_>, replacing: Option<&str>) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if let Some(old) = replacing {
            sqlx::query("DELETE FROM devices WHERE id = $1").bind(old).execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO devices (id, account_id, session_id, browser, platform, network, provider, signed_in_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(device.id)
        .bind(device.account_id)
        .bind(device.session_id)
        .bind(device.browser)
        .bind(device.platform)
        .bind(device.network)
        .bind(device.provider)
        .bind(device.now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Device `id` as it stands, if it is still signed in to `account_id`; its last-seen time
    /// moves to `now` when it is more than [`SEEN_EVERY_MS`] old (`Seen::moved` says so, for the
    /// caller to keep the session's own idle clock in step).
    pub async fn seen(&self, id: &str, account_id: i64, now: i64) -> Result<Option<Seen>, sqlx::Error> {
        let row = sqlx::query("SELECT last_seen_at, provider FROM devices WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (last, provider): (i64, String) = (row.get(0), row.get(1));
        let moved = now - last >= SEEN_EVERY_MS;
        if moved {
            sqlx::query("UPDATE devices SET last_seen_at = $1 WHERE id = $2").bind(now).bind(id).execute(&self.pool).await?;
        }
        Ok(Some(Seen { moved, provider }))
    }

    /// The devices signed in to `account_id`, the most recently seen first.
    pub async fn devices(&self, account_id: i64) -> Result<Vec<DeviceRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, browser, platform, network, provider, signed_in_at, last_seen_at FROM devices
             WHERE account_id = $1 ORDER BY last_seen_at DESC, signed_in_at DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| DeviceRow {
                id: row.get(0),
                browser: row.get(1),
                platform: row.get(2),
                network: row.get(3),
                provider: row.get(4),
                signed_in_at: row.get(5),
                last_seen_at: row.get(6),
            })
            .collect())
    }

    /// Signs devices of `account_id` out: the one named `only`, or every one but `keep`. Returns
    /// the session ids whose records are to go too.
    pub async fn remove_devices(&self, account_id: i64, only: Option<&str>, keep: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "DELETE FROM devices WHERE account_id = $1 AND ($2 IS NULL OR id = $2) AND ($3 IS NULL OR id <> $3)
             RETURNING session_id",
        )
        .bind(account_id)
        .bind(only)
        .bind(keep)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|row| row.get(0)).collect())
    }
}
