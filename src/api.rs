//! Server functions: the browser's whole API, at fixed URLs under `/api/` so tests and other
//! clients can call them. Bodies are one line into `server::`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::web::api::{client_ip, request, respond, woken};
use crate::{
    domain::{AccountView, OneTapLink, SignInStatus},
    page_data::{SignInPageData, YourData},
    user::CurrentUser,
    error::ApiError,
};

/// Asks Truecaller to prompt the phone holding `phone` (as typed; read in `country`, an ISO code,
/// when it has no country code).
#[server(endpoint = "signin/initiate")]
pub async fn initiate(phone: String, #[server(default)] country: Option<String>) -> Result<SignInStatus, ApiError> {
    let (state, session) = request().await?;
    let client = client_ip(&state).await?;
    respond(state.sign_ins.initiate(&session, &phone, country.as_deref(), client).await)
}

/// Android one-tap: a sign-in for this browser without a number, and the deep link that opens
/// Truecaller's sheet for it.
#[server(endpoint = "signin/one-tap")]
pub async fn start_one_tap() -> Result<OneTapLink, ApiError> {
    let (state, session) = request().await?;
    let client = client_ip(&state).await?;
    let lang = leptos_i18n::Locale::as_str(crate::server::web::language::of_current_request());
    respond(state.sign_ins.start_one_tap(&session, client, lang).await)
}

/// What the sign-in page renders on load: the status and any feedback from a plain form post.
#[server(endpoint = "signin/page")]
pub async fn sign_in_page() -> Result<SignInPageData, ApiError> {
    let (state, session) = request().await?;
    respond(crate::server::web::api::sign_in_page(&state, &session).await)
}

/// This browser's sign-in. `wait_ms` holds the answer until the status changes (at most 25 s).
/// A held request waits in `server::web::hold` (which keeps less alive while it holds) and reaches
/// this function once there is something to answer.
#[server(endpoint = "signin/status")]
pub async fn get_status(wait_ms: Option<u32>) -> Result<SignInStatus, ApiError> {
    let (state, session) = request().await?;
    let wait = std::time::Duration::from_millis(u64::from(wait_ms.unwrap_or(0)));
    let lang = leptos_i18n::Locale::as_str(crate::server::web::language::of_current_request());
    respond(state.sign_ins.status(&session, wait, lang, woken()).await)
}

/// "Need more time?": waits longer for the answer on the phone (a minute more, within the
/// number's lock). Answers the status as it now is.
#[server(endpoint = "signin/more-time")]
pub async fn more_time() -> Result<SignInStatus, ApiError> {
    let (state, session) = request().await?;
    respond(state.sign_ins.ask_for_more_time(&session).await)
}

/// Abandons this browser's sign-in (the prompt already sent stays on the phone until it expires).
#[server(endpoint = "signin/cancel")]
pub async fn cancel() -> Result<SignInStatus, ApiError> {
    let (state, session) = request().await?;
    respond(state.sign_ins.cancel(&session).await)
}

/// The signed-in account, or `None`.
#[server(endpoint = "account")]
pub async fn current_account() -> Result<Option<AccountView>, ApiError> {
    let (state, session) = request().await?;
    respond(crate::server::web::api::account(&state, &session).await)
}

/// The person this browser is signed in as (with how strongly they were checked), or `None`.
#[server(endpoint = "user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, ApiError> {
    let (state, session) = request().await?;
    respond(state.sign_ins.current_user(&session).await)
}

/// What the account pages show: the account, the devices signed in, the ways in with when each
/// last vouched, and how long things are kept; `None` when signed out.
#[server(endpoint = "account/yours")]
pub async fn get_your_data() -> Result<Option<YourData>, ApiError> {
    let (state, session) = request().await?;
    respond(state.sign_ins.your_data(&session).await)
}

/// Ends the session.
#[server(endpoint = "signout")]
pub async fn sign_out() -> Result<(), ApiError> {
    let (state, session) = request().await?;
    respond(state.sign_ins.sign_out(&session).await)
}
