//! The sign-in component: phone form → sending → waiting (loader, countdown) → outcome.
//! The server owns the state machine; this component renders `SignInStatus` and keeps one
//! long-poll open while the status is pending. What each status says and offers comes from one
//! table, `screens::screen`; this file only draws it.
//!
//! On Android (Chrome, Samsung Internet) the page leads with one-tap: a control that opens
//! Truecaller's sheet through a deep link, then tells from the page's focus whether the app took
//! over (Truecaller's documented check, 600 ms later) or is absent (the phone form, at once).

use futures::channel::oneshot;
use leptos::{
    ev::{MouseEvent, SubmitEvent},
    html,
    prelude::*,
    task::spawn_local,
};
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::{
    country_picker::CountryPicker,
    screens::{self, Countdown, Offer, Screen},
};
use crate::{
    countries::CountryChoice,
    i18n::Locale,
    api::{cancel, get_status, initiate, more_time, sign_in_page, start_one_tap},
    domain::{check_phone_shape, OneTapLink, SignInStatus, Throttle},
    page_data::{FormFeedback, SignInPageData},
    error::ApiError,
    pages::account::JustSignedIn,
    words::{page_locale, say, Body, Run},
    wording::{self, clock},
};

/// How long after opening the deep link the page checks whether it still has focus (the value
/// in every copy of Truecaller's snippet, and in production integrations).
const FOCUS_CHECK_MS: u32 = 600;
/// `/?with=number`: the phone form first, even where one-tap leads (the no-JS way to it).
const NUMBER_FIRST: &str = "/?with=number";
/// How long each status request may be held by the server.
const LONG_POLL_MS: u32 = 20_000;
/// Pause before asking again after a failed status request.
const RETRY_MS: u32 = 2_000;
/// Without JavaScript, a waiting page reloads itself every 2 s until the outcome is in. Set
/// through `inner_html` so hydration never walks into the `<noscript>`.
const NOSCRIPT_REFRESH: &str = r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#;

/// Cancels sent to the server and not yet answered, and who waits for them. Whatever starts a
/// sign-in waits until none is out: a cancel clears the old sign-in from the session, and a
/// session is written whole at the end of each request, so a cancel answered after a newer start
/// would put back the session it read and drop the new sign-in (its approval would then sign
/// nobody in).
#[derive(Default)]
struct Cancels {
    out: u32,
    waiting: Vec<oneshot::Sender<()>>,
}

type Cancelling = StoredValue<Cancels>;

/// Sends a cancel and waits for its answer, counted as out meanwhile.
async fn cancel_counted(cancelling: Cancelling) {
    cancelling.update_value(|c| c.out += 1);
    let _ = cancel().await;
    cancelling.update_value(|c| {
        c.out -= 1;
        if c.out == 0 {
            for waiter in c.waiting.drain(..) {
                let _ = waiter.send(());
            }
        }
    });
}

/// Once no cancel is out.
async fn after_cancels(cancelling: Cancelling) {
    let answered = cancelling
        .try_update_value(|c| {
            (c.out > 0).then(|| {
                let (tx, rx) = oneshot::channel();
                c.waiting.push(tx);
                rx
            })
        })
        .flatten();
    if let Some(answered) = answered {
        let _ = answered.await;
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    // Rendered on the server from this browser's session, so a reload resumes where it was.
    let initial = Resource::new(|| (), |_| sign_in_page());
    let number_first = use_query_map().with_untracked(|query| query.get("with").as_deref() == Some("number"));
    let locale = page_locale();
    view! {
        <section class="card">
            <h1>{say!(locale, page_title)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{say!(locale, loading)}</p> }>
                {move || Suspend::new(async move {
                    match initial.await {
                        Ok(SignInPageData { status, feedback, digilocker, one_tap, country }) => {
                            view! { <SignInFlow start=status feedback digilocker one_tap number_first country/> }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message(locale)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SignInFlow(
    start: SignInStatus,
    feedback: Option<FormFeedback>,
    /// Whether this deployment offers DigiLocker; the table says where it would be offered.
    digilocker: bool,
    /// Android one-tap leads (the server decided from the browser).
    #[prop(optional)]
    one_tap: bool,
    /// The person asked for the phone form (`/?with=number`).
    #[prop(optional)]
    number_first: bool,
    /// The country picker's list and first choice.
    country: CountryChoice,
) -> impl IntoView {
    let locale = page_locale();
    let selected = RwSignal::new(country.chosen);
    let choice = StoredValue::new(country);
    // A reason names countries as the picker does, in the page's language.
    let name_of = move |region| choice.with_value(|c: &CountryChoice| c.name(region));
    let worded = move |e: &ApiError| e.message_naming(locale, &name_of);
    let (typed, refused) = feedback.map_or((String::new(), None), |f| (f.phone.clone(), Some(worded(&f.error))));
    // A typed "+" number chose the country (said to screen readers).
    let heard = RwSignal::new(false);
    // The country picker has become its searchable self (after hydration).
    let picker_enhanced = RwSignal::new(false);
    let status = RwSignal::new(start);
    let phone = RwSignal::new(typed);
    let error = RwSignal::new(refused);
    let sending = RwSignal::new(false);
    // Seconds since the last status arrived; the countdown subtracts it from the server's figure.
    let elapsed = RwSignal::new(0u32);
    // "Need more time?" was answered: the wait now left (announced once).
    let extended = RwSignal::new(None::<u32>);
    let watching = StoredValue::new(false);
    let cancelling: Cancelling = StoredValue::new(Cancels::default());
    // Bumped whenever the person starts over; a status answer asked for before that is stale.
    let attempt = StoredValue::new(0u32);
    let input = NodeRef::<html::Input>::new();
    // A limit refused the last request: why, how long to wait, and seconds waited since.
    let throttle = RwSignal::new(None::<(Throttle, u32)>);
    let throttle_elapsed = RwSignal::new(0u32);
    let throttle_left = move || throttle.get().map(|(_, secs)| secs.saturating_sub(throttle_elapsed.get())).filter(|s| *s > 0);
    // One-tap: the phone form was asked for (or Truecaller didn't open); the deep link is being
    // prepared; Truecaller didn't take the screen.
    let use_form = RwSignal::new(!one_tap || number_first);
    let opening = RwSignal::new(false);
    let app_missing = RwSignal::new(false);
    let focus_number = move || {
        request_animation_frame(move || {
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        })
    };

    let show = move |result: Result<SignInStatus, ApiError>| match result {
        Ok(next) => {
            error.set(None);
            throttle.set(None);
            elapsed.set(0);
            status.set(next);
        }
        Err(ApiError::Throttled { cause, retry_in_secs }) => {
            throttle_elapsed.set(0);
            throttle.set(Some((cause, retry_in_secs)));
            // The form is where the message and the countdown are shown.
            status.set(SignInStatus::Idle);
        }
        Err(e) => error.set(Some(worded(&e))),
    };

    let send = move |number: String| {
        attempt.update_value(|a| *a += 1);
        extended.set(None);
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            after_cancels(cancelling).await;
            let result = initiate(number, Some(selected.get_untracked().to_string())).await;
            sending.set(false);
            show(result);
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        match check_phone_shape(&number) {
            Ok(()) => send(number),
            Err(problem) => {
                error.set(Some(wording::phone_problem(problem, locale, &name_of)));
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    };

    // Back to the start, on the phone form unless `to_form` is false (then one-tap leads again
    // where it leads).
    let another_number = move |ev: SubmitEvent, to_form: bool| {
        ev.prevent_default();
        attempt.update_value(|a| *a += 1);
        spawn_local(cancel_counted(cancelling));
        phone.set(String::new());
        error.set(None);
        app_missing.set(false);
        use_form.set(to_form || !one_tap);
        status.set(SignInStatus::Idle);
    };

    let show_form = move |ev: MouseEvent| {
        ev.prevent_default();
        // A one-tap still being prepared is given up: its link must not open over the form.
        attempt.update_value(|a| *a += 1);
        use_form.set(true);
        focus_number();
    };

    // Tap on "Continue with Truecaller" (Android): mint the attempt, hand the deep link over,
    // then read the focus: kept means no sheet came up (no app, or an app without a profile).
    let open_sheet = move || {
        if opening.get_untracked() || throttle_left().is_some() {
            return;
        }
        attempt.update_value(|a| *a += 1);
        let asked_in = attempt.get_value();
        opening.set(true);
        error.set(None);
        spawn_local(async move {
            after_cancels(cancelling).await;
            let link = match start_one_tap().await {
                Ok(link) => link,
                Err(e) => {
                    opening.set(false);
                    show(Err(e));
                    return;
                }
            };
            // The person moved on (the phone form) while the link was being made.
            if attempt.get_value() != asked_in {
                opening.set(false);
                cancel_counted(cancelling).await;
                return;
            }
            open_truecaller(&link);
            pause(FOCUS_CHECK_MS).await;
            opening.set(false);
            if attempt.get_value() != asked_in {
                return;
            }
            if page_has_focus() {
                // The form first; giving up the minted attempt can happen behind it.
                app_missing.set(true);
                use_form.set(true);
                status.set(SignInStatus::Idle);
                focus_number();
                cancel_counted(cancelling).await;
            } else {
                // The sheet is up: wait for Truecaller like any other pending sign-in.
                let next = get_status(None).await;
                if attempt.get_value() == asked_in {
                    show(next);
                }
            }
        });
    };
    // "Need more time?": the server moves the deadline (within the number's lock) and answers
    // the new status; the countdown starts from it.
    let ask_more_time = move |ev: SubmitEvent| {
        ev.prevent_default();
        let asked_in = attempt.get_value();
        spawn_local(async move {
            let result = more_time().await;
            if attempt.get_value() != asked_in {
                return;
            }
            if let Ok(SignInStatus::Waiting { seconds_left, .. }) = &result {
                extended.set(Some(*seconds_left));
            }
            show(result);
        });
    };
    let try_again = move |ev: SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        if number.trim().is_empty() {
            status.set(SignInStatus::Idle);
        } else {
            send(number);
        }
    };

    // One long-poll at a time while the server may still change the status.
    Effect::new(move |_| {
        if !status.with(SignInStatus::is_pending) || watching.get_value() {
            return;
        }
        watching.set_value(true);
        spawn_local(async move {
            loop {
                let asked_in = attempt.get_value();
                match get_status(Some(LONG_POLL_MS)).await {
                    Ok(next) if attempt.get_value() == asked_in => {
                        elapsed.set(0);
                        status.set(next);
                    }
                    // About an attempt the person has moved on from: ask again for the new one.
                    Ok(_) => {}
                    // Server restarting or network blip: fall back to asking again shortly.
                    Err(_) => pause(RETRY_MS).await,
                }
                if !status.with_untracked(SignInStatus::is_pending) {
                    break;
                }
            }
            watching.set_value(false);
        });
    });

    // Tick the countdowns once a second (browser only).
    Effect::new(move |_| {
        let tick = move || {
            elapsed.update(|s| *s += 1);
            if throttle.with_untracked(Option::is_some) {
                throttle_elapsed.update(|s| *s += 1);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let left = move |total: u32| clock(total.saturating_sub(elapsed.get()));

    let screen = move || {
        let current = status.get();
        let shown = screens::screen(&current, locale);
        let alternative = (digilocker && shown.offers(Offer::DigiLocker)).then(|| alternative_view(locale));
        let throttle_notice = move || {
            throttle_left().zip(throttle.get()).map(|(left, (cause, _))| view! {
                <p class="notice throttled" role="alert">{wording::throttle_countdown(cause, locale, left)}</p>
            })
        };
        match current {
            SignInStatus::Idle if one_tap && !use_form.get() => view! {
                <div class="one-tap">
                    <p id="one-tap-hint" class="hint">{say!(locale, one_tap_hint)}</p>
                    // A link, so it works without the wasm too (the server mints and redirects).
                    <a
                        class="button primary one-tap"
                        href="/signin/one-tap"
                        role="button"
                        aria-describedby="one-tap-hint"
                        aria-busy=move || opening.get().to_string()
                        aria-disabled=move || throttle_left().is_some().to_string()
                        on:click=move |ev: MouseEvent| {
                            ev.prevent_default();
                            open_sheet();
                        }
                        // A link answers Enter; as a button it answers Space too.
                        on:keydown=move |ev| {
                            if ev.key() == " " {
                                ev.prevent_default();
                                open_sheet();
                            }
                        }
                    >
                        {move || if opening.get() { say!(locale, one_tap_opening) } else { say!(locale, continue_with_truecaller) }}
                    </a>
                    <p id="phone-error" class="error" role="alert">{move || error.get()}</p>
                    {throttle_notice}
                    <p class="use-number">
                        <a href=NUMBER_FIRST on:click=show_form>{screens::USE_NUMBER.label(locale)}</a>
                    </p>
                </div>
                {alternative}
            }
            .into_any(),
            SignInStatus::Idle | SignInStatus::ChoseAnotherWay => view! {
                <form class=shown.class method="post" action="/signin" on:submit=on_submit novalidate>
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
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            // "+44…" typed or pasted: the country follows the number.
                            let from = choice.with_value(|c| c.from_number(&typed, selected.get_untracked()));
                            if let Some(region) = from.filter(|r| *r != selected.get_untracked()) {
                                selected.set(region);
                                heard.set(true);
                            }
                            phone.set(typed);
                            error.set(None);
                        }
                    />
                    <p id="phone-help" class="hint">{body_view(shown.body.clone())}</p>
                    <p id="phone-error" class="error" role="alert">{move || error.get()}</p>
                    {throttle_notice}
                    <button
                        type="submit"
                        class="primary"
                        disabled=move || sending.get() || throttle_left().is_some()
                        aria-busy=move || sending.get().to_string()
                    >
                        {move || if sending.get() { say!(locale, sending_request) } else { say!(locale, continue_with_truecaller) }}
                    </button>
                </form>
                {alternative}
            }
            .into_any(),
            SignInStatus::Waiting { seconds_left, more_time, .. } => view! {
                <div class=format!("state {}", shown.class)>
                    <div class="spinner" aria-hidden="true"></div>
                    <h2>{shown.title}</h2>
                    <p>{body_view(shown.body)}</p>
                    {countdown_view(locale, shown.countdown, left)}
                    // Said once when more time was given, and again near the end (WCAG 2.2.1).
                    <p class="time-note" role="status">
                        {move || screens::time_note(locale, seconds_left.saturating_sub(elapsed.get()), extended.get(), more_time)}
                    </p>
                    {more_time.then(|| view! {
                        <form class="more-time" method="post" action="/signin/more-time" on:submit=ask_more_time>
                            <button type="submit" class="link">{say!(locale, more_time)}</button>
                        </form>
                    })}
                    // Quiet links here: the phone is where the person should look.
                    <div class="actions">{offers_view(locale, shown.offers, digilocker, true, try_again, another_number)}</div>
                    <div inner_html=NOSCRIPT_REFRESH></div>
                </div>
            }
            .into_any(),
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
                view! {
                <div class=format!("state {}", shown.class)>
                    <h2>{shown.title}</h2>
                    <p><a href="/account">{say!(locale, continue_to_account)}</a></p>
                    <Redirect path="/account"/>
                </div>
                }
                .into_any()
            }
            // One-tap: the table's screen, and a way to open the sheet again (without JavaScript,
            // the way to open it at all).
            SignInStatus::AtTruecaller { open, .. } => view! {
                {state_view(locale, shown, digilocker, left, try_again, another_number)}
                <p class="open-truecaller">
                    <a class="button secondary" href=open>{say!(locale, open_truecaller)}</a>
                </p>
            }
            .into_any(),
            // Every other status: an outcome, or a wait elsewhere (DigiLocker), drawn from the table.
            _ => state_view(locale, shown, digilocker, left, try_again, another_number),
        }
    };

    // The forms show a refusal beside the number; any other screen (a wait elsewhere, an
    // outcome) shows it under its own text, e.g. a limit refusing another DigiLocker start.
    let form_shown = move || status.with(|s| matches!(s, SignInStatus::Idle | SignInStatus::ChoseAnotherWay));
    let other_refusal = move || {
        (!form_shown()).then(|| error.get()).flatten().map(|message| view! { <p class="error refusal" role="alert">{message}</p> })
    };
    view! {
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || status.with(|s| screens::screen(s, locale).announcement)}
        </p>
        {screen}
        {other_refusal}
    }
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

/// Hands the deep link to the Truecaller app the way Truecaller's docs do (`window.location`).
/// In simulator mode the stand-in sheet opens in a new tab instead: a computer has no app to
/// receive the link, and the new tab takes focus as the real sheet does.
fn open_truecaller(link: &OneTapLink) {
    #[cfg(feature = "hydrate")]
    match &link.simulated_sheet {
        Some(sheet) => {
            let _ = window().open_with_url_and_target(sheet, "_blank");
        }
        None => {
            let _ = window().location().set_href(&link.deep_link);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = link;
}

/// Whether the page still has focus (no sheet came up over it).
fn page_has_focus() -> bool {
    #[cfg(feature = "hydrate")]
    return document().has_focus().unwrap_or(true);
    #[cfg(not(feature = "hydrate"))]
    true
}

/// A screen from the table: what happened (or what is awaited), and the ways forward.
fn state_view(
    locale: Locale,
    screen: Screen,
    digilocker: bool,
    left: impl Fn(u32) -> String + Copy + Send + Sync + 'static,
    try_again: impl Fn(SubmitEvent) + Copy + 'static,
    another_number: impl Fn(SubmitEvent, bool) + Copy + 'static,
) -> AnyView {
    let Screen { class, title, body, offers, in_progress, countdown, .. } = screen;
    let class = if in_progress { format!("state {class}") } else { format!("state outcome {class}") };
    view! {
        <div class=class>
            {in_progress.then(|| view! { <div class="spinner" aria-hidden="true"></div> })}
            <h2>{title}</h2>
            <p>{body_view(body)}</p>
            {countdown_view(locale, countdown, left)}
            <div class="actions">{offers_view(locale, offers, digilocker, false, try_again, another_number)}</div>
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

fn countdown_view(
    locale: Locale,
    countdown: Option<Countdown>,
    left: impl Fn(u32) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    countdown.map(|Countdown { label, seconds_left }| view! {
        <p class="countdown">
            {label} <span class="time" aria-label=say!(locale, time_left)>{move || left(seconds_left)}</span>
        </p>
    })
}

/// The ways forward, as forms that also work without JavaScript: "Try again" and "Use another
/// number" post to `/signin/cancel` (back to the form; the wasm handles them in place), "Verify with
/// DigiLocker" always leaves the page (and is left out when the deployment does not offer it).
/// `quiet` draws the way back as a link.
fn offers_view(
    locale: Locale,
    offers: &'static [Offer],
    digilocker: bool,
    quiet: bool,
    try_again: impl Fn(SubmitEvent) + Copy + 'static,
    another_number: impl Fn(SubmitEvent, bool) + Copy + 'static,
) -> impl IntoView {
    offers
        .iter()
        .filter(move |offer| digilocker || **offer != Offer::DigiLocker)
        .map(|offer| match *offer {
            Offer::Retry => view! {
                <form method="post" action="/signin/cancel" on:submit=try_again>
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
                    <form method="post" action="/signin/cancel" on:submit=move |ev| another_number(ev, to_form)>
                        {to_form.then(|| view! { <input type="hidden" name="then" value="number"/> })}
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
            <button type="submit" class="secondary digilocker" aria-describedby=described_by>
                {Offer::DigiLocker.label(locale)}
            </button>
        </form>
    }
}

async fn pause(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::FailureReason;

    fn html(start: SignInStatus) -> String {
        rendered(start, true)
    }

    fn rendered(start: SignInStatus, digilocker: bool) -> String {
        let owner = Owner::new();
        let country = crate::countries::CountryChoice {
            unlisted: Vec::new().into(),
            countries: vec![crate::countries::Country {
                region: crate::countries::Region::parse("IN").unwrap(),
                name: "India".into(),
                dial: 91,
                main: true,
                example: "081234 56789".into(),
            }]
            .into(),
            chosen: crate::countries::Region::parse("IN").unwrap(),
        };
        owner.with(|| view! { <SignInFlow start feedback=None digilocker country/> }.to_html())
    }

    #[test]
    fn a_deployment_without_digilocker_offers_it_nowhere() {
        for status in [SignInStatus::Idle, SignInStatus::Rejected, SignInStatus::NotTruecallerUser] {
            let page = rendered(status, false);
            assert!(!page.contains("DigiLocker") && !page.contains("/digilocker/start"), "{page}");
        }
    }

    #[test]
    fn digilocker_is_a_plain_form_post_below_the_phone_form() {
        let page = html(SignInStatus::Idle);
        let form = page.find(r#"action="/signin" "#).unwrap();
        let divider = page.find(">or<").unwrap();
        let digilocker = page.find(r#"<form method="post" action="/digilocker/start">"#).unwrap();
        assert!(form < divider && divider < digilocker, "{page}");
        let button = &page[digilocker..];
        let button = &button[..button.find("</form>").unwrap()];
        assert!(button.contains(r#"type="submit""#) && button.contains(r#"class="secondary digilocker""#), "{button}");
        assert!(button.contains(r#"aria-describedby="digilocker-hint""#), "{button}");
        assert!(page.contains(r#"<p id="digilocker-hint" class="hint">Use DigiLocker if you don't have Truecaller on this phone."#), "{page}");
        assert!(page.contains("Enter your mobile number to sign in."), "{page}");
    }

    #[test]
    fn outcomes_render_their_table_row() {
        let page = html(SignInStatus::Rejected);
        assert!(page.contains(r#"class="state outcome rejected""#), "{page}");
        assert!(page.contains("You declined the request"), "{page}");
        for label in ["Try again", "Use another number", "Verify with DigiLocker"] {
            assert!(page.contains(label), "{label}: {page}");
        }
        let page = html(SignInStatus::Failed { reason: FailureReason::NumberMismatch });
        assert!(!page.contains("DigiLocker"), "{page}");
        let page = html(SignInStatus::AtDigiLocker { seconds_left: 90 });
        assert!(page.contains(r#"class="state at-digilocker""#), "{page}");
        assert!(page.contains("Use Truecaller instead") && page.contains("1:30") && page.contains("http-equiv"), "{page}");
        assert!(!page.contains("Use another number"), "{page}");
        let page = html(SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true });
        assert!(page.contains(r#"<strong class="nowrap">+91 •••••••• 99</strong>"#), "{page}");
        assert!(page.contains(r#"class="link""#), "{page}");
    }

    #[test]
    fn need_more_time_is_a_plain_form_post_only_while_more_time_can_be_given() {
        let waiting = |more_time| SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time };
        let page = html(waiting(true));
        assert!(page.contains(r#"action="/signin/more-time""#) && page.contains("Need more time?"), "{page}");
        assert!(page.contains(r#"<p role="status" class="time-note">"#), "{page}");
        let page = html(waiting(false));
        assert!(!page.contains("/signin/more-time") && !page.contains("Need more time?"), "{page}");
    }
}
