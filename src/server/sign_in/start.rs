//! Starting a sign-in: the browser asks for a prompt on a typed number.

use std::net::IpAddr;

use tracing::{field::Empty, info, instrument, warn, Span};

use super::{audit::Audit, short, Event, SignInService};
use crate::{
    domain::{FailureReason, Flow, Provider, SignInStatus},
    server::{
        clock,
        error::Error,
        phone::PhoneNumber,
        session::AuthSession,
        store::{Changes, NewSignIn, SignInRow, Start, TypedNumber},
        throttle,
        providers::truecaller::RequestOutcome,
    },
};

/// An attempt the limits let through: the browser's key (not yet stored if it is new) and its hash.
pub(super) struct Admitted {
    pub key: String,
    pub browser: String,
}

impl SignInService {
    /// The browser at `client` asks for a prompt on `input` (as typed), with `country` chosen
    /// for a number typed without its code.
    #[instrument(skip_all, fields(sign_in = Empty))]
    pub async fn initiate(&self, session: &AuthSession, input: &str, country: Option<&str>, client: IpAddr) -> Result<SignInStatus, Error> {
        let s = &self.inner;
        let admitted = self.admit(session, client).await?;
        let phone = s.settings.countries.parse(input, country)?;
        let browser = admitted.browser.clone();
        let tag = s.keys.tag(&phone);
        let same_number = |row: &SignInRow| row.flow == Flow::Desktop && row.phone.as_deref() == Some(phone.digits());
        if let Some(current) = self.leave_current(session, same_number).await? {
            return Ok(self.view(&current));
        }

        let id = clock::random_token();
        Span::current().record("sign_in", short(&id));
        let state = clock::random_token();
        let now = clock::now_ms();
        let limits = &s.settings.limits;
        let new = NewSignIn {
            id: &id,
            flow: Flow::Desktop,
            browser: &browser,
            number: Some(TypedNumber {
                digits: phone.digits(),
                key: &s.keys.key(&phone),
                tag: &tag,
                lock_until: now + s.settings.lock.as_millis() as i64,
                query: limits.number_query(now),
            }),
            state_hash: Some(&clock::digest(&state)),
            provider_ref: None,
            deadline: now + s.settings.signin_timeout.as_millis() as i64,
        };
        let sending = match s.store.start(&new, |history| throttle::number_verdict(history, limits, now)).await? {
            Start::Started(row) => row,
            Start::Locked { holder, until } => return self.locked(session, &browser, &phone, &holder, until).await,
            Start::Refused(throttled) => {
                // The log line is the record: a refused start writes nothing.
                warn!(event = "excess_rate_limit_exceeded", phone = %tag, cause = ?throttled.cause, "sign-in request refused by a per-number limit");
                return Err(Error::Throttled(throttled));
            }
        };
        super::started(Provider::Truecaller, "number");
        session.begin(&admitted.key, &id, &throttle::network_of(client)).await?;

        let outcome = s.truecaller.request_sign_in(&phone, &state).await;
        if !matches!(outcome, RequestOutcome::Unavailable { .. }) {
            self.note_app_key(outcome == RequestOutcome::InvalidAppKey).await;
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
                warn!(%detail, "Truecaller request failed");
                (Event::SendFailed(FailureReason::ProviderUnavailable), None)
            }
        };
        let changes = Changes { provider_ref: request_id.as_deref(), ..Changes::default() };
        let moved = self.apply(&sending, event, changes).await?;
        info!(phone = %tag, ?event, "sign-in requested");
        match (moved, sending.phase.on(event)) {
            (true, Some(next)) => Ok(self.view(&SignInRow { phase: next, provider_ref: request_id, ..sending })),
            // A callback moved it first (the phone answered before Truecaller answered us).
            _ => Ok(self.view(&self.row(&id).await?)),
        }
    }

    /// Counts this attempt against the client's and the browser's limits. A flood must not cost
    /// a session or database write per request: this instance's buckets in memory come first,
    /// and the log line is the record; only then the counters every instance shares, in one
    /// statement. Nothing is kept in the session: the browser's key (a new one for a browser
    /// that has none) is stored by [`AuthSession::begin`] once a sign-in actually starts.
    pub(super) async fn admit(&self, session: &AuthSession, client: IpAddr) -> Result<Admitted, Error> {
        let refused = |throttled| {
            warn!(event = "excess_rate_limit_exceeded", client = %throttle::network_of(client), "sign-in request refused by a rate limit");
            Error::Throttled(throttled)
        };
        let s = &self.inner;
        s.limiter.check_client(client).map_err(refused)?;
        let key = session.existing_browser_key().await?.unwrap_or_else(clock::random_token);
        let browser = clock::digest(&key);
        s.limiter.check_browser(&browser).map_err(refused)?;
        let buckets = throttle::buckets(client);
        let client_keys = throttle::ClientKeys {
            own: s.keys.client(&buckets.own.to_string()),
            wide: buckets.wide.map(|wide| s.keys.client(&format!("{wide}/48"))),
        };
        let now = clock::now_ms();
        let counts = s.store.count_requests(&throttle::request_counters(&s.settings.limits, &client_keys, &browser), now).await?;
        match throttle::request_verdict(&counts, now) {
            Some(throttled) => Err(refused(throttled)),
            None => Ok(Admitted { key, browser }),
        }
    }

    /// The browser starts over: its current sign-in, if still live, is cancelled, unless it is
    /// the very attempt asked for again (`same`), which is returned to resume.
    pub(super) async fn leave_current(
        &self,
        session: &AuthSession,
        same: impl Fn(&SignInRow) -> bool,
    ) -> Result<Option<SignInRow>, Error> {
        let Some(current) = self.current(session).await? else {
            return Ok(None);
        };
        if current.phase.is_live() && same(&current) {
            return Ok(Some(current));
        }
        if current.phase.is_live() {
            self.apply(&current, Event::Cancelled, Changes::default()).await?;
        }
        // A request still held for the old attempt (e.g. a timed-out page listening for a late
        // approval) answers now, so the page's next one is about this attempt.
        self.wake_everywhere(&current.id).await;
        Ok(None)
    }

    /// A number is locked by `holder`: resume it if it is this browser's, else explain.
    pub(super) async fn locked(
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
            self.audit(None, Audit::LockedElsewhere { tag: &tag }).await?;
            // Whoever answers the prompt now on the phone cannot tell whose it is: make it
            // worthless, so it signs in neither the browser that asked nor this one.
            if let Some(row) = holder {
                stopped = self.apply(&row, Event::Superseded, Changes::default()).await?;
                if stopped {
                    warn!(stopped = %short(&row.id), phone = %tag, "second browser asked for a pending number; first request stopped");
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
}
