//! Where a browser's held status request waits: in the outermost layer, before the session
//! layer, Leptos' server-function handler or any other layer has started on it.
//!
//! A browser waiting for Truecaller holds `POST /api/signin/status` open for up to 25 s, and
//! thousands may wait at once, so what a held request keeps alive is what a waiting browser
//! costs. Each layer's state lives as long as the request does (a loaded session and its cookie
//! jar, Leptos' reactive owner and contexts, the boxed futures of every middleware): 20–37 KiB in
//! all, measured. So this layer reads the session record itself (to find the sign-in the request
//! is about), waits for that sign-in with nothing but the request head, and only then lets the
//! request through, asking for the status as it now is (`wait_ms=0`). The app answers it as any
//! other request: the session layer, the cross-site check, a claim that signs the session in.
//!
//! Anything unusual (no session, a finished sign-in, DigiLocker, a cross-site request, a read that
//! fails) is not held here: the request goes through as sent and the app answers it.

use std::{sync::Arc, time::Duration};

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_sessions::{session::Id, SessionStore};

use super::{csrf, error::Error, session, sign_in::SignInService};

/// The held request's path: the page's `crate::api::get_status` server function.
const PATH: &str = "/api/signin/status";

/// Its form is one number (`wait_ms=25000`).
const MAX_BODY: usize = 256;

/// What parking needs: the sign-ins, the session records, the session cookie's name and our origin.
#[derive(Clone)]
pub struct Park {
    pub sign_ins: SignInService,
    pub sessions: Arc<dyn SessionStore>,
    pub cookie: &'static str,
    pub origin: csrf::Origin,
}

pub async fn park(State(park): State<Park>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return Error::PayloadTooLarge.into_response();
    };
    let wait = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "wait_ms")
        .and_then(|(_, value)| value.parse::<u32>().ok())
        .unwrap_or(0);
    let parked = wait > 0
        && csrf::same_site(&parts.headers, &park.origin)
        && park.wait(&parts.headers, Duration::from_millis(u64::from(wait))).await;
    // Held: the app answers the status as it is now. Not held: the request as it was sent.
    let body = if parked { Body::from("wait_ms=0") } else { Body::from(body) };
    next.run(Request::from_parts(parts, body)).await
}

impl Park {
    /// Waits for this browser's sign-in to change, when there is one to wait for here.
    async fn wait(&self, headers: &HeaderMap, wait: Duration) -> bool {
        // The record is read in a future of its own, freed before the wait.
        let Some((sign_in_id, browser_key)) = Box::pin(self.waiting_on(headers)).await else {
            return false;
        };
        self.sign_ins.park(&sign_in_id, &browser_key, wait).await
    }

    /// The sign-in this browser's session waits on, and the browser's key.
    async fn waiting_on(&self, headers: &HeaderMap) -> Option<(String, String)> {
        let id = session_id(headers, self.cookie)?;
        let record = self.sessions.load(&id).await.ok()??;
        session::waiting_on(&record)
    }
}

/// The session id from the request's session cookie.
fn session_id(headers: &HeaderMap, cookie: &str) -> Option<Id> {
    super::headers::cookie(headers, cookie)?.parse().ok()
}


#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    #[test]
    fn the_session_id_comes_from_the_named_cookie_only() {
        let id = Id::default();
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("lang=hi; other=1"));
        headers.append(header::COOKIE, HeaderValue::from_str(&format!("x-session=nope; session={id}")).unwrap());
        assert_eq!(session_id(&headers, "session"), Some(id));
        assert_eq!(session_id(&headers, "__Host-session"), None);
        headers.insert(header::COOKIE, HeaderValue::from_static("session=not-an-id"));
        assert_eq!(session_id(&headers, "session"), None, "a malformed id is no id");
    }
}
