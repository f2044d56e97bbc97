//! DigiLocker through Sandbox, in a build that has it (the `digilocker` Cargo feature, on by
//! default): Sandbox's client with its keys, or beside the Truecaller simulator the Sandbox +
//! DigiLocker stand-in, and the routes a browser takes to DigiLocker and back.

use axum::Router;
use url::Url;

use crate::server::{config::Config, state::AppState};
#[cfg(feature = "digilocker")]
use crate::server::{
    config::SandboxMode,
    providers::sandbox::SandboxClient,
    web::digilocker::{continue_to_consent, returned, start},
};

/// What DigiLocker is in this deployment.
pub(super) struct DigiLocker {
    /// Sandbox's client: `None` when DigiLocker is not offered.
    #[cfg(feature = "digilocker")]
    pub client: Option<SandboxClient>,
    /// The Sandbox + DigiLocker stand-in's routes, when it runs.
    pub stand_in: Option<Router<AppState>>,
}

impl DigiLocker {
    /// With Sandbox's keys, Sandbox. Without them, the stand-in, which signs anyone in as anyone:
    /// it runs only beside the Truecaller simulator (`truecaller_simulated`). A deployment with a
    /// real Truecaller key and no Sandbox keys offers no DigiLocker.
    #[cfg(feature = "digilocker")]
    pub(super) fn open(config: &Config, public_url: &Url, truecaller_simulated: bool) -> Self {
        let url = config.sandbox_url(public_url);
        match &config.sandbox.mode {
            SandboxMode::Live { api_key, api_secret } => Self {
                client: Some(SandboxClient::new(&url, api_key.expose().to_owned(), api_secret.expose().to_owned())),
                stand_in: None,
            },
            SandboxMode::Simulator => match truecaller_simulated.then(|| super::stand_ins::sandbox(public_url)).flatten() {
                Some(stand_in) => Self {
                    client: Some(SandboxClient::new(&url, stand_in.key, stand_in.secret)),
                    stand_in: Some(stand_in.routes),
                },
                None => {
                    tracing::info!("DigiLocker is not offered: set SANDBOX_API_KEY and SANDBOX_API_SECRET to offer it");
                    Self { client: None, stand_in: None }
                }
            },
        }
    }

    /// A build without DigiLocker offers none (and Sandbox's keys were refused by the settings).
    #[cfg(not(feature = "digilocker"))]
    pub(super) fn open(_config: &Config, _public_url: &Url, _truecaller_simulated: bool) -> Self {
        tracing::info!("DigiLocker is not offered: this build has no `digilocker` Cargo feature");
        Self { stand_in: None }
    }

    /// Whether the sign-in page offers DigiLocker.
    pub(super) fn offered(&self) -> bool {
        #[cfg(feature = "digilocker")]
        return self.client.is_some();
        #[cfg(not(feature = "digilocker"))]
        false
    }
}

/// The way to DigiLocker and back: the form's start (a plain post, with or without JavaScript),
/// the hop page its redirect leads to (on to the consent page), and Sandbox's return URL.
#[cfg(feature = "digilocker")]
pub(super) fn routes(router: Router<AppState>) -> Router<AppState> {
    use axum::routing::{get, post};
    router
        .route("/digilocker/start", post(start))
        .route("/digilocker/continue", get(continue_to_consent))
        .route("/digilocker/return", get(returned))
}

#[cfg(not(feature = "digilocker"))]
pub(super) fn routes(router: Router<AppState>) -> Router<AppState> {
    router
}
