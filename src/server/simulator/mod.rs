//! Stand-ins for the providers, mounted at `/simulator` when no keys are configured: one folder
//! per provider, each serving the provider's endpoints with its status codes, bodies and token
//! lifetimes, plus the pages where a person (or a test) answers. State lives in memory.

#[cfg(feature = "digilocker")]
mod digilocker;
mod truecaller;

#[cfg(feature = "digilocker")]
pub use digilocker::{
    DigiLockerPerson, DobShape, EmailShape, SandboxSimulator, SessionView, DIGILOCKER_PERSONS,
    DIGILOCKER_SESSION_TTL, SANDBOX_SIM_KEY, SANDBOX_SIM_SECRET, SANDBOX_TOKEN_TTL,
};
pub use truecaller::{
    Answer, Behaviour, Prompt, Sheet, SheetAnswer, Simulator, APP_KEY, SEEDED, TOKEN_TTL,
};

/// A simulator's page: server-rendered, its `style` inline, no script.
fn document(title: &str, style: &'static str, body: impl leptos::IntoView + 'static) -> String {
    use leptos::prelude::*;
    let page = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title.to_owned()}</title>
                <style>{style}</style>
            </head>
            <body>{body}</body>
        </html>
    };
    format!("<!DOCTYPE html>{}", page.to_html())
}
