//! The callback is public and unsigned: forged, replayed, malformed and oversized messages must
//! change nothing, and every answer must come at once.

use std::time::Duration;

use serde_json::json;
use truecaller_signin::domain::SignInStatus;

use crate::helpers::{spawn_app, TestApp, Tripwire};

const RAJAT: &str = "919999999999";

async fn waiting(app: &TestApp) -> (crate::helpers::Browser, serde_json::Value, String) {
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let callback = app.sim().answer(RAJAT, true, false).await;
    let id: String = sqlx::query_scalar("SELECT id FROM sign_ins").fetch_one(app.sign_ins.store().pool()).await.unwrap();
    (browser, callback, id)
}

async fn still_waiting(app: &TestApp, browser: &crate::helpers::Browser) {
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }));
    assert_eq!(browser.account().await, None);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 0);
}

#[tokio::test]
async fn a_duplicate_callback_is_acknowledged_and_used_once() {
    let app = spawn_app(&[]).await;
    let (browser, callback, id) = waiting(&app).await;
    let sends: Vec<_> = (0..10)
        .map(|_| {
            let (url, body) = (app.callback_url(), callback.clone());
            tokio::spawn(async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    for send in sends {
        assert_eq!(send.await.unwrap(), 200);
    }
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn { .. }));
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 1);
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "fetching").count(), 1, "{events:?}");
    assert!(events.contains(&"duplicate_callback".to_owned()));
    assert_eq!(app.count("SELECT sign_in_count FROM accounts").await, 1);
}

#[tokio::test]
async fn an_unknown_request_id_changes_nothing() {
    let app = spawn_app(&[]).await;
    let (browser, mut callback, _) = waiting(&app).await;
    callback["requestId"] = json!("c29tZW9uZS1lbHNlcy1yZXF1ZXN0=");
    assert_eq!(app.post_callback(&callback).await, 200);
    still_waiting(&app, &browser).await;
    assert!(app.events(None).await.contains(&"unknown_callback".to_owned()));
}

#[tokio::test]
async fn a_wrong_or_missing_state_changes_nothing() {
    let app = spawn_app(&[]).await;
    let (browser, callback, id) = waiting(&app).await;
    let mut wrong = callback.clone();
    wrong["state"] = json!("AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(app.post_callback(&wrong).await, 200);
    let mut missing = callback.clone();
    missing.as_object_mut().unwrap().remove("state");
    assert_eq!(app.post_callback(&missing).await, 200);
    still_waiting(&app, &browser).await;
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "state_mismatch").count(), 2, "{events:?}");

    // The genuine callback still works afterwards.
    assert_eq!(app.post_callback(&callback).await, 200);
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn { .. }));
}

#[tokio::test]
async fn a_disallowed_endpoint_is_never_contacted() {
    let app = spawn_app(&[]).await;
    let (browser, callback, id) = waiting(&app).await;
    let tripwire = Tripwire::spawn().await;
    let port = tripwire.port;
    for endpoint in [
        format!("http://127.0.0.1:{port}/v1/default"),
        format!("https://127.0.0.1:{port}/v1/default"),
        format!("https://profile4.truecaller.com@127.0.0.1:{port}/v1/default"),
        format!("http://localhost:{port}/v1/default"),
        "https://evil.example/v1/default".to_owned(),
        "https://profile4.truecaller.com.evil.example/v1/default".to_owned(),
        "http://profile4.truecaller.com/v1/default".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        let mut forged = callback.clone();
        forged["endpoint"] = json!(endpoint);
        assert_eq!(app.post_callback(&forged).await, 200, "{endpoint}");
    }
    still_waiting(&app, &browser).await;
    assert_eq!(tripwire.hits(), 0, "a refused endpoint was contacted");
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "endpoint_refused").count(), 8, "{events:?}");
}

#[tokio::test]
async fn malformed_bodies_get_4xx_and_change_nothing() {
    let app = spawn_app(&[]).await;
    let (browser, _, _) = waiting(&app).await;
    let client = reqwest::Client::new();
    let url = app.callback_url();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"not json".to_vec(), 400),
        ("application/json", br#"{"accessToken":"t"}"#.to_vec(), 400),
        ("application/json", br#"{"requestId":"r","accessToken":123}"#.to_vec(), 400),
        ("application/json", br#"{"requestId":[],"accessToken":"t"}"#.to_vec(), 400),
        ("application/json", b"{\"requestId\":\"\xff\xfe\",\"accessToken\":\"t\"}".to_vec(), 400),
        ("text/plain", br#"{"requestId":"r","accessToken":"t"}"#.to_vec(), 415),
        ("application/json", vec![b' '; 64 * 1024], 413),
        ("application/json", format!(r#"{{"requestId":"{}","accessToken":"t"}}"#, "r".repeat(5000)).into_bytes(), 400),
    ];
    for (content_type, body, expected) in cases {
        let response = client.post(url.clone()).header("content-type", content_type).body(body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{content_type}");
    }
    let get = client.get(url.clone()).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    still_waiting(&app, &browser).await;
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
