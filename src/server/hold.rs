//! Where a browser's held status request waits: outside the router, before routing, the session
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

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{HeaderMap, Method},
    response::{IntoResponse, Response},
    Router,
};
use tower::{Service, ServiceExt};
use tower_sessions::{session::Id, SessionStore};

use super::{csrf, error::Error, session, sign_in::SignInService};

/// The held request's path: the page's `crate::api::get_status` server function.
const PATH: &str = "/api/signin/status";

/// Its form is one number (`wait_ms=25000`).
const MAX_BODY: usize = 256;

/// What parking needs: the sign-ins, the session records, the session cookie's name and our origin.
pub struct Park {
    pub sign_ins: SignInService,
    pub sessions: Arc<dyn SessionStore>,
    pub cookie: &'static str,
    pub origin: csrf::Origin,
}

/// The whole app behind the parking spot. It wraps the router rather than being one of its layers:
/// a router layer runs after routing, inside a clone of every layer's boxed service, and a parked
/// request would keep those clones alive (1 KiB each, measured with heaptrack).
#[derive(Clone)]
pub struct Parking {
    park: Arc<Park>,
    app: Router,
}

impl Parking {
    pub fn new(park: Park, app: Router) -> Self {
        Self { park: Arc::new(park), app }
    }
}

impl Service<Request> for Parking {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        <Router as Service<Request>>::poll_ready(&mut self.app, cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() != Method::POST || request.uri().path() != PATH {
            return Box::pin(self.app.call(request));
        }
        let (park, app) = (self.park.clone(), self.app.clone());
        // What runs before and after the wait is boxed on its own, so the parked future holds
        // only the request head and the wait.
        Box::pin(async move {
            let request = match park.hold(request).await {
                Ok(request) => request,
                Err(refused) => return Ok(refused),
            };
            Box::pin(app.oneshot(request)).await
        })
    }
}

impl Park {
    /// Holds a status request until its sign-in changes (when it is one to hold here), and gives
    /// back the request to let through: asking for the status as it now is when it was held, as
    /// sent when not.
    async fn hold(&self, request: Request) -> Result<Request, Response> {
        let (parts, body) = request.into_parts();
        let Ok(body) = Box::pin(to_bytes(body, MAX_BODY)).await else {
            return Err(Error::PayloadTooLarge.into_response());
        };
        let wait = url::form_urlencoded::parse(&body)
            .find(|(name, _)| name == "wait_ms")
            .and_then(|(_, value)| value.parse::<u32>().ok())
            .unwrap_or(0);
        let parked = wait > 0
            && csrf::same_site(&parts.headers, &self.origin)
            && self.wait(&parts.headers, Duration::from_millis(u64::from(wait))).await;
        let body = if parked { Body::from("wait_ms=0") } else { Body::from(body) };
        Ok(Request::from_parts(parts, body))
    }

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
