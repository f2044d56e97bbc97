//! The HTTP adapters over the sign-in rules: each route's handler (thin: read the request, call
//! the service, map the answer), the extractors they share (the session wrapper, the client's
//! address), the security headers, the held status request and the accept loop. Nothing below
//! (`sign_in`, `store`, `providers`) imports anything here.

/// The signed-in person's data as a download.
pub mod account;
/// Intent-level calls behind the `#[server]` functions.
pub mod api;
/// The release binary's check that its bundle is where the page will ask for it.
pub mod assets;
/// `POST /auth/truecaller/callback`.
pub mod callback;
/// The client's address (peer, or a trusted proxy's header), as an extractor.
pub mod client;
/// Cross-site request refusal.
pub mod csrf;
/// The browser's trips to DigiLocker and back.
#[cfg(feature = "digilocker")]
pub mod digilocker;
/// Plain form posts for browsers without JavaScript.
pub mod forms;
/// Security and caching headers.
pub mod headers;
/// `/healthz`, `/readyz` and `/metrics`.
pub mod health;
/// The held status request, lean: what a waiting browser keeps alive on the server.
pub mod hold;
/// The page's language per request: the switcher's cookie, `Accept-Language`, English.
pub mod language;
/// `GET /signin/one-tap`: Android one-tap without JavaScript.
pub mod one_tap;
/// The accept loop, with a deadline for each request's head.
pub mod serve;
/// The signed-in person (`CurrentUser`) as an extractor.
pub mod user;
/// Which browsers lead with Android one-tap.
pub mod user_agent;
