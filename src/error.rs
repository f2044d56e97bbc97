//! The error every server function returns: what the browser may know, nothing more.

use serde::{Deserialize, Serialize};

use crate::{domain::Throttle, pages::screens::throttle_message};
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// The number typed is not a valid mobile number; the message says why.
    #[error("{0}")]
    InvalidPhone(String),
    /// Something failed on our side; details are in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Refused for now; the same request may succeed after `retry_in_secs`. Worded with the other
    /// screens (`pages::screens`); the server also sends this text to pages without JavaScript.
    #[error("{}", throttle_message(*cause, *retry_in_secs))]
    Throttled { cause: Throttle, retry_in_secs: u32 },
    /// The request never got a usable answer (network, server restarting).
    #[error("Could not reach the server. Check your connection and try again.")]
    Transport(String),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
