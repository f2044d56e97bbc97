//! The session layer over the database's engine: tower-sessions has a store per engine, so this
//! is where the engines a build has (`sqlite`, `postgres` features) are named.

use std::sync::Arc;

use axum::Router;
use tower_sessions::{cookie::SameSite, ExpiredDeletion, Expiry, SessionManagerLayer, SessionStore};
#[cfg(feature = "postgres")]
use tower_sessions_sqlx_store::PostgresStore;
#[cfg(feature = "sqlite")]
use tower_sessions_sqlx_store::SqliteStore;

use super::StartupError;
use crate::server::{
    session::SessionRecords,
    store::{SessionPool, Store},
};

/// The session layer, of the engine's store.
#[derive(Clone)]
pub(super) enum Sessions {
    #[cfg(feature = "sqlite")]
    Sqlite(SessionManagerLayer<SqliteStore>),
    #[cfg(feature = "postgres")]
    Postgres(SessionManagerLayer<PostgresStore>),
}

impl Sessions {
    /// The session records on `pool`, read by held status requests before the session layer runs
    /// (`hold`) and removed for devices signed out elsewhere.
    pub(super) fn records(pool: &SessionPool) -> SessionRecords {
        match pool {
            #[cfg(feature = "sqlite")]
            SessionPool::Sqlite(pool) => Arc::new(SqliteStore::new(pool.clone())),
            #[cfg(feature = "postgres")]
            SessionPool::Postgres(pool) => Arc::new(PostgresStore::new(pool.clone())),
        }
    }

    /// The layer over `pool`: its table made ready (by one instance at a time), expired sessions
    /// deleted every minute.
    pub(super) async fn open(
        pool: SessionPool,
        #[cfg_attr(not(feature = "postgres"), allow(unused_variables))] store: &Store,
        https: bool,
        idle: time::Duration,
    ) -> Result<Self, StartupError> {
        Ok(match pool {
            #[cfg(feature = "sqlite")]
            SessionPool::Sqlite(pool) => Self::Sqlite(session_layer(SqliteStore::new(pool), https, idle).await?),
            #[cfg(feature = "postgres")]
            SessionPool::Postgres(pool) => {
                Self::Postgres(store.one_start_at_a_time(session_layer(PostgresStore::new(pool), https, idle)).await??)
            }
        })
    }

    /// `router` behind the layer.
    pub(super) fn apply<S: Clone + Send + Sync + 'static>(self, router: Router<S>) -> Router<S> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(layer) => router.layer(layer),
            #[cfg(feature = "postgres")]
            Self::Postgres(layer) => router.layer(layer),
        }
    }
}

/// The session layer over `store`: its table made ready, expired sessions deleted every minute.
async fn session_layer<S>(store: S, https: bool, idle: time::Duration) -> Result<SessionManagerLayer<S>, StartupError>
where
    S: SessionStore + ExpiredDeletion + Clone + Migrate,
{
    store.prepare().await.map_err(StartupError::Sessions)?;
    tokio::spawn(store.clone().continuously_delete_expired(tokio::time::Duration::from_secs(60)));
    Ok(SessionManagerLayer::new(store)
        .with_name(session_cookie(https))
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle)))
}

/// `__Host-` makes browsers refuse the cookie unless it is Secure, host-only, Path=/.
pub(super) fn session_cookie(https: bool) -> &'static str {
    if https {
        "__Host-session"
    } else {
        "session"
    }
}

/// Creating a session store's table: each tower-sessions store has its own `migrate`.
trait Migrate {
    async fn prepare(&self) -> Result<(), String>;
}

#[cfg(feature = "sqlite")]
impl Migrate for SqliteStore {
    async fn prepare(&self) -> Result<(), String> {
        self.migrate().await.map_err(|e| e.to_string())
    }
}

#[cfg(feature = "postgres")]
impl Migrate for PostgresStore {
    async fn prepare(&self) -> Result<(), String> {
        self.migrate().await.map_err(|e| e.to_string())
    }
}
