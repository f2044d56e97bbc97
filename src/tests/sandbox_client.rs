//! The Sandbox (DigiLocker KYC) client against the embedded Sandbox simulator over real HTTP:
//! every session outcome, every documented profile shape, token sharing and renewal, and the
//! simulated consent page.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use axum::{
    http::{header, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use tokio::task::{JoinHandle, JoinSet};
use truecaller_signin::server::{
    providers::sandbox::{BirthDate, SandboxClient, SandboxError, SessionStatus},
    simulator::{SandboxSimulator, DIGILOCKER_PERSONS, SANDBOX_SIM_KEY, SANDBOX_SIM_SECRET},
};
use url::Url;

/// Where the app would take the person back; never fetched by these tests.
const RETURN_URL: &str = "http://127.0.0.1:9/auth/digilocker/return";

/// The Sandbox simulator alone on its own port, mounted at the root.
struct SandboxSim {
    url: Url,
    http: reqwest::Client,
    _handle: JoinHandle<()>,
}

impl SandboxSim {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let router: Router = SandboxSimulator::new(url.clone()).router();
        let handle = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { url, http, _handle: handle }
    }

    fn client(&self) -> SandboxClient {
        SandboxClient::new(&self.url, SANDBOX_SIM_KEY.into(), SANDBOX_SIM_SECRET.into())
    }

    /// Answers a session through the test API; returns the HTTP status.
    async fn answer(&self, session_id: &str, verb: &str, person: Option<&str>) -> StatusCode {
        let mut url = self.url.join(&format!("api/digilocker/sessions/{session_id}/{verb}")).unwrap();
        if let Some(person) = person {
            url.query_pairs_mut().append_pair("person", person);
        }
        let status = self.http.post(url).send().await.unwrap().status();
        StatusCode::from_u16(status.as_u16()).unwrap()
    }

    async fn stats(&self) -> Value {
        self.http.get(self.url.join("api/sandbox/stats").unwrap()).send().await.unwrap().json().await.unwrap()
    }

    async fn authentications(&self) -> u64 {
        self.stats().await["authentications"].as_u64().unwrap()
    }

    async fn expire_tokens(&self) {
        let response = self.http.post(self.url.join("api/sandbox/expire-tokens").unwrap()).send().await.unwrap();
        assert!(response.status().is_success());
    }

    async fn sessions(&self) -> Vec<Value> {
        self.http.get(self.url.join("api/digilocker/sessions").unwrap()).send().await.unwrap().json().await.unwrap()
    }

    /// A fresh token, fetched by hand (for raw requests).
    async fn token(&self) -> String {
        let answer: Value = self
            .http
            .post(self.url.join("authenticate").unwrap())
            .header("x-api-key", SANDBOX_SIM_KEY)
            .header("x-api-secret", SANDBOX_SIM_SECRET)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["data"]["access_token"].as_str().unwrap().to_owned()
    }
}

fn return_url() -> Url {
    Url::parse(RETURN_URL).unwrap()
}

/// A session on `sim`, allowed as `person`; returns its id.
async fn allowed_session(sim: &SandboxSim, client: &SandboxClient, person: &str) -> String {
    let session = client.init_session(&return_url()).await.unwrap();
    assert_eq!(sim.answer(&session.session_id, "allow", Some(person)).await, StatusCode::OK);
    session.session_id
}

#[tokio::test]
async fn a_session_is_created_then_allowed_and_the_profile_read() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let session = client.init_session(&return_url()).await.unwrap();
    assert!(session.authorization_url.as_str().starts_with(sim.url.join("digilocker/authorize?").unwrap().as_str()));
    assert_eq!(client.session_status(&session.session_id).await.unwrap(), SessionStatus::Created);

    assert_eq!(sim.answer(&session.session_id, "allow", Some("rajat")).await, StatusCode::OK);
    assert_eq!(client.session_status(&session.session_id).await.unwrap(), SessionStatus::Succeeded);
    let profile = client.user_profile(&session.session_id).await.unwrap();
    assert_eq!(profile.name, "Rajat Kapoor");
    assert_eq!(profile.mobile.as_deref(), Some("9999999999"));
    assert_eq!(profile.date_of_birth, Some(BirthDate { year: 1988, month: 8, day: 14 }));
    assert_eq!(profile.email.as_deref(), Some("rajat@example.com"));
    assert_eq!(profile.gender.as_deref(), Some("male"));
    assert_eq!(profile.eaadhaar, Some(true));
    // The id is DigiLocker's, stable per person: a second sign-in names the same subject.
    let again = allowed_session(&sim, &client, "rajat").await;
    assert_eq!(client.user_profile(&again).await.unwrap().id, profile.id);
    assert_eq!(sim.stats().await, json!({"authentications": 1, "profile_fetches": 2, "status_checks": 2}));
}

#[tokio::test]
async fn epoch_dates_and_empty_or_missing_emails_are_read() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let priya = client.user_profile(&allowed_session(&sim, &client, "priya").await).await.unwrap();
    assert_eq!(priya.name, "Priya Sharma");
    assert_eq!(priya.date_of_birth, Some(BirthDate { year: 2003, month: 12, day: 11 }));
    assert_eq!(priya.email, None, "\"\" is no email");
    let arjun = client.user_profile(&allowed_session(&sim, &client, "arjun").await).await.unwrap();
    assert_eq!(arjun.email, None, "a missing email is no email");
    assert_eq!(arjun.eaadhaar, Some(false));
    let meera = client.user_profile(&allowed_session(&sim, &client, "meera").await).await.unwrap();
    assert_eq!(meera.mobile, None, "\"\" is no mobile");
    assert_ne!(priya.id, arjun.id);
}

#[tokio::test]
async fn denied_and_expired_sessions_are_reported_and_have_no_profile() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    for (verb, expected) in [("deny", SessionStatus::Failed), ("expire", SessionStatus::Expired)] {
        let session = client.init_session(&return_url()).await.unwrap();
        assert_eq!(sim.answer(&session.session_id, verb, None).await, StatusCode::OK);
        assert_eq!(client.session_status(&session.session_id).await.unwrap(), expected);
        assert_eq!(client.user_profile(&session.session_id).await.unwrap_err(), SandboxError::WrongLifecycle);
        // Answered once, for good.
        assert_eq!(sim.answer(&session.session_id, "allow", None).await, StatusCode::CONFLICT);
    }
    assert_eq!(sim.stats().await["profile_fetches"], 0);
}

#[tokio::test]
async fn an_unknown_session_is_unknown() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let unknown = "0b8f3f6e-1d2c-4a5b-9c8d-7e6f5a4b3c2d";
    assert_eq!(client.session_status(unknown).await.unwrap_err(), SandboxError::UnknownSession);
    assert_eq!(client.user_profile(unknown).await.unwrap_err(), SandboxError::UnknownSession);
    assert_eq!(sim.answer(unknown, "allow", None).await, StatusCode::NOT_FOUND);
    // Malformed ids are refused before anything is sent.
    assert!(matches!(client.session_status("../init").await, Err(SandboxError::Unusable { .. })));
    // The error text carries neither the id nor Sandbox's message echoing it.
    let text = client.session_status(unknown).await.unwrap_err().to_string();
    assert!(!text.contains(unknown) && !text.contains("Data not found"), "{text}");
}

#[tokio::test]
async fn the_profile_before_consent_is_a_lifecycle_error() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let session = client.init_session(&return_url()).await.unwrap();
    let error = client.user_profile(&session.session_id).await.unwrap_err();
    assert_eq!(error, SandboxError::WrongLifecycle);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_wrong_key_or_secret_is_unauthorized() {
    let sim = SandboxSim::spawn().await;
    for (key, secret) in [("key_test_wrong", SANDBOX_SIM_SECRET), (SANDBOX_SIM_KEY, "secret_test_wrong")] {
        let client = SandboxClient::new(&sim.url, key.into(), secret.into());
        assert_eq!(client.init_session(&return_url()).await.unwrap_err(), SandboxError::Unauthorized);
    }
    assert_eq!(sim.authentications().await, 0);
    assert!(sim.sessions().await.is_empty());
}

#[tokio::test]
async fn concurrent_calls_share_one_authentication() {
    let sim = SandboxSim::spawn().await;
    let client = Arc::new(sim.client());
    let mut calls = JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        calls.spawn(async move { client.init_session(&return_url()).await });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().unwrap();
    }
    assert_eq!(sim.authentications().await, 1);
    assert_eq!(sim.sessions().await.len(), 20);
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_succeeds() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let session = client.init_session(&return_url()).await.unwrap();
    assert_eq!(sim.authentications().await, 1);
    sim.expire_tokens().await;
    assert_eq!(client.session_status(&session.session_id).await.unwrap(), SessionStatus::Created);
    assert_eq!(sim.authentications().await, 2);
    // The renewed token is cached like the first.
    assert_eq!(client.session_status(&session.session_id).await.unwrap(), SessionStatus::Created);
    assert_eq!(sim.authentications().await, 2);
}

/// A Sandbox that issues tokens but refuses (or fails) every KYC call, counting both.
async fn stub_sandbox(kyc_status: StatusCode) -> (Url, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (auths, calls) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, c) = (auths.clone(), calls.clone());
    let router = Router::new()
        .route(
            "/authenticate",
            post(move || {
                let n = a.fetch_add(1, Ordering::SeqCst);
                async move { Json(json!({"code": 200, "data": {"access_token": format!("token-{n}")}})) }
            }),
        )
        .route(
            "/kyc/digilocker/sessions/{id}/status",
            get(move || {
                c.fetch_add(1, Ordering::SeqCst);
                async move { (kyc_status, Json(json!({"code": kyc_status.as_u16(), "message": "secret detail"}))).into_response() }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (url, auths, calls)
}

#[tokio::test]
async fn a_token_refused_twice_is_the_answer_after_exactly_one_renewal() {
    for (status, expected) in [(StatusCode::FORBIDDEN, SandboxError::Forbidden), (StatusCode::UNAUTHORIZED, SandboxError::Unauthorized)] {
        let (url, auths, calls) = stub_sandbox(status).await;
        let client = SandboxClient::new(&url, "k".into(), "s".into());
        assert_eq!(client.session_status("abc").await.unwrap_err(), expected);
        assert_eq!((auths.load(Ordering::SeqCst), calls.load(Ordering::SeqCst)), (2, 2), "{status}");
    }
}

#[tokio::test]
async fn an_outage_is_retryable_and_does_not_renew_the_token() {
    let (url, auths, calls) = stub_sandbox(StatusCode::SERVICE_UNAVAILABLE).await;
    let client = SandboxClient::new(&url, "k".into(), "s".into());
    let error = client.session_status("abc").await.unwrap_err();
    assert!(error.is_retryable(), "{error}");
    assert!(!error.to_string().contains("secret detail"));
    assert_eq!((auths.load(Ordering::SeqCst), calls.load(Ordering::SeqCst)), (1, 1));
}

#[tokio::test]
async fn the_consent_page_lists_the_people_and_allow_returns_to_the_app() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let session = client.init_session(&return_url()).await.unwrap();

    let page = sim.http.get(session.authorization_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY.as_str()].to_str().unwrap().to_owned();
    assert!(policy.contains("form-action 'self' http://127.0.0.1:9;"), "{policy}");
    assert!(policy.contains("default-src 'none'") && !policy.contains("script-src"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("DigiLocker (simulated)"));
    assert!(html.contains("<select") && html.contains("name=\"person\""), "{html}");
    for person in DIGILOCKER_PERSONS {
        assert!(html.contains(person.name), "{} missing", person.name);
    }
    for answer in ["allow", "deny", "expire"] {
        assert!(html.contains(&format!("value=\"{answer}\"")), "{answer} button missing");
    }

    // Submit the form the way a browser would: to its action, resolved against the page.
    let action = attribute(&html, "<form", "action");
    assert_eq!(attribute(&html, "<form", "method"), "post");
    let target = session.authorization_url.join(&action).unwrap();
    let form = [("session", session.session_id.as_str()), ("person", "arjun"), ("answer", "allow")];
    let answer = sim.http.post(target).form(&form).send().await.unwrap();
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()[header::LOCATION.as_str()], RETURN_URL, "exactly the redirect_url, no query added");

    assert_eq!(client.session_status(&session.session_id).await.unwrap(), SessionStatus::Succeeded);
    assert_eq!(client.user_profile(&session.session_id).await.unwrap().name, "Arjun Venkatesh Nair");
    // The page does not offer an answered session again.
    let again = sim.http.get(session.authorization_url.clone()).send().await.unwrap();
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn deny_and_expire_on_the_page_return_to_the_app_too() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    for (answer, expected) in [("deny", SessionStatus::Failed), ("expire", SessionStatus::Expired)] {
        let session = client.init_session(&return_url()).await.unwrap();
        let target = session.authorization_url.join("consent").unwrap();
        let form = [("session", session.session_id.as_str()), ("person", "rajat"), ("answer", answer)];
        let response = sim.http.post(target).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()[header::LOCATION.as_str()], RETURN_URL);
        assert_eq!(client.session_status(&session.session_id).await.unwrap(), expected);
    }
}

#[tokio::test]
async fn the_consent_page_for_an_unknown_session_says_so() {
    let sim = SandboxSim::spawn().await;
    let mut url = sim.url.join("digilocker/authorize").unwrap();
    url.query_pairs_mut().append_pair("state", "ws|0b8f3f6e-1d2c-4a5b-9c8d-7e6f5a4b3c2d|x");
    let page = sim.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("No such session"));
    let bare = sim.http.get(sim.url.join("digilocker/authorize").unwrap()).send().await.unwrap();
    assert_eq!(bare.status(), 404);
}

#[tokio::test]
async fn the_simulator_holds_kyc_calls_to_sandbox_rules() {
    let sim = SandboxSim::spawn().await;
    let client = sim.client();
    let session = allowed_session(&sim, &client, "rajat").await;
    let token = sim.token().await;
    let profile_url = sim.url.join(&format!("kyc/digilocker/sessions/{session}/user/profile")).unwrap();
    let get = |authorization: String, key: &'static str, version: bool| {
        let mut request = sim.http.get(profile_url.clone()).header("authorization", authorization).header("x-api-key", key);
        if version {
            request = request.header("x-api-version", "1.0");
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    };
    let (status, body) = get(token.clone(), SANDBOX_SIM_KEY, true).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["@entity"], "in.co.sandbox.kyc.digilocker.user.profile");
    assert_eq!(body["code"], 200);
    assert!(body["transaction_id"].is_string() && body["timestamp"].is_number());

    assert_eq!(get(format!("Bearer {token}"), SANDBOX_SIM_KEY, true).await.0, 403, "the raw token, not Bearer");
    assert_eq!(get("eyJ.unknown.token".into(), SANDBOX_SIM_KEY, true).await.0, 403);
    let (status, body) = get(token.clone(), "key_test_wrong", true).await;
    assert_eq!((status, body["code"].as_u64(), body["message"].as_str()), (401, Some(401), Some("Unauthorized")));
    assert_eq!(get(token.clone(), SANDBOX_SIM_KEY, false).await.0, 400, "x-api-version is required here");

    let http_init = |redirect: &str| {
        let body = json!({"@entity": "in.co.sandbox.kyc.digilocker.session.request", "flow": "signin", "doc_types": ["aadhaar"], "redirect_url": redirect});
        sim.http
            .post(sim.url.join("kyc/digilocker/sessions/init").unwrap())
            .header("authorization", token.clone())
            .header("x-api-key", SANDBOX_SIM_KEY)
            .json(&body)
            .send()
    };
    assert_eq!(http_init("http://app.example/return").await.unwrap().status(), 400, "https only, except loopback");
    assert_eq!(http_init("https://app.example/return").await.unwrap().status(), 200);
}

/// The value of `name="…"` on the first `tag` in `html` (enough for the simulator's own page).
fn attribute(html: &str, tag: &str, name: &str) -> String {
    let start = html.find(tag).unwrap_or_else(|| panic!("no {tag} in {html}"));
    let rest = &html[start..];
    let rest = &rest[..rest.find('>').unwrap()];
    let marker = format!("{name}=\"");
    let from = rest.find(&marker).unwrap_or_else(|| panic!("no {name} on {tag}")) + marker.len();
    rest[from..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_failed_renewal_is_the_answer_for_a_moment_instead_of_being_retried_by_every_caller() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let router = Router::new().route(
        "/authenticate",
        post(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { (StatusCode::UNAUTHORIZED, Json(json!({"code": 401, "message": "Unauthorized"}))).into_response() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Arc::new(SandboxClient::new(&url, "k".into(), "s".into()));
    let mut calls = JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        calls.spawn(async move { client.session_status("abc").await });
    }
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.unwrap().unwrap_err(), SandboxError::Unauthorized);
    }
    assert_eq!(attempts.load(Ordering::SeqCst), 1, "ten callers, one authentication attempt");
}
