//! What the browser asks: where its sign-in stands (held until it changes), giving up, and
//! picking up an approved sign-in.

use std::time::{Duration, Instant};

use super::{view::account_view, AccountEvent, Event, Phase, SignInService, MAX_WAIT};
use crate::{
    domain::{AccountView, Flow, Provider, SignInStatus},
    server::{
        clock,
        error::Error,
        session::AuthSession,
        store::{Changes, SignInRow},
    },
};

/// How often a held request's waiting DigiLocker sign-in is checked with Sandbox (it sends no
/// callback).
const DIGILOCKER_POLL: Duration = Duration::from_secs(2);

/// A status request that may be held: on which sign-in, in which phase, and for how long.
pub struct Held {
    id: String,
    initial: Phase,
    limit: Duration,
}

/// The sign-in as the wake of a request held before routing found it, passed on with the request (an extension) so
/// the answer does not read it again. Only the server puts it there.
#[derive(Clone)]
pub struct Woken(SignInRow);

impl SignInService {
    /// Where this browser's sign-in stands. With `wait`, holds the answer until the phase changes
    /// or `wait` passes; the first call that sees an approval signs the session in. `lang`: the
    /// page's language (a one-tap wait's link to the sheet carries it).
    ///
    /// Thousands of these may be held at once, and an `async fn` is as large as its largest
    /// step: every step that reads or writes is boxed, so a held request keeps only the wait.
    /// `woken`: the sign-in as the wake of this request's hold before routing found it, if it was held there.
    pub async fn status(
        &self,
        session: &AuthSession,
        wait: Duration,
        lang: &str,
        woken: Option<Woken>,
    ) -> Result<SignInStatus, Error> {
        let Some(mut row) = Box::pin(self.current_or_woken(session, woken.map(|Woken(row)| row))).await? else {
            return Box::pin(self.signed_in_view(session)).await;
        };
        if wait.is_zero() {
            // A page load (or the no-JS page's refresh) holds nothing: ask DigiLocker now.
            row = Box::pin(self.check_digilocker(row)).await?;
        }
        let limit = self.hold_limit(&row, wait);
        if !limit.is_zero() {
            row = self.hold(row, limit).await?;
        }
        if row.phase == Phase::Approved {
            return Box::pin(self.claim(session, &row)).await;
        }
        Ok(self.view_in(&row, lang))
    }

    /// How long a status request for `row` may be held, within the `wait` the browser asked for.
    fn hold_limit(&self, row: &SignInRow, wait: Duration) -> Duration {
        let wait = wait.min(MAX_WAIT);
        let until = |at: i64| Duration::from_millis((at - clock::now_ms()).max(0) as u64 + 50);
        match (row.provider(), row.phase) {
            // Wake at the deadline too, so the browser hears about a timeout on time.
            (_, Phase::Sending | Phase::Waiting) => wait.min(until(row.deadline)),
            (_, Phase::Fetching) => wait,
            // Until the number's lock ends, a late approval may still come in.
            (Provider::Truecaller, Phase::TimedOut) => wait.min(until(self.lock_end(row))),
            _ => Duration::ZERO,
        }
    }

    /// Whether a status request may be held before the session layer and the app run
    /// (`server::web::hold`) on the Truecaller sign-in `sign_in_id`, owned by `browser_key`, for up to
    /// `wait`. `None` when there is nothing to wait for here (unknown, finished, not this
    /// browser's, or DigiLocker, whose wait asks Sandbox as it goes): the request is then answered
    /// as asked.
    pub async fn holdable(&self, sign_in_id: &str, browser_key: &str, wait: Duration) -> Option<Held> {
        let row = match self.inner.store.sign_in(sign_in_id).await {
            Ok(Some(row)) if row.browser == clock::digest(browser_key) && row.provider() == Provider::Truecaller => row,
            _ => return None,
        };
        let row = self.settle(row).await.ok()?;
        let limit = self.hold_limit(&row, wait);
        (!limit.is_zero()).then_some(Held { id: row.id, initial: row.phase, limit })
    }

    /// Holds a request (held before routing) until its sign-in changes phase or its time is up. Whatever ends
    /// the wait (a change, a wake, the limit, a failed read), the app answers; with the sign-in
    /// as found, when it changed.
    pub async fn wait_held(&self, held: Held) -> Option<Woken> {
        let Held { id, initial, limit } = held;
        self.changed_from(&id, initial, limit).await.and_then(Result::ok).map(Woken)
    }

    /// Waits up to `limit` for the sign-in `id` to leave `initial`: the one wait of every status
    /// request, held before routing ([`Self::wait_held`]) or held in the app ([`Self::hold`]).
    /// `None` when the time is up, or a wake (starting over, shutdown) changed nothing.
    async fn changed_from(&self, id: &str, initial: Phase, limit: Duration) -> Option<Result<SignInRow, Error>> {
        let check = || async {
            match self.settled(id).await {
                Ok(row) if row.phase == initial => None,
                other => Some(other),
            }
        };
        self.inner.waiters.wait_for(id, limit, check).await
    }

    /// Waits up to `limit` for `row` to change phase. DigiLocker sends no callback: while it
    /// waits, Sandbox is asked every [`DIGILOCKER_POLL`]; everything else is woken by the change.
    async fn hold(&self, mut row: SignInRow, limit: Duration) -> Result<SignInRow, Error> {
        let initial = row.phase;
        let id = row.id.clone();
        let ends = Instant::now() + limit;
        loop {
            // A build without DigiLocker has no Sandbox to ask.
            let asks_sandbox = cfg!(feature = "digilocker") && row.flow == Flow::DigiLocker && row.phase == Phase::Waiting;
            if asks_sandbox {
                row = Box::pin(self.check_digilocker(row)).await?;
            }
            let left = ends.saturating_duration_since(Instant::now());
            if row.phase != initial || left.is_zero() {
                return Ok(row);
            }
            let chunk = if asks_sandbox { left.min(DIGILOCKER_POLL) } else { left };
            row = match self.changed_from(&id, initial, chunk).await {
                Some(result) => result?,
                None => Box::pin(self.settled(&id)).await?,
            };
            // A wake that changed nothing still answers (starting over, shutdown); only a
            // DigiLocker wait goes round again, to ask Sandbox once more.
            if !asks_sandbox || self.inner.waiters.is_closed() {
                return Ok(row);
            }
        }
    }

    /// The browser gives up on its sign-in ("use another number").
    pub async fn cancel(&self, session: &AuthSession) -> Result<SignInStatus, Error> {
        if let Some(row) = self.current(session).await? {
            if row.phase.on(Event::Cancelled).is_some() {
                self.apply(&row, Event::Cancelled, Changes::default()).await?;
            }
            self.wake_everywhere(&row.id).await;
        }
        session.clear_sign_in_id().await?;
        Ok(SignInStatus::Idle)
    }

    /// This browser's current sign-in, with its deadline applied.
    pub(super) async fn current(&self, session: &AuthSession) -> Result<Option<SignInRow>, Error> {
        self.current_or_woken(session, None).await
    }

    /// The same, taking the row a wake just read (`woken`) instead of reading it when it is still
    /// the session's sign-in (the browser may have started over or cancelled meanwhile).
    async fn current_or_woken(&self, session: &AuthSession, woken: Option<SignInRow>) -> Result<Option<SignInRow>, Error> {
        let (Some(id), Some(key)) = (session.sign_in_id().await?, session.existing_browser_key().await?) else {
            return Ok(None);
        };
        let row = match woken {
            Some(row) if row.id == id => Some(row),
            _ => self.inner.store.sign_in(&id).await?,
        };
        match row {
            Some(row) if row.browser == clock::digest(&key) => Ok(Some(self.settle(row).await?)),
            _ => {
                session.clear_sign_in_id().await?;
                Ok(None)
            }
        }
    }

    /// No sign-in in progress: `SignedIn` if the session already belongs to an account.
    pub(super) async fn signed_in_view(&self, session: &AuthSession) -> Result<SignInStatus, Error> {
        Ok(match self.signed_in_account(session).await? {
            Some(account) => SignInStatus::SignedIn(Box::new(account)),
            None => SignInStatus::Idle,
        })
    }

    /// The account this browser is signed in to (as `signed_in_to`: an account gone meanwhile ends the session).
    pub async fn signed_in_account(&self, session: &AuthSession) -> Result<Option<AccountView>, Error> {
        let Some((_, account)) = self.signed_in_to(session).await? else {
            return Ok(None);
        };
        Ok(Some(account_view(account, session.new_account().await?)))
    }

    /// The session picks up an approved sign-in; exactly one request wins the claim. An account
    /// deleted between the approval and the claim signs nobody in (the sign-in is given up).
    pub(super) async fn claim(&self, session: &AuthSession, row: &SignInRow) -> Result<SignInStatus, Error> {
        let account = match row.account_id {
            Some(id) => self.inner.store.account(id).await?.map(|account| (id, account)),
            None => None,
        };
        let Some((account_id, account)) = account else {
            self.apply(row, Event::AccountDeleted, Changes::default()).await?;
            session.clear_sign_in_id().await?;
            return Ok(SignInStatus::Idle);
        };
        let new_account = row.new_account;
        if self.apply(row, Event::Claimed, Changes::default()).await? {
            let signed = session.sign_in(account_id, new_account).await?;
            let provider = row.provider();
            self.record_device(session, account_id, &signed, Some(provider), clock::now_ms()).await?;
            self.tell(|| {
                let user = super::devices::user(account_id, &account, Some(provider));
                AccountEvent::SignedIn { user, provider, new_account }
            })
            .await;
            return Ok(SignInStatus::SignedIn(Box::new(account_view(account, new_account))));
        }
        // Another request from this browser claimed it a moment ago.
        if self.signed_in(session).await?.is_some_and(|me| me.account_id == account_id) {
            return Ok(SignInStatus::SignedIn(Box::new(account_view(account, session.new_account().await?))));
        }
        Ok(SignInStatus::Idle)
    }
}
