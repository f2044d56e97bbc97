//! The real application in-process on a port of its own, with a fresh database (a SQLite file,
//! or a PostgreSQL database of its own under `.ci/postgres`), in simulator mode unless a test
//! says otherwise; and what a test reads from it.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use leptos::config::LeptosOptions;
use serde_json::Value;
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};
use truecaller_signin::server::{
    sign_in::{AccountEvent, OnAccountEvent},
    startup::{Application, StartupError},
    SignInBuilder,
};
use url::Url;

use super::{
    browser::Browser,
    database::{on_postgres, scratch_database, ScratchDatabase},
    simulator::{SimClient, StandaloneSim},
    waiting::{callbacks_recorded, free_port},
};

pub struct TestApp {
    pub url: Url,
    pub port: u16,
    pub db: Arc<TempDir>,
    /// The PostgreSQL database this app made for itself (shared with its restarts).
    database: Option<Arc<ScratchDatabase>>,
    pub env: Vec<(String, String)>,
    pub sign_ins: truecaller_signin::server::sign_in::SignInService,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts the app in simulator mode (no app key) with `env` on top.
pub async fn spawn_app(env: &[(&str, &str)]) -> TestApp {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    start(env, Arc::new(TempDir::new().unwrap()), None, 0).await
}

/// Starts the app on a chosen port (for a simulator that must know the callback URL first).
pub async fn spawn_app_on(port: u16, env: &[(&str, &str)]) -> TestApp {
    try_spawn_app_on(port, env).await.unwrap_or_else(|| panic!("port {port} was taken"))
}

/// Like [`spawn_app_on`], but `None` when something else took the port meanwhile: a port from
/// [`free_port`] is free only until another test's app binds it, so the caller picks another.
pub async fn try_spawn_app_on(port: u16, env: &[(&str, &str)]) -> Option<TestApp> {
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    try_start(env, Arc::new(TempDir::new().unwrap()), None, port, None).await
}

/// What a host app heard from the app, in order.
pub type Heard = Arc<std::sync::Mutex<Vec<AccountEvent>>>;

/// Starts the app in simulator mode with a host's hook that records every sign-in and removed
/// account it is told of.
pub async fn spawn_app_heard(env: &[(&str, &str)]) -> (TestApp, Heard) {
    let heard = Heard::default();
    let hook: OnAccountEvent = {
        let heard = heard.clone();
        Arc::new(move |event| {
            heard.lock().unwrap().push(event);
            Box::pin(async {})
        })
    };
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let app = try_start(env, Arc::new(TempDir::new().unwrap()), None, 0, Some(hook)).await.expect("a free port");
    (app, heard)
}

async fn start(env: Vec<(String, String)>, db: Arc<TempDir>, database: Option<Arc<ScratchDatabase>>, port: u16) -> TestApp {
    try_start(env, db, database, port, None).await.unwrap_or_else(|| panic!("port {port} was taken"))
}

/// `None` if the chosen port is taken; any other failure to start fails the test.
async fn try_start(
    mut env: Vec<(String, String)>,
    db: Arc<TempDir>,
    mut database: Option<Arc<ScratchDatabase>>,
    port: u16,
    hook: Option<OnAccountEvent>,
) -> Option<TestApp> {
    if !env.iter().any(|(k, _)| k == "DATABASE_URL") {
        database = scratch_database().await.map(Arc::new);
        let url = match &database {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}/app.db", db.path().display()),
        };
        env.push(("DATABASE_URL".into(), url));
    }
    let mut vars: HashMap<String, String> = env.iter().cloned().collect();
    // Every test client comes from 127.0.0.1: limits are out of the way unless a test sets them.
    for name in [
        "RATE_IP_PER_MINUTE",
        "RATE_IP_PER_HOUR",
        "RATE_IPV6_48_PER_MINUTE",
        "RATE_IPV6_48_PER_HOUR",
        "RATE_BROWSER_PER_HOUR",
        "RATE_NUMBER_PER_15_MIN",
        "RATE_NUMBER_PER_DAY",
    ] {
        vars.entry(name.into()).or_insert_with(|| "100000".into());
    }
    let mut settings = vars.into_iter().fold(SignInBuilder::new(), |settings, (name, value)| settings.set(&name, value));
    if let Some(hook) = hook {
        settings = settings.on_account_event(move |event| hook(event));
    }
    let options = LeptosOptions::builder()
        .output_name("truecaller-signin")
        .site_addr(SocketAddr::from(([127, 0, 0, 1], port)))
        .build();
    let app = match Application::build(settings, options).await {
        Ok(app) => app,
        Err(StartupError::Bind { source, .. }) if port != 0 && source.kind() == std::io::ErrorKind::AddrInUse => return None,
        Err(e) => panic!("app starts: {e:?}"),
    };
    let port = app.port();
    let url = app.public_url().clone();
    let sign_ins = app.sign_ins().clone();
    let (tx, rx) = oneshot::channel();
    let handle = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    Some(TestApp { url, port, db, database, env, sign_ins, shutdown: Some(tx), handle: Some(handle) })
}

impl TestApp {
    /// Stops the server (letting requests in flight finish) and starts it again on the same
    /// port and database.
    pub async fn restart(mut self) -> TestApp {
        let (env, db, database, port) = (self.env.clone(), self.db.clone(), self.database.clone(), self.port);
        self.stop().await;
        start(env, db, database, port).await
    }

    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle).await;
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.url.clone())
    }

    /// The simulator mounted in this app.
    pub fn sim(&self) -> SimClient {
        SimClient::new(self.url.join("simulator/").unwrap(), Some(self.sign_ins.clone()))
    }

    pub fn callback_url(&self) -> Url {
        self.url.join("auth/truecaller/callback").unwrap()
    }

    /// Posts a callback and waits until the app has recorded it (the answer comes once it is
    /// taken in; what it means for the sign-in is recorded a moment later).
    pub async fn post_callback(&self, body: &Value) -> reqwest::StatusCode {
        let status = reqwest::Client::new().post(self.callback_url()).json(body).send().await.unwrap().status();
        callbacks_recorded(&self.sign_ins).await;
        status
    }

    /// Posts `copies` of a callback at once (as a retrying sender might) and returns each answer,
    /// without waiting for them to be recorded.
    pub async fn post_callback_copies(&self, body: &Value, copies: usize) -> Vec<reqwest::StatusCode> {
        let sends: Vec<_> = (0..copies)
            .map(|_| {
                let (url, body) = (self.callback_url(), body.clone());
                tokio::spawn(async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().status() })
            })
            .collect();
        let mut answers = Vec::with_capacity(copies);
        for send in sends {
            answers.push(send.await.unwrap());
        }
        answers
    }

    pub async fn events(&self, sign_in_id: Option<&str>) -> Vec<String> {
        self.sign_ins.store().events(sign_in_id).await.unwrap()
    }

    /// A sign-in's audit trail with each event's detail, oldest first.
    pub async fn trail(&self, sign_in_id: &str) -> Vec<(String, Option<String>)> {
        sqlx::query_as("SELECT event, detail FROM sign_in_events WHERE sign_in_id = $1 ORDER BY id")
            .bind(sign_in_id)
            .fetch_all(self.sign_ins.store().pool())
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(self.sign_ins.store().pool()).await.unwrap()
    }

    /// Sessions stored (tower-sessions keeps them in a table of its own, named per engine).
    pub async fn stored_sessions(&self) -> i64 {
        let table = if on_postgres() { "tower_sessions.session" } else { "tower_sessions" };
        self.count(&format!("SELECT COUNT(*) FROM {table}")).await
    }

    /// The session store's records, as the app keeps them (to read or rewrite a session).
    pub async fn session_records(&self) -> Arc<dyn tower_sessions::SessionStore> {
        use truecaller_signin::server::store::SessionPool;
        let url = &self.env.iter().find(|(k, _)| k == "DATABASE_URL").expect("a database").1;
        match self.sign_ins.store().session_pool(url).await.unwrap() {
            SessionPool::Sqlite(pool) => Arc::new(tower_sessions_sqlx_store::SqliteStore::new(pool)),
            SessionPool::Postgres(pool) => Arc::new(tower_sessions_sqlx_store::PostgresStore::new(pool)),
        }
    }

    /// The ids of the sessions stored.
    pub async fn session_ids(&self) -> Vec<tower_sessions::session::Id> {
        let table = if on_postgres() { "tower_sessions.session" } else { "tower_sessions" };
        let ids: Vec<String> =
            sqlx::query_scalar(&format!("SELECT id FROM {table}")).fetch_all(self.sign_ins.store().pool()).await.unwrap();
        ids.iter().map(|id| id.parse().unwrap()).collect()
    }

    /// The sign-in a simulator prompt (or a callback built from one) belongs to, found by its
    /// `requestId` through the store's own lookup (the one the callback uses).
    pub async fn sign_in_for(&self, prompt: &Value) -> truecaller_signin::server::store::SignInRow {
        let request_id = prompt["requestId"].as_str().unwrap_or_else(|| panic!("no requestId in {prompt}"));
        self.sign_ins
            .store()
            .sign_in_by_ref(truecaller_signin::domain::Provider::Truecaller, request_id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no sign-in for requestId {request_id}"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An app in live mode against a standalone simulator, so both survive each other's restarts.
pub async fn app_with_standalone_sim() -> (TestApp, StandaloneSim) {
    for _ in 0..5 {
        let port = free_port().await;
        let app_url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let sim = StandaloneSim::spawn(app_url.join("auth/truecaller/callback").unwrap()).await;
        let sim_url = sim.url.as_str().trim_end_matches('/').to_owned();
        let env = [
            ("TRUECALLER_APP_KEY", "simulator-app-key"),
            ("TRUECALLER_API_URL", sim_url.as_str()),
            ("TRUECALLER_PROFILE_URL", sim_url.as_str()),
        ];
        if let Some(app) = try_spawn_app_on(port, &env).await {
            return (app, sim);
        }
    }
    panic!("five free ports were taken before the app could bind them");
}

/// Every byte of an app's SQLite files (the database, its WAL and the callback inbox beside it),
/// for checks that something left no trace in them.
pub fn database_bytes(app: &TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(app.db.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    bytes
}
