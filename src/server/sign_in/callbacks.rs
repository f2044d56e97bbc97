//! Truecaller's callbacks: correlated with a sign-in we started, then recorded.

use tracing::{field::Empty, instrument, warn, Span};

use super::{audit::Audit, short, Event, Phase, SignInService};
use crate::domain::{Flow, Provider};
use crate::server::{
    clock,
    error::Error,
    store::{Changes, Received, SignInRow},
};

/// A callback from Truecaller, already parsed and bounded by the HTTP layer.
#[derive(Clone, PartialEq, Eq)]
pub enum Callback {
    Approved { request_id: String, access_token: String, state: Option<String>, endpoint: Option<String> },
    /// `user_rejected`, or `use_another_number` (the person chose not to use Truecaller).
    Declined { request_id: String, state: Option<String>, status: String },
    /// Any other `status` (e.g. `flow_invoked`: the Android sheet opened): recorded, changes nothing.
    Notice { request_id: String, status: String },
}

/// For logs and test failures: what kind of callback, for which request; never the token or our
/// `state`.
impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = |state: &Option<String>| state.as_ref().map(|_| "<redacted>");
        match self {
            Self::Approved { request_id, state: s, endpoint, .. } => f
                .debug_struct("Approved")
                .field("request_id", request_id)
                .field("access_token", &"<redacted>")
                .field("state", &state(s))
                .field("endpoint", endpoint)
                .finish(),
            Self::Declined { request_id, state: s, status } => {
                f.debug_struct("Declined").field("request_id", request_id).field("state", &state(s)).field("status", status).finish()
            }
            Self::Notice { request_id, status } => f.debug_struct("Notice").field("request_id", request_id).field("status", status).finish(),
        }
    }
}

impl Callback {
    /// What a callback's fields say: an access token is an approval; `user_rejected` or
    /// `use_another_number` a decline; any other status a notice (statuses nobody documented yet
    /// are notes, never outcomes). `None`: neither a token nor a status.
    pub fn read(fields: Received) -> Option<Self> {
        let Received { request_id, access_token, state, endpoint, status } = fields;
        if let Some(access_token) = access_token {
            return Some(Self::Approved { request_id, access_token, state, endpoint });
        }
        let status = status?;
        Some(match status.as_str() {
            "user_rejected" | "use_another_number" => Self::Declined { request_id, state, status },
            _ => Self::Notice { request_id, status },
        })
    }

    /// The fields to keep it by until it is recorded.
    pub fn into_fields(self) -> Received {
        match self {
            Self::Approved { request_id, access_token, state, endpoint } => {
                Received { request_id, access_token: Some(access_token), state, endpoint, status: None }
            }
            Self::Declined { request_id, state, status } => {
                Received { request_id, state, status: Some(status), ..Received::default() }
            }
            Self::Notice { request_id, status } => Received { request_id, status: Some(status), ..Received::default() },
        }
    }
}

/// What became of a callback. Every variant is acknowledged with 2xx: Truecaller should not retry.
#[derive(Debug, PartialEq, Eq)]
pub enum CallbackOutcome {
    Accepted,
    Ignored(&'static str),
}

impl SignInService {
    /// Records a callback taken in from the inbox. Returns an error only if it could not be
    /// recorded (it is then tried again); the profile fetch happens afterwards, on its own.
    #[instrument(skip_all, fields(sign_in = Empty))]
    pub async fn record_callback(&self, callback: Callback) -> Result<CallbackOutcome, Error> {
        match callback {
            Callback::Approved { request_id, access_token, state, endpoint } => {
                self.record_approval(&request_id, &access_token, state.as_deref(), endpoint.as_deref()).await
            }
            Callback::Declined { request_id, state, status } => {
                self.record_decline(&request_id, state.as_deref(), &status).await
            }
            Callback::Notice { request_id, status } => {
                let row = self.inner.store.sign_in_by_ref(Provider::Truecaller, &request_id).await?;
                self.audit(row.as_ref().map(|r| r.id.as_str()), Audit::CallbackNotice { status: &status }).await?;
                Ok(CallbackOutcome::Ignored("notice"))
            }
        }
    }

    /// An approval must carry the state we sent (desktop) or our nonce (one-tap), and name a
    /// profile host we trust.
    pub(super) async fn record_approval(
        &self,
        request_id: &str,
        access_token: &str,
        state: Option<&str>,
        endpoint: Option<&str>,
    ) -> Result<CallbackOutcome, Error> {
        let Some(row) = self.correlate(request_id, state, true).await? else {
            return Ok(CallbackOutcome::Ignored("unknown request"));
        };
        let row = self.settle(row).await?;
        let url = match self.inner.truecaller.profile_url_for(endpoint) {
            Ok(url) => url,
            Err(refused) => {
                warn!(%refused, "callback endpoint refused; token not used");
                self.audit(Some(&row.id), Audit::EndpointRefused { why: refused.0 }).await?;
                return Ok(CallbackOutcome::Ignored("endpoint refused"));
            }
        };
        let changes = Changes {
            provider_ref: Some(request_id),
            provider_token: Some(access_token),
            profile_url: Some(url.as_str()),
            approved_at: Some(clock::now_ms()),
            ..Changes::default()
        };
        let (moved, row) = self.apply_latest(row, Event::ApprovalReceived, changes).await?;
        if !moved {
            let why = match row.phase {
                Phase::Cancelled | Phase::Superseded => Audit::ApprovalForStoppedRequest,
                _ => Audit::DuplicateCallback { status: None },
            };
            self.audit(Some(&row.id), why).await?;
            return Ok(CallbackOutcome::Ignored(why.name()));
        }
        if row.phase == Phase::TimedOut {
            // Moved to `ApprovedLate`: the token was not stored and is never used.
            warn!("approval arrived after the deadline; nobody signed in");
            return Ok(CallbackOutcome::Ignored("late approval"));
        }
        let service = self.clone();
        tokio::spawn(async move { service.complete(&row.id).await });
        Ok(CallbackOutcome::Accepted)
    }

    /// Truecaller documents rejections without a state, and a rejection can only stop a
    /// sign-in, never start one: a state is checked when present but not required.
    /// `use_another_number` (the sheet's footer option) is the person choosing another way, not
    /// a refusal: it does not count towards a number's declines.
    pub(super) async fn record_decline(&self, request_id: &str, state: Option<&str>, status: &str) -> Result<CallbackOutcome, Error> {
        let Some(row) = self.correlate(request_id, state, false).await? else {
            return Ok(CallbackOutcome::Ignored("unknown request"));
        };
        let row = self.settle(row).await?;
        // The footer option exists only on the Android sheet; on a desktop prompt (which has no
        // footer) the word is read as what it is there: not signing in.
        let another_way = status == "use_another_number" && row.flow == Flow::OneTap;
        let event = if another_way { Event::AnotherWayChosen } else { Event::RejectionReceived };
        let changes = Changes { provider_ref: Some(request_id), ..Changes::default() };
        let (moved, row) = self.apply_latest(row, event, changes).await?;
        if !moved {
            self.audit(Some(&row.id), Audit::DuplicateCallback { status: Some(status) }).await?;
            return Ok(CallbackOutcome::Ignored("duplicate"));
        }
        Ok(CallbackOutcome::Accepted)
    }

    /// Moves `row` by `event` (a phone's answer); when another move came first and the event
    /// still applies to the phase the sign-in is in now, tries again from there. The answer can be
    /// recorded while `initiate` stores Truecaller's reply to our request (`Sending` → `Waiting`):
    /// it must not be taken for a duplicate because of that. Phases only move forward, so this
    /// ends. Returns whether it moved, and the row it moved from (or, if not, as it is now).
    async fn apply_latest(&self, mut row: SignInRow, event: Event, changes: Changes<'_>) -> Result<(bool, SignInRow), Error> {
        loop {
            if row.phase.on(event).is_none() {
                return Ok((false, row));
            }
            if self.apply(&row, event, changes).await? {
                return Ok((true, row));
            }
            let now = self.settle(self.row(&row.id).await?).await?;
            // Found by its state before its requestId was stored: the id stored since must be
            // the one this answer names.
            let other_request = now.provider_ref.is_some() && now.provider_ref.as_deref() != changes.provider_ref;
            if now.phase == row.phase || other_request {
                return Ok((false, now));
            }
            row = now;
        }
    }

    /// Finds the sign-in a callback belongs to. Truecaller's requestId first; a `state`, when
    /// given (and it must be when `state_required`), must match the hash we stored. A callback
    /// can only race our own request's answer when it carries our state. A one-tap attempt is
    /// found by its nonce alone (the flow has no state), and a callback naming a state for it is
    /// not Truecaller's. The intake kept only callbacks that named a sign-in by the same lookups
    /// (`Store::put_callbacks`), so one that names none here was overtaken by a change (e.g. its
    /// sign-in was purged meanwhile): rare, and only for what was taken in, so it is still audited.
    pub(super) async fn correlate(&self, request_id: &str, state: Option<&str>, state_required: bool) -> Result<Option<SignInRow>, Error> {
        let store = &self.inner.store;
        let state_hash = state.map(clock::digest);
        let row = match store.sign_in_by_ref(Provider::Truecaller, request_id).await? {
            Some(row) => Some(row),
            None => match &state_hash {
                // Not known by its requestId a moment ago: unless `initiate` stored it since.
                Some(hash) => store
                    .sign_in_by_state(hash)
                    .await?
                    .filter(|r| r.provider_ref.as_deref().is_none_or(|stored| stored == request_id)),
                None => None,
            },
        };
        let Some(row) = row else {
            self.audit(None, Audit::UnknownCallback).await?;
            warn!("callback for an unknown request ignored");
            return Ok(None);
        };
        Span::current().record("sign_in", short(&row.id));
        let state_ok = match (&state_hash, &row.state_hash) {
            (Some(sent), Some(ours)) => sent == ours,
            (None, Some(_)) => !state_required,
            (None, None) => row.flow == Flow::OneTap,
            (Some(_), None) => false,
        };
        if !state_ok {
            self.audit(Some(&row.id), Audit::StateMismatch).await?;
            warn!("callback state does not match; ignored");
            return Ok(None);
        }
        Ok(Some(row))
    }
}
