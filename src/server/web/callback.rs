//! `POST /auth/truecaller/callback`: Truecaller's server-to-server message. Public and unsigned,
//! so it only ever moves a sign-in we started, and it answers at once (Truecaller allows 3 s).

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::Deserialize;

use crate::server::{
    error::Error,
    providers::truecaller::valid_request_id,
    sign_in::{Callback, SignInService},
    store::Received,
};

/// Real callbacks are well under 1 KB.
pub const MAX_BODY: usize = 16 * 1024;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Wire {
    request_id: Option<String>,
    access_token: Option<String>,
    state: Option<String>,
    endpoint: Option<String>,
    status: Option<String>,
}

/// Acknowledges a callback once it is taken in (stored, with those arriving alongside it, if it
/// names a sign-in on record; dropped and counted if it names none); what it means for the
/// sign-in is worked out right after, off the request (`SignInService::work_inbox`).
pub async fn truecaller_callback(
    State(service): State<SignInService>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, Error> {
    let received = std::time::Instant::now();
    let result = acknowledge(&service, &headers, &body).await;
    if result.is_err() {
        metrics::counter!(crate::server::metrics::CALLBACKS, "outcome" => "refused").increment(1);
    }
    metrics::histogram!(crate::server::metrics::CALLBACK_ACK).record(received.elapsed().as_secs_f64());
    result?;
    // The same answer whatever becomes of it: a forger learns nothing.
    Ok((StatusCode::OK, Json(serde_json::json!({ "ok": true }))))
}

async fn acknowledge(service: &SignInService, headers: &HeaderMap, body: &[u8]) -> Result<(), Error> {
    let callback = parse(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), body)?;
    service.take_in_callback(callback).await
}

/// Parses and bounds a callback body. JSON is documented; form encoding is accepted too, since
/// some integrators report Truecaller sending it.
pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Callback, Error> {
    if body.len() > MAX_BODY {
        return Err(Error::PayloadTooLarge);
    }
    let media = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let wire: Wire = match media.as_deref() {
        None | Some("application/json") => {
            // Serde would also fill the struct from a JSON array, by position (found by the
            // property tests): only an object is the documented shape.
            if body.trim_ascii_start().first() != Some(&b'{') {
                return Err(Error::BadCallback("body is not the documented JSON"));
            }
            serde_json::from_slice(body).map_err(|_| Error::BadCallback("body is not the documented JSON"))?
        }
        Some("application/x-www-form-urlencoded") => {
            let mut wire = Wire::default();
            for (key, value) in url::form_urlencoded::parse(body) {
                let slot = match key.as_ref() {
                    "requestId" => &mut wire.request_id,
                    "accessToken" => &mut wire.access_token,
                    "state" => &mut wire.state,
                    "endpoint" => &mut wire.endpoint,
                    "status" => &mut wire.status,
                    _ => continue,
                };
                if slot.replace(value.into_owned()).is_some() {
                    return Err(Error::BadCallback("repeated field"));
                }
            }
            wire
        }
        Some(_) => return Err(Error::UnsupportedMediaType),
    };

    let request_id = wire.request_id.ok_or(Error::BadCallback("requestId is missing"))?;
    if !valid_request_id(&request_id) {
        return Err(Error::BadCallback("requestId is malformed"));
    }
    let state = wire.state.map(|s| bounded(s, 128, "state is malformed")).transpose()?;
    // An approval's status (if any) and a decline's endpoint mean nothing, so they are not read.
    let received = match wire.access_token {
        Some(access_token) => Received {
            request_id,
            state,
            access_token: Some(bounded(access_token, 4096, "accessToken is malformed")?),
            endpoint: wire.endpoint.map(|e| bounded(e, 2048, "endpoint is malformed")).transpose()?,
            status: None,
        },
        None => {
            let status = wire.status.ok_or(Error::BadCallback("neither accessToken nor status given"))?;
            Received { request_id, state, status: Some(bounded(status, 64, "status is malformed")?), ..Received::default() }
        }
    };
    Callback::read(received).ok_or(Error::BadCallback("neither accessToken nor status given"))
}

/// Printable ASCII, non-empty, at most `max` bytes.
fn bounded(value: String, max: usize, problem: &'static str) -> Result<String, Error> {
    let ok = !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(value)
    } else {
        Err(Error::BadCallback(problem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn a_json_array_is_not_a_callback() {
        let body = br#"["abc", "token"]"#;
        assert!(matches!(parse(JSON, body), Err(Error::BadCallback(_))));
    }

    #[test]
    fn neither_the_token_nor_our_state_reaches_a_debug_print() {
        let body = br#"{"requestId":"vXbyFPwqiCAHZyxAldA9M9DDXKk=","accessToken":"token-value-1234","state":"state-value-5678"}"#;
        let callback = parse(JSON, body).unwrap();
        let printed = format!("{callback:?} {:?}", callback.clone().into_fields());
        assert!(printed.contains("vXbyFPwqiCAHZyxAldA9M9DDXKk="), "{printed}");
        assert!(!printed.contains("token-value") && !printed.contains("state-value"), "{printed}");
    }

    #[test]
    fn reads_the_documented_approval() {
        let body = br#"{"requestId":"vXbyFPwqiCAHZyxAldA9M9DDXKk=","accessToken":"a3sAB0KnGANg4VZwIXfhUyFmPbzoONofl4FjIItac0JQSODp6niW8oBr33uOI-u7","state":"ne4_cRtzx73-alui_XDvzS5h"}"#;
        match parse(JSON, body).unwrap() {
            Callback::Approved { request_id, state, endpoint, .. } => {
                assert_eq!(request_id, "vXbyFPwqiCAHZyxAldA9M9DDXKk=");
                assert_eq!(state.as_deref(), Some("ne4_cRtzx73-alui_XDvzS5h"));
                assert_eq!(endpoint, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_the_mobile_web_approval_with_endpoint() {
        let body = br#"{"requestId":"RL8YZ41FQMt5Jiak2sc_Ys0OgQA=","accessToken":"a1asX--8_yw","endpoint":"https://profile4-noneu.truecaller.com/v1/default"}"#;
        assert!(matches!(
            parse(Some("application/json; charset=utf-8"), body).unwrap(),
            Callback::Approved { endpoint: Some(_), state: None, .. }
        ));
    }

    #[test]
    fn reads_rejections_and_notices() {
        let body = br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"user_rejected"}"#;
        assert!(matches!(parse(JSON, body).unwrap(), Callback::Declined { .. }));
        let body = br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"flow_invoked"}"#;
        assert!(matches!(parse(JSON, body).unwrap(), Callback::Notice { .. }));
        let body = br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"use_another_number"}"#;
        assert!(matches!(parse(JSON, body).unwrap(), Callback::Declined { status, .. } if status == "use_another_number"));
        // Statuses nobody documented yet are notes, never outcomes.
        let body = br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"something_new"}"#;
        assert!(matches!(parse(JSON, body).unwrap(), Callback::Notice { .. }));
        let form = b"requestId=WZqlS6PqY0ycO3mKlEuI%3D&status=user_rejected";
        assert!(matches!(
            parse(Some("application/x-www-form-urlencoded"), form).unwrap(),
            Callback::Declined { .. }
        ));
    }

    #[test]
    fn refuses_malformed_bodies() {
        let bad: &[&[u8]] = &[
            b"",
            b"not json",
            b"[]",
            br#"{"accessToken":"t"}"#,
            br#"{"requestId":"r"}"#,
            br#"{"requestId":"r","accessToken":123}"#,
            br#"{"requestId":[],"accessToken":"t"}"#,
            br#"{"requestId":"r","requestId":"s","accessToken":"t"}"#,
            br#"{"requestId":"r\u0000","accessToken":"t"}"#,
            br#"{"requestId":"r","accessToken":"has space"}"#,
            b"{\"requestId\":\"r\",\"accessToken\":\"t\xff\"}",
        ];
        for body in bad {
            assert!(
                matches!(parse(JSON, body), Err(Error::BadCallback(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let long_id = format!(r#"{{"requestId":"{}","accessToken":"t"}}"#, "a".repeat(4096));
        assert!(parse(JSON, long_id.as_bytes()).is_err());
        let deep = format!(r#"{{"requestId":"r","accessToken":"t","x":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(JSON, deep.as_bytes()).is_err());
    }

    #[test]
    fn a_callback_kept_in_the_inbox_reads_back_the_same() {
        let bodies: &[&[u8]] = &[
            br#"{"requestId":"vXbyFPwqiCAHZyxAldA9M9DDXKk=","accessToken":"a3sAB0Kn","state":"ne4_cRtzx73"}"#,
            br#"{"requestId":"RL8YZ41FQMt5Jiak2sc_Ys0OgQA=","accessToken":"a1asX--8_yw","endpoint":"https://profile4-noneu.truecaller.com/v1/default"}"#,
            br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"user_rejected","state":"ne4_cRtzx73"}"#,
            br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"use_another_number"}"#,
            br#"{"requestId":"WZqlS6PqY0ycO3mKlEuI=","status":"flow_invoked"}"#,
        ];
        for body in bodies {
            let callback = parse(JSON, body).unwrap();
            assert_eq!(Callback::read(callback.clone().into_fields()).as_ref(), Some(&callback));
        }
        assert_eq!(Callback::read(Received { request_id: "r".into(), ..Received::default() }), None);
    }

    #[test]
    fn refuses_other_media_types_and_big_bodies() {
        assert!(matches!(parse(Some("text/plain"), b"{}"), Err(Error::UnsupportedMediaType)));
        assert!(matches!(parse(JSON, &vec![b' '; MAX_BODY + 1]), Err(Error::PayloadTooLarge)));
        assert!(matches!(
            parse(Some("application/x-www-form-urlencoded"), b"requestId=a&requestId=b&status=x"),
            Err(Error::BadCallback(_))
        ));
    }
}
