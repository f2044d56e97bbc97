use serde::{Deserialize, Serialize};

use crate::countries::Region;

/// The cookie that remembers the language a person chose with the page's switcher.
pub const LANGUAGE_COOKIE: &str = "lang";

/// Where a browser's sign-in stands, as the sign-in component renders it.
///
/// The server derives it from the sign-in's phase (`server::sign_in::Phase`); the browser only
/// displays it. Outcomes are data, not errors: `Err` is kept for calls that could not be answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStatus {
    /// Nothing in progress for this browser.
    Idle,
    /// A prompt is on the phone; the server gives up in `seconds_left`. `more_time`: the person
    /// may still ask for more time to answer ("Need more time?").
    Waiting {
        /// The number the prompt went to, masked.
        phone: String,
        /// Seconds until the server gives up.
        seconds_left: u32,
        /// Whether "Need more time?" is still offered.
        more_time: bool,
    },
    /// The person approved (at `provider`); their profile is being fetched and checked. `phone`
    /// is the masked number typed, when there was one.
    Approved {
        /// The masked number typed, or empty.
        phone: String,
        /// Who approved.
        provider: Provider,
    },
    /// This browser's session now belongs to the account. It carries what the account page shows
    /// first, so the page that follows needs no request of its own.
    SignedIn(Box<AccountView>),
    /// The person declined the prompt on their phone.
    Rejected,
    /// Nobody answered the prompt before the deadline; a new prompt may go out in `retry_in_secs`.
    /// Until then the page keeps listening, in case the phone approves late.
    TimedOut {
        /// Seconds until a new prompt may go to the number.
        retry_in_secs: u32,
    },
    /// The phone approved after the deadline: recorded, and nobody was signed in.
    ApprovedTooLate,
    /// Another browser asked for a prompt to this number, so this sign-in was stopped: an answer
    /// to its prompt signs nobody in.
    Superseded {
        /// Seconds until a new prompt may go to the number.
        retry_in_secs: u32,
    },
    /// Truecaller will not sign this number in (it has no Truecaller account).
    NotTruecallerUser,
    /// A prompt went to this number moments ago; no new one until `retry_in_secs`. When
    /// `other_browser` is true, someone else started it and the person should reject it;
    /// `stopped_other` says whether that request was stopped by this one (an approval of it then
    /// signs nobody in).
    Locked {
        /// The number, masked.
        phone: String,
        /// Seconds until a new prompt may go to it.
        retry_in_secs: u32,
        /// Someone else's browser asked for the prompt on the phone.
        other_browser: bool,
        /// That request was stopped by this one.
        stopped_other: bool,
    },
    /// The sign-in could not be completed.
    Failed {
        /// Why.
        reason: FailureReason,
    },
    /// The person was sent to DigiLocker's consent page (or came back, and DigiLocker has not
    /// confirmed yet); the server gives up in `seconds_left`.
    AtDigiLocker {
        /// Seconds until the server gives up.
        seconds_left: u32,
    },
    /// DigiLocker said consent was not given: nobody was signed in.
    DigiLockerDenied,
    /// The DigiLocker request was not completed in time.
    DigiLockerExpired,
    /// Android one-tap: Truecaller's sheet is open on this phone (nothing was typed); the server
    /// gives up in `seconds_left`. `open` opens the sheet (again): the deep link, or in simulator
    /// mode the stand-in sheet.
    AtTruecaller {
        /// Seconds until the server gives up.
        seconds_left: u32,
        /// What opens the sheet: the deep link, or the simulated sheet's address.
        open: String,
    },
    /// Android one-tap: the person chose the sheet's footer option (another number, another
    /// way): the phone form and DigiLocker are what they asked for.
    ChoseAnotherWay,
}

impl SignInStatus {
    /// True while the server may still change this status without the browser asking again.
    pub fn is_pending(&self) -> bool {
        match self {
            // Past the deadline the server's answer is the timeout itself.
            Self::Waiting { .. } | Self::Approved { .. } | Self::AtDigiLocker { .. } | Self::AtTruecaller { .. } => true,
            // A late approval can still arrive while the number is locked.
            Self::TimedOut { retry_in_secs } => *retry_in_secs > 0,
            _ => false,
        }
    }

}

/// Why a request for a prompt was refused for now (HTTP 429 with `Retry-After`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Throttle {
    /// Too many requests from this address, this browser or for this number. One message for
    /// all of them, so the answer does not tell an attacker which limit was hit.
    TooManyAttempts,
    /// The number rejected prompts twice within an hour: no prompt goes to it for a while.
    RecentlyDeclined,
}

// What the page says about a throttle lives with every other screen text, in
// `wording::{throttle_reason, throttle_message}`.

/// Why a sign-in failed, in terms a person can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureReason {
    /// Truecaller did not answer, or answered with a server error.
    ProviderUnavailable,
    /// Truecaller refused our credentials: an operator must fix the configuration.
    ServiceMisconfigured,
    /// The Truecaller account that approved does not hold the number that was typed.
    NumberMismatch,
    /// The approval could not be turned into a profile before the access token expired.
    ProfileUnavailable,
    /// DigiLocker did not answer, or answered with a server error.
    DigiLockerUnavailable,
    /// Sandbox refused our credentials or request: an operator must fix the configuration.
    DigiLockerMisconfigured,
}

impl FailureReason {
    /// Stable name used in the database and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProviderUnavailable => "provider_unavailable",
            Self::ServiceMisconfigured => "service_misconfigured",
            Self::NumberMismatch => "number_mismatch",
            Self::ProfileUnavailable => "profile_unavailable",
            Self::DigiLockerUnavailable => "digilocker_unavailable",
            Self::DigiLockerMisconfigured => "digilocker_misconfigured",
        }
    }

    /// Every reason, in declaration order (`tests::every_failure_reason_is_in_all` keeps it whole).
    pub const ALL: [Self; 6] = [
        Self::ProviderUnavailable,
        Self::ServiceMisconfigured,
        Self::NumberMismatch,
        Self::ProfileUnavailable,
        Self::DigiLockerUnavailable,
        Self::DigiLockerMisconfigured,
    ];

    /// The reason named `name` (its `as_str`), if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == name)
    }
}


/// Where a one-tap sign-in sends the browser: Truecaller's deep link, which opens the app's
/// bottom sheet. `simulated_sheet`: in simulator mode, the stand-in sheet to open instead (a
/// computer has no Truecaller app to receive the deep link).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTapLink {
    /// `truecallersdk://…` with our nonce.
    pub deep_link: String,
    /// The stand-in sheet's address, in simulator mode.
    pub simulated_sheet: Option<String>,
}


/// Why a typed number was refused (worded by `wording::phone_problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneProblem {
    /// Nothing was typed.
    Empty,
    /// Characters no phone number has.
    BadCharacters,
    /// Fewer digits than any mobile number has.
    TooShort,
    /// More digits than any phone number has.
    TooLong,
    /// Not a number libphonenumber knows (the server's verdict).
    Invalid,
    /// A valid number, but not a mobile one (the server's verdict).
    NotMobile,
    /// `+` followed by a calling code no country has (`+999…`).
    UnknownCode(u16),
    /// Fewer digits than any mobile number in that country has.
    TooShortFor(Region),
    /// More digits than any mobile number in that country has.
    TooLongFor(Region),
    /// A number from a country this deployment does not offer (`PHONE_COUNTRIES`).
    NotOffered(Region),
}

impl std::error::Error for PhoneProblem {}

/// What the signed-in page shows: the account and the profile details the person shared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// The name the way in vouched for.
    pub name: String,
    /// The verified number, masked (`+46 •••••••• 56`); empty when no way in vouched for one.
    pub phone: String,
    /// The ways in linked to the account, oldest first.
    pub ways_in: Vec<Provider>,
    /// Details the person chose to share; absent ones are simply not listed.
    pub details: Vec<(String, String)>,
    /// The profile picture's address, when the profile had one.
    pub avatar_url: Option<String>,
    /// True on the sign-in that created the account.
    pub new_account: bool,
    /// How many times the person has signed in.
    pub sign_in_count: i64,
}

/// A way in: who vouched for the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provider {
    /// Truecaller: a consent prompt in the Truecaller app on the person's phone.
    Truecaller,
    /// DigiLocker (India's document wallet, identity checked against Aadhaar), through Sandbox.
    DigiLocker,
}

impl Provider {
    /// Stable name used in the database and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Truecaller => "truecaller",
            Self::DigiLocker => "digilocker",
        }
    }

    /// Every provider (`tests::every_provider_is_in_all` keeps it whole).
    pub const ALL: [Self; 2] = [Self::Truecaller, Self::DigiLocker];

    /// The provider named `name` (its `as_str`), if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Truecaller => "Truecaller",
            Self::DigiLocker => "DigiLocker",
        }
    }
}

/// Which way in a sign-in took, stored with it: what a callback may carry, whether more time can
/// be given and what the waiting page shows follow from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flow {
    /// A number typed on the page; Truecaller pushes a prompt, correlated by our `state`.
    Desktop,
    /// Android: our nonce in a deep link opens Truecaller's sheet; nothing is typed.
    OneTap,
    /// Sandbox's DigiLocker session, in a consent page of its own.
    DigiLocker,
}

impl Flow {
    /// Every flow (`tests::every_flow_is_in_all_and_round_trips_through_its_name` keeps it whole).
    pub const ALL: [Self; 3] = [Self::Desktop, Self::OneTap, Self::DigiLocker];

    /// Stable name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::OneTap => "one_tap",
            Self::DigiLocker => "digilocker",
        }
    }

    /// The flow named `name` (its `as_str`), if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// Who vouches for the person at the end of it.
    pub fn provider(self) -> Provider {
        match self {
            Self::Desktop | Self::OneTap => Provider::Truecaller,
            Self::DigiLocker => Provider::DigiLocker,
        }
    }
}


/// The browser's quick check before sending a number: characters and length only.
///
/// Full validation (libphonenumber) runs on the server; its metadata would multiply the wasm size.
pub fn check_phone_shape(input: &str) -> Result<(), PhoneProblem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(PhoneProblem::Empty);
    }
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return Err(PhoneProblem::BadCharacters);
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    match digits {
        0..=6 => Err(PhoneProblem::TooShort),
        // E.164 allows 15 digits; an international prefix such as 00 adds up to 3 more.
        7..=18 => Ok(()),
        _ => Err(PhoneProblem::TooLong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_check_accepts_what_people_type() {
        for input in ["+46 76 012 34 56", "004676 012 34 56", "46760123456", "(076) 012-34.56"] {
            assert_eq!(check_phone_shape(input), Ok(()), "{input}");
        }
    }

    #[test]
    fn shape_check_explains_what_is_wrong() {
        assert_eq!(check_phone_shape("  "), Err(PhoneProblem::Empty));
        assert_eq!(check_phone_shape("+46 76x"), Err(PhoneProblem::BadCharacters));
        assert_eq!(check_phone_shape("++4676012345"), Err(PhoneProblem::BadCharacters));
        assert_eq!(check_phone_shape("12345"), Err(PhoneProblem::TooShort));
        assert_eq!(check_phone_shape("1234567890123456789"), Err(PhoneProblem::TooLong));
        assert_eq!(PhoneProblem::TooShort.to_string(), "That number is too short.");
    }

    /// Each variant followed by the next, in a match with no wildcard: a new variant does not
    /// compile until it is placed here, and the walk then finds it missing from `ALL`.
    fn next_reason(reason: FailureReason) -> Option<FailureReason> {
        use FailureReason as F;
        match reason {
            F::ProviderUnavailable => Some(F::ServiceMisconfigured),
            F::ServiceMisconfigured => Some(F::NumberMismatch),
            F::NumberMismatch => Some(F::ProfileUnavailable),
            F::ProfileUnavailable => Some(F::DigiLockerUnavailable),
            F::DigiLockerUnavailable => Some(F::DigiLockerMisconfigured),
            F::DigiLockerMisconfigured => None,
        }
    }

    #[test]
    fn every_failure_reason_is_in_all_and_round_trips_through_its_name() {
        let walked: Vec<_> = std::iter::successors(Some(FailureReason::ProviderUnavailable), |r| next_reason(*r)).collect();
        assert_eq!(walked, FailureReason::ALL);
        for reason in FailureReason::ALL {
            assert_eq!(FailureReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(FailureReason::parse("nope"), None);
    }

    #[test]
    fn every_flow_is_in_all_and_round_trips_through_its_name() {
        let next = |flow: Flow| match flow {
            Flow::Desktop => Some(Flow::OneTap),
            Flow::OneTap => Some(Flow::DigiLocker),
            Flow::DigiLocker => None,
        };
        let walked: Vec<_> = std::iter::successors(Some(Flow::Desktop), |f| next(*f)).collect();
        assert_eq!(walked, Flow::ALL);
        for flow in Flow::ALL {
            assert_eq!(Flow::parse(flow.as_str()), Some(flow));
        }
        assert_eq!(Flow::parse("nope"), None);
        assert_eq!(Flow::OneTap.provider(), Provider::Truecaller);
    }

    #[test]
    fn every_provider_is_in_all_and_round_trips_through_its_name() {
        let next = |provider: Provider| match provider {
            Provider::Truecaller => Some(Provider::DigiLocker),
            Provider::DigiLocker => None,
        };
        let walked: Vec<_> = std::iter::successors(Some(Provider::Truecaller), |p| next(*p)).collect();
        assert_eq!(walked, Provider::ALL);
        for provider in Provider::ALL {
            assert_eq!(Provider::parse(provider.as_str()), Some(provider));
        }
        assert_eq!(Provider::parse("nope"), None);
    }
}
