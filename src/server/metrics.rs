//! What an operator watches, in Prometheus' text format: recorded through the `metrics` facade
//! where things happen, rendered by its Prometheus exporter (`GET /metrics`, in `health`).
//!
//! No label ever holds a number, a token, a session or a sign-in id: labels are providers, flows,
//! phases and outcomes, a handful of values each.

use std::{sync::OnceLock, time::Duration};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Sign-ins started: `provider`, `flow` (`number`, `one_tap`, `digilocker`).
pub const STARTED: &str = "signin_started_total";
/// Phase moves: `provider`, `to` (the new phase; the final ones are the outcomes).
pub const TRANSITIONS: &str = "signin_transitions_total";
/// Truecaller's callbacks: `outcome` (`accepted`, `ignored`: recorded and changed nothing,
/// `unknown`: named no sign-in on record, so answered and dropped at intake, never stored or
/// audited; a flood of forged callbacks shows here, `refused`: malformed), and how long we took
/// to acknowledge them (Truecaller allows 3 s).
pub const CALLBACKS: &str = "truecaller_callbacks_total";
pub const CALLBACK_ACK: &str = "truecaller_callback_ack_seconds";
/// Profile fetches by `provider` and `result` (`ok`, `unauthorized`, `unavailable`, `unusable`).
pub const PROFILE_FETCH: &str = "profile_fetch_seconds";
/// Browsers holding a status request open right now.
pub const WAITING: &str = "signin_waiting_browsers";
/// The database pool: connections by `state` (`idle`, `in_use`).
pub const POOL: &str = "db_pool_connections";

/// Latency buckets (seconds) for every histogram: from half a millisecond (an acknowledged
/// callback) to ten seconds (a slow profile API).
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's recorder, installed on first use. Metrics are per process, as Prometheus
/// scrapes processes (the tests start many apps in one process: they share it).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .expect("the bucket list is not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Only fails if another recorder was installed first, and nothing else installs one.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics shows only this one's");
        }
        describe();
        // Exported from the start, so a dashboard sees 0 rather than no series before anyone waits.
        metrics::gauge!(WAITING).set(0.0);
        handle
    })
}

/// The `# HELP` lines.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(STARTED, "Sign-ins started, by provider and flow (number, one_tap, digilocker).");
    describe_counter!(TRANSITIONS, "Sign-in phase moves, by provider and new phase; the final phases are the outcomes.");
    describe_counter!(CALLBACKS, "Truecaller callbacks, by outcome (accepted, ignored, unknown: named no sign-in and was dropped unstored, refused).");
    describe_histogram!(CALLBACK_ACK, Unit::Seconds, "Time to acknowledge a Truecaller callback.");
    describe_histogram!(PROFILE_FETCH, Unit::Seconds, "Profile fetches, by provider and result.");
    describe_gauge!(WAITING, "Browsers holding a status request open.");
    describe_gauge!(POOL, "Database pool connections, by state.");
}

/// Records a profile fetch's time and result.
pub fn profile_fetch(provider: &'static str, result: &'static str, took: Duration) {
    metrics::histogram!(PROFILE_FETCH, "provider" => provider, "result" => result).record(took.as_secs_f64());
}

/// Counts a browser as waiting until the guard is dropped (answered, or the browser went away).
pub struct Waiting;

impl Waiting {
    pub fn start() -> Self {
        metrics::gauge!(WAITING).increment(1.0);
        Self
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        metrics::gauge!(WAITING).decrement(1.0);
    }
}
