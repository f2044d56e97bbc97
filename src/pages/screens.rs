//! Every word the sign-in page says about a status, in one table: `screen(&SignInStatus)`.
//!
//! Pure data, no views: `sign_in.rs` turns a `Screen` into markup. Throttle wording lives here
//! too (`throttle_reason`, `throttle_message`); `ApiError`'s message for a throttle is built
//! from it, on the server as well as in the browser.

use std::fmt;

use crate::domain::{FailureReason, SignInStatus, Throttle};

/// The card's heading, above every screen.
pub const PAGE_TITLE: &str = "Sign in with Truecaller";
/// Between the Truecaller form and the DigiLocker control.
pub const DIVIDER: &str = "or";
/// Under the DigiLocker control on the phone form.
pub const DIGILOCKER_HINT: &str = "Use DigiLocker if you don't have Truecaller on this phone.";
/// Above the one-tap control (Android).
pub const ONE_TAP_HINT: &str = "Sign in with the Truecaller account on this phone. There's nothing to type.";
/// Opens (again) Truecaller's sheet while one-tap waits.
pub const OPEN_TRUECALLER: &str = "Open Truecaller";
/// Asks for a longer wait for the answer on the phone.
pub const MORE_TIME: &str = "Need more time?";
/// Under this many seconds left, the waiting page warns.
pub const WARN_AT_SECS: u32 = 20;

/// What the waiting page says about its time limit: a warning near the end (with the way to more
/// time, when there is one), else once more time was given, how much is left now.
pub fn time_note(left: u32, extended: Option<u32>, more_time: bool) -> String {
    match (left, extended) {
        (1..=WARN_AT_SECS, _) if more_time => format!("Less than {WARN_AT_SECS} seconds left. {MORE_TIME}"),
        (1..=WARN_AT_SECS, _) => format!("Less than {WARN_AT_SECS} seconds left."),
        (_, Some(total)) => format!("More time given. The countdown restarted at {}.", clock(total)),
        _ => String::new(),
    }
}
/// The one-tap control while the deep link is being prepared.
pub const ONE_TAP_OPENING: &str = "Opening Truecaller…";
/// Why the phone form appeared after a tap on one-tap: the sheet never took the screen.
pub const APP_MISSING: &str =
    "Truecaller didn't open on this phone. Enter your mobile number instead, or verify with DigiLocker.";

/// What one status looks like on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screen {
    /// CSS class of the screen (beside `state`, and `outcome` when `in_progress` is false).
    pub class: &'static str,
    /// The screen's heading.
    pub title: String,
    /// What happened and what to do, with the retry note where a lock applies.
    pub body: Body,
    /// What a screen reader hears when the page switches to this status.
    pub announcement: &'static str,
    /// The ways forward, in the order they are shown.
    pub offers: &'static [Offer],
    /// Still in progress: a spinner, and without JavaScript the page reloads itself.
    pub in_progress: bool,
    /// A countdown under the body: seconds left as the server said, and what is awaited.
    pub countdown: Option<Countdown>,
}

impl Screen {
    pub fn offers(&self, offer: Offer) -> bool {
        self.offers.contains(&offer)
    }

    /// Offers the way back to the phone form (under whichever label).
    pub fn offers_another_number(&self) -> bool {
        self.offers.iter().any(|o| matches!(o, Offer::AnotherNumber(_)))
    }
}

/// A way forward from a screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// "Try again": a new Truecaller prompt to the number typed.
    Retry,
    /// Back to the phone form (cancels what is pending), with its label on this screen.
    AnotherNumber(&'static str),
    /// "Verify with DigiLocker": a plain form post to `/digilocker/start` (starts over there).
    DigiLocker,
}

/// The usual label of the way back to the phone form.
pub const ANOTHER_NUMBER: Offer = Offer::AnotherNumber("Use another number");
/// The way back to the phone form, from a DigiLocker wait.
pub const USE_TRUECALLER: Offer = Offer::AnotherNumber("Use Truecaller instead");
/// The way to the phone form from one-tap (Android), where nothing was typed.
pub const USE_NUMBER: Offer = Offer::AnotherNumber("Use a phone number instead");

impl Offer {
    pub fn label(self) -> &'static str {
        match self {
            Self::Retry => "Try again",
            Self::AnotherNumber(label) => label,
            Self::DigiLocker => "Verify with DigiLocker",
        }
    }
}

/// A countdown line: `"{label}m:ss"`, ticking down from `seconds_left`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Countdown {
    pub label: &'static str,
    pub seconds_left: u32,
}

/// Body text: plain runs and emphasised ones (a masked number, the name of a button).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body(pub Vec<Run>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    Plain(String),
    Strong(String),
}

impl Body {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|run| match run {
            Run::Plain(text) | Run::Strong(text) => text.is_empty(),
        })
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self(vec![Run::Plain(text)])
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

/// The text as read, without emphasis.
impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for run in &self.0 {
            match run {
                Run::Plain(text) | Run::Strong(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

const RETRY_ANOTHER_DIGILOCKER: &[Offer] = &[Offer::Retry, ANOTHER_NUMBER, Offer::DigiLocker];
const RETRY_ANOTHER: &[Offer] = &[Offer::Retry, ANOTHER_NUMBER];
const ANOTHER_DIGILOCKER: &[Offer] = &[ANOTHER_NUMBER, Offer::DigiLocker];
const ANOTHER: &[Offer] = &[ANOTHER_NUMBER];
const DIGILOCKER_ANOTHER: &[Offer] = &[Offer::DigiLocker, USE_TRUECALLER];

/// The table: what the page shows and offers for `status`.
pub fn screen(status: &SignInStatus) -> Screen {
    let outcome = |class, title: &str, body: Body, announcement, offers| Screen {
        class,
        title: title.to_owned(),
        body,
        announcement,
        offers,
        in_progress: false,
        countdown: None,
    };
    match status {
        SignInStatus::Idle => Screen {
            class: "phone-form",
            title: PAGE_TITLE.to_owned(),
            body: "Include your country code. We'll send a sign-in request to the Truecaller app on that phone.".into(),
            announcement: "Enter your mobile number to sign in.",
            offers: &[Offer::DigiLocker],
            in_progress: false,
            countdown: None,
        },
        SignInStatus::Waiting { phone, seconds_left, .. } => Screen {
            class: "waiting",
            title: "Check your phone".to_owned(),
            body: Body(vec![
                Run::Plain("We sent a sign-in request to the Truecaller app on ".to_owned()),
                Run::Strong(phone.clone()),
                Run::Plain(". Open it and tap ".to_owned()),
                Run::Strong("Continue".to_owned()),
                Run::Plain(".".to_owned()),
            ]),
            announcement: "Request sent. Check your phone and tap Continue in Truecaller.",
            offers: ANOTHER,
            in_progress: true,
            countdown: Some(Countdown { label: "Waiting for your answer · ", seconds_left: *seconds_left }),
        },
        SignInStatus::Approved { provider, .. } => Screen {
            class: "approved",
            title: "Approved".to_owned(),
            body: format!("Getting your details from {} and signing you in…", provider.label()).into(),
            announcement: "Approved. Signing you in.",
            offers: &[],
            in_progress: true,
            countdown: None,
        },
        SignInStatus::SignedIn { name } => Screen {
            class: "signed-in",
            title: format!("Signed in as {name}"),
            body: Body::default(),
            announcement: "Signed in.",
            offers: &[],
            in_progress: false,
            countdown: None,
        },
        SignInStatus::Rejected => outcome(
            "rejected",
            "You declined the request",
            "The request was rejected on your phone, so you were not signed in.".into(),
            "The request was declined on your phone.",
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::TimedOut { retry_in_secs } => outcome(
            "timed-out",
            "No answer in time",
            format!(
                "We didn't hear back from your phone. Check that Truecaller is installed and has notifications on.{}",
                retry_note(*retry_in_secs)
            )
            .into(),
            "The request timed out.",
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::ApprovedTooLate => outcome(
            "approved-late",
            "Approved too late",
            "Your phone approved the request after this page had stopped waiting, so for your safety nobody was \
             signed in. Send a new request to sign in."
                .into(),
            "The request was approved too late. Nobody was signed in.",
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::Superseded { retry_in_secs } => outcome(
            "superseded",
            "This request was stopped",
            format!(
                "Someone asked for a sign-in request to this number from another browser or device, so we stopped \
                 yours: answering the request on the phone now signs nobody in. If that wasn't you, reject any \
                 Truecaller request you didn't start.{}",
                retry_note(*retry_in_secs)
            )
            .into(),
            "This request was stopped because another browser asked for this number.",
            RETRY_ANOTHER,
        ),
        SignInStatus::NotTruecallerUser => outcome(
            "not-user",
            "This number isn't on Truecaller",
            "Truecaller sign-in works only for numbers registered in the Truecaller app. Try the number you use with \
             Truecaller."
                .into(),
            "This number is not registered with Truecaller.",
            ANOTHER_DIGILOCKER,
        ),
        SignInStatus::Locked { phone, retry_in_secs, other_browser: true, stopped_other } => outcome(
            "locked",
            "A request is already pending for this number",
            format!(
                "Someone started signing in with {phone} from another browser or device.{} If your phone shows \
                 a Truecaller request you did not start here, reject it: someone may have typed your number.{}",
                if *stopped_other { " We stopped that request, so approving it signs nobody in." } else { "" },
                retry_note(*retry_in_secs)
            )
            .into(),
            "A request for this number is already pending.",
            ANOTHER,
        ),
        SignInStatus::Locked { retry_in_secs, other_browser: false, .. } => outcome(
            "locked",
            "Please wait a moment",
            format!(
                "A request went to this number a moment ago, and Truecaller asks us not to send another so soon.{}",
                retry_note(*retry_in_secs)
            )
            .into(),
            "A request for this number is already pending.",
            RETRY_ANOTHER,
        ),
        SignInStatus::Failed { reason } => {
            let (title, body, offers) = failure(*reason);
            outcome("failed", title, body.into(), "Sign-in failed.", offers)
        }
        SignInStatus::AtDigiLocker { seconds_left } => Screen {
            class: "at-digilocker",
            title: "Finish in DigiLocker".to_owned(),
            body: "Approve sharing your DigiLocker profile to sign in. If you closed the DigiLocker page, start again."
                .into(),
            announcement: "Waiting for DigiLocker. Approve sharing your profile there to sign in.",
            offers: &[Offer::DigiLocker, USE_TRUECALLER],
            in_progress: true,
            countdown: Some(Countdown { label: "Waiting for DigiLocker · ", seconds_left: *seconds_left }),
        },
        SignInStatus::DigiLockerDenied => outcome(
            "digilocker-denied",
            "You didn't share your DigiLocker profile",
            "DigiLocker told us consent was not given, so you were not signed in.".into(),
            "DigiLocker consent was not given. Nobody was signed in.",
            DIGILOCKER_ANOTHER,
        ),
        SignInStatus::DigiLockerExpired => outcome(
            "digilocker-expired",
            "The DigiLocker request expired",
            "It wasn't completed in time. Start again to sign in with DigiLocker.".into(),
            "The DigiLocker request expired.",
            DIGILOCKER_ANOTHER,
        ),
        SignInStatus::AtTruecaller { seconds_left, .. } => Screen {
            class: "at-truecaller",
            title: "Continue in Truecaller".to_owned(),
            body: Body(vec![
                Run::Plain("Tap ".to_owned()),
                Run::Strong("Continue".to_owned()),
                Run::Plain(" on the Truecaller sheet to sign in with the number on this phone. If it didn't open, tap ".to_owned()),
                Run::Strong(OPEN_TRUECALLER.to_owned()),
                Run::Plain(".".to_owned()),
            ]),
            announcement: "Truecaller is open. Tap Continue there to sign in.",
            offers: &[USE_NUMBER, Offer::DigiLocker],
            in_progress: true,
            countdown: Some(Countdown { label: "Waiting for Truecaller · ", seconds_left: *seconds_left }),
        },
        // The person asked for another way on Truecaller's sheet: the phone form is the answer.
        SignInStatus::ChoseAnotherWay => Screen {
            class: "phone-form",
            title: PAGE_TITLE.to_owned(),
            body: "Enter your mobile number, or verify with DigiLocker.".into(),
            announcement: "You chose another way. Enter your mobile number, or verify with DigiLocker.",
            offers: &[Offer::DigiLocker],
            in_progress: false,
            countdown: None,
        },
    }
}

/// Title, body and offers of a failure.
fn failure(reason: FailureReason) -> (&'static str, &'static str, &'static [Offer]) {
    match reason {
        FailureReason::ProviderUnavailable => (
            "Truecaller isn't responding",
            "We couldn't reach Truecaller just now. Please try again in a moment.",
            RETRY_ANOTHER_DIGILOCKER,
        ),
        FailureReason::ServiceMisconfigured => (
            "Sign-in is unavailable",
            "This way of signing in is not working on our side right now. We have logged the problem; please try \
             again later.",
            ANOTHER_DIGILOCKER,
        ),
        // A security signal (someone else's account approved): no detour offered.
        FailureReason::NumberMismatch => (
            "That approval was for a different number",
            "The Truecaller account that approved the request is not registered to the number you entered, so \
             nobody was signed in.",
            ANOTHER,
        ),
        FailureReason::ProfileUnavailable => (
            "We couldn't finish signing you in",
            "Your approval reached us, but Truecaller didn't give us your profile in time. Please try again.",
            RETRY_ANOTHER_DIGILOCKER,
        ),
        FailureReason::DigiLockerMisconfigured => (
            "DigiLocker sign-in is unavailable",
            "DigiLocker sign-in is not working on our side right now. We have logged the problem; please sign in \
             with Truecaller or try again later.",
            &[USE_TRUECALLER],
        ),
        FailureReason::DigiLockerUnavailable => (
            "DigiLocker isn't responding",
            "We couldn't reach DigiLocker just now. Please try again in a moment, or sign in with Truecaller.",
            DIGILOCKER_ANOTHER,
        ),
    }
}

/// `" You can send a new request in m:ss."` while the number is locked, else nothing.
pub fn retry_note(retry_in_secs: u32) -> String {
    if retry_in_secs == 0 {
        String::new()
    } else {
        format!(" You can send a new request in {}.", clock(retry_in_secs))
    }
}

/// Why a request for a prompt was refused for now.
pub fn throttle_reason(cause: Throttle) -> &'static str {
    match cause {
        Throttle::TooManyAttempts => "Too many sign-in attempts.",
        Throttle::RecentlyDeclined => {
            "Sign-in requests to this number were declined twice recently, so we won't send it another for a while."
        }
    }
}

/// The phone form's notice, up to its ticking `m:ss` (the page adds the time and a full stop).
pub fn throttle_countdown(cause: Throttle) -> String {
    format!("{} You can try again in ", throttle_reason(cause))
}

/// The whole refusal as one sentence, in whole minutes (`ApiError`'s message; pages without
/// JavaScript show it as sent).
pub fn throttle_message(cause: Throttle, retry_in_secs: u32) -> String {
    let wait = if retry_in_secs <= 60 { "a minute".to_owned() } else { format!("{} minutes", retry_in_secs.div_ceil(60)) };
    format!("{} Please try again in {wait}.", throttle_reason(cause))
}

/// `m:ss`.
pub fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Provider;

    const REASONS: [FailureReason; 6] = [
        FailureReason::ProviderUnavailable,
        FailureReason::ServiceMisconfigured,
        FailureReason::NumberMismatch,
        FailureReason::ProfileUnavailable,
        FailureReason::DigiLockerUnavailable,
        FailureReason::DigiLockerMisconfigured,
    ];

    /// One value of every variant (a compile error here means a new variant needs a row).
    fn every_status() -> Vec<SignInStatus> {
        let phone = || "+91 •••••••• 99".to_owned();
        let mut all: Vec<SignInStatus> = [
            SignInStatus::Idle,
            SignInStatus::Waiting { phone: phone(), seconds_left: 42, more_time: true },
            SignInStatus::Approved { phone: phone(), provider: Provider::Truecaller },
            SignInStatus::SignedIn { name: "Rajat Kapoor".into() },
            SignInStatus::Rejected,
            SignInStatus::TimedOut { retry_in_secs: 240 },
            SignInStatus::ApprovedTooLate,
            SignInStatus::Superseded { retry_in_secs: 240 },
            SignInStatus::NotTruecallerUser,
            SignInStatus::Locked { phone: phone(), retry_in_secs: 240, other_browser: true, stopped_other: true },
            SignInStatus::Locked { phone: phone(), retry_in_secs: 240, other_browser: true, stopped_other: false },
            SignInStatus::Locked { phone: phone(), retry_in_secs: 240, other_browser: false, stopped_other: false },
            SignInStatus::AtDigiLocker { seconds_left: 500 },
            SignInStatus::DigiLockerDenied,
            SignInStatus::DigiLockerExpired,
            SignInStatus::AtTruecaller { seconds_left: 60, open: String::new() },
            SignInStatus::ChoseAnotherWay,
        ]
        .into();
        all.extend(REASONS.map(|reason| SignInStatus::Failed { reason }));
        // Exhaustive on purpose: adding a variant fails to compile until it is listed above.
        for status in &all {
            match status {
                SignInStatus::Idle
                | SignInStatus::Waiting { .. }
                | SignInStatus::Approved { .. }
                | SignInStatus::SignedIn { .. }
                | SignInStatus::Rejected
                | SignInStatus::TimedOut { .. }
                | SignInStatus::ApprovedTooLate
                | SignInStatus::Superseded { .. }
                | SignInStatus::NotTruecallerUser
                | SignInStatus::Locked { .. }
                | SignInStatus::Failed { .. }
                | SignInStatus::AtDigiLocker { .. }
                | SignInStatus::DigiLockerDenied
                | SignInStatus::DigiLockerExpired
                | SignInStatus::AtTruecaller { .. }
                | SignInStatus::ChoseAnotherWay => {}
            }
        }
        all
    }

    #[test]
    fn every_status_has_a_title_an_announcement_and_a_class() {
        for status in every_status() {
            let screen = screen(&status);
            assert!(!screen.title.trim().is_empty(), "{status:?}");
            assert!(!screen.announcement.trim().is_empty(), "{status:?}");
            assert!(!screen.class.is_empty(), "{status:?}");
        }
    }

    #[test]
    fn every_outcome_explains_itself_and_leads_back_to_the_form() {
        for status in every_status() {
            // The forms themselves, and the moments before signing in.
            let forms = matches!(status, SignInStatus::Idle | SignInStatus::ChoseAnotherWay);
            if forms || matches!(status, SignInStatus::Approved { .. } | SignInStatus::SignedIn { .. }) {
                continue;
            }
            let screen = screen(&status);
            assert!(!screen.body.is_empty(), "{status:?}");
            assert!(screen.offers_another_number(), "{status:?}");
        }
    }

    #[test]
    fn classes_stay_as_the_stylesheet_and_tests_know_them() {
        let class = |status: SignInStatus| screen(&status).class;
        assert_eq!(class(SignInStatus::Rejected), "rejected");
        assert_eq!(class(SignInStatus::TimedOut { retry_in_secs: 0 }), "timed-out");
        assert_eq!(class(SignInStatus::ApprovedTooLate), "approved-late");
        assert_eq!(class(SignInStatus::Superseded { retry_in_secs: 0 }), "superseded");
        assert_eq!(class(SignInStatus::NotTruecallerUser), "not-user");
        assert_eq!(
            class(SignInStatus::Locked { phone: String::new(), retry_in_secs: 0, other_browser: false, stopped_other: false }),
            "locked"
        );
        for reason in REASONS {
            assert_eq!(class(SignInStatus::Failed { reason }), "failed");
        }
        assert_eq!(class(SignInStatus::Waiting { phone: String::new(), seconds_left: 1, more_time: false }), "waiting");
        assert_eq!(class(SignInStatus::Approved { phone: String::new(), provider: Provider::DigiLocker }), "approved");
        assert_eq!(class(SignInStatus::AtDigiLocker { seconds_left: 1 }), "at-digilocker");
        assert_eq!(class(SignInStatus::DigiLockerDenied), "digilocker-denied");
        assert_eq!(class(SignInStatus::DigiLockerExpired), "digilocker-expired");
        assert_eq!(class(SignInStatus::AtTruecaller { seconds_left: 1, open: String::new() }), "at-truecaller");
        assert_eq!(class(SignInStatus::ChoseAnotherWay), "phone-form");
    }

    #[test]
    fn digilocker_is_offered_where_truecaller_cannot_finish() {
        let offered: Vec<SignInStatus> =
            every_status().into_iter().filter(|s| screen(s).offers(Offer::DigiLocker)).collect();
        assert_eq!(
            offered,
            [
                SignInStatus::Idle,
                SignInStatus::Rejected,
                SignInStatus::TimedOut { retry_in_secs: 240 },
                SignInStatus::ApprovedTooLate,
                SignInStatus::NotTruecallerUser,
                SignInStatus::AtDigiLocker { seconds_left: 500 },
                SignInStatus::DigiLockerDenied,
                SignInStatus::DigiLockerExpired,
                SignInStatus::AtTruecaller { seconds_left: 60, open: String::new() },
                SignInStatus::ChoseAnotherWay,
                SignInStatus::Failed { reason: FailureReason::ProviderUnavailable },
                SignInStatus::Failed { reason: FailureReason::ServiceMisconfigured },
                SignInStatus::Failed { reason: FailureReason::ProfileUnavailable },
                SignInStatus::Failed { reason: FailureReason::DigiLockerUnavailable },
            ]
        );
        // Not where it would hide a security signal or a wait that is about to end.
        for status in [
            SignInStatus::Superseded { retry_in_secs: 240 },
            SignInStatus::Locked { phone: String::new(), retry_in_secs: 240, other_browser: true, stopped_other: true },
            SignInStatus::Locked { phone: String::new(), retry_in_secs: 240, other_browser: false, stopped_other: false },
            SignInStatus::Failed { reason: FailureReason::NumberMismatch },
        ] {
            let screen = screen(&status);
            assert!(!screen.offers(Offer::DigiLocker), "{status:?}");
            assert!(screen.offers_another_number(), "{status:?}");
        }
    }

    #[test]
    fn digilocker_screens_lead_with_digilocker_and_never_resend_a_prompt() {
        for status in [
            SignInStatus::AtDigiLocker { seconds_left: 500 },
            SignInStatus::DigiLockerDenied,
            SignInStatus::DigiLockerExpired,
            SignInStatus::Failed { reason: FailureReason::DigiLockerUnavailable },
        ] {
            let screen = screen(&status);
            assert_eq!(screen.offers.first(), Some(&Offer::DigiLocker), "{status:?}");
            assert!(!screen.offers(Offer::Retry), "{status:?}");
        }
        let waiting = screen(&SignInStatus::AtDigiLocker { seconds_left: 500 });
        assert!(waiting.in_progress);
        assert_eq!(waiting.countdown.map(|c| c.seconds_left), Some(500));
        assert_eq!(waiting.offers, [Offer::DigiLocker, USE_TRUECALLER]);
        assert_eq!(USE_TRUECALLER.label(), "Use Truecaller instead");
        assert_eq!(Offer::DigiLocker.label(), "Verify with DigiLocker");
    }

    #[test]
    fn retry_notes_appear_only_while_the_number_is_locked() {
        let note = " You can send a new request in 4:00.";
        for status in [
            SignInStatus::TimedOut { retry_in_secs: 240 },
            SignInStatus::Superseded { retry_in_secs: 240 },
            SignInStatus::Locked { phone: "+91 •••••••• 99".into(), retry_in_secs: 240, other_browser: true, stopped_other: true },
            SignInStatus::Locked { phone: "+91 •••••••• 99".into(), retry_in_secs: 240, other_browser: false, stopped_other: false },
        ] {
            assert!(screen(&status).body.to_string().ends_with(note), "{status:?}");
        }
        for status in [SignInStatus::TimedOut { retry_in_secs: 0 }, SignInStatus::Superseded { retry_in_secs: 0 }] {
            assert!(!screen(&status).body.to_string().contains("You can send a new request"), "{status:?}");
        }
        for status in every_status() {
            if !matches!(
                status,
                SignInStatus::TimedOut { .. } | SignInStatus::Superseded { .. } | SignInStatus::Locked { .. }
            ) {
                assert!(!screen(&status).body.to_string().contains("You can send a new request"), "{status:?}");
            }
        }
        assert_eq!(retry_note(0), "");
        assert_eq!(retry_note(61), " You can send a new request in 1:01.");
    }

    #[test]
    fn locked_by_another_browser_says_whether_that_request_was_stopped() {
        let body = |stopped_other| {
            screen(&SignInStatus::Locked { phone: "+91 •••••••• 99".into(), retry_in_secs: 0, other_browser: true, stopped_other })
                .body
                .to_string()
        };
        assert!(body(true).starts_with("Someone started signing in with +91 •••••••• 99 from another browser"));
        assert!(body(true).contains("We stopped that request"));
        assert!(!body(false).contains("We stopped that request"));
    }

    #[test]
    fn waiting_names_the_masked_number_in_bold() {
        let waiting = screen(&SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true });
        assert!(waiting.body.0.contains(&Run::Strong("+91 •••••••• 99".into())));
        assert_eq!(
            waiting.body.to_string(),
            "We sent a sign-in request to the Truecaller app on +91 •••••••• 99. Open it and tap Continue."
        );
        assert_eq!(waiting.countdown, Some(Countdown { label: "Waiting for your answer · ", seconds_left: 60 }));
    }

    #[test]
    fn throttle_wording_is_the_same_everywhere() {
        let declined = "Sign-in requests to this number were declined twice recently, so we won't send it another for a while.";
        assert_eq!(throttle_reason(Throttle::RecentlyDeclined), declined);
        assert_eq!(throttle_countdown(Throttle::TooManyAttempts), "Too many sign-in attempts. You can try again in ");
        assert_eq!(
            throttle_message(Throttle::TooManyAttempts, 30),
            "Too many sign-in attempts. Please try again in a minute."
        );
        assert_eq!(throttle_message(Throttle::RecentlyDeclined, 61), format!("{declined} Please try again in 2 minutes."));
        let error = crate::error::ApiError::Throttled { cause: Throttle::TooManyAttempts, retry_in_secs: 600 };
        assert_eq!(error.to_string(), "Too many sign-in attempts. Please try again in 10 minutes.");
    }

    #[test]
    fn the_time_note_warns_near_the_end_and_says_when_more_time_was_given() {
        assert_eq!(time_note(45, None, true), "");
        assert_eq!(time_note(20, None, true), "Less than 20 seconds left. Need more time?");
        assert_eq!(time_note(5, Some(120), false), "Less than 20 seconds left.");
        assert_eq!(time_note(118, Some(120), true), "More time given. The countdown restarted at 2:00.");
        assert_eq!(time_note(0, None, true), "");
    }
}
