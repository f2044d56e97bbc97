//! What the sign-in page does, apart from how it looks: the signals one sign-in page holds and
//! every move a person (or the server) makes on them. `PageState` is `Copy`, so each view and event
//! handler takes it whole instead of a dozen signals.

use futures::channel::oneshot;
use leptos::{
    ev::{MouseEvent, SubmitEvent},
    html,
    prelude::*,
    task::spawn_local,
};

use super::browser::{open_truecaller, page_has_focus, pause};
use crate::{
    api::{cancel, get_status, initiate, more_time, start_one_tap},
    countries::{CountryChoice, Region},
    domain::{check_phone_shape, SignInStatus, Throttle},
    error::ApiError,
    i18n::Locale,
    page_data::FormFeedback,
    wording::{self, clock},
};

/// How long after opening the deep link the page checks whether it still has focus (the value
/// in every copy of Truecaller's snippet, and in production integrations).
const FOCUS_CHECK_MS: u32 = 600;
/// How long each status request may be held by the server.
const LONG_POLL_MS: u32 = 20_000;
/// Pause before asking again after a failed status request.
const RETRY_MS: u32 = 2_000;

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

/// One sign-in page's state.
#[derive(Clone, Copy)]
pub(super) struct PageState {
    pub locale: Locale,
    /// Whether this deployment offers DigiLocker.
    pub digilocker: bool,
    /// Android one-tap leads (the server decided from the browser).
    pub one_tap: bool,
    /// The country picker's list, and the country chosen in it.
    pub choice: StoredValue<CountryChoice>,
    pub selected: RwSignal<Region>,
    /// A typed "+" number chose the country (said to screen readers).
    pub heard: RwSignal<bool>,
    /// The country picker has become its searchable self (after hydration).
    pub picker_enhanced: RwSignal<bool>,
    pub status: RwSignal<SignInStatus>,
    pub phone: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    pub sending: RwSignal<bool>,
    /// Seconds since the last status arrived; the countdown subtracts it from the server's figure.
    pub elapsed: RwSignal<u32>,
    /// "Need more time?" was answered: the wait now left (announced once).
    pub extended: RwSignal<Option<u32>>,
    watching: StoredValue<bool>,
    cancelling: StoredValue<Cancels>,
    /// Bumped whenever the person starts over; a status answer asked for before that is stale.
    attempt: StoredValue<u32>,
    pub input: NodeRef<html::Input>,
    /// A limit refused the last request: why, how long to wait, and seconds waited since.
    pub throttle: RwSignal<Option<(Throttle, u32)>>,
    throttle_elapsed: RwSignal<u32>,
    /// One-tap: the phone form was asked for (or Truecaller didn't open); the deep link is being
    /// prepared; Truecaller didn't take the screen.
    pub use_form: RwSignal<bool>,
    pub opening: RwSignal<bool>,
    pub app_missing: RwSignal<bool>,
}

impl PageState {
    /// `feedback`: what a form post without JavaScript sent, and why it was refused.
    pub fn new(
        start: SignInStatus,
        feedback: Option<FormFeedback>,
        locale: Locale,
        digilocker: bool,
        one_tap: bool,
        use_form: bool,
        country: CountryChoice,
    ) -> Self {
        let page = Self {
            locale,
            digilocker,
            one_tap,
            selected: RwSignal::new(country.chosen),
            choice: StoredValue::new(country),
            heard: RwSignal::new(false),
            picker_enhanced: RwSignal::new(false),
            status: RwSignal::new(start),
            phone: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            sending: RwSignal::new(false),
            elapsed: RwSignal::new(0),
            extended: RwSignal::new(None),
            watching: StoredValue::new(false),
            cancelling: StoredValue::new(Cancels::default()),
            attempt: StoredValue::new(0),
            input: NodeRef::new(),
            throttle: RwSignal::new(None),
            throttle_elapsed: RwSignal::new(0),
            use_form: RwSignal::new(use_form),
            opening: RwSignal::new(false),
            app_missing: RwSignal::new(false),
        };
        if let Some(FormFeedback { phone, error, .. }) = feedback {
            page.phone.set(phone);
            page.error.set(Some(page.worded(&error)));
        }
        page
    }

    /// A reason, naming countries as the picker does, in the page's language.
    pub fn worded(self, e: &ApiError) -> String {
        e.message_naming(self.locale, &|region| self.choice.with_value(|c| c.name(region)))
    }

    /// Seconds left before a limit lets the person try again, while one holds.
    pub fn throttle_left(self) -> Option<u32> {
        self.throttle.get().map(|(_, secs)| secs.saturating_sub(self.throttle_elapsed.get())).filter(|s| *s > 0)
    }

    /// A countdown from the server's `total`, less the seconds since it arrived.
    pub fn left(self, total: u32) -> String {
        clock(total.saturating_sub(self.elapsed.get()))
    }

    fn focus_number(self) {
        request_animation_frame(move || {
            if let Some(input) = self.input.get_untracked() {
                let _ = input.focus();
            }
        })
    }

    fn start_over(self) -> u32 {
        self.attempt.update_value(|a| *a += 1);
        self.attempt.get_value()
    }

    fn still(self, asked_in: u32) -> bool {
        self.attempt.get_value() == asked_in
    }

    /// The server's answer: the next status, a limit's refusal, or an error beside the form.
    fn show(self, result: Result<SignInStatus, ApiError>) {
        match result {
            Ok(next) => {
                self.error.set(None);
                self.throttle.set(None);
                self.elapsed.set(0);
                self.status.set(next);
            }
            Err(ApiError::Throttled { cause, retry_in_secs }) => {
                self.throttle_elapsed.set(0);
                self.throttle.set(Some((cause, retry_in_secs)));
                // The form is where the message and the countdown are shown.
                self.status.set(SignInStatus::Idle);
            }
            Err(e) => self.error.set(Some(self.worded(&e))),
        }
    }

    fn send(self, number: String) {
        self.start_over();
        self.extended.set(None);
        self.sending.set(true);
        self.error.set(None);
        spawn_local(async move {
            self.after_cancels().await;
            let result = initiate(number, Some(self.selected.get_untracked().to_string())).await;
            self.sending.set(false);
            self.show(result);
        });
    }

    /// The phone form's submit: a number of a possible shape is sent, anything else is explained.
    pub fn submit(self, ev: SubmitEvent) {
        ev.prevent_default();
        let number = self.phone.get_untracked();
        match check_phone_shape(&number) {
            Ok(()) => self.send(number),
            Err(problem) => {
                let name_of = |region| self.choice.with_value(|c| c.name(region));
                self.error.set(Some(wording::phone_problem(problem, self.locale, &name_of)));
                if let Some(input) = self.input.get_untracked() {
                    let _ = input.focus();
                }
            }
        }
    }

    /// Typing in the number: "+44…" typed or pasted makes the country follow the number.
    pub fn typed(self, typed: String) {
        let from = self.choice.with_value(|c| c.from_number(&typed, self.selected.get_untracked()));
        if let Some(region) = from.filter(|r| *r != self.selected.get_untracked()) {
            self.selected.set(region);
            self.heard.set(true);
        }
        self.phone.set(typed);
        self.error.set(None);
    }

    /// Back to the start, on the phone form unless `to_form` is false (then one-tap leads again
    /// where it leads).
    pub fn another_number(self, ev: SubmitEvent, to_form: bool) {
        ev.prevent_default();
        self.start_over();
        spawn_local(self.cancel_counted());
        self.phone.set(String::new());
        self.error.set(None);
        self.app_missing.set(false);
        self.use_form.set(to_form || !self.one_tap);
        self.status.set(SignInStatus::Idle);
    }

    /// "Use your mobile number" under one-tap.
    pub fn show_form(self, ev: MouseEvent) {
        ev.prevent_default();
        // A one-tap still being prepared is given up: its link must not open over the form.
        self.start_over();
        self.use_form.set(true);
        self.focus_number();
    }

    /// Tap on "Continue with Truecaller" (Android): mint the attempt, hand the deep link over,
    /// then read the focus: kept means no sheet came up (no app, or an app without a profile).
    pub fn open_sheet(self) {
        if self.opening.get_untracked() || self.throttle_left().is_some() {
            return;
        }
        let asked_in = self.start_over();
        self.opening.set(true);
        self.error.set(None);
        spawn_local(async move {
            self.after_cancels().await;
            let link = match start_one_tap().await {
                Ok(link) => link,
                Err(e) => {
                    self.opening.set(false);
                    self.show(Err(e));
                    return;
                }
            };
            // The person moved on (the phone form) while the link was being made.
            if !self.still(asked_in) {
                self.opening.set(false);
                self.cancel_counted().await;
                return;
            }
            open_truecaller(&link);
            pause(FOCUS_CHECK_MS).await;
            self.opening.set(false);
            if !self.still(asked_in) {
                return;
            }
            if page_has_focus() {
                // The form first; giving up the minted attempt can happen behind it.
                self.app_missing.set(true);
                self.use_form.set(true);
                self.status.set(SignInStatus::Idle);
                self.focus_number();
                self.cancel_counted().await;
            } else {
                // The sheet is up: wait for Truecaller like any other pending sign-in.
                let next = get_status(None).await;
                if self.still(asked_in) {
                    self.show(next);
                }
            }
        });
    }

    /// "Need more time?": the server moves the deadline (within the number's lock) and answers
    /// the new status; the countdown starts from it.
    pub fn ask_more_time(self, ev: SubmitEvent) {
        ev.prevent_default();
        let asked_in = self.attempt.get_value();
        spawn_local(async move {
            let result = more_time().await;
            if !self.still(asked_in) {
                return;
            }
            if let Ok(SignInStatus::Waiting { seconds_left, .. }) = &result {
                self.extended.set(Some(*seconds_left));
            }
            self.show(result);
        });
    }

    pub fn try_again(self, ev: SubmitEvent) {
        ev.prevent_default();
        let number = self.phone.get_untracked();
        if number.trim().is_empty() {
            self.status.set(SignInStatus::Idle);
        } else {
            self.send(number);
        }
    }

    /// One long-poll at a time while the server may still change the status (run from an
    /// effect: it tracks the status).
    pub fn watch(self) {
        if !self.status.with(SignInStatus::is_pending) || self.watching.get_value() {
            return;
        }
        self.watching.set_value(true);
        spawn_local(async move {
            loop {
                let asked_in = self.attempt.get_value();
                match get_status(Some(LONG_POLL_MS)).await {
                    Ok(next) if self.still(asked_in) => {
                        self.elapsed.set(0);
                        self.status.set(next);
                    }
                    // About an attempt the person has moved on from: ask again for the new one.
                    Ok(_) => {}
                    // Server restarting or network blip: fall back to asking again shortly.
                    Err(_) => pause(RETRY_MS).await,
                }
                if !self.status.with_untracked(SignInStatus::is_pending) {
                    break;
                }
            }
            self.watching.set_value(false);
        });
    }

    /// A second went by: the countdowns move.
    pub fn tick(self) {
        self.elapsed.update(|s| *s += 1);
        if self.throttle.with_untracked(Option::is_some) {
            self.throttle_elapsed.update(|s| *s += 1);
        }
    }

    /// Sends a cancel and waits for its answer, counted as out meanwhile.
    async fn cancel_counted(self) {
        self.cancelling.update_value(|c| c.out += 1);
        let _ = cancel().await;
        self.cancelling.update_value(|c| {
            c.out -= 1;
            if c.out == 0 {
                for waiter in c.waiting.drain(..) {
                    let _ = waiter.send(());
                }
            }
        });
    }

    /// Once no cancel is out.
    async fn after_cancels(self) {
        let answered = self
            .cancelling
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
}
