//! The callback's own rules: a genuine approval delivered many times is used once, and
//! rejections and notices are acknowledged. Forged and malformed callbacks, one test per case,
//! are in `hostile_input`.

use std::time::Duration;

use serde_json::json;
use truecaller_signin::domain::SignInStatus;

use crate::support::{callbacks_recorded, spawn_app, TestApp};

const RAJAT: &str = "919999999999";

async fn waiting(app: &TestApp) -> (crate::support::Browser, serde_json::Value, String) {
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let callback = app.sim().answer(RAJAT, true, false).await;
    let id = app.sign_in_for(&callback).await.id;
    (browser, callback, id)
}

#[tokio::test]
async fn a_duplicate_callback_is_acknowledged_and_used_once() {
    let app = spawn_app(&[]).await;
    let (browser, callback, id) = waiting(&app).await;
    for answer in app.post_callback_copies(&callback, 10).await {
        assert_eq!(answer, 200);
    }
    callbacks_recorded(&app.sign_ins).await;
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 1);
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "fetching").count(), 1, "{events:?}");
    assert!(events.contains(&"duplicate_callback".to_owned()));
    assert_eq!(browser.account().await.unwrap().sign_in_count, 1);
}

#[tokio::test]
async fn rejection_and_notice_callbacks_are_acknowledged() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    let prompt = app.sim().prompt_for(RAJAT).await;
    let request_id = prompt["requestId"].as_str().unwrap();
    let state = prompt["state"].as_str().unwrap();
    let notice = json!({ "requestId": request_id, "status": "flow_invoked" });
    assert_eq!(app.post_callback(&notice).await, 200);
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }));
    // A rejection with a state that is not ours is ignored; Truecaller documents rejections
    // without a state, and one can only ever stop a sign-in, never start one.
    let forged = json!({ "requestId": request_id, "status": "user_rejected", "state": "AAAAAAAAAAAAAAAAAAAAAA" });
    assert_eq!(app.post_callback(&forged).await, 200);
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }));
    let genuine = json!({ "requestId": request_id, "status": "user_rejected", "state": state });
    assert_eq!(app.post_callback(&genuine).await, 200);
    assert_eq!(browser.status(0).await, SignInStatus::Rejected);
    assert_eq!(browser.account().await, None);
}
