//! The browser's DigiLocker trips and the Sandbox + DigiLocker stand-in, for the DigiLocker tests.

use serde_json::Value;
use tokio::task::JoinHandle;
use truecaller_signin::server::simulator::{SandboxSimulator, SANDBOX_SIM_KEY, SANDBOX_SIM_SECRET};
use url::Url;

use crate::support::{shown, Browser, TestApp};

/// What became of "Verify with DigiLocker".
#[derive(Debug)]
pub enum Started {
    /// Sent on towards this consent page.
    Consent(Url),
    /// Sent back to the sign-in page, which explains why (its HTML).
    SignInPage(String),
}

impl Started {
    pub fn consent(self) -> Url {
        match self {
            Self::Consent(url) => url,
            Self::SignInPage(_) => panic!("DigiLocker did not start"),
        }
    }
}

impl Browser {
    /// Submits the "Verify with DigiLocker" form and follows our own redirects, as a browser
    /// does; reads where the hop page would send it on.
    pub async fn start_digilocker(&self) -> Started {
        self.start_digilocker_with(&[]).await
    }

    /// The same, with the form's fields (the page's `next`).
    pub async fn start_digilocker_with(&self, form: &[(&str, &str)]) -> Started {
        let response = self.http.post(self.base().join("digilocker/start").unwrap()).form(form).send().await.unwrap();
        assert!(response.status().is_success(), "start answered {}", response.status());
        if response.url().path() != "/digilocker/continue" {
            return Started::SignInPage(shown(response).await);
        }
        let html = response.text().await.unwrap();
        let href = html.split("href=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a link on the hop page");
        Started::Consent(Url::parse(&href.replace("&amp;", "&")).unwrap())
    }

    /// Comes back to the return URL as DigiLocker's redirect would; where the browser lands.
    pub async fn back_from_digilocker(&self) -> Url {
        let response = self.http.get(self.base().join("digilocker/return").unwrap()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.url().clone()
    }

    /// Comes back to the return URL with `query` (Sandbox documents none), as DigiLocker's
    /// redirect would; the status code of the page it lands on.
    pub async fn return_from_digilocker(&self, query: &str) -> u16 {
        let mut url = self.base().join("digilocker/return").unwrap();
        if !query.is_empty() {
            url.set_query(Some(query));
        }
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.url().path(), "/", "the return URL leads back to the sign-in page");
        response.status().as_u16()
    }
}

/// The stand-in's test API.
pub struct DigiLockerSim {
    base: Url,
    http: reqwest::Client,
}

impl TestApp {
    /// The Sandbox + DigiLocker stand-in mounted in this app.
    pub fn digilocker(&self) -> DigiLockerSim {
        DigiLockerSim { base: self.url.join("simulator/").unwrap(), http: reqwest::Client::new() }
    }
}

/// The Sandbox session id a consent page is for (its `state` is `<workspace>|<session>|<redirect>`).
pub fn session_id(consent: &Url) -> String {
    let state = consent.query_pairs().find(|(k, _)| k == "state").expect("state in the consent URL").1;
    state.split('|').nth(1).expect("session id in state").to_owned()
}

impl DigiLockerSim {
    /// Answers the consent page as `person` would: `allow`, `deny` or `expire`.
    pub async fn answer(&self, consent: &Url, verb: &str, person: &str) -> Value {
        let url = self
            .base
            .join(&format!("api/digilocker/sessions/{}/{verb}?person={person}", session_id(consent)))
            .unwrap();
        let response = self.http.post(url).send().await.unwrap();
        assert!(response.status().is_success(), "{verb} answered {}", response.status());
        response.json().await.unwrap()
    }

    pub async fn stats(&self) -> Value {
        self.http.get(self.base.join("api/sandbox/stats").unwrap()).send().await.unwrap().json().await.unwrap()
    }

    /// Makes every token Sandbox issued so far invalid (its next use answers 403).
    pub async fn expire_tokens(&self) {
        let response = self.http.post(self.base.join("api/sandbox/expire-tokens").unwrap()).send().await.unwrap();
        assert!(response.status().is_success());
    }
}

/// A Sandbox stand-in on its own port, outliving app restarts; the app talks to it as to the
/// real Sandbox (`env()` gives the settings).
pub struct StandaloneSandbox {
    pub url: Url,
    _handle: JoinHandle<()>,
}

impl StandaloneSandbox {
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let router: axum::Router = SandboxSimulator::new(url.clone()).router();
        let handle = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, _handle: handle }
    }

    /// Truecaller is live too (a live provider never runs beside a simulated one), at an address
    /// nothing answers: these tests sign in through DigiLocker only.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TRUECALLER_APP_KEY", "simulator-app-key".to_owned()),
            ("TRUECALLER_API_URL", "http://127.0.0.1:9".to_owned()),
            ("TRUECALLER_PROFILE_URL", "http://127.0.0.1:9".to_owned()),
            ("SANDBOX_API_KEY", SANDBOX_SIM_KEY.to_owned()),
            ("SANDBOX_API_SECRET", SANDBOX_SIM_SECRET.to_owned()),
            ("SANDBOX_API_URL", self.url.as_str().trim_end_matches('/').to_owned()),
        ]
    }

    pub fn client(&self) -> DigiLockerSim {
        DigiLockerSim { base: self.url.clone(), http: reqwest::Client::new() }
    }
}
