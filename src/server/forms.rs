//! Plain HTML form posts, for browsers without JavaScript (or before the wasm has loaded): the
//! same sign-in calls as the server functions, answered with a redirect back to the page.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect},
    Form,
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{error::Error, session::AuthSession, sign_in::SignInService};
use crate::domain::FormFeedback;

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

/// `POST /signin`: ask for a prompt; a refused number comes back as feedback on the page.
pub async fn initiate(
    State(sign_ins): State<SignInService>,
    session: Session,
    Form(form): Form<PhoneForm>,
) -> Result<impl IntoResponse, Error> {
    let session = AuthSession::new(session);
    match sign_ins.initiate(&session, &form.phone).await {
        Ok(_) => {}
        Err(Error::InvalidPhone(reason)) => {
            let phone: String = form.phone.chars().take(32).collect();
            session.set_feedback(&FormFeedback { phone, message: reason.to_string() }).await?;
        }
        Err(other) => return Err(other),
    }
    Ok(Redirect::to("/"))
}

/// `POST /signin/cancel`: give up the current sign-in and show the form again.
pub async fn cancel(State(sign_ins): State<SignInService>, session: Session) -> Result<impl IntoResponse, Error> {
    sign_ins.cancel(&AuthSession::new(session)).await?;
    Ok(Redirect::to("/"))
}
