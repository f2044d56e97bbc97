//! The page's language for a request: the person's choice (the cookie the switcher sets), else
//! the browser's `Accept-Language`, else English. One rule for everything worded per request: the
//! rendered page (handed to Leptos i18n), the Truecaller sheet's `lang`, the DigiLocker hand-off.

use axum::{
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect},
    Form,
};
use leptos_i18n::Locale as _;
use serde::Deserialize;

use crate::{countries::Region, domain::LANGUAGE_COOKIE, i18n::Locale};

/// A year: the choice outlives sessions (it says nothing about who the person is).
const REMEMBER_SECS: u32 = 365 * 24 * 3600;

pub fn of_request(headers: &HeaderMap) -> Locale {
    chosen(headers).unwrap_or_else(|| accepted(headers))
}

/// The language picked with the switcher, when the cookie names one we have.
fn chosen(headers: &HeaderMap) -> Option<Locale> {
    super::headers::cookie(headers, LANGUAGE_COOKIE)?.parse().ok()
}

/// The best of our languages for `Accept-Language`, honouring its weights (`q=0` refuses one).
fn accepted(headers: &HeaderMap) -> Locale {
    Locale::find_locale(&ranges(headers))
}

/// The countries the browser's languages name, most wanted first (`en-GB, hi-IN` → GB, IN): where
/// the country picker starts.
pub fn regions(headers: &HeaderMap) -> Vec<Region> {
    ranges(headers).into_iter().filter_map(region_of).collect()
}

/// A BCP 47 tag's region: the subtag after the language, or after its script (`zh-Hant-TW`);
/// numeric regions (`es-419`) and extensions (`de-u-co-phonebk`) name no country.
fn region_of(tag: &str) -> Option<Region> {
    let mut subtags = tag.split(['-', '_']).skip(1);
    let mut next = subtags.next()?;
    if next.len() == 4 {
        next = subtags.next()?;
    }
    (next.len() == 2).then(|| Region::parse(next)).flatten()
}

/// `Accept-Language`'s tags, most wanted first (at most 16; `q=0` and `*` left out).
fn ranges(headers: &HeaderMap) -> Vec<&str> {
    let header = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut ranges: Vec<(&str, f32)> = header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)))?;
            (!tag.is_empty() && tag != "*" && q > 0.0).then_some((tag, q))
        })
        .take(16)
        .collect();
    // Stable: equal weights keep the browser's order.
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranges.into_iter().map(|(tag, _)| tag).collect()
}

/// What the page's server functions and components use: this request's language.
pub fn of_current_request() -> Locale {
    leptos::prelude::use_context::<axum::http::request::Parts>().map_or_else(Locale::default, |parts| of_request(&parts.headers))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    /// The page to go back to (a path on this site).
    #[serde(default)]
    back: String,
}

/// `POST /language`: the switcher. Remembers the choice and goes back to the page it was made on,
/// which renders again in the new language (a sign-in in progress resumes from the session).
/// `secure`: the site is served over https (the cookie is then `Secure`).
pub fn choose(secure: bool, Form(form): Form<LanguageForm>) -> axum::response::Response {
    let back = local_path(&form.back);
    let Ok(locale) = form.lang.parse::<Locale>() else {
        return Redirect::to(back).into_response();
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{LANGUAGE_COOKIE}={}; Path=/; Max-Age={REMEMBER_SECS}; SameSite=Lax{secure}", locale.as_str());
    let mut response = Redirect::to(back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Only our own pages: an absolute path, not `//host` or anything a browser would read as one.
fn local_path(back: &str) -> &str {
    // Browsers drop tabs and newlines from URLs and read `\` as `/`: `/\t/host` is `//host`.
    let safe = back.starts_with('/') && !back.starts_with("//") && !back.chars().any(|c| c.is_control() || c == '\\');
    if safe { back } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_come_from_the_tags_region_subtag() {
        let codes = |tag: &str| region_of(tag).map(String::from);
        assert_eq!(codes("en-GB").as_deref(), Some("GB"));
        assert_eq!(codes("en_gb").as_deref(), Some("GB"));
        assert_eq!(codes("zh-Hant-TW").as_deref(), Some("TW"));
        for none in ["en", "es-419", "de-u-co-phonebk", "zh-Hant", "x-klingon", ""] {
            assert_eq!(codes(none), None, "{none}");
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_choice_wins_then_accept_language_then_english() {
        assert_eq!(of_request(&headers(&[])), Locale::en);
        assert_eq!(of_request(&headers(&[("accept-language", "hi-IN,hi;q=0.9,en;q=0.8")])), Locale::hi);
        assert_eq!(of_request(&headers(&[("accept-language", "fr-FR,de;q=0.5")])), Locale::en);
        assert_eq!(
            of_request(&headers(&[("accept-language", "hi"), ("cookie", "sid=abc; lang=ar")])),
            Locale::ar
        );
        // A cookie naming a language we don't have is ignored.
        assert_eq!(of_request(&headers(&[("accept-language", "ta"), ("cookie", "lang=xx")])), Locale::ta);
    }

    #[test]
    fn accept_language_weights_are_honoured() {
        assert_eq!(of_request(&headers(&[("accept-language", "en;q=0.3, bn;q=0.8")])), Locale::bn);
        assert_eq!(of_request(&headers(&[("accept-language", "hi;q=0, ur")])), Locale::ur);
        assert_eq!(of_request(&headers(&[("accept-language", "de, sw-KE;q=0.7")])), Locale::sw);
        assert_eq!(of_request(&headers(&[("accept-language", ";;;,q=,,")])), Locale::en);
    }

    #[test]
    fn only_local_paths_are_gone_back_to() {
        assert_eq!(local_path("/account"), "/account");
        assert_eq!(local_path("/?with=number"), "/?with=number");
        for bad in ["", "https://evil.example/", "//evil.example", "/\\evil.example", "account"] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }
}
