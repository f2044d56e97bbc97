//! What a host app puts on its pages. Inside the host's `<Router>`:
//!
//! - `<SignIn/>`: the whole sign-in (Android one-tap, the number with its country, the wait, every
//!   outcome, DigiLocker, the language switch), mounted at the host's sign-in path;
//! - `<Account/>` and `<DeleteAccount/>`: the person's devices, data and deletion;
//! - `<SignedIn>` / `<SignedOut>`: parts of a page for one or the other;
//! - `<SignOutButton/>`: a form that works with or without JavaScript.
//!
//! And once per page: `<SignInData/>` at the end of the shell's `<body>`, and `load` in the
//! host's `hydrate()` before it hydrates.

mod chrome;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

pub use chrome::{LanguageSwitcher, SimulatorBanner};

use crate::{
    api::get_current_user,
    i18n::Locale,
    pages::{
        account::{AccountPage, DeleteAccountPage, JustSignedIn},
        sign_in::SignInPage,
    },
    site::{self, site},
    user::CurrentUser,
    words::{page_locale, provide_page_locale, say},
};

/// Marks that [`provide_sign_in`] ran for this page.
#[derive(Clone, Copy)]
struct Provided;

/// What the sign-in's views read, once per page: the page's language and the hand-over from a
/// completed sign-in to the account page. The components call it; a host calls it at the top of
/// its `App` when it shows the sign-in on every page (then every page has one language).
pub fn provide_sign_in() {
    if use_context::<Provided>().is_some() {
        return;
    }
    provide_context(Provided);
    JustSignedIn::provide();
    // leptos_i18n's context is not used: it keeps the locale in a signal with an isomorphic
    // effect, which on the server runs as a task of its own and panicked when the page was gone
    // before the task ran. Only `say!` with this value is needed.
    provide_page_locale(page_language());
}

/// The page's language. The server decides (`server::web::language`: the switcher's cookie, else
/// Accept-Language, else English) and writes the page's words in it; hydration reads it back
/// from them.
pub fn page_language() -> Locale {
    #[cfg(feature = "ssr")]
    return crate::server::web::language::of_current_request();
    #[cfg(not(feature = "ssr"))]
    return crate::words::page().lang().parse().unwrap_or_default();
}

/// The sign-in, whole: the simulator banner when a simulator answers, the card, the language
/// switch. Mount it at the sign-in path the server was given; a completed sign-in goes to the
/// page's `?next=` (a path of this site) or the server's `after_sign_in`.
#[component]
pub fn SignIn() -> impl IntoView {
    provide_sign_in();
    view! {
        <div class="signin">
            <SimulatorBanner simulated=site().simulated/>
            <SignInPage/>
            <LanguageSwitcher/>
        </div>
    }
}

/// The signed-in person's account: who, their devices (each can be signed out), what each way
/// in handed over, how long things are kept, download and delete. Signed out, it goes to the
/// sign-in page.
#[component]
pub fn Account() -> impl IntoView {
    provide_sign_in();
    view! { <div class="signin"><AccountPage/><LanguageSwitcher/></div> }
}

/// The account deletion page (at the account path + `/delete`).
#[component]
pub fn DeleteAccount() -> impl IntoView {
    provide_sign_in();
    view! { <div class="signin"><DeleteAccountPage/></div> }
}

/// `children` for a signed-in person (who is in the context as [`CurrentUser`] for them), else
/// `fallback`. Decided on the server, so the page arrives already showing the right one. Inside
/// the host's `<Router>`.
#[component]
pub fn SignedIn(
    /// What a signed-in person sees.
    children: ChildrenFn,
    /// What anyone else sees (nothing, unless given).
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    guarded(move |user| match user {
        Some(user) => {
            provide_context(user);
            children.with_value(|children| children()).into_any()
        }
        None => fallback.run().into_any(),
    })
}

/// `children` when nobody is signed in, else nothing.
#[component]
pub fn SignedOut(
    /// What someone not signed in sees.
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    guarded(move |user| match user {
        Some(_) => ().into_any(),
        None => children.with_value(|children| children()).into_any(),
    })
}

/// What `show` makes of the person signed in (`None`: nobody, or not known for an error). Asked
/// again on each navigation: a sign-in or sign-out in the page changes what a header shows.
fn guarded(show: impl Fn(Option<CurrentUser>) -> AnyView + Clone + Send + Sync + 'static) -> impl IntoView {
    let location = use_location();
    let user = Resource::new(move || location.pathname.get(), |_| get_current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let show = show.clone();
                Suspend::new(async move { show(user.await.ok().flatten()) })
            }}
        </Suspense>
    }
}

/// The signed-in person inside [`SignedIn`].
pub fn use_current_user() -> Option<CurrentUser> {
    use_context::<CurrentUser>()
}

/// "Sign out": a plain form post (it works before and without the wasm); the server ends the
/// session and sends the browser to the sign-in page.
#[component]
pub fn SignOutButton(
    /// The button's class (default `secondary`, the card's outlined button).
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    provide_sign_in();
    let locale = page_locale();
    view! {
        <form method="post" action="/signout" class="signout">
            <button type="submit" class=class.unwrap_or_else(|| "secondary".into())>{say!(locale, sign_out)}</button>
        </form>
    }
}

/// What the browser needs before it hydrates the sign-in: the page's words in its language and
/// the deployment's paths. Put it at the end of the shell's `<body>`.
#[component]
pub fn SignInData() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let words = crate::words::page_words(page_language());
    #[cfg(not(feature = "ssr"))]
    let words = "";
    let site = site::json(&site());
    view! {
        <script id="words" type="application/json" nonce=use_nonce() inner_html=words></script>
        <script id=site::ELEMENT type="application/json" nonce=use_nonce() inner_html=site></script>
    }
}

/// The sign-in's stylesheet (`style/main.css`): every rule under `.signin`, themable through the
/// `--signin-*` custom properties its head lists. The server serves it at [`stylesheet_href`].
pub const STYLESHEET: &str = include_str!("../../style/main.css");

/// The stylesheet's content hash, so the address changes with it and browsers may keep it a year.
pub const STYLESHEET_HASH: u64 = {
    // FNV-1a, at compile time (the wasm carries the number, not the stylesheet).
    let bytes = STYLESHEET.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
};

/// Where the sign-in's routes serve [`STYLESHEET`].
pub const STYLESHEET_PATH: &str = "/truecaller-signin.css";

/// The stylesheet's address with its hash.
pub fn stylesheet_href() -> String {
    format!("{STYLESHEET_PATH}?v={STYLESHEET_HASH:016x}")
}

/// A link to the sign-in's stylesheet, for the host shell's `<head>` (this app builds it into its
/// own bundle instead).
#[component]
pub fn SignInStylesheet() -> impl IntoView {
    view! { <link rel="stylesheet" href=stylesheet_href()/> }
}

/// Reads what [`SignInData`] wrote; call it in `hydrate()` before hydrating.
#[cfg(feature = "hydrate")]
pub fn load() {
    crate::words::load();
    site::load();
}
