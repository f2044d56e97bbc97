//! What the sign-in page gets from the server to start from (a server function's answer, or the
//! page rendered in answer to a refused form post).

use serde::{Deserialize, Serialize};

use crate::{
    countries::{CountryChoice, Region},
    domain::{AccountView, Provider, SignInStatus},
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

/// What the account pages show: the account, where the person is signed in, what each way in
/// handed over, and how long things are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct YourData {
    pub account: AccountView,
    /// The sessions signed in to the account, the most recently used first.
    pub devices: Vec<DeviceView>,
    /// Each way in that vouched for the person, oldest first, with when it last did.
    pub ways_in: Vec<WayInUse>,
    pub kept: KeptFor,
}

/// A signed-in session, as the account page lists it. Times are said in UTC
/// (`2026-12-07 14:05 UTC`), the same on the server and in the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// What its "sign out" form names (not the session's id, which stays a secret).
    pub id: String,
    /// The browser and the platform from its `User-Agent` (`Chrome`, `Android`); empty when
    /// not recognised.
    pub browser: String,
    pub platform: String,
    /// Where it signed in from: a network (`203.0.113.0/24`), empty when not known.
    pub network: String,
    /// The way in it signed in with, when known.
    pub way_in: Option<Provider>,
    pub signed_in: String,
    pub last_seen: String,
    /// The browser asking.
    pub this_device: bool,
}

/// A way in and when it last vouched for the person (UTC, as [`DeviceView`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayInUse {
    pub provider: Provider,
    pub last_used: String,
}

/// How long each kind of record is kept, as this deployment is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFor {
    /// A device unused this long is signed out (and none stays signed in more than a day).
    pub device_idle_minutes: u32,
    /// Finished sign-in attempts (which hold the number typed).
    pub sign_ins_hours: u32,
    /// Audit events (coded tags, never numbers).
    pub audit_days: u32,
    /// Accounts unused this long are removed; `None`: kept until deleted.
    pub idle_account_days: Option<u32>,
}
