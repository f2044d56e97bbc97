//! The error every server function returns: what the browser may know, nothing more.

use serde::{Deserialize, Serialize};
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
