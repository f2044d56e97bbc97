//! Truecaller's callbacks, from their acknowledgement to the move they cause. The callback route
//! only takes a callback in (one insert, shared with the callbacks that arrived alongside it) and
//! answers; this worker records what it means for the sign-in, in batches. So a burst of
//! callbacks never waits behind the sign-ins being completed, and nothing acknowledged is lost if
//! the process stops in between: what it had not recorded is taken again (by this instance after
//! a restart, or by another) once its claim lapses. The insert keeps only callbacks that name a
//! sign-in on record: forged ones get the same answer and are forgotten, so a flood of them
//! neither grows the database nor queues ahead of a real approval.

use std::time::Duration;

use tokio::{
    sync::{mpsc, oneshot, Notify},
    task::JoinSet,
};
use tracing::{debug, error, info, warn};

use super::{Callback, CallbackOutcome, SignInService};
use crate::server::{
    clock,
    error::Error,
    metrics,
    store::{Engine, Received, Store},
};

/// How long a claim on a callback lasts: a batch is recorded in milliseconds, so a claim that
/// lapsed means its instance stopped; then it is taken again this soon.
const CLAIM: Duration = Duration::from_secs(5);
/// Callbacks recorded at once (each is one sign-in's move; they run side by side).
const BATCH: i64 = 64;
/// With nothing arriving, how often the inbox is looked at anyway: callbacks another instance
/// left, or a claim that lapsed.
const IDLE_LOOK: Duration = Duration::from_secs(1);
/// Callbacks stored in one statement at most.
const INTAKE_BATCH: usize = 256;

/// A callback waiting to be stored, and who to tell once it is.
type Arrival = (Received, oneshot::Sender<Result<(), String>>);

/// The way into the inbox. Callbacks that arrive while a write is under way are stored together
/// by the next one (group commit): alone, a callback is one insert; in a burst, a few hundred
/// share one, so the database's cost per callback falls as the rate rises instead of queueing.
pub(super) struct Intake {
    /// Unbounded: every arrival is a request waiting for its answer, so what queues here is
    /// bounded by the connections the server holds, as before.
    arrivals: mpsc::UnboundedSender<Arrival>,
    /// Taken by the one task that writes (started with the worker).
    writer: std::sync::Mutex<Option<mpsc::UnboundedReceiver<Arrival>>>,
}

impl Default for Intake {
    fn default() -> Self {
        let (arrivals, writer) = mpsc::unbounded_channel();
        Self { arrivals, writer: std::sync::Mutex::new(Some(writer)) }
    }
}

impl SignInService {
    /// Takes a callback in: once this returns, it is kept until recorded, whatever happens to the
    /// process, if it names a sign-in on record; if it names none, it is dropped (counted, never
    /// stored or audited). The caller acknowledges it either way, with the same answer.
    pub async fn take_in_callback(&self, callback: Callback) -> Result<(), Error> {
        let (stored, told) = oneshot::channel();
        let closed = || Error::NotStored("the inbox is not taking callbacks (shutting down)".into());
        self.inner.intake.arrivals.send((callback.into_fields(), stored)).map_err(|_| closed())?;
        told.await.map_err(|_| closed())?.map_err(Error::NotStored)
    }

    /// Stores arriving callbacks and records them, until the process stops.
    pub async fn work_inbox(self) {
        let writer = self.inner.intake.writer.lock().ok().and_then(|mut writer| writer.take());
        let storing = async {
            match writer {
                Some(arrivals) => self.store_callbacks(arrivals).await,
                // Another worker of this service stores them.
                None => std::future::pending().await,
            }
        };
        tokio::join!(storing, self.record_arrivals());
    }

    /// On SQLite the writer runs on a thread of its own, so that the acknowledgements it releases
    /// are wake-ups from another thread: the server's runtime looks at those every 7 polls
    /// (`startup::runtime`), whereas a task woken on a worker's own thread queues behind
    /// everything that worker has to run, thousands of woken requests in a burst (the loaded
    /// callback ack in BENCHMARKS.md measures it). The thread holds only the store and the inbox's
    /// signal, and ends when the service is dropped. PostgreSQL's connections are sockets of the
    /// server's runtime, so there it stays a task.
    async fn store_callbacks(&self, arrivals: mpsc::UnboundedReceiver<Arrival>) {
        let (store, ready) = (self.inner.store.clone(), self.inner.inbox_ready.clone());
        if store.engine() == Engine::Sqlite {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => {
                    let spawned = std::thread::Builder::new()
                        .name("callback-intake".into())
                        .spawn(move || runtime.block_on(store_arrivals(&store, &ready, arrivals)));
                    if let Err(e) = spawned {
                        error!(error = %e, "cannot start the callback intake's thread: callbacks cannot be acknowledged");
                    }
                    return;
                }
                Err(e) => warn!(error = %e, "callbacks are stored on the server's runtime"),
            }
        }
        store_arrivals(&store, &ready, arrivals).await;
    }

    async fn record_arrivals(&self) {
        loop {
            match self.record_waiting_callbacks().await {
                Ok(0) => {
                    let _ = tokio::time::timeout(IDLE_LOOK, self.inner.inbox_ready.notified()).await;
                }
                Ok(_) => {}
                Err(e) => {
                    warn!(error = %e, "callback inbox unreadable; trying again");
                    tokio::time::sleep(IDLE_LOOK).await;
                }
            }
        }
    }

    /// Claims a batch, records each callback in it, and forgets those recorded; returns how many
    /// were claimed. One that could not be recorded (the database failed) stays, to be taken
    /// again when its claim lapses.
    pub async fn record_waiting_callbacks(&self) -> Result<usize, Error> {
        let now = clock::now_ms();
        let batch = self.inner.store.claim_callbacks(now, now + CLAIM.as_millis() as i64, BATCH).await?;
        let claimed = batch.len();
        let mut recording = JoinSet::new();
        for row in batch {
            let service = self.clone();
            recording.spawn(async move {
                let outcome = match Callback::read(row.callback) {
                    Some(callback) => service.record_callback(callback).await,
                    None => Ok(CallbackOutcome::Ignored("empty")),
                };
                (row.id, outcome)
            });
        }
        let mut recorded = Vec::with_capacity(claimed);
        while let Some(done) = recording.join_next().await {
            match done {
                Ok((id, Ok(outcome))) => {
                    let kind = if outcome == CallbackOutcome::Accepted { "accepted" } else { "ignored" };
                    ::metrics::counter!(metrics::CALLBACKS, "outcome" => kind).increment(1);
                    info!(?outcome, "truecaller callback");
                    recorded.push(id);
                }
                Ok((_, Err(e))) => warn!(error = %e, "callback not recorded; it will be taken again"),
                Err(e) => warn!(error = %e, "recording a callback stopped; it will be taken again"),
            }
        }
        self.inner.store.remove_callbacks(&recorded).await?;
        Ok(claimed)
    }

    /// How many callbacks are taken in and not yet recorded (tests, diagnostics).
    pub async fn callbacks_waiting(&self) -> Result<i64, Error> {
        Ok(self.inner.store.callbacks_waiting().await?)
    }
}

/// Writes whatever has arrived since the last write, in one statement, and tells each sender and
/// the recording side; until every sender is gone. Only callbacks that name a sign-in on record
/// are kept (the statement checks); the others, forged or stale, cost no row and no audit entry,
/// only a count (`truecaller_callbacks_total{outcome="unknown"}`), and get the same answer.
async fn store_arrivals(store: &Store, ready: &Notify, mut arrivals: mpsc::UnboundedReceiver<Arrival>) {
    let mut batch = Vec::with_capacity(INTAKE_BATCH);
    while arrivals.recv_many(&mut batch, INTAKE_BATCH).await > 0 {
        // The hash of each `state`: how a sign-in whose request id is not stored yet is found.
        let hashes: Vec<Option<String>> = batch.iter().map(|(callback, _)| callback.state.as_deref().map(clock::digest)).collect();
        let callbacks: Vec<(&Received, Option<&str>)> =
            batch.iter().zip(&hashes).map(|((callback, _), hash)| (callback, hash.as_deref())).collect();
        let stored = store.put_callbacks(&callbacks, clock::now_ms()).await.map_err(|e| e.to_string());
        if let Ok(kept) = stored {
            let unknown = (batch.len() as u64).saturating_sub(kept);
            if unknown > 0 {
                ::metrics::counter!(metrics::CALLBACKS, "outcome" => "unknown").increment(unknown);
                debug!(unknown, "callbacks naming no sign-in were answered and not kept");
            }
            if kept > 0 {
                ready.notify_one();
            }
        }
        for (_, tell) in batch.drain(..) {
            let _ = tell.send(stored.clone().map(drop));
        }
    }
}
