//! The database a test's app runs on: a SQLite file of its own, or with `TEST_POSTGRES_URL` set
//! (`.ci/postgres`) a PostgreSQL database of its own, dropped when the test is done.

use url::Url;

/// A test's own PostgreSQL database, dropped when the last app using it is: a run makes a few
/// hundred, and a disk that fills up fails every test after it.
pub struct ScratchDatabase {
    admin: String,
    name: String,
    pub url: String,
}

/// With `TEST_POSTGRES_URL` set (a server's admin URL, e.g. `postgres://postgres@127.0.0.1:5433/postgres`,
/// as `.ci/postgres` sets it), a fresh PostgreSQL database there for an app (else the app gets a
/// fresh SQLite file). The choice is kept in the app's settings, so a restart finds the same database.
pub async fn scratch_database() -> Option<ScratchDatabase> {
    let admin = std::env::var("TEST_POSTGRES_URL").ok()?;
    use sqlx::Connection;
    let name = format!("t_{}", truecaller_signin::server::clock::random_token().to_lowercase().replace('-', "_"));
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("TEST_POSTGRES_URL answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create a test database");
    let mut url = Url::parse(&admin).expect("TEST_POSTGRES_URL is a URL");
    url.set_path(&name);
    Some(ScratchDatabase { admin, name, url: url.to_string() })
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                // FORCE: the stopped app's pool may not have closed its connections yet.
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        });
        let _ = dropped.join();
    }
}

/// Which engine the tests run on.
pub fn on_postgres() -> bool {
    std::env::var_os("TEST_POSTGRES_URL").is_some()
}
