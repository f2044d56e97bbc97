//! The sign-in component: phone form → sending → waiting (loader, countdown) → outcome.
//! The server owns the state machine; this component renders `SignInStatus` and keeps one
//! long-poll open while the status is pending.

use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};
use leptos_router::components::Redirect;

use crate::{
    api::{cancel, get_status, initiate, sign_in_page},
    domain::{check_phone_shape, FailureReason, FormFeedback, SignInPageData, SignInStatus, Throttle},
    error::ApiError,
};

/// How long each status request may be held by the server.
const LONG_POLL_MS: u32 = 20_000;
/// Pause before asking again after a failed status request.
const RETRY_MS: u32 = 2_000;
/// Without JavaScript, a waiting page reloads itself every 2 s until the outcome is in. Set
/// through `inner_html` so hydration never walks into the `<noscript>`.
const NOSCRIPT_REFRESH: &str = r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#;

#[component]
pub fn SignInPage() -> impl IntoView {
    // Rendered on the server from this browser's session, so a reload resumes where it was.
    let initial = Resource::new(|| (), |_| sign_in_page());
    view! {
        <section class="card">
            <h1>"Sign in with Truecaller"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let SignInPageData { status, feedback } = initial
                        .await
                        .unwrap_or(SignInPageData { status: SignInStatus::Idle, feedback: None });
                    view! { <SignInFlow start=status feedback/> }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SignInFlow(start: SignInStatus, feedback: Option<FormFeedback>) -> impl IntoView {
    let (typed, refused) = feedback.map_or((String::new(), None), |f| (f.phone, Some(f.message)));
    let status = RwSignal::new(start);
    let phone = RwSignal::new(typed);
    let error = RwSignal::new(refused);
    let sending = RwSignal::new(false);
    // Seconds since the last status arrived; the countdown subtracts it from the server's figure.
    let elapsed = RwSignal::new(0u32);
    let watching = StoredValue::new(false);
    // Bumped whenever the person starts over; a status answer asked for before that is stale.
    let attempt = StoredValue::new(0u32);
    let input = NodeRef::<html::Input>::new();
    // A limit refused the last request: why, how long to wait, and seconds waited since.
    let throttle = RwSignal::new(None::<(Throttle, u32)>);
    let throttle_elapsed = RwSignal::new(0u32);
    let throttle_left = move || throttle.get().map(|(_, secs)| secs.saturating_sub(throttle_elapsed.get())).filter(|s| *s > 0);

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
        Err(e) => error.set(Some(e.to_string())),
    };

    let send = move |number: String| {
        attempt.update_value(|a| *a += 1);
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = initiate(number).await;
            sending.set(false);
            show(result);
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let number = phone.get_untracked();
        match check_phone_shape(&number) {
            Ok(()) => send(number),
            Err(message) => {
                error.set(Some(message.to_owned()));
                if let Some(input) = input.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    };

    let another_number = move |ev: SubmitEvent| {
        ev.prevent_default();
        attempt.update_value(|a| *a += 1);
        spawn_local(async move {
            let _ = cancel().await;
        });
        phone.set(String::new());
        error.set(None);
        status.set(SignInStatus::Idle);
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

    let screen = move || match status.get() {
        SignInStatus::Idle => view! {
            <form class="phone-form" method="post" action="/signin" on:submit=on_submit novalidate>
                <label for="phone">"Mobile number"</label>
                <input
                    id="phone"
                    name="phone"
                    type="tel"
                    inputmode="tel"
                    autocomplete="tel"
                    placeholder="+91 98765 43210"
                    required
                    node_ref=input
                    aria-describedby="phone-help phone-error"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    value=phone.get_untracked()
                    prop:value=phone
                    on:input=move |ev| {
                        phone.set(event_target_value(&ev));
                        error.set(None);
                    }
                />
                <p id="phone-help" class="hint">
                    "Include your country code. We'll send a sign-in request to the Truecaller app on that phone."
                </p>
                <p id="phone-error" class="error" role="alert">{move || error.get()}</p>
                {move || throttle_left().zip(throttle.get()).map(|(left, (cause, _))| view! {
                    <p class="notice throttled" role="alert">
                        {cause.reason()} " You can try again in " <span class="time">{clock(left)}</span> "."
                    </p>
                })}
                <button
                    type="submit"
                    class="primary"
                    disabled=move || sending.get() || throttle_left().is_some()
                    aria-busy=move || sending.get().to_string()
                >
                    {move || if sending.get() { "Sending request…" } else { "Continue with Truecaller" }}
                </button>
            </form>
        }
        .into_any(),
        SignInStatus::Waiting { phone: masked, seconds_left } => view! {
            <div class="state waiting">
                <div class="spinner" aria-hidden="true"></div>
                <h2>"Check your phone"</h2>
                <p>
                    "We sent a sign-in request to the Truecaller app on " <strong class="nowrap">{masked}</strong>
                    ". Open it and tap " <strong>"Continue"</strong> "."
                </p>
                <p class="countdown">
                    "Waiting for your answer · " <span class="time" aria-label="time left">{move || left(seconds_left)}</span>
                </p>
                <form class="actions" method="post" action="/signin/cancel" on:submit=another_number>
                    <button type="submit" class="link">"Use another number"</button>
                </form>
                <div inner_html=NOSCRIPT_REFRESH></div>
            </div>
        }
        .into_any(),
        SignInStatus::Approved { .. } => view! {
            <div class="state approved">
                <div class="spinner" aria-hidden="true"></div>
                <h2>"Approved"</h2>
                <p>"Getting your details from Truecaller and signing you in…"</p>
                <div inner_html=NOSCRIPT_REFRESH></div>
            </div>
        }
        .into_any(),
        SignInStatus::SignedIn { name } => view! {
            <div class="state">
                <h2>{format!("Signed in as {name}")}</h2>
                <p><a href="/account">"Continue to your account"</a></p>
                <Redirect path="/account"/>
            </div>
        }
        .into_any(),
        SignInStatus::Rejected => outcome(
            "rejected",
            "You declined the request",
            "The request was rejected on your phone, so you were not signed in.".into(),
            true,
            try_again,
            another_number,
        ),
        SignInStatus::TimedOut { retry_in_secs } => outcome(
            "timed-out",
            "No answer in time",
            format!(
                "We didn't hear back from your phone. Check that Truecaller is installed and has notifications on.{}",
                retry_note(retry_in_secs)
            ),
            true,
            try_again,
            another_number,
        ),
        SignInStatus::ApprovedTooLate => outcome(
            "approved-late",
            "Approved too late",
            "Your phone approved the request after this page had stopped waiting, so for your safety nobody was \
             signed in. Send a new request to sign in."
                .into(),
            true,
            try_again,
            another_number,
        ),
        SignInStatus::Superseded { retry_in_secs } => outcome(
            "superseded",
            "This request was stopped",
            format!(
                "Someone asked for a sign-in request to this number from another browser or device, so we stopped \
                 yours: answering the request on the phone now signs nobody in. If that wasn't you, reject any \
                 Truecaller request you didn't start.{}",
                retry_note(retry_in_secs)
            ),
            true,
            try_again,
            another_number,
        ),
        SignInStatus::NotTruecallerUser => outcome(
            "not-user",
            "This number isn't on Truecaller",
            "Truecaller sign-in works only for numbers registered in the Truecaller app. Try the number you use with Truecaller.".into(),
            false,
            try_again,
            another_number,
        ),
        SignInStatus::Locked { phone: masked, retry_in_secs, other_browser: true, stopped_other } => outcome(
            "locked",
            "A request is already pending for this number",
            format!(
                "Someone started signing in with {masked} from another browser or device.{} If your phone shows \
                 a Truecaller request you did not start here, reject it: someone may have typed your number.{}",
                if stopped_other { " We stopped that request, so approving it signs nobody in." } else { "" },
                retry_note(retry_in_secs)
            ),
            false,
            try_again,
            another_number,
        ),
        SignInStatus::Locked { retry_in_secs, .. } => outcome(
            "locked",
            "Please wait a moment",
            format!(
                "A request went to this number a moment ago, and Truecaller asks us not to send another so soon.{}",
                retry_note(retry_in_secs)
            ),
            true,
            try_again,
            another_number,
        ),
        SignInStatus::Failed { reason } => {
            let (title, body, retry) = failure_text(reason);
            outcome("failed", title, body.into(), retry, try_again, another_number)
        }
    };

    view! {
        <p class="visually-hidden" role="status" aria-live="polite">{move || announcement(&status.get())}</p>
        {screen}
    }
}

/// An outcome screen: what happened, and a way forward.
fn outcome(
    class: &'static str,
    title: &'static str,
    body: String,
    offer_retry: bool,
    try_again: impl Fn(SubmitEvent) + 'static,
    another_number: impl Fn(SubmitEvent) + 'static,
) -> AnyView {
    // Without JavaScript both buttons go back to the form (the number has to be typed again).
    view! {
        <div class=format!("state outcome {class}")>
            <h2>{title}</h2>
            <p>{body}</p>
            <div class="actions">
                {offer_retry.then(|| view! {
                    <form method="post" action="/signin/cancel" on:submit=try_again>
                        <button type="submit" class="primary">"Try again"</button>
                    </form>
                })}
                <form method="post" action="/signin/cancel" on:submit=another_number>
                    <button type="submit" class="secondary">"Use another number"</button>
                </form>
            </div>
        </div>
    }
    .into_any()
}

fn failure_text(reason: FailureReason) -> (&'static str, &'static str, bool) {
    match reason {
        FailureReason::ProviderUnavailable => (
            "Truecaller isn't responding",
            "We couldn't reach Truecaller just now. Please try again in a moment.",
            true,
        ),
        FailureReason::ServiceMisconfigured => (
            "Sign-in is unavailable",
            "Sign-in with Truecaller is not working on our side right now. We have logged the problem; please try again later.",
            false,
        ),
        FailureReason::NumberMismatch => (
            "That approval was for a different number",
            "The Truecaller account that approved the request is not registered to the number you entered, so nobody was signed in.",
            false,
        ),
        FailureReason::ProfileUnavailable => (
            "We couldn't finish signing you in",
            "Your approval reached us, but Truecaller didn't give us your profile in time. Please try again.",
            true,
        ),
    }
}

fn retry_note(retry_in_secs: u32) -> String {
    if retry_in_secs == 0 {
        String::new()
    } else {
        format!(" You can send a new request in {}.", clock(retry_in_secs))
    }
}

/// What a screen reader hears when the status changes.
fn announcement(status: &SignInStatus) -> &'static str {
    match status {
        SignInStatus::Idle => "",
        SignInStatus::Waiting { .. } => "Request sent. Check your phone and tap Continue in Truecaller.",
        SignInStatus::Approved { .. } => "Approved. Signing you in.",
        SignInStatus::SignedIn { .. } => "Signed in.",
        SignInStatus::Rejected => "The request was declined on your phone.",
        SignInStatus::TimedOut { .. } => "The request timed out.",
        SignInStatus::ApprovedTooLate => "The request was approved too late. Nobody was signed in.",
        SignInStatus::Superseded { .. } => "This request was stopped because another browser asked for this number.",
        SignInStatus::NotTruecallerUser => "This number is not registered with Truecaller.",
        SignInStatus::Locked { .. } => "A request for this number is already pending.",
        SignInStatus::Failed { .. } => "Sign-in failed.",
    }
}

/// `m:ss`.
fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

async fn pause(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}
