//! A browser as the app sees one: a cookie jar calling the page's server functions, and what a
//! person reads of a page.

use std::{sync::Arc, time::Duration};

use truecaller_signin::{
    domain::{AccountView, OneTapLink, SignInStatus},
    error::ApiError,
    page_data::YourData,
    user::CurrentUser,
};
use url::Url;

/// What the tests ask of a status: the account's name, once signed in.
pub trait SignedInAs {
    fn signed_in_as(&self) -> Option<&str>;
}

impl SignedInAs for SignInStatus {
    fn signed_in_as(&self) -> Option<&str> {
        match self {
            SignInStatus::SignedIn(account) => Some(&account.name),
            _ => None,
        }
    }
}

/// A browser: a cookie jar and the app's server functions. Clones share the jar (two tabs).
#[derive(Clone)]
pub struct Browser {
    base: Url,
    jar: Arc<reqwest::cookie::Jar>,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(base: Url) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder().cookie_provider(jar.clone()).build().unwrap();
        Self { base, jar, http }
    }

    /// A browser that names itself with `user_agent`, as a real one does.
    pub fn with_user_agent(base: Url, user_agent: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder().cookie_provider(jar.clone()).user_agent(user_agent).build().unwrap();
        Self { base, jar, http }
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// This browser (its cookies) speaking HTTP/2 without TLS (h2c), as a proxy that multiplexes
    /// requests onto few connections speaks to the app.
    pub fn over_http2(&self) -> Browser {
        let http = reqwest::Client::builder().cookie_provider(self.jar.clone()).http2_prior_knowledge().build().unwrap();
        Browser { base: self.base.clone(), jar: self.jar.clone(), http }
    }

    /// The same browser (its cookies) talking to another instance of the app.
    pub fn on(&self, base: &Url) -> Browser {
        Browser { base: base.clone(), jar: self.jar.clone(), http: self.http.clone() }
    }

    /// This browser (its cookies) with redirects not followed, to read where a page sends it.
    pub fn without_redirects(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_provider(self.jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The cookies this browser would send to the app.
    pub fn cookies(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        self.jar.cookies(&self.base).map(|v| v.to_str().unwrap().to_owned())
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, path: &str, form: &[(&str, String)]) -> (u16, Result<T, ApiError>) {
        let response = self.http.post(self.base.join(path).unwrap()).form(form).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let parsed = if (200..300).contains(&status) {
            Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}")))
        } else {
            Err(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} error body: {e}: {text}")))
        };
        (status, parsed)
    }

    pub async fn initiate(&self, phone: &str) -> SignInStatus {
        let (status, result) = self.call("api/signin/initiate", &[("phone", phone.to_owned())]).await;
        result.unwrap_or_else(|e| panic!("initiate answered {status}: {e:?}"))
    }

    pub async fn initiate_raw(&self, phone: &str) -> (u16, Result<SignInStatus, ApiError>) {
        self.call("api/signin/initiate", &[("phone", phone.to_owned())]).await
    }

    /// `initiate` with the country picker's choice (an ISO code) sent along.
    pub async fn initiate_in(&self, phone: &str, country: &str) -> (u16, Result<SignInStatus, ApiError>) {
        self.call("api/signin/initiate", &[("phone", phone.to_owned()), ("country", country.to_owned())]).await
    }

    pub async fn status(&self, wait_ms: u32) -> SignInStatus {
        let (status, result) = self.call("api/signin/status", &[("wait_ms", wait_ms.to_string())]).await;
        result.unwrap_or_else(|e| panic!("status answered {status}: {e:?}"))
    }

    /// Polls (long-polling) until the sign-in has an outcome, or `limit` passes.
    pub async fn settle(&self, limit: Duration) -> SignInStatus {
        let start = std::time::Instant::now();
        loop {
            let status = self.status(2_000).await;
            let undecided = matches!(
                status,
                SignInStatus::Waiting { .. }
                    | SignInStatus::Approved { .. }
                    | SignInStatus::AtDigiLocker { .. }
                    | SignInStatus::AtTruecaller { .. }
            );
            if !undecided || start.elapsed() > limit {
                return status;
            }
        }
    }

    /// Android one-tap: mints this browser's attempt; the deep link and the simulated sheet.
    pub async fn one_tap(&self) -> OneTapLink {
        let (status, result) = self.one_tap_raw().await;
        result.unwrap_or_else(|e| panic!("one-tap answered {status}: {e:?}"))
    }

    pub async fn one_tap_raw(&self) -> (u16, Result<OneTapLink, ApiError>) {
        self.call("api/signin/one-tap", &[]).await
    }

    pub async fn account(&self) -> Option<AccountView> {
        let (status, result) = self.call("api/account", &[]).await;
        result.unwrap_or_else(|e| panic!("account answered {status}: {e:?}"))
    }

    /// Who this browser is signed in as, for a host app (`api/user`).
    pub async fn current_user(&self) -> Option<CurrentUser> {
        let (status, result) = self.call("api/user", &[]).await;
        result.unwrap_or_else(|e| panic!("user answered {status}: {e:?}"))
    }

    /// The account page's second part: devices, ways in, how long things are kept.
    pub async fn your_data(&self) -> Option<YourData> {
        let (status, result) = self.call("api/account/yours", &[]).await;
        result.unwrap_or_else(|e| panic!("account/yours answered {status}: {e:?}"))
    }

    /// The account page's "Sign out" beside a device (`Some(id)`), or "Sign out everywhere
    /// else", as the plain form posts them; where it sends the browser.
    pub async fn sign_out_devices(&self, device: Option<&str>) -> String {
        let form: Vec<(&str, &str)> = device.map(|id| ("device", id)).into_iter().collect();
        let url = self.base.join("account/devices/sign-out").unwrap();
        let response = self.without_redirects().post(url).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 303, "sign out devices");
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    pub async fn sign_out(&self) {
        let (status, result) = self.call::<()>("api/signout", &[]).await;
        result.unwrap_or_else(|e| panic!("signout answered {status}: {e:?}"));
    }

    /// "Need more time?"
    pub async fn more_time(&self) -> SignInStatus {
        let (status, result) = self.call("api/signin/more-time", &[]).await;
        result.unwrap_or_else(|e| panic!("more-time answered {status}: {e:?}"))
    }

    pub async fn cancel(&self) -> SignInStatus {
        let (status, result) = self.call("api/signin/cancel", &[]).await;
        result.unwrap_or_else(|e| panic!("cancel answered {status}: {e:?}"))
    }
}

/// A page's HTML as a person reads it: without the words it hands the browser
/// (`<script id="words">`, every message in the page's language), so that what a test finds, or
/// does not find, is what the page shows.
pub async fn shown(response: reqwest::Response) -> String {
    let html = response.text().await.unwrap();
    let Some(start) = html.find(r#"<script id="words""#) else { return html };
    let end = start + html[start..].find("</script>").expect("the words' element ends") + "</script>".len();
    format!("{}{}", &html[..start], &html[end..])
}
