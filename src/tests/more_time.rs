//! "Need more time?": the wait for the answer on the phone grows a minute at a time, up to the
//! number's 5-minute lock, only while the prompt is unanswered, and never for one-tap.

use std::time::Duration;

use truecaller_signin::domain::SignInStatus;

use crate::support::spawn_app;

fn left(status: &SignInStatus) -> (u32, bool) {
    match status {
        SignInStatus::Waiting { seconds_left, more_time, .. } => (*seconds_left, *more_time),
        other => panic!("not waiting: {other:?}"),
    }
}

#[tokio::test]
async fn each_ask_adds_a_minute_until_the_number_s_lock_and_is_audited() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let (first, offered) = left(&browser.initiate("+91 99999 99999").await);
    assert!((58..=60).contains(&first) && offered, "{first} {offered}");
    let mut previous = first;
    // 60 s to start with, a 300 s lock: four minutes more can be given, then no more is offered.
    for round in 1..=4 {
        let (now, offered) = left(&browser.more_time().await);
        assert!((previous + 58..=previous + 60).contains(&now), "round {round}: {previous} → {now}");
        assert_eq!(offered, round < 4, "round {round}");
        previous = now;
    }
    let (after_cap, offered) = left(&browser.more_time().await);
    assert!(after_cap <= previous && !offered, "{previous} → {after_cap}");
    let id = app.sign_in_for(&app.sim().prompt_for("919999999999").await).await.id;
    let extensions = app.events(Some(&id)).await.into_iter().filter(|e| e == "more_time").count();
    assert_eq!(extensions, 4);
    assert_eq!(app.sim().prompts().await.len(), 1, "asking for more time sends nothing to the phone");
}

#[tokio::test]
async fn the_extended_wait_outlasts_the_old_deadline_and_a_late_answer_still_signs_in() {
    let app = spawn_app(&[("SIGNIN_TIMEOUT_SECS", "1")]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    let (now, _) = left(&browser.more_time().await);
    assert!(now >= 59, "{now}");
    // Held past the old deadline: still waiting, not timed out.
    let (held, _) = left(&browser.status(2_000).await);
    assert!(held >= 57, "{held}");
    app.sim().answer("919999999999", true, true).await;
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
}

#[tokio::test]
async fn more_time_changes_nothing_once_answered_or_for_one_tap() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    app.sim().answer("919999999999", false, true).await;
    assert_eq!(browser.settle(Duration::from_secs(5)).await, SignInStatus::Rejected);
    assert_eq!(browser.more_time().await, SignInStatus::Rejected);

    // One-tap: the sheet was opened with a fixed `ttl`; its wait is not offered more time.
    let android = app.browser();
    android.one_tap().await;
    let before = android.status(0).await;
    let SignInStatus::AtTruecaller { seconds_left, .. } = before else { panic!("{before:?}") };
    let after = android.more_time().await;
    let SignInStatus::AtTruecaller { seconds_left: still, .. } = after else { panic!("{after:?}") };
    assert!(still <= seconds_left, "{seconds_left} → {still}");
}

#[tokio::test]
async fn without_javascript_the_form_post_extends_and_returns_to_the_page() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let (first, _) = left(&browser.initiate("+91 99999 99999").await);
    let response = browser
        .without_redirects()
        .post(app.url.join("signin/more-time").unwrap())
        .header("origin", app.url.origin().ascii_serialization())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let (now, _) = left(&browser.status(0).await);
    assert!(now >= first + 58, "{first} → {now}");
}
