//! How each status looks: the one-tap start, the phone form, the waits and the outcomes, drawn
//! from the table in `screens` with the ways forward as forms that also work without JavaScript.

use leptos::{
    ev::{MouseEvent, SubmitEvent},
    prelude::*,
};
use leptos_router::components::Redirect;

use super::state::PageState;
use crate::{
    domain::SignInStatus,
    i18n::Locale,
    pages::{
        account::JustSignedIn,
        country_picker::CountryPicker,
        screens::{self, Countdown, Offer, Screen},
    },
    site::site,
    words::{say, Body, Run},
    wording,
};

/// `?with=number`: the phone form first, even where one-tap leads (the no-JS way to it).
const NUMBER_FIRST: &str = "with=number";
/// Without JavaScript, a waiting page reloads itself every 2 s until the outcome is in. Set
/// through `inner_html` so hydration never walks into the `<noscript>`.
const NOSCRIPT_REFRESH: &str = r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#;

/// The page's `?next=` in each of its forms, so a form posted without JavaScript, and the trip to
/// DigiLocker and back, still end where the person was going.
fn next_field() -> impl IntoView {
    super::requested_next().map(|next| view! { <input type="hidden" name="next" value=next/> })
}

/// The screen for the current status.
pub(super) fn screen(page: PageState) -> AnyView {
    let PageState { locale, digilocker, one_tap, status, use_form, .. } = page;
    let current = status.get();
    let shown = screens::screen(&current, locale);
    let alternative = (digilocker && shown.offers(Offer::DigiLocker)).then(|| alternative_view(locale));
    match current {
        SignInStatus::Idle if one_tap && !use_form.get() => view! { {one_tap_start(page)} {alternative} }.into_any(),
        SignInStatus::Idle | SignInStatus::ChoseAnotherWay => view! { {phone_form(page, shown)} {alternative} }.into_any(),
        SignInStatus::Waiting { seconds_left, more_time, .. } => waiting(page, shown, seconds_left, more_time),
        SignInStatus::Approved { .. } => view! {
            <div class=format!("state {}", shown.class)>
                <div class="spinner" aria-hidden="true"></div>
                <h2>{shown.title}</h2>
                <p>{body_view(shown.body)}</p>
                <div inner_html=NOSCRIPT_REFRESH></div>
            </div>
        }
        .into_any(),
        SignInStatus::SignedIn(account) => {
            // The account page that follows draws from this answer, with no request of its own.
            JustSignedIn::hand_over(*account);
            let next = super::after_sign_in();
            view! {
                <div class=format!("state {}", shown.class)>
                    <h2>{shown.title}</h2>
                    <p><a href=next.clone()>{say!(locale, continue_to_account)}</a></p>
                    <Redirect path=next/>
                </div>
            }
            .into_any()
        }
        // One-tap: the table's screen, and a way to open the sheet again (without JavaScript,
        // the way to open it at all).
        SignInStatus::AtTruecaller { open, .. } => view! {
            {state_view(page, shown)}
            <p class="open-truecaller">
                <a class="button secondary" href=open>{say!(locale, open_truecaller)}</a>
            </p>
        }
        .into_any(),
        // Every other status: an outcome, or a wait elsewhere (DigiLocker), drawn from the table.
        _ => state_view(page, shown),
    }
}

/// A limit's refusal and its countdown, while it holds.
fn throttle_notice(page: PageState) -> impl IntoView {
    move || {
        page.throttle_left().zip(page.throttle.get()).map(|(left, (cause, _))| {
            view! { <p class="notice throttled" role="alert">{wording::throttle_countdown(cause, page.locale, left)}</p> }
        })
    }
}

/// Android: "Continue with Truecaller" opens the sheet; the phone form is one link away.
fn one_tap_start(page: PageState) -> impl IntoView {
    let PageState { locale, opening, error, .. } = page;
    view! {
        <div class="one-tap">
            <p id="one-tap-hint" class="hint">{say!(locale, one_tap_hint)}</p>
            // A link, so it works without the wasm too (the server mints and redirects).
            <a
                class="button primary one-tap"
                href=super::with_next("/signin/one-tap")
                role="button"
                aria-describedby="one-tap-hint"
                aria-busy=move || opening.get().to_string()
                aria-disabled=move || page.throttle_left().is_some().to_string()
                on:click=move |ev: MouseEvent| {
                    ev.prevent_default();
                    page.open_sheet();
                }
                // A link answers Enter; as a button it answers Space too.
                on:keydown=move |ev| {
                    if ev.key() == " " {
                        ev.prevent_default();
                        page.open_sheet();
                    }
                }
            >
                {move || if opening.get() { say!(locale, one_tap_opening) } else { say!(locale, continue_with_truecaller) }}
            </a>
            <p id="phone-error" class="error" role="alert">{move || error.get()}</p>
            {throttle_notice(page)}
            <p class="use-number">
                <a href=super::with_next(&site().paths.sign_in_with(NUMBER_FIRST)) on:click=move |ev| page.show_form(ev)>{screens::USE_NUMBER.label(locale)}</a>
            </p>
        </div>
    }
}

fn phone_form(page: PageState, shown: Screen) -> impl IntoView {
    let PageState { locale, choice, selected, heard, picker_enhanced, phone, error, sending, input, app_missing, .. } = page;
    view! {
        // The page's `?next=` in the address too: a refusal is answered with the page at the posted
        // address, which then still knows where the person was going.
        <form class=shown.class method="post" action=super::with_next("/signin") on:submit=move |ev| page.submit(ev) novalidate>
            {next_field()}
            {move || app_missing.get().then(|| view! { <p class="notice app-missing" role="alert">{say!(locale, app_missing)}</p> })}
            <CountryPicker choice selected heard enhanced=picker_enhanced locale/>
            <label for="phone">{say!(locale, mobile_number)}</label>
            <input
                id="phone"
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="tel"
                placeholder=move || choice.with_value(|c| c.get(selected.get()).map(|c| c.example.clone()))
                required
                node_ref=input
                aria-describedby="phone-help phone-error"
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                value=phone.get_untracked()
                prop:value=phone
                on:input=move |ev| page.typed(event_target_value(&ev))
            />
            <p id="phone-help" class="hint">{body_view(shown.body.clone())}</p>
            <p id="phone-error" class="error" role="alert">{move || error.get()}</p>
            {throttle_notice(page)}
            <button
                type="submit"
                class="primary"
                disabled=move || sending.get() || page.throttle_left().is_some()
                aria-busy=move || sending.get().to_string()
            >
                {move || if sending.get() { say!(locale, sending_request) } else { say!(locale, continue_with_truecaller) }}
            </button>
        </form>
    }
}

fn waiting(page: PageState, shown: Screen, seconds_left: u32, more_time: bool) -> AnyView {
    let PageState { locale, elapsed, extended, .. } = page;
    view! {
        <div class=format!("state {}", shown.class)>
            <div class="spinner" aria-hidden="true"></div>
            <h2>{shown.title}</h2>
            <p>{body_view(shown.body)}</p>
            {countdown_view(page, shown.countdown)}
            // Said once when more time was given, and again near the end (WCAG 2.2.1).
            <p class="time-note" role="status">
                {move || screens::time_note(locale, seconds_left.saturating_sub(elapsed.get()), extended.get(), more_time)}
            </p>
            {more_time.then(|| view! {
                <form class="more-time" method="post" action="/signin/more-time" on:submit=move |ev| page.ask_more_time(ev)>
                    {next_field()}
                    <button type="submit" class="link">{say!(locale, more_time)}</button>
                </form>
            })}
            // Quiet links here: the phone is where the person should look.
            <div class="actions">{offers_view(page, shown.offers, true)}</div>
            <div inner_html=NOSCRIPT_REFRESH></div>
        </div>
    }
    .into_any()
}

/// The second way in, below the first: a plain form post, with or without the wasm.
fn alternative_view(locale: Locale) -> impl IntoView {
    view! {
        <div class="alternative">
            <p class="divider">
                <span class="line" aria-hidden="true"></span>
                <span class="word">{say!(locale, divider)}</span>
                <span class="line" aria-hidden="true"></span>
            </p>
            {digilocker_form(locale, Some("digilocker-hint"))}
            <p id="digilocker-hint" class="hint">{say!(locale, digilocker_hint)}</p>
        </div>
    }
}

/// A screen from the table: what happened (or what is awaited), and the ways forward.
fn state_view(page: PageState, screen: Screen) -> AnyView {
    let Screen { class, title, body, offers, in_progress, countdown, .. } = screen;
    let class = if in_progress { format!("state {class}") } else { format!("state outcome {class}") };
    view! {
        <div class=class>
            {in_progress.then(|| view! { <div class="spinner" aria-hidden="true"></div> })}
            <h2>{title}</h2>
            <p>{body_view(body)}</p>
            {countdown_view(page, countdown)}
            <div class="actions">{offers_view(page, offers, false)}</div>
            {in_progress.then(|| view! { <div inner_html=NOSCRIPT_REFRESH></div> })}
        </div>
    }
    .into_any()
}

/// Body text, with its emphasised runs in bold.
fn body_view(body: Body) -> impl IntoView {
    body.0
        .into_iter()
        .map(|run| match run {
            Run::Plain(text) => text.into_any(),
            Run::Strong(text) => view! { <strong class="nowrap">{text}</strong> }.into_any(),
        })
        .collect_view()
}

fn countdown_view(page: PageState, countdown: Option<Countdown>) -> impl IntoView {
    countdown.map(|Countdown { label, seconds_left }| view! {
        <p class="countdown">
            {label} <span class="time" aria-label=say!(page.locale, time_left)>{move || page.left(seconds_left)}</span>
        </p>
    })
}

/// The ways forward, as forms that also work without JavaScript: "Try again" and "Use another
/// number" post to `/signin/cancel` (back to the form; the wasm handles them in place), "Verify with
/// DigiLocker" always leaves the page (and is left out when the deployment does not offer it).
/// `quiet` draws the way back as a link.
fn offers_view(page: PageState, offers: &'static [Offer], quiet: bool) -> impl IntoView {
    let locale = page.locale;
    offers
        .iter()
        .filter(move |offer| page.digilocker || **offer != Offer::DigiLocker)
        .map(|offer| match *offer {
            Offer::Retry => view! {
                <form method="post" action="/signin/cancel" on:submit=move |ev| page.try_again(ev)>
                    {next_field()}
                    <button type="submit" class="primary">{offer.label(locale)}</button>
                </form>
            }
            .into_any(),
            Offer::Back(_) => {
                let label = offer.label(locale);
                // "Use Truecaller instead" leads back to where Truecaller starts (one-tap on
                // Android); every other label leads to the phone form.
                let to_form = *offer != screens::USE_TRUECALLER;
                view! {
                    <form method="post" action="/signin/cancel" on:submit=move |ev: SubmitEvent| page.another_number(ev, to_form)>
                        {to_form.then(|| view! { <input type="hidden" name="then" value="number"/> })}
                        {next_field()}
                        <button type="submit" class=if quiet { "link" } else { "secondary" }>{label}</button>
                    </form>
                }
                .into_any()
            }
            Offer::DigiLocker => digilocker_form(locale, None).into_any(),
        })
        .collect_view()
}

/// "Verify with DigiLocker": a full-page form post with no handler, so it works the same with or
/// without the wasm (the server answers with a redirect to DigiLocker's consent page).
fn digilocker_form(locale: Locale, described_by: Option<&'static str>) -> impl IntoView {
    view! {
        <form method="post" action="/digilocker/start">
            {next_field()}
            <button type="submit" class="secondary digilocker" aria-describedby=described_by>
                {Offer::DigiLocker.label(locale)}
            </button>
        </form>
    }
}
