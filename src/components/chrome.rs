//! What surrounds the sign-in's card: the simulator banner and the language switcher.

use leptos::prelude::*;
use leptos_i18n::Locale as _;
use leptos_router::hooks::use_location;

use crate::{
    i18n::Locale,
    words::{page_locale, say, strong, Body, Run},
};

/// Every language, each named in itself; a plain form post (`POST /language`) that sets the
/// cookie and comes back here, with or without JavaScript.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
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

/// Says plainly when no real Truecaller is involved, and where the simulated phone is; on a
/// public demo, first that anyone can sign in as anyone.
#[component]
pub fn SimulatorBanner(simulated: String) -> impl IntoView {
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

