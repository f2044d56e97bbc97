//! DigiLocker through Sandbox: the way forward when Truecaller can't finish. No prompt and no
//! callback: the browser goes to DigiLocker's consent page and comes back to a fixed return URL
//! with nothing in it we could trust, so the attempt is found through the browser's own session
//! and its outcome through Sandbox's session status.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use tracing::{field::Empty, info, instrument, warn, Span};
use url::Url;

use super::{complete::FetchLease, short, Event, Phase, SignInService};
use crate::{
    domain::{FailureReason, Flow, Provider},
    server::{
        clock,
        error::Error,
        providers::sandbox::{DigiLockerProfile, SandboxError, SessionStatus},
        session::AuthSession,
        store::{Changes, Identity, NewSignIn, SignInRow, Start},
    },
};

/// Sandbox is asked about one DigiLocker sign-in at most this often, one call at a time, however
/// many status requests its browser (or a script with its cookie) sends: requests in between
/// share the last answer, so one browser cannot spend the deployment's Sandbox quota.
const ASK_SANDBOX_AT_MOST_EVERY: Duration = Duration::from_secs(1);
/// How long this instance remembers when it last asked about a sign-in nobody is asking about.
const FORGET_ASKED_AFTER: Duration = Duration::from_secs(60);
/// How long a profile fetch is retried after consent before giving up.
const PROFILE_PATIENCE: Duration = Duration::from_secs(120);

/// When Sandbox was last asked about each DigiLocker sign-in, each behind a lock that keeps one
/// call in flight.
#[derive(Default)]
pub(super) struct SandboxAsks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Instant>>>>>);

impl SandboxAsks {
    fn gate(&self, id: &str) -> Arc<tokio::sync::Mutex<Option<Instant>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).entry(id.to_owned()).or_default().clone()
    }

    /// Forgets sign-ins nobody has asked about for a while, so memory follows live traffic.
    pub(super) fn forget_idle(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).retain(|_, gate| match gate.try_lock() {
            Ok(asked) => asked.is_some_and(|at| at.elapsed() < FORGET_ASKED_AFTER),
            Err(_) => true,
        });
    }
}

/// Where to send the browser after asking for a DigiLocker sign-in.
#[derive(Debug)]
pub enum DigiLockerStart {
    /// DigiLocker's consent page (a full-page navigation).
    Consent(Url),
    /// Sandbox could not start a session: the sign-in failed, and the page explains.
    Refused,
}

impl SignInService {
    /// The browser at `client` asks to verify with DigiLocker: a sign-in bound to this browser's
    /// session, a Sandbox session for it, and the consent page to send the browser to.
    #[instrument(skip_all, fields(sign_in = Empty))]
    pub async fn start_digilocker(&self, session: &AuthSession, client: IpAddr) -> Result<DigiLockerStart, Error> {
        let s = &self.inner;
        let sandbox = s.sandbox.as_ref().ok_or(Error::NotOffered)?;
        let admitted = self.admit(session, client).await?;
        self.leave_current(session, |_| false).await?;
        let id = clock::random_token();
        Span::current().record("sign_in", short(&id));
        let new = NewSignIn {
            id: &id,
            flow: Flow::DigiLocker,
            browser: &admitted.browser,
            number: None,
            state_hash: None,
            provider_ref: None,
            deadline: clock::now_ms() + s.settings.digilocker_timeout.as_millis() as i64,
        };
        let Start::Started(sending) = s.store.start(&new, |_| None::<()>).await? else {
            return Err(Error::Corrupt("a sign-in without a number was locked or throttled"));
        };
        super::started(Provider::DigiLocker, "digilocker");
        session.begin(&admitted.key, &id, &crate::server::throttle::network_of(client)).await?;
        let (event, changes, consent) = match sandbox.init_session(&s.settings.digilocker_return).await {
            Ok(init) => (Event::Sent, Some(init.session_id), Some(init.authorization_url)),
            Err(e) => {
                warn!(error = %e, "DigiLocker session not started");
                (Event::SendFailed(failure_for(&e)), None, None)
            }
        };
        let moved = self.apply(&sending, event, Changes { provider_ref: changes.as_deref(), ..Changes::default() }).await?;
        info!(?event, "DigiLocker sign-in requested");
        match (consent, moved) {
            (Some(url), true) => Ok(DigiLockerStart::Consent(url)),
            _ => Ok(DigiLockerStart::Refused),
        }
    }

    /// The browser came back from DigiLocker. Only this browser's own pending DigiLocker sign-in
    /// is looked at (the return URL carries nothing we could trust); it is checked with Sandbox
    /// at once, so the page it lands on already shows the outcome.
    pub async fn digilocker_returned(&self, session: &AuthSession) -> Result<(), Error> {
        match self.current(session).await? {
            Some(row) if row.flow == Flow::DigiLocker => {
                let row = self.check_digilocker(row).await?;
                info!(sign_in = %short(&row.id), phase = row.phase.as_str(), "back from DigiLocker");
            }
            // Anyone can open this URL: the log line is the record, so a flood costs no write.
            _ => warn!(event = "digilocker_return_without_attempt", "DigiLocker return with no DigiLocker sign-in in this browser; ignored"),
        }
        Ok(())
    }

    /// Asks Sandbox where a waiting DigiLocker sign-in stands and moves it to match. Sandbox
    /// trouble leaves it waiting (the next check may get through) until its deadline.
    #[instrument(skip_all, fields(sign_in = %short(&row.id)))]
    pub(super) async fn check_digilocker(&self, row: SignInRow) -> Result<SignInRow, Error> {
        let (Flow::DigiLocker, Phase::Waiting, Some(session_id), Some(sandbox)) =
            (row.flow, row.phase, row.provider_ref.as_deref(), self.inner.sandbox.as_ref())
        else {
            return Ok(row);
        };
        let gate = self.inner.sandbox_asks.gate(&row.id);
        let mut asked = gate.lock().await;
        if asked.is_some_and(|at| at.elapsed() < ASK_SANDBOX_AT_MOST_EVERY) {
            // Asked a moment ago (perhaps while this request waited for the gate): what Sandbox
            // said is in the row.
            drop(asked);
            return self.row(&row.id).await;
        }
        *asked = Some(Instant::now());
        let event = match sandbox.session_status(session_id).await {
            Ok(SessionStatus::Created) => return Ok(row),
            Ok(SessionStatus::Succeeded) => Event::ApprovalReceived,
            Ok(SessionStatus::Failed) => Event::RejectionReceived,
            Ok(SessionStatus::Expired) => Event::DeadlinePassed,
            Err(e) if e.is_retryable() => {
                warn!(error = %e, "DigiLocker status unavailable; will ask again");
                return Ok(row);
            }
            Err(e) => {
                warn!(error = %e, "DigiLocker status refused");
                Event::ProviderFailed(failure_for(&e))
            }
        };
        let changes = Changes { approved_at: (event == Event::ApprovalReceived).then(clock::now_ms), ..Changes::default() };
        if self.apply(&row, event, changes).await? && event == Event::ApprovalReceived {
            let service = self.clone();
            let id = row.id.clone();
            tokio::spawn(async move { service.complete(&id).await });
        }
        self.row(&row.id).await
    }

    /// Fetches the consented profile and saves the account, retrying Sandbox trouble for a while.
    pub(super) async fn complete_digilocker(&self, row: &SignInRow, lease: &FetchLease) -> Result<(), Error> {
        let Some(session_id) = row.provider_ref.as_deref() else {
            return Err(Error::Corrupt("DigiLocker sign-in without a session"));
        };
        let sandbox = self.inner.sandbox.as_ref().ok_or(Error::NotOffered)?;
        let give_up = row.approved_at.unwrap_or(row.created_at) + PROFILE_PATIENCE.as_millis() as i64;
        let mut delay = Duration::from_millis(250);
        let profile = loop {
            let asked = std::time::Instant::now();
            let fetched = sandbox.user_profile(session_id).await;
            let result = match &fetched {
                Ok(_) => "ok",
                Err(e) if e.is_retryable() => "unavailable",
                Err(_) => "unusable",
            };
            crate::server::metrics::profile_fetch("digilocker", result, asked.elapsed());
            match fetched {
                Ok(profile) => break Some(profile),
                Err(e) if e.is_retryable() && clock::now_ms() + (delay.as_millis() as i64) < give_up => {
                    info!(error = %e, retry_in_ms = delay.as_millis() as u64, "DigiLocker profile will retry");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(10));
                    if !lease.still_held().await {
                        warn!("DigiLocker profile left to the instance that took its lease over");
                        return Ok(());
                    }
                }
                Err(e) => {
                    warn!(error = %e, "DigiLocker profile unavailable");
                    break None;
                }
            }
        };
        let Some(profile) = profile else {
            let failed = Event::ProfileFailed(FailureReason::DigiLockerUnavailable);
            self.apply(row, failed, Changes::default()).await?;
            return Ok(());
        };
        self.approve(row, &identity(&profile, &indian_number(&profile))).await
    }
}

/// The DigiLocker mobile as E.164 digits: DigiLocker gives 10 digits without the country code,
/// and its accounts are Indian.
fn indian_number(profile: &DigiLockerProfile) -> Option<String> {
    profile.mobile.as_ref().map(|mobile| format!("91{mobile}"))
}

/// The account data a DigiLocker profile vouches for. It is KYC data: only what the account page
/// shows (the name, the number) is kept; date of birth, gender and email are not.
fn identity<'a>(profile: &'a DigiLockerProfile, phone: &'a Option<String>) -> Identity<'a> {
    Identity {
        provider: Provider::DigiLocker,
        subject: &profile.id,
        phone: phone.as_deref(),
        name: &profile.name,
        profile: None,
    }
}

/// What the person is told when Sandbox refuses us: our configuration, or DigiLocker's trouble.
fn failure_for(error: &SandboxError) -> FailureReason {
    match error {
        SandboxError::Unauthorized | SandboxError::Forbidden | SandboxError::BadRequest | SandboxError::Unprocessable => {
            tracing::error!(error = %error, "Sandbox refused our request: check SANDBOX_API_KEY, SANDBOX_API_SECRET and PUBLIC_URL");
            FailureReason::DigiLockerMisconfigured
        }
        _ => FailureReason::DigiLockerUnavailable,
    }
}
