//! The journeys a person takes: approve, reject, time out, come back, sign out.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use truecaller_signin::{domain::SignInStatus, server::sign_in::Phase};

use crate::support::SignedInAs as _;
use crate::support::{app_with_standalone_sim, eventually, shown, spawn_app, TestApp};

const RAJAT: &str = "919999999999";

/// Waits until `count` requests are held on the app (a long-poll just spawned has reached the
/// server and is waiting there), and checks that `poll` was not answered at once.
async fn let_the_poll_be_held<T>(app: &TestApp, poll: &JoinHandle<T>, count: usize) {
    eventually("the long-poll to be held", Duration::from_secs(10), || async {
        (app.sign_ins.held_waits() >= count || poll.is_finished()).then_some(())
    })
    .await;
    assert!(!poll.is_finished(), "the long-poll was answered at once instead of being held");
}

#[tokio::test]
async fn approving_the_prompt_signs_the_browser_in_and_creates_the_account() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();

    let waiting = browser.initiate("+91 99999 99999").await;
    assert!(matches!(&waiting, SignInStatus::Waiting { phone, seconds_left, more_time: true } if phone == "+91 •••••••• 99" && *seconds_left >= 59), "{waiting:?}");
    let before = browser.cookies();
    assert!(before.is_some(), "a session cookie is set while waiting");

    // The person approves on the phone; a long-poll in flight hears about it promptly.
    let sim = app.sim();
    let poll = {
        let browser = browser.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            (browser.status(20_000).await, started.elapsed())
        })
    };
    let_the_poll_be_held(&app, &poll, 1).await;
    sim.answer(RAJAT, true, true).await;
    let (after_approval, waited) = poll.await.unwrap();
    assert!(waited < Duration::from_secs(5), "long-poll returned after {waited:?}");
    assert!(
        matches!(after_approval, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)),
        "{after_approval:?}"
    );

    let done = browser.settle(Duration::from_secs(10)).await;
    assert_eq!(done.signed_in_as(), Some("Rajat Kapoor"));
    assert_ne!(browser.cookies(), before, "session id is cycled at sign-in");

    let account = browser.account().await.expect("signed in");
    // The answer that said "signed in" carried the account page's first view, as the page asks.
    assert_eq!(done, SignInStatus::SignedIn(Box::new(account.clone())));
    assert_eq!(account.name, "Rajat Kapoor");
    assert_eq!(account.phone, "+91 •••••••• 99", "masked on the account page too");
    assert!(account.new_account);
    assert!(account.details.contains(&("email".into(), "rajat@example.com".into())));
    assert!(account.details.contains(&("company".into(), "ABC".into())));
    // SQL: the app has no interface that counts accounts, nor one that shows stored tokens.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE provider_token IS NOT NULL").await, 0, "token not kept");
    assert_eq!(sim.prompt_for(RAJAT).await["profileFetches"], 1);
    // Every move is in the audit trail, in order, the approval marked as the one that made the
    // account (the database writes these rows with the moves).
    let id = app.sign_in_for(&sim.prompt_for(RAJAT).await).await.id;
    let trail = app.trail(&id).await;
    let event = |event: &str, detail: Option<&str>| (event.to_owned(), detail.map(str::to_owned));
    assert_eq!(trail[0].0, "initiated", "{trail:?}");
    assert_eq!(
        trail[1..],
        [event("waiting", None), event("fetching", None), event("approved", Some("new_account")), event("signed_in", None)]
    );
}

#[tokio::test]
async fn a_second_approval_updates_the_same_account() {
    let app = spawn_app(&[]).await;
    for round in 1..=2 {
        let browser = app.browser();
        browser.initiate("919999999999").await;
        app.sim().answer(RAJAT, true, true).await;
        assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
        let account = browser.account().await.unwrap();
        assert_eq!(account.new_account, round == 1);
        assert_eq!(account.sign_in_count, round);
    }
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

#[tokio::test]
async fn rejecting_the_prompt_signs_nobody_in_and_frees_the_number() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+46 76 012 34 56").await;
    app.sim().answer("46760123456", false, true).await;
    assert_eq!(browser.settle(Duration::from_secs(5)).await, SignInStatus::Rejected);
    assert_eq!(browser.account().await, None);
    // The cycle completed, so the number is not locked: a new prompt goes out.
    assert!(matches!(browser.initiate("+46 76 012 34 56").await, SignInStatus::Waiting { .. }));
    assert_eq!(app.sim().prompts().await.len(), 2);
}

#[tokio::test]
async fn an_unanswered_prompt_times_out_and_a_late_approval_is_recorded_not_used() {
    let app = spawn_app(&[("SIGNIN_TIMEOUT_SECS", "1")]).await;
    let browser = app.browser();
    browser.initiate("+44 7400 123456").await;
    let started = Instant::now();
    let status = browser.settle(Duration::from_secs(5)).await;
    assert!(matches!(status, SignInStatus::TimedOut { retry_in_secs } if retry_in_secs > 250), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "timeout reported late: {:?}", started.elapsed());

    // The page keeps listening while the number is locked: a late approval reaches it, and
    // signs nobody in.
    let sim = app.sim();
    let listening = {
        let browser = browser.clone();
        tokio::spawn(async move { browser.status(10_000).await })
    };
    let_the_poll_be_held(&app, &listening, 1).await;
    sim.answer("447400123456", true, true).await;
    assert_eq!(listening.await.unwrap(), SignInStatus::ApprovedTooLate);
    assert_eq!(browser.status(0).await, SignInStatus::ApprovedTooLate);
    assert_eq!(browser.account().await, None);
    let prompt = sim.prompt_for("447400123456").await;
    assert_eq!(prompt["profileFetches"], 0, "late token never used");
    // SQL: no interface of the app shows whether any sign-in still holds a token.
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE provider_token IS NOT NULL").await, 0, "late token not kept");
    let sign_in = app.sign_in_for(&prompt).await;
    assert_eq!(sign_in.phase, Phase::ApprovedLate);
    assert!(app.events(Some(&sign_in.id)).await.contains(&"approved_late".to_owned()));
}

#[tokio::test]
async fn a_request_held_over_http2_is_answered_by_the_approval_and_signs_in() {
    let app = spawn_app(&[]).await;
    let browser = app.browser().over_http2();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let version = browser.http.get(app.url.join("healthz").unwrap()).send().await.unwrap().version();
    assert_eq!(version, reqwest::Version::HTTP_2, "the app speaks h2c to a client that starts with it");

    let poll = {
        let browser = browser.clone();
        tokio::spawn(async move { browser.status(20_000).await })
    };
    let_the_poll_be_held(&app, &poll, 1).await;
    app.sim().answer(RAJAT, true, true).await;
    let answered = tokio::time::timeout(Duration::from_secs(5), poll).await.expect("answered promptly").unwrap();
    assert!(matches!(answered, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)), "{answered:?}");
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
}

#[tokio::test]
async fn more_browsers_hold_at_once_than_parking_reads_for_and_each_is_answered_by_its_own_approval() {
    // More than the 32 held requests that read their session and sign-in at a time before
    // parking (`server::web::hold`): a turn kept through the wait would leave the last ones queued
    // behind it, unanswered when their approval comes.
    const BROWSERS: usize = 40;
    let app = spawn_app(&[]).await;
    let phones: Vec<String> = (0..BROWSERS).map(|i| format!("9197001{i:05}")).collect();
    let mut browsers = Vec::new();
    for phone in &phones {
        let browser = app.browser();
        assert!(matches!(browser.initiate(&format!("+{phone}")).await, SignInStatus::Waiting { .. }));
        browsers.push(browser);
    }
    let mut polls: Vec<_> = browsers
        .iter()
        .map(|browser| {
            let browser = browser.clone();
            tokio::spawn(async move { browser.status(20_000).await })
        })
        .collect();
    let_the_poll_be_held(&app, &polls[0], polls.len()).await;
    assert!(polls.iter().all(|poll| !poll.is_finished()), "a long-poll was answered at once instead of being held");

    let last = polls.pop().unwrap();
    app.sim().answer(&phones[BROWSERS - 1], true, true).await;
    let answered = tokio::time::timeout(Duration::from_secs(5), last).await.expect("the last one answered promptly").unwrap();
    assert!(matches!(answered, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)), "{answered:?}");
    assert!(polls.iter().all(|poll| !poll.is_finished()), "an approval answered another browser's request");

    for (phone, poll) in phones.iter().zip(polls) {
        app.sim().answer(phone, true, true).await;
        let answered = tokio::time::timeout(Duration::from_secs(5), poll).await.expect("answered promptly").unwrap();
        assert!(matches!(answered, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)), "{answered:?}");
    }
    for browser in &browsers {
        assert!(browser.settle(Duration::from_secs(10)).await.signed_in_as().is_some());
    }
}

#[tokio::test]
async fn starting_over_answers_a_request_still_held_for_the_old_attempt() {
    let app = spawn_app(&[("SIGNIN_TIMEOUT_SECS", "1")]).await;
    let browser = app.browser();
    browser.initiate("+44 7400 123456").await;
    assert!(matches!(browser.settle(Duration::from_secs(5)).await, SignInStatus::TimedOut { .. }));
    // The timed-out page listens for a late approval; "Use another number" must not leave that
    // request hanging (it would answer 20 s later about the old attempt).
    let held = {
        let browser = browser.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let _ = browser.status(20_000).await;
            started.elapsed()
        })
    };
    let_the_poll_be_held(&app, &held, 1).await;
    assert_eq!(browser.cancel().await, SignInStatus::Idle);
    let held_for = held.await.unwrap();
    assert!(held_for < Duration::from_secs(3), "held request answered after {held_for:?}");
}

#[tokio::test]
async fn the_same_browser_resumes_and_a_second_browser_makes_the_pending_prompt_worthless() {
    let app = spawn_app(&[]).await;
    let first = app.browser();
    first.initiate("+91 99999 99999").await;
    // A reload (or a second submit) resumes the same wait: no second prompt.
    assert!(matches!(first.status(0).await, SignInStatus::Waiting { .. }));
    assert!(matches!(first.initiate("919999999999").await, SignInStatus::Waiting { .. }));
    assert_eq!(app.sim().prompts().await.len(), 1);

    // Push confusion: whoever answers the prompt on the phone cannot tell which browser asked,
    // so once a second browser asks for the number the pending prompt signs nobody in.
    let second = app.browser();
    let status = second.initiate("+91 99999 99999").await;
    assert!(
        matches!(&status, SignInStatus::Locked { other_browser: true, stopped_other: true, retry_in_secs, .. } if *retry_in_secs > 290),
        "{status:?}"
    );
    assert_eq!(app.sim().prompts().await.len(), 1, "no second prompt while the number is locked");
    assert!(matches!(first.status(0).await, SignInStatus::Superseded { retry_in_secs } if retry_in_secs > 290));

    let callback = app.sim().answer(RAJAT, true, false).await;
    assert_eq!(app.post_callback(&callback).await.as_u16(), 200);
    // No wait needed: the callback is answered only after it was recorded, and a profile fetch is
    // started (before that answer) only for an approval that was used. Its audit event says it
    // was refused, so nothing follows it.
    let events = app.events(Some(&app.sign_in_for(&callback).await.id)).await;
    assert!(events.contains(&"approval_for_stopped_request".to_owned()), "{events:?}");
    assert!(matches!(first.status(0).await, SignInStatus::Superseded { .. }));
    assert_eq!(second.status(0).await, SignInStatus::Idle);
    assert_eq!(first.account().await, None);
    assert_eq!(second.account().await, None);
    assert_eq!(app.sim().prompt_for(RAJAT).await["profileFetches"], 0);
    // SQL: the app has no interface that counts accounts.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
}

#[tokio::test]
async fn using_another_number_cancels_but_keeps_the_lock() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    assert_eq!(browser.cancel().await, SignInStatus::Idle);
    assert_eq!(browser.status(0).await, SignInStatus::Idle);
    let again = browser.initiate("+91 99999 99999").await;
    assert!(matches!(again, SignInStatus::Locked { other_browser: false, .. }), "{again:?}");
    // An approval of the abandoned prompt signs nobody in. The simulator returns once the app has
    // answered the callback, and the app answers only after recording it (a profile fetch would
    // have been started before that answer): its audit event is the condition, no wait needed.
    app.sim().answer(RAJAT, true, true).await;
    let prompt = app.sim().prompt_for(RAJAT).await;
    assert_eq!(prompt["delivery"], "200");
    let events = app.events(Some(&app.sign_in_for(&prompt).await.id)).await;
    assert!(events.contains(&"approval_for_stopped_request".to_owned()), "{events:?}");
    assert_eq!(prompt["profileFetches"], 0);
    assert_eq!(browser.account().await, None);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+447400123456").await;
    app.sim().answer("447400123456", true, true).await;
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Alex Morgan"));
    let signed_in_cookies = browser.cookies().unwrap();
    browser.sign_out().await;
    assert_eq!(browser.account().await, None);
    assert_eq!(browser.status(0).await, SignInStatus::Idle);

    // The old cookie no longer means anything: its session was deleted.
    let replay = reqwest::Client::new()
        .post(app.url.join("api/account").unwrap())
        .header("cookie", signed_in_cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.text().await.unwrap(), "null");
}

/// The account page's "Sign out" is a plain form post, with or without JavaScript, and needs no
/// `Referer` to know where to go next.
#[tokio::test]
async fn the_sign_out_form_ends_the_session_and_goes_to_the_sign_in_page() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+447400123457").await;
    app.sim().answer("447400123457", true, true).await;
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Sim User 3457"));
    let account = shown(browser.http.get(app.url.join("account").unwrap()).send().await.unwrap()).await;
    assert!(account.contains(r#"<form method="post" action="/signout">"#), "{account}");

    let response = browser.without_redirects().post(app.url.join("signout").unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    assert_eq!(browser.account().await, None);
    assert_eq!(browser.status(0).await, SignInStatus::Idle);
}

#[tokio::test]
async fn a_pending_sign_in_survives_a_restart() {
    let (app, sim) = app_with_standalone_sim().await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));

    let app = app.restart().await;
    assert!(matches!(browser.status(0).await, SignInStatus::Waiting { .. }), "still waiting after restart");
    sim.client().answer(RAJAT, true, true).await;
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
    drop(app);
}

#[tokio::test]
async fn stopping_answers_held_requests_at_once_and_the_browser_resumes_after_restart() {
    let (app, sim) = app_with_standalone_sim().await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let held = {
        let browser = browser.clone();
        tokio::spawn(async move { browser.status(20_000).await })
    };
    let_the_poll_be_held(&app, &held, 1).await;

    // Graceful shutdown waits for requests in flight; a held long-poll must not make it wait 20 s.
    let stopping = Instant::now();
    let app = app.restart().await;
    assert!(stopping.elapsed() < Duration::from_secs(5), "restart took {:?}", stopping.elapsed());
    assert!(matches!(held.await.unwrap(), SignInStatus::Waiting { .. }), "the held request got an answer");

    sim.client().answer(RAJAT, true, true).await;
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
    drop(app);
}

#[tokio::test]
async fn an_approval_interrupted_by_a_restart_is_finished_by_the_next_start() {
    // This identity's profile answers 503 twice first, so the fetch is mid-retry at the restart.
    let (app, sim) = app_with_standalone_sim().await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 98765 00003").await, SignInStatus::Waiting { .. }));
    sim.client().answer("919876500003", true, true).await;
    let app = app.restart().await;
    assert!(matches!(browser.settle(Duration::from_secs(15)).await, SignInStatus::SignedIn(_)));
    // SQL: the app has no interface that counts accounts, nor one that shows stored tokens.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE provider_token IS NOT NULL").await, 0);
}

#[tokio::test]
async fn an_invalid_number_gets_a_clear_error_and_sends_nothing() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    for (input, message) in [
        ("", "Enter your mobile number."),
        ("12345", "That number is too short for India."),
        ("98765 43210 123", "That number is too long for India."),
        ("+999 1234 5678", "No country has the code +999."),
        ("+91 55555 55555", "That doesn't look like a valid phone number."),
        ("+46 8 123 456 78", "That looks like a landline"),
        ("call me", "Use digits only"),
    ] {
        let (status, result) = browser.initiate_raw(input).await;
        assert_eq!(status, 400, "{input}");
        match result {
            Err(truecaller_signin::error::ApiError::InvalidPhone(p)) => assert!(p.to_string().starts_with(message), "{input}: {p}"),
            other => panic!("{input}: {other:?}"),
        }
    }
    assert!(app.sim().prompts().await.is_empty());
}

#[tokio::test]
async fn viewing_the_sign_in_page_stores_nothing() {
    let app = spawn_app(&[]).await;
    let response = reqwest::get(app.url.clone()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_none());
    let html = shown(response).await;
    assert!(html.contains("Continue with Truecaller"), "the form is server-rendered");
    assert!(html.contains("Simulator mode"));
    // What hydration reads back to draw the same banner (`app::decided_simulated`).
    assert!(html.contains(r#"data-simulated="truecaller digilocker""#), "{html}");
    // SQL: "nothing stored" is about the session table itself; no interface lists sessions.
    assert_eq!(app.stored_sessions().await, 0);
}

#[tokio::test]
async fn forms_posted_without_javascript_keep_where_the_person_was_going() {
    let app = spawn_app(&[]).await;
    let going_to = app.url.join("?next=/account/delete").unwrap();
    let post = |browser: &crate::support::Browser, path: &str, form: Vec<(&'static str, &'static str)>| {
        let (http, url) = (browser.without_redirects(), app.url.join(path).unwrap());
        async move {
            let response = http.post(url).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 303);
            response.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    let next = ("next", "/account/delete");

    // The page carries its `?next=` in its forms, and each form comes back with it.
    let browser = app.browser();
    let page = shown(browser.http.get(going_to.clone()).send().await.unwrap()).await;
    assert!(page.contains(r#"name="next" value="/account/delete""#), "{page}");
    assert_eq!(post(&browser, "signin", vec![("phone", "+91 99999 99999"), next]).await, "/?next=%2Faccount%2Fdelete");
    // Signed in, that page goes on there.
    app.sim().answer(RAJAT, true, true).await;
    let landed_on = eventually("the waiting page to go on", Duration::from_secs(10), || {
        let (http, url) = (browser.http.clone(), going_to.clone());
        async move {
            let response = http.get(url).header("accept", "text/html").send().await.unwrap();
            (response.url().path() != "/").then(|| response.url().path().to_owned())
        }
    })
    .await;
    assert_eq!(landed_on, "/account/delete");

    let other = app.browser();
    assert_eq!(post(&other, "signin", vec![("phone", "+91 98765 43210"), next]).await, "/?next=%2Faccount%2Fdelete");
    assert_eq!(post(&other, "signin/more-time", vec![next]).await, "/?next=%2Faccount%2Fdelete");
    assert_eq!(post(&other, "signin/cancel", vec![("then", "number"), next]).await, "/?with=number&next=%2Faccount%2Fdelete");
    // A `next` that would leave the site is not carried.
    assert_eq!(post(&other, "signin/cancel", vec![("next", "//evil.example")]).await, "/");

    // The page's links and the phone form's address carry it too, so a refusal (answered with the
    // page at the posted address) and the no-JS one-tap still know it.
    assert!(page.contains(r#"action="/signin?next=%2Faccount%2Fdelete""#), "{page}");
    let refused = other
        .without_redirects()
        .post(app.url.join("signin?next=%2Faccount%2Fdelete").unwrap())
        .form(&[("phone", "12345"), next])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused = shown(refused).await;
    assert!(refused.contains("That number is too short for India."), "{refused}");
    assert!(refused.contains(r#"name="next" value="/account/delete""#), "{refused}");
    let one_tap = other.without_redirects().get(app.url.join("signin/one-tap?next=%2Faccount%2Fdelete").unwrap()).send().await.unwrap();
    assert_eq!((one_tap.status().as_u16(), one_tap.headers()["location"].to_str().unwrap()), (303, "/?next=%2Faccount%2Fdelete"));
}

#[tokio::test]
async fn plain_form_posts_work_without_javascript() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let no_redirects = browser.without_redirects();

    // A refusal is answered with the page itself, the form as it was sent and the reason beside
    // it; nothing is kept for a later view.
    let refused = no_redirects.post(app.url.join("signin").unwrap()).form(&[("phone", "12345")]).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let page = shown(refused).await;
    assert!(page.contains("That number is too short for India."), "{page}");
    assert!(page.contains(r#"value="12345""#), "{page}");
    assert_eq!(app.stored_sessions().await, 0, "a refused post stores no session");
    let again = shown(browser.http.get(app.url.clone()).send().await.unwrap()).await;
    assert!(!again.contains("too short"), "feedback is shown once");

    let sent = no_redirects.post(app.url.join("signin").unwrap()).form(&[("phone", "+91 99999 99999")]).send().await.unwrap();
    assert_eq!(sent.status(), 303);
    let page = shown(browser.http.get(app.url.clone()).send().await.unwrap()).await;
    assert!(page.contains("Check your phone"));
    assert!(page.contains("http-equiv=\"refresh\""), "the waiting page reloads itself without JavaScript");

    // What the page's refresh does: reload until the page is no longer waiting (the profile is
    // fetched after the callback was answered, so this takes a moment).
    app.sim().answer(RAJAT, true, true).await;
    let landed_on = eventually("the waiting page to stop waiting", Duration::from_secs(10), || {
        let (http, url) = (browser.http.clone(), app.url.clone());
        async move {
            let response = http.get(url).header("accept", "text/html").send().await.unwrap();
            let path = response.url().path().to_owned();
            let page = shown(response).await;
            (path != "/" || !page.contains("http-equiv=\"refresh\"")).then_some(path)
        }
    })
    .await;
    assert_eq!(landed_on, "/account");
    assert_eq!(browser.account().await.unwrap().name, "Rajat Kapoor");
}

#[tokio::test]
async fn pages_and_api_answers_carry_security_headers_and_are_never_stored() {
    let app = spawn_app(&[]).await;
    let page = reqwest::get(app.url.clone()).await.unwrap();
    let api = app.browser().http.post(app.url.join("api/signin/status").unwrap()).form(&[("wait_ms", "0")]).send().await.unwrap();
    for response in [&page, &api] {
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert_eq!(h["cache-control"], "no-store");
        assert!(h.get("strict-transport-security").is_none(), "plain http: no HSTS");
    }
    assert!(api.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
}

#[tokio::test]
async fn pages_go_out_compressed_when_the_browser_accepts_it() {
    use std::io::Read;
    let app = spawn_app(&[]).await;
    let page = |encoding: &'static str| {
        let http = reqwest::Client::new();
        let url = app.url.clone();
        async move {
            let response = http.get(url).header("accept-encoding", encoding).send().await.unwrap();
            let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            (encoding, response.bytes().await.unwrap())
        }
    };
    let (plain_encoding, plain) = page("identity").await;
    assert_eq!(plain_encoding, None);
    let (gzip_encoding, gzip) = page("gzip").await;
    assert_eq!(gzip_encoding.as_deref(), Some("gzip"));
    let mut unpacked = String::new();
    flate2::read::GzDecoder::new(&gzip[..]).read_to_string(&mut unpacked).unwrap();
    assert!(unpacked.starts_with("<!DOCTYPE html>") && unpacked.contains("name=\"phone\""), "{unpacked:.200}");
    assert!(gzip.len() * 2 < plain.len(), "gzip {} bytes of {}", gzip.len(), plain.len());
    let (br_encoding, br) = page("br;q=1, gzip;q=0.5").await;
    assert_eq!(br_encoding.as_deref(), Some("br"));
    assert!(br.len() * 2 < plain.len());
}

#[tokio::test]
async fn pages_allow_only_scripts_carrying_this_responses_nonce() {
    let app = spawn_app(&[]).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let page = reqwest::get(app.url.clone()).await.unwrap();
        let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        for directive in ["'strict-dynamic'", "'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(policy.contains(directive), "{directive} missing from {policy}");
        }
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
        assert!(nonce.len() >= 22, "128-bit nonce: {nonce}");
        let html = page.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries the nonce");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
    // The not-found page too (drawn by the fallback handler, not a route).
    let page = reqwest::get(app.url.join("no-such-page").unwrap()).await.unwrap();
    assert_eq!(page.status(), 404);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
    let html = page.text().await.unwrap();
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), html.matches("<script").count());
}

#[tokio::test]
async fn one_session_holds_a_few_status_requests_at_most_and_each_held_one_hears_the_approval() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    let cap = truecaller_signin::server::web::hold::MAX_HELD_PER_SESSION;
    // One more than the cap, at once, from one session (a script with its cookie): whichever
    // comes last finds the session's places taken, and is the only one answered before the
    // approval (the others are held until it).
    let mut asks = tokio::task::JoinSet::new();
    for _ in 0..=cap {
        let browser = browser.clone();
        asks.spawn(async move {
            let url = browser.base().join("api/signin/status").unwrap();
            let response = browser.http.post(url).form(&[("wait_ms", "25000")]).send().await.unwrap();
            (response.status().as_u16(), response.headers().contains_key("retry-after"))
        });
    }
    let first = tokio::time::timeout(Duration::from_secs(10), asks.join_next()).await.expect("one answered at once");
    assert_eq!(first.unwrap().unwrap(), (429, true), "over the cap");
    // Another browser is not affected by this one's cap.
    let other = app.browser();
    other.initiate("+46 76 012 34 56").await;
    assert!(matches!(other.status(0).await, SignInStatus::Waiting { .. }));
    // The held ones all hear the approval.
    app.sim().answer(RAJAT, true, true).await;
    let mut answered = 0;
    while let Some(answer) = asks.join_next().await {
        assert_eq!(answer.unwrap().0, 200);
        answered += 1;
    }
    assert_eq!(answered, cap);
}

#[tokio::test]
async fn an_account_that_is_gone_ends_the_session_wherever_it_is_asked_about() {
    for ask_through_the_status in [true, false] {
        let app = spawn_app(&[]).await;
        let browser = app.browser();
        browser.initiate("+91 99999 99999").await;
        app.sim().answer(RAJAT, true, true).await;
        assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
        let sessions = app.stored_sessions().await;
        // Removed by SQL, as an operator's own tooling might (its devices go with it).
        sqlx::query("UPDATE sign_ins SET account_id = NULL").execute(app.sign_ins.store().pool()).await.unwrap();
        sqlx::query("DELETE FROM identities").execute(app.sign_ins.store().pool()).await.unwrap();
        sqlx::query("DELETE FROM accounts").execute(app.sign_ins.store().pool()).await.unwrap();
        if ask_through_the_status {
            assert_eq!(browser.status(0).await, SignInStatus::Idle);
        } else {
            assert_eq!(browser.account().await, None);
        }
        assert_eq!(app.stored_sessions().await, sessions - 1, "the session ended (asked through the status: {ask_through_the_status})");
    }
}

#[tokio::test]
async fn without_javascript_a_number_just_prompted_is_told_to_wait_not_shown_the_empty_form() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let http = browser.without_redirects();
    let post = |path: &str, form: &[(&str, &str)]| http.post(app.url.join(path).unwrap()).form(form).send();
    assert_eq!(post("signin", &[("phone", "+91 99999 99999")]).await.unwrap().status(), 303);
    assert_eq!(post("signin/cancel", &[("then", "number")]).await.unwrap().status(), 303);

    // The prompt is still on the phone: no new one, and the answer is the page saying so (a
    // redirect would show the empty form, the session having no sign-in to show).
    let again = post("signin?next=%2Faccount", &[("phone", "+91 99999 99999"), ("next", "/account")]).await.unwrap();
    assert_eq!(again.status(), 200);
    let page = shown(again).await;
    assert!(page.contains("Please wait a moment"), "{page}");
    assert!(page.contains("Truecaller asks us not to send another so soon"), "{page}");
    assert!(page.contains(r#"name="next" value="/account""#), "where the person was going is kept: {page}");
    assert!(matches!(browser.status(0).await, SignInStatus::Idle));
}
