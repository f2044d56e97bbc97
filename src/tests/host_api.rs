//! What a host app reads of the signed-in person: `CurrentUser` (an axum extractor, and the
//! `api/user` server function) with how strongly this session's sign-in checked them.

use std::time::Duration;

use truecaller_signin::user::Assurance;

use crate::support::{spawn_app, SignedInAs as _};

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_truecaller_sign_in_is_a_verified_phone_and_a_digilocker_one_a_government_id() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert_eq!(browser.current_user().await, None, "nobody yet");

    browser.initiate("+46760123456").await;
    app.sim().answer("46760123456", true, true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Astrid Lindqvist"));
    let user = browser.current_user().await.expect("signed in");
    assert_eq!((user.name.as_str(), user.phone_masked.as_str()), ("Astrid Lindqvist", "+46 ••••••• 56"));
    assert_eq!(user.assurance, Assurance::VerifiedPhone);
    assert!(user.assurance < Assurance::GovernmentId, "a page requiring a government ID refuses it");

    let other = app.browser();
    let consent = other.start_digilocker().await.consent();
    app.digilocker().answer(&consent, "allow", "priya").await;
    assert_eq!(other.return_from_digilocker("").await, 200);
    assert_eq!(other.settle(LIMIT).await.signed_in_as(), Some("Priya Sharma"));
    assert_eq!(other.current_user().await.map(|u| u.assurance), Some(Assurance::GovernmentId));
}

/// The extractor on a route of the app's own (the data download): signed out, the handler sees
/// nobody; a device signed out from elsewhere is nobody too.
#[tokio::test]
async fn a_device_signed_out_elsewhere_is_nobody_to_the_extractor() {
    let app = spawn_app(&[]).await;
    let [here, there] = [app.browser(), app.browser()];
    for browser in [&here, &there] {
        browser.initiate("+46760123456").await;
        app.sim().answer("46760123456", true, true).await;
        assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Astrid Lindqvist"));
    }
    let download = |browser: &crate::support::Browser| {
        browser.without_redirects().get(app.url.join("account/data").unwrap()).send()
    };
    assert_eq!(download(&there).await.unwrap().status(), 200);
    here.sign_out_devices(None).await;
    let response = download(&there).await.unwrap();
    assert_eq!((response.status().as_u16(), response.headers()["location"].to_str().unwrap()), (303, "/"));
    assert_eq!(there.current_user().await, None);
    assert!(here.current_user().await.is_some());
}

/// The host app's handler hears each completed sign-in once (who, how checked, whether the
/// account is new) and each account the person deletes.
#[tokio::test]
async fn the_host_is_told_of_each_sign_in_once_and_of_each_deleted_account() {
    use truecaller_signin::{domain::Provider, server::sign_in::AccountEvent};

    let (app, heard) = crate::support::spawn_app_heard(&[]).await;
    let [first, second] = [app.browser(), app.browser()];
    for browser in [&first, &second] {
        browser.initiate("+46760123456").await;
        app.sim().answer("46760123456", true, true).await;
        assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Astrid Lindqvist"));
        // Asking again (another tab, a reload) is not another sign-in.
        assert!(browser.current_user().await.is_some());
        browser.status(0).await;
    }
    let account_id = first.current_user().await.unwrap().account_id;
    let response = first.without_redirects().post(app.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/?deleted");

    let heard = heard.lock().unwrap().clone();
    let signed_in: Vec<_> = heard
        .iter()
        .filter_map(|event| match event {
            AccountEvent::SignedIn { user, provider, new_account } => Some((user.account_id, *provider, *new_account, user.assurance)),
            AccountEvent::Removed { .. } => None,
        })
        .collect();
    assert_eq!(
        signed_in,
        [(account_id, Provider::Truecaller, true, Assurance::VerifiedPhone), (account_id, Provider::Truecaller, false, Assurance::VerifiedPhone)]
    );
    assert_eq!(heard.last(), Some(&AccountEvent::Removed { account_id }));
    assert_eq!(heard.len(), 3, "{heard:?}");
}
