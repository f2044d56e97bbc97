//! Every way a request can fail on the server, and the one place each maps to a response.
//! Causes are logged here once; the browser gets only a safe message.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

use super::{phone::PhoneError, session::SessionError, throttle::Throttled};
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    InvalidPhone(#[from] PhoneError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The batch of callbacks this one was stored with failed (Truecaller then sends it again).
    #[error("callback not stored: {0}")]
    NotStored(String),
    #[error("session: {0}")]
    Session(#[from] SessionError),
    /// Stored data this version cannot use.
    #[error("inconsistent data: {0}")]
    Corrupt(&'static str),
    /// Server wiring missing from the request (a programming error).
    #[error("missing request context: {0}")]
    Context(&'static str),
    /// A callback body we cannot accept; the reason is safe to send back.
    #[error("bad callback: {0}")]
    BadCallback(&'static str),
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("body too large")]
    PayloadTooLarge,
    /// A way in this deployment does not offer (DigiLocker without Sandbox keys).
    #[error("not offered here")]
    NotOffered,
    /// A limit refused the request for now.
    #[error("throttled: {0:?}")]
    Throttled(Throttled),
    /// The request needs a signed-in person, and nobody is (`CurrentUser`).
    #[error("sign in required")]
    SignInRequired,
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidPhone(_) | Self::BadCallback(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::NotOffered => StatusCode::NOT_FOUND,
            Self::SignInRequired => StatusCode::UNAUTHORIZED,
            Self::Database(_) | Self::NotStored(_) | Self::Session(_) | Self::Corrupt(_) | Self::Context(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// Logs what went wrong on our side, once, and returns what the browser may see.
    pub fn to_api(&self) -> ApiError {
        match self {
            Self::InvalidPhone(problem) => ApiError::InvalidPhone(*problem),
            Self::Throttled(t) => ApiError::Throttled { cause: t.cause, retry_in_secs: t.retry_after_secs() },
            other => {
                if other.status().is_server_error() {
                    tracing::error!(error = %other, "request failed");
                }
                ApiError::Internal
            }
        }
    }

    /// Seconds for a `Retry-After` header, when the request may be repeated later.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Throttled(t) => Some(t.retry_after_secs()),
            _ => None,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            Self::BadCallback(reason) => (*reason).to_owned(),
            Self::UnsupportedMediaType => "expected application/json".to_owned(),
            Self::PayloadTooLarge => "body too large".to_owned(),
            Self::SignInRequired => "sign in required".to_owned(),
            other => other.to_api().to_string(),
        };
        let mut response = (status, Json(serde_json::json!({ "error": message }))).into_response();
        if let Some(secs) = self.retry_after() {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
