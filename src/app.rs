use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path, SsrMode, StaticSegment,
};

use crate::{
    i18n::Locale,
    pages::{
        account::{AccountPage, DeleteAccountPage, JustSignedIn},
        sign_in::SignInPage,
    },
    words::{page_locale, provide_page_locale, say, strong, Body, Run},
};

/// The HTML document around the app (server only renders it; the browser hydrates `<App/>`).
/// `lang` and `dir` on `<html>` come from the i18n provider in `<App/>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let loader = crate::server::web::assets::loader(&options);
    #[cfg(not(feature = "ssr"))]
    let loader = "";
    // The page's words for the browser (`words`), in the page's language.
    #[cfg(feature = "ssr")]
    let words = crate::words::page_words(crate::server::web::language::of_current_request());
    #[cfg(not(feature = "ssr"))]
    let words = "";
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
            <body>
                <App/>
                <script id="words" type="application/json" nonce=use_nonce() inner_html=words></script>
            </body>
        </html>
    }
}

/// The server decides (`server::web::language`: the switcher's cookie, else Accept-Language, else
/// English) and writes it on `<html lang>`; hydration reads it back from there.
fn decided_locale() -> Locale {
    #[cfg(feature = "ssr")]
    return crate::server::web::language::of_current_request();
    #[cfg(not(feature = "ssr"))]
    return document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| lang.parse().ok())
        .unwrap_or_default();
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    JustSignedIn::provide();
    // leptos_i18n's context is not used: it keeps the locale in a signal with an isomorphic
    // effect, which on the server runs as a task of its own and panicked when the page was gone
    // before the task ran. Only `say!` with this value is needed.
    let locale = decided_locale();
    provide_page_locale(locale);
    let simulated = decided_simulated();
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

/// Every language, each named in itself; a plain form post (`POST /language`) that sets the
/// cookie and comes back here, with or without JavaScript.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let current = page_locale();
    let location = use_location();
    let back = move || {
        let search = location.search.get();
        if search.is_empty() { location.pathname.get() } else { format!("{}?{search}", location.pathname.get()) }
    };
    let choices = Locale::get_all()
        .iter()
        .map(|&locale| {
            let name = crate::words::language_name(locale);
            view! {
                <button
                    type="submit"
                    name="lang"
                    value=locale.as_str()
                    lang=locale.as_str()
                    dir=locale.direction().as_str()
                    class="link"
                    aria-current=(locale == current).then_some("true")
                >
                    {name}
                </button>
            }
        })
        .collect_view();
    view! {
        <nav class="languages" aria-label=say!(current, language_label)>
            <form method="post" action="/language">
                <input type="hidden" name="back" value=back/>
                {choices}
            </form>
        </nav>
    }
}

/// What runs against a simulator: `truecaller`, `digilocker`, both (space-separated) or neither,
/// and `demo` on a public demo.
/// The server knows from its settings and writes it on `<html data-simulated>`; hydration reads
/// it back from there, as it does the language. (Asked for with a server function, as a
/// resource under a suspense, it made the bundle measurably larger: BENCHMARKS.md, bundle size.)
fn decided_simulated() -> String {
    #[cfg(feature = "ssr")]
    return use_context::<crate::server::state::AppState>().map_or_else(String::new, |state| {
        let crate::server::state::AppMode { simulator, digilocker_simulator, demo, .. } = state.mode;
        [simulator.then_some("truecaller"), digilocker_simulator.then_some("digilocker"), demo.then_some("demo")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    #[cfg(not(feature = "ssr"))]
    return document().document_element().and_then(|html| html.get_attribute("data-simulated")).unwrap_or_default();
}

/// Says plainly when no real Truecaller is involved, and where the simulated phone is; on a
/// public demo, first that anyone can sign in as anyone.
#[component]
fn SimulatorBanner(simulated: String) -> impl IntoView {
    let locale = page_locale();
    let truecaller = simulated.split(' ').any(|s| s == "truecaller");
    let digilocker = simulated.split(' ').any(|s| s == "digilocker");
    let demo = simulated.split(' ').any(|s| s == "demo");
    let label = if demo { say!(locale, demo_mode) } else { say!(locale, simulator_mode) };
    (truecaller || digilocker).then(|| view! {
        <aside class="banner" aria-label=label.to_owned()>
            <strong>{label}</strong>
            {demo.then(|| view! { " · " {say!(locale, demo_warning)} })}
            {truecaller.then(|| view! {
                " · " {linked(&say!(locale, simulator_truecaller, <a> = strong), "/simulator")}
            })}
            {digilocker.then(|| if truecaller {
                view! { " " {linked(&say!(locale, simulator_digilocker_who, <a> = strong), "/simulator#digilocker")} }.into_any()
            } else {
                view! { " " {say!(locale, simulator_digilocker)} }.into_any()
            })}
        </aside>
    })
}

/// A message whose `<a>…</a>` (rendered with `strong`) links to the simulator's `href`, in a tab
/// of its own.
fn linked(message: &str, href: &'static str) -> impl IntoView {
    Body::marked(message)
        .0
        .into_iter()
        .map(|run| match run {
            Run::Plain(text) => text.into_any(),
            Run::Strong(text) => view! { <a href=href target="_blank" rel="noopener">{text}</a> }.into_any(),
        })
        .collect_view()
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
            <p><a href="/">{say!(locale, go_to_sign_in)}</a></p>
        </section>
    }
}
