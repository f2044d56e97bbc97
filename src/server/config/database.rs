//! `DATABASE_URL`, checked against the engines this build has (the `sqlite` and `postgres`
//! Cargo features).

use super::ConfigError;
use crate::server::store::Engine;

/// `DATABASE_URL`: `sqlite:` (one instance) or `postgres://` (several), of the engines this build
/// has. Anything else stops start-up: taken as a file name it would run on a stray SQLite file,
/// alone. Unset, it is `sqlite://data/app.db` in a build with SQLite.
pub(super) fn database_url(value: Option<String>) -> Result<String, ConfigError> {
    let invalid = |problem: String| ConfigError::Invalid { name: "DATABASE_URL", problem };
    let built_in: Vec<&str> = [(Engine::Sqlite, "sqlite://FILE"), (Engine::Postgres, "postgres://USER@HOST/DATABASE")]
        .into_iter()
        .filter_map(|(engine, form)| engine.built_in().then_some(form))
        .collect();
    let usable = built_in.join(" or ");
    let url = match value.map(|v| v.trim().to_owned()) {
        Some(url) => url,
        None if Engine::Sqlite.built_in() => "sqlite://data/app.db".into(),
        None => return Err(invalid(format!("not set, and this build has no sqlite for a default file (the `sqlite` Cargo feature); use {usable}"))),
    };
    match Engine::of(&url) {
        Some(engine) if engine.built_in() => Ok(url),
        Some(engine) => Err(invalid(format!(
            "this build has no {} (the `{}` Cargo feature); use {usable}",
            engine.feature(),
            engine.feature()
        ))),
        // Only the scheme is repeated: the rest may hold a password.
        None => Err(invalid(match url.split_once("://") {
            Some((scheme, _)) => format!("{scheme}:// is not supported; use {usable}"),
            None => format!("{url:?} is not a URL; use {usable}"),
        })),
    }
}
