//! DigiLocker through Sandbox, end to end over HTTP: the browser's form post, the stand-in's
//! consent answers, the return URL, and what the browser and the account page then show.

use std::time::Duration;

use truecaller_signin::domain::{FailureReason, Provider, SignInStatus};

use crate::support::SignedInAs as _;
use crate::support::{
    digilocker::{session_id, StandaloneSandbox},
    shown, spawn_app, Browser,
};

const SETTLE: Duration = Duration::from_secs(10);

/// Comes back from DigiLocker and waits (long-polls) for the outcome.
async fn back_and_settled(browser: &Browser) -> SignInStatus {
    assert_eq!(browser.return_from_digilocker("").await, 200);
    browser.settle(SETTLE).await
}

#[tokio::test]
async fn consenting_in_digilocker_signs_the_browser_in_with_a_new_account() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    assert!(consent.as_str().starts_with(app.url.join("simulator/digilocker/authorize").unwrap().as_str()), "{consent}");
    // While the person is at DigiLocker, the page says so.
    assert!(matches!(browser.status(0).await, SignInStatus::AtDigiLocker { seconds_left } if seconds_left > 500));

    app.digilocker().answer(&consent, "allow", "priya").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Priya Sharma"));
    let account = browser.account().await.expect("signed in");
    assert_eq!(account.name, "Priya Sharma");
    assert!(account.new_account);
    assert_eq!(account.phone, "+91 •••••••• 80");
    assert_eq!(account.ways_in, [Provider::DigiLocker]);
    // KYC data beyond what the page shows is not kept: no date of birth, gender or email.
    assert!(account.details.is_empty(), "{:?}", account.details);
    let events = app.events(Some(&sign_in_for(&app, &consent).await)).await;
    assert_eq!(events, ["initiated", "waiting", "fetching", "approved", "signed_in"]);
}

#[tokio::test]
async fn a_digilocker_sign_in_comes_back_to_the_page_that_sent_the_person_to_sign_in() {
    let app = spawn_app(&[]).await;
    // The sign-in page at `?next=` carries it in the DigiLocker form.
    let page = shown(app.browser().http.get(app.url.join("?next=/account/delete").unwrap()).send().await.unwrap()).await;
    assert!(page.contains(r#"name="next" value="/account/delete""#), "{page}");

    let browser = app.browser();
    let consent = browser.start_digilocker_with(&[("next", "/account/delete?from=shop&x=1")]).await.consent();
    app.digilocker().answer(&consent, "allow", "priya").await;
    let landed = browser.back_from_digilocker().await;
    assert_eq!((landed.path(), landed.query()), ("/", Some("next=%2Faccount%2Fdelete%3Ffrom%3Dshop%26x%3D1")));
    // The page there reads it back whole (and, signed in, goes on to it).
    let next = landed.query_pairs().find(|(k, _)| k == "next").map(|(_, v)| v.into_owned());
    assert_eq!(next.as_deref(), Some("/account/delete?from=shop&x=1"));
    assert_eq!(browser.settle(SETTLE).await.signed_in_as(), Some("Priya Sharma"));
    // It was for that trip only.
    assert_eq!(browser.back_from_digilocker().await.query(), None);

    // A `next` that would leave the site is not carried.
    for off_site in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let browser = app.browser();
        let consent = browser.start_digilocker_with(&[("next", off_site)]).await.consent();
        app.digilocker().answer(&consent, "allow", "arjun").await;
        assert_eq!(browser.back_from_digilocker().await.query(), None, "{off_site}");
    }
}

#[tokio::test]
async fn the_page_learns_of_consent_without_coming_back_through_the_return_url() {
    // A person who consents in another tab: the waiting page's own long-poll asks Sandbox.
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "arjun").await;
    assert_eq!(browser.settle(SETTLE).await.signed_in_as(), Some("Arjun Venkatesh Nair"));
}

#[tokio::test]
async fn denying_consent_signs_nobody_in_and_says_so() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "deny", "priya").await;
    assert_eq!(back_and_settled(&browser).await, SignInStatus::DigiLockerDenied);
    assert!(browser.account().await.is_none());
    assert_eq!(app.digilocker().stats().await["profile_fetches"], 0);
}

#[tokio::test]
async fn an_expired_digilocker_request_says_so() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "expire", "priya").await;
    assert_eq!(back_and_settled(&browser).await, SignInStatus::DigiLockerExpired);
    assert!(browser.account().await.is_none());
}

#[tokio::test]
async fn a_session_sandbox_no_longer_knows_ends_the_attempt_with_a_way_forward() {
    // The embedded stand-in forgets its sessions on restart: Sandbox answers 521 for ours.
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.start_digilocker().await.consent();
    let app = app.restart().await;
    assert_eq!(back_and_settled(&browser).await, SignInStatus::Failed { reason: FailureReason::DigiLockerUnavailable });
    assert!(browser.account().await.is_none());
    // Starting again works.
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "priya").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Priya Sharma"));
}

#[tokio::test]
async fn a_stranger_opening_the_return_url_gets_nothing() {
    let app = spawn_app(&[]).await;
    let person = app.browser();
    let consent = person.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "priya").await;

    // Another browser comes to the return URL: bare, and with the person's session id in it.
    let stranger = app.browser();
    assert_eq!(stranger.return_from_digilocker("").await, 200);
    assert_eq!(stranger.return_from_digilocker(&format!("session_id={}", session_id(&consent))).await, 200);
    assert_eq!(stranger.status(0).await, SignInStatus::Idle);
    assert!(stranger.account().await.is_none());

    // The person's own sign-in is untouched by it and completes.
    assert_eq!(back_and_settled(&person).await.signed_in_as(), Some("Priya Sharma"));
    assert!(stranger.account().await.is_none());
}

#[tokio::test]
async fn two_browsers_at_digilocker_at_once_each_get_their_own_account() {
    let app = spawn_app(&[]).await;
    let (first, second) = (app.browser(), app.browser());
    let first_consent = first.start_digilocker().await.consent();
    let second_consent = second.start_digilocker().await.consent();
    assert_ne!(session_id(&first_consent), session_id(&second_consent));
    app.digilocker().answer(&second_consent, "allow", "arjun").await;
    app.digilocker().answer(&first_consent, "allow", "priya").await;
    assert_eq!(back_and_settled(&first).await.signed_in_as(), Some("Priya Sharma"));
    assert_eq!(back_and_settled(&second).await.signed_in_as(), Some("Arjun Venkatesh Nair"));
    assert_eq!(first.account().await.unwrap().phone, "+91 •••••••• 80");
    assert_eq!(second.account().await.unwrap().phone, "+91 •••••••• 45");
}

#[tokio::test]
async fn a_restart_while_the_person_is_at_digilocker_loses_nothing() {
    let sandbox = StandaloneSandbox::spawn().await;
    let env = sandbox.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app(&env).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    let app = app.restart().await;
    sandbox.client().answer(&consent, "allow", "priya").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Priya Sharma"));
    drop(app);
}

#[tokio::test]
async fn an_expired_sandbox_token_is_renewed_once_and_the_sign_in_goes_through() {
    let sandbox = StandaloneSandbox::spawn().await;
    let env = sandbox.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app(&env).await;
    let sim = sandbox.client();
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    let stats = sim.stats().await;
    assert_eq!(stats["authentications"], 1, "{stats}");
    sim.expire_tokens().await;
    sim.answer(&consent, "allow", "priya").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Priya Sharma"));
    assert_eq!(sim.stats().await["authentications"], 2, "one re-authentication after the 403");
    drop(app);
}

#[tokio::test]
async fn digilocker_joins_the_account_that_truecaller_verified_the_same_number_for() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    app.sim().answer("919999999999", true, true).await;
    assert!(matches!(browser.settle(SETTLE).await, SignInStatus::SignedIn(_)));
    let before = browser.account().await.unwrap();
    assert_eq!(before.sign_in_count, 1);
    browser.sign_out().await;

    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "rajat").await; // DigiLocker mobile 9999999999
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Rajat Kapoor"));
    let after = browser.account().await.unwrap();
    assert!(!after.new_account, "the Truecaller account, not a new one");
    assert_eq!(after.sign_in_count, 2);
    assert_eq!(after.phone, before.phone);
    assert_eq!(after.ways_in, [Provider::Truecaller, Provider::DigiLocker]);
    // Truecaller's shared details stay; DigiLocker adds none.
    assert_eq!(after.details, before.details);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1, "one person, one account");
}

#[tokio::test]
async fn a_digilocker_person_without_a_mobile_gets_an_account_without_a_number() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "meera").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Meera Iyer"));
    assert_eq!(browser.account().await.unwrap().phone, "");
}

#[tokio::test]
async fn verifying_with_digilocker_abandons_a_pending_truecaller_prompt() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 98765 11111").await, SignInStatus::Waiting { .. }));
    browser.start_digilocker().await.consent();
    // Approving the old prompt now signs nobody in.
    app.sim().answer("919876511111", true, true).await;
    assert!(matches!(browser.status(0).await, SignInStatus::AtDigiLocker { .. }));
    assert!(browser.account().await.is_none());
}

#[tokio::test]
async fn the_digilocker_start_is_rate_limited_like_a_prompt() {
    let app = spawn_app(&[("RATE_BROWSER_PER_HOUR", "2")]).await;
    let browser = app.browser();
    browser.start_digilocker().await.consent();
    browser.start_digilocker().await.consent();
    let crate::support::digilocker::Started::SignInPage(page) = browser.start_digilocker().await else {
        panic!("a third start within the hour went through");
    };
    // Said on the page itself (not only in the data it hydrates from).
    assert!(page.contains(r#"<p role="alert" class="error refusal">Too many sign-in attempts."#), "the page says why: {page}");
    assert_eq!(app.digilocker().stats().await["authentications"], 1, "no third Sandbox session");
}

/// The sign-in a consent page is for, found the way the app finds it: by Sandbox's session id.
async fn sign_in_for(app: &crate::support::TestApp, consent: &url::Url) -> String {
    let store = app.sign_ins.store();
    store.sign_in_by_ref(Provider::DigiLocker, &session_id(consent)).await.unwrap().expect("a sign-in for the session").id
}

#[tokio::test]
async fn family_members_sharing_a_mobile_get_their_own_accounts() {
    // Rajat's Truecaller account; then Rajat and Sunita (same mobile on her own Aadhaar) come
    // through DigiLocker. Rajat joins his account; Sunita must not.
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    app.sim().answer("919999999999", true, true).await;
    assert!(matches!(browser.settle(SETTLE).await, SignInStatus::SignedIn(_)));
    browser.sign_out().await;
    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "rajat").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Rajat Kapoor"));
    assert_eq!(browser.account().await.unwrap().sign_in_count, 2);
    browser.sign_out().await;

    let consent = browser.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "sunita").await;
    assert_eq!(back_and_settled(&browser).await.signed_in_as(), Some("Sunita Kapoor"));
    let sunita = browser.account().await.unwrap();
    assert!(sunita.new_account, "her own account");
    assert_eq!(sunita.ways_in, [Provider::DigiLocker]);
    // The number stays with the account that had it first.
    assert_eq!(sunita.phone, "");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 2);
}

#[tokio::test]
async fn with_a_live_truecaller_key_and_no_sandbox_keys_digilocker_is_not_offered() {
    // The stand-in would sign anyone in as anyone: it never runs beside a real Truecaller.
    let app = spawn_app(&[("TRUECALLER_APP_KEY", "live-key"), ("TRUECALLER_API_URL", "http://127.0.0.1:9")]).await;
    let browser = app.browser();
    let start = browser.http.post(app.url.join("digilocker/start").unwrap()).send().await.unwrap();
    assert_eq!(start.status(), 404);
    for path in ["simulator/digilocker/authorize", "simulator/api/digilocker/sessions"] {
        let response = browser.http.get(app.url.join(path).unwrap()).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let page = shown(browser.http.get(app.url.clone()).send().await.unwrap()).await;
    assert!(page.contains("Continue with Truecaller") && !page.contains("Verify with DigiLocker"), "{page}");
    assert!(!page.contains(r#"class="banner""#) && page.contains(r#"data-simulated="""#), "no simulator, no banner: {page}");
    assert_eq!(browser.status(0).await, SignInStatus::Idle);
}

#[tokio::test]
async fn sandbox_refusing_our_key_is_a_configuration_failure() {
    let sandbox = StandaloneSandbox::spawn().await;
    let url = sandbox.url.as_str().trim_end_matches('/').to_owned();
    let app = spawn_app(&[
        ("TRUECALLER_APP_KEY", "simulator-app-key"),
        ("TRUECALLER_API_URL", "http://127.0.0.1:9"),
        ("SANDBOX_API_KEY", "key_live_wrong"),
        ("SANDBOX_API_SECRET", "wrong"),
        ("SANDBOX_API_URL", &url),
    ])
    .await;
    let browser = app.browser();
    assert!(matches!(browser.start_digilocker().await, crate::support::digilocker::Started::SignInPage(_)));
    assert_eq!(browser.status(0).await, SignInStatus::Failed { reason: FailureReason::DigiLockerMisconfigured });
}

#[tokio::test]
async fn sandbox_unreachable_says_digilocker_is_not_responding() {
    let port = crate::support::free_port().await;
    let url = format!("http://127.0.0.1:{port}");
    let app = spawn_app(&[
        ("TRUECALLER_APP_KEY", "simulator-app-key"),
        ("TRUECALLER_API_URL", "http://127.0.0.1:9"),
        ("SANDBOX_API_KEY", "k"),
        ("SANDBOX_API_SECRET", "s"),
        ("SANDBOX_API_URL", &url),
    ])
    .await;
    let browser = app.browser();
    assert!(matches!(browser.start_digilocker().await, crate::support::digilocker::Started::SignInPage(_)));
    assert_eq!(browser.status(0).await, SignInStatus::Failed { reason: FailureReason::DigiLockerUnavailable });
    assert!(browser.account().await.is_none());
}

#[tokio::test]
async fn a_browsers_status_requests_share_one_sandbox_check_at_a_time() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let _consent = browser.start_digilocker().await.consent();
    let checks = || async { app.digilocker().stats().await["status_checks"].as_u64().unwrap() };
    let before = checks().await;
    // Forty page loads at once (each asks where the sign-in stands, with no wait), as a script
    // with the browser's cookie could send them.
    let asks: Vec<_> = (0..40)
        .map(|_| {
            let browser = browser.clone();
            tokio::spawn(async move { browser.status(0).await })
        })
        .collect();
    for ask in asks {
        let status = ask.await.unwrap();
        assert!(!matches!(status, SignInStatus::Failed { .. } | SignInStatus::Idle), "{status:?}");
    }
    let asked = checks().await - before;
    // One call in flight at a time, at most one a second: the forty share one or two answers.
    assert!((1..=3).contains(&asked), "Sandbox was asked {asked} times for forty requests");
}
