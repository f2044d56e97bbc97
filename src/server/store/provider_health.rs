//! What providers last told any instance about our credentials, shared so that every instance's
//! readiness agrees (one instance meeting a refused key would otherwise be the only one to know).

use sqlx::Row;

use super::Store;
use crate::{domain::Provider, server::clock};

impl Store {
    /// Records whether `provider` refused our key on its latest answer. One statement that
    /// writes nothing while the verdict stays the same.
    pub async fn set_key_rejected(&self, provider: Provider, rejected: bool) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO provider_health (provider, key_rejected, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (provider) DO UPDATE SET key_rejected = excluded.key_rejected, updated_at = excluded.updated_at
             WHERE provider_health.key_rejected <> excluded.key_rejected",
        )
        .bind(provider.as_str())
        .bind(i64::from(rejected))
        .bind(clock::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether `provider` refused our key on its latest answer to any instance.
    pub async fn key_rejected(&self, provider: Provider) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT key_rejected FROM provider_health WHERE provider = $1")
            .bind(provider.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some_and(|row| row.get::<i64, _>(0) != 0))
    }
}
