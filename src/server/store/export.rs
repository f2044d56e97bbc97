//! Everything the store holds about one account, as the person downloads it: the account, the
//! ways in that vouched for it, the browsers signed in to it, the sign-ins that came to it and
//! their audit trails.

use serde::Serialize;
use sqlx::Row;

use super::Store;

/// One account's data. Times are Unix milliseconds, as stored.
#[derive(Debug, Serialize)]
pub struct AccountExport {
    pub name: String,
    /// The verified number (E.164 digits), when a way in vouched for one.
    pub phone: Option<String>,
    /// The profile details kept, as `[label, value]`.
    pub details: Vec<(String, String)>,
    pub avatar_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub sign_in_count: i64,
    pub identities: Vec<IdentityExport>,
    /// The browsers signed in to it now.
    pub devices: Vec<super::DeviceRow>,
    pub sign_ins: Vec<SignInExport>,
}

/// A way in: who vouched, under which id of theirs, and when.
#[derive(Debug, Serialize)]
pub struct IdentityExport {
    pub provider: String,
    /// The provider's stable id for the person.
    pub subject: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

/// A sign-in that came to the account, with its audit trail.
#[derive(Debug, Serialize)]
pub struct SignInExport {
    pub flow: Option<String>,
    pub phase: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub events: Vec<EventExport>,
}

#[derive(Debug, Serialize)]
pub struct EventExport {
    pub at: i64,
    pub event: String,
    pub detail: Option<String>,
}

impl Store {
    /// The account `id`'s data, or `None` if there is no such account.
    pub async fn export_account(&self, id: i64) -> Result<Option<AccountExport>, sqlx::Error> {
        let Some(account) = sqlx::query(
            "SELECT name, phone, details, avatar_url, created_at, updated_at, sign_in_count FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let identities = sqlx::query(
            "SELECT provider, subject, created_at, last_used_at FROM identities WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|row| IdentityExport {
            provider: row.get(0),
            subject: row.get(1),
            created_at: row.get(2),
            last_used_at: row.get(3),
        })
        .collect();
        let mut sign_ins = Vec::new();
        let rows = sqlx::query("SELECT id, flow, phase, created_at, updated_at FROM sign_ins WHERE account_id = $1 ORDER BY created_at")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let sign_in_id: String = row.get(0);
            let events = sqlx::query("SELECT at, event, detail FROM sign_in_events WHERE sign_in_id = $1 ORDER BY id")
                .bind(&sign_in_id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|event| EventExport { at: event.get(0), event: event.get(1), detail: event.get(2) })
                .collect();
            sign_ins.push(SignInExport {
                flow: row.get(1),
                phase: row.get(2),
                created_at: row.get(3),
                updated_at: row.get(4),
                events,
            });
        }
        Ok(Some(AccountExport {
            name: account.get(0),
            phone: account.get(1),
            details: serde_json::from_str(account.get::<&str, _>(2)).unwrap_or_default(),
            avatar_url: account.get(3),
            created_at: account.get(4),
            updated_at: account.get(5),
            sign_in_count: account.get(6),
            identities,
            devices: self.devices(id).await?,
            sign_ins,
        }))
    }
}
