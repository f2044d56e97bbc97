use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode, StaticSegment,
};

use crate::{
    components::{provide_sign_in, LanguageSwitcher, SignInData, SimulatorBanner},
    pages::{
        account::{AccountPage, DeleteAccountPage},
        sign_in::SignInPage,
    },
    site::site,
    words::{page_locale, say},
};

/// The HTML document around the app (server only renders it; the browser hydrates `<App/>`).
/// `lang` and `dir` on `<html>` come from the i18n provider in `<App/>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let loader = crate::server::web::assets::loader(&options);
    #[cfg(not(feature = "ssr"))]
    let loader = "";
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                // Follows the bundle's content-hashed file name (hash-files in Cargo.toml).
                <HashedStylesheet options=options.clone() id="leptos"/>
                // The bundle loads once the page has painted (`server::web::assets::loader`).
                <script nonce=use_nonce() inner_html=loader></script>
                <MetaTags/>
            </head>
            // The stylesheet's scope (`style/main.css`): here, the whole page.
            <body class="signin">
                <App/>
                <SignInData/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_sign_in();
    let locale = page_locale();
    let simulated = site().simulated;
    view! {
        <Html attr:lang=locale.as_str() attr:dir=locale.direction().as_str() attr:data-simulated=simulated.clone()/>
        <Title text=say!(locale, page_title)/>
        <Router>
            <SimulatorBanner simulated/>
            <main>
                <Routes fallback=NotFound>
                    // Async: both pages are small and decide on a redirect from session data, which
                    // must happen before any byte is sent (a real 302, no JavaScript needed).
                    <Route path=StaticSegment("") view=SignInPage ssr=SsrMode::Async/>
                    // Where a refused no-JavaScript form post is answered with the page itself.
                    <Route path=StaticSegment("signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/delete") view=DeleteAccountPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <LanguageSwitcher/>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let locale = page_locale();
    view! {
        <section class="card">
            <h1>{say!(locale, not_found_title)}</h1>
            <p><a href=site().paths.sign_in>{say!(locale, go_to_sign_in)}</a></p>
        </section>
    }
}
