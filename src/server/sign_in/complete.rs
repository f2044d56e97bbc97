//! Finishing an approved sign-in: fetch the profile, check it, save the account.

use std::time::Duration;

use tracing::{info, instrument, warn};
use url::Url;

use super::{short, Event, Phase, SignInService};
use crate::{
    domain::{FailureReason, Provider},
    server::{
        clock,
        error::Error,
        phone::PhoneNumber,
        profile::Profile,
        store::{Changes, Identity, ProfileData, SignInRow},
        truecaller::ProfileOutcome,
    },
};

/// How long a claim on a profile fetch lasts unless renewed. Its holder renews it every third of
/// that while fetching; when an instance stops or dies mid-fetch, another takes over within it.
pub const FETCH_LEASE: Duration = Duration::from_secs(15);

impl SignInService {
    /// Fetches and checks the profile of an approved sign-in, retrying while the token lives
    /// (DigiLocker: while Sandbox may still answer). Only the holder of the fetch's lease does:
    /// several instances (or a sweep and a callback) may ask at once, one token is fetched once.
    #[instrument(skip_all, fields(sign_in = %short(id)))]
    pub async fn complete(&self, id: &str) {
        if let Err(e) = self.leased_complete(id).await {
            // The row stays in `Fetching`; once the lease lapses, the sweep tries again.
            tracing::error!(error = %e, "could not finish an approved sign-in");
        }
    }

    async fn leased_complete(&self, id: &str) -> Result<(), Error> {
        let store = &self.inner.store;
        let holder = clock::random_token();
        let lease_until = || clock::now_ms() + FETCH_LEASE.as_millis() as i64;
        if !store.lease_fetch(id, &holder, clock::now_ms(), lease_until()).await? {
            return Ok(());
        }
        let work = self.try_complete(id);
        tokio::pin!(work);
        let mut renew = tokio::time::interval(FETCH_LEASE / 3);
        renew.tick().await;
        let mut renewing = true;
        loop {
            tokio::select! {
                biased;
                done = &mut work => return done,
                _ = renew.tick(), if renewing => {
                    // The work is never dropped half-way (it may have moved the row and not yet
                    // woken the browser); a lost lease only stops the renewals.
                    match store.lease_fetch(id, &holder, clock::now_ms(), lease_until()).await {
                        Ok(true) => {}
                        Ok(false) => renewing = false,
                        Err(e) => warn!(error = %e, "could not renew the profile fetch's lease"),
                    }
                }
            }
        }
    }

    async fn try_complete(&self, id: &str) -> Result<(), Error> {
        let s = &self.inner;
        let row = self.row(id).await?;
        if row.phase == Phase::Fetching && row.provider == Provider::DigiLocker {
            return self.complete_digilocker(&row).await;
        }
        let (Phase::Fetching, Some(token), Some(url)) = (row.phase, row.provider_token.as_deref(), row.profile_url.as_deref())
        else {
            return Ok(());
        };
        let url = Url::parse(url).map_err(|_| Error::Corrupt("stored profile URL"))?;
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
            self.event(&row.id, "approve_raced", None).await;
            return Ok(());
        };
        match self.inner.store.approve(&row.id, row.phase, next, identity).await? {
            Some(saved) => {
                super::moved_to(row, next);
                info!(account = saved.id, new = saved.new, provider = identity.provider.as_str(), "identity verified");
                self.inner.waiters.wake(&row.id);
            }
            None => self.event(&row.id, "approve_raced", None).await,
        }
        Ok(())
    }
}
