//! Where a browser's held status request waits: outside the router, before routing, the session
//! layer, Leptos' server-function handler or any other layer has started on it.
//!
//! A browser waiting for Truecaller holds `POST /api/signin/status` open for up to 25 s, and
//! thousands may wait at once, so what a held request keeps alive is what a waiting browser
//! costs. Each layer's state lives as long as the request does (a loaded session and its cookie
//! jar, Leptos' reactive owner and contexts, the boxed futures of every middleware): tens of KiB
//! in all (BENCHMARKS.md, "Lean holds"). So this layer reads the session record itself (to find the sign-in the request
//! is about), waits for that sign-in with nothing but the request head, and only then lets the
//! request through, asking for the status as it now is (`wait_ms=0`) and bringing the sign-in as
//! the wake read it (`sign_in::Woken`). The app answers it as any other request: the session
//! layer, the cross-site check, a claim that signs the session in.
//!
//! Anything unusual (no session, a finished sign-in, DigiLocker, a cross-site request, a read that
//! fails) is not held here: the request goes through as sent and the app answers it.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{request::Parts, HeaderMap, Method},
    response::{IntoResponse, Response},
    Router,
};
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};
use tower_sessions::{session::Id, SessionStore};

use super::csrf;
use crate::server::{
    error::Error,
    session,
    sign_in::{Held, SignInService},
    throttle::Throttled,
};

/// The held request's path: the page's `crate::api::get_status` server function.
const PATH: &str = "/api/signin/status";

/// Its form is one number (`wait_ms=25000`).
const MAX_BODY: usize = 256;

/// How many held requests read their session and sign-in at once before their wait. A flood of
/// holds (every waiting browser reconnecting at once) would otherwise have thousands of reads
/// queued inside the database pool at the same time, each with its query's state; that peak
/// stays in the allocator's arenas long after the reads are done. Beyond this many, a request
/// waits its turn holding only its place in the queue. A few times the connections there are to
/// read with (8 on SQLite, 16 on PostgreSQL) keeps the pool busy.
const HOLD_READS: usize = 32;

/// How many status requests one session may have held at once (a few tabs of the waiting page).
/// Beyond that a request is refused with 429 and the page asks again a moment later: one session
/// (one cookie, which a script can copy into any number of requests) cannot hold unbounded memory.
pub const MAX_HELD_PER_SESSION: usize = 6;

/// What holding needs: the sign-ins, the session records, the session cookie's name, our origin,
/// the turns for the reads before a wait (`HOLD_READS`) and each session's held requests.
pub struct Holds {
    sign_ins: SignInService,
    sessions: Arc<dyn SessionStore>,
    cookie: &'static str,
    origin: csrf::Origin,
    reads: Semaphore,
    held: Mutex<HashMap<Id, usize>>,
}

impl Holds {
    pub fn new(sign_ins: SignInService, sessions: Arc<dyn SessionStore>, cookie: &'static str, origin: csrf::Origin) -> Self {
        Self { sign_ins, sessions, cookie, origin, reads: Semaphore::new(HOLD_READS), held: Mutex::default() }
    }

    /// A place among the session's held requests, if it has one left.
    fn take_place(self: &Arc<Self>, session: Id) -> Option<Place> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(session).or_default();
        if *count >= MAX_HELD_PER_SESSION {
            return None;
        }
        *count += 1;
        Some(Place { holds: self.clone(), session })
    }
}

/// One of a session's held requests; given back when the request is answered (or dropped).
struct Place {
    holds: Arc<Holds>,
    session: Id,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut held = self.holds.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&self.session) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.session);
            }
        }
    }
}

/// The whole app behind the place where status requests are held. It wraps the router rather than being one of its layers:
/// a router layer runs after routing, inside a clone of every layer's boxed service, and a held
/// request would keep those clones alive (about a KiB each).
#[derive(Clone)]
pub struct Holding {
    holds: Arc<Holds>,
    app: Router,
}

impl Holding {
    pub fn new(holds: Holds, app: Router) -> Self {
        Self { holds: Arc::new(holds), app }
    }
}

impl Service<Request> for Holding {
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
        let (holds, app) = (self.holds.clone(), self.app.clone());
        // An `async` block keeps what it captured for its whole life, and a copy of what it
        // passed on to the futures it awaits: the request goes in boxed, and everything before
        // and after the wait is boxed on its own, so the held future keeps the boxed head and
        // the wait, and nothing twice (`size_of_val` on the release build shows it).
        let request = Box::new(request);
        Box::pin(async move {
            // The wait comes after the `match`, whose scrutinee would otherwise be kept for it.
            let (head, held, _place) = match Box::pin(holds.verdict(request)).await {
                Ok(Verdict::Hold(head, held, place)) => (head, held, place),
                Ok(Verdict::Pass(request, _place)) => return Box::pin(app.oneshot(request)).await,
                Err(refused) => return Ok(refused),
            };
            let mut head = *head;
            // What the wake read goes along, so the answer need not read it again.
            if let Some(woken) = holds.sign_ins.wait_held(held).await {
                head.extensions.insert(woken);
            }
            Box::pin(app.oneshot(Request::from_parts(head, Body::from("wait_ms=0")))).await
        })
    }
}

/// What becomes of a status request.
enum Verdict {
    /// Held on its sign-in: its head waits, boxed, and then it asks for the status as it is.
    Hold(Box<Parts>, Held, Place),
    /// Let through as sent; a request that asks to wait keeps its session's place while the app
    /// holds it.
    Pass(Request, Option<Place>),
}

impl Holds {
    /// Whether to hold a status request here (when its sign-in is one to hold here) or let it
    /// through as sent. A session with [`MAX_HELD_PER_SESSION`] requests held already is refused.
    async fn verdict(self: &Arc<Self>, request: Box<Request>) -> Result<Verdict, Response> {
        let (parts, body) = request.into_parts();
        let Ok(body) = to_bytes(body, MAX_BODY).await else {
            return Err(Error::PayloadTooLarge.into_response());
        };
        let wait = url::form_urlencoded::parse(&body)
            .find(|(name, _)| name == "wait_ms")
            .and_then(|(_, value)| value.parse::<u32>().ok())
            .unwrap_or(0);
        let place = match session_id(&parts.headers, self.cookie).filter(|_| wait > 0) {
            Some(id) => match self.take_place(id) {
                Some(place) => Some(place),
                None => {
                    let refused = Throttled { cause: crate::domain::Throttle::TooManyAttempts, retry_after: Duration::from_secs(2) };
                    return Err(Error::Throttled(refused).into_response());
                }
            },
            None => None,
        };
        if let Some(place) = place.filter(|_| csrf::same_site(&parts.headers, &self.origin)) {
            match self.held_on(&place.session, Duration::from_millis(u64::from(wait))).await {
                Some(held) => return Ok(Verdict::Hold(Box::new(parts), held, place)),
                None => return Ok(Verdict::Pass(Request::from_parts(parts, Body::from(body)), Some(place))),
            }
        }
        Ok(Verdict::Pass(Request::from_parts(parts, Body::from(body)), None))
    }

    /// The sign-in this browser's session waits on, if it may wait on it here, read in its turn.
    async fn held_on(&self, id: &Id, wait: Duration) -> Option<Held> {
        // The semaphore is never closed.
        let _turn = self.reads.acquire().await.ok()?;
        // Boxed, so a request waiting for its turn does not hold the reads' state.
        Box::pin(async {
            let (sign_in_id, browser_key) = self.waiting_on(id).await?;
            self.sign_ins.holdable(&sign_in_id, &browser_key, wait).await
        })
        .await
    }

    /// The sign-in the session `id` waits on, and the browser's key.
    async fn waiting_on(&self, id: &Id) -> Option<(String, String)> {
        let record = self.sessions.load(id).await.ok()??;
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
