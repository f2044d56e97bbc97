//! Client for Sandbox's DigiLocker KYC API (developer.sandbox.co.in): an access token from
//! `/authenticate`, then a DigiLocker session (init → status → user profile).
//!
//! The token lives 24 h and is shared by every call: it is cached, renewed by a single request
//! however many calls need it at once, and renewed once more when a call is refused with it.
//! Everything that parses an answer is a pure function, so the tests need no server.

use std::{
    fmt,
    time::{Duration, Instant},
};

use reqwest::{
    header::{self, HeaderValue},
    Method, StatusCode,
};
use serde_json::Value;
use url::Url;

use crate::server::providers::http::{self, describe, join, read_limited};

/// Sandbox's tokens live 24 h; renewing an hour early keeps a call from carrying one that
/// expires on the way.
const TOKEN_MAX_AGE: Duration = Duration::from_secs(23 * 3600);
/// After a failed `/authenticate`, callers get that failure for this long instead of each trying
/// again in turn behind the lock (with Sandbox down, every wait would add a full timeout).
const FAILED_RENEWAL_HOLD: Duration = Duration::from_secs(5);
const MAX_BODY: usize = 64 * 1024;
/// Every text field of a profile is cut to this many characters.
const MAX_TEXT: usize = 512;
/// A JWT of a few hundred bytes is normal; this is far above it and still a sane header.
const MAX_TOKEN: usize = 8 * 1024;
const API_VERSION: &str = "1.0";

mod wire;

pub use wire::{
    acceptable_authorization_url, birth_date, classify, error_for_status, parse_init, parse_profile, parse_status,
    parse_token, valid_session_id,
};

const SESSION_REQUEST_ENTITY: &str = "in.co.sandbox.kyc.digilocker.session.request";
const PROFILE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.profile";

pub struct SandboxClient {
    http: reqwest::Client,
    /// Where the authorization_url may point besides any https host (the local simulator).
    base: Url,
    authenticate_url: Url,
    init_url: Url,
    api_key: String,
    api_secret: String,
    /// Held across the `/authenticate` call, so concurrent callers wait for one renewal.
    token: tokio::sync::Mutex<Option<CachedToken>>,
    /// The last renewal failure and when it happened.
    renewal_failed: std::sync::Mutex<Option<(Instant, SandboxError)>>,
}

struct CachedToken {
    value: String,
    fetched: Instant,
}

impl fmt::Debug for SandboxClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxClient")
            .field("base", &self.base.as_str())
            .field("api_key", &"<redacted>")
            .field("api_secret", &"<redacted>")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A DigiLocker session we can send the person to.
pub struct InitSession {
    pub session_id: String,
    /// Where the browser goes to consent (DigiLocker, or the simulator's page).
    pub authorization_url: Url,
}

/// The URL carries the session id in its `state`: only its origin is printed.
impl fmt::Debug for InitSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitSession")
            .field("session_id", &self.session_id)
            .field("authorization_url", &self.authorization_url.origin().ascii_serialization())
            .finish()
    }
}

/// Where a DigiLocker session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Waiting for the person (the SDK variant's `initialized` and `authorized` too).
    Created,
    /// The person consented: the profile can be fetched.
    Succeeded,
    Expired,
    /// The person denied consent (or DigiLocker failed).
    Failed,
}

/// A calendar date (date of birth), as DigiLocker gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BirthDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The person's DigiLocker profile: Aadhaar-verified KYC data. Its `Debug` prints no value.
#[derive(Clone, PartialEq, Eq)]
pub struct DigiLockerProfile {
    /// The stable DigiLocker user id: the account subject.
    pub id: String,
    pub name: String,
    /// Exactly 10 ASCII digits (an Indian mobile without the country code), else `None`.
    pub mobile: Option<String>,
    pub date_of_birth: Option<BirthDate>,
    pub gender: Option<String>,
    /// `""` and a missing field are both `None`.
    pub email: Option<String>,
    pub eaadhaar: Option<bool>,
}

impl fmt::Debug for DigiLockerProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn shown<T>(value: &Option<T>) -> &'static str {
            if value.is_some() {
                "Some(<redacted>)"
            } else {
                "None"
            }
        }
        f.debug_struct("DigiLockerProfile")
            .field("id", &"<redacted>")
            .field("name", &"<redacted>")
            .field("mobile", &shown(&self.mobile))
            .field("date_of_birth", &shown(&self.date_of_birth))
            .field("gender", &shown(&self.gender))
            .field("email", &shown(&self.email))
            .field("eaadhaar", &shown(&self.eaadhaar))
            .finish()
    }
}

/// What went wrong talking to Sandbox. The text names the kind and status only: never a body
/// value, a token, a URL (it would carry the session id) or a profile field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    #[error("Sandbox answered 400 (request refused)")]
    BadRequest,
    /// 401: the API key or secret is wrong.
    #[error("Sandbox answered 401 (API key or secret refused)")]
    Unauthorized,
    /// 403: token invalid or expired, or no privilege, credits or quota left.
    #[error("Sandbox answered 403 (access token or privilege refused)")]
    Forbidden,
    #[error("Sandbox answered 404 (not found)")]
    NotFound,
    #[error("Sandbox answered 422 (request values refused)")]
    Unprocessable,
    #[error("Sandbox answered 429 (rate limited)")]
    RateLimited,
    /// 521: Sandbox does not know this session.
    #[error("Sandbox answered 521 (unknown session)")]
    UnknownSession,
    /// 523: the session is not in a state that allows this call (e.g. no consent yet).
    #[error("Sandbox answered 523 (wrong session lifecycle)")]
    WrongLifecycle,
    /// 5xx, timeouts, connection failures: worth retrying later.
    #[error("Sandbox unavailable: {detail}")]
    Unavailable { detail: String },
    /// An answer we cannot use; retrying will not help.
    #[error("Sandbox answer unusable: {detail}")]
    Unusable { detail: String },
}

impl SandboxError {
    /// Whether the same call may succeed later unchanged.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::RateLimited)
    }

    fn unusable(detail: &str) -> Self {
        Self::Unusable { detail: detail.to_owned() }
    }
}

impl SandboxClient {
    pub fn new(base: &Url, api_key: String, api_secret: String) -> Self {
        Self {
            http: http::client(),
            base: base.clone(),
            authenticate_url: join(base, "authenticate"),
            init_url: join(base, "kyc/digilocker/sessions/init"),
            api_key,
            api_secret,
            token: tokio::sync::Mutex::new(None),
            renewal_failed: std::sync::Mutex::new(None),
        }
    }

    /// `POST /kyc/digilocker/sessions/init`: a sign-in session asking for Aadhaar; the person
    /// comes back to `redirect_url` (exactly, no query) whatever they decide.
    pub async fn init_session(&self, redirect_url: &Url) -> Result<InitSession, SandboxError> {
        let body = serde_json::json!({
            "@entity": SESSION_REQUEST_ENTITY,
            "flow": "signin",
            "doc_types": ["aadhaar"],
            "redirect_url": redirect_url.as_str(),
        });
        let answer = self.call(Method::POST, &self.init_url, Some(&body)).await?;
        parse_init(&answer, &self.base)
    }

    /// `GET /kyc/digilocker/sessions/{id}/status`.
    pub async fn session_status(&self, session_id: &str) -> Result<SessionStatus, SandboxError> {
        let url = self.session_url(session_id, &["status"])?;
        let answer = self.call(Method::GET, &url, None).await?;
        parse_status(&answer, session_id)
    }

    /// `GET /kyc/digilocker/sessions/{id}/user/profile`: only after the person consented.
    pub async fn user_profile(&self, session_id: &str) -> Result<DigiLockerProfile, SandboxError> {
        let url = self.session_url(session_id, &["user", "profile"])?;
        let answer = self.call(Method::GET, &url, None).await?;
        parse_profile(&answer)
    }

    /// `{base}/kyc/digilocker/sessions/{id}/…`, the id percent-encoded as one path segment.
    fn session_url(&self, session_id: &str, tail: &[&str]) -> Result<Url, SandboxError> {
        if !valid_session_id(session_id) {
            return Err(SandboxError::unusable("session id refused before sending"));
        }
        let mut url = join(&self.base, "kyc/digilocker/sessions");
        url.path_segments_mut()
            .map_err(|_| SandboxError::unusable("base URL cannot carry a path"))?
            .push(session_id)
            .extend(tail);
        Ok(url)
    }

    /// A KYC call with the cached token. Refused with 401/403, the token is dropped and the
    /// call made once more with a fresh one; a second refusal is the caller's answer.
    async fn call(&self, method: Method, url: &Url, body: Option<&Value>) -> Result<Vec<u8>, SandboxError> {
        let token = self.token().await?;
        match self.send(method.clone(), url, body, &token).await {
            Err(SandboxError::Unauthorized | SandboxError::Forbidden) => {
                self.forget(&token).await;
                let fresh = self.token().await?;
                self.send(method, url, body, &fresh).await
            }
            other => other,
        }
    }

    async fn send(&self, method: Method, url: &Url, body: Option<&Value>, token: &str) -> Result<Vec<u8>, SandboxError> {
        let mut authorization =
            HeaderValue::from_str(token).map_err(|_| SandboxError::unusable("access token is not a header value"))?;
        authorization.set_sensitive(true);
        let mut request = self
            .http
            .request(method, url.clone())
            // Sandbox wants the raw JWT here, not `Bearer …`.
            .header(header::AUTHORIZATION, authorization)
            .header("x-api-key", &self.api_key)
            .header("x-api-version", API_VERSION);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, answer) = fetch(request).await?;
        classify(status, &answer)?;
        Ok(answer)
    }

    /// The cached token, or a new one. The lock is held across `/authenticate`, so callers
    /// arriving meanwhile wait and then find the fresh token: one request per renewal.
    async fn token(&self) -> Result<String, SandboxError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.fetched.elapsed() < TOKEN_MAX_AGE) {
            return Ok(token.value.clone());
        }
        if let Some(recent) = self.recent_renewal_failure() {
            return Err(recent);
        }
        let value = self.authenticate().await.inspect_err(|e| {
            *self.renewal_failed.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), e.clone()));
        })?;
        *cached = Some(CachedToken { value: value.clone(), fetched: Instant::now() });
        Ok(value)
    }

    fn recent_renewal_failure(&self) -> Option<SandboxError> {
        let failed = self.renewal_failed.lock().unwrap_or_else(|p| p.into_inner());
        failed.as_ref().filter(|(at, _)| at.elapsed() < FAILED_RENEWAL_HOLD).map(|(_, e)| e.clone())
    }

    /// Drops the cached token if it is still `failed`: another caller may already have
    /// replaced it, and that newer token must not be thrown away.
    async fn forget(&self, failed: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == failed) {
            *cached = None;
        }
    }

    /// `POST /authenticate` with the key and secret in headers and no body.
    async fn authenticate(&self) -> Result<String, SandboxError> {
        let mut secret =
            HeaderValue::from_str(&self.api_secret).map_err(|_| SandboxError::unusable("API secret is not a header value"))?;
        secret.set_sensitive(true);
        let request = self
            .http
            .post(self.authenticate_url.clone())
            .header("x-api-key", &self.api_key)
            .header("x-api-secret", secret)
            .header("x-api-version", API_VERSION);
        let (status, answer) = fetch(request).await?;
        classify(status, &answer)?;
        parse_token(&answer)
    }
}

/// Sends, then reads at most [`MAX_BODY`] bytes of the answer.
async fn fetch(request: reqwest::RequestBuilder) -> Result<(StatusCode, Vec<u8>), SandboxError> {
    let response = request.send().await.map_err(|e| SandboxError::Unavailable { detail: describe(&e) })?;
    let status = response.status();
    let body = read_limited(response, MAX_BODY).await.map_err(|detail| SandboxError::Unavailable { detail })?;
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::wire::mobile;

    fn base() -> Url {
        Url::parse("https://api.sandbox.co.in").unwrap()
    }

    const PROFILE_CURRENT: &str = r#"{"code":200,"timestamp":1771480620597,
        "data":{"id":"efa8ca1d-da67-4b53-9f01-dea19d454542",
                "@entity":"in.co.sandbox.kyc.digilocker.user.profile",
                "date_of_birth":"16/04/2005","mobile":"9825013730",
                "name":"Kaival Hemanshu Mehta","gender":"male",
                "eaadhaar":true,"email":"kaivalhmehta@gmail.com"},
        "transaction_id":"df28eea5-58a2-4040-a1d1-559a98326c2b"}"#;

    const PROFILE_OLDER: &str = r#"{"code":200,"timestamp":1744874068219,
        "data":{"id":"b5522c8f-2321-577b-8e73-ae1366d9c591",
                "@entity":"in.co.sandbox.kyc.digilocker.user.profile",
                "date_of_birth":1071145000000,"mobile":"9825013730",
                "name":"Kaival Mehta","gender":"male","eaadhaar":true},
        "transaction_id":"0793c784-fcaa-44d9-b8fc-f6a382a67f70"}"#;

    #[test]
    fn authenticate_current_and_legacy_shapes() {
        let current = br#"{"code": 200, "data": {"access_token": "eyJ0e.abc.def"}, "timestamp": 1750687659809, "transaction_id": "3a31716a-0000"}"#;
        assert_eq!(parse_token(current).unwrap(), "eyJ0e.abc.def");
        assert_eq!(parse_token(br#"{"access_token": "eyJ0e.legacy"}"#).unwrap(), "eyJ0e.legacy");
        for bad in [
            &br#"{"code":200,"data":{}}"#[..],
            br#"{"data":{"access_token":""}}"#,
            br#"{"data":{"access_token":"with space"}}"#,
            br#"{"data":{"access_token":42}}"#,
            br#"["eyJ0e"]"#,
            b"",
            b"<html>",
        ] {
            assert!(matches!(parse_token(bad), Err(SandboxError::Unusable { .. })), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn init_answer_is_parsed() {
        let body = br#"{"code":200,"timestamp":1751975600361,
            "data":{"@entity":"in.co.sandbox.kyc.digilocker.session.response",
                    "authorization_url":"https://digilocker.meripehchaan.gov.in/public/oauth2/1/authorize?response_type=code&state=ws%7Cf1bd0342-cc1d-4051-8301-e8ee17e3a3c3%7Chttps%253A%252F%252Fapp.example&dl_flow=signin",
                    "session_id":"f1bd0342-cc1d-4051-8301-e8ee17e3a3c3"},
            "transaction_id":"a11c4e00-fae1-4092-a55f-b4f0be92ffeb"}"#;
        let session = parse_init(body, &base()).unwrap();
        assert_eq!(session.session_id, "f1bd0342-cc1d-4051-8301-e8ee17e3a3c3");
        assert_eq!(session.authorization_url.host_str(), Some("digilocker.meripehchaan.gov.in"));
        let debug = format!("{session:?}");
        assert!(!debug.contains("state") && !debug.contains("oauth2"), "{debug}");
    }

    #[test]
    fn init_answers_without_a_usable_session_are_refused() {
        let init = |id: &str, url: &str| {
            serde_json::json!({"code": 200, "data": {"session_id": id, "authorization_url": url}}).to_string()
        };
        let ok_url = "https://digilocker.meripehchaan.gov.in/x";
        for (id, url) in [
            ("", ok_url),
            ("a b", ok_url),
            ("../status", ok_url),
            (&"a".repeat(129) as &str, ok_url),
            ("abc", "http://digilocker.meripehchaan.gov.in/x"),
            ("abc", "javascript:alert(1)"),
            ("abc", "not a url"),
            ("abc", "https://user:pw@digilocker.meripehchaan.gov.in/x"),
        ] {
            assert!(parse_init(init(id, url).as_bytes(), &base()).is_err(), "{id} {url}");
        }
        assert!(parse_init(br#"{"code":200,"data":{"session_id":"abc"}}"#, &base()).is_err());
        assert!(parse_init(br#"{"code":200}"#, &base()).is_err());
        assert!(parse_init(br#"[{"session_id":"abc"}]"#, &base()).is_err());
    }

    #[test]
    fn authorization_url_rule() {
        let sim = Url::parse("http://127.0.0.1:3000/simulator").unwrap();
        let ok = |url: &str, base: &Url| acceptable_authorization_url(&Url::parse(url).unwrap(), base);
        assert!(ok("https://digilocker.meripehchaan.gov.in/public/oauth2/1/authorize?x=1", &base()));
        assert!(!ok("https://anything.example/", &sim), "only DigiLocker's and Sandbox's hosts");
        assert!(!ok("https://digilocker.meripehchaan.gov.in.evil.example/", &base()));
        assert!(!ok("https://evilmeripehchaan.gov.in/", &base()));
        assert!(!ok("https://digilocker.meripehchaan.gov.in:8443/", &base()));
        assert!(!ok("https://203.0.113.9/authorize", &base()));
        assert!(ok("https://api.digilocker.gov.in/public/oauth2/1/authorize", &base()));
        assert!(ok("http://127.0.0.1:3000/simulator/digilocker/authorize?state=a", &sim));
        assert!(!ok("http://127.0.0.1:3001/simulator/digilocker/authorize", &sim));
        assert!(!ok("http://localhost:3000/simulator/digilocker/authorize", &sim));
        assert!(!ok("http://digilocker.meripehchaan.gov.in/", &base()));
        assert!(!ok("data:text/html,hi", &base()));
        assert!(!ok("https://u:p@digilocker.meripehchaan.gov.in/", &base()));
    }

    #[test]
    fn every_documented_status_is_read() {
        let id = "839fd8a0-1111-2222-3333-444455556666";
        let status = |s: &str| {
            let body = serde_json::json!({"code": 200, "timestamp": 1752580258171_u64,
                "data": {"id": id, "created_at": 1752579445983_u64, "@entity": "in.co.sandbox.kyc.digilocker.session", "status": s},
                "transaction_id": "800ff751"});
            parse_status(body.to_string().as_bytes(), id)
        };
        assert_eq!(status("created").unwrap(), SessionStatus::Created);
        assert_eq!(status("expired").unwrap(), SessionStatus::Expired);
        assert_eq!(status("failed").unwrap(), SessionStatus::Failed);
        assert_eq!(status("initialized").unwrap(), SessionStatus::Created);
        assert_eq!(status("authorized").unwrap(), SessionStatus::Created);
        assert!(matches!(status("pending"), Err(SandboxError::Unusable { .. })));
        assert!(matches!(status(""), Err(SandboxError::Unusable { .. })));
        let succeeded = format!(
            r#"{{"code":200,"timestamp":1,"data":{{"id":"{id}","@entity":"in.co.sandbox.kyc.digilocker.session","status":"succeeded","documents_consented":["aadhaar","pan"],"created_at":1,"updated_at":1754990726406}},"transaction_id":"t"}}"#
        );
        assert_eq!(parse_status(succeeded.as_bytes(), id).unwrap(), SessionStatus::Succeeded);
        assert!(parse_status(succeeded.as_bytes(), "another-session").is_err());
        assert!(parse_status(br#"{"code":200,"data":{"status":"created"}}"#, "x").is_ok());
        assert!(parse_status(br#"{"code":200,"data":{"status":3}}"#, "x").is_err());
        assert!(parse_status(br#"[200,{"status":"created"}]"#, "x").is_err());
    }

    #[test]
    fn profile_with_a_text_date_and_email() {
        let p = parse_profile(PROFILE_CURRENT.as_bytes()).unwrap();
        assert_eq!(p.id, "efa8ca1d-da67-4b53-9f01-dea19d454542");
        assert_eq!(p.name, "Kaival Hemanshu Mehta");
        assert_eq!(p.mobile.as_deref(), Some("9825013730"));
        assert_eq!(p.date_of_birth, Some(BirthDate { year: 2005, month: 4, day: 16 }));
        assert_eq!(p.date_of_birth.unwrap().to_string(), "2005-04-16");
        assert_eq!(p.gender.as_deref(), Some("male"));
        assert_eq!(p.email.as_deref(), Some("kaivalhmehta@gmail.com"));
        assert_eq!(p.eaadhaar, Some(true));
    }

    #[test]
    fn profile_with_an_epoch_date_and_no_email() {
        let p = parse_profile(PROFILE_OLDER.as_bytes()).unwrap();
        // 1071145000000 ms is 2003-12-11 12:16:40 UTC, 17:46:40 IST.
        assert_eq!(p.date_of_birth, Some(BirthDate { year: 2003, month: 12, day: 11 }));
        assert_eq!(p.email, None);
        assert_eq!(p.name, "Kaival Mehta");
    }

    #[test]
    fn an_empty_email_is_none() {
        let body = PROFILE_CURRENT.replace("kaivalhmehta@gmail.com", "");
        assert_eq!(parse_profile(body.as_bytes()).unwrap().email, None);
        let body = PROFILE_CURRENT.replace("\"kaivalhmehta@gmail.com\"", "null");
        assert_eq!(parse_profile(body.as_bytes()).unwrap().email, None);
    }

    #[test]
    fn dates_in_both_forms_and_in_india_time() {
        let d = |v: Value| birth_date(&v);
        assert_eq!(d(serde_json::json!("01/01/1990")), Some(BirthDate { year: 1990, month: 1, day: 1 }));
        assert_eq!(d(serde_json::json!("1/2/1990")), Some(BirthDate { year: 1990, month: 2, day: 1 }));
        assert_eq!(d(serde_json::json!("1071145000000")), Some(BirthDate { year: 2003, month: 12, day: 11 }));
        // Midnight IST on 1990-01-01 is 18:30 UTC on 1989-12-31.
        assert_eq!(d(serde_json::json!(631_132_200_000_i64)), Some(BirthDate { year: 1990, month: 1, day: 1 }));
        // Before 1970 the number is negative: 1960-05-20 00:00 IST.
        assert_eq!(d(serde_json::json!(-303_543_000_000_i64)), Some(BirthDate { year: 1960, month: 5, day: 20 }));
        for bad in [
            serde_json::json!("31/02/1990"),
            serde_json::json!("1990-01-01"),
            serde_json::json!("01/01/90"),
            serde_json::json!("01/13/1990"),
            serde_json::json!("aa/bb/cccc"),
            serde_json::json!("01/01/1990/1"),
            serde_json::json!(""),
            serde_json::json!(1.5),
            serde_json::json!(i64::MAX),
            serde_json::json!(true),
            serde_json::json!(null),
        ] {
            assert_eq!(d(bad.clone()), None, "{bad}");
        }
    }

    #[test]
    fn mobiles_are_ten_digits_or_nothing() {
        let m = |v: Value| mobile(Some(&v));
        assert_eq!(m(serde_json::json!("9825013730")).as_deref(), Some("9825013730"));
        assert_eq!(m(serde_json::json!(9_825_013_730_u64)).as_deref(), Some("9825013730"));
        for bad in ["", "+919825013730", "919825013730", "98250 13730", "982501373", "98250137३0"] {
            assert_eq!(m(serde_json::json!(bad)), None, "{bad}");
        }
    }

    #[test]
    fn profiles_without_an_id_or_name_are_refused() {
        for body in [
            PROFILE_CURRENT.replace("\"efa8ca1d-da67-4b53-9f01-dea19d454542\"", "\"\""),
            PROFILE_CURRENT.replace("\"id\":", "\"not_id\":"),
            PROFILE_CURRENT.replace("\"efa8ca1d-da67-4b53-9f01-dea19d454542\"", "12"),
            PROFILE_CURRENT.replace("\"Kaival Hemanshu Mehta\"", "\"  \""),
            PROFILE_CURRENT.replace("\"name\":", "\"not_name\":"),
            PROFILE_CURRENT.replace("user.profile", "session"),
            PROFILE_CURRENT.replace("efa8ca1d", &"x".repeat(600)),
            format!("[{PROFILE_CURRENT}]"),
            "{\"code\":200}".to_owned(),
            "{\"code\":200,\"data\":[]}".to_owned(),
            "not json".to_owned(),
        ] {
            assert!(matches!(parse_profile(body.as_bytes()), Err(SandboxError::Unusable { .. })), "{body}");
        }
    }

    #[test]
    fn text_fields_are_cut_and_odd_shapes_dropped() {
        let body = serde_json::json!({"code": 200, "data": {
            "id": "u-1", "name": "n".repeat(2000), "gender": 7, "email": ["a@b"], "mobile": null,
            "eaadhaar": "yes", "date_of_birth": {"d": 1}}});
        let p = parse_profile(body.to_string().as_bytes()).unwrap();
        assert_eq!(p.name.chars().count(), MAX_TEXT);
        assert_eq!((p.gender, p.email, p.mobile, p.eaadhaar, p.date_of_birth), (None, None, None, None, None));
    }

    #[test]
    fn the_profile_debug_prints_no_value() {
        let p = parse_profile(PROFILE_CURRENT.as_bytes()).unwrap();
        let debug = format!("{p:?}");
        for value in ["efa8ca1d", "Kaival", "9825013730", "2005", "male", "kaivalhmehta", "true"] {
            assert!(!debug.contains(value), "{value} in {debug}");
        }
        assert!(debug.contains("email: \"Some(<redacted>)\""), "{debug}");
    }

    #[test]
    fn the_client_debug_prints_no_secret() {
        let client = SandboxClient::new(&base(), "key_live_abc".into(), "secret_live_xyz".into());
        let debug = format!("{client:?}");
        assert!(!debug.contains("key_live_abc") && !debug.contains("secret_live_xyz"), "{debug}");
    }

    #[test]
    fn error_envelopes_map_to_kinds_and_their_text_carries_no_body() {
        let envelope = |code: u16, message: &str| {
            serde_json::json!({"code": code, "message": message, "timestamp": 1687602744185_u64, "transaction_id": "2230d738-aaaa"})
                .to_string()
        };
        for (code, message, expected) in [
            (400, "Invalid request body", SandboxError::BadRequest),
            (401, "Unauthorized", SandboxError::Unauthorized),
            (403, "Insufficient privilege", SandboxError::Forbidden),
            (404, "Doctype not found", SandboxError::NotFound),
            (422, "Invalid redirect_url", SandboxError::Unprocessable),
            (429, "Rate limit exceeded", SandboxError::RateLimited),
            (500, "Internal server error", SandboxError::Unavailable { detail: "HTTP 500".into() }),
            (503, "Source unavailable", SandboxError::Unavailable { detail: "HTTP 503".into() }),
            (521, "Data not found for: 0d1b-secret-session", SandboxError::UnknownSession),
            (523, "Invalid session status: created", SandboxError::WrongLifecycle),
        ] {
            let body = envelope(code, message);
            let status = StatusCode::from_u16(code).unwrap();
            let error = classify(status, body.as_bytes()).unwrap_err();
            assert_eq!(error, expected, "{code}");
            let text = error.to_string();
            assert!(text.contains(&code.to_string()), "{text}");
            assert!(!text.contains(message) && !text.contains("2230d738"), "{text}");
            // The same code inside a 200 is not a success either.
            assert_eq!(classify(StatusCode::OK, body.as_bytes()).unwrap_err(), expected);
        }
        assert!(classify(StatusCode::OK, PROFILE_CURRENT.as_bytes()).is_ok());
        assert!(classify(StatusCode::OK, b"not json").is_ok(), "the parsers judge the body");
        assert!(matches!(classify(StatusCode::FOUND, b""), Err(SandboxError::Unusable { .. })));
        assert!(matches!(classify(StatusCode::NO_CONTENT, b""), Err(SandboxError::Unusable { .. })));
    }

    #[test]
    fn only_outages_and_rate_limits_are_retryable() {
        assert!(SandboxError::RateLimited.is_retryable());
        assert!(SandboxError::Unavailable { detail: "timed out".into() }.is_retryable());
        for e in [SandboxError::Unauthorized, SandboxError::UnknownSession, SandboxError::WrongLifecycle, SandboxError::unusable("x")] {
            assert!(!e.is_retryable(), "{e}");
        }
    }

    #[test]
    fn session_ids_are_bounded_and_encoded_as_one_segment() {
        assert!(valid_session_id("f1bd0342-cc1d-4051-8301-e8ee17e3a3c3"));
        for bad in ["", "a/b", "..", "a%2Fb", "a b", "é", &"a".repeat(129)] {
            assert!(!valid_session_id(bad), "{bad}");
        }
        let client = SandboxClient::new(&Url::parse("http://127.0.0.1:3000/simulator").unwrap(), "k".into(), "s".into());
        let url = client.session_url("abc_1", &["user", "profile"]).unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:3000/simulator/kyc/digilocker/sessions/abc_1/user/profile");
        assert!(client.session_url("../x", &["status"]).is_err());
    }
}
