//! Builds this application from settings, as a host of the sign-in (`setup`); `main`, the
//! integration tests and Playwright all run exactly this wiring (tests bind port 0).

use std::future::Future;

use axum::{routing::get, Router};
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
use url::Url;

pub use super::setup::StartupError;
use super::{
    setup::{SignInBuilder, SignInRouterExt, TruecallerSignIn},
    sign_in::SignInService,
    state::AppState,
    web::{headers, health},
};
use crate::app::{shell, App};

/// This app: the sign-in as a host app adds it ([`TruecallerSignIn`]), with its pages, health
/// checks and the headers and compression every response gets, on a port of its own.
pub struct Application {
    listener: TcpListener,
    app: Router,
    sign_in: TruecallerSignIn,
}

/// Largest request body accepted anywhere.
const MAX_REQUEST_BODY: usize = 64 * 1024;

impl Application {
    /// Binds `leptos_options.site_addr`, then builds the sign-in from `sign_in`'s settings with
    /// this app's pages as the host's, exactly as any host app does (`setup`).
    pub async fn build(sign_in: SignInBuilder, mut leptos_options: LeptosOptions) -> Result<Self, StartupError> {
        let addr = leptos_options.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
        // Port 0 (tests): the public URL's default names the port actually bound.
        leptos_options.site_addr = listener.local_addr().map_err(|source| StartupError::Bind { addr, source })?;
        let sign_in = sign_in.shell(shell).build(&leptos_options).await?;
        let https = sign_in.public_url().scheme() == "https";

        let state = sign_in.state().clone();
        let app = Router::new()
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .leptos_routes_with_context(&state, route_list(), sign_in.context(), {
                let options = leptos_options.clone();
                move || shell(options.clone())
            })
            .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(sign_in.context(), shell))
            .with_state(state)
            .with_sign_in(&sign_in)
            // Nothing a browser or Truecaller sends us is anywhere near this; larger bodies get
            // 413 before any handler reads them (the callback has its own, smaller limit).
            .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
            .layer(axum::middleware::map_response_with_state(leptos_options.hash_files, cache_control))
            .layer(axum::middleware::from_fn(headers::page_nonce))
            .layer(axum::middleware::map_response_with_state(headers::Https(https), headers::security))
            .layer(compression())
            .layer(TraceLayer::new_for_http());
        Ok(Self { listener, app, sign_in })
    }

    pub fn public_url(&self) -> &Url {
        self.sign_in.public_url()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn sign_ins(&self) -> &SignInService {
        self.sign_in.sign_ins()
    }

    /// Whether the embedded Truecaller simulator answers (no app key).
    pub fn simulates(&self) -> bool {
        self.sign_in.simulates()
    }

    /// Whether this is a public demo (`UNSAFE_PUBLIC_DEMO`).
    pub fn demo(&self) -> bool {
        self.sign_in.demo()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish: callbacks are
    /// recorded, held status requests answer at once (browsers ask again after the restart).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        self.sign_in.serve(self.listener, self.app, shutdown).await
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
