//! The error every server function returns: what the browser may know, nothing more.

use serde::{Deserialize, Serialize};

use crate::domain::{PhoneProblem, Throttle};
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// `Display` is the English wording (logs, the JSON `error` of API answers); pages use
/// `message` in their own language (both in `wording`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiError {
    /// The number typed is not a valid mobile number; the problem says why.
    InvalidPhone(PhoneProblem),
    /// Something failed on our side; details are in the server log only.
    Internal,
    /// Refused for now; the same request may succeed after `retry_in_secs`. Worded with the other
    /// screens (`wording`).
    Throttled {
        /// Which limit.
        cause: Throttle,
        /// Seconds until the same request may succeed.
        retry_in_secs: u32,
    },
    /// The request never got a usable answer (network, server restarting).
    Transport(String),
}

impl std::error::Error for ApiError {}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
