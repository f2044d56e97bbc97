//! Finishing an approved sign-in: fetch the profile, check it, save the account.

use std::time::Duration;

use tracing::{info, instrument, warn};
use url::Url;

use super::{audit::Audit, short, Event, Phase, SignInService};
use crate::{
    domain::{FailureReason, Flow, Provider},
    server::{
        clock,
        error::Error,
        phone::PhoneNumber,
        providers::truecaller::profile::Profile,
        store::{Changes, Identity, ProfileData, SignInRow, Store},
        providers::truecaller::ProfileOutcome,
    },
};

/// How long a claim on a profile fetch lasts unless renewed. Its holder renews it every third of
/// that while fetching; when an instance stops or dies mid-fetch, another takes over within it.
/// (Instances compare it with their own clocks: they must agree to within a few seconds.)
pub const FETCH_LEASE: Duration = Duration::from_secs(15);

/// One task's claim on a sign-in's profile fetch. A task of its own renews it (never the fetch's
/// task: a renewal waiting on the row lock of the fetch's own transaction would wait forever);
/// dropping the claim stops the renewals.
pub(super) struct FetchLease {
    store: Store,
    id: String,
    holder: String,
    renewals: tokio::task::JoinHandle<()>,
}

impl FetchLease {
    /// Claims the fetch, or `None` when another claim runs (or the fetch is over).
    async fn take(store: &Store, id: &str) -> Result<Option<Self>, Error> {
        let holder = clock::random_token();
        if !store.lease_fetch(id, &holder, clock::now_ms(), lease_until()).await? {
            return Ok(None);
        }
        let renewals = tokio::spawn({
            let (store, id, holder) = (store.clone(), id.to_owned(), holder.clone());
            async move {
                let mut every = tokio::time::interval(FETCH_LEASE / 3);
                every.tick().await;
                loop {
                    every.tick().await;
                    match store.lease_fetch(&id, &holder, clock::now_ms(), lease_until()).await {
                        Ok(true) => {}
                        Ok(false) => return,
                        Err(e) => warn!(error = %e, "could not renew the profile fetch's lease"),
                    }
                }
            }
        });
        Ok(Some(Self { store: store.clone(), id: id.to_owned(), holder, renewals }))
    }

    /// Whether the claim still holds (renewing it). Asked before every retry: an instance whose
    /// renewals stalled past the lease must not fetch a token another instance has taken over.
    pub(super) async fn still_held(&self) -> bool {
        match self.store.lease_fetch(&self.id, &self.holder, clock::now_ms(), lease_until()).await {
            Ok(held) => held,
            Err(e) => {
                warn!(error = %e, "could not confirm the profile fetch's lease; leaving it");
                false
            }
        }
    }
}

impl Drop for FetchLease {
    fn drop(&mut self) {
        self.renewals.abort();
    }
}

fn lease_until() -> i64 {
    clock::now_ms() + FETCH_LEASE.as_millis() as i64
}

impl SignInService {
    /// Fetches and checks the profile of an approved sign-in, retrying while the token lives
    /// (DigiLocker: while Sandbox may still answer). Only the holder of the fetch's lease does:
    /// several instances (or a sweep and a callback) may ask at once; one fetches.
    #[instrument(skip_all, fields(sign_in = %short(id)))]
    pub async fn complete(&self, id: &str) {
        let lease = match FetchLease::take(&self.inner.store, id).await {
            Ok(Some(lease)) => lease,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "could not claim an approved sign-in's profile fetch");
                return;
            }
        };
        if let Err(e) = self.try_complete(id, &lease).await {
            // The row stays in `Fetching`; once the lease lapses, the sweep tries again.
            tracing::error!(error = %e, "could not finish an approved sign-in");
        }
    }

    async fn try_complete(&self, id: &str, lease: &FetchLease) -> Result<(), Error> {
        let s = &self.inner;
        let row = self.row(id).await?;
        if row.phase != Phase::Fetching {
            return Ok(());
        }
        if row.flow == Flow::DigiLocker {
            return self.complete_digilocker(&row, lease).await;
        }
        // Without a token or a usable URL there is nothing to fetch, ever: say so now rather
        // than leave the sign-in to be resumed again and again.
        let stored = (row.provider_token.as_deref(), row.profile_url.as_deref().and_then(|u| Url::parse(u).ok()));
        let (Some(token), Some(url)) = stored else {
            tracing::error!("approved sign-in without a token or a profile URL");
            self.apply(&row, Event::ProfileFailed(FailureReason::ProfileUnavailable), Changes::default()).await?;
            return Ok(());
        };
        let expires = row.approved_at.unwrap_or(row.created_at) + s.settings.token_ttl.as_millis() as i64;
        let mut delay = Duration::from_millis(250);
        let profile = loop {
            let asked = std::time::Instant::now();
            let outcome = s.truecaller.fetch_profile(&url, token).await;
            let result = match &outcome {
                ProfileOutcome::Profile(_) => "ok",
                ProfileOutcome::Unauthorized => "unauthorized",
                ProfileOutcome::Unavailable { .. } => "unavailable",
                ProfileOutcome::Unusable { .. } => "unusable",
            };
            crate::server::metrics::profile_fetch("truecaller", result, asked.elapsed());
            let detail = match outcome {
                ProfileOutcome::Profile(profile) => break Some(profile),
                ProfileOutcome::Unusable { detail } => {
                    warn!(%detail, "profile unusable");
                    break None;
                }
                ProfileOutcome::Unauthorized => "401 Unauthorized".to_owned(),
                ProfileOutcome::Unavailable { detail } => detail,
            };
            if clock::now_ms() + delay.as_millis() as i64 >= expires {
                warn!(%detail, "profile fetch gave up: token expired");
                break None;
            }
            info!(%detail, retry_in_ms = delay.as_millis() as u64, "profile fetch will retry");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
            if !lease.still_held().await {
                warn!("profile fetch left to the instance that took its lease over");
                return Ok(());
            }
        };
        match profile {
            Some(profile) => self.verify(&row, &profile).await?,
            None => {
                self.apply(&row, Event::ProfileFailed(FailureReason::ProfileUnavailable), Changes::default()).await?;
            }
        }
        Ok(())
    }

    /// The profile must hold the number that was typed; only then is an account touched. A
    /// one-tap attempt has nothing typed: the profile's own number is the one verified (the
    /// Truecaller app on the phone vouches for it, as it does for a desktop approval).
    pub(super) async fn verify(&self, row: &SignInRow, profile: &Profile) -> Result<(), Error> {
        let phone = match row.phone.as_deref() {
            Some(typed) => PhoneNumber::from_stored(typed).ok_or(Error::Corrupt("stored number"))?,
            None => match profile.phone_numbers.iter().find_map(|n| PhoneNumber::from_stored(n)) {
                Some(own) => own,
                None => {
                    warn!("one-tap profile has no valid number");
                    self.apply(row, Event::ProfileFailed(FailureReason::ProfileUnavailable), Changes::default()).await?;
                    return Ok(());
                }
            },
        };
        if !profile.holds(&phone) {
            warn!(phone = %self.inner.keys.tag(&phone), "profile does not hold the number typed");
            self.apply(row, Event::ProfileFailed(FailureReason::NumberMismatch), Changes::default()).await?;
            return Ok(());
        }
        let details = profile.details();
        let identity = Identity {
            provider: Provider::Truecaller,
            subject: &profile.subject_for(&phone),
            phone: Some(phone.digits()),
            name: &profile.display_name(),
            profile: Some(ProfileData { details: &details, avatar_url: profile.avatar_url.as_deref() }),
        };
        self.approve(row, &identity).await
    }

    /// Saves the account of a verified identity and moves the sign-in on, as the phase machine
    /// says a verified profile does.
    pub(super) async fn approve(&self, row: &SignInRow, identity: &Identity<'_>) -> Result<(), Error> {
        let Some(next) = row.phase.on(Event::ProfileVerified) else {
            self.audit_best_effort(&row.id, Audit::ApproveRaced).await;
            return Ok(());
        };
        match self.inner.store.approve(&row.id, row.phase, next, identity).await? {
            Some(saved) => {
                super::moved_to(row, next);
                info!(account = saved.id, new = saved.new, provider = identity.provider.as_str(), "identity verified");
                self.inner.waiters.wake(&row.id);
            }
            None => self.audit_best_effort(&row.id, Audit::ApproveRaced).await,
        }
        Ok(())
    }
}
