//! The browser's trips to DigiLocker and back: `POST /digilocker/start` (a plain form post, so it
//! works with or without JavaScript), `GET /digilocker/continue` (the hop to the consent page),
//! and `GET /digilocker/return` (where Sandbox sends the person back).

use leptos_i18n::{td_string, Locale as _};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};

use super::{
    client::ClientIp,
    forms::{self, sign_in_page, NextForm},
};
use crate::{
    server::{
        error::Error,
        session::AuthSession,
        sign_in::{DigiLockerStart, SignInService},
    },
    site::Site,
};

/// The fixed path Sandbox returns the person to (`redirect_url` = `PUBLIC_URL` + this).
pub const RETURN_PATH: &str = "digilocker/return";

/// `POST /digilocker/start`: a DigiLocker sign-in for this browser, then on to the consent page.
/// The redirect goes through `/digilocker/continue` on our own origin: a form post's redirect
/// chain is held to the page's `form-action 'self'`, a page's own navigation is not.
pub async fn start(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    ClientIp(client): ClientIp,
    session: AuthSession,
    form: Result<axum::Form<NextForm>, axum::extract::rejection::FormRejection>,
) -> Result<Redirect, Error> {
    let next = form.ok().and_then(|axum::Form(form)| form.next).filter(|path| crate::site::local(path));
    let next = next.as_deref();
    match sign_ins.start_digilocker(&session, client).await {
        Ok(DigiLockerStart::Consent(url)) => {
            session.set_consent_url(&url).await?;
            session.set_return_to(next).await?;
            Ok(Redirect::to("/digilocker/continue"))
        }
        // The sign-in page shows why (its status is the failure).
        Ok(DigiLockerStart::Refused) => Ok(Redirect::to(&sign_in_page(&site.paths, None, next))),
        Err(throttled @ Error::Throttled(_)) => forms::throttle_to_page(&site.paths, throttled, next),
        Err(Error::NotOffered) => Err(Error::NotOffered),
        // A full page, not an API call: log the cause and let the sign-in page say what it can.
        Err(other) => Ok(back_to_sign_in(&site, &other, next)),
    }
}

/// Logs a failure on a full-page route (once, through the error's own mapping) and sends the
/// browser back to the sign-in page, which shows where its sign-in stands.
fn back_to_sign_in(site: &Site, error: &Error, next: Option<&str>) -> Redirect {
    let _ = error.to_api();
    Redirect::to(&sign_in_page(&site.paths, None, next))
}

/// `GET /digilocker/continue`: sends the browser on to the consent page it was given, once. The
/// page refreshes itself there at once, and shows a link for browsers that don't.
pub async fn continue_to_consent(
    State(site): State<Site>,
    session: AuthSession,
    headers: axum::http::HeaderMap,
) -> Result<Response, Error> {
    let Some(url) = session.take_consent_url().await? else {
        return Ok(Redirect::to(&site.paths.sign_in).into_response());
    };
    let href = escape(url.as_str());
    let locale = super::language::of_request(&headers);
    let (lang, dir) = (locale.as_str(), locale.direction().as_str());
    let (opening, go) = (td_string!(locale, opening_digilocker), td_string!(locale, continue_to_digilocker));
    let page = format!(
        r#"<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="0;url={href}"><title>{opening}</title></head><body><main><h1>{opening}</h1><p><a href="{href}">{go}</a></p></main></body></html>"#
    );
    let policy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    Ok((StatusCode::OK, [(header::CONTENT_SECURITY_POLICY, policy), (header::REFERRER_POLICY, "no-referrer")], Html(page))
        .into_response())
}

/// `GET /digilocker/return`: the person is back from DigiLocker. Whatever the URL carries is
/// ignored; this browser's own pending DigiLocker sign-in is checked, and the page shows it (with
/// the `?next=` it was started from, kept in the session for the trip).
pub async fn returned(State(sign_ins): State<SignInService>, State(site): State<Site>, session: AuthSession) -> Redirect {
    let next = session.take_return_to().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "where the DigiLocker sign-in was going could not be read");
        None
    });
    let next = next.as_deref().filter(|path| crate::site::local(path));
    match sign_ins.digilocker_returned(&session).await {
        Ok(()) => Redirect::to(&sign_in_page(&site.paths, None, next)),
        Err(e) => back_to_sign_in(&site, &e, next),
    }
}

/// Text for an HTML attribute value.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}
