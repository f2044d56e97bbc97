//! Server-only code. `startup` wires it; the rest are the pieces it wires.

/// Intent-level calls behind the `#[server]` functions.
pub mod api;
/// The release binary's check that its bundle is where the page will ask for it.
pub mod assets;
/// `POST /auth/truecaller/callback`.
pub mod callback;
/// The countries numbers may come from, named and sorted per page language.
pub mod countries;
/// The client's address (peer, or a trusted proxy's header), as an extractor.
pub mod client;
/// Cross-site request refusal.
pub mod csrf;
/// Time and random identifiers.
pub mod clock;
/// Settings from `Leptos.toml` and the environment.
pub mod config;
/// Truecaller's mobile-web deep link (Android one-tap).
pub mod deep_link;
/// The browser's trips to DigiLocker and back.
pub mod digilocker;
/// Server errors and their one mapping to responses.
pub mod error;
/// Plain form posts for browsers without JavaScript.
pub mod forms;
/// `GET /signin/one-tap`: Android one-tap without JavaScript.
pub mod one_tap;
/// Security and caching headers.
pub mod headers;
/// `/healthz`, `/readyz` and `/metrics`.
pub mod health;
/// The held status request, lean: what a waiting browser keeps alive on the server.
pub mod hold;
/// The page's language per request: the switcher's cookie, `Accept-Language`, English.
pub mod language;
/// Bounded reads and log-safe errors for the provider clients.
pub mod http_client;
/// Keyed hashes standing in for phone numbers.
pub mod keys;
/// The metrics recorded (Prometheus), and their names.
pub mod metrics;
/// The sign-in state machine: phases and the only moves between them.
pub mod phase;
/// Checked phone numbers (libphonenumber).
pub mod phone;
/// Truecaller profile JSON.
pub mod profile;
/// Sandbox (DigiLocker KYC) HTTP client.
pub mod sandbox;
/// Settings that never reach a log.
pub mod secret;
/// The accept loop, with a deadline for each request's head.
pub mod serve;
/// The typed session wrapper.
pub mod session;
/// The sign-in rules and state machine.
pub mod sign_in;
/// The embedded Truecaller simulator.
pub mod simulator;
/// Building and running the application.
pub mod startup;
/// The state shared by handlers and server functions.
pub mod state;
/// Database access.
pub mod store;
/// Rate limits and the client address.
pub mod throttle;
/// Truecaller HTTP client.
pub mod truecaller;
/// Which browsers lead with Android one-tap.
pub mod user_agent;
/// Wake-ups for held status requests.
pub mod waiters;
