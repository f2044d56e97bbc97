//! Client for Truecaller's two endpoints: ask for a sign-in prompt, fetch the approved profile.
//! Also decides which profile URLs we are willing to send an access token to.

/// Truecaller's mobile-web deep link (Android one-tap).
pub mod deep_link;
/// Truecaller profile JSON.
pub mod profile;


use reqwest::{header, StatusCode};
use serde::Deserialize;
use url::{Host, Url};

use self::profile::Profile;
use crate::server::{
    phone::PhoneNumber,
    providers::http::{self, describe, join, read_limited},
};

pub struct TruecallerClient {
    http: reqwest::Client,
    requests_url: Url,
    /// `{profile base}/v1/default`: where profiles come from unless a callback names another host.
    profile_url: Url,
    app_key: String,
}

/// Truecaller's answer to "prompt this number".
#[derive(Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    Sent { request_id: String },
    /// 403 with code 1008: this number cannot use Truecaller sign-in.
    NotUser,
    /// 404: Truecaller does not know our app key.
    InvalidAppKey,
    /// Anything else: 5xx, timeouts, unreadable answers. `detail` is for logs only.
    Unavailable { detail: String },
}

#[derive(Debug)]
pub enum ProfileOutcome {
    Profile(Box<Profile>),
    /// 401: the token is expired or unknown.
    Unauthorized,
    /// 5xx, network failure: worth retrying while the token lives.
    Unavailable { detail: String },
    /// An answer we cannot use; retrying will not help.
    Unusable { detail: String },
}

/// Why a callback's `endpoint` was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("profile endpoint refused: {0}")]
pub struct EndpointRefused(pub &'static str);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestAccepted {
    request_id: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<i64>,
}

const MAX_BODY: usize = 64 * 1024;

impl TruecallerClient {
    pub fn new(api_base: &Url, profile_base: &Url, app_key: String) -> Self {
        Self {
            http: http::client(),
            requests_url: join(api_base, "v1/apps/requests"),
            profile_url: join(profile_base, "v1/default"),
            app_key,
        }
    }

    /// Our app key: also the deep link's `partnerKey` (public by design in the mobile-web flow).
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// `POST /v1/apps/requests` with `{"phoneNumber": <number>, "state": …}`.
    pub async fn request_sign_in(&self, phone: &PhoneNumber, state: &str) -> RequestOutcome {
        let sent = self
            .http
            .post(self.requests_url.clone())
            .header("appKey", &self.app_key)
            .header(header::CACHE_CONTROL, "no-cache")
            .json(&serde_json::json!({ "phoneNumber": phone.as_u64(), "state": state }))
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return RequestOutcome::Unavailable { detail: describe(&e) },
        };
        let status = response.status();
        let body = match read_limited(response, MAX_BODY).await {
            Ok(body) => body,
            Err(detail) => return RequestOutcome::Unavailable { detail },
        };
        match status {
            StatusCode::OK => match serde_json::from_slice::<RequestAccepted>(&body) {
                Ok(accepted) if valid_request_id(&accepted.request_id) => {
                    RequestOutcome::Sent { request_id: accepted.request_id }
                }
                _ => RequestOutcome::Unavailable { detail: "200 without a usable requestId".into() },
            },
            StatusCode::FORBIDDEN => match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(ErrorBody { code: Some(1008) }) => RequestOutcome::NotUser,
                _ => RequestOutcome::Unavailable { detail: "403 without code 1008".into() },
            },
            StatusCode::NOT_FOUND => RequestOutcome::InvalidAppKey,
            other => RequestOutcome::Unavailable { detail: format!("HTTP {other}") },
        }
    }

    /// The URL to fetch the profile from: the configured one, or the callback's `endpoint` when it
    /// is `https://<something>.truecaller.com/v1/default` or on the configured profile host.
    pub fn profile_url_for(&self, endpoint: Option<&str>) -> Result<Url, EndpointRefused> {
        let Some(raw) = endpoint else {
            return Ok(self.profile_url.clone());
        };
        let url = Url::parse(raw).map_err(|_| EndpointRefused("not a URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EndpointRefused("carries credentials"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(EndpointRefused("carries a query or fragment"));
        }
        let same_origin_as_configured = url.scheme() == self.profile_url.scheme()
            && url.host() == self.profile_url.host()
            && url.port_or_known_default() == self.profile_url.port_or_known_default();
        let truecaller_host = url.scheme() == "https"
            && url.port().is_none()
            && matches!(url.host(), Some(Host::Domain(d)) if d.ends_with(".truecaller.com"));
        if !(same_origin_as_configured || truecaller_host) {
            return Err(EndpointRefused("host is not Truecaller's"));
        }
        if url.path() != self.profile_url.path() && url.path() != "/v1/default" {
            return Err(EndpointRefused("unexpected path"));
        }
        Ok(url)
    }

    /// `GET {url}` with `Authorization: Bearer {token}`.
    pub async fn fetch_profile(&self, url: &Url, access_token: &str) -> ProfileOutcome {
        let sent = self
            .http
            .get(url.clone())
            .bearer_auth(access_token)
            .header(header::CACHE_CONTROL, "no-cache")
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return ProfileOutcome::Unavailable { detail: describe(&e) },
        };
        let status = response.status();
        let body = match read_limited(response, MAX_BODY).await {
            Ok(body) => body,
            Err(detail) => return ProfileOutcome::Unavailable { detail },
        };
        match status {
            StatusCode::OK => match Profile::parse(&body) {
                Ok(profile) => ProfileOutcome::Profile(Box::new(profile)),
                Err(e) => ProfileOutcome::Unusable { detail: e.to_string() },
            },
            StatusCode::UNAUTHORIZED => ProfileOutcome::Unauthorized,
            s if s.is_server_error() => ProfileOutcome::Unavailable { detail: format!("HTTP {s}") },
            s => ProfileOutcome::Unusable { detail: format!("HTTP {s}") },
        }
    }
}

/// Truecaller's ids look like base64 (`vXbyFPwqiCAHZyxAldA9M9DDXKk=`); anything far from that
/// is refused before it reaches the database or a log line.
pub fn valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(profile: &str) -> TruecallerClient {
        TruecallerClient::new(
            &Url::parse("https://api4.truecaller.com").unwrap(),
            &Url::parse(profile).unwrap(),
            "key".into(),
        )
    }

    #[test]
    fn without_an_endpoint_the_configured_profile_url_is_used() {
        let c = client("https://profile4.truecaller.com");
        assert_eq!(c.profile_url_for(None).unwrap().as_str(), "https://profile4.truecaller.com/v1/default");
    }

    #[test]
    fn truecaller_regional_hosts_are_allowed() {
        let c = client("https://profile4.truecaller.com");
        for ok in [
            "https://profile4-noneu.truecaller.com/v1/default",
            "https://PROFILE4.truecaller.com/v1/default",
            "https://profile4.truecaller.com:443/v1/default",
        ] {
            assert!(c.profile_url_for(Some(ok)).is_ok(), "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let c = client("https://profile4.truecaller.com");
        for bad in [
            "https://evil.example/v1/default",
            "http://profile4.truecaller.com/v1/default",
            "https://profile4.truecaller.com.evil.example/v1/default",
            "https://profile4.truecaller.com@127.0.0.1:9/v1/default",
            "https://user:pw@profile4.truecaller.com/v1/default",
            "https://127.0.0.1/v1/default",
            "https://169.254.169.254/v1/default",
            "https://[::1]/v1/default",
            "https://profile4.truecaller.com:8443/v1/default",
            "https://truecaller.com/v1/default",
            "https://xn--trecaller-r9a.com/v1/default",
            "https://eviltruecaller.com/v1/default",
            "https://profile4.truecaller.com/v1/other",
            "https://profile4.truecaller.com/v1/default?x=1",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert!(c.profile_url_for(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_configured_simulator_host_is_allowed_over_http() {
        let c = client("http://127.0.0.1:3000/simulator");
        assert!(c.profile_url_for(Some("http://127.0.0.1:3000/simulator/v1/default")).is_ok());
        assert!(c.profile_url_for(Some("http://127.0.0.1:3001/simulator/v1/default")).is_err());
        assert!(c.profile_url_for(Some("http://localhost:3000/simulator/v1/default")).is_err());
    }

    #[test]
    fn request_ids_are_bounded() {
        assert!(valid_request_id("vXbyFPwqiCAHZyxAldA9M9DDXKk="));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id(&"a".repeat(129)));
        assert!(!valid_request_id("é"));
    }
}
