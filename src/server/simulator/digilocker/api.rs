//! Sandbox's API as the app calls it: `/authenticate` and the three DigiLocker session
//! endpoints, with Sandbox's envelopes, status codes and ids.

use std::{sync::atomic::Ordering, time::Instant};

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;
use serde_json::{json, Value};
use url::{Host, Url};

use super::{profile_data, Refusal, Session, Shared, Status, SANDBOX_SIM_KEY, SANDBOX_SIM_SECRET};
use crate::server::clock::now_ms;

const SESSION_REQUEST_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.request";
const SESSION_RESPONSE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.response";
const SESSION_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session";
const DOC_TYPES: &[&str] = &["aadhaar", "pan", "driving_license"];
/// Sandbox answers 521 and 523 with these codes; `StatusCode` accepts any three digits.
const UNKNOWN_SESSION: u16 = 521;
const WRONG_LIFECYCLE: u16 = 523;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/authenticate", post(authenticate))
        .route("/kyc/digilocker/sessions/init", post(init_session))
        .route("/kyc/digilocker/sessions/{id}/status", get(session_status))
        .route("/kyc/digilocker/sessions/{id}/user/profile", get(user_profile))
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
            (status, _) => {
                return error_envelope(WRONG_LIFECYCLE, &format!("Invalid session status: {}", status.as_str()))
            }
        }
    };
    sim.profile_fetches.fetch_add(1, Ordering::Relaxed);
    success(profile_data(chosen))
}

pub(super) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn success(data: Value) -> Response {
    Json(json!({ "code": 200, "timestamp": now_ms(), "data": data, "transaction_id": uuid_v4() })).into_response()
}

/// Sandbox's error envelope.
fn envelope(status: StatusCode, message: &str) -> Response {
    let body =
        json!({ "code": status.as_u16(), "message": message, "timestamp": now_ms(), "transaction_id": uuid_v4() });
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
pub(super) fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// A token shaped like Sandbox's JWT (header.payload.signature); only this simulator reads it.
pub(super) fn jwt_like() -> String {
    let now = now_ms() / 1000;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
    let claims = json!({ "sub": SANDBOX_SIM_KEY, "iss": "sandbox-simulator", "iat": now, "exp": now + 24 * 3600, "jti": uuid_v4() });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    format!("{header}.{payload}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ids_and_tokens_have_the_documented_shapes() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert!(crate::server::providers::sandbox::valid_session_id(&id));
        let token = jwt_like();
        assert_eq!(token.split('.').count(), 3);
        assert!(token.starts_with("eyJ"));
    }
}
