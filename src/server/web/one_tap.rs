//! `GET /signin/one-tap`: Android one-tap without JavaScript. The one-tap control is a link
//! here; this mints the attempt and sends the browser to the sign-in page, which now shows the
//! self-refreshing wait with "Open Truecaller" (the deep link itself, or in simulator mode the
//! stand-in sheet) as its first step.
//!
//! Why not straight to the deep link: a redirect to `truecallersdk://` opens the app but never
//! replaces the page, so without JavaScript the tab would go on showing the button it was tapped
//! on, never the wait or the outcome. A direct tap on the deep link also keeps the user gesture
//! the browser wants before it hands a link to an app.

use leptos_i18n::Locale as _;
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::Redirect,
};

use super::{
    client::ClientIp,
    forms::{self, sign_in_page, NextForm},
};
use crate::{
    server::{error::Error, session::AuthSession, sign_in::SignInService},
    site::Site,
};

pub async fn start(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    session: AuthSession,
    Query(NextForm { next }): Query<NextForm>,
) -> Result<Redirect, Error> {
    let next = next.as_deref();
    // A GET, so the cross-site guard does not cover it: another site must not start (or cancel)
    // a sign-in in this browser by linking or embedding it.
    if matches!(headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()), Some("cross-site" | "same-site")) {
        tracing::warn!(event = "cross_site_one_tap", "one-tap link followed from another site; refused");
        return Ok(Redirect::to(&sign_in_page(&site.paths, None, next)));
    }
    match sign_ins.start_one_tap(&session, client, super::language::of_request(&headers).as_str()).await {
        Ok(_) => Ok(Redirect::to(&sign_in_page(&site.paths, None, next))),
        Err(error) => forms::throttle_to_page(&site.paths, error, next),
    }
}
