//! Hostile and broken input, one test per case. Each starts from a browser waiting on a genuine
//! prompt, sends the bad request, and checks that the answer is the expected status, that nobody
//! was signed in and no profile was fetched, that the server still serves, and that the genuine
//! approval still completes the waiting sign-in afterwards.

use std::time::Duration;

use serde_json::{json, Value};
use truecaller_signin::domain::{FailureReason, SignInStatus};

use crate::support::{callbacks_recorded, spawn_app, Browser, TestApp, Tripwire};
use crate::inbox::unknown_callbacks;

const RAJAT: &str = "919999999999";

/// A browser waiting on Rajat's prompt, and the approval Truecaller would send (not yet sent).
async fn waiting() -> (TestApp, Browser, Value) {
    waiting_with(&[]).await
}

async fn waiting_with(env: &[(&str, &str)]) -> (TestApp, Browser, Value) {
    let app = spawn_app(env).await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let genuine = app.sim().answer(RAJAT, true, false).await;
    (app, browser, genuine)
}

async fn post(app: &TestApp, content_type: &str, body: Vec<u8>) -> u16 {
    let response = reqwest::Client::new()
        .post(app.callback_url())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    // Answered once taken in; what it meant is recorded a moment later.
    callbacks_recorded(&app.sign_ins).await;
    response.status().as_u16()
}

/// Nobody signed in, nothing fetched, still serving; then the real approval works.
///
/// No wait before looking: the callback handler does everything before it answers. A profile
/// fetch is only ever started for an approval that was used, and using one moves the sign-in out
/// of `Waiting` before the answer, so the answer already orders what must not have happened.
async fn nothing_happened_and_the_genuine_approval_still_works(app: &TestApp, browser: &Browser, genuine: &Value) {
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }));
    assert_eq!(browser.account().await, None);
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 0);
    assert_eq!(reqwest::get(app.url.join("healthz").unwrap()).await.unwrap().status(), 200);
    assert_eq!(app.post_callback(genuine).await, 200);
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
}

/// Whether the waiting sign-in's audit trail holds `event`.
async fn recorded(app: &TestApp, genuine: &Value, event: &str) -> bool {
    let id = app.sign_in_for(genuine).await.id;
    app.events(Some(&id)).await.iter().any(|e| e == event)
}

/// A callback built from the genuine one by `tamper`, sent as JSON, answered `status`, and
/// recorded in the audit trail as `event`.
macro_rules! forged_callback {
    ($name:ident, $status:expr, $event:expr, |$c:ident| $tamper:block) => {
        #[tokio::test]
        async fn $name() {
            let (app, browser, genuine) = waiting().await;
            let mut $c = genuine.clone();
            $tamper
            let status = post(&app, "application/json", serde_json::to_vec(&$c).unwrap()).await;
            assert_eq!(status, $status);
            assert!(recorded(&app, &genuine, $event).await, "no {} in the audit trail", $event);
            nothing_happened_and_the_genuine_approval_still_works(&app, &browser, &genuine).await;
        }
    };
}

/// A callback built from the genuine one by `tamper` that names no sign-in: answered
/// as any other, then dropped: nothing in the inbox, nothing in the audit trail, only counted.
macro_rules! unknown_callback {
    ($name:ident, |$c:ident| $tamper:block) => {
        #[tokio::test]
        async fn $name() {
            let (app, browser, genuine) = waiting().await;
            let events = "SELECT COUNT(*) FROM sign_in_events";
            let (events_before, unknown_before) = (app.count(events).await, unknown_callbacks(&app).await);
            let mut $c = genuine.clone();
            $tamper
            let status = post(&app, "application/json", serde_json::to_vec(&$c).unwrap()).await;
            assert_eq!(status, 200);
            assert_eq!(app.count(events).await, events_before, "the unknown callback was audited");
            assert!(unknown_callbacks(&app).await > unknown_before, "the unknown callback was not counted");
            nothing_happened_and_the_genuine_approval_still_works(&app, &browser, &genuine).await;
        }
    };
}

/// A raw body with a content type, answered `status`.
macro_rules! raw_callback {
    ($name:ident, $status:expr, $content_type:expr, |$g:ident| $body:expr) => {
        #[tokio::test]
        async fn $name() {
            let (app, browser, genuine) = waiting().await;
            let $g = &genuine;
            let body: Vec<u8> = $body;
            assert_eq!(post(&app, $content_type, body).await, $status);
            nothing_happened_and_the_genuine_approval_still_works(&app, &browser, &genuine).await;
        }
    };
}

/// A forged `endpoint`; a listener on loopback proves nothing was sent there.
macro_rules! refused_endpoint {
    ($name:ident, |$port:ident| $endpoint:expr) => {
        #[tokio::test]
        async fn $name() {
            let (app, browser, genuine) = waiting().await;
            let tripwire = Tripwire::spawn().await;
            let $port = tripwire.port;
            let mut forged = genuine.clone();
            forged["endpoint"] = json!($endpoint);
            assert_eq!(post(&app, "application/json", serde_json::to_vec(&forged).unwrap()).await, 200);
            // Once recorded, the refusal is in the trail instead of a started fetch (see
            // `nothing_happened_…`); the tripwire is checked again at the end, long after.
            let events = app.events(Some(&app.sign_in_for(&genuine).await.id)).await;
            assert_eq!(events.iter().filter(|e| *e == "endpoint_refused").count(), 1, "{events:?}");
            assert_eq!(tripwire.hits(), 0, "the refused endpoint was contacted");
            nothing_happened_and_the_genuine_approval_still_works(&app, &browser, &genuine).await;
            assert_eq!(tripwire.hits(), 0, "the refused endpoint was contacted");
        }
    };
}

// Correlation: only the request we started, with the state we sent.
unknown_callback!(unknown_request_id, |c| { c["requestId"] = json!("c29tZW9uZS1lbHNlcy1yZXF1ZXN0="); });
forged_callback!(wrong_state, 200, "state_mismatch", |c| { c["state"] = json!("AAAAAAAAAAAAAAAAAAAAAA"); });
forged_callback!(missing_state, 200, "state_mismatch", |c| { c.as_object_mut().unwrap().remove("state"); });
unknown_callback!(state_without_request_id_match, |c| { c["requestId"] = json!("bm90LXRoZS1vbmU="); c["state"] = json!("AAAAAAAAAAAAAAAAAAAAAA"); });
// Our state, but the sign-in it was sent for already knows its requestId, and this is another.
unknown_callback!(our_state_with_another_request_id, |c| { c["requestId"] = json!("bm90LXRoZS1vbmU="); });
unknown_callback!(rejection_for_an_unknown_request, |c| {
    c.as_object_mut().unwrap().remove("accessToken");
    c["status"] = json!("user_rejected");
    c["requestId"] = json!("c29tZW9uZS1lbHNlcy1yZXF1ZXN0=");
});
unknown_callback!(notice_for_an_unknown_request, |c| {
    c.as_object_mut().unwrap().remove("accessToken");
    c["status"] = json!("text-chosen-by-the-sender");
    c["requestId"] = json!("c29tZW9uZS1lbHNlcy1yZXF1ZXN0=");
});
forged_callback!(rejection_with_a_foreign_state, 200, "state_mismatch", |c| {
    c.as_object_mut().unwrap().remove("accessToken");
    c["status"] = json!("user_rejected");
    c["state"] = json!("AAAAAAAAAAAAAAAAAAAAAA");
});

// Where the token may be sent: Truecaller's profile host only.
refused_endpoint!(endpoint_over_plain_http, |_port| "http://profile4.truecaller.com/v1/default");
refused_endpoint!(endpoint_on_another_domain, |_port| "https://evil.example/v1/default");
refused_endpoint!(endpoint_with_a_look_alike_suffix, |_port| "https://profile4.truecaller.com.evil.example/v1/default");
refused_endpoint!(endpoint_on_an_ipv4_literal, |port| format!("https://127.0.0.1:{port}/v1/default"));
refused_endpoint!(endpoint_on_an_ipv6_literal, |port| format!("https://[::1]:{port}/v1/default"));
refused_endpoint!(endpoint_on_cloud_metadata, |_port| "https://169.254.169.254/v1/default");
refused_endpoint!(endpoint_with_userinfo_trick, |port| format!("https://profile4.truecaller.com@127.0.0.1:{port}/v1/default"));
refused_endpoint!(endpoint_on_another_port, |_port| "https://profile4.truecaller.com:8443/v1/default");
refused_endpoint!(endpoint_with_another_path, |_port| "https://profile4.truecaller.com/v1/other");
refused_endpoint!(endpoint_with_a_query, |_port| "https://profile4.truecaller.com/v1/default?next=https://evil.example");
refused_endpoint!(endpoint_as_punycode_look_alike, |_port| "https://xn--trucaller-8za.com/v1/default");
refused_endpoint!(endpoint_as_a_file_url, |_port| "file:///etc/passwd");
refused_endpoint!(endpoint_on_localhost, |port| format!("http://localhost:{port}/v1/default"));

// Bodies that are not the documented message.
raw_callback!(malformed_json, 400, "application/json", |_g| b"{\"requestId\": ".to_vec());
raw_callback!(not_json_at_all, 400, "application/json", |_g| b"requestId=abc".to_vec());
raw_callback!(json_array_instead_of_object, 400, "application/json", |g| {
    serde_json::to_vec(&json!([g["requestId"], g["accessToken"], g["state"]])).unwrap()
});
raw_callback!(wrong_content_type, 415, "text/plain", |g| serde_json::to_vec(g).unwrap());
raw_callback!(multipart_content_type, 415, "multipart/form-data; boundary=x", |g| serde_json::to_vec(g).unwrap());
raw_callback!(oversized_body, 413, "application/json", |_g| {
    let mut body = br#"{"requestId":"a","accessToken":""#.to_vec();
    body.extend(std::iter::repeat_n(b'a', 64 * 1024));
    body.extend(br#""}"#);
    body
});
raw_callback!(huge_number_as_request_id, 400, "application/json", |_g| {
    format!(r#"{{"requestId":{},"accessToken":"t"}}"#, "9".repeat(400)).into_bytes()
});
raw_callback!(huge_exponent_as_request_id, 400, "application/json", |_g| br#"{"requestId":1e999999,"accessToken":"t"}"#.to_vec());
raw_callback!(number_as_access_token, 400, "application/json", |g| {
    format!(r#"{{"requestId":{},"accessToken":123456789012345678901234567890}}"#, g["requestId"]).into_bytes()
});
raw_callback!(very_long_request_id, 400, "application/json", |_g| {
    format!(r#"{{"requestId":"{}","accessToken":"t"}}"#, "r".repeat(5000)).into_bytes()
});
raw_callback!(non_utf8_bytes, 400, "application/json", |_g| b"{\"requestId\":\"\xff\xfe\",\"accessToken\":\"t\"}".to_vec());
raw_callback!(nul_byte_in_request_id, 400, "application/json", |_g| b"{\"requestId\":\"a\\u0000b\",\"accessToken\":\"t\"}".to_vec());
raw_callback!(duplicate_keys, 400, "application/json", |g| {
    format!(r#"{{"requestId":{},"requestId":"other","accessToken":{}}}"#, g["requestId"], g["accessToken"]).into_bytes()
});
raw_callback!(deeply_nested_json, 400, "application/json", |_g| {
    format!(r#"{{"requestId":{}{},"accessToken":"t"}}"#, "[".repeat(5_000), "]".repeat(5_000)).into_bytes()
});
raw_callback!(empty_body, 400, "application/json", |_g| Vec::new());
raw_callback!(form_with_repeated_fields, 400, "application/x-www-form-urlencoded", |_g| b"requestId=a&requestId=b&accessToken=t".to_vec());

/// The same genuine approval, replayed after it signed the browser in.
#[tokio::test]
async fn replayed_approval_after_sign_in() {
    let (app, browser, genuine) = waiting().await;
    assert_eq!(app.post_callback(&genuine).await, 200);
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
    for _ in 0..3 {
        assert_eq!(app.post_callback(&genuine).await, 200);
    }
    // No wait: each replay is recorded as a duplicate before it is answered, and a duplicate
    // starts no profile fetch (only a used approval does, also before its answer).
    let events = app.events(Some(&app.sign_in_for(&genuine).await.id)).await;
    assert_eq!(events.iter().filter(|e| *e == "duplicate_callback").count(), 3, "{events:?}");
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 1, "the token was used once");
    assert_eq!(browser.account().await.unwrap().sign_in_count, 1);
    // A fresh browser is not signed in by the replay.
    assert_eq!(app.browser().account().await, None);
}

/// The same requestId with another token (e.g. captured id, attacker's token).
#[tokio::test]
async fn replayed_request_id_with_another_token() {
    // Tokens live 1 s here, so the retries end within a second and the outcome can be waited on.
    let (app, browser, genuine) = waiting_with(&[("TRUECALLER_TOKEN_TTL_SECS", "1")]).await;
    let mut forged = genuine.clone();
    forged["accessToken"] = json!("attacker-token");
    assert_eq!(app.post_callback(&forged).await, 200);
    // Only someone holding our `state` gets this far (it never leaves the server and Truecaller).
    // The forged token is refused by the profile API (401) on every try: the sign-in fails closed
    // once a real token would have expired, and nobody is signed in. That outcome comes after
    // every fetch that could have signed someone in.
    let status = browser.settle(Duration::from_secs(10)).await;
    assert_eq!(status, SignInStatus::Failed { reason: FailureReason::ProfileUnavailable });
    assert_eq!(browser.account().await, None);
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(reqwest::get(app.url.join("healthz").unwrap()).await.unwrap().status(), 200);
}

/// Server functions: bad numbers and cross-site posts are refused before anything is sent.
macro_rules! refused_initiate {
    ($name:ident, $status:expr, $content_type:expr, $body:expr, [$(($h:expr, $v:expr)),*]) => {
        #[tokio::test]
        async fn $name() {
            let app = spawn_app(&[]).await;
            let browser = app.browser();
            let body: Vec<u8> = $body;
            let response = browser
                .http
                .post(app.url.join("api/signin/initiate").unwrap())
                .header("content-type", $content_type)
                $(.header($h, $v))*
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), $status);
            assert!(app.sim().prompts().await.is_empty(), "no prompt was sent");
            assert_eq!(browser.account().await, None);
            assert_eq!(reqwest::get(app.url.join("healthz").unwrap()).await.unwrap().status(), 200);
            // The server still takes a genuine request.
            assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
        }
    };
}

const FORM: &str = "application/x-www-form-urlencoded";
refused_initiate!(initiate_with_a_200_digit_number, 400, FORM, format!("phone={}", "9".repeat(200)).into_bytes(), []);
refused_initiate!(initiate_with_a_huge_body, 413, FORM, format!("phone={}", "9".repeat(4 * 1024 * 1024)).into_bytes(), []);
refused_initiate!(initiate_with_non_utf8, 400, FORM, b"phone=%FF%FE99999".to_vec(), []);
refused_initiate!(initiate_with_sql_in_the_number, 400, FORM, b"phone=%27%20OR%201%3D1".to_vec(), []);
refused_initiate!(initiate_with_arabic_indic_digits, 400, FORM, "phone=+٩١٩٩٩٩٩٩٩٩٩٩".as_bytes().to_vec(), []);
refused_initiate!(initiate_cross_site_by_fetch_metadata, 403, FORM, b"phone=%2B919999999999".to_vec(), [("sec-fetch-site", "cross-site")]);
refused_initiate!(initiate_cross_site_by_origin, 403, FORM, b"phone=%2B919999999999".to_vec(), [("origin", "https://evil.example")]);
refused_initiate!(initiate_cross_site_as_text_plain, 403, "text/plain", b"phone=+919999999999".to_vec(), [("origin", "https://evil.example")]);
