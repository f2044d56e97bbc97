//! The page's language: the switcher's cookie, else `Accept-Language`, else English; the same
//! language on the page, in `<html lang dir>`, in the Truecaller sheet's `lang` and on the
//! DigiLocker hand-off.

use reqwest::header::{ACCEPT_LANGUAGE, LOCATION, SET_COOKIE};
use url::Url;

use crate::support::{shown, spawn_app, Browser, TestApp};

/// The sign-in page as this browser gets it, with extra request headers.
async fn page(app: &TestApp, browser: &Browser, headers: &[(&str, &str)]) -> String {
    let mut request = browser.http.get(app.url.clone());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    shown(response).await
}

/// The `<html …>` start tag.
fn html_tag(page: &str) -> &str {
    let start = page.find("<html").expect("an html element");
    &page[start..start + page[start..].find('>').unwrap()]
}

#[tokio::test]
async fn the_page_speaks_the_browsers_language_unless_the_person_chose_another() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();

    let english = page(&app, &browser, &[]).await;
    assert!(html_tag(&english).contains(r#"lang="en""#) && html_tag(&english).contains(r#"dir="ltr""#), "{}", html_tag(&english));
    assert!(english.contains("Mobile number"));

    let hindi = page(&app, &browser, &[("accept-language", "hi-IN,hi;q=0.9,en;q=0.8")]).await;
    assert!(html_tag(&hindi).contains(r#"lang="hi""#), "{}", html_tag(&hindi));
    assert!(hindi.contains("मोबाइल नंबर") && !hindi.contains("Mobile number"), "{hindi}");

    let arabic = page(&app, &browser, &[("accept-language", "ar-AE")]).await;
    assert!(html_tag(&arabic).contains(r#"lang="ar""#) && html_tag(&arabic).contains(r#"dir="rtl""#), "{}", html_tag(&arabic));

    // The switcher: a plain form post that remembers the choice and goes back where it was made.
    let response = browser
        .without_redirects()
        .post(app.url.join("language").unwrap())
        .form(&[("lang", "ta"), ("back", "/?with=number")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/?with=number");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lang=ta;") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age="), "{cookie}");
    assert!(!cookie.contains("HttpOnly"), "the page may read it: {cookie}");
    let chosen = page(&app, &browser, &[("accept-language", "hi")]).await;
    assert!(html_tag(&chosen).contains(r#"lang="ta""#), "the choice beats Accept-Language: {}", html_tag(&chosen));
}

#[tokio::test]
async fn the_switcher_refuses_what_it_does_not_know() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    let client = browser.without_redirects();
    for (lang, back) in [("xx", "/account"), ("hi", "https://evil.example/"), ("hi", "//evil.example"), ("", "/")] {
        let response = client
            .post(app.url.join("language").unwrap())
            .form(&[("lang", lang), ("back", back)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{lang} {back}");
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert!(location.starts_with('/') && !location.starts_with("//"), "{lang} {back}: {location}");
        let set = response.headers().get(SET_COOKIE).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(set.is_some(), lang == "hi", "{lang} {back}: {set:?}");
    }
    // From another site, refused like every other form post.
    let response = client
        .post(app.url.join("language").unwrap())
        .header("sec-fetch-site", "cross-site")
        .form(&[("lang", "hi"), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_truecaller_sheet_speaks_the_pages_language() {
    let app = spawn_app(&[]).await;
    let sheet_lang = |link: &str| {
        let url = Url::parse(link).unwrap();
        url.query_pairs().find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned())
    };
    for (accept, expected) in [("hi-IN,en;q=0.5", "hi"), ("ar", "ar"), ("de-DE", "en")] {
        let browser = app.browser();
        let response = browser
            .http
            .post(app.url.join("api/signin/one-tap").unwrap())
            .header(ACCEPT_LANGUAGE, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let link: truecaller_signin::domain::OneTapLink = response.json().await.unwrap();
        assert_eq!(sheet_lang(&link.deep_link).as_deref(), Some(expected), "{accept}");
        // And the page the browser is on says it in the same language.
        let page = page(&app, &browser, &[("accept-language", accept)]).await;
        assert!(html_tag(&page).contains(&format!(r#"lang="{expected}""#)), "{accept}: {}", html_tag(&page));
    }
}

/// The browser gets the page's messages as data (`words`): the page's language only, and
/// every language's name for the switcher.
#[tokio::test]
async fn the_page_hands_the_browser_the_words_of_its_language() {
    let app = spawn_app(&[]).await;
    let response = app.browser().http.get(app.url.clone()).header("accept-language", "hi").send().await.unwrap();
    let html = response.text().await.unwrap();
    let start = html.find(r#"<script id="words" type="application/json""#).expect("the words' element");
    let text = &html[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</script>").unwrap()];
    let words: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(words["lang"], "hi");
    assert_eq!(words["messages"]["continue_with_truecaller"], "Truecaller के साथ जारी रखें");
    assert!(!text.contains("Continue with Truecaller") && !text.contains('<'), "{text}");
    let names = words["names"].as_array().unwrap();
    assert_eq!(names.len(), 12);
    assert!(names.iter().any(|name| name[0] == "en" && name[1] == "English"), "{names:?}");
}
