//! The held status request (`POST /api/signin/status`), served by Axum rather than Leptos'
//! server-function handler.
//!
//! A browser waiting for Truecaller holds this request open for up to 25 s, and thousands may
//! wait at once, so what a held request keeps alive is what a waiting browser costs. Leptos'
//! handler keeps a reactive owner, its contexts and a copy of the request head for the whole
//! call; here the handler reads the language and the form, lets the request go, and waits with
//! the session and the sign-in service only. It is routed beside the app's other routes with
//! only the layers it needs: the session, the cross-site check and the security headers (no
//! compression for a few hundred bytes of JSON, no page nonce, no trace span). The page still calls `crate::api::get_status`: the
//! path and the wire format (a URL-encoded form in, JSON or a JSON `ApiError` out) are the server
//! function's, so its client is unchanged.

use std::time::Duration;

use axum::{
    extract::State,
    http::HeaderMap,
    response::Response,
    Form,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{api::answer, language, session::AuthSession, sign_in::SignInService};

/// Where the page's server function posts; Leptos is told not to route it (`startup`).
pub const PATH: &str = "/api/signin/status";

/// The form is one number (`wait_ms=25000`).
pub const MAX_BODY: usize = 256;

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    wait_ms: Option<u32>,
}

pub async fn status(State(sign_ins): State<SignInService>, session: Session, headers: HeaderMap, Form(form): Form<StatusForm>) -> Response {
    let lang = leptos_i18n::Locale::as_str(language::of_request(&headers));
    // Nothing of the request is needed past this point.
    drop(headers);
    let wait = Duration::from_millis(u64::from(form.wait_ms.unwrap_or(0)));
    answer(sign_ins.status(&AuthSession::new(session), wait, lang).await)
}
