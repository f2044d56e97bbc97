//! "Your devices": every browser signed in to the account is listed, and the person signs the
//! others out from any one of them; the account page also says what each way in handed over and
//! how long things are kept.

use std::time::Duration;

use truecaller_signin::domain::{Provider, SignInStatus};

use crate::support::{spawn_app, Browser, SignedInAs as _, TestApp};

const LIMIT: Duration = Duration::from_secs(10);
const PIXEL: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.33 Mobile Safari/537.36";
const WINDOWS_FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

async fn signed_in(app: &TestApp, browser: &Browser, phone: &str, name: &str) {
    browser.initiate(phone).await;
    app.sim().answer(phone.trim_start_matches('+'), true, true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some(name));
}

#[tokio::test]
async fn each_signed_in_browser_is_listed_and_the_others_can_be_signed_out_from_any_one() {
    let app = spawn_app(&[]).await;
    let (phone, name) = ("+46760123456", "Astrid Lindqvist");
    let phone_browser = Browser::with_user_agent(app.url.clone(), PIXEL);
    let laptop = Browser::with_user_agent(app.url.clone(), WINDOWS_FIREFOX);
    let unnamed = app.browser();
    for browser in [&phone_browser, &laptop, &unnamed] {
        signed_in(&app, browser, phone, name).await;
    }

    let data = phone_browser.your_data().await.expect("signed in");
    assert_eq!(data.devices.len(), 3, "{data:?}");
    let this: Vec<_> = data.devices.iter().filter(|d| d.this_device).collect();
    assert_eq!(this.len(), 1);
    assert_eq!((this[0].browser.as_str(), this[0].platform.as_str()), ("Chrome", "Android"));
    assert_eq!(this[0].network, "127.0.0.0/24", "the network, never the address");
    assert_eq!(this[0].way_in, Some(Provider::Truecaller));
    assert!(this[0].signed_in.ends_with(" UTC") && this[0].last_seen.ends_with(" UTC"), "{:?}", this[0]);
    let firefox = data.devices.iter().find(|d| d.browser == "Firefox").expect("the laptop is listed");
    assert!(firefox.platform.starts_with("Windows") && !firefox.this_device, "{firefox:?}");
    assert!(data.devices.iter().any(|d| d.browser.is_empty() && d.platform.is_empty()), "a browser that names none");
    assert_eq!(data.ways_in.iter().map(|w| w.provider).collect::<Vec<_>>(), [Provider::Truecaller]);
    assert_eq!((data.kept.device_idle_minutes, data.kept.sign_ins_hours, data.kept.audit_days), (30, 24, 30));
    assert_eq!(data.kept.idle_account_days, None);

    // The page lists them, with a form per other device, in the page's words.
    let page = crate::support::shown(phone_browser.http.get(app.url.join("account").unwrap()).send().await.unwrap()).await;
    assert!(page.contains("Your devices") && page.contains("Chrome on Android") && page.contains("This device"), "{page}");
    assert_eq!(page.matches(r#"action="/account/devices/sign-out""#).count(), 3, "two devices and everywhere else");
    assert!(page.contains("What we received") && page.contains("How long we keep things"), "{page}");

    // One device signed out from another: its record goes, and its next request finds it out.
    let sessions = app.stored_sessions().await;
    assert_eq!(phone_browser.sign_out_devices(Some(&firefox.id)).await, "/account#devices");
    assert_eq!(laptop.account().await, None, "the laptop is signed out");
    assert_eq!(app.stored_sessions().await, sessions - 1);
    assert!(unnamed.account().await.is_some(), "the others stay");
    assert_eq!(phone_browser.your_data().await.unwrap().devices.len(), 2);

    // Everywhere else: all but the one asking.
    phone_browser.sign_out_devices(None).await;
    assert_eq!(unnamed.account().await, None);
    let left = phone_browser.your_data().await.unwrap().devices;
    assert!(left.len() == 1 && left[0].this_device, "{left:?}");

    // Signing out takes this device off the list too.
    phone_browser.sign_out().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 0);
}

/// A form naming another account's device changes nothing, and a browser signed in to nothing
/// signs nobody out.
#[tokio::test]
async fn only_the_accounts_own_devices_can_be_signed_out() {
    let app = spawn_app(&[]).await;
    let [mine, theirs, nobody] = [app.browser(), app.browser(), app.browser()];
    signed_in(&app, &mine, "+46760123456", "Astrid Lindqvist").await;
    signed_in(&app, &theirs, "+447400123456", "Alex Morgan").await;
    let their_device = theirs.your_data().await.unwrap().devices.remove(0);

    mine.sign_out_devices(Some(&their_device.id)).await;
    nobody.sign_out_devices(Some(&their_device.id)).await;
    nobody.sign_out_devices(None).await;
    assert!(theirs.account().await.is_some(), "another account's device stays signed in");
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 2);
    assert_eq!(nobody.your_data().await, None);
}

/// A session signed in before devices were recorded (an older instance signed it in) is listed
/// from its next request on, not signed out.
#[tokio::test]
async fn a_session_signed_in_before_devices_were_recorded_is_adopted() {
    let app = spawn_app(&[]).await;
    let browser = Browser::with_user_agent(app.url.clone(), PIXEL);
    signed_in(&app, &browser, "+46760123456", "Astrid Lindqvist").await;
    sqlx::query("DELETE FROM devices").execute(app.sign_ins.store().pool()).await.unwrap();
    assert_eq!(browser.account().await, None, "a device signed out (its row gone) is signed out");

    // Now a session with no device at all: signed in, then its device forgotten by the session.
    signed_in(&app, &browser, "+46760123456", "Astrid Lindqvist").await;
    forget_device(&app).await;
    assert!(browser.account().await.is_some(), "adopted, not signed out");
    let devices = browser.your_data().await.unwrap().devices;
    assert!(devices.len() == 1 && devices[0].this_device && devices[0].network.is_empty(), "{devices:?}");
}

/// Takes the device id out of every stored session (through the session store, which encodes
/// its records), as an older version signed them in.
async fn forget_device(app: &TestApp) {
    let records = app.session_records().await;
    for id in app.session_ids().await {
        let mut record = records.load(&id).await.unwrap().unwrap();
        record.data.remove("device_id");
        records.save(&record).await.unwrap();
    }
    sqlx::query("DELETE FROM devices").execute(app.sign_ins.store().pool()).await.unwrap();
}

/// An approval the browser has not picked up yet, whose account is deleted meanwhile from another
/// browser, signs nobody in: the sign-in is given up, and both audit trails stand.
#[tokio::test]
async fn an_approval_whose_account_is_deleted_before_the_browser_picks_it_up_signs_nobody_in() {
    let app = spawn_app(&[]).await;
    let (phone, digits) = ("+46760123456", "46760123456");
    let [deleting, late] = [app.browser(), app.browser()];
    signed_in(&app, &deleting, phone, "Astrid Lindqvist").await;

    late.initiate(phone).await;
    let prompt = app.sim().answer(digits, true, true).await;
    let row = app.sign_in_for(&prompt).await;
    crate::support::eventually("the approval saved", LIMIT, || async {
        (app.count(&format!("SELECT COUNT(*) FROM sign_ins WHERE id = '{}' AND phase = 'approved'", row.id)).await == 1).then_some(())
    })
    .await;
    let response = deleting.without_redirects().post(app.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/?deleted");

    assert_eq!(late.status(0).await, SignInStatus::Idle);
    assert_eq!(late.account().await, None);
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    let trail = app.events(Some(&row.id)).await;
    assert!(trail.ends_with(&["approved".to_owned(), "cancelled".to_owned()]), "{trail:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_events WHERE event = 'account_deleted'").await, 1);
}

/// An approval and a deletion of the same person at the same moment, again and again: whichever
/// lands first, no sign-in names an account that is gone, the waiting browser ends signed in to a
/// new account or to nothing, and both the approval's and the deletion's audit rows stand.
#[tokio::test]
async fn a_deletion_racing_an_approval_leaves_everything_consistent() {
    let app = spawn_app(&[]).await;
    let (phone, digits) = ("+46760123456", "46760123456");
    let mut deletions = 0;
    for round in 0..6 {
        let [deleting, waiting] = [app.browser(), app.browser()];
        signed_in(&app, &deleting, phone, "Astrid Lindqvist").await;
        waiting.initiate(phone).await;
        let callback = app.sim().answer(digits, true, false).await;
        let delete = deleting.without_redirects().post(app.url.join("account/delete").unwrap()).send();
        let (approved, deleted) = tokio::join!(app.post_callback(&callback), delete);
        assert_eq!(approved, 200);
        assert_eq!(deleted.unwrap().headers()["location"], "/?deleted");
        deletions += 1;

        let outcome = waiting.settle(LIMIT).await;
        let orphans = "SELECT COUNT(*) FROM sign_ins s WHERE s.account_id IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id)";
        assert_eq!(app.count(orphans).await, 0, "round {round}");
        match &outcome {
            SignInStatus::SignedIn(account) => {
                assert!(account.new_account, "round {round}: joined a deleted account: {account:?}");
                assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1, "round {round}");
            }
            SignInStatus::Idle => assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0, "round {round}"),
            other => panic!("round {round}: {other:?}"),
        }
        let row = app.sign_in_for(&callback).await;
        let trail = app.events(Some(&row.id)).await;
        assert!(trail.contains(&"approved".to_owned()), "round {round}: {trail:?}");
        assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_events WHERE event = 'account_deleted'").await, deletions);
        // The next round starts from no account.
        if matches!(outcome, SignInStatus::SignedIn(_)) {
            let response = waiting.without_redirects().post(app.url.join("account/delete").unwrap()).send().await.unwrap();
            assert_eq!(response.headers()["location"], "/?deleted");
            deletions += 1;
        }
    }
}
