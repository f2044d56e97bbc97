//! The embedded simulators, in a build that has them (the `simulator` Cargo feature, on by
//! default): with no key set they stand in for Truecaller, and beside it for Sandbox + DigiLocker,
//! under `/simulator`. A build without them refuses to start with no Truecaller key, so a
//! production binary cannot fall back to signing anyone in as anyone.

use axum::Router;
use url::Url;

use crate::server::{config::ConfigError, state::AppState};

/// A stand-in's credentials for our client, and its routes (nested under `/simulator`).
pub(super) struct StandIn {
    pub key: String,
    /// Sandbox's stand-in has a secret; Truecaller's has none.
    #[cfg_attr(not(feature = "digilocker"), allow(dead_code))]
    pub secret: String,
    pub routes: Router<AppState>,
}

/// Truecaller's stand-in: it calls back to `public_url` and hands out `profile_url`'s profiles.
#[cfg(feature = "simulator")]
pub(super) fn truecaller(public_url: &Url, profile_url: &Url) -> Result<StandIn, ConfigError> {
    use crate::server::{providers::http::join, simulator};
    let callback_url = join(public_url, "auth/truecaller/callback");
    let stand_in = simulator::Simulator::new(callback_url, join(profile_url, "v1/default"));
    Ok(StandIn { key: simulator::APP_KEY.to_owned(), secret: String::new(), routes: stand_in.router() })
}

#[cfg(not(feature = "simulator"))]
pub(super) fn truecaller(_public_url: &Url, _profile_url: &Url) -> Result<StandIn, ConfigError> {
    Err(ConfigError::Invalid {
        name: "TRUECALLER_APP_KEY",
        problem: "not set, and this build has no simulator to stand in for Truecaller (the `simulator` Cargo feature)"
            .into(),
    })
}

/// Sandbox + DigiLocker's stand-in, beside Truecaller's; `None` in a build without simulators.
#[cfg(all(feature = "simulator", feature = "digilocker"))]
pub(super) fn sandbox(public_url: &Url) -> Option<StandIn> {
    use crate::server::{providers::http::join, simulator};
    let stand_in = simulator::SandboxSimulator::new(join(public_url, "simulator"));
    Some(StandIn {
        key: simulator::SANDBOX_SIM_KEY.to_owned(),
        secret: simulator::SANDBOX_SIM_SECRET.to_owned(),
        routes: stand_in.router(),
    })
}

#[cfg(all(not(feature = "simulator"), feature = "digilocker"))]
pub(super) fn sandbox(_public_url: &Url) -> Option<StandIn> {
    None
}
