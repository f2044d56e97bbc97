//! The Truecaller app's bottom sheet on a simulated Android phone. `GET /simulator/sheet?…` takes
//! the deep link's parameters (what the app receives from `truecallersdk://truesdk/web_verify?…`),
//! tells the app's callback the flow was invoked, and shows the sheet as the parameters chose it:
//! partner name, texts, button colours and shape, the footer option. Continue, dismiss and the
//! footer post the callbacks Truecaller posts, Continue with the profile `endpoint`.
//! Plain HTML, no script: it works in any browser, and in a phone-sized window.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    Form, Json,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{Behaviour, Shared, Simulator, APP_KEY, SEEDED};
use crate::server::providers::truecaller::deep_link::{valid_color, valid_nonce};

/// A sheet the simulated app opened.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sheet {
    pub nonce: String,
    pub partner_name: String,
    pub answer: SheetAnswer,
    /// What the app answered to the last callback about this sheet.
    pub delivery: Option<String>,
    /// The `ttl` asked for, in milliseconds (absent: no limit known).
    pub ttl_ms: Option<u64>,
    #[serde(skip)]
    opened: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetAnswer {
    Open,
    Continued,
    Dismissed,
    Skipped,
}

impl Sheet {
    fn expired(&self) -> bool {
        self.ttl_ms.is_some_and(|ttl| self.opened.elapsed() > Duration::from_millis(ttl))
    }
}

/// The person's choice on the sheet, as the URL names it.
#[derive(Clone, Copy)]
enum Choice {
    Continue,
    Dismiss,
    Skip,
}

impl Choice {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "continue" => Some(Self::Continue),
            "dismiss" => Some(Self::Dismiss),
            "skip" => Some(Self::Skip),
            _ => None,
        }
    }
}

/// Why a sheet request or answer was refused: shown on the page, returned by the API.
#[derive(Debug)]
enum Refusal {
    BadLink(&'static str),
    UnknownSheet,
    AlreadyAnswered,
    Expired,
}

impl Refusal {
    fn message(&self) -> &'static str {
        match self {
            Self::BadLink(why) => why,
            Self::UnknownSheet => "No sheet was opened with that request nonce.",
            Self::AlreadyAnswered => "This sheet was already answered.",
            Self::Expired => "This request has expired (its ttl passed). Start again on the app.",
        }
    }
}

impl Simulator {
    /// Registers the sheet a deep link opens (once per nonce) and returns the callback body to
    /// tell the app the flow was invoked, the first time only.
    fn open_sheet(&self, link: &SheetLink) -> Option<Value> {
        let mut state = self.lock();
        if state.sheets.iter().any(|s| s.nonce == link.nonce) {
            return None;
        }
        state.sheets.push(Sheet {
            nonce: link.nonce.clone(),
            partner_name: link.partner_name.clone(),
            answer: SheetAnswer::Open,
            delivery: None,
            ttl_ms: link.ttl_ms,
            opened: Instant::now(),
        });
        Some(json!({ "requestId": link.nonce, "status": "flow_invoked" }))
    }

    /// Marks a sheet answered and builds the callback body Truecaller would send.
    fn answer_sheet(&self, nonce: &str, choice: Choice, phone: &str) -> Result<Value, Refusal> {
        let mut state = self.lock();
        let sheet = state.sheets.iter_mut().find(|s| s.nonce == nonce).ok_or(Refusal::UnknownSheet)?;
        if sheet.answer != SheetAnswer::Open {
            return Err(Refusal::AlreadyAnswered);
        }
        if sheet.expired() {
            return Err(Refusal::Expired);
        }
        let nonce = sheet.nonce.clone();
        Ok(match choice {
            Choice::Continue => {
                sheet.answer = SheetAnswer::Continued;
                let token = Self::issue_token(&mut state, &nonce, phone);
                json!({ "requestId": nonce, "accessToken": token, "endpoint": self.profile_endpoint.as_str() })
            }
            Choice::Dismiss => {
                sheet.answer = SheetAnswer::Dismissed;
                json!({ "requestId": nonce, "status": "user_rejected" })
            }
            Choice::Skip => {
                sheet.answer = SheetAnswer::Skipped;
                json!({ "requestId": nonce, "status": "use_another_number" })
            }
        })
    }
}

/// The deep link's parameters as the app reads them; unknown text options fall back to the
/// app's defaults, as the real app is expected to (a documented gap).
struct SheetLink {
    nonce: String,
    partner_name: String,
    lang: String,
    privacy_url: Option<String>,
    terms_url: Option<String>,
    title: String,
    cta_prefix: &'static str,
    cta_color: Option<String>,
    cta_text_color: Option<String>,
    round: bool,
    footer: Option<&'static str>,
    ttl_ms: Option<u64>,
}

impl SheetLink {
    fn read(params: &HashMap<String, String>) -> Result<Self, Refusal> {
        let get = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
        // The legacy 2018 popup form has no `type`; anything else is not a sheet.
        if get("type").is_some_and(|t| t != "btmsheet") {
            return Err(Refusal::BadLink("type must be btmsheet."));
        }
        let nonce = get("requestNonce").ok_or(Refusal::BadLink("requestNonce is missing."))?;
        if !valid_nonce(nonce) {
            return Err(Refusal::BadLink("requestNonce must be 8 to 64 URL-safe base64 characters."));
        }
        if get("partnerKey") != Some(APP_KEY) {
            return Err(Refusal::BadLink("Truecaller does not know this partnerKey."));
        }
        let partner_name = get("partnerName").ok_or(Refusal::BadLink("partnerName is missing."))?;
        let https = |name: &str| get(name).filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(str::to_owned);
        let prefix = match get("loginPrefix").unwrap_or("") {
            "getstarted" => "To get started",
            "placeorder" => "To place order",
            "completepurchase" => "To complete your order",
            "checkout" => "To checkout",
            "completebooking" => "To complete your booking",
            "proceedwithbooking" => "To proceed with your booking",
            "continuewith" => "To continue with your booking",
            "getdetails" => "To get details",
            "viewmore" => "To view more",
            "continuereading" => "To continue reading",
            "proceed" => "To proceed",
            _ => "To continue",
        };
        let suffix = match get("loginSuffix").unwrap_or("") {
            "login" => "please login",
            "signup" => "please signup",
            "loginsignup" => "please login/signup",
            "signin" => "please sign in",
            "register" => "please register",
            _ => "please verify your mobile number",
        };
        // The legacy form's `title` replaces the prefix and suffix.
        let title = match get("title") {
            Some("logIn") => "Log in".to_owned(),
            Some("signUp") => "Sign up".to_owned(),
            Some("signIn") => "Sign in".to_owned(),
            Some("verify") => "Verify".to_owned(),
            Some("register") => "Register".to_owned(),
            Some("getStarted") => "Get started".to_owned(),
            _ => format!("{prefix}, {suffix}"),
        };
        let cta_prefix = match get("ctaPrefix").unwrap_or("") {
            "continuewith" => "Continue with",
            "proceedwith" => "Proceed with",
            _ => "Use",
        };
        let footer = get("skipOption").and_then(|option| match option {
            "useanothernum" => Some("Use another number"),
            "useanothermethod" => Some("Use another method"),
            "manualdetails" => Some("Enter details manually"),
            "later" => Some("I'll do it later"),
            "skip" => Some("Skip"),
            _ => None,
        });
        Ok(Self {
            nonce: nonce.to_owned(),
            partner_name: partner_name.to_owned(),
            lang: get("lang").unwrap_or("en").to_owned(),
            privacy_url: https("privacyUrl"),
            terms_url: https("termsUrl"),
            title,
            cta_prefix,
            cta_color: get("ctaColor").filter(|c| valid_color(c)).map(str::to_owned),
            cta_text_color: get("ctaTextColor").filter(|c| valid_color(c)).map(str::to_owned),
            round: get("btnShape") != Some("rect"),
            footer,
            ttl_ms: get("ttl").and_then(|t| t.parse().ok()),
        })
    }
}

/// `GET /simulator/sheet?…`: what the Truecaller app shows for a deep link.
pub async fn open(State(sim): State<Shared>, Query(params): Query<HashMap<String, String>>) -> Response {
    let link = match SheetLink::read(&params) {
        Ok(link) => link,
        Err(refusal) => return page(StatusCode::BAD_REQUEST, &message_page("Truecaller can't open this", refusal.message())),
    };
    if let Some(invoked) = sim.open_sheet(&link) {
        // The app hears that the sheet is up while the person looks at it.
        tokio::spawn(sim.clone().deliver(link.nonce.clone(), invoked));
    }
    let answered = sim.lock().sheets.iter().find(|s| s.nonce == link.nonce).map(|s| s.answer != SheetAnswer::Open);
    if answered == Some(true) {
        return page(StatusCode::OK, &message_page("Already answered", Refusal::AlreadyAnswered.message()));
    }
    page(StatusCode::OK, &render(&link))
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    /// The simulated Truecaller account that continues (E.164 digits).
    phone: Option<String>,
}

/// `POST /simulator/sheet/{nonce}/{continue|dismiss|skip}`: the person's tap.
pub async fn answer_from_page(
    State(sim): State<Shared>,
    Path((nonce, answer)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let Some(choice) = Choice::parse(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match answer_and_deliver(&sim, &nonce, choice, form.phone.as_deref(), true).await {
        Ok((_, delivery)) => {
            let said = match choice {
                Choice::Continue => "You continued: Truecaller sent your name and number to the app.",
                Choice::Dismiss => "You closed the sheet: Truecaller told the app you declined.",
                Choice::Skip => "You chose the footer option: Truecaller told the app you want another way.",
            };
            let delivery = delivery.map(|d| format!(" (the app answered {d})")).unwrap_or_default();
            page(StatusCode::OK, &message_page("Back to your browser", &format!("{said}{delivery} You can close this tab.")))
        }
        Err(refusal) => page(StatusCode::CONFLICT, &message_page("Nothing sent", refusal.message())),
    }
}

#[derive(Deserialize)]
pub struct ApiQuery {
    deliver: Option<bool>,
    phone: Option<String>,
}

/// For tests: answer a sheet and get the callback body back; `?deliver=false` only returns it,
/// so a test can replay, alter or forge it.
pub async fn answer_from_api(
    State(sim): State<Shared>,
    Path((nonce, answer)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Response {
    let Some(choice) = Choice::parse(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match answer_and_deliver(&sim, &nonce, choice, query.phone.as_deref(), query.deliver.unwrap_or(true)).await {
        Ok((callback, delivery)) => Json(json!({ "callback": callback, "delivery": delivery })).into_response(),
        Err(refusal) => (StatusCode::CONFLICT, Json(json!({ "message": refusal.message() }))).into_response(),
    }
}

/// For tests: the sheets opened so far, newest first.
pub async fn list(State(sim): State<Shared>) -> Json<Vec<Sheet>> {
    Json(sim.sheets())
}

async fn answer_and_deliver(
    sim: &Shared,
    nonce: &str,
    choice: Choice,
    phone: Option<&str>,
    deliver: bool,
) -> Result<(Value, Option<String>), Refusal> {
    // The simulated phone's Truecaller account: a seeded user, or any number given.
    let phone = phone.filter(|p| (8..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())).unwrap_or(DEFAULT_ACCOUNT);
    let body = sim.answer_sheet(nonce, choice, phone)?;
    let delivery = if deliver { Some(sim.clone().deliver(nonce.to_owned(), body.clone()).await) } else { None };
    Ok((body, delivery))
}

/// The account the simulated phone's Truecaller app is signed in to unless another is chosen.
const DEFAULT_ACCOUNT: &str = "919999999999";

fn page(status: StatusCode, html: &str) -> Response {
    // Inline styles (colours chosen by the link), no script, forms only to the simulator.
    let policy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    (status, [(header::CONTENT_SECURITY_POLICY, policy)], Html(html.to_owned())).into_response()
}

fn render(link: &SheetLink) -> String {
    let action = |answer: &str| format!("/simulator/sheet/{}/{answer}", link.nonce);
    // Only validated hex colours reach the style attribute.
    let button_style = format!(
        "background:{};color:{};border-radius:{}",
        link.cta_color.as_deref().unwrap_or("#0087ff"),
        link.cta_text_color.as_deref().unwrap_or("#ffffff"),
        if link.round { "999px" } else { "4px" }
    );
    let accounts = SEEDED
        .iter()
        // Whose Truecaller app this is: one of the seeded users (a typed-number mismatch cannot
        // happen here, as nothing is typed).
        .filter(|i| matches!(i.behaviour, Behaviour::User | Behaviour::FlakyProfile(_)))
        .map(|i| {
            view! {
                <button type="submit" class="cta" name="phone" value=i.phone style=button_style.clone()>
                    {format!("{} +{}", link.cta_prefix, i.phone)}
                </button>
                <p class="account">{i.label}</p>
            }
        })
        .collect_view();
    let policies = (link.privacy_url.is_some() || link.terms_url.is_some()).then(|| {
        view! {
            <p class="policies">
                "By continuing you agree to " {link.partner_name.clone()} "'s "
                {link.privacy_url.clone().map(|href| view! { <a href=href>"privacy policy"</a> })}
                {(link.privacy_url.is_some() && link.terms_url.is_some()).then_some(" and ")}
                {link.terms_url.clone().map(|href| view! { <a href=href>"terms of service"</a> })}
                "."
            </p>
        }
    });
    let footer = link.footer.map(|label| {
        view! {
            <form method="post" action=action("skip")>
                <button type="submit" class="footer">{label}</button>
            </form>
        }
    });
    let ttl = link.ttl_ms.map(|ms| format!(" · valid for {} s", ms / 1000));
    let sheet = view! {
        <main class="sheet" aria-label="Truecaller">
            <form method="post" action=action("dismiss") class="close">
                <button type="submit" class="dismiss" aria-label="Close (decline)">"✕"</button>
            </form>
            <p class="brand">"Truecaller"</p>
            <h1>{link.title.clone()}</h1>
            <p class="share">{format!("{} will get your name and mobile number from Truecaller.", link.partner_name)}</p>
            <form method="post" action=action("continue")>{accounts}</form>
            {policies}
            {footer}
            <p class="meta">
                {format!(
                    "Simulated Truecaller app · language {}{}. Closing the sheet (✕) is the phone's back button: a decline.",
                    link.lang,
                    ttl.unwrap_or_default()
                )}
            </p>
        </main>
    };
    document("Truecaller (simulated sheet)", sheet)
}

fn message_page(title: &str, text: &str) -> String {
    let main = view! {
        <main class="sheet">
            <p class="brand">"Truecaller"</p>
            <h1>{title.to_owned()}</h1>
            <p role="status">{text.to_owned()}</p>
            <p><a href="/">"Back to the app"</a></p>
        </main>
    };
    document(title, main)
}

/// A page of the simulated app: its styles inline, no script.
fn document(title: &str, body: impl IntoView + 'static) -> String {
    crate::server::simulator::document(title, STYLE, body)
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#5b636b;color:#16191d;min-height:100vh}\
.sheet{position:fixed;left:0;right:0;bottom:0;max-height:92vh;overflow:auto;box-sizing:border-box;max-width:32rem;margin:0 auto;background:#fff;border-radius:16px 16px 0 0;padding:1.25rem 1.25rem 1.5rem;box-shadow:0 -4px 16px rgba(0,0,0,.25)}\
.brand{color:#0087ff;font-weight:700;margin:0 0 .5rem}\
h1{font-size:1.2rem;margin:.25rem 0 .5rem}\
.share,.account,.meta,.policies{color:#5b636b;font-size:.9rem}\
.account{margin:.2rem 0 .8rem}\
button{font:inherit;border:0;cursor:pointer}\
.cta{display:block;width:100%;padding:.8rem 1rem;font-weight:600}\
.footer{background:none;color:#0069d9;text-decoration:underline;padding:.5rem 0}\
.close{position:absolute;right:.75rem;top:.75rem}\
.dismiss{background:#e4e7eb;border-radius:999px;width:2rem;height:2rem}";

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![("type", "btmsheet"), ("requestNonce", "abcdefgh12"), ("partnerKey", APP_KEY), ("partnerName", "Acme")]
    }

    #[test]
    fn the_sheet_shows_what_the_link_asked_for() {
        let mut p = base();
        p.extend([
            ("loginPrefix", "placeorder"),
            ("loginSuffix", "login"),
            ("ctaPrefix", "proceedwith"),
            ("ctaColor", "#ff0000"),
            ("btnShape", "rect"),
            ("skipOption", "useanothernum"),
            ("privacyUrl", "https://acme.example/privacy"),
            ("ttl", "60000"),
        ]);
        let html = render(&SheetLink::read(&params(&p)).unwrap());
        assert!(html.contains("To place order, please login") && html.contains("Acme will get your name"), "{html}");
        assert!(html.contains("Proceed with +919999999999"), "{html}");
        assert!(html.contains("background:#ff0000;color:#ffffff;border-radius:4px"), "{html}");
        assert!(html.contains("Use another number") && html.contains("/simulator/sheet/abcdefgh12/skip"), "{html}");
        assert!(html.contains(r#"href="https://acme.example/privacy""#) && html.contains("valid for 60 s"), "{html}");
    }

    #[test]
    fn unknown_options_fall_back_and_colours_must_be_hex() {
        let mut p = base();
        p.extend([("loginPrefix", "Login with"), ("ctaColor", "red;background:url(x)"), ("skipOption", "whatever")]);
        let link = SheetLink::read(&params(&p)).unwrap();
        assert_eq!(link.title, "To continue, please verify your mobile number");
        assert_eq!(link.cta_color, None);
        assert_eq!(link.footer, None);
        assert!(!render(&link).contains("url(x)"));
    }

    #[test]
    fn bad_links_are_refused() {
        for (name, value) in [("requestNonce", "short"), ("requestNonce", "has=padding"), ("partnerKey", "other"), ("type", "popup")] {
            let mut p = base();
            p.retain(|(k, _)| *k != name);
            p.push((name, value));
            assert!(SheetLink::read(&params(&p)).is_err(), "{name}={value}");
        }
        let mut p = base();
        p.retain(|(k, _)| *k != "partnerName");
        assert!(SheetLink::read(&params(&p)).is_err());
        // The legacy form (no type, a title) still opens.
        let mut p = base();
        p.retain(|(k, _)| *k != "type");
        p.push(("title", "signIn"));
        assert_eq!(SheetLink::read(&params(&p)).unwrap().title, "Sign in");
    }
}
