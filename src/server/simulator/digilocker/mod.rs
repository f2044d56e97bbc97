//! An embedded stand-in for Sandbox's DigiLocker KYC API and DigiLocker's consent screen, mounted
//! under `/simulator` beside the Truecaller stand-in (the paths do not collide).
//!
//! It serves `/authenticate` and the three DigiLocker session endpoints with Sandbox's envelopes,
//! status codes and token lifetime, and a consent page where a person (or a test) picks a seeded
//! DigiLocker identity and allows, denies or lets the session expire. Where Sandbox's docs leave
//! a gap (external-apis.md §3, §5), the choice made here is noted beside the code. State lives in
//! memory.

mod api;
mod consent;
mod control;
mod people;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    http::{header, HeaderMap, StatusCode},
    Router,
};
use serde::Serialize;
use url::Url;

pub use people::{profile_data, DigiLockerPerson, DobShape, EmailShape, DIGILOCKER_PERSONS};

use crate::server::{clock::now_ms, providers::http::join};
use api::{header_text, jwt_like};
use people::person;

/// The API key the simulator accepts; the app uses it in simulator mode.
pub const SANDBOX_SIM_KEY: &str = "key_test_simulator";
/// The API secret the simulator accepts.
pub const SANDBOX_SIM_SECRET: &str = "secret_test_simulator";
/// Sandbox's access tokens live 24 hours.
pub const SANDBOX_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);
/// A session nobody answers within this long becomes `expired`. Sandbox does not document the
/// figure \[GAP\]; ten minutes is DigiLocker's usual consent window.
pub const DIGILOCKER_SESSION_TTL: Duration = Duration::from_secs(600);

/// Stands for the workspace id Sandbox puts first in the authorization URL's `state`.
const WORKSPACE: &str = "5f0e4c1a-0000-4000-8000-51a7d0c0ffee";

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
        Router::new().merge(api::routes()).merge(consent::routes()).merge(control::routes()).with_state(self)
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
            .append_pair(
                "consent_valid_till",
                &((now_ms() / 1000) + DIGILOCKER_SESSION_TTL.as_secs() as i64).to_string(),
            );
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
