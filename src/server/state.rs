//! The state every handler and server function shares. Its own module so that server
//! functions can reach it without depending on the wiring in `startup` (which renders the app).

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::{sign_in::SignInService, throttle::ProxyHeader};
use crate::domain::AppMode;

/// Shared by every handler and server function (server functions read it from context).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub sign_ins: SignInService,
    pub mode: AppMode,
    pub proxy_header: ProxyHeader,
}
