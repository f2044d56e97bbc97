//! Plain HTML form posts, for browsers without JavaScript (or before the wasm has loaded): the
//! same sign-in calls as the server functions, answered with a redirect back to the page, or, when
//! refused, with the page itself saying why.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, request::Parts, Method},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;

use super::{
    api::{Answered, Refused, THROTTLED},
    client::ClientIp,
};
use crate::server::{error::Error, session::AuthSession, sign_in::SignInService, state::AppState};
use crate::{
    countries::Region,
    domain::SignInStatus,
    page_data::FormFeedback,
    site::{SignInPaths, Site},
};

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    /// The picker's choice (an ISO code); a number typed without its code is read in it.
    country: Option<String>,
    /// The page's `?next=`, carried by every form of the sign-in page.
    next: Option<String>,
}

/// A sign-in page form with nothing but the page's `?next=`.
#[derive(Deserialize)]
pub struct NextForm {
    pub next: Option<String>,
}

/// The sign-in page a form's browser goes back to: with `query` (`with=number`) and the page's
/// `?next=` when it is a path of this site, so the person still lands where they were going.
pub fn sign_in_page(paths: &SignInPaths, query: Option<&str>, next: Option<&str>) -> String {
    let next = next
        .filter(|path| crate::site::local(path))
        .map(|path| url::form_urlencoded::Serializer::new(String::new()).append_pair("next", path).finish());
    let query: Vec<&str> = [query, next.as_deref()].into_iter().flatten().collect();
    if query.is_empty() {
        paths.sign_in.clone()
    } else {
        paths.sign_in_with(&query.join("&"))
    }
}

/// `POST /signin`: ask for a prompt. A refused number or a limit is answered with the sign-in
/// page itself (400 or 429), the form as it was sent and the reason beside it: nothing is saved
/// for a later page view, so a refused post writes nothing.
pub async fn initiate(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    parts: Parts,
    session: AuthSession,
    Form(form): Form<PhoneForm>,
) -> Result<Response, Error> {
    match state.sign_ins.initiate(&session, &form.phone, form.country.as_deref(), client).await {
        // No sign-in started: the page says so now, as it does with JavaScript (a redirect
        // would show the empty form).
        Ok(locked @ SignInStatus::Locked { .. }) => Ok(page_answering(state, parts, Answered(locked), form.next.as_deref()).await),
        Ok(_) => Ok(Redirect::to(&sign_in_page(&state.site.paths, None, form.next.as_deref())).into_response()),
        Err(refused @ (Error::InvalidPhone(_) | Error::Throttled(_))) => {
            let phone: String = form.phone.chars().take(32).collect();
            let country = form.country.as_deref().and_then(Region::parse);
            let feedback = FormFeedback { phone, error: refused.to_api(), country };
            let mut page = page_answering(state, parts, Refused(feedback), form.next.as_deref()).await;
            *page.status_mut() = refused.status();
            if let Some(secs) = refused.retry_after() {
                page.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            Ok(page)
        }
        Err(other) => Err(other),
    }
}

/// The sign-in page as this request would get it, showing `answer` (a refusal's feedback, or the
/// status it was answered with), in the host's shell. Rendered at the posted URL (`/signin` is
/// also a route of this app's page, so the browser's copy hydrates there; the form's address
/// carries the page's `?next=`). A host that gave no shell gets its sign-in page back (with
/// `next`), which asks again.
async fn page_answering<A: Clone + Send + Sync + 'static>(state: AppState, mut parts: Parts, answer: A, next: Option<&str>) -> Response {
    let Some(render) = state.page.clone() else {
        return Redirect::to(&sign_in_page(&state.site.paths, None, next)).into_response();
    };
    parts.method = Method::GET;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.extensions.insert(answer);
    render(state, Request::from_parts(parts, Body::empty())).await
}

/// For a full-page start (`/signin/one-tap`, `/digilocker/start`): a limit's refusal is told on
/// the sign-in page, through the address it is sent to (nothing is saved for it); any other
/// error is returned.
pub fn throttle_to_page(paths: &SignInPaths, error: Error, next: Option<&str>) -> Result<Redirect, Error> {
    match error {
        Error::Throttled(throttled) => {
            let query = format!("{THROTTLED}={}", throttled.retry_after_secs());
            Ok(Redirect::to(&sign_in_page(paths, Some(&query), next)))
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    /// `number`: show the phone form next, even where Android one-tap leads.
    then: Option<String>,
    next: Option<String>,
}

/// `POST /signin/more-time`: "Need more time?" without JavaScript; back to the waiting page.
pub async fn more_time(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    session: AuthSession,
    form: Result<Form<NextForm>, axum::extract::rejection::FormRejection>,
) -> Result<impl IntoResponse, Error> {
    sign_ins.ask_for_more_time(&session).await?;
    let next = form.ok().and_then(|Form(form)| form.next);
    Ok(Redirect::to(&sign_in_page(&site.paths, None, next.as_deref())))
}

/// `POST /signout`: the account page's "Sign out", with or without JavaScript; to the sign-in page.
pub async fn sign_out(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    session: AuthSession,
) -> Result<impl IntoResponse, Error> {
    sign_ins.sign_out(&session).await?;
    Ok(Redirect::to(&site.paths.sign_in))
}

#[derive(Deserialize)]
pub struct DevicesForm {
    /// The device to sign out; without it, every device but this one.
    device: Option<String>,
}

/// `POST /account/devices/sign-out`: the account page's "Sign out" beside another device, or
/// "Sign out everywhere else", with or without JavaScript; back to the list.
pub async fn sign_out_devices(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    session: AuthSession,
    Form(form): Form<DevicesForm>,
) -> Result<impl IntoResponse, Error> {
    let only = form.device.as_deref().filter(|id| !id.is_empty());
    sign_ins.sign_out_devices(&session, only).await?;
    Ok(Redirect::to(&format!("{}#devices", site.paths.account)))
}

/// `POST /account/delete`: the confirmation page's "Delete my account", with or without
/// JavaScript; to the sign-in page, which says the account is gone.
pub async fn delete_account(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    ClientIp(client): ClientIp,
    session: AuthSession,
) -> Result<impl IntoResponse, Error> {
    let deleted = sign_ins.delete_account(&session, client).await?;
    Ok(Redirect::to(&if deleted { site.paths.sign_in_with("deleted") } else { site.paths.sign_in }))
}

/// `POST /signin/cancel`: give up the current sign-in and show the start again (the phone form
/// when asked for).
pub async fn cancel(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    session: AuthSession,
    form: Result<Form<CancelForm>, axum::extract::rejection::FormRejection>,
) -> Result<impl IntoResponse, Error> {
    sign_ins.cancel(&session).await?;
    // A bare post (no body) is the plain cancel it always was.
    let (then, next) = form.map(|Form(form)| (form.then, form.next)).unwrap_or_default();
    let query = (then.as_deref() == Some("number")).then_some("with=number");
    Ok(Redirect::to(&sign_in_page(&site.paths, query, next.as_deref())))
}
