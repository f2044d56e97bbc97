//! The settings a host app gives: the same named settings the app reads from `Leptos.toml` and
//! the environment (README, "Settings"), set in code or taken from the environment, and checked
//! all at once by [`SignInBuilder::build`] with the same errors, each naming its setting.

use std::{collections::HashMap, future::Future, sync::Arc};

use leptos::{config::LeptosOptions, prelude::IntoView};

use super::{StartupError, TruecallerSignIn};
use crate::{
    server::{
        config::{Config, ConfigError},
        sign_in::{AccountEvent, OnAccountEvent},
        state::{AppState, RenderPage},
    },
    site::SignInPaths,
};

/// What the host app adds beside the named settings.
#[derive(Clone)]
pub(super) struct Hosting {
    pub on_account_event: Option<OnAccountEvent>,
    pub metrics: bool,
    pub paths: SignInPaths,
    pub page: Option<RenderPage>,
}

impl Default for Hosting {
    fn default() -> Self {
        Self { on_account_event: None, metrics: true, paths: SignInPaths::default(), page: None }
    }
}

/// Builds a [`TruecallerSignIn`]: settings first, then [`build`](Self::build), which checks them
/// all, opens the database (running the migrations) and starts the background work.
///
/// ```no_run
/// # async fn run(options: leptos::config::LeptosOptions) -> Result<(), Box<dyn std::error::Error>> {
/// use truecaller_signin::server::SignInBuilder;
///
/// let sign_in = SignInBuilder::from_env()?
///     .database_url("sqlite://shop.db")
///     .countries(&["IN"])
///     .build(&options)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct SignInBuilder {
    /// The settings file's text (TOML), under `values`.
    file: String,
    /// Settings by their documented names; secrets among them (never printed).
    values: HashMap<String, String>,
    hosting: Hosting,
}

impl Default for SignInBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SignInBuilder {
    /// Names the settings given, never their values (keys and database passwords are among them).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.values.keys().collect();
        names.sort();
        f.debug_struct("SignInBuilder")
            .field("settings", &names)
            .field("paths", &self.hosting.paths)
            .field("metrics", &self.hosting.metrics)
            .finish_non_exhaustive()
    }
}

impl SignInBuilder {
    /// Every setting at its documented default: with no keys, the embedded simulators, on a
    /// loopback address only.
    pub fn new() -> Self {
        Self { file: String::new(), values: HashMap::new(), hosting: Hosting::default() }
    }

    /// The settings file named by `APP_CONFIG` (default `Leptos.toml`, if there is one) under the
    /// process environment, as the app itself reads them; setters override either.
    pub fn from_env() -> Result<Self, ConfigError> {
        let (file, values) = Config::sources()?;
        Ok(Self { file, values, ..Self::new() })
    }

    /// Any setting by its documented name (`SIGNIN_TIMEOUT_SECS`, `RATE_PER_IP_PER_MIN`, …),
    /// checked at [`build`](Self::build).
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// How browsers and Truecaller reach the app (`PUBLIC_URL`). Default: `http://` and the
    /// address Leptos serves on.
    pub fn public_url(self, url: impl Into<String>) -> Self {
        self.set("PUBLIC_URL", url)
    }

    /// Where accounts and sign-ins are kept (`DATABASE_URL`): `sqlite://file.db` (created if
    /// missing) or `postgres://…` for several instances.
    pub fn database_url(self, url: impl Into<String>) -> Self {
        self.set("DATABASE_URL", url)
    }

    /// Truecaller's app key (`TRUECALLER_APP_KEY`): real prompts instead of the simulator.
    pub fn truecaller_app_key(self, key: impl Into<String>) -> Self {
        self.set("TRUECALLER_APP_KEY", key)
    }

    /// Sandbox's API key and secret (`SANDBOX_API_KEY`, `SANDBOX_API_SECRET`): DigiLocker for real.
    pub fn sandbox_keys(self, key: impl Into<String>, secret: impl Into<String>) -> Self {
        self.set("SANDBOX_API_KEY", key).set("SANDBOX_API_SECRET", secret)
    }

    /// The countries whose numbers may sign in, as ISO codes (`PHONE_COUNTRIES`).
    pub fn countries(self, codes: &[&str]) -> Self {
        self.set("PHONE_COUNTRIES", codes.join(","))
    }

    /// The country chosen first, and assumed for numbers typed without a code
    /// (`PHONE_DEFAULT_REGION`, default `IN`).
    pub fn default_country(self, code: impl Into<String>) -> Self {
        self.set("PHONE_DEFAULT_REGION", code)
    }

    /// The name Truecaller's Android sheet shows for the app (`TRUECALLER_PARTNER_NAME`); the
    /// sheet's other options are the `ONE_TAP_*` settings.
    pub fn partner_name(self, name: impl Into<String>) -> Self {
        self.set("TRUECALLER_PARTNER_NAME", name)
    }

    /// Whether [`TruecallerSignIn::routes`] serves `/metrics` (Prometheus). Default: yes.
    pub fn metrics(mut self, serve: bool) -> Self {
        self.hosting.metrics = serve;
        self
    }

    /// Where the host mounts the sign-in's pages (default: sign in at `/`, the account at
    /// `/account`); every form and provider return comes back to them. Checked at build.
    pub fn paths(mut self, paths: SignInPaths) -> Self {
        self.hosting.paths = paths;
        self
    }

    /// The host's page shell, so that a number refused in a form posted without JavaScript is
    /// answered with the sign-in page itself, the reason beside the number. Without it, such a
    /// post comes back to the sign-in page, which asks again.
    pub fn shell<Page: IntoView + 'static>(mut self, shell: fn(LeptosOptions) -> Page) -> Self {
        self.hosting.page = Some(page_renderer(shell));
        self
    }

    /// Called once for each completed sign-in (who, how they were verified, whether the account
    /// is new) and each account removed, so the host can link the person to its own users. The
    /// sign-in waits for it: keep it short.
    pub fn on_account_event<F, Done>(mut self, handler: F) -> Self
    where
        F: Fn(AccountEvent) -> Done + Send + Sync + 'static,
        Done: Future<Output = ()> + Send + 'static,
    {
        self.hosting.on_account_event = Some(Arc::new(move |event| Box::pin(handler(event))));
        self
    }

    /// Checks every setting (the first problem is named in the error), opens the database and runs
    /// its migrations, and starts the background work. `options` are the host's Leptos options:
    /// its address is where the app listens.
    pub async fn build(self, options: &LeptosOptions) -> Result<TruecallerSignIn, StartupError> {
        let config = Config::load(&self.file, &self.values)?;
        let paths = &self.hosting.paths;
        for (name, path) in [("sign_in path", &paths.sign_in), ("account path", &paths.account), ("after_sign_in path", &paths.after_sign_in)] {
            if let Some(problem) = SignInPaths::problem(path) {
                return Err(ConfigError::Invalid { name, problem: format!("{path:?} {problem}") }.into());
            }
        }
        TruecallerSignIn::start(config, options.clone(), self.hosting).await
    }
}

/// Renders `shell` (the host's `<html>` around its app) for a request, with what the sign-in's
/// views read from the context.
fn page_renderer<Page: IntoView + 'static>(shell: fn(LeptosOptions) -> Page) -> RenderPage {
    Arc::new(move |state: AppState, request| {
        let options = state.leptos_options.clone();
        let render = leptos_axum::render_app_async_with_context(
            move || super::provide(&state),
            move || shell(options.clone()),
        );
        render(request)
    })
}
