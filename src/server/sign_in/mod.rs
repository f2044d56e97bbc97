//! The sign-in rules: start a prompt, follow it through Truecaller's callback and the profile
//! check, and hand the result to the browser that asked. Phases live in [`phase`]; storage in
//! `store`; this module decides.

mod audit;
mod callbacks;
mod complete;
mod devices;
#[cfg(feature = "digilocker")]
mod digilocker;
// A build without DigiLocker: nothing to ask Sandbox, and a DigiLocker sign-in left by a build
// that had it fails rather than waits.
#[cfg(not(feature = "digilocker"))]
#[path = "without_digilocker.rs"]
mod digilocker;
mod erasure;
mod hook;
mod inbox;
mod more_time;
mod one_tap;
mod start;
mod status;
mod upkeep;
mod view;

use std::{sync::Arc, time::Duration};

use tracing::warn;
use url::Url;

pub use super::phase::{Event, Phase};
use crate::domain::Provider;
pub use callbacks::{Callback, CallbackOutcome};
pub use devices::SignedIn;
#[cfg(feature = "digilocker")]
pub use digilocker::DigiLockerStart;
pub use hook::{AccountEvent, OnAccountEvent};
pub use status::{Held, Woken};
pub use view::account_view;

#[cfg(feature = "digilocker")]
use super::providers::sandbox::SandboxClient;
use super::{
    clock,
    countries::Countries,
    error::Error,
    keys::NumberKeys,
    session::SessionRecords,
    providers::truecaller::{deep_link::OneTapLook, TruecallerClient},
    store::{Changes, Retention, SignInRow, Store},
    throttle::{Limits, RequestLimiter},
    waiters::Waiters,
};

pub struct Settings {
    pub signin_timeout: Duration,
    pub lock: Duration,
    /// The countries numbers may come from, and the one a number without a code is read in.
    pub countries: Arc<Countries>,
    /// Truecaller's access tokens live 10 minutes; profile fetches are retried within that.
    pub token_ttl: Duration,
    pub limits: Limits,
    /// How long a browser waits for the person at DigiLocker.
    #[cfg(feature = "digilocker")]
    pub digilocker_timeout: Duration,
    /// Where Sandbox sends the person back after DigiLocker (`PUBLIC_URL/digilocker/return`).
    #[cfg(feature = "digilocker")]
    pub digilocker_return: Url,
    /// What Truecaller's Android sheet shows.
    pub one_tap: OneTapLook,
    /// Simulator mode: the stand-in sheet (`PUBLIC_URL/simulator/sheet`) a one-tap opens.
    pub simulated_sheet: Option<Url>,
    /// How long what is no longer in use is kept.
    pub retention: Retention,
    /// The host app's handler for sign-ins and removed accounts, if it has one.
    pub on_account_event: Option<OnAccountEvent>,
}

/// The clients of the providers sign-ins go through.
pub struct Providers {
    pub truecaller: TruecallerClient,
    /// `None`: DigiLocker is not offered.
    #[cfg(feature = "digilocker")]
    pub sandbox: Option<SandboxClient>,
}

#[derive(Clone)]
pub struct SignInService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    truecaller: TruecallerClient,
    #[cfg(feature = "digilocker")]
    sandbox: Option<SandboxClient>,
    /// The session store's records: a device signed out elsewhere loses its record too.
    sessions: SessionRecords,
    waiters: Waiters,
    limiter: RequestLimiter,
    keys: NumberKeys,
    settings: Settings,
    /// Callbacks on their way into the inbox.
    intake: inbox::Intake,
    /// Told when a callback is taken in, so the inbox's worker records it at once.
    inbox_ready: Arc<tokio::sync::Notify>,
    /// When Sandbox was last asked about each DigiLocker sign-in (one call at a time).
    sandbox_asks: digilocker::SandboxAsks,
}

/// Longest a `status` request is held open.
pub const MAX_WAIT: Duration = Duration::from_secs(25);

impl SignInService {
    /// The countries numbers may come from (for the page's picker).
    pub fn countries(&self) -> &Countries {
        &self.inner.settings.countries
    }

    pub fn new(store: Store, sessions: SessionRecords, providers: Providers, keys: NumberKeys, settings: Settings) -> Self {
        let inner = Inner {
            store,
            sessions,
            truecaller: providers.truecaller,
            #[cfg(feature = "digilocker")]
            sandbox: providers.sandbox,
            waiters: Waiters::default(),
            limiter: RequestLimiter::new(&settings.limits),
            keys,
            settings,
            intake: inbox::Intake::default(),
            inbox_ready: Arc::default(),
            sandbox_asks: digilocker::SandboxAsks::default(),
        };
        Self { inner: Arc::new(inner) }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// How many sign-ins have a status request held open on this instance (diagnostics, tests).
    pub fn held_requests(&self) -> usize {
        self.inner.waiters.count()
    }

    /// How many status requests are held open on this instance, all sign-ins together
    /// (diagnostics, tests).
    pub fn held_waits(&self) -> usize {
        self.inner.waiters.held()
    }

    /// For readiness checks: did Truecaller refuse our app key on its latest answer to any
    /// instance?
    pub async fn app_key_rejected(&self) -> Result<bool, Error> {
        Ok(self.inner.store.key_rejected(Provider::Truecaller).await?)
    }

    /// Records whether Truecaller just accepted or refused our app key (the statement changes
    /// nothing unless the verdict changed; every instance's readiness reads it).
    async fn note_app_key(&self, rejected: bool) {
        if let Err(e) = self.inner.store.set_key_rejected(Provider::Truecaller, rejected).await {
            warn!(error = %e, "could not record Truecaller's verdict on our app key");
        }
    }

    /// Tells the host app (when it asked to be told) what happened to an account; `event` is
    /// made only then (a sign-in's costs a masked number, on the claim's hot path).
    async fn tell(&self, event: impl FnOnce() -> AccountEvent) {
        if let Some(handler) = &self.inner.settings.on_account_event {
            handler(event()).await;
        }
    }

    /// Wakes the requests held for `id` on every instance, outside a move (a browser starting
    /// over or cancelling ends its held requests wherever they are held).
    async fn wake_everywhere(&self, id: &str) {
        self.inner.waiters.wake(id);
        if let Err(e) = self.inner.store.announce_wake(id).await {
            warn!(sign_in = %short(id), error = %e, "could not tell other instances to wake their waiters");
        }
    }

    /// Applies the deadline: a sign-in still sending or waiting after it has timed out. DigiLocker
    /// is asked first: the person may have consented in the last moments.
    async fn settle(&self, row: SignInRow) -> Result<SignInRow, Error> {
        if matches!(row.phase, Phase::Sending | Phase::Waiting) && clock::now_ms() >= row.deadline {
            let row = self.check_digilocker(row).await?;
            if !matches!(row.phase, Phase::Sending | Phase::Waiting) {
                return Ok(row);
            }
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
            moved_to(row, next);
            self.inner.waiters.wake(&row.id);
        }
        Ok(moved)
    }

    async fn row(&self, id: &str) -> Result<SignInRow, Error> {
        self.inner.store.sign_in(id).await?.ok_or(Error::Corrupt("sign-in vanished"))
    }

    /// When the number's lock taken by `row` runs out. An attempt without a typed number (one-tap)
    /// locked nothing: its lock ends as it starts, so another go may start at once.
    fn lock_end(&self, row: &SignInRow) -> i64 {
        match row.phone {
            Some(_) => row.created_at + self.inner.settings.lock.as_millis() as i64,
            None => row.created_at,
        }
    }
}

/// Counts a phase move (the final phases are the outcomes operators watch).
fn moved_to(row: &SignInRow, next: Phase) {
    metrics::counter!(super::metrics::TRANSITIONS, "provider" => row.provider().as_str(), "to" => next.as_str()).increment(1);
}

/// Counts a sign-in started.
fn started(provider: crate::domain::Provider, flow: &'static str) {
    metrics::counter!(super::metrics::STARTED, "provider" => provider.as_str(), "flow" => flow).increment(1);
}

/// The first characters of an id: enough to follow one sign-in through the logs.
fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}
