//! What the sign-in page gets from the server to start from (a server function's answer, or the
//! page rendered in answer to a refused form post).

use serde::{Deserialize, Serialize};

use crate::{
    countries::{CountryChoice, Region},
    domain::SignInStatus,
    error::ApiError,
};

/// What the sign-in page starts from: the status, and the verdict on a number sent by a plain
/// form post (no JavaScript), which cannot be answered in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPageData {
    pub status: SignInStatus,
    pub feedback: Option<FormFeedback>,
    /// Whether DigiLocker is offered (it is off when Truecaller is live and Sandbox has no keys).
    pub digilocker: bool,
    /// Whether this browser leads with Android one-tap (Chrome or Samsung Internet on Android,
    /// not a WebView), decided on the server from the request.
    pub one_tap: bool,
    /// The country picker's list and first choice.
    pub country: CountryChoice,
}

/// A number (or a request) the server refused, and why; worded when the page is drawn, in its
/// language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFeedback {
    pub phone: String,
    pub error: ApiError,
    /// The country chosen with the number, so the form comes back as it was sent.
    #[serde(default)]
    pub country: Option<Region>,
}
