//! An embedded stand-in for Sandbox's DigiLocker KYC API and DigiLocker's consent screen, mounted
//! under `/simulator` beside the Truecaller stand-in (the paths do not collide).
//!
//! It serves `/authenticate` and the three DigiLocker session endpoints with Sandbox's envelopes,
//! status codes and token lifetime, and a consent page where a person (or a test) picks a seeded
//! DigiLocker identity and allows, denies or lets the session expire. Where Sandbox's docs leave
//! a gap (external-apis.md §3, §5), the choice made here is noted beside the code. State lives in
//! memory.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use url::{Host, Url};

use crate::server::{clock::now_ms, config::join};

/// The API key the simulator accepts; the app uses it in simulator mode.
pub const SANDBOX_SIM_KEY: &str = "key_test_simulator";
/// The API secret the simulator accepts.
pub const SANDBOX_SIM_SECRET: &str = "secret_test_simulator";
/// Sandbox's access tokens live 24 hours.
pub const SANDBOX_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);
/// A session nobody answers within this long becomes `expired`. Sandbox does not document the
/// figure [GAP]; ten minutes is DigiLocker's usual consent window.
pub const DIGILOCKER_SESSION_TTL: Duration = Duration::from_secs(600);

const SESSION_REQUEST_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.request";
const SESSION_RESPONSE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.response";
const SESSION_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session";
const PROFILE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.profile";
const DOC_TYPES: &[&str] = &["aadhaar", "pan", "driving_license"];
/// Stands for the workspace id Sandbox puts first in the authorization URL's `state`.
const WORKSPACE: &str = "5f0e4c1a-0000-4000-8000-51a7d0c0ffee";
/// Sandbox answers 521 and 523 with these codes; `StatusCode` accepts any three digits.
const UNKNOWN_SESSION: u16 = 521;
const WRONG_LIFECYCLE: u16 = 523;

/// How a seeded person's date of birth is written: Sandbox has documented both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DobShape {
    /// `"DD/MM/YYYY"` (the current docs).
    Text(&'static str),
    /// Epoch milliseconds as a JSON number (an older revision of the docs).
    EpochMs(i64),
}

/// How a seeded person's email appears: Sandbox's examples show all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailShape {
    Given(&'static str),
    /// `"email": ""`.
    Empty,
    /// No `email` field at all.
    Absent,
}

/// A DigiLocker account the consent page can sign in as. `label` says which profile shape it
/// shows; the other fields are its profile.
pub struct DigiLockerPerson {
    pub key: &'static str,
    pub label: &'static str,
    /// DigiLocker's stable user id.
    pub id: &'static str,
    pub name: &'static str,
    /// Ten digits, no country code; `""` when no mobile is linked to the Aadhaar.
    pub mobile: &'static str,
    pub gender: &'static str,
    pub date_of_birth: DobShape,
    pub email: EmailShape,
    pub eaadhaar: bool,
}

pub const DIGILOCKER_PERSONS: &[DigiLockerPerson] = &[
    DigiLockerPerson {
        key: "rajat",
        label: "Rajat Kapoor: mobile 9999999999 (the Truecaller simulator's +91 99999 99999), DOB as DD/MM/YYYY, email",
        id: "3f6c1a2e-8d4b-4c1e-9a57-2b1d0e6f9a31",
        name: "Rajat Kapoor",
        mobile: "9999999999",
        gender: "male",
        date_of_birth: DobShape::Text("14/08/1988"),
        email: EmailShape::Given("rajat@example.com"),
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "sunita",
        label: "Sunita Kapoor: Rajat's family, the same mobile 9999999999 on her own Aadhaar",
        id: "9a0d5c3e-1f47-4b6a-8e2d-5c7b1a9f3e60",
        name: "Sunita Kapoor",
        mobile: "9999999999",
        gender: "female",
        date_of_birth: DobShape::Text("03/11/1961"),
        email: EmailShape::Absent,
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "priya",
        label: "Priya Sharma: another mobile, DOB as epoch milliseconds, email \"\"",
        id: "b5522c8f-2321-477b-8e73-ae1366d9c591",
        name: "Priya Sharma",
        mobile: "9123456780",
        gender: "female",
        date_of_birth: DobShape::EpochMs(1_071_145_000_000),
        email: EmailShape::Empty,
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "arjun",
        label: "Arjun Venkatesh Nair: no email field at all, no e-Aadhaar",
        id: "e2a9d7c4-5b13-4f08-b6d1-7c3e9f20a845",
        name: "Arjun Venkatesh Nair",
        mobile: "9845012345",
        gender: "male",
        date_of_birth: DobShape::Text("02/01/1975"),
        email: EmailShape::Absent,
        eaadhaar: false,
    },
    DigiLockerPerson {
        key: "meera",
        label: "Meera Iyer: no mobile linked to her Aadhaar (mobile \"\")",
        id: "71c04b9e-3a6f-4d22-9e85-d0f1b2a3c4e5",
        name: "Meera Iyer",
        mobile: "",
        gender: "female",
        date_of_birth: DobShape::Text("29/02/1992"),
        email: EmailShape::Given("meera.iyer@example.in"),
        eaadhaar: true,
    },
];

fn person(key: &str) -> Option<&'static DigiLockerPerson> {
    DIGILOCKER_PERSONS.iter().find(|p| p.key == key)
}

pub struct SandboxSimulator {
    /// Where `/simulator` is reachable from browsers; authorization URLs point under it.
    public_base: Url,
    state: Mutex<SimState>,
    authentications: AtomicU64,
    profile_fetches: AtomicU64,
    status_checks: AtomicU64,
}

#[derive(Default)]
struct SimState {
    /// Issued access tokens and when.
    tokens: HashMap<String, Instant>,
    sessions: Vec<Session>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Created,
    Succeeded,
    Failed,
    Expired,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }
}

struct Session {
    id: String,
    flow: String,
    doc_types: Vec<String>,
    redirect_url: Url,
    status: Status,
    person: Option<&'static DigiLockerPerson>,
    created_at: i64,
    updated_at: Option<i64>,
    created: Instant,
}

impl Session {
    /// An unanswered session turns `expired` once its time is up.
    fn settle(&mut self) {
        if self.status == Status::Created && self.created.elapsed() > DIGILOCKER_SESSION_TTL {
            self.status = Status::Expired;
            self.updated_at = Some(self.created_at + DIGILOCKER_SESSION_TTL.as_millis() as i64);
        }
    }

    fn view(&self) -> SessionView {
        SessionView {
            id: self.id.clone(),
            flow: self.flow.clone(),
            status: self.status.as_str(),
            person: self.person.map(|p| p.key),
            redirect_url: self.redirect_url.to_string(),
            doc_types: self.doc_types.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A session as the test API shows it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionView {
    pub id: String,
    pub flow: String,
    pub status: &'static str,
    /// The seeded person's key, once someone allowed.
    pub person: Option<&'static str>,
    pub redirect_url: String,
    pub doc_types: Vec<String>,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

/// What the person decides on the consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Allow,
    Deny,
    Expire,
}

impl Answer {
    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "allow" => Some(Self::Allow),
            "deny" => Some(Self::Deny),
            "expire" => Some(Self::Expire),
            _ => None,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum AnswerRefused {
    UnknownSession,
    AlreadyAnswered,
    UnknownPerson,
}

type Shared = Arc<SandboxSimulator>;
/// An error answer's status and message, before it becomes Sandbox's envelope.
type Refusal = (StatusCode, &'static str);

impl SandboxSimulator {
    /// `public_base`: the URL at which `/simulator` (or wherever the router is mounted) is
    /// reachable from browsers, e.g. `http://127.0.0.1:3000/simulator`.
    pub fn new(public_base: Url) -> Arc<Self> {
        Arc::new(Self {
            public_base,
            state: Mutex::default(),
            authentications: AtomicU64::new(0),
            profile_fetches: AtomicU64::new(0),
            status_checks: AtomicU64::new(0),
        })
    }

    pub fn router<S: Clone + Send + Sync + 'static>(self: Arc<Self>) -> Router<S> {
        Router::new()
            .route("/authenticate", post(authenticate))
            .route("/kyc/digilocker/sessions/init", post(init_session))
            .route("/kyc/digilocker/sessions/{id}/status", get(session_status))
            .route("/kyc/digilocker/sessions/{id}/user/profile", get(user_profile))
            .route("/digilocker/authorize", get(consent_page))
            .route("/digilocker/consent", post(consent_answer))
            .route("/api/digilocker/sessions", get(list_sessions))
            .route("/api/digilocker/sessions/{id}/{answer}", post(answer_from_api))
            .route("/api/sandbox/stats", get(stats))
            .route("/api/sandbox/expire-tokens", post(expire_tokens))
            .with_state(self)
    }

    /// Successful `/authenticate` calls so far.
    pub fn authentications(&self) -> u64 {
        self.authentications.load(Ordering::Relaxed)
    }

    /// Profiles served so far.
    pub fn profile_fetches(&self) -> u64 {
        self.profile_fetches.load(Ordering::Relaxed)
    }

    /// Every session, newest first.
    pub fn sessions(&self) -> Vec<SessionView> {
        let mut state = self.lock();
        state
            .sessions
            .iter_mut()
            .rev()
            .map(|s| {
                s.settle();
                s.view()
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn issue_token(&self) -> String {
        let token = jwt_like();
        let mut state = self.lock();
        state.tokens.retain(|_, issued| issued.elapsed() < SANDBOX_TOKEN_TTL);
        state.tokens.insert(token.clone(), Instant::now());
        token
    }

    /// The KYC endpoints' gate: the right `x-api-key` (else 401) and a live token in
    /// `Authorization` (else 403). The token is the raw JWT: `Bearer …` is an unknown token,
    /// as Sandbox documents the raw form.
    fn check_access(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        if header_text(headers, "x-api-key") != Some(SANDBOX_SIM_KEY) {
            return Err((StatusCode::UNAUTHORIZED, "Unauthorized"));
        }
        let Some(token) = header_text(headers, header::AUTHORIZATION.as_str()) else {
            return Err((StatusCode::FORBIDDEN, "Missing access token"));
        };
        let live = self.lock().tokens.get(token).is_some_and(|issued| issued.elapsed() < SANDBOX_TOKEN_TTL);
        if live {
            Ok(())
        } else {
            Err((StatusCode::FORBIDDEN, "Invalid or expired access token"))
        }
    }

    /// Applies a decision to a `created` session.
    fn answer(&self, id: &str, answer: Answer, person_key: Option<&str>) -> Result<SessionView, AnswerRefused> {
        let chosen = match person_key {
            Some(key) => Some(person(key).ok_or(AnswerRefused::UnknownPerson)?),
            None => None,
        };
        let mut state = self.lock();
        let session = state.sessions.iter_mut().find(|s| s.id == id).ok_or(AnswerRefused::UnknownSession)?;
        session.settle();
        if session.status != Status::Created {
            return Err(AnswerRefused::AlreadyAnswered);
        }
        session.status = match answer {
            Answer::Allow => {
                session.person = Some(chosen.unwrap_or(&DIGILOCKER_PERSONS[0]));
                Status::Succeeded
            }
            Answer::Deny => Status::Failed,
            Answer::Expire => Status::Expired,
        };
        session.updated_at = Some(now_ms());
        Ok(session.view())
    }

    /// The consent page's URL, shaped like DigiLocker's (`state` = `<workspace>|<session>|<redirect>`).
    /// Only for show: the page finds the session by the id inside `state`.
    fn authorization_url(&self, session_id: &str, flow: &str, doc_types: &[String], redirect: &Url) -> Url {
        let redirect: String = url::form_urlencoded::byte_serialize(redirect.as_str().as_bytes()).collect();
        let doctypes: Vec<&str> = doc_types
            .iter()
            .map(|d| match d.as_str() {
                "pan" => "PANCR",
                "driving_license" => "DRVLC",
                _ => "ADHAR",
            })
            .collect();
        let mut url = join(&self.public_base, "digilocker/authorize");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", "SANDBOXSIM")
            .append_pair("state", &format!("{WORKSPACE}|{session_id}|{redirect}"))
            .append_pair("scope", "files.issueddocs")
            .append_pair("dl_flow", flow)
            .append_pair("req_doctype", &doctypes.join(","))
            .append_pair("consent_valid_till", &((now_ms() / 1000) + DIGILOCKER_SESSION_TTL.as_secs() as i64).to_string());
        url
    }
}

async fn authenticate(State(sim): State<Shared>, headers: HeaderMap) -> Response {
    let key_ok = header_text(&headers, "x-api-key") == Some(SANDBOX_SIM_KEY);
    let secret_ok = header_text(&headers, "x-api-secret") == Some(SANDBOX_SIM_SECRET);
    if !(key_ok && secret_ok) {
        return envelope(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let token = sim.issue_token();
    sim.authentications.fetch_add(1, Ordering::Relaxed);
    success(json!({ "access_token": token }))
}

#[derive(Deserialize)]
struct InitBody {
    #[serde(rename = "@entity")]
    entity: String,
    flow: String,
    redirect_url: String,
    doc_types: Vec<String>,
    consent_expiry: Option<i64>,
    // `options` (pinless, usernameless, verified_mobile…) is accepted and ignored.
}

/// Which status a malformed init gets is not documented [GAP]. Chosen: a body that is not JSON
/// is 422 (Sandbox's table: "body not JSON"); missing or mistyped fields, a wrong `@entity` and
/// a bad `redirect_url` are 400 (the SDK's "Invalid request body" and a third-party fixture's
/// "Invalid redirect_url"); values outside the schema's enums and limits are 422.
async fn init_session(State(sim): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err((status, message)) = sim.check_access(&headers) {
        return envelope(status, message);
    }
    let request = match parse_init(&body) {
        Ok(request) => request,
        Err((status, message)) => return envelope(status, message),
    };
    let id = uuid_v4();
    let authorization_url = sim.authorization_url(&id, &request.flow, &request.doc_types, &request.redirect_url);
    sim.lock().sessions.push(Session {
        id: id.clone(),
        flow: request.flow,
        doc_types: request.doc_types,
        redirect_url: request.redirect_url,
        status: Status::Created,
        person: None,
        created_at: now_ms(),
        updated_at: None,
        created: Instant::now(),
    });
    success(json!({
        "@entity": SESSION_RESPONSE_ENTITY,
        "authorization_url": authorization_url.as_str(),
        "session_id": id,
    }))
}

struct InitRequest {
    flow: String,
    doc_types: Vec<String>,
    redirect_url: Url,
}

fn parse_init(body: &[u8]) -> Result<InitRequest, Refusal> {
    let bad = |message| (StatusCode::BAD_REQUEST, message);
    let invalid = |message| (StatusCode::UNPROCESSABLE_ENTITY, message);
    let value: Value = serde_json::from_slice(body).map_err(|_| invalid("Request body is not valid JSON"))?;
    if !value.is_object() {
        return Err(bad("Invalid request body"));
    }
    let request: InitBody = serde_json::from_value(value).map_err(|_| bad("Invalid request body"))?;
    if request.entity != SESSION_REQUEST_ENTITY {
        return Err(bad("Invalid @entity"));
    }
    if !matches!(request.flow.as_str(), "signin" | "signup") {
        return Err(invalid("Invalid flow"));
    }
    let known = |d: &String| DOC_TYPES.contains(&d.as_str());
    let mut unique = request.doc_types.clone();
    unique.sort();
    unique.dedup();
    if request.doc_types.is_empty() || !request.doc_types.iter().all(known) || unique.len() != request.doc_types.len() {
        return Err(invalid("Invalid doc_types"));
    }
    let redirect_url = acceptable_redirect(&request.redirect_url).ok_or(bad("Invalid redirect_url"))?;
    if let Some(expiry) = request.consent_expiry {
        if expiry < now_ms() + 3_600_000 {
            return Err(invalid("consent_expiry must be at least 1 hour in the future"));
        }
    }
    Ok(InitRequest { flow: request.flow, doc_types: request.doc_types, redirect_url })
}

/// Sandbox requires an `https://` redirect_url. DEVIATION: http to a loopback host (127.0.0.0/8,
/// ::1, localhost) is accepted too, because the app runs locally over http against this
/// simulator; the real Sandbox would refuse it (config warns about that in live mode).
fn acceptable_redirect(raw: &str) -> Option<Url> {
    let url = Url::parse(raw).ok()?;
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => return None,
    };
    match url.scheme() {
        "https" => Some(url),
        "http" if loopback => Some(url),
        _ => None,
    }
}

async fn session_status(State(sim): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err((status, message)) = sim.check_access(&headers) {
        return envelope(status, message);
    }
    sim.status_checks.fetch_add(1, Ordering::Relaxed);
    let mut state = sim.lock();
    let Some(session) = state.sessions.iter_mut().find(|s| s.id == id) else {
        return unknown_session(&id);
    };
    session.settle();
    let mut data = json!({
        "@entity": SESSION_ENTITY,
        "id": session.id,
        "status": session.status.as_str(),
        "created_at": session.created_at,
    });
    if let Some(updated) = session.updated_at {
        data["updated_at"] = json!(updated);
    }
    // Listed only once consent is received. The person consents to every type the app asked
    // for: the simulated page offers no per-document choice.
    if session.status == Status::Succeeded {
        data["documents_consented"] = json!(session.doc_types);
    }
    success(data)
}

async fn user_profile(State(sim): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err((status, message)) = sim.check_access(&headers) {
        return envelope(status, message);
    }
    // The current Get User Profile page marks this header required (optional elsewhere).
    if header_text(&headers, "x-api-version").is_none_or(str::is_empty) {
        return envelope(StatusCode::BAD_REQUEST, "x-api-version header is required");
    }
    let chosen = {
        let mut state = sim.lock();
        let Some(session) = state.sessions.iter_mut().find(|s| s.id == id) else {
            return unknown_session(&id);
        };
        session.settle();
        match (session.status, session.person) {
            (Status::Succeeded, Some(person)) => person,
            (status, _) => return error_envelope(WRONG_LIFECYCLE, &format!("Invalid session status: {}", status.as_str())),
        }
    };
    sim.profile_fetches.fetch_add(1, Ordering::Relaxed);
    success(profile_data(chosen))
}

/// `data` of Get User Profile for `person`, in the documented shape.
pub fn profile_data(person: &DigiLockerPerson) -> Value {
    let mut data = json!({
        "id": person.id,
        "@entity": PROFILE_ENTITY,
        "date_of_birth": match person.date_of_birth {
            DobShape::Text(text) => json!(text),
            DobShape::EpochMs(ms) => json!(ms),
        },
        "mobile": person.mobile,
        "name": person.name,
        "gender": person.gender,
        "eaadhaar": person.eaadhaar,
    });
    match person.email {
        EmailShape::Given(email) => data["email"] = json!(email),
        EmailShape::Empty => data["email"] = json!(""),
        EmailShape::Absent => {}
    }
    data
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    state: Option<String>,
}

/// DigiLocker's consent screen, simulated: pick a person, then Allow, Deny or Let it expire.
async fn consent_page(State(sim): State<Shared>, Query(query): Query<AuthorizeQuery>) -> Response {
    // `state` = `<workspace>|<session_id>|<redirect>`; only the session id matters here.
    let id = query.state.as_deref().and_then(|s| s.split('|').nth(1)).unwrap_or_default().to_owned();
    let mut state = sim.lock();
    let Some(session) = state.sessions.iter_mut().find(|s| s.id == id) else {
        return html_page(StatusCode::NOT_FOUND, page::no_session(), None);
    };
    session.settle();
    if session.status != Status::Created {
        let body = page::answered(session.status.as_str(), session.redirect_url.as_str());
        return html_page(StatusCode::CONFLICT, body, None);
    }
    html_page(StatusCode::OK, page::consent(&session.id, &session.doc_types, &session.redirect_url), Some(&session.redirect_url))
}

#[derive(Deserialize)]
struct ConsentForm {
    session: String,
    answer: String,
    person: Option<String>,
}

/// The consent form's POST: applies the answer, then sends the browser back to the app's
/// redirect_url exactly as given (Sandbox documents no added query parameters).
async fn consent_answer(State(sim): State<Shared>, Form(form): Form<ConsentForm>) -> Response {
    let Some(answer) = Answer::parse(&form.answer) else {
        return html_page(StatusCode::BAD_REQUEST, page::message("Unknown answer", "Choose Allow, Deny or Let it expire."), None);
    };
    let person = form.person.as_deref().filter(|p| !p.is_empty());
    match sim.answer(&form.session, answer, person) {
        Ok(view) => (StatusCode::SEE_OTHER, [(header::LOCATION, view.redirect_url)]).into_response(),
        Err(AnswerRefused::UnknownSession) => html_page(StatusCode::NOT_FOUND, page::no_session(), None),
        Err(AnswerRefused::UnknownPerson) => {
            html_page(StatusCode::BAD_REQUEST, page::message("Unknown person", "Pick one of the listed people."), None)
        }
        Err(AnswerRefused::AlreadyAnswered) => {
            let state = sim.lock();
            let session = state.sessions.iter().find(|s| s.id == form.session);
            let (status, redirect) = session.map_or(("answered", String::new()), |s| (s.status.as_str(), s.redirect_url.to_string()));
            html_page(StatusCode::CONFLICT, page::answered(status, &redirect), None)
        }
    }
}

/// A page with a policy allowing inline styles, no script, and form posts to us plus (for the
/// 303 that follows a post: Chromium checks form-action along redirects) the app's origin.
fn html_page(status: StatusCode, body: String, redirect: Option<&Url>) -> Response {
    let form_target = redirect.map(|r| format!(" {}", r.origin().ascii_serialization())).unwrap_or_default();
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'{form_target}; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let policy = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    });
    (status, [(header::CONTENT_SECURITY_POLICY, policy)], Html(body)).into_response()
}

async fn list_sessions(State(sim): State<Shared>) -> Json<Vec<SessionView>> {
    Json(sim.sessions())
}

#[derive(Deserialize)]
struct AnswerQuery {
    person: Option<String>,
}

/// For tests: the consent page's effect without a browser. Answers the session as JSON.
async fn answer_from_api(
    State(sim): State<Shared>,
    Path((id, answer)): Path<(String, String)>,
    Query(query): Query<AnswerQuery>,
) -> Response {
    let Some(answer) = Answer::parse(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match sim.answer(&id, answer, query.person.as_deref()) {
        Ok(view) => Json(view).into_response(),
        Err(AnswerRefused::UnknownSession) => (StatusCode::NOT_FOUND, Json(json!({"message": "no such session"}))).into_response(),
        Err(AnswerRefused::AlreadyAnswered) => {
            (StatusCode::CONFLICT, Json(json!({"message": "the session was already answered"}))).into_response()
        }
        Err(AnswerRefused::UnknownPerson) => (StatusCode::BAD_REQUEST, Json(json!({"message": "no such person"}))).into_response(),
    }
}

async fn stats(State(sim): State<Shared>) -> Json<Value> {
    Json(json!({
        "authentications": sim.authentications(),
        "profile_fetches": sim.profile_fetches(),
        "status_checks": sim.status_checks.load(Ordering::Relaxed),
    }))
}

/// For tests: every issued token stops working, as after 24 h (or a revocation).
async fn expire_tokens(State(sim): State<Shared>) -> StatusCode {
    sim.lock().tokens.clear();
    StatusCode::NO_CONTENT
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn success(data: Value) -> Response {
    Json(json!({ "code": 200, "timestamp": now_ms(), "data": data, "transaction_id": uuid_v4() })).into_response()
}

/// Sandbox's error envelope.
fn envelope(status: StatusCode, message: &str) -> Response {
    let body = json!({ "code": status.as_u16(), "message": message, "timestamp": now_ms(), "transaction_id": uuid_v4() });
    (status, Json(body)).into_response()
}

fn error_envelope(code: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    envelope(status, message)
}

fn unknown_session(id: &str) -> Response {
    error_envelope(UNKNOWN_SESSION, &format!("Data not found for: {id}"))
}

/// 128 random bits shaped as a version 4 UUID (Sandbox's session and transaction ids).
fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// A token shaped like Sandbox's JWT (header.payload.signature); only this simulator reads it.
fn jwt_like() -> String {
    let now = now_ms() / 1000;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
    let claims = json!({ "sub": SANDBOX_SIM_KEY, "iss": "sandbox-simulator", "iat": now, "exp": now + 24 * 3600, "jti": uuid_v4() });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    format!("{header}.{payload}.{signature}")
}

/// The consent screen: plain server-rendered HTML (one form, no script).
mod page {
    use leptos::prelude::*;
    use url::Url;

    use super::DIGILOCKER_PERSONS;

    pub fn consent(session_id: &str, doc_types: &[String], redirect: &Url) -> String {
        let people = DIGILOCKER_PERSONS
            .iter()
            .map(|p| view! { <option value=p.key>{p.label}</option> })
            .collect_view();
        let documents = doc_types.join(", ");
        let returning = redirect.origin().ascii_serialization();
        let body = view! {
            <h1>"DigiLocker (simulated)"</h1>
            <p>
                "An app asks to sign you in with DigiLocker and read your Aadhaar profile "
                "(name, date of birth, gender, mobile, email)."
            </p>
            <p class="meta">"Documents requested: " {documents} " · you return to " <code>{returning}</code></p>
            // Relative: resolves next to this page wherever the simulator is mounted.
            <form method="post" action="consent">
                <input type="hidden" name="session" value=session_id.to_owned()/>
                <label for="person">"Sign in as"</label>
                <select id="person" name="person">{people}</select>
                <div class="buttons">
                    <button type="submit" name="answer" value="allow" class="allow">"Allow"</button>
                    <button type="submit" name="answer" value="deny" class="deny">"Deny"</button>
                    <button type="submit" name="answer" value="expire" class="deny">"Let it expire"</button>
                </div>
            </form>
            <p class="meta">"Nothing here is real: the simulator answers Sandbox's API with the person you pick."</p>
        };
        document("DigiLocker (simulated): consent", body)
    }

    pub fn no_session() -> String {
        message("No such session", "This DigiLocker session does not exist. Start the sign-in again from the app.")
    }

    pub fn answered(status: &str, redirect: &str) -> String {
        let link = (!redirect.is_empty()).then(|| view! { <p><a href=redirect.to_owned()>"Back to the app"</a></p> });
        let body = view! {
            <h1>"DigiLocker (simulated)"</h1>
            <p>{format!("This session was already answered: it is {status}.")}</p>
            {link}
        };
        document("DigiLocker (simulated)", body)
    }

    pub fn message(title: &str, text: &str) -> String {
        let body = view! { <h1>{title.to_owned()}</h1><p>{text.to_owned()}</p> };
        document("DigiLocker (simulated)", body)
    }

    fn document(title: &str, main: impl IntoView + 'static) -> String {
        let page = view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <title>{title.to_owned()}</title>
                    <style>{STYLE}</style>
                </head>
                <body><main>{main}</main></body>
            </html>
        };
        format!("<!DOCTYPE html>{}", page.to_html())
    }

    const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#eef2f7;color:#1b1f24}\
    main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
    h1{color:#1f3c88;font-size:1.4rem}.meta{color:#57606a;font-size:.9rem}\
    label{display:block;margin:1rem 0 .25rem;font-weight:600}select{font:inherit;width:100%;padding:.4rem}\
    .buttons{margin-top:1rem;display:flex;gap:.5rem;flex-wrap:wrap}\
    button{font:inherit;border:0;border-radius:8px;padding:.5rem 1.25rem;cursor:pointer}\
    .allow{background:#1f3c88;color:#fff}.deny{background:#e4e7eb;color:#1b1f24}";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::sandbox::{parse_profile, BirthDate};

    #[test]
    fn every_person_parses_with_the_documented_shape() {
        for person in DIGILOCKER_PERSONS {
            let body = json!({ "code": 200, "timestamp": 1, "data": profile_data(person), "transaction_id": uuid_v4() });
            let profile = parse_profile(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", person.key));
            assert_eq!(profile.id, person.id);
            assert_eq!(profile.name, person.name);
            assert_eq!(profile.mobile.as_deref(), Some(person.mobile).filter(|m| !m.is_empty()));
            assert!(profile.date_of_birth.is_some(), "{}", person.key);
            assert_eq!(body["data"].get("email").is_some(), person.email != EmailShape::Absent);
        }
        let keys: std::collections::HashSet<_> = DIGILOCKER_PERSONS.iter().map(|p| p.key).collect();
        assert_eq!(keys.len(), DIGILOCKER_PERSONS.len());
    }

    #[test]
    fn the_seeds_cover_every_documented_shape() {
        let rajat = person("rajat").unwrap();
        assert_eq!(rajat.mobile, "9999999999", "joins the Truecaller simulator's +91 99999 99999");
        assert!(matches!(rajat.date_of_birth, DobShape::Text(_)) && matches!(rajat.email, EmailShape::Given(_)));
        assert!(DIGILOCKER_PERSONS.iter().any(|p| matches!(p.date_of_birth, DobShape::EpochMs(_)) && p.email == EmailShape::Empty));
        assert!(DIGILOCKER_PERSONS.iter().any(|p| p.email == EmailShape::Absent));
        let priya = parse_profile(json!({"data": profile_data(person("priya").unwrap())}).to_string().as_bytes()).unwrap();
        assert_eq!(priya.date_of_birth, Some(BirthDate { year: 2003, month: 12, day: 11 }));
    }

    #[test]
    fn redirects_must_be_https_or_loopback_http() {
        for ok in [
            "https://app.example/auth/digilocker/return",
            "http://127.0.0.1:3000/auth/digilocker/return",
            "http://127.9.9.9/x",
            "http://[::1]:3000/x",
            "http://localhost:3000/x",
            "http://LOCALHOST/x",
        ] {
            assert!(acceptable_redirect(ok).is_some(), "{ok}");
        }
        for bad in [
            "http://app.example/x",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "https://u:p@app.example/x",
            "ftp://app.example/x",
            "javascript:alert(1)",
            "/relative",
            "",
        ] {
            assert!(acceptable_redirect(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn init_bodies_are_checked_like_sandbox() {
        let body = |v: Value| v.to_string().into_bytes();
        let good = json!({"@entity": SESSION_REQUEST_ENTITY, "flow": "signin", "doc_types": ["aadhaar"], "redirect_url": "https://app.example/r"});
        assert!(parse_init(&body(good.clone())).is_ok());
        let with = |key: &str, value: Value| {
            let mut v = good.clone();
            v[key] = value;
            parse_init(&body(v)).err().map(|(status, _)| status.as_u16())
        };
        assert_eq!(with("flow", json!("signup")), None);
        assert_eq!(with("doc_types", json!(["aadhaar", "pan", "driving_license"])), None);
        assert_eq!(with("consent_expiry", json!(now_ms() + 2 * 3_600_000)), None);
        assert_eq!(with("@entity", json!("in.co.sandbox.other")), Some(400));
        assert_eq!(with("redirect_url", json!("http://app.example/r")), Some(400));
        assert_eq!(with("doc_types", json!(3)), Some(400));
        assert_eq!(with("flow", json!("login")), Some(422));
        assert_eq!(with("doc_types", json!([])), Some(422));
        assert_eq!(with("doc_types", json!(["voter_id"])), Some(422));
        assert_eq!(with("doc_types", json!(["aadhaar", "aadhaar"])), Some(422));
        assert_eq!(with("consent_expiry", json!(now_ms() + 60_000)), Some(422));
        assert_eq!(parse_init(b"not json").err().map(|e| e.0.as_u16()), Some(422));
        assert_eq!(parse_init(b"[1]").err().map(|e| e.0.as_u16()), Some(400));
        assert_eq!(parse_init(b"{}").err().map(|e| e.0.as_u16()), Some(400));
    }

    #[test]
    fn authorization_urls_look_like_digilocker_and_carry_the_session() {
        let sim = SandboxSimulator::new(Url::parse("http://127.0.0.1:3000/simulator").unwrap());
        let redirect = Url::parse("http://127.0.0.1:3000/auth/digilocker/return").unwrap();
        let url = sim.authorization_url("sid-1", "signin", &["aadhaar".into()], &redirect);
        assert!(url.as_str().starts_with("http://127.0.0.1:3000/simulator/digilocker/authorize?"), "{url}");
        let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        let parts: Vec<&str> = state.splitn(3, '|').collect();
        assert_eq!(parts[1], "sid-1");
        assert_eq!(parts[2], "http%3A%2F%2F127.0.0.1%3A3000%2Fauth%2Fdigilocker%2Freturn");
        assert!(url.query_pairs().any(|(k, v)| k == "req_doctype" && v == "ADHAR"));
    }

    #[test]
    fn ids_and_tokens_have_the_documented_shapes() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert!(crate::server::sandbox::valid_session_id(&id));
        let token = jwt_like();
        assert_eq!(token.split('.').count(), 3);
        assert!(token.starts_with("eyJ"));
    }

    #[test]
    fn answers_apply_once() {
        let sim = SandboxSimulator::new(Url::parse("http://127.0.0.1:3000/simulator").unwrap());
        let redirect = Url::parse("https://app.example/r").unwrap();
        for id in ["a", "b"] {
            sim.lock().sessions.push(Session {
                id: id.into(),
                flow: "signin".into(),
                doc_types: vec!["aadhaar".into()],
                redirect_url: redirect.clone(),
                status: Status::Created,
                person: None,
                created_at: now_ms(),
                updated_at: None,
                created: Instant::now(),
            });
        }
        assert_eq!(sim.answer("a", Answer::Allow, Some("nobody")).unwrap_err(), AnswerRefused::UnknownPerson);
        let view = sim.answer("a", Answer::Allow, Some("priya")).unwrap();
        assert_eq!((view.status, view.person), ("succeeded", Some("priya")));
        assert_eq!(sim.answer("a", Answer::Deny, None).unwrap_err(), AnswerRefused::AlreadyAnswered);
        assert_eq!(sim.answer("b", Answer::Expire, None).unwrap().status, "expired");
        assert_eq!(sim.answer("zzz", Answer::Allow, None).unwrap_err(), AnswerRefused::UnknownSession);
    }
}
