//! Accounts (a person) and identities (a way in: provider and the provider's id for them). An
//! identity is linked to one account; a verified number joins a new identity to the account that
//! already holds that number (unless that provider already vouched for someone else there), so
//! one person keeps one account whichever way they come in.

use sqlx::{AnyConnection, Row};

use super::{sign_ins::transition_in, Changes, Engine, Store};
use crate::{
    domain::Provider,
    server::{clock, phase::Phase},
};

#[derive(Clone, Copy, Debug)]
pub struct SavedAccount {
    pub id: i64,
    pub new: bool,
}

/// An account's row, with what the account page needs.
pub struct AccountRow {
    /// The verified number (E.164 digits), when any way in has vouched for one.
    pub phone: Option<String>,
    pub name: String,
    pub details: Vec<(String, String)>,
    pub avatar_url: Option<String>,
    pub sign_in_count: i64,
    /// The ways in linked to the account, oldest first.
    pub providers: Vec<Provider>,
}

/// A person as a provider vouched for them.
pub struct Identity<'a> {
    pub provider: Provider,
    /// The provider's stable id for the person.
    pub subject: &'a str,
    /// A number the provider verified (E.164 digits).
    pub phone: Option<&'a str>,
    pub name: &'a str,
    /// Profile details to show; `None` leaves what the account has untouched.
    pub profile: Option<ProfileData<'a>>,
}

/// The details and picture an account page shows, as a provider shared them.
pub struct ProfileData<'a> {
    pub details: &'a [(String, String)],
    pub avatar_url: Option<&'a str>,
}

impl Store {
    /// Saves the account for a verified identity and moves the sign-in `from → to` (the phase
    /// machine's answer to the verification), in one transaction: either both happen or neither.
    /// `None` if the sign-in had moved on meanwhile.
    pub async fn approve(
        &self,
        id: &str,
        from: Phase,
        to: Phase,
        identity: &Identity<'_>,
    ) -> Result<Option<SavedAccount>, sqlx::Error> {
        // It reads before it writes; two approvals of one person, or of one number, take turns.
        let person = format!("identity:{}:{}", identity.provider.as_str(), identity.subject);
        let number = identity.phone.map(|phone| format!("phone:{phone}"));
        let keys: Vec<&str> = std::iter::once(person.as_str()).chain(number.as_deref()).collect();
        let mut tx = self.begin_write(&keys).await?;
        let saved = save_identity(&mut tx, identity).await?;
        let changes = Changes { account: Some(saved), ..Changes::default() };
        if !transition_in(&mut tx, id, from, to, &changes).await? {
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
        let Some(row) = row else {
            return Ok(None);
        };
        let providers: Vec<String> =
            sqlx::query_scalar("SELECT provider FROM identities WHERE account_id = $1 ORDER BY created_at, provider")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(Some(AccountRow {
            phone: row.get(0),
            name: row.get(1),
            details: serde_json::from_str(row.get::<&str, _>(2)).unwrap_or_default(),
            avatar_url: row.get(3),
            sign_in_count: row.get(4),
            providers: providers.iter().filter_map(|p| Provider::parse(p)).collect(),
        }))
    }

    /// The ways in that vouched for account `id`, oldest first, with when each last did (Unix ms).
    pub async fn ways_in(&self, id: i64) -> Result<Vec<(Provider, i64)>, sqlx::Error> {
        let rows = sqlx::query("SELECT provider, last_used_at FROM identities WHERE account_id = $1 ORDER BY created_at, provider")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().filter_map(|row| Some((Provider::parse(row.get::<&str, _>(0))?, row.get(1)))).collect())
    }

    /// Removes the account `id` at the person's request: the account, its identities, its
    /// devices, and the personal parts (the number, the account) of its sign-ins and of every
    /// finished sign-in started with its number (`number_key`, the number's keyed hash), in one
    /// transaction. Audit events name numbers only by keyed tags and stay. Returns the session ids
    /// of the devices that were signed in to it, or `None` if there was no such account.
    ///
    /// It takes the locks an approval of this person takes (each identity's, and the number's),
    /// so an approval running meanwhile either finishes first (its sign-in loses its account
    /// with the rest) or starts after, and finds no account to join.
    pub async fn delete_account(&self, id: i64, number_key: Option<&str>) -> Result<Option<Vec<String>>, sqlx::Error> {
        let mut tx = loop {
            let keys = self.approval_keys(&self.pool, id).await?;
            let mut tx = self.begin_write(&keys.iter().map(String::as_str).collect::<Vec<_>>()).await?;
            // An identity linked between the read and the locks is one more lock to take.
            if self.approval_keys(&mut *tx, id).await? == keys {
                break tx;
            }
            tx.rollback().await?;
        };
        // A sign-in of the number still under way is a new attempt, not the account's past: it
        // keeps what it needs to finish (and, approved, makes a new account).
        sqlx::query(
            "UPDATE sign_ins SET phone = NULL, account_id = NULL, profile_url = NULL, provider_token = NULL
             WHERE account_id = $1
                OR (phone_key IS NOT NULL AND phone_key = $2 AND phase NOT IN ('sending', 'waiting', 'fetching'))",
        )
        .bind(id)
        .bind(number_key)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM identities WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
        let sessions: Vec<String> = sqlx::query_scalar("DELETE FROM devices WHERE account_id = $1 RETURNING session_id")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM accounts WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0;
        tx.commit().await?;
        if deleted && self.engine == Engine::Sqlite {
            // The write-ahead log still holds the pages as they were before: write them back
            // (overwritten, `secure_delete`) and empty it. Best effort: a reader holding an old
            // snapshot only delays this to a later checkpoint.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await;
        }
        Ok(deleted.then_some(sessions))
    }

    /// The locks an approval joining account `id` would take (`approve`), in the order every
    /// writer takes them: the account's number and each of its identities.
    async fn approval_keys<'c>(&self, conn: impl sqlx::Executor<'c, Database = sqlx::Any>, id: i64) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT 'identity:' || provider || ':' || subject FROM identities WHERE account_id = $1
             UNION ALL SELECT 'phone:' || phone FROM accounts WHERE id = $1 AND phone IS NOT NULL",
        )
        .bind(id)
        .fetch_all(conn)
        .await?;
        let mut keys: Vec<String> = rows.into_iter().map(|row| row.get(0)).collect();
        keys.sort();
        Ok(keys)
    }
}

/// The identity's account: the one it is linked to, else the one holding its verified number,
/// else a new one. The account then takes the identity's name, number (unless another account
/// holds it) and, when given, profile details, and counts the sign-in.
///
/// This runs inside the approval's write transaction, so every statement here is a round trip
/// made while SQLite's one write lock is held: three for any identity (a new account is written
/// whole by its insert, and both lookups are one query).
async fn save_identity(conn: &mut AnyConnection, identity: &Identity<'_>) -> Result<SavedAccount, sqlx::Error> {
    let now = clock::now_ms();
    let provider = identity.provider.as_str();
    // The number's account counts only if this provider has not vouched for someone there yet:
    // two people whose DigiLocker identities share a mobile (a family's one phone) must not
    // share an account.
    let found = sqlx::query(
        "SELECT (SELECT account_id FROM identities WHERE provider = $1 AND subject = $2),
                (SELECT id FROM accounts WHERE phone = $3 AND NOT EXISTS
                    (SELECT 1 FROM identities i WHERE i.account_id = accounts.id AND i.provider = $1))",
    )
    .bind(provider)
    .bind(identity.subject)
    .bind(identity.phone)
    .fetch_one(&mut *conn)
    .await?;
    let (linked, by_number): (Option<i64>, Option<i64>) = (found.try_get(0)?, found.try_get(1)?);
    let details = identity.profile.as_ref().map(|p| serde_json::to_string(p.details).unwrap_or_else(|_| "[]".into()));
    let avatar_url = identity.profile.as_ref().and_then(|p| p.avatar_url);
    let (account_id, new) = match linked.or(by_number) {
        Some(id) => {
            sqlx::query(
                "UPDATE accounts SET name = $1, updated_at = $2, sign_in_count = sign_in_count + 1,
                     phone = CASE WHEN $3 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts other WHERE other.phone = $3 AND other.id <> $6)
                             THEN $3 ELSE phone END,
                     details = CASE WHEN $7 THEN $4 ELSE details END,
                     avatar_url = CASE WHEN $7 THEN $5 ELSE avatar_url END
                 WHERE id = $6",
            )
            .bind(identity.name)
            .bind(now)
            .bind(identity.phone)
            .bind(details.as_deref().unwrap_or("[]"))
            .bind(avatar_url)
            .bind(id)
            .bind(identity.profile.is_some())
            .execute(&mut *conn)
            .await?;
            (id, false)
        }
        None => {
            let id = sqlx::query_scalar(
                "INSERT INTO accounts (name, phone, details, avatar_url, created_at, updated_at, sign_in_count)
                 VALUES ($1, CASE WHEN $2 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts other WHERE other.phone = $2)
                                  THEN $2 END,
                         $3, $4, $5, $5, 1)
                 RETURNING id",
            )
            .bind(identity.name)
            .bind(identity.phone)
            .bind(details.as_deref().unwrap_or("[]"))
            .bind(avatar_url)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            (id, true)
        }
    };
    if linked.is_some() {
        sqlx::query("UPDATE identities SET last_used_at = $1 WHERE provider = $2 AND subject = $3")
            .bind(now)
            .bind(provider)
            .bind(identity.subject)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO identities (provider, subject, account_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(provider)
        .bind(identity.subject)
        .bind(account_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(SavedAccount { id: account_id, new })
}
