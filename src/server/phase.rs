//! The sign-in state machine: every phase a sign-in can be in and the only moves between them.
//! The store applies a move with a compare-and-set on the old phase, so concurrent callbacks,
//! polls and instances cannot both win.

use crate::domain::FailureReason;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Lock taken, request to Truecaller in flight.
    Sending,
    /// Truecaller accepted; the prompt is on the phone.
    Waiting,
    /// Approval received; fetching and checking the profile.
    Fetching,
    /// Profile verified and account saved; the browser has not picked it up yet.
    Approved,
    /// The browser's session was signed in. Final.
    Completed,
    /// The person declined. Final.
    Rejected,
    /// The person chose the Truecaller sheet's footer option (another number or way): not a
    /// refusal, and it counts as none. Final.
    ChoseAnotherWay,
    /// The deadline passed while waiting. A late approval moves it to `ApprovedLate`.
    TimedOut,
    /// The phone approved after the deadline: recorded, never used. Final.
    ApprovedLate,
    /// Another browser asked for this number while the prompt was out: an answer to it signs
    /// nobody in (a prompt someone else started must not sign in the person who answers it,
    /// nor them). Final.
    Superseded,
    /// Truecaller will not sign this number in. Final.
    NotUser,
    /// The browser gave up (e.g. "use another number"). Final.
    Cancelled,
    /// Final, with a reason.
    Failed(FailureReason),
}

/// Something that happened to a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Truecaller answered 200 with a requestId.
    Sent,
    /// Truecaller answered 403/1008.
    NotUser,
    /// The request could not be placed (outage, bad app key).
    SendFailed(FailureReason),
    /// The provider can no longer finish a sign-in it accepted (it refuses to say where it stands).
    ProviderFailed(FailureReason),
    /// A genuine approval callback arrived.
    ApprovalReceived,
    /// A genuine rejection callback arrived.
    RejectionReceived,
    /// A genuine `use_another_number` callback arrived (the sheet's footer option).
    AnotherWayChosen,
    /// The server-side deadline passed.
    DeadlinePassed,
    /// The profile belongs to the number typed; the account is saved.
    ProfileVerified,
    /// The profile could not be fetched, or belongs to someone else.
    ProfileFailed(FailureReason),
    /// The waiting browser's session was signed in.
    Claimed,
    /// The browser abandoned the attempt.
    Cancelled,
    /// The account an approval joined was deleted before the browser picked it up.
    AccountDeleted,
    /// Another browser asked for a prompt to the same number.
    Superseded,
}

impl Phase {
    /// The phase after `event`, or `None` when the event does not apply (duplicates, late or
    /// out-of-order messages): callers record it and change nothing.
    pub fn on(self, event: Event) -> Option<Phase> {
        use Event as E;
        use Phase as P;
        Some(match (self, event) {
            (P::Sending, E::Sent) => P::Waiting,
            (P::Sending, E::NotUser) => P::NotUser,
            (P::Sending, E::SendFailed(reason)) => P::Failed(reason),
            // A request that never got an answer (e.g. the server stopped mid-call).
            (P::Sending, E::DeadlinePassed) => P::Failed(FailureReason::ProviderUnavailable),
            // The phone can answer before Truecaller's reply to our request reaches us.
            (P::Sending | P::Waiting, E::ApprovalReceived) => P::Fetching,
            (P::Sending | P::Waiting, E::RejectionReceived) => P::Rejected,
            (P::Sending | P::Waiting, E::AnotherWayChosen) => P::ChoseAnotherWay,
            (P::Waiting, E::DeadlinePassed) => P::TimedOut,
            (P::Waiting, E::ProviderFailed(reason)) => P::Failed(reason),
            (P::Sending | P::Waiting, E::Cancelled) => P::Cancelled,
            (P::Sending | P::Waiting, E::Superseded) => P::Superseded,
            // Recorded so the person still looking at the page learns why nothing happened.
            (P::TimedOut, E::ApprovalReceived) => P::ApprovedLate,
            (P::Fetching, E::ProfileVerified) => P::Approved,
            (P::Fetching, E::ProfileFailed(reason)) => P::Failed(reason),
            (P::Approved, E::Claimed) => P::Completed,
            // Nothing is left to sign in to: given up, as if the browser had cancelled.
            (P::Approved, E::AccountDeleted) => P::Cancelled,
            _ => return None,
        })
    }

    /// Does this sign-in still hold its number's lock? Only until the cycle completes: an answer
    /// from the phone (approve or reject) or a request that never reached it releases the number.
    pub fn holds_lock(self) -> bool {
        matches!(self, Self::Sending | Self::Waiting | Self::Fetching | Self::TimedOut | Self::Cancelled | Self::Superseded)
    }

    /// Is the browser still expecting news about this sign-in?
    pub fn is_live(self) -> bool {
        matches!(self, Self::Sending | Self::Waiting | Self::Fetching | Self::Approved)
    }

    /// Name stored in `sign_ins.phase` (failure reasons go in their own column).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Waiting => "waiting",
            Self::Fetching => "fetching",
            Self::Approved => "approved",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::ChoseAnotherWay => "chose_another_way",
            Self::TimedOut => "timed_out",
            Self::ApprovedLate => "approved_late",
            Self::Superseded => "superseded",
            Self::NotUser => "not_user",
            Self::Cancelled => "cancelled",
            Self::Failed(_) => "failed",
        }
    }

    pub fn failure(self) -> Option<FailureReason> {
        match self {
            Self::Failed(reason) => Some(reason),
            _ => None,
        }
    }

    /// Reads the stored pair back; `None` for anything this version never writes.
    pub fn from_stored(phase: &str, failure: Option<&str>) -> Option<Phase> {
        Some(match phase {
            "sending" => Self::Sending,
            "waiting" => Self::Waiting,
            "fetching" => Self::Fetching,
            "approved" => Self::Approved,
            "completed" => Self::Completed,
            "rejected" => Self::Rejected,
            "chose_another_way" => Self::ChoseAnotherWay,
            "timed_out" => Self::TimedOut,
            "approved_late" => Self::ApprovedLate,
            "superseded" => Self::Superseded,
            "not_user" => Self::NotUser,
            "cancelled" => Self::Cancelled,
            "failed" => Self::Failed(FailureReason::parse(failure?)?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event as E;
    use Phase as P;

    const ALL_PHASES: [Phase; 13] = [
        P::Sending,
        P::Waiting,
        P::Fetching,
        P::Approved,
        P::Completed,
        P::Rejected,
        P::ChoseAnotherWay,
        P::TimedOut,
        P::NotUser,
        P::Cancelled,
        P::ApprovedLate,
        P::Superseded,
        P::Failed(FailureReason::NumberMismatch),
    ];

    const ALL_EVENTS: [Event; 14] = [
        E::Sent,
        E::NotUser,
        E::SendFailed(FailureReason::ProviderUnavailable),
        E::ProviderFailed(FailureReason::DigiLockerUnavailable),
        E::ApprovalReceived,
        E::RejectionReceived,
        E::AnotherWayChosen,
        E::DeadlinePassed,
        E::ProfileVerified,
        E::ProfileFailed(FailureReason::NumberMismatch),
        E::Claimed,
        E::Cancelled,
        E::AccountDeleted,
        E::Superseded,
    ];

    #[test]
    fn the_happy_path_ends_completed() {
        let end = [E::Sent, E::ApprovalReceived, E::ProfileVerified, E::Claimed]
            .into_iter()
            .try_fold(P::Sending, |phase, event| phase.on(event));
        assert_eq!(end, Some(P::Completed));
    }

    #[test]
    fn each_outcome_has_exactly_one_way_in() {
        assert_eq!(P::Waiting.on(E::RejectionReceived), Some(P::Rejected));
        assert_eq!(P::Waiting.on(E::DeadlinePassed), Some(P::TimedOut));
        assert_eq!(P::Sending.on(E::NotUser), Some(P::NotUser));
        assert_eq!(
            P::Sending.on(E::SendFailed(FailureReason::ServiceMisconfigured)),
            Some(P::Failed(FailureReason::ServiceMisconfigured))
        );
        assert_eq!(
            P::Fetching.on(E::ProfileFailed(FailureReason::NumberMismatch)),
            Some(P::Failed(FailureReason::NumberMismatch))
        );
        assert_eq!(P::Waiting.on(E::Cancelled), Some(P::Cancelled));
        assert_eq!(P::Waiting.on(E::AnotherWayChosen), Some(P::ChoseAnotherWay));
        assert_eq!(P::Fetching.on(E::AnotherWayChosen), None);
        assert_eq!(P::TimedOut.on(E::AnotherWayChosen), None);
        assert_eq!(
            P::Waiting.on(E::ProviderFailed(FailureReason::DigiLockerUnavailable)),
            Some(P::Failed(FailureReason::DigiLockerUnavailable))
        );
        assert_eq!(P::Sending.on(E::ProviderFailed(FailureReason::DigiLockerUnavailable)), None);
    }

    #[test]
    fn duplicates_and_late_messages_change_nothing() {
        // A second approval, an approval after a rejection or a timeout, a reject after approval.
        assert_eq!(P::Fetching.on(E::ApprovalReceived), None);
        assert_eq!(P::Rejected.on(E::ApprovalReceived), None);
        assert_eq!(P::Cancelled.on(E::ApprovalReceived), None);
        assert_eq!(P::Superseded.on(E::ApprovalReceived), None);
        assert_eq!(P::ApprovedLate.on(E::ApprovalReceived), None);
        // A late approval is noted, and leads nowhere else.
        assert_eq!(P::TimedOut.on(E::ApprovalReceived), Some(P::ApprovedLate));
        assert_eq!(P::TimedOut.on(E::RejectionReceived), None);
        assert_eq!(P::Fetching.on(E::Superseded), None);
        assert_eq!(P::Fetching.on(E::RejectionReceived), None);
        assert_eq!(P::Approved.on(E::DeadlinePassed), None);
        // An approval can never skip the profile check, and only an approved sign-in is claimed.
        assert_eq!(P::Waiting.on(E::Claimed), None);
        assert_eq!(P::Fetching.on(E::Claimed), None);
        assert_eq!(P::Completed.on(E::Claimed), None);
        // Only an approval nobody has picked up yet can lose its account.
        assert_eq!(P::Approved.on(E::AccountDeleted), Some(P::Cancelled));
        assert_eq!(P::Fetching.on(E::AccountDeleted), None);
    }

    #[test]
    fn final_phases_accept_no_event() {
        for phase in ALL_PHASES.into_iter().filter(|p| !p.is_live() && *p != P::TimedOut) {
            for event in ALL_EVENTS {
                assert_eq!(phase.on(event), None, "{phase:?} + {event:?}");
            }
        }
    }

    #[test]
    fn the_lock_is_released_once_the_phone_answered() {
        for phase in [P::Approved, P::Completed, P::Rejected, P::ChoseAnotherWay, P::NotUser, P::ApprovedLate, P::Failed(FailureReason::NumberMismatch)] {
            assert!(!phase.holds_lock(), "{phase:?}");
        }
        for phase in [P::Sending, P::Waiting, P::Fetching, P::TimedOut, P::Cancelled, P::Superseded] {
            assert!(phase.holds_lock(), "{phase:?}");
        }
    }

    /// Each phase followed by the next, in a match with no wildcard: a new phase does not compile
    /// until it is placed here, and the walk then finds it missing from `ALL_PHASES`.
    fn next_phase(phase: Phase) -> Option<Phase> {
        Some(match phase {
            P::Sending => P::Waiting,
            P::Waiting => P::Fetching,
            P::Fetching => P::Approved,
            P::Approved => P::Completed,
            P::Completed => P::Rejected,
            P::Rejected => P::ChoseAnotherWay,
            P::ChoseAnotherWay => P::TimedOut,
            P::TimedOut => P::NotUser,
            P::NotUser => P::Cancelled,
            P::Cancelled => P::ApprovedLate,
            P::ApprovedLate => P::Superseded,
            P::Superseded => P::Failed(FailureReason::NumberMismatch),
            P::Failed(_) => return None,
        })
    }

    #[test]
    fn stored_names_round_trip() {
        let walked: Vec<_> = std::iter::successors(Some(P::Sending), |p| next_phase(*p)).collect();
        assert_eq!(walked, ALL_PHASES);
        // Every failure reason, too: a failed row stores its reason beside the phase.
        let every = ALL_PHASES.into_iter().chain(FailureReason::ALL.map(P::Failed));
        for phase in every {
            let failure = phase.failure().map(FailureReason::as_str);
            assert_eq!(Phase::from_stored(phase.as_str(), failure), Some(phase));
        }
        assert_eq!(Phase::from_stored("failed", None), None);
        assert_eq!(Phase::from_stored("bogus", None), None);
    }
}
