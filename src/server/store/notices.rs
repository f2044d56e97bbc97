//! Telling every instance that a sign-in moved. On PostgreSQL the move's own trigger sends `NOTIFY`
//! (`sign_in_moved` in migrations/postgres: delivered at commit, never for a move that rolled back)
//! and each instance keeps one connection listening; on SQLite there is one instance, which wakes
//! its own waiters.

#[cfg(feature = "postgres")]
use std::str::FromStr;

#[cfg(feature = "postgres")]
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::AnyConnection;

use super::{Engine, Store};

/// The channel moves are announced on (the migration's trigger names it too); the payload is the
/// sign-in's id, or [`WAKE`] and the id for a wake-up without a move. Sign-in ids are ours and
/// never start with [`WAKE`].
const CHANNEL: &str = "sign_in_moved";
const WAKE: &str = "wake:";

/// The listening connection's name in `pg_stat_activity`, for operators (and the test that cuts it).
pub const LISTENER_NAME: &str = "truecaller-signin wake-ups";

async fn notify(conn: &mut AnyConnection, engine: Engine, payload: &str) -> Result<(), sqlx::Error> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)::text").bind(CHANNEL).bind(payload).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One connection receiving every instance's announcements.
#[cfg(feature = "postgres")]
pub struct MoveListener(PgListener);

/// A build without PostgreSQL has one instance and nobody to listen to: no listener exists.
#[cfg(not(feature = "postgres"))]
pub enum MoveListener {}

/// What the listener heard.
pub enum Heard {
    /// This sign-in moved: its waiters look again (this instance may have woken them already).
    Moved(String),
    /// This sign-in's held requests must answer now (its browser started over or gave up).
    Woken(String),
    /// The connection dropped and was made again: announcements in between were lost.
    Reconnected,
}

impl MoveListener {
    /// The next announcement. An error means the connection is gone and could not be made again.
    #[cfg(not(feature = "postgres"))]
    pub async fn next(&mut self) -> Result<Heard, sqlx::Error> {
        match *self {}
    }

    /// The next announcement. An error means the connection is gone and could not be made again.
    #[cfg(feature = "postgres")]
    pub async fn next(&mut self) -> Result<Heard, sqlx::Error> {
        Ok(match self.0.try_recv().await? {
            Some(notice) => match notice.payload().strip_prefix(WAKE) {
                Some(id) => Heard::Woken(id.to_owned()),
                None => Heard::Moved(notice.payload().to_owned()),
            },
            None => Heard::Reconnected,
        })
    }
}

impl Store {
    /// Tells every instance that `id`'s held requests must answer now, outside any move (a
    /// browser that starts over ends its held requests wherever they are held).
    pub async fn announce_wake(&self, id: &str) -> Result<(), sqlx::Error> {
        if self.engine == Engine::Sqlite {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        notify(&mut conn, self.engine, &format!("{WAKE}{id}")).await
    }

    /// A new listening connection, or `None` on SQLite (there is nobody else to hear).
    #[cfg(not(feature = "postgres"))]
    pub async fn listen_for_moves(&self) -> Result<Option<MoveListener>, sqlx::Error> {
        Ok(None)
    }

    /// A new listening connection, or `None` on SQLite (there is nobody else to hear).
    #[cfg(feature = "postgres")]
    pub async fn listen_for_moves(&self) -> Result<Option<MoveListener>, sqlx::Error> {
        let Some(url) = &self.shared_url else {
            return Ok(None);
        };
        let options = PgConnectOptions::from_str(url)?.application_name(LISTENER_NAME);
        let pool = PgPoolOptions::new().max_connections(1).connect_with(options).await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(MoveListener(listener)))
    }
}
