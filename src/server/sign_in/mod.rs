//! The sign-in rules: start a prompt, follow it through Truecaller's callback and the profile
//! check, and hand the result to the browser that asked. Phases live in [`phase`]; storage in
//! `store`; this module decides.

mod phase;

use std::{
    net::IpAddr,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use phonenumber::country;
use tracing::{info, warn};
use url::Url;

pub use phase::{Event, Phase};

use super::{
    clock,
    error::Error,
    keys::NumberKeys,
    phone::PhoneNumber,
    profile::Profile,
    session::AuthSession,
    store::{AccountData, Changes, NewSignIn, SignInRow, Start, Store},
    throttle::{Limits, RequestLimiter},
    truecaller::{ProfileOutcome, RequestOutcome, TruecallerClient},
    waiters::Waiters,
};
use crate::domain::{FailureReason, SignInStatus};

/// A callback from Truecaller, already parsed and bounded by the HTTP layer.
#[derive(Debug)]
pub enum Callback {
    Approved { request_id: String, access_token: String, state: Option<String>, endpoint: Option<String> },
    /// `user_rejected`, or `use_another_number` (the person chose not to use Truecaller).
    Declined { request_id: String, state: Option<String>, status: String },
    /// Any other `status` (e.g. `flow_invoked`): recorded, changes nothing.
    Notice { request_id: String, status: String },
}

/// What became of a callback. Every variant is acknowledged with 2xx: Truecaller should not retry.
#[derive(Debug, PartialEq, Eq)]
pub enum CallbackOutcome {
    Accepted,
    Ignored(&'static str),
}

pub struct Settings {
    pub signin_timeout: Duration,
    pub lock: Duration,
    pub default_region: country::Id,
    /// Truecaller's access tokens live 10 minutes; profile fetches are retried within that.
    pub token_ttl: Duration,
    pub limits: Limits,
}

#[derive(Clone)]
pub struct SignInService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    truecaller: TruecallerClient,
    waiters: Waiters,
    limiter: RequestLimiter,
    keys: NumberKeys,
    settings: Settings,
    /// Truecaller's last answer to a request was 404 (our app key is not valid).
    app_key_rejected: AtomicBool,
}

/// Longest a `status` request is held open.
pub const MAX_WAIT: Duration = Duration::from_secs(25);
const PROVIDER: &str = "truecaller";

impl SignInService {
    pub fn new(store: Store, truecaller: TruecallerClient, keys: NumberKeys, settings: Settings) -> Self {
        let inner = Inner {
            store,
            truecaller,
            waiters: Waiters::default(),
            limiter: RequestLimiter::new(&settings.limits),
            keys,
            settings,
            app_key_rejected: AtomicBool::new(false),
        };
        Self { inner: Arc::new(inner) }
    }

    /// The server is stopping: held `status` requests answer now (the browser asks again and
    /// reaches the next instance), so shutdown does not wait out their long-polls.
    pub fn begin_shutdown(&self) {
        self.inner.waiters.close();
    }

    /// Drops idle per-IP and per-browser buckets (called periodically).
    pub fn forget_idle_limits(&self) {
        self.inner.limiter.forget_idle();
    }

    /// For readiness checks: did Truecaller refuse our app key on its last answer?
    pub fn app_key_rejected(&self) -> bool {
        self.inner.app_key_rejected.load(Ordering::Relaxed)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The browser at `client` asks for a prompt on `input` (as typed).
    pub async fn initiate(&self, session: &AuthSession, input: &str, client: IpAddr) -> Result<SignInStatus, Error> {
        let s = &self.inner;
        // A flood must not cost a session or database write per request: the address is
        // checked first, and the log line is the record.
        let refused = |throttled| {
            warn!(event = "excess_rate_limit_exceeded", client = %client, "sign-in request refused by a rate limit");
            Error::Throttled(throttled)
        };
        s.limiter.check_client(client).map_err(refused)?;
        let browser = clock::digest(&session.browser_key().await?);
        s.limiter.check_browser(&browser).map_err(refused)?;
        let phone = PhoneNumber::parse(input, s.settings.default_region)?;
        let phone_key = s.keys.key(&phone);
        let tag = s.keys.tag(&phone);

        if let Some(current) = self.current(session).await? {
            if current.phone == phone.digits() && current.phase.is_live() {
                return Ok(self.view(&current));
            }
            if current.phase.is_live() {
                self.apply(&current, Event::Cancelled, Changes::default()).await?;
            }
            // A request still held for the old attempt (e.g. a timed-out page listening for a
            // late approval) answers now, so the page's next one is about this attempt.
            s.waiters.wake(&current.id);
        }

        let id = clock::random_token();
        let state = clock::random_token();
        let now = clock::now_ms();
        let new = NewSignIn {
            id: &id,
            browser: &browser,
            phone: phone.digits(),
            phone_key: &phone_key,
            phone_tag: &tag,
            state_hash: &clock::digest(&state),
            deadline: now + s.settings.signin_timeout.as_millis() as i64,
            lock_until: now + s.settings.lock.as_millis() as i64,
        };
        let sending = match s.store.start(&new, &s.settings.limits).await? {
            Start::Started(row) => row,
            Start::Locked { holder, until } => return self.locked(session, &browser, &phone, &holder, until).await,
            Start::Throttled(throttled) => {
                s.store.record_event(None, "excess_rate_limit_exceeded", Some(&format!("{:?} {tag}", throttled.cause))).await?;
                warn!(phone = %tag, cause = ?throttled.cause, "sign-in request refused by a per-number limit");
                return Err(Error::Throttled(throttled));
            }
        };
        session.set_sign_in_id(&id).await?;

        let outcome = s.truecaller.request_sign_in(&phone, &state).await;
        if !matches!(outcome, RequestOutcome::Unavailable { .. }) {
            s.app_key_rejected.store(outcome == RequestOutcome::InvalidAppKey, Ordering::Relaxed);
        }
        let (event, request_id) = match outcome {
            RequestOutcome::Sent { request_id } => (Event::Sent, Some(request_id)),
            RequestOutcome::NotUser => (Event::NotUser, None),
            RequestOutcome::InvalidAppKey => {
                tracing::error!(
                    "Truecaller refused our app key (404 Invalid partner credentials): check TRUECALLER_APP_KEY"
                );
                (Event::SendFailed(FailureReason::ServiceMisconfigured), None)
            }
            RequestOutcome::Unavailable { detail } => {
                warn!(sign_in = %short(&id), %detail, "Truecaller request failed");
                (Event::SendFailed(FailureReason::ProviderUnavailable), None)
            }
        };
        let changes = Changes { request_id: request_id.as_deref(), ..Changes::default() };
        let moved = self.apply(&sending, event, changes).await?;
        info!(sign_in = %short(&id), phone = %tag, ?event, "sign-in requested");
        match (moved, sending.phase.on(event)) {
            (true, Some(next)) => Ok(self.view(&SignInRow { phase: next, request_id, ..sending })),
            // A callback moved it first (the phone answered before Truecaller answered us).
            _ => Ok(self.view(&self.row(&id).await?)),
        }
    }

    /// Where this browser's sign-in stands. With `wait`, holds the answer until the phase changes
    /// or `wait` passes; the first call that sees an approval signs the session in.
    pub async fn status(&self, session: &AuthSession, wait: Duration) -> Result<SignInStatus, Error> {
        let Some(mut row) = self.current(session).await? else {
            return self.signed_in_view(session).await;
        };
        let wait = wait.min(MAX_WAIT);
        let until = |at: i64| Duration::from_millis((at - clock::now_ms()).max(0) as u64 + 50);
        let limit = match row.phase {
            // Wake at the deadline too, so the browser hears about a timeout on time.
            Phase::Sending | Phase::Waiting => wait.min(until(row.deadline)),
            Phase::Fetching => wait,
            // Until the number's lock ends, a late approval may still come in.
            Phase::TimedOut => wait.min(until(self.lock_end(&row))),
            _ => Duration::ZERO,
        };
        if !limit.is_zero() {
            let initial = row.phase;
            let id = row.id.clone();
            let changed = self
                .inner
                .waiters
                .wait_for(&id, limit, || async {
                    match self.settled(&id).await {
                        Ok(row) if row.phase == initial => None,
                        other => Some(other),
                    }
                })
                .await;
            row = match changed {
                Some(result) => result?,
                None => self.settled(&id).await?,
            };
        }
        if row.phase == Phase::Approved {
            return self.claim(session, &row).await;
        }
        Ok(self.view(&row))
    }

    /// The browser gives up on its sign-in ("use another number").
    pub async fn cancel(&self, session: &AuthSession) -> Result<SignInStatus, Error> {
        if let Some(row) = self.current(session).await? {
            if row.phase.on(Event::Cancelled).is_some() {
                self.apply(&row, Event::Cancelled, Changes::default()).await?;
            }
            self.inner.waiters.wake(&row.id);
        }
        session.clear_sign_in_id().await?;
        Ok(SignInStatus::Idle)
    }

    /// Records a callback. Returns an error only if it could not be recorded, so Truecaller
    /// retries; the profile fetch happens afterwards, off the request.
    pub async fn record_callback(&self, callback: Callback) -> Result<CallbackOutcome, Error> {
        match callback {
            Callback::Approved { request_id, access_token, state, endpoint } => {
                self.record_approval(&request_id, &access_token, state.as_deref(), endpoint.as_deref()).await
            }
            Callback::Declined { request_id, state, status } => {
                self.record_decline(&request_id, state.as_deref(), &status).await
            }
            Callback::Notice { request_id, status } => {
                let row = self.inner.store.sign_in_for_callback(None, &request_id).await?;
                let id = row.as_ref().map(|r| r.id.as_str());
                self.inner.store.record_event(id, "callback_notice", Some(&status)).await?;
                Ok(CallbackOutcome::Ignored("notice"))
            }
        }
    }

    /// An approval must carry the state we sent, and name a profile host we trust.
    async fn record_approval(
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
                warn!(sign_in = %short(&row.id), %refused, "callback endpoint refused; token not used");
                self.inner.store.record_event(Some(&row.id), "endpoint_refused", Some(refused.0)).await?;
                return Ok(CallbackOutcome::Ignored("endpoint refused"));
            }
        };
        let changes = Changes {
            request_id: Some(request_id),
            access_token: Some(access_token),
            profile_url: Some(url.as_str()),
            approved_at: Some(clock::now_ms()),
            ..Changes::default()
        };
        if !self.apply(&row, Event::ApprovalReceived, changes).await? {
            let why = match row.phase {
                Phase::Cancelled | Phase::Superseded => "approval_for_stopped_request",
                _ => "duplicate_callback",
            };
            self.inner.store.record_event(Some(&row.id), why, None).await?;
            return Ok(CallbackOutcome::Ignored(why));
        }
        if row.phase == Phase::TimedOut {
            // Moved to `ApprovedLate`: the token was not stored and is never used.
            warn!(sign_in = %short(&row.id), "approval arrived after the deadline; nobody signed in");
            return Ok(CallbackOutcome::Ignored("late approval"));
        }
        let service = self.clone();
        tokio::spawn(async move { service.complete(&row.id).await });
        Ok(CallbackOutcome::Accepted)
    }

    /// Truecaller documents rejections without a state, and a rejection can only stop a
    /// sign-in, never start one: a state is checked when present but not required.
    async fn record_decline(&self, request_id: &str, state: Option<&str>, status: &str) -> Result<CallbackOutcome, Error> {
        let Some(row) = self.correlate(request_id, state, false).await? else {
            return Ok(CallbackOutcome::Ignored("unknown request"));
        };
        let row = self.settle(row).await?;
        let changes = Changes { request_id: Some(request_id), ..Changes::default() };
        if !self.apply(&row, Event::RejectionReceived, changes).await? {
            self.inner.store.record_event(Some(&row.id), "duplicate_callback", Some(status)).await?;
            return Ok(CallbackOutcome::Ignored("duplicate"));
        }
        Ok(CallbackOutcome::Accepted)
    }

    /// Fetches and checks the profile of an approved sign-in, retrying while the token lives.
    pub async fn complete(&self, id: &str) {
        if let Err(e) = self.try_complete(id).await {
            // The row stays in `Fetching`; the next start-up (or sweep) picks it up again.
            tracing::error!(sign_in = %short(id), error = %e, "could not finish an approved sign-in");
        }
    }

    async fn try_complete(&self, id: &str) -> Result<(), Error> {
        let s = &self.inner;
        let row = self.row(id).await?;
        let (Phase::Fetching, Some(token), Some(url)) = (row.phase, row.access_token.as_deref(), row.profile_url.as_deref())
        else {
            return Ok(());
        };
        let url = Url::parse(url).map_err(|_| Error::Corrupt("stored profile URL"))?;
        let expires = row.approved_at.unwrap_or(row.created_at) + s.settings.token_ttl.as_millis() as i64;
        let mut delay = Duration::from_millis(250);
        let profile = loop {
            let detail = match s.truecaller.fetch_profile(&url, token).await {
                ProfileOutcome::Profile(profile) => break Some(profile),
                ProfileOutcome::Unusable { detail } => {
                    warn!(sign_in = %short(id), %detail, "profile unusable");
                    break None;
                }
                ProfileOutcome::Unauthorized => "401 Unauthorized".to_owned(),
                ProfileOutcome::Unavailable { detail } => detail,
            };
            if clock::now_ms() + delay.as_millis() as i64 >= expires {
                warn!(sign_in = %short(id), %detail, "profile fetch gave up: token expired");
                break None;
            }
            info!(sign_in = %short(id), %detail, retry_in_ms = delay.as_millis() as u64, "profile fetch will retry");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        };
        match profile {
            Some(profile) => self.verify(&row, &profile).await?,
            None => {
                self.apply(&row, Event::ProfileFailed(FailureReason::ProfileUnavailable), Changes::default()).await?;
            }
        }
        Ok(())
    }

    /// The profile must hold the number that was typed; only then is an account touched.
    async fn verify(&self, row: &SignInRow, profile: &Profile) -> Result<(), Error> {
        let phone = PhoneNumber::from_stored(&row.phone).ok_or(Error::Corrupt("stored phone number"))?;
        if !profile.holds(&phone) {
            warn!(sign_in = %short(&row.id), phone = %self.inner.keys.tag(&phone), "profile does not hold the number typed");
            self.apply(row, Event::ProfileFailed(FailureReason::NumberMismatch), Changes::default()).await?;
            return Ok(());
        }
        let details = profile.details();
        let account = AccountData {
            provider: PROVIDER,
            subject: &profile.subject_for(&phone),
            phone: phone.digits(),
            name: &profile.display_name(),
            details: &details,
            avatar_url: profile.avatar_url.as_deref(),
        };
        match self.inner.store.approve(&row.id, &account).await? {
            Some(saved) => {
                info!(sign_in = %short(&row.id), account = saved.id, new = saved.new, "profile verified");
                self.inner.waiters.wake(&row.id);
            }
            None => self.event(&row.id, "approve_raced", None).await,
        }
        Ok(())
    }

    /// Times out overdue sign-ins (so late approvals are recognised even if no browser polls)
    /// and resumes profile fetches a restart interrupted.
    pub async fn sweep(&self, resume_fetches: bool) -> Result<(), Error> {
        for (id, _) in self.inner.store.overdue(clock::now_ms()).await? {
            let row = self.row(&id).await?;
            self.settle(row).await?;
        }
        if resume_fetches {
            for id in self.inner.store.fetching().await? {
                let service = self.clone();
                tokio::spawn(async move { service.complete(&id).await });
            }
        }
        Ok(())
    }

    /// Finds the sign-in a callback belongs to. Truecaller's requestId first; a `state`, when
    /// given (and it must be when `state_required`), must match the hash we stored. A callback
    /// can only race our own request's answer when it carries our state.
    async fn correlate(&self, request_id: &str, state: Option<&str>, state_required: bool) -> Result<Option<SignInRow>, Error> {
        let store = &self.inner.store;
        let state_hash = state.map(clock::digest);
        let row = match store.sign_in_for_callback(None, request_id).await? {
            Some(row) => Some(row),
            None => match &state_hash {
                Some(hash) => store.sign_in_for_callback(Some(hash), request_id).await?.filter(|r| r.request_id.is_none()),
                None => None,
            },
        };
        let Some(row) = row else {
            store.record_event(None, "unknown_callback", None).await?;
            warn!("callback for an unknown request ignored");
            return Ok(None);
        };
        let state_ok = match &state_hash {
            Some(hash) => *hash == row.state_hash,
            None => !state_required,
        };
        if !state_ok {
            store.record_event(Some(&row.id), "state_mismatch", None).await?;
            warn!(sign_in = %short(&row.id), "callback state does not match; ignored");
            return Ok(None);
        }
        Ok(Some(row))
    }

    /// This browser's current sign-in, with its deadline applied.
    async fn current(&self, session: &AuthSession) -> Result<Option<SignInRow>, Error> {
        let (Some(id), Some(key)) = (session.sign_in_id().await?, session.existing_browser_key().await?) else {
            return Ok(None);
        };
        let browser = clock::digest(&key);
        match self.inner.store.sign_in(&id).await? {
            Some(row) if row.browser == browser => Ok(Some(self.settle(row).await?)),
            _ => {
                session.clear_sign_in_id().await?;
                Ok(None)
            }
        }
    }

    /// A number is locked by `holder`: resume it if it is this browser's, else explain.
    async fn locked(
        &self,
        session: &AuthSession,
        browser: &str,
        phone: &PhoneNumber,
        holder: &str,
        until: i64,
    ) -> Result<SignInStatus, Error> {
        let holder = match self.inner.store.sign_in(holder).await? {
            // An overdue prompt has timed out; it is not stopped by this request.
            Some(row) => Some(self.settle(row).await?),
            None => None,
        };
        let own = holder.as_ref().is_some_and(|h| h.browser == browser);
        if let Some(row) = holder.as_ref().filter(|h| own && h.phase.is_live()) {
            session.set_sign_in_id(&row.id).await?;
            return Ok(self.view(&self.settle(row.clone()).await?));
        }
        let mut stopped = false;
        if !own {
            let tag = self.inner.keys.tag(phone);
            self.inner.store.record_event(None, "locked_elsewhere", Some(&tag)).await?;
            // Whoever answers the prompt now on the phone cannot tell whose it is: make it
            // worthless, so it signs in neither the browser that asked nor this one.
            if let Some(row) = holder {
                stopped = self.apply(&row, Event::Superseded, Changes::default()).await?;
                if stopped {
                    warn!(sign_in = %short(&row.id), phone = %tag, "second browser asked for a pending number; first request stopped");
                }
            }
        }
        Ok(SignInStatus::Locked {
            phone: phone.masked(),
            retry_in_secs: clock::seconds_until(until, clock::now_ms()),
            other_browser: !own,
            stopped_other: stopped,
        })
    }

    /// No sign-in in progress: `SignedIn` if the session already belongs to an account.
    async fn signed_in_view(&self, session: &AuthSession) -> Result<SignInStatus, Error> {
        let Some(account_id) = session.account_id().await? else {
            return Ok(SignInStatus::Idle);
        };
        Ok(match self.inner.store.account(account_id).await? {
            Some(account) => SignInStatus::SignedIn { name: account.name },
            None => SignInStatus::Idle,
        })
    }

    /// The session picks up an approved sign-in; exactly one request wins the claim.
    async fn claim(&self, session: &AuthSession, row: &SignInRow) -> Result<SignInStatus, Error> {
        let account_id = row.account_id.ok_or(Error::Corrupt("approved sign-in without account"))?;
        let account = self.inner.store.account(account_id).await?.ok_or(Error::Corrupt("missing account"))?;
        let new_account = row.new_account;
        if self.apply(row, Event::Claimed, Changes::default()).await? {
            session.sign_in(account_id, new_account).await?;
            return Ok(SignInStatus::SignedIn { name: account.name });
        }
        // Another request from this browser claimed it a moment ago.
        if session.account_id().await? == Some(account_id) {
            return Ok(SignInStatus::SignedIn { name: account.name });
        }
        Ok(SignInStatus::Idle)
    }

    /// Applies the deadline: a sign-in still sending or waiting after it has timed out.
    async fn settle(&self, row: SignInRow) -> Result<SignInRow, Error> {
        if matches!(row.phase, Phase::Sending | Phase::Waiting) && clock::now_ms() >= row.deadline {
            self.apply(&row, Event::DeadlinePassed, Changes::default()).await?;
            return self.row(&row.id).await;
        }
        Ok(row)
    }

    async fn settled(&self, id: &str) -> Result<SignInRow, Error> {
        let row = self.row(id).await?;
        self.settle(row).await
    }

    /// Moves `row` by `event` if the phase allows it and nobody moved it first; wakes waiters.
    async fn apply(&self, row: &SignInRow, event: Event, changes: Changes<'_>) -> Result<bool, Error> {
        let Some(next) = row.phase.on(event) else {
            return Ok(false);
        };
        let moved = self.inner.store.transition(&row.id, row.phase, next, changes).await?;
        if moved {
            self.inner.waiters.wake(&row.id);
        }
        Ok(moved)
    }

    async fn row(&self, id: &str) -> Result<SignInRow, Error> {
        self.inner.store.sign_in(id).await?.ok_or(Error::Corrupt("sign-in vanished"))
    }

    /// Audit events are best effort: failing to write one must not fail the sign-in.
    async fn event(&self, id: &str, event: &str, detail: Option<&str>) {
        if let Err(e) = self.inner.store.record_event(Some(id), event, detail).await {
            warn!(sign_in = %short(id), error = %e, "audit event not recorded");
        }
    }

    /// When the number's lock taken by `row` runs out.
    fn lock_end(&self, row: &SignInRow) -> i64 {
        row.created_at + self.inner.settings.lock.as_millis() as i64
    }

    fn view(&self, row: &SignInRow) -> SignInStatus {
        let now = clock::now_ms();
        let masked = || PhoneNumber::from_stored(&row.phone).map(|p| p.masked()).unwrap_or_default();
        match row.phase {
            Phase::Sending | Phase::Waiting => {
                SignInStatus::Waiting { phone: masked(), seconds_left: clock::seconds_until(row.deadline, now) }
            }
            Phase::Fetching | Phase::Approved => SignInStatus::Approved { phone: masked() },
            Phase::Rejected => SignInStatus::Rejected,
            Phase::TimedOut => SignInStatus::TimedOut { retry_in_secs: clock::seconds_until(self.lock_end(row), now) },
            Phase::ApprovedLate => SignInStatus::ApprovedTooLate,
            Phase::Superseded => SignInStatus::Superseded { retry_in_secs: clock::seconds_until(self.lock_end(row), now) },
            Phase::NotUser => SignInStatus::NotTruecallerUser,
            Phase::Failed(reason) => SignInStatus::Failed { reason },
            Phase::Completed | Phase::Cancelled => SignInStatus::Idle,
        }
    }
}

/// The first characters of an id: enough to follow one sign-in through the logs.
fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}
