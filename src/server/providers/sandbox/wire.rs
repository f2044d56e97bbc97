//! Sandbox's answers on the wire: statuses and envelopes to errors, the documented shapes (and
//! their older forms) to values, and which consent URLs we are willing to send a person to.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::{BirthDate, DigiLockerProfile, InitSession, SandboxError, SessionStatus, MAX_TEXT, MAX_TOKEN, PROFILE_ENTITY};

/// The error for a status other than 200.
pub fn error_for_status(status: u16) -> SandboxError {
    match status {
        400 => SandboxError::BadRequest,
        401 => SandboxError::Unauthorized,
        403 => SandboxError::Forbidden,
        404 => SandboxError::NotFound,
        422 => SandboxError::Unprocessable,
        429 => SandboxError::RateLimited,
        521 => SandboxError::UnknownSession,
        523 => SandboxError::WrongLifecycle,
        s if (500..600).contains(&s) => SandboxError::Unavailable { detail: format!("HTTP {s}") },
        s => SandboxError::Unusable { detail: format!("HTTP {s}") },
    }
}

/// `Ok` for a usable success: HTTP 200 whose envelope `code`, if any, is 200 too. Sandbox
/// documents the envelope code equal to the HTTP status; should they ever differ, the error
/// code in the body wins (a 200 carrying `"code": 523` is not a success).
pub fn classify(status: StatusCode, body: &[u8]) -> Result<(), SandboxError> {
    if status != StatusCode::OK {
        return Err(error_for_status(status.as_u16()));
    }
    #[derive(Deserialize)]
    struct Envelope {
        code: Option<Value>,
    }
    let code = serde_json::from_slice::<Envelope>(body).ok().and_then(|e| e.code).and_then(|c| c.as_u64());
    match code {
        Some(code) if code != 200 => Err(error_for_status(u16::try_from(code).unwrap_or(0))),
        _ => Ok(()),
    }
}

/// The body as a JSON object. Serde would also fill a struct from an array, by position: only an
/// object is the documented shape.
fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, SandboxError> {
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(SandboxError::unusable("body is not a JSON object"));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(SandboxError::unusable("body is not a JSON object")),
    }
}

/// The envelope's `data` object.
fn data(body: &[u8]) -> Result<serde_json::Map<String, Value>, SandboxError> {
    match object(body)?.remove("data") {
        Some(Value::Object(data)) => Ok(data),
        _ => Err(SandboxError::unusable("data is missing")),
    }
}

/// `/authenticate`'s token: `data.access_token` now, top-level `access_token` in older docs.
pub fn parse_token(body: &[u8]) -> Result<String, SandboxError> {
    let map = object(body)?;
    let nested = map.get("data").and_then(|d| d.get("access_token"));
    let token = nested.or_else(|| map.get("access_token")).and_then(Value::as_str);
    match token {
        Some(t) if (1..=MAX_TOKEN).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic()) => Ok(t.to_owned()),
        Some(_) => Err(SandboxError::unusable("access_token is malformed")),
        None => Err(SandboxError::unusable("access_token is missing")),
    }
}

/// Sandbox's session ids are UUIDs; anything far from that is refused before it reaches a URL,
/// the database or a log line.
pub fn valid_session_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Hosts DigiLocker's consent pages are served from (and their subdomains): the documented
/// `digilocker.meripehchaan.gov.in`, DigiLocker's own domain, and Sandbox's.
const CONSENT_DOMAINS: &[&str] = &["meripehchaan.gov.in", "digilocker.gov.in", "sandbox.co.in"];

/// Where we are willing to send the person: https on DigiLocker's or Sandbox's domains (default
/// port, no credentials), or the configured Sandbox's own origin (the local stand-in is served
/// over http). Anything else is a tampered or misconfigured answer, never followed.
pub fn acceptable_authorization_url(url: &Url, sandbox_base: &Url) -> bool {
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    if url.origin() == sandbox_base.origin() {
        return true;
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let ours = CONSENT_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")));
    url.scheme() == "https" && url.port().is_none() && ours
}

/// Initiate Session's answer: `data.session_id` and `data.authorization_url`.
pub fn parse_init(body: &[u8], sandbox_base: &Url) -> Result<InitSession, SandboxError> {
    let data = data(body)?;
    let session_id = data
        .get("session_id")
        .and_then(Value::as_str)
        .filter(|id| valid_session_id(id))
        .ok_or_else(|| SandboxError::unusable("session_id is missing or malformed"))?;
    let authorization_url = data
        .get("authorization_url")
        .and_then(Value::as_str)
        .and_then(|raw| Url::parse(raw).ok())
        .ok_or_else(|| SandboxError::unusable("authorization_url is missing or not a URL"))?;
    if !acceptable_authorization_url(&authorization_url, sandbox_base) {
        return Err(SandboxError::unusable("authorization_url is neither https nor Sandbox's origin"));
    }
    Ok(InitSession { session_id: session_id.to_owned(), authorization_url })
}

/// Session Status's answer, checked to be about the session we asked for (when it says).
pub fn parse_status(body: &[u8], session_id: &str) -> Result<SessionStatus, SandboxError> {
    let data = data(body)?;
    if let Some(id) = data.get("id") {
        if id.as_str() != Some(session_id) {
            return Err(SandboxError::unusable("status is about another session"));
        }
    }
    let status = data.get("status").and_then(Value::as_str).ok_or_else(|| SandboxError::unusable("status is missing"))?;
    match status.to_ascii_lowercase().as_str() {
        // `initialized` and `authorized` come from the SDK variant of the same API.
        "created" | "initialized" | "authorized" => Ok(SessionStatus::Created),
        "succeeded" => Ok(SessionStatus::Succeeded),
        "expired" => Ok(SessionStatus::Expired),
        "failed" => Ok(SessionStatus::Failed),
        _ => Err(SandboxError::unusable("status is not one Sandbox documents")),
    }
}

/// Get User Profile's answer. `id` and `name` are required; every other field is optional and
/// dropped (not refused) when it has an unexpected shape.
pub fn parse_profile(body: &[u8]) -> Result<DigiLockerProfile, SandboxError> {
    let data = data(body)?;
    if let Some(entity) = data.get("@entity") {
        if entity.as_str() != Some(PROFILE_ENTITY) {
            return Err(SandboxError::unusable("data is not a user profile"));
        }
    }
    let id = data.get("id").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    // An id is compared whole: cutting one could make it someone else's.
    if id.is_empty() || id.chars().count() > MAX_TEXT || id.chars().any(char::is_control) {
        return Err(SandboxError::unusable("id is missing or malformed"));
    }
    let name = text(data.get("name")).ok_or_else(|| SandboxError::unusable("name is missing"))?;
    Ok(DigiLockerProfile {
        id: id.to_owned(),
        name,
        mobile: mobile(data.get("mobile")),
        date_of_birth: data.get("date_of_birth").and_then(birth_date),
        gender: text(data.get("gender")),
        email: text(data.get("email")),
        eaadhaar: match data.get("eaadhaar") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        },
    })
}

/// A string field, trimmed and cut to [`MAX_TEXT`] characters; empty is absent.
fn text(value: Option<&Value>) -> Option<String> {
    let trimmed = value?.as_str()?.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(MAX_TEXT).collect())
}

/// Exactly ten ASCII digits (documented as a string; a number is read the same way).
pub(super) fn mobile(value: Option<&Value>) -> Option<String> {
    let digits = match value? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// `"DD/MM/YYYY"` (current docs) or epoch milliseconds (older docs), as a number or a string of
/// digits. Epoch times are read in India's time zone: DigiLocker's midnight IST is the previous
/// day in UTC.
pub fn birth_date(value: &Value) -> Option<BirthDate> {
    match value {
        Value::Number(n) => n.as_i64().and_then(date_from_epoch_ms),
        Value::String(s) => {
            let s = s.trim();
            if s.contains('/') {
                date_from_text(s)
            } else {
                s.parse::<i64>().ok().and_then(date_from_epoch_ms)
            }
        }
        _ => None,
    }
}

fn date_from_text(s: &str) -> Option<BirthDate> {
    let mut parts = s.split('/');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, len: std::ops::RangeInclusive<usize>| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(day, 1..=2) || !digits(month, 1..=2) || !digits(year, 4..=4) {
        return None;
    }
    checked_date(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn date_from_epoch_ms(ms: i64) -> Option<BirthDate> {
    let ist = time::UtcOffset::from_hms(5, 30, 0).ok()?;
    let moment = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?.to_offset(ist);
    checked_date(u16::try_from(moment.year()).ok()?, u8::from(moment.month()), moment.day())
}

/// A real calendar date in a plausible range for a living person's birth.
fn checked_date(year: u16, month: u8, day: u8) -> Option<BirthDate> {
    let month_enum = time::Month::try_from(month).ok()?;
    time::Date::from_calendar_date(i32::from(year), month_enum, day).ok()?;
    (1850..=2200).contains(&year).then_some(BirthDate { year, month, day })
}
