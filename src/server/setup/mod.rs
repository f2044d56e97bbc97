//! What a host app adds: [`SignInBuilder`] takes the settings and builds a [`TruecallerSignIn`],
//! which owns the sign-in's services and background work and hands out its routes, its layers
//! (sessions, the cross-site guard) and the server that holds status requests. This app is one
//! such host (`startup`).

use std::{future::Future, sync::Arc};

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use tokio::{net::TcpListener, task::JoinHandle};
use url::Url;

use crate::site::Site;

mod builder;
mod digilocker;
mod sessions;
mod stand_ins;

use builder::Hosting;
use digilocker::DigiLocker;
use sessions::{session_cookie, Sessions};
pub use builder::SignInBuilder;

use super::{
    config::{Config, ConfigError, TruecallerMode},
    countries::Countries,
    keys::NumberKeys,
    metrics,
    providers::{http::join, truecaller::TruecallerClient},
    session::SessionRecords,
    sign_in::{self, Providers, SignInService},
    state::{AppMode, AppState},
    store::Store,
    throttle::TrustedProxies,
    web::{account, assets, callback, csrf, forms, headers, health, hold, language, one_tap, serve},
};

/// Why the sign-in could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting that cannot be used here (named in the message).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address to listen on is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// Why it could not be bound.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error("DATABASE_URL: cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    /// The session table could not be created.
    #[error("DATABASE_URL: cannot prepare the session table: {0}")]
    Sessions(String),
}

/// Sign in with Truecaller (and DigiLocker), built and running: its routes, its layers and its
/// server, for a host's axum app. Made by [`SignInBuilder`].
pub struct TruecallerSignIn {
    state: AppState,
    public_url: Url,
    https: bool,
    /// The simulators' routes, when they run.
    stand_ins: Option<Router<AppState>>,
    sessions: Sessions,
    session_records: SessionRecords,
    metrics: bool,
    /// Work no request asks for (sweeps, other instances' wake-ups); it stops with the server.
    tasks: Vec<JoinHandle<()>>,
}

impl TruecallerSignIn {
    /// Opens everything `config` names. `options.site_addr` is where the app listens (its
    /// default public URL, and whether the simulators may run).
    async fn start(config: Config, options: LeptosOptions, hosting: Hosting) -> Result<Self, StartupError> {
        let Hosting { on_account_event, metrics, paths, page } = hosting;
        let listen = options.site_addr;
        let public_url = config.public_url(listen);
        // Before anything is opened: the stand-ins sign anyone in as anyone.
        config.check_simulation(listen, &public_url)?;
        let (api_url, profile_url) = config.provider_urls(&public_url);

        metrics::recorder();
        let store = Store::connect(config.database_url.expose()).await?;
        let session_pool = store.session_pool(config.database_url.expose()).await?;
        let session_records = Sessions::records(&session_pool);

        let (app_key, truecaller_stand_in) = match &config.truecaller.mode {
            TruecallerMode::Live { app_key } => (app_key.expose().to_owned(), None),
            TruecallerMode::Simulator => {
                let stand_in = stand_ins::truecaller(&public_url, &profile_url)?;
                (stand_in.key, Some(stand_in.routes))
            }
        };
        let truecaller = TruecallerClient::new(&api_url, &profile_url, app_key);
        let digilocker = DigiLocker::open(&config, &public_url, truecaller_stand_in.is_some());
        let offers_digilocker = digilocker.offered();
        for warning in config.warnings(&public_url) {
            tracing::warn!("{warning}");
        }
        let number_key = match &config.number_hash_key {
            Some(key) => key.expose().to_owned(),
            None => store.secret("number_hash_key").await?,
        };
        let sign_ins = SignInService::new(
            store,
            session_records.clone(),
            Providers {
                truecaller,
                #[cfg(feature = "digilocker")]
                sandbox: digilocker.client,
            },
            NumberKeys::new(number_key.as_bytes()),
            sign_in::Settings {
                signin_timeout: config.sign_in.timeout,
                lock: config.sign_in.lock,
                countries: Arc::new(Countries::new(config.phone.countries.clone(), config.phone.default_region)),
                token_ttl: config.truecaller.token_ttl,
                limits: config.limits.clone(),
                #[cfg(feature = "digilocker")]
                digilocker_timeout: config.sandbox.timeout,
                #[cfg(feature = "digilocker")]
                digilocker_return: join(&public_url, crate::server::web::digilocker::RETURN_PATH),
                one_tap: config.truecaller.one_tap.clone(),
                simulated_sheet: truecaller_stand_in.as_ref().map(|_| join(&public_url, "simulator/sheet")),
                retention: config.retention,
                on_account_event,
            },
        );
        let mode = AppMode {
            simulator: truecaller_stand_in.is_some(),
            digilocker_simulator: digilocker.stand_in.is_some(),
            digilocker: offers_digilocker,
            demo: config.public_demo,
        };
        let state = AppState {
            leptos_options: options,
            sign_ins: sign_ins.clone(),
            site: Site { paths, simulated: mode.simulated() },
            mode,
            trusted_proxies: TrustedProxies::new(config.proxies.header.clone(), config.proxies.ranges.clone()),
            page,
        };

        let https = public_url.scheme() == "https";
        let idle = time::Duration::seconds(config.session_idle.as_secs() as i64);
        let sessions = Sessions::open(session_pool, sign_ins.store(), https, idle).await?;
        let tasks = vec![
            tokio::spawn(background(sign_ins.clone())),
            tokio::spawn(sign_ins.clone().relay_moves()),
            tokio::spawn(sign_ins.clone().work_inbox()),
        ];
        // Both stand-ins answer under `/simulator`, as one router (their paths do not overlap).
        let stand_ins = [truecaller_stand_in, digilocker.stand_in].into_iter().flatten().reduce(Router::merge);
        Ok(Self { state, public_url, https, stand_ins, sessions, session_records, metrics, tasks })
    }

    /// How browsers and Truecaller reach the app.
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The state the sign-in's handlers and server functions share.
    #[doc(hidden)]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The sign-in rules and storage (for tests and operators' tools).
    #[doc(hidden)]
    pub fn sign_ins(&self) -> &SignInService {
        &self.state.sign_ins
    }

    /// Whether the embedded Truecaller simulator answers (no app key).
    #[doc(hidden)]
    pub fn simulates(&self) -> bool {
        self.state.mode.simulator
    }

    /// Whether this is a public demo (`UNSAFE_PUBLIC_DEMO`).
    pub fn demo(&self) -> bool {
        self.state.mode.demo
    }

    /// What the sign-in's pages and server functions read from Leptos' context: pass it to
    /// `leptos_routes_with_context` (and any `handle_server_fns_with_context`).
    pub fn context(&self) -> impl Fn() + Clone + Send + Sync + 'static {
        let state = self.state.clone();
        move || provide(&state)
    }

    /// The sign-in's own routes: Truecaller's callback, the forms that work without JavaScript
    /// (start, cancel, more time, sign out, devices, delete, download), one-tap, DigiLocker, the
    /// language switch, `/metrics` unless turned off, and the simulators under `/simulator` when
    /// they run. Merged by [`SignInRouterExt::with_sign_in`].
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let https = self.https;
        let mut router = Router::new()
            .route(
                "/auth/truecaller/callback",
                post(callback::truecaller_callback).layer(DefaultBodyLimit::max(callback::MAX_BODY)),
            )
            .route("/signin", post(forms::initiate))
            .route("/signin/cancel", post(forms::cancel))
            .route("/signin/more-time", post(forms::more_time))
            .route("/signout", post(forms::sign_out))
            .route("/account/delete", post(forms::delete_account))
            .route("/account/devices/sign-out", post(forms::sign_out_devices))
            .route("/account/data", get(account::download))
            .route("/signin/one-tap", get(one_tap::start))
            .route("/language", post(move |form| async move { language::choose(https, form) }))
            .route(crate::components::STYLESHEET_PATH, get(assets::stylesheet));
        router = digilocker::routes(router);
        if self.metrics {
            router = router.route("/metrics", get(health::metrics));
        }
        if let Some(stand_ins) = &self.stand_ins {
            router = router.nest("/simulator", stand_ins.clone());
        }
        router.with_state(self.state.clone())
    }

    /// `router` (every route added so far) behind the session layer and the cross-site guard,
    /// with the sign-in's service in each request's extensions (for `CurrentUser`).
    pub fn layer<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        let router = router.layer(axum::Extension(self.state.sign_ins.clone()));
        let router = self.sessions.clone().apply(router);
        router.layer(axum::middleware::from_fn_with_state(self.origin(), csrf::guard))
    }

    /// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish
    /// (callbacks are recorded; held status requests answer at once, and browsers ask again after
    /// a restart), and stops the background work. A status request waits outside `app`, before
    /// routing or any layer starts on it; each request carries the peer's address.
    pub async fn serve(
        self,
        listener: TcpListener,
        app: Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let holds = hold::Holds::new(self.sign_ins().clone(), self.session_records.clone(), session_cookie(self.https), self.origin());
        let sign_ins = self.sign_ins().clone();
        let stopping = async move {
            shutdown.await;
            sign_ins.begin_shutdown();
        };
        let served = serve::serve(listener, hold::Holding::new(holds, app), stopping).await;
        for task in self.tasks {
            task.abort();
        }
        served
    }

    /// The app's own origin (scheme, host and port of the public URL).
    fn origin(&self) -> csrf::Origin {
        csrf::Origin(self.public_url.origin().ascii_serialization())
    }
}

/// What a page or server function of the sign-in reads from Leptos' context: the state, the site
/// and the page's nonce.
pub(super) fn provide(state: &AppState) {
    state.provide();
    headers::provide_page_nonce();
}

/// Adds the sign-in to a host's router in one step.
pub trait SignInRouterExt<S> {
    /// Merges [`TruecallerSignIn::routes`], then puts every route (the host's and the
    /// sign-in's) behind [`TruecallerSignIn::layer`]. Call it after the host's own routes:
    /// routes added later are outside the session layer.
    fn with_sign_in(self, sign_in: &TruecallerSignIn) -> Self;
}

impl<S: Clone + Send + Sync + 'static> SignInRouterExt<S> for Router<S> {
    fn with_sign_in(self, sign_in: &TruecallerSignIn) -> Self {
        sign_in.layer(self.merge(sign_in.routes()))
    }
}

/// How often overdue sign-ins are timed out when nobody is polling them, and profile fetches that
/// nobody holds are resumed.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// How often what retention allows is removed.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

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
