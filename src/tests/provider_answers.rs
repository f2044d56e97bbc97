//! Every documented answer from Truecaller's request and profile endpoints becomes the right
//! screen, and none of them signs anybody in by mistake.

use std::time::{Duration, Instant};

use truecaller_signin::domain::{FailureReason, SignInStatus};

use crate::support::{spawn_app, StandaloneSim, Tripwire};

#[tokio::test]
async fn a_number_without_truecaller_is_told_so() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert_eq!(browser.initiate("+91 98765 00001").await, SignInStatus::NotTruecallerUser);
    assert_eq!(browser.account().await, None);
    // No prompt was sent, so the number is not locked.
    assert_eq!(browser.initiate("+91 98765 00001").await, SignInStatus::NotTruecallerUser);
}

#[tokio::test]
async fn a_truecaller_outage_is_a_provider_problem_not_a_hang() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert_eq!(
        browser.initiate("+91 98765 00002").await,
        SignInStatus::Failed { reason: FailureReason::ProviderUnavailable }
    );
    // The audit trail names the reason with the move.
    let failed = "SELECT COUNT(*) FROM sign_in_events WHERE event = 'failed' AND detail = 'provider_unavailable'";
    assert_eq!(app.count(failed).await, 1);
}

/// The app in live mode, pointed at a standalone simulator that does not know its key.
async fn live_app_with_wrong_key() -> (StandaloneSim, crate::support::TestApp) {
    let sim = StandaloneSim::spawn("http://127.0.0.1:9/".parse().unwrap()).await;
    let sim_url = sim.url.as_str().trim_end_matches('/').to_owned();
    let app = spawn_app(&[
        ("TRUECALLER_APP_KEY", "not-the-key"),
        ("TRUECALLER_API_URL", &sim_url),
        ("TRUECALLER_PROFILE_URL", &sim_url),
    ])
    .await;
    (sim, app)
}

#[tokio::test]
async fn an_invalid_app_key_is_a_configuration_error() {
    let (sim, app) = live_app_with_wrong_key().await;
    let browser = app.browser();
    assert_eq!(
        browser.initiate("+91 99999 99999").await,
        SignInStatus::Failed { reason: FailureReason::ServiceMisconfigured }
    );
    assert!(sim.client().prompts().await.is_empty());
}

#[tokio::test]
async fn an_unreachable_provider_fails_fast() {
    let closed = crate::support::free_port().await;
    let url = format!("http://127.0.0.1:{closed}");
    let app = spawn_app(&[("TRUECALLER_APP_KEY", "k"), ("TRUECALLER_API_URL", &url), ("TRUECALLER_PROFILE_URL", &url)]).await;
    assert_eq!(
        app.browser().initiate("+91 99999 99999").await,
        SignInStatus::Failed { reason: FailureReason::ProviderUnavailable }
    );
}

#[tokio::test]
async fn a_provider_that_never_answers_times_out_within_seconds() {
    let silent = Tripwire::spawn().await;
    let url = format!("http://127.0.0.1:{}", silent.port);
    let app = spawn_app(&[("TRUECALLER_APP_KEY", "k"), ("TRUECALLER_API_URL", &url), ("TRUECALLER_PROFILE_URL", &url)]).await;
    let started = Instant::now();
    assert_eq!(
        app.browser().initiate("+91 99999 99999").await,
        SignInStatus::Failed { reason: FailureReason::ProviderUnavailable }
    );
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn profile_server_errors_are_retried_until_the_profile_arrives() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 98765 00003").await;
    app.sim().answer("919876500003", true, true).await;
    assert!(matches!(browser.settle(Duration::from_secs(15)).await, SignInStatus::SignedIn(_)));
    assert_eq!(app.sim().prompt_for("919876500003").await["profileFetches"], 3);
}

#[tokio::test]
async fn profile_failures_past_the_token_lifetime_end_in_a_clear_failure() {
    // A token that lives 1 s, and a profile endpoint that keeps failing (wrong host for tokens).
    let app = spawn_app(&[("TRUECALLER_TOKEN_TTL_SECS", "1")]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    let mut callback = app.sim().answer("919999999999", true, false).await;
    callback["accessToken"] = "unknown-token".into();
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(
        browser.settle(Duration::from_secs(10)).await,
        SignInStatus::Failed { reason: FailureReason::ProfileUnavailable }
    );
    assert_eq!(browser.account().await, None);
}

#[tokio::test]
async fn an_approval_from_an_account_with_another_number_signs_nobody_in() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 98765 00004").await;
    app.sim().answer("919876500004", true, true).await;
    assert_eq!(
        browser.settle(Duration::from_secs(10)).await,
        SignInStatus::Failed { reason: FailureReason::NumberMismatch }
    );
    assert_eq!(browser.account().await, None);
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}

#[tokio::test]
async fn readiness_reports_a_rejected_app_key_and_health_stays_up() {
    let (_sim, app) = live_app_with_wrong_key().await;
    let get = |path: &str| reqwest::get(app.url.join(path).unwrap());
    assert_eq!(get("readyz").await.unwrap().status(), 200);
    app.browser().initiate("+91 99999 99999").await;
    let ready = get("readyz").await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert!(body["provider"].as_str().unwrap().contains("app key rejected"));
    assert_eq!(get("healthz").await.unwrap().status(), 200);

    // A balancer sends a drained instance nothing that could clear the verdict: it lapses, and
    // the instance is ready again. SQL: the app has no way to move its own time stamps.
    let lasts = truecaller_signin::server::store::KEY_VERDICT_LASTS.as_millis() as i64;
    sqlx::query("UPDATE provider_health SET updated_at = updated_at - $1")
        .bind(lasts + 1_000)
        .execute(app.sign_ins.store().pool())
        .await
        .unwrap();
    assert_eq!(get("readyz").await.unwrap().status(), 200, "the refusal lapsed");
    // The next sign-in asks Truecaller again, which still refuses: not ready again.
    app.browser().initiate("+91 99999 99999").await;
    assert_eq!(get("readyz").await.unwrap().status(), 503);
}
