//! The audit trail's rows that are not phase moves, named in one list and written through one
//! method. (A phase move writes its own row, in the statement that makes it: migrations 0006.)
//! Numbers appear only as keyed tags.

use tracing::{debug, warn};

use super::{short, SignInService};
use crate::server::error::Error;

/// Something worth a row in the audit trail besides a phase move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Audit<'a> {
    /// A second browser asked for a number another one holds; `tag` is the number's keyed tag.
    LockedElsewhere { tag: &'a str },
    /// A callback that only tells something (`flow_invoked`, …), with its `status`.
    CallbackNotice { status: &'a str },
    /// A callback for a requestId (or state) we never sent.
    UnknownCallback,
    /// A callback whose state is not the one we sent.
    StateMismatch,
    /// An approval naming a profile endpoint we will not send a token to (`why`).
    EndpointRefused { why: &'static str },
    /// A callback the sign-in had already had (`status`, when it carried one).
    DuplicateCallback { status: Option<&'a str> },
    /// An approval for an attempt the browser had already stopped.
    ApprovalForStoppedRequest,
    /// A verified profile found its sign-in already moved on by another instance or request.
    ApproveRaced,
    /// The person deleted their account; `tag` is its number's keyed tag, when it had one.
    AccountDeleted { tag: Option<&'a str> },
}

impl Audit<'_> {
    /// The event's stable name in the trail.
    pub fn name(self) -> &'static str {
        match self {
            Self::LockedElsewhere { .. } => "locked_elsewhere",
            Self::CallbackNotice { .. } => "callback_notice",
            Self::UnknownCallback => "unknown_callback",
            Self::StateMismatch => "state_mismatch",
            Self::EndpointRefused { .. } => "endpoint_refused",
            Self::DuplicateCallback { .. } => "duplicate_callback",
            Self::ApprovalForStoppedRequest => "approval_for_stopped_request",
            Self::ApproveRaced => "approve_raced",
            Self::AccountDeleted { .. } => "account_deleted",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            Self::LockedElsewhere { tag } => Some(tag),
            Self::CallbackNotice { status } => Some(status),
            Self::EndpointRefused { why } => Some(why),
            Self::DuplicateCallback { status } | Self::AccountDeleted { tag: status } => *status,
            Self::UnknownCallback | Self::StateMismatch | Self::ApprovalForStoppedRequest | Self::ApproveRaced => None,
        }
    }

    /// Brought about by a callback: anyone holding a one-tap link knows its nonce and can send
    /// callbacks naming it, so such rows are capped per sign-in.
    fn from_a_callback(self) -> bool {
        !matches!(self, Self::LockedElsewhere { .. } | Self::ApproveRaced | Self::AccountDeleted { .. })
    }
}

impl SignInService {
    /// Writes `what` to the trail, about the sign-in `sign_in` when it concerns one. Rows a
    /// callback brings about stop at the sign-in's cap (`Store::record_callback_event`); past
    /// it, the log line is the record.
    pub(super) async fn audit(&self, sign_in: Option<&str>, what: Audit<'_>) -> Result<(), Error> {
        let store = &self.inner.store;
        match sign_in {
            Some(id) if what.from_a_callback() => {
                if !store.record_callback_event(id, what.name(), what.detail()).await? {
                    debug!(sign_in = %short(id), event = what.name(), "audit rows for this sign-in are full; not recorded");
                }
            }
            _ => store.record_event(sign_in, what.name(), what.detail()).await?,
        }
        Ok(())
    }

    /// The same, for a row that must not fail what it records: an error is logged instead.
    pub(super) async fn audit_best_effort(&self, sign_in: &str, what: Audit<'_>) {
        if let Err(e) = self.audit(Some(sign_in), what).await {
            warn!(sign_in = %short(sign_in), error = %e, "audit event not recorded");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_its_own_name() {
        let all = [
            Audit::LockedElsewhere { tag: "t" },
            Audit::CallbackNotice { status: "flow_invoked" },
            Audit::UnknownCallback,
            Audit::StateMismatch,
            Audit::EndpointRefused { why: "host" },
            Audit::DuplicateCallback { status: None },
            Audit::ApprovalForStoppedRequest,
            Audit::ApproveRaced,
            Audit::AccountDeleted { tag: None },
        ];
        // A new variant must be added above: the match makes the list whole.
        for what in all {
            match what {
                Audit::LockedElsewhere { .. }
                | Audit::CallbackNotice { .. }
                | Audit::UnknownCallback
                | Audit::StateMismatch
                | Audit::EndpointRefused { .. }
                | Audit::DuplicateCallback { .. }
                | Audit::ApprovalForStoppedRequest
                | Audit::ApproveRaced
                | Audit::AccountDeleted { .. } => {}
            }
        }
        let names: std::collections::HashSet<_> = all.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), all.len());
        assert_eq!(Audit::LockedElsewhere { tag: "t" }.detail(), Some("t"));
        assert!(!Audit::ApproveRaced.from_a_callback() && Audit::StateMismatch.from_a_callback());
    }
}
