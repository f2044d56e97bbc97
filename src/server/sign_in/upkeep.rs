//! Work no request asks for: deadlines, interrupted fetches, idle limits, shutdown.

use super::SignInService;
use crate::server::{clock, error::Error};

impl SignInService {
    /// The server is stopping: held `status` requests answer now (the browser asks again and
    /// reaches the next instance), so shutdown does not wait out their long-polls.
    pub fn begin_shutdown(&self) {
        self.inner.waiters.close();
    }

    /// Drops idle per-IP and per-browser buckets (called periodically).
    pub fn forget_idle_limits(&self) {
        self.inner.limiter.forget_idle();
    }

    /// Times out overdue sign-ins (so late approvals are recognised even if no browser polls)
    /// and resumes profile fetches a restart interrupted.
    pub async fn sweep(&self, resume_fetches: bool) -> Result<(), Error> {
        for id in self.inner.store.overdue(clock::now_ms()).await? {
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
}
