//! Security and caching headers on every response, and the one reader of a request's cookies
//! for code that runs outside the session layer.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Uri},
    middleware::Next,
    response::Response,
};

/// The value of the request's cookie `name`, across every `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

/// Whether the app is served over https (then browsers are told to stay on https).
#[derive(Clone, Copy)]
pub struct Https(pub bool);

/// For responses that are not app pages (JSON, files): load nothing, frame nowhere. Pages set
/// their own policy with this response's nonce ([`page_nonce`]).
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

/// A page's script nonce, minted for each request before Leptos renders it, so the policy header
/// and the page's scripts always name the same one. (Leptos mints its own while rendering and the
/// page used to send the policy through `ResponseOptions`; now and then a page went out without
/// it, under the strict fallback, with its styles and scripts blocked.)
#[derive(Clone)]
pub struct PageNonce(std::sync::Arc<str>);

/// Mints the request's [`PageNonce`]; an HTML answer that sets no policy of its own gets
/// [`page_policy`] with it.
pub async fn page_nonce(mut request: Request, next: Next) -> Response {
    let nonce: std::sync::Arc<str> = crate::server::clock::random_token().into();
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let html = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = page_policy(&nonce, std::env::var_os("LEPTOS_WATCH").is_some());
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// Leptos' context for a page: the request's [`PageNonce`] as the nonce its scripts carry.
pub fn provide_page_nonce() {
    let nonce = leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
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
