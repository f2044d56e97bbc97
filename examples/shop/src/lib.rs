//! Chai & Co., an example shop that adds Sign in with Truecaller: a home page for anyone, "my
//! orders" for the signed-in, and a tasting room that asks for DigiLocker's government ID.

pub mod app;

/// Hydrates the shop's pages (the sign-in's data first).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    truecaller_signin::components::load();
    leptos::mount::hydrate_body(app::App);
    // Lets the shop's Playwright journey see that the page is interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
