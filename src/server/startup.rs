//! Builds the whole application from settings; `main`, the integration tests and Playwright all
//! run exactly this wiring (tests bind port 0).

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, Predicate, SizeAbove},
        CompressionLayer, CompressionLevel,
    },
    limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, ExpiredDeletion, Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};
use url::Url;

use super::{
    config::{Config, ConfigError, SandboxMode, TruecallerMode},
    countries::Countries,
    keys::NumberKeys,
    metrics,
    session::SessionRecords,
    providers::{http::join, sandbox::SandboxClient, truecaller::TruecallerClient},
    sign_in::{self, Providers, SignInService},
    simulator::{self, SandboxSimulator, Simulator},
    state::{AppMode, AppState},
    store::{SessionPool, Store},
    throttle::TrustedProxies,
    web::{account, callback, csrf, digilocker, forms, headers, health, hold, language, one_tap},
};
use crate::app::{shell, App};

pub struct Application {
    listener: TcpListener,
    app: hold::Holding,
    public_url: Url,
    state: AppState,
    simulator: Option<Arc<Simulator>>,
    /// Work no request asks for (sweeps, other instances' wake-ups); it stops with the server.
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting that cannot be used here (named in the message).
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("DATABASE_URL: cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("DATABASE_URL: cannot prepare the session table: {0}")]
    Sessions(String),
}

/// Largest request body accepted anywhere.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// How often overdue sign-ins are timed out when nobody is polling them, and profile fetches that
/// nobody holds are resumed.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// How often what retention allows is removed.
const PURGE_EVERY: Duration = Duration::from_secs(600);

impl Application {
    pub async fn build(config: Config, leptos_options: LeptosOptions) -> Result<Self, StartupError> {
        Self::build_with(config, leptos_options, None).await
    }

    /// [`Self::build`], telling `on_account_event` of every completed sign-in and removed
    /// account (a host app's link to its own user table).
    pub async fn build_with(
        config: Config,
        leptos_options: LeptosOptions,
        on_account_event: Option<sign_in::OnAccountEvent>,
    ) -> Result<Self, StartupError> {
        let addr = leptos_options.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
        let bound = listener.local_addr().map_err(|source| StartupError::Bind { addr, source })?;
        let public_url = config.public_url(bound);
        // Before anything is opened: the stand-ins sign anyone in as anyone.
        config.check_simulation(bound, &public_url)?;
        let (api_url, profile_url) = config.provider_urls(&public_url);

        metrics::recorder();
        let store = Store::connect(config.database_url.expose()).await?;
        let session_pool = store.session_pool(config.database_url.expose()).await?;
        // tower-sessions has a store per engine. Held status requests read their records before
        // the session layer runs (`hold`), and devices signed out elsewhere lose theirs.
        let session_records: SessionRecords = match &session_pool {
            SessionPool::Sqlite(pool) => Arc::new(SqliteStore::new(pool.clone())),
            SessionPool::Postgres(pool) => Arc::new(PostgresStore::new(pool.clone())),
        };

        let (app_key, simulator) = match &config.truecaller.mode {
            TruecallerMode::Live { app_key } => (app_key.expose().to_owned(), None),
            TruecallerMode::Simulator => {
                let callback_url = join(&public_url, "auth/truecaller/callback");
                (simulator::APP_KEY.to_owned(), Some(Simulator::new(callback_url, join(&profile_url, "v1/default"))))
            }
        };
        let truecaller = TruecallerClient::new(&api_url, &profile_url, app_key);
        // The DigiLocker stand-in signs anyone in as anyone: it runs only beside the Truecaller
        // simulator. A deployment with a real Truecaller key and no Sandbox keys offers no DigiLocker.
        let sandbox_url = config.sandbox_url(&public_url);
        let (sandbox, sandbox_simulator) = match (&config.sandbox.mode, &simulator) {
            (SandboxMode::Live { api_key, api_secret }, _) => {
                (Some(SandboxClient::new(&sandbox_url, api_key.expose().to_owned(), api_secret.expose().to_owned())), None)
            }
            (SandboxMode::Simulator, Some(_)) => {
                let keys = (simulator::SANDBOX_SIM_KEY.to_owned(), simulator::SANDBOX_SIM_SECRET.to_owned());
                let stand_in = SandboxSimulator::new(join(&public_url, "simulator"));
                (Some(SandboxClient::new(&sandbox_url, keys.0, keys.1)), Some(stand_in))
            }
            (SandboxMode::Simulator, None) => {
                tracing::info!("DigiLocker is not offered: set SANDBOX_API_KEY and SANDBOX_API_SECRET to offer it");
                (None, None)
            }
        };
        for warning in config.warnings(&public_url) {
            tracing::warn!("{warning}");
        }
        let digilocker = sandbox.is_some();
        let number_key = match &config.number_hash_key {
            Some(key) => key.expose().to_owned(),
            None => store.secret("number_hash_key").await?,
        };
        let sign_ins = SignInService::new(
            store,
            session_records.clone(),
            Providers { truecaller, sandbox },
            NumberKeys::new(number_key.as_bytes()),
            sign_in::Settings {
                signin_timeout: config.sign_in.timeout,
                lock: config.sign_in.lock,
                countries: Arc::new(Countries::new(config.phone.countries.clone(), config.phone.default_region)),
                token_ttl: config.truecaller.token_ttl,
                limits: config.limits.clone(),
                digilocker_timeout: config.sandbox.timeout,
                digilocker_return: join(&public_url, digilocker::RETURN_PATH),
                one_tap: config.truecaller.one_tap.clone(),
                simulated_sheet: simulator.as_ref().map(|_| join(&public_url, "simulator/sheet")),
                retention: config.retention,
                on_account_event,
            },
        );
        let state = AppState {
            leptos_options: leptos_options.clone(),
            sign_ins: sign_ins.clone(),
            mode: AppMode {
                simulator: simulator.is_some(),
                digilocker_simulator: sandbox_simulator.is_some(),
                digilocker,
                demo: config.public_demo,
            },
            trusted_proxies: TrustedProxies::new(config.proxies.header.clone(), config.proxies.ranges.clone()),
        };

        let https = public_url.scheme() == "https";
        let idle = time::Duration::seconds(config.session_idle.as_secs() as i64);

        let routes = route_list();
        let mut router = Router::new()
            .route(
                "/auth/truecaller/callback",
                post(callback::truecaller_callback).layer(DefaultBodyLimit::max(callback::MAX_BODY)),
            )
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .route("/metrics", get(health::metrics))
            .route("/signin", post(forms::initiate))
            .route("/signin/cancel", post(forms::cancel))
            .route("/signin/more-time", post(forms::more_time))
            .route("/signout", post(forms::sign_out))
            .route("/account/delete", post(forms::delete_account))
            .route("/account/devices/sign-out", post(forms::sign_out_devices))
            .route("/account/data", get(account::download))
            .route("/signin/one-tap", get(one_tap::start))
            .route("/language", post(move |form| async move { language::choose(https, form) }))
            .route("/digilocker/start", post(digilocker::start))
            .route("/digilocker/continue", get(digilocker::continue_to_consent))
            .route("/digilocker/return", get(digilocker::returned))
            .leptos_routes_with_context(&state, routes, headers::provide_page_nonce, {
                let options = leptos_options.clone();
                move || shell(options.clone())
            })
            .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(headers::provide_page_nonce, shell));
        // Both stand-ins answer under `/simulator`, as one router (their paths do not overlap).
        let stand_ins = [simulator.clone().map(Simulator::router), sandbox_simulator.clone().map(SandboxSimulator::router)];
        if let Some(stand_ins) = stand_ins.into_iter().flatten().reduce(Router::merge) {
            router = router.nest("/simulator", stand_ins);
        }
        // The layer is the same whichever engine's store it runs over.
        let router = match session_pool {
            SessionPool::Sqlite(pool) => router.layer(sessions(SqliteStore::new(pool), https, idle).await?),
            SessionPool::Postgres(pool) => {
                router.layer(sign_ins.store().one_start_at_a_time(sessions(PostgresStore::new(pool), https, idle)).await??)
            }
        };
        let origin = csrf::Origin(public_url.origin().ascii_serialization());
        let holds = hold::Holds::new(sign_ins.clone(), session_records, session_cookie(https), origin.clone());
        let router = router
            // Nothing a browser or Truecaller sends us is anywhere near this; larger bodies get
            // 413 before any handler reads them (the callback has its own, smaller limit).
            .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
            .layer(axum::middleware::from_fn_with_state(origin, csrf::guard))
            .layer(axum::middleware::map_response_with_state(leptos_options.hash_files, cache_control))
            .layer(axum::middleware::from_fn(headers::page_nonce))
            .layer(axum::middleware::map_response_with_state(headers::Https(https), headers::security))
            .layer(compression())
            .layer(TraceLayer::new_for_http())
            .with_state(state.clone());
        // Outside it all: a held status request waits here, before routing or any layer starts on it.
        let app = hold::Holding::new(holds, router);

        let tasks = vec![
            tokio::spawn(background(sign_ins.clone())),
            tokio::spawn(sign_ins.clone().relay_moves()),
            tokio::spawn(sign_ins.clone().work_inbox()),
        ];

        Ok(Self { listener, app, public_url, state, simulator, tasks })
    }

    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn sign_ins(&self) -> &SignInService {
        &self.state.sign_ins
    }

    pub fn simulator(&self) -> Option<&Arc<Simulator>> {
        self.simulator.as_ref()
    }

    /// Whether this is a public demo (`UNSAFE_PUBLIC_DEMO`).
    pub fn demo(&self) -> bool {
        self.state.mode.demo
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish: callbacks are
    /// recorded, held status requests answer at once (browsers ask again after the restart).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let sign_ins = self.state.sign_ins.clone();
        let stopping = async move {
            shutdown.await;
            sign_ins.begin_shutdown();
        };
        let served = super::web::serve::serve(self.listener, self.app, stopping).await;
        for task in self.tasks {
            task.abort();
        }
        served
    }
}

/// The runtime the server runs on: tokio's multi-threaded one, told to look at new socket events
/// and at tasks woken from other threads every 7 polls (by default 61 for events, and a self-tuned
/// interval for the other queue). Under load, a worker's own queue holds thousands of woken
/// requests; a callback's bytes (an event) and its inbox insert's answer (woken by the SQLite
/// connection's thread) waited behind them (BENCHMARKS.md, "Callbacks never queue", measures it).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().event_interval(7).global_queue_interval(7).enable_all().build()
}

/// Pages (tens of KiB of HTML with the country list and the page's words) and larger API answers
/// go out compressed when the browser accepts it. The bundle is served precompressed and keeps
/// its own encoding. Brotli at quality 5 costs little per page and makes pages in Indic scripts
/// noticeably smaller than quality 4 (BENCHMARKS.md, "The page's words as data"); 7 and 9 gain
/// little more for several times the time, and the default (11) is meant for static files
/// compressed once.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(5))
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)))
}

/// The session layer over `store`: its table made ready, expired sessions deleted every minute.
async fn sessions<S>(store: S, https: bool, idle: time::Duration) -> Result<SessionManagerLayer<S>, StartupError>
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
fn session_cookie(https: bool) -> &'static str {
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

impl Migrate for SqliteStore {
    async fn prepare(&self) -> Result<(), String> {
        self.migrate().await.map_err(|e| e.to_string())
    }
}

impl Migrate for PostgresStore {
    async fn prepare(&self) -> Result<(), String> {
        self.migrate().await.map_err(|e| e.to_string())
    }
}

/// The app's routes, generated once per process. Generating them renders the app with resource
/// loading suppressed by a process-wide flag (leptos#4773): a page rendering meanwhile in the same
/// process would wait forever on its resources. Only the first build pays that window, before any
/// app in the process serves a page (tests start many apps in one process; restarts rebuild).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// Bundle files under `/pkg/` carry a content hash in their names when `hash-files` is on, so
/// browsers may keep them for a year; without hashes they must revalidate.
async fn cache_control(
    axum::extract::State(hashed): axum::extract::State<bool>,
    uri: axum::http::Uri,
    mut response: axum::response::Response,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    if uri.path().starts_with("/pkg/") && response.status().is_success() {
        let policy = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Keeps deadlines, resumes profile fetches nobody holds, and forgets what retention allows.
async fn background(sign_ins: SignInService) {
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        if let Err(e) = sign_ins.sweep().await {
            tracing::warn!(error = %e, "sign-in sweep failed");
        }
        if last_purge.is_none_or(|at| at.elapsed() > PURGE_EVERY) {
            if let Err(e) = sign_ins.purge().await {
                tracing::warn!(error = %e, "purge failed");
            }
            last_purge = Some(std::time::Instant::now());
        }
        tokio::time::sleep(SWEEP_EVERY).await;
    }
}
