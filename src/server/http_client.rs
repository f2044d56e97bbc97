//! What both provider clients (Truecaller, Sandbox) need from an HTTP answer: a body read up to a
//! bound, and an error text fit for logs.

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
