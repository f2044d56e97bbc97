//! Work no request asks for: deadlines, interrupted fetches, retention, idle limits, shutdown.

use std::time::Duration;

use tracing::{info, warn};

use super::{AccountEvent, SignInService};
use crate::server::{
    clock,
    error::Error,
    store::{Heard, Removed},
};

impl SignInService {
    /// The server is stopping: held `status` requests answer now (the browser asks again and
    /// reaches the next instance), so shutdown does not wait out their long-polls.
    pub fn begin_shutdown(&self) {
        self.inner.waiters.close();
    }

    /// Removes what has outlived its retention (finished sign-ins, audit events, idle accounts
    /// when the deployment says so, expired locks and counters), and drops idle per-IP and
    /// per-browser buckets. Called periodically. `None`: another instance was sweeping, and this
    /// one left the round to it.
    pub async fn purge(&self) -> Result<Option<Removed>, Error> {
        self.inner.limiter.forget_idle();
        self.inner.sandbox_asks.forget_idle();
        let removed = self.inner.store.purge(&self.inner.settings.retention, clock::now_ms()).await?;
        if let Some(removed) = removed.as_ref().filter(|r| **r != Removed::default()) {
            let Removed { sign_ins, audit_events, accounts, devices } = removed;
            info!(sign_ins, audit_events, accounts = accounts.len(), devices, "removed what outlived its retention");
            for &account_id in accounts {
                self.tell(|| AccountEvent::Removed { account_id }).await;
            }
        }
        Ok(removed)
    }

    /// Times out overdue sign-ins (so late approvals are recognised even if no browser polls),
    /// resumes profile fetches nobody holds (a restart or a dead instance interrupted them), and
    /// drops callbacks that never could be recorded.
    pub async fn sweep(&self) -> Result<(), Error> {
        for id in self.inner.store.overdue(clock::now_ms()).await? {
            let row = self.row(&id).await?;
            self.settle(row).await?;
        }
        for id in self.inner.store.fetching(clock::now_ms()).await? {
            let service = self.clone();
            tokio::spawn(async move { service.complete(&id).await });
        }
        // A callback that could not be recorded for as long as its token lives never will be
        // of use (its sign-in has timed out too).
        let stale = clock::now_ms() - self.inner.settings.token_ttl.as_millis() as i64;
        let dropped = self.inner.store.drop_stale_callbacks(stale).await?;
        if dropped > 0 {
            warn!(dropped, "callbacks that could not be recorded before their tokens expired were dropped");
        }
        Ok(())
    }
}

/// Pauses between attempts to listen again after the database connection failed.
const RELISTEN_FIRST: Duration = Duration::from_millis(100);
const RELISTEN_MOST: Duration = Duration::from_secs(5);

impl SignInService {
    /// Wakes this instance's waiters when another instance moves their sign-in (PostgreSQL; on
    /// SQLite there is no other instance and this returns at once). Whenever the listening
    /// connection is new, announcements may have been missed meanwhile: every waiter looks again
    /// (and goes on waiting if its sign-in has not moved).
    pub async fn relay_moves(self) {
        let mut pause = RELISTEN_FIRST;
        loop {
            match self.inner.store.listen_for_moves().await {
                Ok(None) => return,
                Ok(Some(mut listener)) => {
                    pause = RELISTEN_FIRST;
                    self.inner.waiters.recheck_all();
                    loop {
                        match listener.next().await {
                            Ok(Heard::Moved(id)) => self.inner.waiters.recheck(&id),
                            Ok(Heard::Woken(id)) => self.inner.waiters.wake(&id),
                            Ok(Heard::Reconnected) => {
                                warn!("wake-up connection dropped and was made again; waiting browsers look again");
                                self.inner.waiters.recheck_all();
                            }
                            Err(e) => {
                                warn!(error = %e, "wake-up connection lost; listening again");
                                break;
                            }
                        }
                    }
                }
                Err(e) => warn!(error = %e, retry_in_ms = pause.as_millis() as u64, "cannot listen for other instances' moves"),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RELISTEN_MOST);
        }
    }
}
