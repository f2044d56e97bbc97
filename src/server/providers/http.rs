//! What both provider clients (Truecaller, Sandbox) need from HTTP: one client with the same
//! safety settings, URLs under a configured base, a body read up to a bound, and an error text
//! fit for logs.

use std::time::Duration;

use url::Url;

/// A provider must answer within this long (Truecaller asks partners to answer it within 3 s;
/// it gets a little longer to answer us).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The client every provider is called with: bounded in time, and never following a redirect
/// (it could carry a bearer token, an API key or a secret somewhere we never vetted).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("truecaller-signin/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("static reqwest configuration is valid")
}

/// `base` joined with a relative path, keeping any path `base` already has.
pub fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    {
        // http(s) URLs always have path segments.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            segments.extend(path.split('/'));
        }
    }
    url
}

/// Reads at most `max` bytes of `response`'s body; the error is for logs.
pub async fn read_limited(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > max {
            return Err(format!("response larger than {max} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error for logs: its kind only, never the URL (it may carry a session id or a token-bearing
/// path).
pub fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request failed"
    };
    kind.to_owned()
}
