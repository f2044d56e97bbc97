//! Security and caching headers on every response.

use axum::{
    extract::State,
    http::{header, HeaderValue, Uri},
    response::Response,
};

/// Whether the app is served over https (then browsers are told to stay on https).
#[derive(Clone, Copy)]
pub struct Https(pub bool);

/// For responses that are not app pages (JSON, files): load nothing, frame nowhere. Pages set
/// their own policy with this response's nonce ([`set_page_policy`]).
const CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The policy of an app page: scripts only with this response's nonce (Leptos puts it on its
/// hydration and resource scripts) and what those load (`'strict-dynamic'`: the bundle's JS
/// module), WebAssembly compilation, styles and everything else from our origin, avatars over
/// https. Under `cargo leptos watch` the live-reload socket is allowed too.
pub fn page_policy(nonce: &str, watch: bool) -> String {
    let reload = if watch { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' https:; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Called while a page renders: sends [`page_policy`] with the nonce Leptos generated for it.
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    let policy = page_policy(&nonce, std::env::var_os("LEPTOS_WATCH").is_some());
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

pub async fn security(State(https): State<Https>, uri: Uri, mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // A page that says otherwise (the DigiLocker hop sends none) keeps its own.
    if !headers.contains_key(header::REFERRER_POLICY) {
        set(headers, header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    }
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    }
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
