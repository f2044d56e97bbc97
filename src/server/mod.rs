//! Server only. For a host app: [`SignInBuilder`](crate::server::SignInBuilder),
//! [`TruecallerSignIn`](crate::server::TruecallerSignIn),
//! [`SignInRouterExt`](crate::server::SignInRouterExt) and the hook's
//! [`AccountEvent`](crate::server::AccountEvent). Inside, in one-way layers: `web` (the HTTP adapters: routes, extractors, the held
//! request, the accept loop) over `sign_in` (the rules) over `providers` (Truecaller's and
//! Sandbox's clients) and `store` (storage), with the pieces they share beside them; `startup`
//! wires it all and `simulator` stands in for the providers when no keys are set.

/// Time and random identifiers.
#[doc(hidden)]
pub mod clock;
/// Settings from `Leptos.toml` and the environment.
#[doc(hidden)]
pub mod config;
/// The countries numbers may come from, named and sorted per page language.
#[doc(hidden)]
pub mod countries;
/// Server errors and their one mapping to responses.
#[doc(hidden)]
pub mod error;
/// Keyed hashes standing in for phone numbers.
#[doc(hidden)]
pub mod keys;
/// The metrics recorded (Prometheus), and their names.
#[doc(hidden)]
pub mod metrics;
/// The sign-in state machine: phases and the only moves between them.
#[doc(hidden)]
pub mod phase;
/// Checked phone numbers (libphonenumber).
#[doc(hidden)]
pub mod phone;
/// The providers' HTTP clients: Truecaller (requests, profiles, the one-tap deep link) and Sandbox
/// (DigiLocker), and what both need from HTTP.
#[doc(hidden)]
pub mod providers;
/// Settings that never reach a log.
#[doc(hidden)]
pub mod secret;
/// The typed session wrapper.
#[doc(hidden)]
pub mod session;
/// The sign-in rules and state machine.
#[doc(hidden)]
pub mod sign_in;
/// What a host app adds: the builder, the running sign-in's routes, layers and server.
pub mod setup;
/// The embedded Truecaller and Sandbox + DigiLocker simulators (the `simulator` feature).
#[cfg(feature = "simulator")]
#[doc(hidden)]
pub mod simulator;
/// Building and running the application.
#[doc(hidden)]
pub mod startup;
/// The state shared by handlers and server functions.
#[doc(hidden)]
pub mod state;
/// Database access.
#[doc(hidden)]
pub mod store;
/// Rate limits and the client address.
#[doc(hidden)]
pub mod throttle;
/// Wake-ups for held status requests.
#[doc(hidden)]
pub mod waiters;
pub use config::ConfigError;
pub use setup::{SignInBuilder, SignInRouterExt, StartupError, TruecallerSignIn};
pub use sign_in::{AccountEvent, OnAccountEvent};

/// The HTTP adapters: every route, the extractors they share, the held status request, the
/// accept loop.
#[doc(hidden)]
pub mod web;
