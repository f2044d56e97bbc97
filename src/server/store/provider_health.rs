//! What providers last told any instance about our credentials, shared so that every instance's
//! readiness agrees (one instance meeting a refused key would otherwise be the only one to know).

use std::time::Duration;

use sqlx::Row;

use super::Store;
use crate::{domain::Provider, server::clock};

/// How long a refusal of our key keeps instances not ready. A load balancer sends nothing to
/// instances that are not ready, so no request would ever ask the provider again and clear it:
/// after this the instances are ready again, and the next sign-in asks (a key still refused makes
/// them not ready for as long again).
pub const KEY_VERDICT_LASTS: Duration = Duration::from_secs(10 * 60);

impl Store {
    /// Records whether `provider` refused our key on its latest answer. One statement that
    /// writes nothing while an accepted key stays accepted; each refusal renews the verdict.
    pub async fn set_key_rejected(&self, provider: Provider, rejected: bool) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO provider_health (provider, key_rejected, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (provider) DO UPDATE SET key_rejected = excluded.key_rejected, updated_at = excluded.updated_at
             WHERE provider_health.key_rejected <> excluded.key_rejected OR excluded.key_rejected <> 0",
        )
        .bind(provider.as_str())
        .bind(i64::from(rejected))
        .bind(clock::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether `provider` refused our key on its latest answer to any instance, within
    /// [`KEY_VERDICT_LASTS`].
    pub async fn key_rejected(&self, provider: Provider) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT key_rejected, updated_at FROM provider_health WHERE provider = $1")
            .bind(provider.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let since = clock::now_ms() - KEY_VERDICT_LASTS.as_millis() as i64;
        Ok(row.is_some_and(|row| row.get::<i64, _>(0) != 0 && row.get::<i64, _>(1) > since))
    }
}
