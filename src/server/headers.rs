//! Security and caching headers on every response.

use axum::{
    extract::State,
    http::{header, HeaderValue, Uri},
    response::Response,
};

/// Whether the app is served over https (then browsers are told to stay on https).
#[derive(Clone, Copy)]
pub struct Https(pub bool);

// No framing, no plugins, no <base> tricks, forms only to ourselves. Script sources are left to
// the browser's defaults until Leptos' inline scripts carry nonces.
const CSP: &str = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

pub async fn security(State(https): State<Https>, uri: Uri, mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if https.0 {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    // Pages and API answers carry personal data and flow state: never store them. Static files
    // (bundle, favicon) set their own caching.
    let static_file = uri.path().starts_with("/pkg/") || uri.path().starts_with("/favicon");
    if !static_file && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}
