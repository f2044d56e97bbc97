use std::process::ExitCode;

use leptos::config::get_configuration;
use truecaller_signin::server::{
    startup::{self, Application},
    web::assets,
    SignInBuilder,
};

fn main() -> ExitCode {
    match startup::runtime() {
        Ok(runtime) => runtime.block_on(serve()),
        Err(e) => {
            eprintln!("start-up failed: no async runtime: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve() -> ExitCode {
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into())
    };
    // LOG_FORMAT=json: one JSON object per line, for log pipelines; anything else is refused.
    match std::env::var("LOG_FORMAT").as_deref().map(str::trim) {
        Ok("json") => tracing_subscriber::fmt().json().with_current_span(true).with_env_filter(filter()).init(),
        Ok("text" | "") | Err(_) => tracing_subscriber::fmt().with_env_filter(filter()).init(),
        Ok(other) => {
            eprintln!("configuration error: LOG_FORMAT: {other:?} is not json or text");
            return ExitCode::from(2);
        }
    }

    // Read here; checked, every setting, when the sign-in is built.
    let settings = match SignInBuilder::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let leptos_options = match get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(e) => {
            eprintln!("configuration error (LEPTOS_*): {e}");
            return ExitCode::from(2);
        }
    };
    // Served with a bundle the page cannot load, the app would look up and work for nobody.
    if let Err(e) = assets::check(&leptos_options) {
        eprintln!("configuration error: {e}");
        return ExitCode::from(2);
    }
    let app = match Application::build(settings, leptos_options).await {
        Ok(app) => app,
        Err(e @ startup::StartupError::Config(_)) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("start-up failed: {e}");
            return ExitCode::from(1);
        }
    };
    let mode = match (app.simulates(), app.demo()) {
        (true, true) => "PUBLIC DEMO (UNSAFE_PUBLIC_DEMO=yes): simulators only, anyone can sign in as anyone",
        (true, false) => "simulator mode: no real prompts are sent",
        (false, _) => "live Truecaller",
    };
    tracing::info!("listening on {} ({mode})", app.public_url());
    if app.simulates() {
        tracing::info!("simulated phone: {}simulator", app.public_url());
    }
    match app.run_until(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
