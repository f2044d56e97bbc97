//! Every word the sign-in page says about a status, in one table: `screen(&SignInStatus, Locale)`.
//!
//! Pure data, no views: `sign_in/views.rs` turns a `Screen` into markup. The words come from
//! `locales/*.json` in the page's language; how a throttle or a refused number is said lives in
//! `wording`, shared with `ApiError`.

use crate::{
    domain::{FailureReason, SignInStatus},
    i18n::Locale,
    words::{say, strong, Body},
    wording::clock,
};

/// Under this many seconds left, the waiting page warns.
pub const WARN_AT_SECS: u32 = 20;

/// What the waiting page says about its time limit: a warning near the end (with the way to more
/// time, when there is one), else once more time was given, how much is left now.
pub fn time_note(locale: Locale, left: u32, extended: Option<u32>, more_time: bool) -> String {
    match (left, extended) {
        (1..=WARN_AT_SECS, _) => {
            let warning = say!(locale, time_warning, seconds = WARN_AT_SECS).to_string();
            if more_time { format!("{warning} {}", say!(locale, more_time)) } else { warning }
        }
        (_, Some(total)) => say!(locale, time_restarted, clock = clock(total)).to_string(),
        _ => String::new(),
    }
}

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
    pub announcement: String,
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
}

/// A way forward from a screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// "Try again": a new Truecaller prompt to the number typed.
    Retry,
    /// Back to the start (cancels what is pending), under the label that fits this screen.
    Back(Back),
    /// "Verify with DigiLocker": a plain form post to `/digilocker/start` (starts over there).
    DigiLocker,
}

/// How the way back is labelled: where it leads differs by what the person was doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    /// "Use another number": the phone form.
    AnotherNumber,
    /// "Use Truecaller instead", from a DigiLocker wait: where Truecaller starts (one-tap on Android).
    UseTruecaller,
    /// "Use a phone number instead", from one-tap (Android), where nothing was typed.
    UseNumber,
}

/// The usual way back to the phone form.
pub const ANOTHER_NUMBER: Offer = Offer::Back(Back::AnotherNumber);
/// The way back from a DigiLocker wait.
pub const USE_TRUECALLER: Offer = Offer::Back(Back::UseTruecaller);
/// The way to the phone form from one-tap (Android).
pub const USE_NUMBER: Offer = Offer::Back(Back::UseNumber);

impl Offer {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Self::Retry => say!(locale, offer_try_again),
            Self::Back(Back::AnotherNumber) => say!(locale, offer_another_number),
            Self::Back(Back::UseTruecaller) => say!(locale, offer_use_truecaller),
            Self::Back(Back::UseNumber) => say!(locale, offer_use_number),
            Self::DigiLocker => say!(locale, offer_digilocker),
        }
    }
}

/// A countdown line: `"{label}m:ss"`, ticking down from `seconds_left`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Countdown {
    pub label: &'static str,
    pub seconds_left: u32,
}

/// Sentences one after the other, the empty ones left out.
fn sentences<const N: usize>(parts: [String; N]) -> Body {
    Body::from(parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" "))
}

const RETRY_ANOTHER_DIGILOCKER: &[Offer] = &[Offer::Retry, ANOTHER_NUMBER, Offer::DigiLocker];
const RETRY_ANOTHER: &[Offer] = &[Offer::Retry, ANOTHER_NUMBER];
const ANOTHER_DIGILOCKER: &[Offer] = &[ANOTHER_NUMBER, Offer::DigiLocker];
const ANOTHER: &[Offer] = &[ANOTHER_NUMBER];
const DIGILOCKER_ANOTHER: &[Offer] = &[Offer::DigiLocker, USE_TRUECALLER];

/// The table: what the page shows and offers for `status`, in `locale`.
pub fn screen(status: &SignInStatus, locale: Locale) -> Screen {
    let l = locale;
    let outcome = |class, title: &str, body: Body, announcement: &str, offers| Screen {
        class,
        title: title.to_owned(),
        body,
        announcement: announcement.to_owned(),
        offers,
        in_progress: false,
        countdown: None,
    };
    match status {
        SignInStatus::Idle => Screen {
            class: "phone-form",
            title: say!(l, page_title).to_owned(),
            body: say!(l, idle_body).into(),
            announcement: say!(l, idle_announce).to_owned(),
            offers: &[Offer::DigiLocker],
            in_progress: false,
            countdown: None,
        },
        SignInStatus::Waiting { phone, seconds_left, .. } => Screen {
            class: "waiting",
            title: say!(l, waiting_title).to_owned(),
            body: Body::marked(&say!(l, waiting_body, phone = phone, <b> = strong)),
            announcement: say!(l, waiting_announce).to_owned(),
            offers: ANOTHER,
            in_progress: true,
            countdown: Some(Countdown { label: say!(l, waiting_countdown), seconds_left: *seconds_left }),
        },
        SignInStatus::Approved { provider, .. } => Screen {
            class: "approved",
            title: say!(l, approved_title).to_owned(),
            body: say!(l, approved_body, provider = provider.label()).to_string().into(),
            announcement: say!(l, approved_announce).to_owned(),
            offers: &[],
            in_progress: true,
            countdown: None,
        },
        SignInStatus::SignedIn(account) => Screen {
            class: "signed-in",
            title: say!(l, signed_in_title, name = account.name.as_str()).to_string(),
            body: Body::default(),
            announcement: say!(l, signed_in_announce).to_owned(),
            offers: &[],
            in_progress: false,
            countdown: None,
        },
        SignInStatus::Rejected => outcome(
            "rejected",
            say!(l, rejected_title),
            say!(l, rejected_body).into(),
            say!(l, rejected_announce),
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::TimedOut { retry_in_secs } => outcome(
            "timed-out",
            say!(l, timed_out_title),
            sentences([say!(l, timed_out_body).to_owned(), retry_note(l, *retry_in_secs)]),
            say!(l, timed_out_announce),
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::ApprovedTooLate => outcome(
            "approved-late",
            say!(l, approved_late_title),
            say!(l, approved_late_body).into(),
            say!(l, approved_late_announce),
            RETRY_ANOTHER_DIGILOCKER,
        ),
        SignInStatus::Superseded { retry_in_secs } => outcome(
            "superseded",
            say!(l, superseded_title),
            sentences([say!(l, superseded_body).to_owned(), retry_note(l, *retry_in_secs)]),
            say!(l, superseded_announce),
            RETRY_ANOTHER,
        ),
        SignInStatus::NotTruecallerUser => outcome(
            "not-user",
            say!(l, not_user_title),
            say!(l, not_user_body).into(),
            say!(l, not_user_announce),
            ANOTHER_DIGILOCKER,
        ),
        SignInStatus::Locked { phone, retry_in_secs, other_browser: true, stopped_other } => outcome(
            "locked",
            say!(l, locked_other_title),
            sentences([
                say!(l, locked_other_started, phone = phone).to_string(),
                if *stopped_other { say!(l, locked_other_stopped).to_owned() } else { String::new() },
                say!(l, locked_other_reject).to_owned(),
                retry_note(l, *retry_in_secs),
            ]),
            say!(l, locked_announce),
            ANOTHER,
        ),
        SignInStatus::Locked { retry_in_secs, other_browser: false, .. } => outcome(
            "locked",
            say!(l, locked_self_title),
            sentences([say!(l, locked_self_body).to_owned(), retry_note(l, *retry_in_secs)]),
            say!(l, locked_announce),
            RETRY_ANOTHER,
        ),
        SignInStatus::Failed { reason } => {
            let (title, body, offers) = failure(*reason, l);
            outcome("failed", title, body.into(), say!(l, failed_announce), offers)
        }
        SignInStatus::AtDigiLocker { seconds_left } => Screen {
            class: "at-digilocker",
            title: say!(l, at_digilocker_title).to_owned(),
            body: say!(l, at_digilocker_body).into(),
            announcement: say!(l, at_digilocker_announce).to_owned(),
            offers: &[Offer::DigiLocker, USE_TRUECALLER],
            in_progress: true,
            countdown: Some(Countdown { label: say!(l, at_digilocker_countdown), seconds_left: *seconds_left }),
        },
        SignInStatus::DigiLockerDenied => outcome(
            "digilocker-denied",
            say!(l, digilocker_denied_title),
            say!(l, digilocker_denied_body).into(),
            say!(l, digilocker_denied_announce),
            DIGILOCKER_ANOTHER,
        ),
        SignInStatus::DigiLockerExpired => outcome(
            "digilocker-expired",
            say!(l, digilocker_expired_title),
            say!(l, digilocker_expired_body).into(),
            say!(l, digilocker_expired_announce),
            DIGILOCKER_ANOTHER,
        ),
        SignInStatus::AtTruecaller { seconds_left, .. } => Screen {
            class: "at-truecaller",
            title: say!(l, at_truecaller_title).to_owned(),
            body: Body::marked(&say!(l, at_truecaller_body, <b> = strong)),
            announcement: say!(l, at_truecaller_announce).to_owned(),
            offers: &[USE_NUMBER, Offer::DigiLocker],
            in_progress: true,
            countdown: Some(Countdown { label: say!(l, at_truecaller_countdown), seconds_left: *seconds_left }),
        },
        // The person asked for another way on Truecaller's sheet: the phone form is the answer.
        SignInStatus::ChoseAnotherWay => Screen {
            class: "phone-form",
            title: say!(l, page_title).to_owned(),
            body: say!(l, chose_another_body).into(),
            announcement: say!(l, chose_another_announce).to_owned(),
            offers: &[Offer::DigiLocker],
            in_progress: false,
            countdown: None,
        },
    }
}

/// Title, body and offers of a failure.
fn failure(reason: FailureReason, l: Locale) -> (&'static str, &'static str, &'static [Offer]) {
    match reason {
        FailureReason::ProviderUnavailable => (
            say!(l, provider_unavailable_title),
            say!(l, provider_unavailable_body),
            RETRY_ANOTHER_DIGILOCKER,
        ),
        FailureReason::ServiceMisconfigured => {
            (say!(l, misconfigured_title), say!(l, misconfigured_body), ANOTHER_DIGILOCKER)
        }
        // A security signal (someone else's account approved): no detour offered.
        FailureReason::NumberMismatch => (say!(l, number_mismatch_title), say!(l, number_mismatch_body), ANOTHER),
        FailureReason::ProfileUnavailable => (
            say!(l, profile_unavailable_title),
            say!(l, profile_unavailable_body),
            RETRY_ANOTHER_DIGILOCKER,
        ),
        FailureReason::DigiLockerMisconfigured => (
            say!(l, digilocker_misconfigured_title),
            say!(l, digilocker_misconfigured_body),
            &[USE_TRUECALLER],
        ),
        FailureReason::DigiLockerUnavailable => (
            say!(l, digilocker_unavailable_title),
            say!(l, digilocker_unavailable_body),
            DIGILOCKER_ANOTHER,
        ),
    }
}

/// "You can send a new request in m:ss." while the number is locked, else nothing.
pub fn retry_note(locale: Locale, retry_in_secs: u32) -> String {
    if retry_in_secs == 0 {
        String::new()
    } else {
        say!(locale, retry_note, clock = clock(retry_in_secs)).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        domain::Throttle,
        words::Run,
        wording::{throttle_countdown, throttle_message, throttle_reason},
    };

    /// Offers the way back to the phone form (under whichever label).
    fn offers_another_number(screen: &Screen) -> bool {
        screen.offers.iter().any(|o| matches!(o, Offer::Back(_)))
    }
    use crate::domain::{AccountView, Provider};

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
            SignInStatus::SignedIn(Box::new(AccountView { name: "Rajat Kapoor".into(), ..AccountView::default() })),
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
                | SignInStatus::SignedIn(_)
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
            let screen = screen(&status, Locale::en);
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
            if forms || matches!(status, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)) {
                continue;
            }
            let screen = screen(&status, Locale::en);
            assert!(!screen.body.is_empty(), "{status:?}");
            assert!(offers_another_number(&screen), "{status:?}");
        }
    }

    #[test]
    fn classes_stay_as_the_stylesheet_and_tests_know_them() {
        let class = |status: SignInStatus| screen(&status, Locale::en).class;
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
            every_status().into_iter().filter(|s| screen(s, Locale::en).offers(Offer::DigiLocker)).collect();
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
            let screen = screen(&status, Locale::en);
            assert!(!screen.offers(Offer::DigiLocker), "{status:?}");
            assert!(offers_another_number(&screen), "{status:?}");
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
            let screen = screen(&status, Locale::en);
            assert_eq!(screen.offers.first(), Some(&Offer::DigiLocker), "{status:?}");
            assert!(!screen.offers(Offer::Retry), "{status:?}");
        }
        let waiting = screen(&SignInStatus::AtDigiLocker { seconds_left: 500 }, Locale::en);
        assert!(waiting.in_progress);
        assert_eq!(waiting.countdown.map(|c| c.seconds_left), Some(500));
        assert_eq!(waiting.offers, [Offer::DigiLocker, USE_TRUECALLER]);
        assert_eq!(USE_TRUECALLER.label(Locale::en), "Use Truecaller instead");
        assert_eq!(Offer::DigiLocker.label(Locale::en), "Verify with DigiLocker");
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
            assert!(screen(&status, Locale::en).body.to_string().ends_with(note), "{status:?}");
        }
        for status in [SignInStatus::TimedOut { retry_in_secs: 0 }, SignInStatus::Superseded { retry_in_secs: 0 }] {
            assert!(!screen(&status, Locale::en).body.to_string().contains("You can send a new request"), "{status:?}");
        }
        for status in every_status() {
            if !matches!(
                status,
                SignInStatus::TimedOut { .. } | SignInStatus::Superseded { .. } | SignInStatus::Locked { .. }
            ) {
                assert!(!screen(&status, Locale::en).body.to_string().contains("You can send a new request"), "{status:?}");
            }
        }
        assert_eq!(retry_note(Locale::en, 0), "");
        assert_eq!(retry_note(Locale::en, 61), "You can send a new request in 1:01.");
    }

    #[test]
    fn locked_by_another_browser_says_whether_that_request_was_stopped() {
        let body = |stopped_other| {
            screen(&SignInStatus::Locked { phone: "+91 •••••••• 99".into(), retry_in_secs: 0, other_browser: true, stopped_other }, Locale::en)
                .body
                .to_string()
        };
        assert!(body(true).starts_with("Someone started signing in with +91 •••••••• 99 from another browser"));
        assert!(body(true).contains("We stopped that request"));
        assert!(!body(false).contains("We stopped that request"));
    }

    #[test]
    fn waiting_names_the_masked_number_in_bold() {
        let waiting = screen(&SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true }, Locale::en);
        assert!(waiting.body.0.contains(&Run::Strong("+91 •••••••• 99".into())));
        assert_eq!(
            waiting.body.to_string(),
            "We sent a sign-in request to the Truecaller app on +91 •••••••• 99. Open it and tap Continue."
        );
        assert_eq!(waiting.countdown, Some(Countdown { label: "Waiting for your answer · ", seconds_left: 60 }));
        assert_eq!(waiting.body.0.iter().filter(|run| matches!(run, Run::Strong(_))).count(), 2);
    }

    #[test]
    fn throttle_wording_is_the_same_everywhere() {
        let declined = "Sign-in requests to this number were declined twice recently, so we won't send it another for a while.";
        assert_eq!(throttle_reason(Throttle::RecentlyDeclined, Locale::en), declined);
        assert_eq!(throttle_countdown(Throttle::TooManyAttempts, Locale::en, 65), "Too many sign-in attempts. You can try again in 1:05.");
        assert_eq!(
            throttle_message(Throttle::TooManyAttempts, Locale::en, 30),
            "Too many sign-in attempts. Please try again in a minute."
        );
        assert_eq!(
            throttle_message(Throttle::RecentlyDeclined, Locale::en, 61),
            format!("{declined} Please try again in 2 minutes.")
        );
        let error = crate::error::ApiError::Throttled { cause: Throttle::TooManyAttempts, retry_in_secs: 600 };
        assert_eq!(error.to_string(), "Too many sign-in attempts. Please try again in 10 minutes.");
    }

    #[test]
    fn the_time_note_warns_near_the_end_and_says_when_more_time_was_given() {
        let l = Locale::en;
        assert_eq!(time_note(l, 45, None, true), "");
        assert_eq!(time_note(l, 20, None, true), "Less than 20 seconds left. Need more time?");
        assert_eq!(time_note(l, 5, Some(120), false), "Less than 20 seconds left.");
        assert_eq!(time_note(l, 118, Some(120), true), "More time given. The countdown restarted at 2:00.");
        assert_eq!(time_note(l, 0, None, true), "");
    }

    /// Keys a language may leave to English (shown in English there). None today.
    const ENGLISH_FALLBACKS: &[(&str, &str)] = &[];

    /// Every message file, parsed: `(language, key → text)`.
    fn message_files() -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let language = path.file_stem().unwrap().to_string_lossy().into_owned();
                let text = std::fs::read_to_string(&path).unwrap();
                let serde_json::Value::Object(map) = serde_json::from_str(&text).unwrap() else { panic!("{language}") };
                (language, map)
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// A key without its plural category (`throttle_minutes_few` → `throttle_minutes`).
    fn base(key: &str) -> &str {
        ["_zero", "_one", "_two", "_few", "_many", "_other"].iter().find_map(|c| key.strip_suffix(c)).unwrap_or(key)
    }

    #[test]
    fn every_language_has_every_message_with_the_same_placeholders() {
        use leptos_i18n::Locale as _;
        let files = message_files();
        let english = &files.iter().find(|(l, _)| l == "en").unwrap().1;
        // One file per language the app offers, and nothing else.
        let mut offered: Vec<&str> = Locale::get_all().iter().map(|l| l.as_str()).collect();
        offered.sort();
        assert_eq!(files.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(), offered);
        let marks = |text: &str| {
            let mut found: Vec<String> = Vec::new();
            for (open, close) in [("{{", "}}"), ("<", ">")] {
                let mut rest = text;
                while let Some(start) = rest.find(open) {
                    let Some(len) = rest[start..].find(close) else { break };
                    found.push(rest[start..start + len + close.len()].replace(' ', ""));
                    rest = &rest[start + len + close.len()..];
                }
            }
            found.retain(|m| m != "{{count}}");
            found.sort();
            found
        };
        for (language, messages) in &files {
            for key in english.keys() {
                let present = messages.contains_key(key) || messages.keys().any(|k| base(k) == base(key));
                let excused = ENGLISH_FALLBACKS.contains(&(language.as_str(), base(key)));
                assert!(present || excused, "{language} lacks {key}");
            }
            for (key, text) in messages {
                let text = text.as_str().unwrap();
                assert!(!text.trim().is_empty(), "{language}.{key} is empty");
                let same = english.get(key).or_else(|| english.get(&format!("{}_other", base(key))));
                let same = same.unwrap_or_else(|| panic!("{language}.{key} is not an English key"));
                assert_eq!(marks(text), marks(same.as_str().unwrap()), "{language}.{key}");
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let minutes = |locale, secs| throttle_message(Throttle::TooManyAttempts, locale, secs);
        assert!(minutes(Locale::en, 60).ends_with("in a minute."));
        assert!(minutes(Locale::en, 121).ends_with("in 3 minutes."));
        // Hindi: "one" for 1, "other" for the rest.
        assert!(minutes(Locale::hi, 60).contains("एक मिनट"), "{}", minutes(Locale::hi, 60));
        assert!(minutes(Locale::hi, 300).contains("5 मिनट"), "{}", minutes(Locale::hi, 300));
        // Arabic: two minutes is a form of its own (dual), 3–10 another, 11 and up another.
        let ar = |n: u32| minutes(Locale::ar, n * 60);
        assert!(!ar(2).contains('2'), "the dual says the number itself: {}", ar(2));
        assert!(ar(3).contains('3') && ar(11).contains("11"));
        assert_ne!(ar(3).replace('3', "#"), ar(11).replace("11", "#"), "few and many differ");
    }

    #[test]
    fn numbers_and_times_stay_in_western_digits() {
        for locale in [Locale::hi, Locale::ar, Locale::ur, Locale::bn] {
            assert!(retry_note(locale, 125).contains("2:05"), "{locale:?}");
            assert!(time_note(locale, 300, Some(300), true).contains("5:00"), "{locale:?}");
        }
    }

    #[test]
    fn hindi_screens_have_no_english_left_but_names() {
        let brands = ["Truecaller", "DigiLocker"];
        let mut statuses = every_status();
        statuses.retain(|s| !matches!(s, SignInStatus::SignedIn(_)));
        for status in statuses {
            let screen = screen(&status, Locale::hi);
            let mut text = format!("{} {} {}", screen.title, screen.body, screen.announcement);
            for offer in screen.offers {
                text.push(' ');
                text.push_str(offer.label(Locale::hi));
            }
            for brand in brands {
                text = text.replace(brand, "");
            }
            assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "{status:?}: {text}");
        }
    }

    #[test]
    fn emphasis_survives_translation() {
        for locale in [Locale::en, Locale::hi, Locale::ar, Locale::ta] {
            let waiting = screen(&SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true }, locale);
            let strong: Vec<&Run> = waiting.body.0.iter().filter(|r| matches!(r, Run::Strong(_))).collect();
            assert_eq!(strong.len(), 2, "{locale:?}: {:?}", waiting.body);
            assert!(waiting.body.to_string().contains("•••••••• 99"), "{locale:?}");
            assert!(!waiting.body.to_string().contains(['\u{2}', '\u{3}']), "{locale:?}");
        }
    }
}
