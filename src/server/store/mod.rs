//! Everything the app keeps in its database: sign-ins, number locks and limits, accounts and
//! their identities, the audit trail. Storage only: it stores and reads back, and the rules that
//! decide (`sign_in`, `throttle`) hand it their verdicts. Queries are plain SQL kept portable
//! between SQLite and Postgres (upserts, RETURNING, `$n` parameters, flags stored as 0/1), run
//! through sqlx's `Any` driver, so the rules never know the engine. What the engine decides is
//! here: how to connect, its migrations (`migrations/<engine>/`), how a write transaction starts.

mod accounts;
mod devices;
mod export;
mod inbox;
mod limits;
mod notices;
mod provider_health;
mod retention;
mod sign_ins;

#[cfg(feature = "sqlite")]
use std::{path::Path, str::FromStr, time::Duration};

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("the server (feature `ssr`) needs a database engine: enable the `sqlite` or `postgres` feature, or both");

use sqlx::{any::AnyPoolOptions, AnyConnection, AnyPool, Row};
#[cfg(feature = "postgres")]
use sqlx::{postgres::PgPoolOptions, PgPool};
#[cfg(feature = "sqlite")]
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Executor, SqlitePool,
};

pub use accounts::{AccountRow, Identity, ProfileData, SavedAccount};
pub use devices::{DeviceRow, NewDevice, Seen, SEEN_EVERY_MS};
pub use export::{AccountExport, EventExport, IdentityExport, SignInExport};
pub use inbox::{InboxRow, Received};
pub use limits::{Cap, NumberHistory, NumberQuery, RequestCount};
pub use notices::{Heard, MoveListener, LISTENER_NAME};
pub use provider_health::KEY_VERDICT_LASTS;
pub use retention::{Removed, Retention};
pub use sign_ins::{Changes, NewSignIn, SignInRow, Start, TypedNumber};

use super::clock;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Truecaller's callbacks as they arrive (`inbox`): a pool of their own, so acknowledging one
    /// never waits for a connection busy completing sign-ins; on SQLite also a file of its own,
    /// so it never waits for the main file's one writer.
    inbox: AnyPool,
    engine: Engine,
    /// PostgreSQL's URL, for the connection that listens for other instances' moves.
    #[cfg(feature = "postgres")]
    shared_url: Option<String>,
}

impl std::fmt::Debug for Store {
    // Not the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("engine", &self.engine).finish_non_exhaustive()
    }
}

/// The database engine behind `DATABASE_URL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `sqlite:`: one file, one instance.
    Sqlite,
    /// `postgres://` or `postgresql://`: shared by several instances.
    Postgres,
}

impl Engine {
    pub fn of(database_url: &str) -> Option<Self> {
        if database_url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// Whether this build has the engine: its Cargo feature, named by [`Self::feature`].
    pub const fn built_in(self) -> bool {
        match self {
            Self::Sqlite => cfg!(feature = "sqlite"),
            Self::Postgres => cfg!(feature = "postgres"),
        }
    }

    /// The Cargo feature that builds the engine in.
    pub const fn feature(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// What a URL naming an engine this build lacks is told (configuration checks it first).
    fn missing(self) -> sqlx::Error {
        sqlx::Error::Configuration(format!("this build has no {} (the `{}` Cargo feature)", self.feature(), self.feature()).into())
    }
}

/// A pool of the engine's own type, for the session store (tower-sessions has one per engine).
pub enum SessionPool {
    #[cfg(feature = "sqlite")]
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
}

/// How every SQLite connection is set up. With WAL, `synchronous = NORMAL` never corrupts the
/// database; it only skips the fsync per commit (a power cut may lose the last moments, a crashed
/// process loses nothing).
/// `secure_delete`: a removed row's bytes are overwritten, not left in a free page of the file
/// (an account deleted at the person's request must not stay readable in it).
#[cfg(feature = "sqlite")]
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; \
     PRAGMA foreign_keys = ON; PRAGMA cache_size = -512; PRAGMA secure_delete = ON;";

impl Store {
    /// Opens and migrates the database (SQLite: creating the file and its folder if missing).
    pub async fn connect(database_url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let engine = Engine::of(database_url)
            .ok_or_else(|| sqlx::Error::Configuration("DATABASE_URL is neither sqlite: nor postgres://".into()))?;
        let (pool, inbox) = match engine {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite => {
                let options = sqlite_options(database_url)?;
                let url = format!("sqlite://{}?mode=rwc", options.get_filename().display());
                let pool = sqlite_pool(&url, 8, None).await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                let inbox_url = format!("sqlite://{}?mode=rwc", inbox_file(options.get_filename()).display());
                // Migrated on a connection of its own, which sees only the inbox's file.
                let migrating = sqlite_pool(&inbox_url, 1, None).await?;
                sqlx::migrate!("./migrations/sqlite-inbox").run(&migrating).await?;
                migrating.close().await;
                // One connection: its writes then queue in the pool, never in SQLite's busy wait
                // (which sleeps in steps of milliseconds). It also reads the sign-ins (the main
                // file, attached as `SIGN_INS_DB`), so a callback is checked against them in the
                // statement that stores it (`put_callbacks`).
                let main_file = options.get_filename().to_string_lossy().into_owned();
                let inbox = sqlite_pool(&inbox_url, 1, Some(main_file)).await?;
                (pool, inbox)
            }
            #[cfg(feature = "postgres")]
            Engine::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(16).connect(database_url).await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                let inbox = AnyPoolOptions::new().max_connections(2).connect(database_url).await?;
                (pool, inbox)
            }
            #[allow(unreachable_patterns)]
            missing => return Err(missing.missing()),
        };
        Ok(Self {
            pool,
            inbox,
            engine,
            #[cfg(feature = "postgres")]
            shared_url: (engine == Engine::Postgres).then(|| database_url.to_owned()),
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Runs `work` (start-up's schema work) while no other instance on this database runs its own:
    /// two instances starting at once on an empty PostgreSQL database would both create the
    /// session table, and one would fail. PostgreSQL: a session-level advisory lock on one
    /// connection; SQLite: one instance, nothing to wait for.
    pub async fn one_start_at_a_time<T>(&self, work: impl std::future::Future<Output = T>) -> Result<T, sqlx::Error> {
        if self.engine == Engine::Sqlite {
            return Ok(work.await);
        }
        const KEY: &str = "truecaller-signin start-up";
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock(hashtext($1))::text").bind(KEY).execute(&mut *conn).await?;
        let done = work.await;
        sqlx::query("SELECT pg_advisory_unlock(hashtext($1))::text").bind(KEY).execute(&mut *conn).await?;
        Ok(done)
    }

    /// The session store's pool, on the same database.
    pub async fn session_pool(&self, database_url: &str) -> Result<SessionPool, sqlx::Error> {
        Ok(match self.engine {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite => SessionPool::Sqlite(
                SqlitePoolOptions::new().max_connections(4).connect_with(sqlite_options(database_url)?).await?,
            ),
            #[cfg(feature = "postgres")]
            Engine::Postgres => SessionPool::Postgres(PgPoolOptions::new().max_connections(4).connect(database_url).await?),
            #[allow(unreachable_patterns)]
            missing => return Err(missing.missing()),
        })
    }

    /// Starts a transaction that writes after it reads, serialised with every other one naming
    /// any of `keys`. SQLite has one writer: it takes the write lock first (a read transaction's
    /// late upgrade is answered with BUSY at once). PostgreSQL takes a transaction-scoped
    /// advisory lock per key, always in the order given, so instances never deadlock on them.
    pub(super) async fn begin_write(&self, keys: &[&str]) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => {
                let mut tx = self.pool.begin().await?;
                for key in keys {
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))::text").bind(*key).execute(&mut *tx).await?;
                }
                Ok(tx)
            }
        }
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

    /// Appends to the audit trail something that is not a phase move (those are recorded by
    /// the move itself). Numbers appear only as keyed tags.
    pub async fn record_event(&self, sign_in_id: Option<&str>, event: &str, detail: Option<&str>) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        insert_event(&mut conn, sign_in_id, event, detail).await
    }

    /// Records what a callback naming `sign_in_id` came to, unless the sign-in has
    /// [`MAX_EVENTS_PER_SIGN_IN`] audit rows already: whoever holds a one-tap link knows its nonce
    /// and can send callbacks naming it, and each must not cost a row for the rest of the day.
    /// Returns whether it was recorded.
    ///
    /// The count and the insert are one statement, which SQLite's one writer runs alone. Under
    /// PostgreSQL's read-committed isolation, concurrent inserts would each count the rows before
    /// the others' and pass the cap together, so there they take a lock on the sign-in's trail
    /// first; a callback that finds it taken is not recorded (the log line is its record) rather
    /// than holding a connection while it waits: a burst of copies must not take the pool.
    pub async fn record_callback_event(&self, sign_in_id: &str, event: &str, detail: Option<&str>) -> Result<bool, sqlx::Error> {
        let insert = sqlx::query(
            "INSERT INTO sign_in_events (sign_in_id, at, event, detail)
             SELECT $1, $2, $3, $4 WHERE (SELECT COUNT(*) FROM sign_in_events WHERE sign_in_id = $1) < $5",
        )
        .bind(sign_in_id)
        .bind(clock::now_ms())
        .bind(event)
        .bind(detail)
        .bind(MAX_EVENTS_PER_SIGN_IN);
        let recorded = match self.engine {
            Engine::Sqlite => insert.execute(&self.pool).await?.rows_affected() > 0,
            Engine::Postgres => {
                let mut tx = self.pool.begin().await?;
                let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtext($1))")
                    .bind(format!("events:{sign_in_id}"))
                    .fetch_one(&mut *tx)
                    .await?;
                let recorded = locked && insert.execute(&mut *tx).await?.rows_affected() > 0;
                tx.commit().await?;
                recorded
            }
        };
        Ok(recorded)
    }

    /// Audit events for one sign-in, oldest first (used by tests and operators).
    pub async fn events(&self, sign_in_id: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT event FROM sign_in_events WHERE sign_in_id IS NOT DISTINCT FROM $1 ORDER BY id")
            .bind(sign_in_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.get(0)).collect())
    }
}

/// The schema name the inbox's SQLite connection reads the sign-ins under.
pub(super) const SIGN_INS_DB: &str = "sign_in_db";

#[cfg(feature = "sqlite")]
/// A pool on a SQLite file; with `attach`, each connection also reads that file (the main
/// database) as [`SIGN_INS_DB`].
async fn sqlite_pool(url: &str, connections: u32, attach: Option<String>) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(move |conn, _| {
            let attach = attach.clone();
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                if let Some(file) = attach {
                    sqlx::query(&format!("ATTACH DATABASE $1 AS {SIGN_INS_DB}")).bind(file).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
}

#[cfg(feature = "sqlite")]
/// Where SQLite keeps the callback inbox: beside the database, `app.db` → `app.inbox.db`.
pub fn inbox_file(database: &Path) -> std::path::PathBuf {
    database.with_extension("inbox.db")
}

#[cfg(feature = "sqlite")]
/// The SQLite file's options (the file and its folder are created if missing).
fn sqlite_options(database_url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        .pragma("cache_size", "-512")
        .pragma("secure_delete", "ON");
    if let Some(parent) = Path::new(options.get_filename()).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
    }
    Ok(options)
}

/// Audit rows a sign-in may gather from callbacks that change nothing (its phase moves are always
/// recorded): far more than any real sign-in has.
pub const MAX_EVENTS_PER_SIGN_IN: i64 = 64;

async fn insert_event(
    conn: &mut AnyConnection,
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
