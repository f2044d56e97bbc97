//! Plain HTML form posts, for browsers without JavaScript (or before the wasm has loaded): the
//! same sign-in calls as the server functions, answered with a redirect back to the page.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect},
    Form,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{client::ClientIp, error::Error, session::AuthSession, sign_in::SignInService};
use crate::{countries::Region, domain::FormFeedback};

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    /// The picker's choice (an ISO code); a number typed without its code is read in it.
    country: Option<String>,
}

/// `POST /signin`: ask for a prompt; a refused number or a limit comes back as feedback on the
/// page (a redirect cannot carry the 429 itself).
pub async fn initiate(
    State(sign_ins): State<SignInService>,
    ClientIp(client): ClientIp,
    session: Session,
    Form(form): Form<PhoneForm>,
) -> Result<impl IntoResponse, Error> {
    let session = AuthSession::new(session);
    let refused = match sign_ins.initiate(&session, &form.phone, form.country.as_deref(), client).await {
        Ok(_) => None,
        Err(refused @ (Error::InvalidPhone(_) | Error::Throttled(_))) => Some(refused.to_api()),
        Err(other) => return Err(other),
    };
    if let Some(error) = refused {
        let phone: String = form.phone.chars().take(32).collect();
        let country = form.country.as_deref().and_then(Region::parse);
        session.set_feedback(&FormFeedback { phone, error, country }).await?;
    }
    Ok(Redirect::to("/"))
}

/// For a full-page start (`/signin/one-tap`, `/digilocker/start`): a limit's refusal is told on
/// the sign-in page, which a redirect cannot carry a 429 to; any other error is returned.
pub async fn throttle_to_page(session: &AuthSession, error: Error) -> Result<(), Error> {
    match error {
        throttled @ Error::Throttled(_) => {
            session.set_feedback(&FormFeedback { phone: String::new(), error: throttled.to_api(), country: None }).await?;
            Ok(())
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    /// `number`: show the phone form next, even where Android one-tap leads.
    then: Option<String>,
}

/// `POST /signin/more-time`: "Need more time?" without JavaScript; back to the waiting page.
pub async fn more_time(State(sign_ins): State<SignInService>, session: Session) -> Result<impl IntoResponse, Error> {
    sign_ins.ask_for_more_time(&AuthSession::new(session)).await?;
    Ok(Redirect::to("/"))
}

/// `POST /signout`: the account page's "Sign out", with or without JavaScript; to the sign-in page.
pub async fn sign_out(session: Session) -> Result<impl IntoResponse, Error> {
    AuthSession::new(session).sign_out().await?;
    Ok(Redirect::to("/"))
}

/// `POST /signin/cancel`: give up the current sign-in and show the start again (the phone form
/// when asked for).
pub async fn cancel(
    State(sign_ins): State<SignInService>,
    session: Session,
    form: Result<Form<CancelForm>, axum::extract::rejection::FormRejection>,
) -> Result<impl IntoResponse, Error> {
    sign_ins.cancel(&AuthSession::new(session)).await?;
    // A bare post (no body) is the plain cancel it always was.
    let number_next = form.is_ok_and(|Form(form)| form.then.as_deref() == Some("number"));
    Ok(Redirect::to(if number_next { "/?with=number" } else { "/" }))
}
