use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    SsrMode, StaticSegment,
};

use crate::{
    api::get_mode,
    pages::{account::AccountPage, sign_in::SignInPage},
};

/// The HTML document around the app (server only renders it; the browser hydrates `<App/>`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::headers::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang=crate::domain::PAGE_LANGUAGE>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                // Follows the bundle's content-hashed file name (hash-files in Cargo.toml).
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Sign in with Truecaller"/>
        <Router>
            <SimulatorBanner/>
            <main>
                <Routes fallback=NotFound>
                    // Async: both pages are small and decide on a redirect from session data, which
                    // must happen before any byte is sent (a real 302, no JavaScript needed).
                    <Route path=StaticSegment("") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Says plainly when no real Truecaller is involved, and where the simulated phone is.
#[component]
fn SimulatorBanner() -> impl IntoView {
    let mode = Resource::new(|| (), |_| get_mode());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                mode.await.ok().filter(|m| m.simulator || m.digilocker_simulator).map(|mode| view! {
                    <aside class="banner" aria-label="Simulator mode">
                        <strong>"Simulator mode"</strong>
                        {mode.simulator.then(|| view! {
                            " · No real Truecaller requests are sent. Answer prompts on the "
                            <a href="/simulator" target="_blank" rel="noopener">"simulated phone"</a>"."
                        })}
                        {mode.digilocker_simulator.then(|| view! {
                            " DigiLocker is simulated too: its consent page lets you pick a test person"
                            {mode.simulator.then(|| view! {
                                " (" <a href="/simulator#digilocker" target="_blank" rel="noopener">"who they are"</a> ")"
                            })}
                            "."
                        })}
                    </aside>
                })
            })}
        </Suspense>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p><a href="/">"Go to sign-in"</a></p>
        </section>
    }
}
