//! Browsers' cross-site posts are refused before they can start or end anything.

use truecaller_signin::domain::SignInStatus;

use crate::support::spawn_app;

#[tokio::test]
async fn a_cross_site_post_cannot_start_a_sign_in() {
    let app = spawn_app(&[]).await;
    let http = reqwest::Client::new();
    let origin = app.url.origin().ascii_serialization();
    for (path, headers) in [
        ("api/signin/initiate", vec![("sec-fetch-site", "cross-site")]),
        ("api/signin/initiate", vec![("sec-fetch-site", "same-site")]),
        ("api/signin/initiate", vec![("origin", "https://evil.example")]),
        ("api/signin/initiate", vec![("origin", "null")]),
        ("signin", vec![("sec-fetch-site", "cross-site"), ("origin", origin.as_str())]),
        ("signin", vec![("origin", "http://127.0.0.1:1")]),
    ] {
        let mut request = http.post(app.url.join(path).unwrap()).form(&[("phone", "+91 99999 99999")]);
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{path} {headers:?}");
    }
    assert!(app.sim().prompts().await.is_empty(), "no prompt went out");

    // The same request from our own pages goes through.
    let browser = app.browser();
    let ok = browser
        .http
        .post(app.url.join("api/signin/initiate").unwrap())
        .header("sec-fetch-site", "same-origin")
        .header("origin", origin.as_str())
        .form(&[("phone", "+91 99999 99999")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }));
}

#[tokio::test]
async fn the_callback_is_not_subject_to_the_browser_rules() {
    let app = spawn_app(&[]).await;
    let response = reqwest::Client::new()
        .post(app.callback_url())
        .header("origin", "https://api4.truecaller.com")
        .json(&serde_json::json!({ "requestId": "abc=", "status": "user_rejected" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_cross_site_status_request_is_refused_at_once_not_held() {
    let app = spawn_app(&[]).await;
    // A browser with a sign-in waiting: its own held request would wait up to the 20 s asked for.
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let started = std::time::Instant::now();
    let response = browser
        .http
        .post(app.url.join("api/signin/status").unwrap())
        .header("sec-fetch-site", "cross-site")
        .form(&[("wait_ms", "20000")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "answered after {:?}", started.elapsed());
}
