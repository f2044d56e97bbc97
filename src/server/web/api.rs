//! What the `#[server]` functions in `crate::api` call: the request's session and services,
//! and the single conversion of server errors into what the browser sees.

use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::server::{error::Error, session::AuthSession, sign_in::Woken, state::AppState};
use crate::{
    domain::{AccountView, SignInStatus},
    page_data::{FormFeedback, SignInPageData},
    error::ApiError,
};

/// The services and this browser's session, from the request being handled.
pub async fn request() -> Result<(AppState, AuthSession), ApiError> {
    let state = use_context::<AppState>().ok_or(Error::Context("AppState")).map_err(|e| respond_error(&e))?;
    let session = leptos_axum::extract::<AuthSession>().await.map_err(|_| respond_error(&Error::Context("session layer")))?;
    Ok((state, session))
}

/// The client's address: the TCP peer, or the trusted proxy's header when one is configured.
pub async fn client_ip(state: &AppState) -> Result<std::net::IpAddr, ApiError> {
    let super::client::ClientIp(ip) =
        leptos_axum::extract_with_state::<super::client::ClientIp, AppState>(state)
            .await
            .map_err(|_| respond_error(&Error::Context("connect info")))?;
    Ok(ip)
}

/// The sign-in as the wake of this request's hold read it, when the request was held before the
/// app (`server::web::hold`), so the answer need not read it again.
pub fn woken() -> Option<Woken> {
    use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<Woken>().cloned())
}

/// Maps a server result for the browser, setting the HTTP status for errors.
pub fn respond<T>(result: Result<T, Error>) -> Result<T, ApiError> {
    result.map_err(|e| respond_error(&e))
}

fn respond_error(error: &Error) -> ApiError {
    if let Some(options) = use_context::<ResponseOptions>() {
        options.set_status(error.status());
        if let Some(secs) = error.retry_after() {
            options.insert_header(axum::http::header::RETRY_AFTER, secs.into());
        }
    }
    error.to_api()
}

/// The account page's data for this session.
pub async fn account(state: &AppState, session: &AuthSession) -> Result<Option<AccountView>, Error> {
    state.sign_ins.signed_in_account(session).await
}

/// Why the page being rendered answers a refused form post (a request extension the form's
/// handler, `forms::initiate`, sets).
#[derive(Clone)]
pub struct Refused(pub FormFeedback);

/// What a form post was answered with, when the page being rendered shows it instead of the
/// session's status: a prompt the number already has (`Locked`) starts no sign-in, so the
/// session has nothing to show after a redirect (a request extension `forms::initiate` sets).
#[derive(Clone)]
pub struct Answered(pub SignInStatus);

/// The query parameter that carries a full-page start's refusal to the sign-in page: the seconds
/// to wait.
pub const THROTTLED: &str = "throttled";

/// Why a start was refused, when this page answers the refusal: the form post's own feedback
/// ([`Refused`]), or a full-page start's limit in the address (`?throttled=SECONDS`).
fn refusal() -> Option<FormFeedback> {
    let parts = use_context::<axum::http::request::Parts>()?;
    if let Some(Refused(feedback)) = parts.extensions.get::<Refused>() {
        return Some(feedback.clone());
    }
    let query = parts.uri.query()?;
    let secs = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == THROTTLED)
        .and_then(|(_, value)| value.parse::<u32>().ok())?;
    let error = ApiError::Throttled { cause: crate::domain::Throttle::TooManyAttempts, retry_in_secs: secs.clamp(1, 24 * 3600) };
    Some(FormFeedback { phone: String::new(), error, country: None })
}

/// The sign-in page's starting point: the status, any form feedback, and whether this browser
/// leads with Android one-tap (from its `User-Agent`).
pub async fn sign_in_page(state: &AppState, session: &AuthSession) -> Result<SignInPageData, Error> {
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.map_err(|_| Error::Context("request headers"))?;
    let lang = leptos_i18n::Locale::as_str(super::language::of_request(&headers));
    let answered = use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<Answered>().cloned());
    let status = match answered {
        Some(Answered(status)) => status,
        None => state.sign_ins.status(session, std::time::Duration::ZERO, lang, None).await?,
    };
    let feedback = refusal();
    let last_country = feedback.as_ref().and_then(|f| f.country);
    let country = state.sign_ins.countries().choice(lang, last_country, &super::language::regions(&headers));
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let one_tap = super::user_agent::offers_one_tap(user_agent);
    Ok(SignInPageData { status, feedback, digilocker: state.mode.digilocker, one_tap, country })
}
