//! The state every handler and server function shares. Its own module so that server
//! functions can reach it without depending on the wiring in `startup` (which renders the app).

use std::{future::Future, pin::Pin, sync::Arc};

use axum::{body::Body, extract::FromRef, http::Request, response::Response};
use leptos::prelude::{provide_context, LeptosOptions};

use super::{sign_in::SignInService, throttle::TrustedProxies};
use crate::site::Site;

/// Shared by every handler and server function (server functions read it from context).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub sign_ins: SignInService,
    pub mode: AppMode,
    /// Where the host mounts the pages, and what is simulated, as pages see it.
    pub site: Site,
    pub trusted_proxies: TrustedProxies,
    /// Renders the host's page for a request (a refused form post answered with the page itself).
    pub page: Option<RenderPage>,
}

/// Renders the host's page (its shell around its app) for a request, in the sign-in's context.
pub type RenderPage =
    Arc<dyn Fn(AppState, Request<Body>) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

impl AppState {
    /// What a page or server function of the sign-in reads from Leptos' context: this state
    /// and the site.
    pub fn provide(&self) {
        provide_context(self.clone());
        provide_context(self.site.clone());
    }
}

/// How the app is wired: what the simulator banner says (`app::decided_simulated`), and whether
/// the sign-in page offers DigiLocker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppMode {
    /// Requests go to the embedded simulator instead of Truecaller.
    pub simulator: bool,
    /// DigiLocker requests go to the embedded Sandbox + DigiLocker stand-in.
    pub digilocker_simulator: bool,
    /// DigiLocker is offered at all.
    pub digilocker: bool,
    /// `UNSAFE_PUBLIC_DEMO`: the simulators run where anyone can reach them; every page says so.
    pub demo: bool,
}

impl AppMode {
    /// What runs against a simulator, as pages say it (`site::Site::simulated`).
    pub fn simulated(&self) -> String {
        [self.simulator.then_some("truecaller"), self.digilocker_simulator.then_some("digilocker"), self.demo.then_some("demo")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}
