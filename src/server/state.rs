//! The state every handler and server function shares. Its own module so that server
//! functions can reach it without depending on the wiring in `startup` (which renders the app).

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::{sign_in::SignInService, throttle::TrustedProxies};

/// Shared by every handler and server function (server functions read it from context).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub sign_ins: SignInService,
    pub mode: AppMode,
    pub trusted_proxies: TrustedProxies,
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
