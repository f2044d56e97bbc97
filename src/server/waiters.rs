//! Wakes browsers that are holding a `status` request open when their sign-in changes.
//!
//! Waiters never poll the database: whoever changes a sign-in calls `Waiters::wake`. This is
//! per process; with several instances on PostgreSQL, each listens for the others' moves
//! (`SignInService::relay_moves`) and wakes its own waiters.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use tokio::sync::Notify;

#[derive(Default)]
pub struct Waiters {
    by_sign_in: Mutex<HashMap<String, Arc<Entry>>>,
    /// Set at shutdown: nobody waits any more.
    closed: AtomicBool,
}

/// The waiters of one sign-in.
#[derive(Default)]
struct Entry {
    /// Answer now, changed or not.
    answer: Notify,
    /// Look again; answer only if the sign-in changed.
    recheck: Notify,
}

impl Waiters {
    /// Wakes everyone waiting on `sign_in_id`: they answer now.
    pub fn wake(&self, sign_in_id: &str) {
        let entry = self.lock().get(sign_in_id).cloned();
        if let Some(entry) = entry {
            entry.answer.notify_waiters();
        }
    }

    /// Has everyone waiting on `sign_in_id` look again, answering only if it changed (another
    /// instance says it moved; this instance may have answered for that move already).
    pub fn recheck(&self, sign_in_id: &str) {
        let entry = self.lock().get(sign_in_id).cloned();
        if let Some(entry) = entry {
            entry.recheck.notify_waiters();
        }
    }

    /// Has every waiter look at its sign-in again, and go on waiting if nothing changed (wake-ups
    /// from other instances may have been lost while the database connection was down).
    pub fn recheck_all(&self) {
        // Each entry's own signal rather than one for all: a held request then listens for two
        // signals, not three (64 bytes less for each of thousands of waits).
        for entry in self.lock().values() {
            entry.recheck.notify_waiters();
        }
    }

    /// Ends every wait now and makes later ones return at once (the server is stopping).
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        for entry in self.lock().values() {
            entry.answer.notify_waiters();
        }
    }

    /// Whether the server is stopping (waits end at once).
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Runs `check`, and if it returns `None`, waits up to `timeout` for a wake-up and checks
    /// once more. Registering before the first check means a change in between is never missed.
    /// Each check is boxed, so a waiter parked between checks holds only its notifications.
    pub async fn wait_for<T, F, Fut>(&self, sign_in_id: &str, timeout: Duration, mut check: F) -> Option<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let _waiting = super::metrics::Waiting::start();
        let until = tokio::time::Instant::now() + timeout;
        let entry = self.lock().entry(sign_in_id.to_owned()).or_default().clone();
        let result = loop {
            let (notified, recheck) = (entry.answer.notified(), entry.recheck.notified());
            tokio::pin!(notified, recheck);
            notified.as_mut().enable();
            recheck.as_mut().enable();
            if let Some(value) = Box::pin(check()).await {
                break Some(value);
            }
            if self.closed.load(Ordering::SeqCst) {
                break Box::pin(check()).await;
            }
            tokio::select! {
                _ = notified => break Box::pin(check()).await,
                _ = tokio::time::sleep_until(until) => break Box::pin(check()).await,
                // Look again at the top of the loop; keep waiting if nothing changed.
                _ = recheck => {}
            }
        };
        drop(entry);
        self.forget_if_unused(sign_in_id);
        result
    }

    fn forget_if_unused(&self, sign_in_id: &str) {
        let mut map = self.lock();
        if map.get(sign_in_id).is_some_and(|n| Arc::strong_count(n) == 1) {
            map.remove(sign_in_id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        // A panic while holding this lock cannot leave the map inconsistent; keep serving.
        self.by_sign_in.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many sign-ins have a request held on this instance.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// How many requests are held on this instance (each holds its sign-in's entry; the map
    /// holds one more).
    pub fn held(&self) -> usize {
        self.lock().values().map(|entry| Arc::strong_count(entry) - 1).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test]
    async fn a_wake_ends_the_wait_early_and_the_entry_is_dropped() {
        let waiters = Arc::new(Waiters::default());
        let changed = Arc::new(AtomicBool::new(false));
        let waker = {
            let (waiters, changed) = (waiters.clone(), changed.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                changed.store(true, Ordering::SeqCst);
                waiters.wake("a");
            })
        };
        let started = std::time::Instant::now();
        let result = waiters
            .wait_for("a", Duration::from_secs(10), || {
                let changed = changed.clone();
                async move { changed.load(Ordering::SeqCst).then_some(1) }
            })
            .await;
        waker.await.unwrap();
        assert_eq!(result, Some(1));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(waiters.count(), 0);
    }

    #[tokio::test]
    async fn closing_ends_waits_and_later_ones_do_not_start() {
        let waiters = Arc::new(Waiters::default());
        let held = {
            let waiters = waiters.clone();
            tokio::spawn(async move { waiters.wait_for("c", Duration::from_secs(30), || async { None::<()> }).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        waiters.close();
        assert_eq!(held.await.unwrap(), None);
        assert_eq!(waiters.wait_for("d", Duration::from_secs(30), || async { None::<()> }).await, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_recheck_answers_only_what_changed_and_the_rest_wait_on() {
        let waiters = Arc::new(Waiters::default());
        let changed = Arc::new(AtomicBool::new(false));
        let wait = |id: &'static str, watch: Option<Arc<AtomicBool>>| {
            let waiters = waiters.clone();
            tokio::spawn(async move {
                waiters
                    .wait_for(id, Duration::from_secs(30), || {
                        let watch = watch.clone();
                        async move { watch.is_some_and(|w| w.load(Ordering::SeqCst)).then_some(()) }
                    })
                    .await
            })
        };
        let (moved, unmoved) = (wait("moved", Some(changed.clone())), wait("unmoved", None));
        while waiters.count() < 2 {
            tokio::task::yield_now().await;
        }
        // A change nobody announced (the announcement was lost), then a recheck.
        changed.store(true, Ordering::SeqCst);
        waiters.recheck_all();
        assert_eq!(tokio::time::timeout(Duration::from_secs(5), moved).await.unwrap().unwrap(), Some(()));
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert!(!unmoved.is_finished(), "a recheck that found nothing new ended a wait");
        unmoved.abort();
    }

    #[tokio::test]
    async fn without_a_wake_the_wait_times_out() {
        let waiters = Waiters::default();
        let result: Option<()> = waiters.wait_for("b", Duration::from_millis(20), || async { None }).await;
        assert_eq!(result, None);
        assert_eq!(waiters.count(), 0);
    }
}
