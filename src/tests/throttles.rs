//! Limits on asking for prompts: per address, per browser, per number, and the cool-down after
//! repeated rejections. Every refusal is a 429 with `Retry-After`, sends nothing to the phone,
//! and the server keeps serving.

use std::time::Duration;

use truecaller_signin::{
    domain::{SignInStatus, Throttle},
    error::ApiError,
};

use crate::support::{shown, spawn_app, Browser, TestApp};

/// Distinct valid Indian mobile numbers (the simulator treats each as a Truecaller user).
fn number(i: u32) -> String {
    format!("+91 97{:08}", 10_000 + i)
}

/// Sends `initiate` with extra headers; returns the HTTP status, `Retry-After` and the answer.
async fn initiate_with(browser: &Browser, app: &TestApp, phone: &str, headers: &[(&str, String)]) -> (u16, Option<u32>, Result<SignInStatus, ApiError>) {
    let mut request = browser.http.post(app.url.join("api/signin/initiate").unwrap()).form(&[("phone", phone)]);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let text = response.text().await.unwrap();
    let body = if status == 200 { Ok(serde_json::from_str(&text).unwrap()) } else { Err(serde_json::from_str(&text).unwrap()) };
    (status, retry_after, body)
}

fn assert_throttled(answer: &(u16, Option<u32>, Result<SignInStatus, ApiError>), cause: Throttle) {
    let (status, retry_after, body) = answer;
    assert_eq!(*status, 429, "{body:?}");
    let secs = retry_after.expect("Retry-After header");
    assert!(secs >= 10 && secs % 10 == 0, "coarse Retry-After, got {secs}");
    assert_eq!(*body, Err(ApiError::Throttled { cause, retry_in_secs: secs }));
}

/// Two prompts to Astrid's number, both rejected on the phone.
async fn reject_twice(app: &TestApp, browser: &Browser) {
    for _ in 0..2 {
        assert!(matches!(browser.initiate("+46 76 012 34 56").await, SignInStatus::Waiting { .. }));
        app.sim().answer("46760123456", false, true).await;
        assert_eq!(browser.settle(Duration::from_secs(5)).await, SignInStatus::Rejected);
    }
}

async fn still_serving(app: &TestApp) {
    let health = reqwest::get(app.url.join("healthz").unwrap()).await.unwrap();
    assert_eq!(health.status(), 200);
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0, "nobody signed in");
}

#[tokio::test]
async fn an_address_gets_its_burst_then_429_with_retry_after() {
    let app = spawn_app(&[("RATE_IP_PER_MINUTE", "3")]).await;
    for i in 0..3 {
        let (status, _, _) = initiate_with(&app.browser(), &app, &number(i), &[]).await;
        assert_eq!(status, 200);
    }
    let refused = initiate_with(&app.browser(), &app, &number(3), &[]).await;
    assert_throttled(&refused, Throttle::TooManyAttempts);
    assert_eq!(app.sim().prompts().await.len(), 3, "no prompt for the refused request");
    still_serving(&app).await;
}

#[tokio::test]
async fn a_refused_flood_writes_nothing() {
    let app = spawn_app(&[("RATE_IP_PER_MINUTE", "1")]).await;
    assert_eq!(initiate_with(&app.browser(), &app, &number(0), &[]).await.0, 200);
    // SQL: "writes nothing" is about rows in the tables themselves; no interface counts them.
    let sessions = app.stored_sessions().await;
    let events = app.count("SELECT COUNT(*) FROM sign_in_events").await;
    // Cookie-less clients, as a flood would be: each refused before a session is created.
    for i in 1..20 {
        assert_eq!(initiate_with(&app.browser(), &app, &number(i), &[]).await.0, 429);
    }
    assert_eq!(app.stored_sessions().await, sessions, "no session stored");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_events").await, events, "no audit row per request");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins").await, 1);
}

#[tokio::test]
async fn forwarding_headers_are_ignored_unless_a_proxy_is_trusted() {
    let app = spawn_app(&[("RATE_IP_PER_MINUTE", "2")]).await;
    let spoof = |i: u32| vec![("x-forwarded-for", format!("198.51.100.{i}")), ("x-real-ip", format!("198.51.100.{i}"))];
    for i in 0..2 {
        assert_eq!(initiate_with(&app.browser(), &app, &number(i), &spoof(i)).await.0, 200);
    }
    assert_throttled(&initiate_with(&app.browser(), &app, &number(2), &spoof(2)).await, Throttle::TooManyAttempts);

    // Behind a configured proxy, its header tells clients apart (right-most address counts).
    let proxied =
        spawn_app(&[("RATE_IP_PER_MINUTE", "2"), ("TRUSTED_PROXY_HEADER", "x-forwarded-for"), ("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let via = |claimed: &str, real: &str| vec![("x-forwarded-for", format!("{claimed}, {real}"))];
    for i in 0..4 {
        let answer = initiate_with(&proxied.browser(), &proxied, &number(i), &via("1.2.3.4", &format!("203.0.113.{i}"))).await;
        assert_eq!(answer.0, 200, "distinct clients behind the proxy");
    }
    for i in 4..6 {
        assert_eq!(initiate_with(&proxied.browser(), &proxied, &number(i), &via(&format!("9.9.9.{i}"), "203.0.113.50")).await.0, 200);
    }
    let refused = initiate_with(&proxied.browser(), &proxied, &number(6), &via("9.9.9.99", "203.0.113.50")).await;
    assert_throttled(&refused, Throttle::TooManyAttempts);

    // The same header from a peer that is not one of the proxies (the tests come from 127.0.0.1)
    // is ignored: a fresh address per request is not a fresh bucket.
    let elsewhere =
        spawn_app(&[("RATE_IP_PER_MINUTE", "2"), ("TRUSTED_PROXY_HEADER", "x-forwarded-for"), ("TRUSTED_PROXIES", "10.0.0.0/8")]).await;
    for i in 0..2 {
        assert_eq!(initiate_with(&elsewhere.browser(), &elsewhere, &number(i), &via("1.2.3.4", &format!("203.0.113.{i}"))).await.0, 200);
    }
    let refused = initiate_with(&elsewhere.browser(), &elsewhere, &number(2), &via("1.2.3.4", "203.0.113.2")).await;
    assert_throttled(&refused, Throttle::TooManyAttempts);
}

#[tokio::test]
async fn a_browser_session_is_limited_across_numbers() {
    let app = spawn_app(&[("RATE_BROWSER_PER_HOUR", "2")]).await;
    let browser = app.browser();
    for i in 0..2 {
        assert_eq!(initiate_with(&browser, &app, &number(i), &[]).await.0, 200);
    }
    assert_throttled(&initiate_with(&browser, &app, &number(2), &[]).await, Throttle::TooManyAttempts);
    // Another browser is not affected.
    assert_eq!(initiate_with(&app.browser(), &app, &number(3), &[]).await.0, 200);
    still_serving(&app).await;
}

#[tokio::test]
async fn a_number_gets_a_few_prompts_whichever_browser_asks() {
    // No lock, so only the per-number cap stands between browsers and the phone.
    let app = spawn_app(&[("RATE_NUMBER_PER_15_MIN", "2"), ("SIGNIN_LOCK_SECS", "0")]).await;
    let phone = number(1);
    for _ in 0..2 {
        assert_eq!(initiate_with(&app.browser(), &app, &phone, &[]).await.0, 200);
    }
    assert_throttled(&initiate_with(&app.browser(), &app, &phone, &[]).await, Throttle::TooManyAttempts);
    assert_eq!(app.sim().prompts().await.len(), 2);
    // Other numbers are not affected.
    assert_eq!(initiate_with(&app.browser(), &app, &number(2), &[]).await.0, 200);
    still_serving(&app).await;
}

#[tokio::test]
async fn two_rejections_pause_prompts_to_the_number_for_the_cool_down() {
    let app = spawn_app(&[("DECLINE_COOLDOWN_SECS", "2")]).await;
    let browser = app.browser();
    reject_twice(&app, &browser).await;
    let paused = initiate_with(&browser, &app, "+46 76 012 34 56", &[]).await;
    assert_throttled(&paused, Throttle::RecentlyDeclined);
    // Another browser (or an attacker) gets the same answer: the pause is the number's.
    assert_throttled(&initiate_with(&app.browser(), &app, "+46760123456", &[]).await, Throttle::RecentlyDeclined);
    assert_eq!(app.sim().prompts().await.len(), 2);

    // Time-based on purpose: what is under test is the 2 s pause running out.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert!(matches!(browser.initiate("+46 76 012 34 56").await, SignInStatus::Waiting { .. }), "the pause ends");
    assert_eq!(app.sim().prompts().await.len(), 3);
    // The refusals were logged, not stored: a refused start writes no audit row.
    let events = app.events(None).await;
    assert!(!events.contains(&"excess_rate_limit_exceeded".to_owned()), "{events:?}");
}

#[tokio::test]
async fn a_start_refused_by_a_number_limit_stores_no_session_row_or_trace_of_the_number() {
    let app = spawn_app(&[("RATE_NUMBER_PER_15_MIN", "1"), ("SIGNIN_LOCK_SECS", "0")]).await;
    let first = app.browser();
    assert_eq!(initiate_with(&first, &app, "+46 76 012 34 56", &[]).await.0, 200);
    first.cancel().await;
    let (sessions, events, sign_ins) =
        (app.stored_sessions().await, app.count("SELECT COUNT(*) FROM sign_in_events").await, app.count("SELECT COUNT(*) FROM sign_ins").await);
    // New browsers, typing the capped number in a shape of their own each time.
    for typed in ["+46 76 012 34 56", "+46760123456", "0046 760 12 34 56"] {
        assert_throttled(&initiate_with(&app.browser(), &app, typed, &[]).await, Throttle::TooManyAttempts);
    }
    assert_eq!(app.stored_sessions().await, sessions, "no session stored for a refused start");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_events").await, events, "no audit row");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins").await, sign_ins, "no sign-in row");
    if !crate::support::on_postgres() {
        // The bytes of the database files: no trace of the typed shapes (the first, started
        // sign-in keeps the digits themselves, which the profile check needs).
        let files = crate::support::database_bytes(&app);
        for typed in ["012 34 56", "760 12 34 56"] {
            assert!(!files.windows(typed.len()).any(|w| w == typed.as_bytes()), "{typed:?} in the database files");
        }
    }
}

#[tokio::test]
async fn an_ipv6_48_shares_a_wider_bucket_across_its_64s() {
    let app = spawn_app(&[
        ("RATE_IP_PER_MINUTE", "2"),
        ("RATE_IPV6_48_PER_MINUTE", "3"),
        ("TRUSTED_PROXY_HEADER", "x-forwarded-for"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let from = |address: &str| vec![("x-forwarded-for", address.to_owned())];
    // Three /64s of one /48, one attempt each: the /48's allowance.
    for (i, address) in ["2001:db8:7:1::1", "2001:db8:7:2::1", "2001:db8:7:3::1"].into_iter().enumerate() {
        assert_eq!(initiate_with(&app.browser(), &app, &number(i as u32), &from(address)).await.0, 200, "{address}");
    }
    // A fourth /64 of the same /48 is refused, though its own bucket is untouched.
    assert_throttled(&initiate_with(&app.browser(), &app, &number(3), &from("2001:db8:7:4::1")).await, Throttle::TooManyAttempts);
    // Another /48 has its own.
    assert_eq!(initiate_with(&app.browser(), &app, &number(4), &from("2001:db8:8:1::1")).await.0, 200);
}

#[tokio::test]
async fn locks_limits_and_the_audit_trail_hold_numbers_only_as_keyed_hashes() {
    let app = spawn_app(&[("DECLINE_COOLDOWN_SECS", "60")]).await;
    let browser = app.browser();
    reject_twice(&app, &browser).await;
    let _ = initiate_with(&browser, &app, "+46 76 012 34 56", &[]).await;
    // (`sign_ins.phone` keeps the number itself: the profile check needs it; rows are purged
    // after a day.) SQL: what is checked is what the tables hold; no interface reads them out.
    let pool = app.sign_ins.store().pool();
    let mut keyed: Vec<String> = sqlx::query_scalar("SELECT key FROM throttles").fetch_all(pool).await.unwrap();
    keyed.extend(sqlx::query_scalar::<_, String>("SELECT phone_key FROM phone_locks").fetch_all(pool).await.unwrap());
    keyed.extend(sqlx::query_scalar::<_, Option<String>>("SELECT detail FROM sign_in_events").fetch_all(pool).await.unwrap().into_iter().flatten());
    assert!(!keyed.is_empty());
    for value in &keyed {
        assert!(!value.contains("760123") && !value.contains("46760"), "raw number in {value:?}");
    }
    // The key is this deployment's own: another database hashes the same number differently.
    let other = spawn_app(&[]).await;
    other.browser().initiate("+46 76 012 34 56").await;
    let a: String = sqlx::query_scalar("SELECT phone_key FROM sign_ins LIMIT 1").fetch_one(pool).await.unwrap();
    let b: String = sqlx::query_scalar("SELECT phone_key FROM sign_ins LIMIT 1").fetch_one(other.sign_ins.store().pool()).await.unwrap();
    assert_ne!(a, b);
}

#[tokio::test]
async fn the_pause_runs_from_the_latest_rejection_even_when_longer_than_the_hour() {
    let app = spawn_app(&[("DECLINE_COOLDOWN_SECS", "7200")]).await;
    let browser = app.browser();
    reject_twice(&app, &browser).await;
    // Move the rejections back in time: 61 and 50 minutes ago, 11 minutes apart. The sign-ins,
    // oldest first (the simulator lists prompts newest first).
    let mut ids = Vec::new();
    for prompt in app.sim().prompts().await.iter().rev() {
        ids.push(app.sign_in_for(prompt).await.id);
    }
    // SQL: the app has no way to move its own time stamps.
    let pool = app.sign_ins.store().pool();
    let shift = |id: String, minutes: i64| {
        sqlx::query("UPDATE sign_ins SET updated_at = updated_at - $1 WHERE id = $2").bind(minutes * 60_000).bind(id).execute(pool)
    };
    shift(ids[0].clone(), 61).await.unwrap();
    shift(ids[1].clone(), 50).await.unwrap();
    let paused = initiate_with(&browser, &app, "+46 76 012 34 56", &[]).await;
    assert_throttled(&paused, Throttle::RecentlyDeclined);
    let secs = paused.1.unwrap();
    assert!((69 * 60..=71 * 60).contains(&secs), "paused until 2 h after the latest rejection, got {secs} s");

    // Two rejections more than an hour apart do not pause the number.
    shift(ids[0].clone(), 70).await.unwrap();
    assert_eq!(initiate_with(&browser, &app, "+46 76 012 34 56", &[]).await.0, 200);
}

#[tokio::test]
async fn a_form_post_without_javascript_explains_the_limit() {
    let app = spawn_app(&[("RATE_IP_PER_MINUTE", "1")]).await;
    let browser = app.browser();
    let post = |phone: String| {
        let browser = browser.clone();
        let url = app.url.join("signin").unwrap();
        async move { browser.http.post(url).form(&[("phone", phone)]).send().await.unwrap() }
    };
    assert!(post(number(1)).await.status().is_success());
    browser.cancel().await;
    let sessions = app.stored_sessions().await;
    let refused = post(number(2)).await;
    assert_eq!(refused.status(), 429, "the page itself answers the refusal");
    assert!(refused.headers().contains_key("retry-after"));
    let page = shown(refused).await;
    assert!(page.contains("Too many sign-in attempts."), "the page explains the limit");
    assert!(page.contains(&format!(r#"value="{}""#, number(2))), "the typed number is not lost: {page}");
    assert_eq!(app.sim().prompts().await.len(), 1);
    // Nothing was saved to show it: not the reason, not the number.
    assert_eq!(app.stored_sessions().await, sessions);
    if !crate::support::on_postgres() {
        let typed = number(2);
        let digits = typed.trim_start_matches("+91 ");
        let files = crate::support::database_bytes(&app);
        assert!(!files.windows(digits.len()).any(|w| w == digits.as_bytes()), "{typed} is in the database files");
    }
}

#[tokio::test]
async fn a_full_page_start_refused_by_a_limit_is_told_through_the_address() {
    let app = spawn_app(&[("RATE_IP_PER_MINUTE", "1")]).await;
    let browser = app.browser();
    let no_redirects = browser.without_redirects();
    assert_eq!(no_redirects.get(app.url.join("signin/one-tap").unwrap()).send().await.unwrap().status(), 303);
    let sessions = app.stored_sessions().await;
    let refused = no_redirects.get(app.url.join("signin/one-tap").unwrap()).send().await.unwrap();
    let location = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/?throttled="), "{location}");
    let page = shown(browser.http.get(app.url.join(&location).unwrap()).send().await.unwrap()).await;
    assert!(page.contains("Too many sign-in attempts."), "{page}");
    assert_eq!(app.stored_sessions().await, sessions, "nothing saved to tell it");
}
