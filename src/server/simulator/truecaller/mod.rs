//! An embedded stand-in for Truecaller, mounted at `/simulator` when no app key is configured.
//! It serves the same two endpoints with the same status codes, bodies and token lifetime, and a
//! "phone" page where a person (or a test) approves or rejects prompts; approving POSTs the
//! callback to the app over HTTP, as Truecaller does. State lives in memory.

mod identities;
mod page;
mod sheet;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU32, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::Url;

pub use identities::{Behaviour, SEEDED};
pub use sheet::{Sheet, SheetAnswer};

/// The app key the simulator accepts; the app uses it in simulator mode.
pub const APP_KEY: &str = "simulator-app-key";
/// Truecaller's access tokens live 10 minutes.
pub const TOKEN_TTL: Duration = Duration::from_secs(600);

pub struct Simulator {
    callback_url: Url,
    /// The `endpoint` Android one-tap callbacks name: this simulator's profile API.
    profile_endpoint: Url,
    http: reqwest::Client,
    state: Mutex<SimState>,
    /// Percentage of profile fetches answered 503 (fault injection; 0 unless a test sets it).
    profile_failure_percent: AtomicU32,
    /// Profile fetches answered 503 by that injection.
    injected_failures: AtomicU64,
    /// Milliseconds every profile answer is held back (a slow provider; 0 unless a test sets it).
    profile_delay_ms: AtomicU64,
}

#[derive(Default)]
struct SimState {
    requests: Vec<Prompt>,
    /// Android one-tap sheets opened from a deep link.
    sheets: Vec<Sheet>,
    tokens: HashMap<String, Token>,
}

/// A prompt on the simulated phone.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub request_id: String,
    pub phone: String,
    pub state: Option<String>,
    pub answer: Answer,
    /// What the app answered to the callback, e.g. "200" or "failed: timeout".
    pub delivery: Option<String>,
    /// Profile requests made with this prompt's access token.
    pub profile_fetches: u32,
    #[serde(skip)]
    created: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Pending,
    Approved,
    Rejected,
}

struct Token {
    request_id: String,
    phone: String,
    issued: Instant,
    fetches: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestBody {
    phone_number: Value,
    state: Option<String>,
}

#[derive(Deserialize)]
struct DeliverQuery {
    deliver: Option<bool>,
}

type Shared = Arc<Simulator>;

impl Simulator {
    pub fn new(callback_url: Url, profile_endpoint: Url) -> Arc<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("static reqwest configuration is valid");
        Arc::new(Self {
            callback_url,
            profile_endpoint,
            http,
            state: Mutex::default(),
            profile_failure_percent: AtomicU32::new(0),
            injected_failures: AtomicU64::new(0),
            profile_delay_ms: AtomicU64::new(0),
        })
    }

    /// Fault injection for tests and the fault run: answer `percent` % of profile fetches with 503.
    pub fn fail_profile_fetches(&self, percent: u32) {
        self.profile_failure_percent.store(percent.min(100), Ordering::Relaxed);
    }

    /// A slow provider for tests: every profile answer (counted when asked) comes `delay` later.
    pub fn delay_profile_answers(&self, delay: Duration) {
        self.profile_delay_ms.store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// How many profile fetches the injection has failed so far.
    pub fn injected_failures(&self) -> u64 {
        self.injected_failures.load(Ordering::Relaxed)
    }

    pub fn router<S: Clone + Send + Sync + 'static>(self: Arc<Self>) -> Router<S> {
        Router::new()
            .route("/", get(phone_page))
            // The phone page's own icon: a host app need not have one at `/favicon.svg`.
            .route("/icon.svg", get(|| async { ([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], page::ICON) }))
            .route("/v1/apps/requests", post(create_request))
            .route("/v1/default", get(profile))
            .route("/requests/{id}/{answer}", post(answer_from_page))
            .route("/api/requests", get(list_requests))
            .route("/api/requests/{id}/{answer}", post(answer_from_api))
            .route("/sheet", get(sheet::open))
            .route("/sheet/{nonce}/{answer}", post(sheet::answer_from_page))
            .route("/api/sheets", get(sheet::list))
            .route("/api/sheets/{nonce}/{answer}", post(sheet::answer_from_api))
            .with_state(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn prompts(&self) -> Vec<Prompt> {
        self.lock().requests.iter().rev().cloned().collect()
    }

    fn sheets(&self) -> Vec<Sheet> {
        self.lock().sheets.iter().rev().cloned().collect()
    }

    /// An access token for the Truecaller account holding `phone`, as an approval issues one.
    fn issue_token(state: &mut SimState, request_id: &str, phone: &str) -> String {
        let token = format!("{}-{}", random_b64(24).replace(['+', '/', '='], ""), random_b64(12).replace(['+', '/', '='], ""));
        let holder = match identities::behaviour(phone) {
            Behaviour::OtherNumber => "919876500004".to_owned(),
            _ => phone.to_owned(),
        };
        state.tokens.insert(token.clone(), Token { request_id: request_id.to_owned(), phone: holder, issued: Instant::now(), fetches: 0 });
        token
    }

    /// Marks a pending prompt answered and builds the callback body Truecaller would send.
    fn answer(&self, request_id: &str, approve: bool) -> Option<Value> {
        let mut state = self.lock();
        let prompt = state.requests.iter_mut().find(|p| p.request_id == request_id)?;
        if prompt.answer != Answer::Pending {
            return None;
        }
        let mut body = json!({ "requestId": prompt.request_id });
        if approve {
            prompt.answer = Answer::Approved;
            if let Some(s) = &prompt.state {
                body["state"] = json!(s);
            }
            let (request_id, phone) = (prompt.request_id.clone(), prompt.phone.clone());
            body["accessToken"] = json!(Self::issue_token(&mut state, &request_id, &phone));
        } else {
            prompt.answer = Answer::Rejected;
            body["status"] = json!("user_rejected");
        }
        Some(body)
    }

    /// POSTs the callback; retries 5xx and network failures twice, as Truecaller retries.
    async fn deliver(self: Arc<Self>, request_id: String, body: Value) -> String {
        let mut outcome = String::new();
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            let result = self.http.post(self.callback_url.clone()).json(&body).send().await;
            outcome = match result {
                Ok(r) => r.status().as_u16().to_string(),
                Err(e) => format!("failed: {}", if e.is_timeout() { "timeout" } else { "no connection" }),
            };
            self.set_delivery(&request_id, &outcome);
            let retry = outcome.starts_with("failed") || outcome.starts_with('5');
            if !retry {
                break;
            }
        }
        outcome
    }

    fn set_delivery(&self, request_id: &str, delivery: &str) {
        let mut state = self.lock();
        if let Some(p) = state.requests.iter_mut().find(|p| p.request_id == request_id) {
            p.delivery = Some(delivery.to_owned());
        }
        if let Some(s) = state.sheets.iter_mut().find(|s| s.nonce == request_id) {
            s.delivery = Some(delivery.to_owned());
        }
    }
}

async fn create_request(State(sim): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let key = headers.get("appkey").and_then(|v| v.to_str().ok());
    if key != Some(APP_KEY) {
        return error(StatusCode::NOT_FOUND, json!({"code": 404, "message": "Invalid partner credentials."}));
    }
    let Ok(request) = serde_json::from_slice::<RequestBody>(&body) else {
        return error(StatusCode::BAD_REQUEST, json!({"code": 400, "message": "Invalid request body."}));
    };
    // Truecaller documents a Long; clients also send strings. Accept both, digits only.
    let phone = match request.phone_number {
        Value::Number(n) if n.is_u64() => n.to_string(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s,
        _ => return error(StatusCode::BAD_REQUEST, json!({"code": 400, "message": "Invalid phone number."})),
    };
    match identities::behaviour(&phone) {
        Behaviour::NotUser => {
            return error(
                StatusCode::FORBIDDEN,
                json!({"code": 1008, "message": "Forbidden: It is forbidden to use sdk login for this phone number."}),
            )
        }
        Behaviour::Outage => {
            let id = random_b64(8);
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"code": 500, "message": format!("There was an error processing your request. It has been logged (ID {id}).")}),
            );
        }
        _ => {}
    }
    let request_id = random_b64(20);
    sim.lock().requests.push(Prompt {
        request_id: request_id.clone(),
        phone,
        state: request.state,
        answer: Answer::Pending,
        delivery: None,
        profile_fetches: 0,
        created: Instant::now(),
    });
    Json(json!({ "requestId": request_id })).into_response()
}

async fn profile(State(sim): State<Shared>, headers: HeaderMap) -> Response {
    let unauthorized = || error(StatusCode::UNAUTHORIZED, json!({"status": 40101, "message": "Unauthorized"}));
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return unauthorized();
    };
    let phone = {
        let mut state = sim.lock();
        let Some(issued) = state.tokens.get_mut(token) else {
            return unauthorized();
        };
        if issued.issued.elapsed() > TOKEN_TTL {
            return unauthorized();
        }
        issued.fetches += 1;
        let (request_id, fetches) = (issued.request_id.clone(), issued.fetches);
        if let Some(prompt) = state.requests.iter_mut().find(|p| p.request_id == request_id) {
            prompt.profile_fetches = fetches;
        }
        let issued = &state.tokens[token];
        let unavailable = || error(StatusCode::SERVICE_UNAVAILABLE, json!({"code": 503, "message": "Service unavailable"}));
        if let Behaviour::FlakyProfile(failures) = identities::behaviour(&issued.phone) {
            if issued.fetches <= failures {
                return unavailable();
            }
        }
        let percent = sim.profile_failure_percent.load(Ordering::Relaxed);
        if percent > 0 && rand::random_range(0..100) < percent {
            sim.injected_failures.fetch_add(1, Ordering::Relaxed);
            return unavailable();
        }
        issued.phone.clone()
    };
    let delay = sim.profile_delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    Json(identities::profile(&phone)).into_response()
}

async fn phone_page(State(sim): State<Shared>) -> Response {
    // The page has its styles inline and no script at all.
    let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    ([(axum::http::header::CONTENT_SECURITY_POLICY, policy)], Html(page::render(&sim.prompts(), &sim.sheets()))).into_response()
}

async fn answer_from_page(State(sim): State<Shared>, Path((id, answer)): Path<(String, String)>) -> Response {
    let Some(approve) = parse_answer(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(body) = sim.answer(&id, approve) {
        sim.clone().deliver(id, body).await;
    }
    Redirect::to("/simulator").into_response()
}

/// For tests: answer a prompt and get the callback body back. With `?deliver=false` the callback
/// is only returned, so a test can replay, alter or forge it.
async fn answer_from_api(
    State(sim): State<Shared>,
    Path((id, answer)): Path<(String, String)>,
    Query(query): Query<DeliverQuery>,
) -> Response {
    let Some(approve) = parse_answer(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(body) = sim.answer(&id, approve) else {
        return error(StatusCode::CONFLICT, json!({"message": "no pending prompt with that requestId"}));
    };
    let delivery = if query.deliver.unwrap_or(true) { Some(sim.clone().deliver(id, body.clone()).await) } else { None };
    Json(json!({ "callback": body, "delivery": delivery })).into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    /// Only prompts for this number (E.164 digits).
    phone: Option<String>,
}

async fn list_requests(State(sim): State<Shared>, Query(query): Query<ListQuery>) -> Json<Vec<Prompt>> {
    let prompts = match query.phone {
        Some(phone) => sim.lock().requests.iter().rev().filter(|p| p.phone == phone).cloned().collect(),
        None => sim.prompts(),
    };
    Json(prompts)
}

fn parse_answer(answer: &str) -> Option<bool> {
    match answer {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => None,
    }
}

fn error(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// Truecaller's ids look like standard base64 with padding (`vXbyFPwqiCAHZyxAldA9M9DDXKk=`).
fn random_b64(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    STANDARD.encode(raw)
}

impl Prompt {
    pub fn age(&self) -> Duration {
        self.created.elapsed()
    }
}
