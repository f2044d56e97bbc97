//! The signed-in person as an axum extractor, for any handler (the host app's as much as this
//! crate's): `CurrentUser` refuses a request nobody is signed in to with 401; `Option<CurrentUser>`
//! lets the handler decide. A device signed out elsewhere, or an account deleted meanwhile, is
//! nobody (and its session ends), exactly as the account page sees it. It works with any router
//! state: the sign-in's layer (`setup::TruecallerSignIn::layer`) puts its service in each
//! request's extensions.

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::request::Parts,
};

use crate::{
    server::{error::Error, session::AuthSession, sign_in::SignInService},
    user::CurrentUser,
};

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let session = <AuthSession as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::Context("session layer"))?;
        let sign_ins = parts.extensions.get::<SignInService>().ok_or(Error::Context("sign-in layer"))?;
        sign_ins.current_user(&session).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state).await?.ok_or(Error::SignInRequired)
    }
}
