//! The Truecaller simulator as a test drives it: its test API (prompts, answers) from the app it
//! is mounted in or on a port of its own; and a listener that proves nothing was sent to it.

use std::{sync::Arc, time::Duration};

use serde_json::Value;
use tokio::task::JoinHandle;
use truecaller_signin::server::simulator::Simulator;
use url::Url;

use super::{app::TestApp, waiting::callbacks_recorded};

/// A simulator on its own port, for tests where the app runs in live mode or restarts.
pub struct StandaloneSim {
    pub url: Url,
    pub sim: Arc<Simulator>,
    _handle: JoinHandle<()>,
}

impl StandaloneSim {
    pub async fn spawn(callback_url: Url) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let sim = Simulator::new(callback_url, url.join("v1/default").unwrap());
        let router: axum::Router = sim.clone().router();
        let handle = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, sim, _handle: handle }
    }

    /// `records`: the app its callbacks go to, to wait for after each answer.
    pub fn client_for(&self, records: Option<&TestApp>) -> SimClient {
        SimClient::new(self.url.clone(), records.map(|app| app.sign_ins.clone()))
    }

    pub fn client(&self) -> SimClient {
        self.client_for(None)
    }
}

pub struct SimClient {
    base: Url,
    http: reqwest::Client,
    /// The app the simulator's callbacks go to: each delivered answer waits until it recorded it.
    records: Option<truecaller_signin::server::sign_in::SignInService>,
}

impl SimClient {
    /// The simulator's test API under `base`; `records`: the app its callbacks go to.
    pub fn new(base: Url, records: Option<truecaller_signin::server::sign_in::SignInService>) -> Self {
        Self { base, http: reqwest::Client::new(), records }
    }

    pub async fn prompts(&self) -> Vec<Value> {
        let url = self.base.join("api/requests").unwrap();
        self.http.get(url).send().await.unwrap().json().await.unwrap()
    }

    /// The newest prompt sent to `phone` (E.164 digits).
    pub async fn prompt_for(&self, phone: &str) -> Value {
        self.prompts()
            .await
            .into_iter()
            .find(|p| p["phone"] == phone)
            .unwrap_or_else(|| panic!("no prompt for {phone}"))
    }

    /// Answers the newest prompt for `phone`; returns the callback body. `deliver: false` only
    /// builds it, so the test can send (or alter) it.
    pub async fn answer(&self, phone: &str, approve: bool, deliver: bool) -> Value {
        let prompt = self.prompt_for(phone).await;
        let id = prompt["requestId"].as_str().unwrap();
        let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let verb = if approve { "approve" } else { "reject" };
        let url = self.base.join(&format!("api/requests/{encoded}/{verb}?deliver={deliver}")).unwrap();
        let response = self.http.post(url).send().await.unwrap();
        assert!(response.status().is_success(), "answer failed: {}", response.status());
        let body: Value = response.json().await.unwrap();
        if let (true, Some(app)) = (deliver, &self.records) {
            callbacks_recorded(app).await;
        }
        body["callback"].clone()
    }
}

/// A TCP listener that counts connections and never answers: proof that nothing was sent there.
pub struct Tripwire {
    pub port: u16,
    pub hits: Arc<std::sync::atomic::AtomicUsize>,
}

impl Tripwire {
    pub async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Hold the connection open without answering. Time-based on purpose: a silent
                // provider is one that lets time pass.
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    drop(socket);
                });
            }
        });
        Self { port, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}
