//! The country next to the number: where the picker starts, what it offers (`PHONE_COUNTRIES`),
//! and that a number is read in the chosen country and refused from a country not offered.

use truecaller_signin::{domain::PhoneProblem, error::ApiError, countries::Region};

use crate::support::{shown, spawn_app, Browser, TestApp};

const OFFERED: &[(&str, &str)] = &[("PHONE_COUNTRIES", "IN,GB,AE")];

async fn page(app: &TestApp, browser: &Browser, accept_language: &str) -> String {
    let response = browser.http.get(app.url.clone()).header("accept-language", accept_language).send().await.unwrap();
    assert_eq!(response.status(), 200);
    shown(response).await
}

/// The `<select name="country">` the server renders (what works without JavaScript).
fn select(page: &str) -> &str {
    let start = page.find(r#"<select id="country" name="country""#).unwrap_or_else(|| panic!("a country select: {page}"));
    &page[start..start + page[start..].find("</select>").unwrap()]
}

fn chosen(select: &str) -> Vec<&str> {
    select.split("<option").filter(|o| o.contains("selected")).map(|o| &o[o.find("value=\"").unwrap() + 7..][..2]).collect()
}

#[tokio::test]
async fn the_picker_offers_the_configured_countries_named_in_the_page_language() {
    let app = spawn_app(OFFERED).await;
    let browser = app.browser();

    let english = page(&app, &browser, "en").await;
    let countries = select(&english);
    assert_eq!(countries.matches("<option").count(), 3, "{countries}");
    assert!(countries.contains("India (+91)") && countries.contains("United Kingdom (+44)"), "{countries}");
    assert!(countries.contains("United Arab Emirates (+971)") && !countries.contains("Sweden"), "{countries}");
    assert_eq!(chosen(countries), ["IN"], "PHONE_DEFAULT_REGION, else IN");
    assert!(english.contains(r#"<label for="country">Country</label>"#), "labelled: {english}");

    // The browser's language names a region: the picker starts there when it is offered.
    assert_eq!(chosen(select(&page(&app, &browser, "en-GB,en;q=0.9").await)), ["GB"]);
    assert_eq!(chosen(select(&page(&app, &browser, "sv-SE,ar-AE;q=0.8").await)), ["AE"]);
    assert_eq!(chosen(select(&page(&app, &browser, "sv-SE").await)), ["IN"]);

    let hindi = page(&app, &browser, "hi-IN").await;
    assert!(select(&hindi).contains("भारत (+91)") && hindi.contains(">देश</label>"), "{}", select(&hindi));
    let arabic = page(&app, &browser, "ar").await;
    assert!(select(&arabic).contains("الإمارات العربية المتحدة (+971)"), "{}", select(&arabic));

    // Unset, every country libphonenumber has mobile numbers for.
    let everywhere = spawn_app(&[]).await;
    let all = page(&everywhere, &everywhere.browser(), "en").await;
    assert!(select(&all).matches("<option").count() > 200);
}

#[tokio::test]
async fn a_number_is_read_in_the_chosen_country() {
    let app = spawn_app(OFFERED).await;
    let browser = app.browser();
    let (status, result) = browser.initiate_in("07400 123456", "GB").await;
    assert_eq!(status, 200, "{result:?}");
    app.sim().prompt_for("447400123456").await;

    // Without JavaScript: the select's value comes with the form, and a refusal keeps it.
    let other = app.browser();
    let no_redirects = other.without_redirects();
    let refused = no_redirects.post(app.url.join("signin").unwrap()).form(&[("phone", "0501"), ("country", "AE")]).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let page = crate::support::shown(refused).await;
    assert!(page.contains("That number is too short for United Arab Emirates."), "{page}");
    assert_eq!(chosen(select(&page)), ["AE"], "the form comes back as it was sent");
}

#[tokio::test]
async fn a_number_from_a_country_not_offered_is_refused_and_sends_nothing() {
    let app = spawn_app(OFFERED).await;
    let browser = app.browser();
    let sweden = Region::parse("SE").unwrap();
    for (phone, country) in [("+46 76 012 34 56", "IN"), ("+46 76 012 34 56", "SE"), ("0046 76 012 34 56", "")] {
        let (status, result) = browser.initiate_in(phone, country).await;
        assert_eq!(status, 400, "{phone} {country}");
        match result {
            Err(ApiError::InvalidPhone(problem)) => {
                assert_eq!(problem, PhoneProblem::NotOffered(sweden));
                assert_eq!(problem.to_string(), "Sign-in isn't available here for numbers from Sweden.");
            }
            other => panic!("{phone}: {other:?}"),
        }
    }
    // A country not offered, chosen anyway (a forged form): the number is read in the default.
    assert!(app.sim().prompts().await.is_empty(), "no prompt went out");
    let (status, _) = browser.initiate_in("98765 43210", "SE").await;
    assert_eq!(status, 200);
    let prompts = app.sim().prompts().await;
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0]["phone"], "919876543210");
}
