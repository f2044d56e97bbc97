//! The error every server function returns: what the browser may know, nothing more.

use serde::{Deserialize, Serialize};

use crate::{
    domain::{PhoneProblem, Throttle},
    i18n::Locale,
    pages::screens,
    words::say,
};
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// `Display` is the English wording (logs, the JSON `error` of API answers); pages use
/// [`ApiError::message`] in their own language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiError {
    /// The number typed is not a valid mobile number; the problem says why.
    InvalidPhone(PhoneProblem),
    /// Something failed on our side; details are in the server log only.
    Internal,
    /// Refused for now; the same request may succeed after `retry_in_secs`. Worded with the other
    /// screens (`pages::screens`).
    Throttled { cause: Throttle, retry_in_secs: u32 },
    /// The request never got a usable answer (network, server restarting).
    Transport(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// What a person reads, in `locale` (countries by their code; the sign-in page names them
    /// with `message_naming`).
    pub fn message(&self, locale: Locale) -> String {
        self.message_naming(locale, &|region| region.to_string())
    }

    /// What a person reads, in `locale`, with countries worded by `name`.
    pub fn message_naming(&self, locale: Locale, name: &dyn Fn(crate::countries::Region) -> String) -> String {
        match self {
            Self::InvalidPhone(problem) => screens::phone_problem(*problem, locale, name),
            Self::Internal => say!(locale, error_internal).to_owned(),
            Self::Throttled { cause, retry_in_secs } => screens::throttle_message(*cause, locale, *retry_in_secs),
            Self::Transport(_) => say!(locale, error_transport).to_owned(),
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
