//! Refuses state-changing requests that a browser sent on behalf of another site (CSRF, including
//! login CSRF: a cross-site form must not start a sign-in in someone's browser).
//!
//! Fetch Metadata first: browsers say where a request came from in `Sec-Fetch-Site`. Without it,
//! the `Origin` must be ours. A request with neither is not from a modern browser and passes.
//! Truecaller's server-to-server callback is exempt: it is checked by correlation instead.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};

/// The app's own origin, e.g. `https://signin.example` (scheme, host and port of PUBLIC_URL).
#[derive(Clone)]
pub struct Origin(pub String);

/// Paths that other servers (not browsers) post to.
const EXEMPT: &[&str] = &["/auth/truecaller/callback"];

pub async fn guard(State(origin): State<Origin>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || EXEMPT.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    if same_site(request.headers(), &origin) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": "cross-site request refused" }))).into_response()
    }
}

/// Whether a state-changing request comes from our own pages (or from a client that is no browser).
pub fn same_site(headers: &HeaderMap, origin: &Origin) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none": the user typed it or used a bookmark.
        Some(site) => matches!(site, "same-origin" | "none"),
        None => match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            Some(sent) => sent == origin.0,
            None => true,
        },
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
