//! Server-only code, in one-way layers: `web` (the HTTP adapters: routes, extractors, the held
//! request, the accept loop) over `sign_in` (the rules) over `providers` (Truecaller's and
//! Sandbox's clients) and `store` (storage), with the pieces they share beside them; `startup`
//! wires it all and `simulator` stands in for the providers when no keys are set.

/// Time and random identifiers.
pub mod clock;
/// Settings from `Leptos.toml` and the environment.
pub mod config;
/// The countries numbers may come from, named and sorted per page language.
pub mod countries;
/// Server errors and their one mapping to responses.
pub mod error;
/// Keyed hashes standing in for phone numbers.
pub mod keys;
/// The metrics recorded (Prometheus), and their names.
pub mod metrics;
/// The sign-in state machine: phases and the only moves between them.
pub mod phase;
/// Checked phone numbers (libphonenumber).
pub mod phone;
/// The providers' HTTP clients: Truecaller (requests, profiles, the one-tap deep link) and Sandbox
/// (DigiLocker), and what both need from HTTP.
pub mod providers;
/// Settings that never reach a log.
pub mod secret;
/// The typed session wrapper.
pub mod session;
/// The sign-in rules and state machine.
pub mod sign_in;
/// What a host app adds: the builder, the running sign-in's routes, layers and server.
pub mod setup;
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
/// Wake-ups for held status requests.
pub mod waiters;
pub use setup::{SignInBuilder, SignInRouterExt, StartupError, TruecallerSignIn};

/// The HTTP adapters: every route, the extractors they share, the held status request, the
/// accept loop.
pub mod web;
