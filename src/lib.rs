//! Sign in with Truecaller for a Leptos + Axum app.
//!
//! Shared code (compiled for the server and the browser):
/// Server functions: the only calls the browser makes.
pub mod api;
/// The root component, router and HTML shell.
pub mod app;
/// The error server functions return to the browser.
pub mod error;
/// Types both sides speak: sign-in status, account view, the cheap phone shape check.
pub mod domain;
/// Pages: the sign-in flow and the signed-in account page.
pub mod pages;

/// Server only: configuration, database, Truecaller client, sign-in rules, callback, simulator.
#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets tests (and curious people) see that the page is interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
