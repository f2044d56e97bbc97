//! Runs the real application in-process on port 0, with a fresh SQLite file, against the
//! simulator over real HTTP; and a browser-like client that keeps cookies.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use leptos::config::LeptosOptions;
use serde_json::Value;
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};
use truecaller_signin::{
    domain::{AccountView, OneTapLink, SignInStatus},
    error::ApiError,
    server::{
        config::Config,
        simulator::Simulator,
        startup::{Application, StartupError},
    },
};
use url::Url;

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
    try_start(env, Arc::new(TempDir::new().unwrap()), None, port).await
}

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

/// What the tests ask of a status: the account's name, once signed in.
pub trait SignedInAs {
    fn signed_in_as(&self) -> Option<&str>;
}

impl SignedInAs for SignInStatus {
    fn signed_in_as(&self) -> Option<&str> {
        match self {
            SignInStatus::SignedIn(account) => Some(&account.name),
            _ => None,
        }
    }
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

/// Which engine the tests run on.
pub fn on_postgres() -> bool {
    std::env::var_os("TEST_POSTGRES_URL").is_some()
}

async fn start(env: Vec<(String, String)>, db: Arc<TempDir>, database: Option<Arc<ScratchDatabase>>, port: u16) -> TestApp {
    try_start(env, db, database, port).await.unwrap_or_else(|| panic!("port {port} was taken"))
}

/// `None` if the chosen port is taken; any other failure to start fails the test.
async fn try_start(mut env: Vec<(String, String)>, db: Arc<TempDir>, mut database: Option<Arc<ScratchDatabase>>, port: u16) -> Option<TestApp> {
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
    let config = Config::load("", &vars).expect("test configuration is valid");
    let options = LeptosOptions::builder()
        .output_name("truecaller-signin")
        .site_addr(SocketAddr::from(([127, 0, 0, 1], port)))
        .build();
    let app = match Application::build(config, options).await {
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
        SimClient { base: self.url.join("simulator/").unwrap(), http: reqwest::Client::new(), records: Some(self.sign_ins.clone()) }
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

/// A simulator on its own port, for tests where the app runs in live mode or restarts.
pub struct StandaloneSim {
    pub url: Url,
    pub sim: Arc<Simulator>,
    _handle: JoinHandle<()>,
}

impl StandaloneSim {
    pub async fn spawn(callback_url: Url) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let sim = Simulator::new(callback_url, url.join("v1/default").unwrap());
        let router: axum::Router = sim.clone().router();
        let handle = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, sim, _handle: handle }
    }

    /// `records`: the app its callbacks go to, to wait for after each answer.
    pub fn client_for(&self, records: Option<&TestApp>) -> SimClient {
        SimClient { base: self.url.clone(), http: reqwest::Client::new(), records: records.map(|app| app.sign_ins.clone()) }
    }

    pub fn client(&self) -> SimClient {
        self.client_for(None)
    }
}

/// Waits until every callback `app` took in is recorded.
pub async fn callbacks_recorded(app: &truecaller_signin::server::sign_in::SignInService) {
    eventually("callbacks to be recorded", Duration::from_secs(10), || async {
        (app.callbacks_waiting().await.unwrap() == 0).then_some(())
    })
    .await
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

/// A port that was free a moment ago.
pub async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Polls `check` every 20 ms until it gives a value; fails the test, naming `what`, if none
/// comes within `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if started.elapsed() > limit {
            panic!("waited {limit:?} for {what}; it never came");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub struct SimClient {
    base: Url,
    http: reqwest::Client,
    /// The app the simulator's callbacks go to: each delivered answer waits until it recorded it.
    records: Option<truecaller_signin::server::sign_in::SignInService>,
}

impl SimClient {
    pub async fn prompts(&self) -> Vec<Value> {
        let url = self.base.join("api/requests").unwrap();
        self.http.get(url).send().await.unwrap().json().await.unwrap()
    }

    /// The newest prompt sent to `phone` (E.164 digits).
    pub async fn prompt_for(&self, phone: &str) -> Value {
        self.prompts()
            .await
            .into_iter()
            .find(|p| p["phone"] == phone)
            .unwrap_or_else(|| panic!("no prompt for {phone}"))
    }

    /// Answers the newest prompt for `phone`; returns the callback body. `deliver: false` only
    /// builds it, so the test can send (or alter) it.
    pub async fn answer(&self, phone: &str, approve: bool, deliver: bool) -> Value {
        let prompt = self.prompt_for(phone).await;
        let id = prompt["requestId"].as_str().unwrap();
        let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let verb = if approve { "approve" } else { "reject" };
        let url = self.base.join(&format!("api/requests/{encoded}/{verb}?deliver={deliver}")).unwrap();
        let response = self.http.post(url).send().await.unwrap();
        assert!(response.status().is_success(), "answer failed: {}", response.status());
        let body: Value = response.json().await.unwrap();
        if let (true, Some(app)) = (deliver, &self.records) {
            callbacks_recorded(app).await;
        }
        body["callback"].clone()
    }
}

/// A browser: a cookie jar and the app's server functions. Clones share the jar (two tabs).
#[derive(Clone)]
pub struct Browser {
    base: Url,
    jar: Arc<reqwest::cookie::Jar>,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(base: Url) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder().cookie_provider(jar.clone()).build().unwrap();
        Self { base, jar, http }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// This browser (its cookies) speaking HTTP/2 without TLS (h2c), as a proxy that multiplexes
    /// requests onto few connections speaks to the app.
    pub fn over_http2(&self) -> Browser {
        let http = reqwest::Client::builder().cookie_provider(self.jar.clone()).http2_prior_knowledge().build().unwrap();
        Browser { base: self.base.clone(), jar: self.jar.clone(), http }
    }

    /// The same browser (its cookies) talking to another instance of the app.
    pub fn on(&self, base: &Url) -> Browser {
        Browser { base: base.clone(), jar: self.jar.clone(), http: self.http.clone() }
    }

    /// This browser (its cookies) with redirects not followed, to read where a page sends it.
    pub fn without_redirects(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_provider(self.jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The cookies this browser would send to the app.
    pub fn cookies(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        self.jar.cookies(&self.base).map(|v| v.to_str().unwrap().to_owned())
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, path: &str, form: &[(&str, String)]) -> (u16, Result<T, ApiError>) {
        let response = self.http.post(self.base.join(path).unwrap()).form(form).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let parsed = if (200..300).contains(&status) {
            Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
        } else {
            Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} error body: {e}: {text}")))
        };
        (status, parsed)
    }

    pub async fn initiate(&self, phone: &str) -> SignInStatus {
        let (status, result) = self.call("api/signin/initiate", &[("phone", phone.to_owned())]).await;
        result.unwrap_or_else(|e| panic!("initiate answered {status}: {e:?}"))
    }

    pub async fn initiate_raw(&self, phone: &str) -> (u16, Result<SignInStatus, ApiError>) {
        self.call("api/signin/initiate", &[("phone", phone.to_owned())]).await
    }

    /// `initiate` with the country picker's choice (an ISO code) sent along.
    pub async fn initiate_in(&self, phone: &str, country: &str) -> (u16, Result<SignInStatus, ApiError>) {
        self.call("api/signin/initiate", &[("phone", phone.to_owned()), ("country", country.to_owned())]).await
    }

    pub async fn status(&self, wait_ms: u32) -> SignInStatus {
        let (status, result) = self.call("api/signin/status", &[("wait_ms", wait_ms.to_string())]).await;
        result.unwrap_or_else(|e| panic!("status answered {status}: {e:?}"))
    }

    /// Polls (long-polling) until the sign-in has an outcome, or `limit` passes.
    pub async fn settle(&self, limit: Duration) -> SignInStatus {
        let start = std::time::Instant::now();
        loop {
            let status = self.status(2_000).await;
            let undecided = matches!(
                status,
                SignInStatus::Waiting { .. }
                    | SignInStatus::Approved { .. }
                    | SignInStatus::AtDigiLocker { .. }
                    | SignInStatus::AtTruecaller { .. }
            );
            if !undecided || start.elapsed() > limit {
                return status;
            }
        }
    }

    /// Android one-tap: mints this browser's attempt; the deep link and the simulated sheet.
    pub async fn one_tap(&self) -> OneTapLink {
        let (status, result) = self.one_tap_raw().await;
        result.unwrap_or_else(|e| panic!("one-tap answered {status}: {e:?}"))
    }

    pub async fn one_tap_raw(&self) -> (u16, Result<OneTapLink, ApiError>) {
        self.call("api/signin/one-tap", &[]).await
    }

    pub async fn account(&self) -> Option<AccountView> {
        let (status, result) = self.call("api/account", &[]).await;
        result.unwrap_or_else(|e| panic!("account answered {status}: {e:?}"))
    }

    pub async fn sign_out(&self) {
        let (status, result) = self.call::<()>("api/signout", &[]).await;
        result.unwrap_or_else(|e| panic!("signout answered {status}: {e:?}"));
    }

    /// "Need more time?"
    pub async fn more_time(&self) -> SignInStatus {
        let (status, result) = self.call("api/signin/more-time", &[]).await;
        result.unwrap_or_else(|e| panic!("more-time answered {status}: {e:?}"))
    }

    pub async fn cancel(&self) -> SignInStatus {
        let (status, result) = self.call("api/signin/cancel", &[]).await;
        result.unwrap_or_else(|e| panic!("cancel answered {status}: {e:?}"))
    }
}

/// A TCP listener that counts connections and never answers: proof that nothing was sent there.
pub struct Tripwire {
    pub port: u16,
    pub hits: Arc<std::sync::atomic::AtomicUsize>,
}

impl Tripwire {
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Hold the connection open without answering. Time-based on purpose: a silent
                // provider is one that lets time pass.
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    drop(socket);
                });
            }
        });
        Self { port, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A page's HTML as a person reads it: without the words it hands the browser
/// (`<script id="words">`, every message in the page's language), so that what a test finds, or
/// does not find, is what the page shows.
pub async fn shown(response: reqwest::Response) -> String {
    let html = response.text().await.unwrap();
    let Some(start) = html.find(r#"<script id="words""#) else { return html };
    let end = start + html[start..].find("</script>").expect("the words' element ends") + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}
