//! Waiting on a condition, never on the clock: polls until something is so, or fails naming it.

use std::time::Duration;

/// Polls `check` every 20 ms until it gives a value; fails the test, naming `what`, if none
/// comes within `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = std::time::Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if started.elapsed() > limit {
            panic!("waited {limit:?} for {what}; it never came");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every callback `app` took in is recorded.
pub async fn callbacks_recorded(app: &truecaller_signin::server::sign_in::SignInService) {
    eventually("callbacks to be recorded", Duration::from_secs(10), || async {
        (app.callbacks_waiting().await.unwrap() == 0).then_some(())
    })
    .await
}

/// A port that was free a moment ago.
pub async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}
