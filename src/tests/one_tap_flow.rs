//! Android one-tap: the deep link with our nonce, the simulated sheet, and every callback it can
//! bring back, against the real server over HTTP. Every negative test ends by checking that
//! nobody was signed in.

use std::time::Duration;

use serde_json::{json, Value};
use truecaller_signin::domain::{OneTapLink, Provider, SignInStatus};
use url::Url;

use crate::support::SignedInAs as _;
use crate::support::{eventually, shown, spawn_app, Browser, TestApp, Tripwire};

const LIMIT: Duration = Duration::from_secs(10);

/// The deep link's `requestNonce`.
fn nonce_in(link: &OneTapLink) -> String {
    let url = Url::parse(&link.deep_link).unwrap();
    url.query_pairs().find(|(k, _)| k == "requestNonce").map(|(_, v)| v.into_owned()).expect("requestNonce")
}

/// Opens the simulated sheet the way the phone would (the app's page opens it in a new tab).
async fn open_sheet(app: &TestApp, link: &OneTapLink) -> String {
    let sheet = link.simulated_sheet.as_deref().expect("simulator mode names the stand-in sheet");
    let response = reqwest::get(app.url.join(sheet).unwrap()).await.unwrap();
    assert_eq!(response.status(), 200);
    shown(response).await
}

/// Answers the sheet through the simulator's API; the callback body it sent (or only built).
async fn answer(app: &TestApp, nonce: &str, choice: &str, deliver: bool) -> Value {
    let url = app.url.join(&format!("simulator/api/sheets/{nonce}/{choice}?deliver={deliver}&phone=919999999999")).unwrap();
    let response = reqwest::Client::new().post(url).send().await.unwrap();
    assert!(response.status().is_success(), "answer failed: {}", response.status());
    let body: Value = response.json().await.unwrap();
    body["callback"].clone()
}

async fn one_tap_started(app: &TestApp) -> (Browser, OneTapLink, String) {
    let browser = app.browser();
    let link = browser.one_tap().await;
    let nonce = nonce_in(&link);
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { seconds_left, .. } if seconds_left > 0));
    (browser, link, nonce)
}

#[tokio::test]
async fn the_deep_link_carries_our_nonce_and_every_documented_parameter() {
    let app = spawn_app(&[("TRUECALLER_PARTNER_NAME", "Acme Shop"), ("TRUECALLER_PRIVACY_URL", "https://acme.example/privacy")]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    assert!(link.deep_link.starts_with("truecallersdk://truesdk/web_verify?type=btmsheet&requestNonce="), "{}", link.deep_link);
    assert!(truecaller_signin::server::providers::truecaller::deep_link::valid_nonce(&nonce), "{nonce}");
    assert!(link.deep_link.contains("&partnerKey=simulator-app-key&partnerName=Acme%20Shop&lang=en&privacyUrl=https%3A%2F%2Facme.example%2Fprivacy&"));
    assert!(link.deep_link.contains("&ctaColor=%230069d9&"), "{}", link.deep_link);
    // The sheet's ttl is our own wait (60 s by default) less a 5 s margin for the callback to
    // reach us, give or take the time this test took.
    let ttl: u64 = Url::parse(&link.deep_link).unwrap().query_pairs().find(|(k, _)| k == "ttl").unwrap().1.parse().unwrap();
    assert!((50_000..=55_000).contains(&ttl), "{ttl}");
    // The stand-in sheet gets the very same parameters.
    let sheet = link.simulated_sheet.clone().unwrap();
    assert_eq!(sheet.split_once('?').unwrap().1, link.deep_link.split_once('?').unwrap().1);
    assert!(sheet.starts_with("/simulator/sheet?"), "{sheet}");
    // A second tap while it waits opens the same attempt again.
    assert_eq!(nonce_in(&browser.one_tap().await), nonce);
    // Minting stored the attempt by its nonce, with no number and no state.
    let row = app.sign_in_for(&json!({ "requestId": nonce })).await;
    assert_eq!((row.phone, row.state_hash), (None, None));
}

#[tokio::test]
async fn approving_the_sheet_signs_in_with_the_profile_s_own_number() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    let sheet = open_sheet(&app, &link).await;
    assert!(sheet.contains("truecaller-signin will get your name") && sheet.contains("To continue, please sign in"), "{sheet}");
    assert!(sheet.contains("Continue with +919999999999") && sheet.contains("Use another number"), "{sheet}");
    // Opening the sheet posts `flow_invoked`: noted, and the attempt keeps waiting.
    let row = app.sign_in_for(&json!({ "requestId": nonce })).await;
    eventually("the flow_invoked note", LIMIT, || async {
        app.events(Some(&row.id)).await.iter().any(|e| e == "callback_notice").then_some(())
    })
    .await;
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { .. }));

    let callback = answer(&app, &nonce, "continue", true).await;
    assert_eq!(callback["requestId"], nonce.as_str());
    assert_eq!(callback["endpoint"], app.url.join("simulator/v1/default").unwrap().as_str());
    assert!(callback.get("state").is_none());
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
    let account = browser.account().await.unwrap();
    assert_eq!(account.phone, "+91 •••••••• 99");
    assert_eq!(account.ways_in, [Provider::Truecaller]);
}

#[tokio::test]
async fn an_endpoint_outside_the_allow_list_is_refused_and_never_contacted() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    let genuine = answer(&app, &nonce, "continue", false).await;
    let tripwire = Tripwire::spawn().await;
    let row = app.sign_in_for(&genuine).await;
    // Opening the sheet sent its own callback (`flow_invoked`); it is audited first, so that the
    // forged ones below never share the trail's lock with it (see below).
    let noticed = || async { app.events(Some(&row.id)).await.contains(&"callback_notice".to_owned()).then_some(()) };
    eventually("the sheet's notice audited", LIMIT, noticed).await;
    let endpoints = [format!("http://127.0.0.1:{}/v1/default", tripwire.port), "https://evil.example/v1/default".into()];
    for (sent, endpoint) in endpoints.into_iter().enumerate() {
        let mut forged = genuine.clone();
        forged["endpoint"] = json!(endpoint);
        assert_eq!(app.post_callback(&forged).await, 200);
        // A callback's 200 means it is kept; its move (here, the refusal's audit row) follows.
        // One at a time: on PostgreSQL, a callback whose sign-in's trail is being written by
        // another callback at that moment is logged, not audited (`Store::record_callback_event`).
        let refusals = || async {
            let events = app.events(Some(&row.id)).await;
            (events.iter().filter(|e| *e == "endpoint_refused").count() == sent + 1).then_some(())
        };
        eventually("the refusal audited", LIMIT, refusals).await;
    }
    assert_eq!(tripwire.hits(), 0);
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { .. }));
    assert_eq!(browser.account().await, None);
    // The token was never used, so the genuine callback still completes the sign-in.
    assert_eq!(app.post_callback(&genuine).await, 200);
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
}

#[tokio::test]
async fn an_approval_without_an_endpoint_uses_the_configured_profile_url() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    let mut callback = answer(&app, &nonce, "continue", false).await;
    callback.as_object_mut().unwrap().remove("endpoint");
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
}

#[tokio::test]
async fn dismissing_the_sheet_is_a_rejection() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    let callback = answer(&app, &nonce, "dismiss", true).await;
    assert_eq!(callback["status"], "user_rejected");
    assert_eq!(browser.settle(LIMIT).await, SignInStatus::Rejected);
    assert_eq!(browser.account().await, None);
    // Tapping again starts a fresh attempt with a new nonce.
    assert_ne!(nonce_in(&browser.one_tap().await), nonce);
}

#[tokio::test]
async fn flow_invoked_changes_nothing_and_the_approval_still_lands() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    for _ in 0..2 {
        assert_eq!(app.post_callback(&json!({ "requestId": nonce, "status": "flow_invoked" })).await, 200);
    }
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { .. }));
    open_sheet(&app, &link).await;
    answer(&app, &nonce, "continue", true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
}

#[tokio::test]
async fn the_footer_option_leads_to_the_phone_form_and_is_no_decline() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    let callback = answer(&app, &nonce, "skip", true).await;
    assert_eq!(callback["status"], "use_another_number");
    assert_eq!(browser.settle(LIMIT).await, SignInStatus::ChoseAnotherWay);
    assert_eq!(browser.account().await, None);
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE phase = 'rejected'").await, 0);
    // The number typed next goes out as a prompt, as anywhere.
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
}

#[tokio::test]
async fn a_used_nonce_cannot_sign_in_again() {
    let app = spawn_app(&[]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    let callback = answer(&app, &nonce, "continue", false).await;
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
    browser.sign_out().await;
    let row = app.sign_in_for(&callback).await;
    for _ in 0..3 {
        assert_eq!(app.post_callback(&callback).await, 200);
    }
    assert!(app.events(Some(&row.id)).await.iter().any(|e| e == "duplicate_callback"));
    assert_eq!(browser.status(0).await, SignInStatus::Idle);
    assert_eq!(browser.account().await, None);
    // Replays signed nobody in again: the account counts the one sign-in.
    assert_eq!(app.count("SELECT sign_in_count FROM accounts").await, 1);
}

#[tokio::test]
async fn a_nonce_signs_in_only_the_browser_that_minted_it() {
    let app = spawn_app(&[]).await;
    let (alice, link, nonce) = one_tap_started(&app).await;
    let (bob, _, bob_nonce) = one_tap_started(&app).await;
    assert_ne!(nonce, bob_nonce);
    open_sheet(&app, &link).await;
    let callback = answer(&app, &nonce, "continue", false).await;
    // A callback naming a `state` is not the mobile-web flow's: ignored, token unused.
    let mut with_state = callback.clone();
    with_state["state"] = json!("made-up-state");
    assert_eq!(app.post_callback(&with_state).await, 200);
    assert!(matches!(alice.status(0).await, SignInStatus::AtTruecaller { .. }));
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(alice.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
    // Bob's held request is not answered by Alice's approval, and Bob is not signed in.
    assert!(matches!(bob.status(500).await, SignInStatus::AtTruecaller { .. }));
    assert_eq!(bob.account().await, None);
}

#[tokio::test]
async fn an_expired_nonce_signs_nobody_in() {
    let app = spawn_app(&[("SIGNIN_TIMEOUT_SECS", "1")]).await;
    let (browser, link, nonce) = one_tap_started(&app).await;
    open_sheet(&app, &link).await;
    // Built before the deadline, delivered after it (Truecaller's retry of a slow callback).
    let callback = answer(&app, &nonce, "continue", false).await;
    let timed_out = eventually("the one-tap deadline", LIMIT, || async {
        let status = browser.status(0).await;
        matches!(status, SignInStatus::TimedOut { .. }).then_some(status)
    })
    .await;
    // Nothing was typed, so nothing is locked: another go may start at once.
    assert_eq!(timed_out, SignInStatus::TimedOut { retry_in_secs: 0 });
    assert_eq!(app.post_callback(&callback).await, 200);
    assert_eq!(browser.status(0).await, SignInStatus::ApprovedTooLate);
    assert_eq!(browser.account().await, None);
    // The sheet itself no longer answers once its ttl has passed.
    let (_, second, second_nonce) = one_tap_started(&app).await;
    open_sheet(&app, &second).await;
    eventually("the sheet's ttl", LIMIT, || async {
        let url = app.url.join(&format!("simulator/api/sheets/{second_nonce}/continue?deliver=false")).unwrap();
        let status = reqwest::Client::new().post(url).send().await.unwrap().status();
        (status == 409).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_no_javascript_link_mints_and_redirects() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let no_redirects = browser.without_redirects();
    let url = app.url.join("signin/one-tap").unwrap();
    // Linked from another site: refused, nothing minted.
    let response = no_redirects.get(url.clone()).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, "/"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins").await, 0);
    // From our own page: to the sheet (simulator mode), and the page then shows the wait.
    let response = no_redirects.get(url).header("sec-fetch-site", "same-origin").send().await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, "/"));
    // The self-refreshing wait, whose "Open Truecaller" opens the sheet.
    let SignInStatus::AtTruecaller { open, .. } = browser.status(0).await else { panic!("not waiting at Truecaller") };
    assert!(open.starts_with("/simulator/sheet?type=btmsheet&requestNonce="), "{open}");
    let page = shown(browser.http.get(app.url.clone()).send().await.unwrap()).await;
    assert!(page.contains("Open Truecaller") && page.contains(r#"http-equiv="refresh""#), "{page}");
}

#[tokio::test]
async fn with_a_live_key_the_no_javascript_link_goes_to_truecaller_s_deep_link() {
    let app = spawn_app(&[("TRUECALLER_APP_KEY", "live-key"), ("TRUECALLER_API_URL", "http://127.0.0.1:9"), ("TRUECALLER_PROFILE_URL", "http://127.0.0.1:9")]).await;
    let browser = app.browser();
    let link = browser.one_tap().await;
    assert_eq!(link.simulated_sheet, None);
    assert!(link.deep_link.contains("&partnerKey=live-key&"), "{}", link.deep_link);
    // The waiting page's "Open Truecaller" is the deep link itself.
    let SignInStatus::AtTruecaller { open, .. } = browser.status(0).await else { panic!("not waiting at Truecaller") };
    assert_eq!(open.split_once("&ttl=").unwrap().0, link.deep_link.split_once("&ttl=").unwrap().0);
    assert!(open.starts_with("truecallersdk://truesdk/web_verify?type=btmsheet&requestNonce="), "{open}");
}

#[tokio::test]
async fn a_tap_near_the_deadline_starts_afresh() {
    // Less than the 15 s a reopened sheet is given: every tap mints anew.
    let app = spawn_app(&[("SIGNIN_TIMEOUT_SECS", "10")]).await;
    let (browser, link, _) = one_tap_started(&app).await;
    let again = browser.one_tap().await;
    assert_ne!(nonce_in(&again), nonce_in(&link));
    // The first was given up, so its approval would sign in nobody.
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { .. }));
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE phase = 'cancelled'").await, 1);
}

#[tokio::test]
async fn on_a_desktop_prompt_use_another_number_is_a_decline() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let prompt = app.sim().prompt_for("919999999999").await;
    let body = json!({ "requestId": prompt["requestId"], "status": "use_another_number" });
    assert_eq!(app.post_callback(&body).await, 200);
    assert_eq!(browser.settle(LIMIT).await, SignInStatus::Rejected);
}

#[tokio::test]
async fn only_android_browsers_are_offered_one_tap() {
    let app = spawn_app(&[]).await;
    let page = |ua: &'static str| {
        let url = app.url.clone();
        async move { shown(reqwest::Client::new().get(url).header("user-agent", ua).send().await.unwrap()).await }
    };
    let android = page("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36").await;
    assert!(android.contains(r#"href="/signin/one-tap""#) && android.contains(r#"href="/?with=number""#), "{android}");
    let webview = page("Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.0.0 Mobile Safari/537.36").await;
    let desktop = page("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36").await;
    for other in [webview, desktop] {
        assert!(!other.contains("/signin/one-tap") && other.contains(r#"action="/signin""#), "{other}");
    }
    // On Android, the phone form on request.
    let url = app.url.join("?with=number").unwrap();
    let ua = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    let form = shown(reqwest::Client::new().get(url).header("user-agent", ua).send().await.unwrap()).await;
    assert!(form.contains(r#"action="/signin""#) && !form.contains(r#"href="/signin/one-tap""#), "{form}");
}

#[tokio::test]
async fn minting_is_rate_limited_like_asking_for_a_prompt() {
    let app = spawn_app(&[("RATE_BROWSER_PER_HOUR", "2")]).await;
    let browser = app.browser();
    browser.one_tap().await;
    browser.one_tap().await;
    let (status, result) = browser.one_tap_raw().await;
    assert_eq!(status, 429, "{result:?}");
}

#[tokio::test]
async fn callbacks_naming_a_known_nonce_over_and_over_cost_a_bounded_audit_trail() {
    let app = spawn_app(&[]).await;
    // The nonce is in the deep link: whoever holds the link can send callbacks naming it.
    let (browser, link, nonce) = one_tap_started(&app).await;
    let notes = json!({ "requestId": nonce, "status": "flow_invoked" });
    let cap = truecaller_signin::server::store::MAX_EVENTS_PER_SIGN_IN;
    for _ in 0..2 {
        let answers = app.post_callback_copies(&notes, cap as usize).await;
        assert!(answers.iter().all(|status| *status == 200));
    }
    crate::support::callbacks_recorded(&app.sign_ins).await;
    let id = app.sign_in_for(&json!({ "requestId": nonce })).await.id;
    let rows = app.trail(&id).await.len() as i64;
    assert!(rows <= cap, "{rows} audit rows for one sign-in");
    // The attempt still works: its own phase moves are always recorded.
    assert!(matches!(browser.status(0).await, SignInStatus::AtTruecaller { .. }));
    open_sheet(&app, &link).await;
    answer(&app, &nonce, "continue", true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Rajat Kapoor"));
    assert!(app.trail(&id).await.len() as i64 > rows, "the approval's moves are audited past the cap");
}
