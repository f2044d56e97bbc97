//! The person's data under the person's control: deleting the account.

use std::time::Duration;

use crate::support::{shown, spawn_app, SignedInAs as _};

const LIMIT: Duration = Duration::from_secs(10);

/// "Delete my account" removes the account everywhere: the browser that asked is signed out and
/// told so, another browser signed in to the account is signed out on its next request, the
/// number leaves the database files, and signing in again starts a new account.
#[tokio::test]
async fn deleting_the_account_signs_out_every_browser_and_leaves_no_name_or_number() {
    let app = spawn_app(&[]).await;
    let (phone, digits, name) = ("+46760123456", "46760123456", "Astrid Lindqvist");
    let [asking, elsewhere] = [app.browser(), app.browser()];
    for browser in [&asking, &elsewhere] {
        browser.initiate(phone).await;
        app.sim().answer(digits, true, true).await;
        assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some(name));
    }
    let first = asking.account().await.unwrap();

    // The confirmation names what goes, and the one form that does it.
    let page = shown(asking.http.get(app.url.join("account/delete").unwrap()).send().await.unwrap()).await;
    assert!(page.contains(r#"<form method="post" action="/account/delete">"#) && page.contains(name), "{page}");
    let response = asking.without_redirects().post(app.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/?deleted");
    let told = shown(asking.http.get(app.url.join("?deleted").unwrap()).send().await.unwrap()).await;
    assert!(told.contains("Your account was deleted."), "{told}");

    assert_eq!(asking.account().await, None);
    assert_eq!(elsewhere.account().await, None, "the other browser is signed out too");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM identities").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins WHERE phone IS NOT NULL OR account_id IS NOT NULL").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_events WHERE event = 'account_deleted'").await, 1);
    if !crate::support::on_postgres() {
        let files = crate::support::database_bytes(&app);
        for trace in [digits, name] {
            assert!(!files.windows(trace.len()).any(|w| w == trace.as_bytes()), "{trace:?} is still in the database files");
        }
    }

    // The same number again: a new account.
    asking.initiate(phone).await;
    app.sim().answer(digits, true, true).await;
    assert_eq!(asking.settle(LIMIT).await.signed_in_as(), Some(name));
    let again = asking.account().await.unwrap();
    assert!(again.new_account && again.sign_in_count == 1, "{again:?} (was {first:?})");
}

/// Without a signed-in account there is nothing to delete: the confirmation sends the browser to
/// the sign-in page, and the form post changes nothing.
#[tokio::test]
async fn a_browser_signed_in_to_nothing_deletes_nothing() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    // As the account page does: the page's redirect, to the sign-in page.
    let response = browser.without_redirects().get(app.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/");
    let response = browser.without_redirects().post(app.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/");
}


/// Another site cannot make a signed-in browser delete its account: the cross-site post is
/// refused before the handler, and the account stays.
#[tokio::test]
async fn a_cross_site_post_cannot_delete_the_account() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+447400123456").await;
    app.sim().answer("447400123456", true, true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Alex Morgan"));
    for (name, value) in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")] {
        let response =
            browser.without_redirects().post(app.url.join("account/delete").unwrap()).header(name, value).send().await.unwrap();
        assert_eq!(response.status(), 403, "{name}: {value}");
    }
    assert_eq!(browser.account().await.map(|a| a.name).as_deref(), Some("Alex Morgan"));
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
}

/// "Download my data": a JSON file with the account, the ways in that vouched for it, its
/// sign-ins and their audit trails, and what each way in returns and what of it is kept.
#[tokio::test]
async fn the_person_downloads_everything_kept_about_the_account() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let page = shown(browser.http.get(app.url.join("account").unwrap()).send().await.unwrap()).await;
    assert!(!page.contains("/account/data"), "signed out: no download offered");
    let response = browser.without_redirects().get(app.url.join("account/data").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/", "signed out: nothing to download");

    browser.initiate("+447400123456").await;
    app.sim().answer("447400123456", true, true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Alex Morgan"));
    let response = browser.http.get(app.url.join("account/data").unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let file: serde_json::Value = response.json().await.unwrap();
    let account = &file["account"];
    assert_eq!((account["name"].as_str(), account["phone"].as_str()), (Some("Alex Morgan"), Some("447400123456")));
    assert_eq!(account["identities"][0]["provider"], "truecaller");
    let devices = account["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{file}");
    assert_eq!((devices[0]["network"].as_str(), devices[0].get("id")), (Some("127.0.0.0/24"), None), "{file}");
    let sign_ins = account["sign_ins"].as_array().unwrap();
    assert_eq!(sign_ins.len(), 1, "{file}");
    assert_eq!(sign_ins[0]["phase"], "completed");
    assert!(sign_ins[0]["events"].as_array().unwrap().iter().any(|e| e["event"] == "signed_in"), "{file}");
    assert!(file["never_kept"].as_str().unwrap().contains("access tokens"));
    assert_eq!(file["what_each_way_in_returns"].as_array().map(Vec::len), Some(2));
}
