//! Truecaller's mobile-web deep link (`truecallersdk://truesdk/web_verify?…`): what opens the
//! bottom sheet in the Truecaller app on an Android phone. Every documented parameter, from
//! settings a deployer chooses (`OneTapLook`), each percent-encoded.

use std::time::Duration;

use url::Url;

/// Where the Truecaller app listens (external-apis.md 2.2).
pub const SCHEME_AND_PATH: &str = "truecallersdk://truesdk/web_verify";

/// The sheet's languages; anything else falls back to English in the app (external-apis.md 2.3).
pub const LANGUAGES: [&str; 12] = ["en", "hi", "mr", "te", "ml", "ur", "pa", "ta", "bn", "kn", "sw", "ar"];

/// Values seen for each text option. The official lists are incomplete (a documented gap), so a
/// value outside them is sent as configured and only warned about at start-up.
pub const LOGIN_PREFIXES: &[&str] = &[
    "getstarted", "continue", "placeorder", "completepurchase", "checkout", "completebooking",
    "proceedwithbooking", "continuewith", "getdetails", "viewmore", "continuereading", "proceed",
];
pub const LOGIN_SUFFIXES: &[&str] = &["verifymobile", "login", "signup", "loginsignup", "signin", "register"];
pub const CTA_PREFIXES: &[&str] = &["use", "continuewith", "proceedwith"];
pub const BUTTON_SHAPES: &[&str] = &["round", "rect"];
pub const SKIP_OPTIONS: &[&str] = &["useanothernum", "useanothermethod", "manualdetails", "later", "skip"];

/// How the sheet looks and what it links to: the deployer's choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTapLook {
    /// `partnerName`: the name the sheet shows.
    pub partner_name: String,
    pub privacy_url: Option<Url>,
    pub terms_url: Option<Url>,
    pub login_prefix: Option<String>,
    pub login_suffix: Option<String>,
    pub cta_prefix: Option<String>,
    /// `#rrggbb` (or `#rgb`).
    pub cta_color: Option<String>,
    pub cta_text_color: Option<String>,
    pub button_shape: Option<String>,
    /// The sheet's footer option; `None`: no footer.
    pub skip_option: Option<String>,
}

impl Default for OneTapLook {
    fn default() -> Self {
        Self {
            partner_name: "truecaller-signin".into(),
            privacy_url: None,
            terms_url: None,
            login_prefix: Some("continue".into()),
            login_suffix: Some("signin".into()),
            cta_prefix: Some("continuewith".into()),
            // The page's own blue and white, so the sheet's button matches ours.
            cta_color: Some("#0069d9".into()),
            cta_text_color: Some("#ffffff".into()),
            button_shape: Some("round".into()),
            skip_option: Some("useanothernum".into()),
        }
    }
}

/// One sheet request: whose app, which attempt, in which language, valid how long.
pub struct DeepLink<'a> {
    pub look: &'a OneTapLook,
    pub app_key: &'a str,
    pub nonce: &'a str,
    /// The page's language (a BCP 47 tag such as `hi-IN`); mapped with [`sheet_language`].
    pub page_language: &'a str,
    /// How long the sheet's request stays valid: our own wait, so neither outlives the other.
    pub ttl: Duration,
}

impl DeepLink<'_> {
    /// The link, one line, parameters in the documented order; empty options are left out.
    pub fn build(&self) -> String {
        let look = self.look;
        let ttl = self.ttl.as_millis().to_string();
        let params: [(&str, Option<&str>); 15] = [
            ("type", Some("btmsheet")),
            ("requestNonce", Some(self.nonce)),
            ("partnerKey", Some(self.app_key)),
            ("partnerName", Some(&look.partner_name)),
            ("lang", Some(sheet_language(self.page_language))),
            ("privacyUrl", look.privacy_url.as_ref().map(Url::as_str)),
            ("termsUrl", look.terms_url.as_ref().map(Url::as_str)),
            ("loginPrefix", look.login_prefix.as_deref()),
            ("loginSuffix", look.login_suffix.as_deref()),
            ("ctaPrefix", look.cta_prefix.as_deref()),
            ("ctaColor", look.cta_color.as_deref()),
            ("ctaTextColor", look.cta_text_color.as_deref()),
            ("btnShape", look.button_shape.as_deref()),
            ("skipOption", look.skip_option.as_deref()),
            ("ttl", Some(&ttl)),
        ];
        let query = params
            .iter()
            .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| format!("{name}={}", encode(v))))
            .collect::<Vec<_>>()
            .join("&");
        format!("{SCHEME_AND_PATH}?{query}")
    }
}

/// The sheet's language for a page language: its primary subtag when the sheet has it, else
/// English (what the app would fall back to anyway).
pub fn sheet_language(page_language: &str) -> &'static str {
    let primary = page_language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    LANGUAGES.into_iter().find(|code| *code == primary).unwrap_or("en")
}

/// A request nonce as the docs require: 8 to 64 base64url characters.
pub fn valid_nonce(nonce: &str) -> bool {
    (8..=64).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `#` followed by 3 or 6 hex digits.
pub fn valid_color(color: &str) -> bool {
    color
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Percent-encodes everything but unreserved characters. A space becomes `%20`, never `+`
/// (Android's query parser does not read `+` as a space), and `#` becomes `%23` (a raw `#`
/// would turn the rest of the link into a fragment).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(look: &OneTapLook, lang: &str) -> String {
        DeepLink { look, app_key: "key 1", nonce: "abcDEF12-_xyz", page_language: lang, ttl: Duration::from_secs(60) }.build()
    }

    fn params(link: &str) -> Vec<(String, String)> {
        let url = Url::parse(link).unwrap();
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn every_documented_parameter_in_order_on_one_line() {
        let look = OneTapLook {
            partner_name: "Acme & Sons".into(),
            privacy_url: Some(Url::parse("https://acme.example/privacy?x=1").unwrap()),
            terms_url: Some(Url::parse("https://acme.example/terms").unwrap()),
            ..OneTapLook::default()
        };
        let built = link(&look, "hi-IN");
        assert!(built.starts_with("truecallersdk://truesdk/web_verify?type=btmsheet&requestNonce=abcDEF12-_xyz&"), "{built}");
        assert!(!built.contains(['\n', ' ', '#']), "{built}");
        let names: Vec<String> = params(&built).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                "type", "requestNonce", "partnerKey", "partnerName", "lang", "privacyUrl", "termsUrl", "loginPrefix",
                "loginSuffix", "ctaPrefix", "ctaColor", "ctaTextColor", "btnShape", "skipOption", "ttl"
            ]
        );
        let read: std::collections::HashMap<_, _> = params(&built).into_iter().collect();
        assert_eq!(read["partnerKey"], "key 1");
        assert_eq!(read["partnerName"], "Acme & Sons");
        assert_eq!(read["lang"], "hi");
        assert_eq!(read["privacyUrl"], "https://acme.example/privacy?x=1");
        assert_eq!(read["ctaColor"], "#0069d9");
        assert_eq!(read["ctaTextColor"], "#ffffff");
        assert_eq!(read["ttl"], "60000");
        assert_eq!(read["skipOption"], "useanothernum");
    }

    #[test]
    fn values_are_percent_encoded() {
        let look = OneTapLook { partner_name: "Acme & Sons+Co".into(), ..OneTapLook::default() };
        let built = link(&look, "en");
        assert!(built.contains("partnerName=Acme%20%26%20Sons%2BCo&"), "{built}");
        assert!(built.contains("partnerKey=key%201&"), "{built}");
        assert!(built.contains("ctaColor=%230069d9&ctaTextColor=%23ffffff&"), "{built}");
        let look = OneTapLook { privacy_url: Some(Url::parse("https://a.example/p?q=1&r=2#top").unwrap()), ..OneTapLook::default() };
        assert!(link(&look, "en").contains("privacyUrl=https%3A%2F%2Fa.example%2Fp%3Fq%3D1%26r%3D2%23top&"));
    }

    #[test]
    fn options_left_empty_are_left_out() {
        let look = OneTapLook {
            login_prefix: None,
            login_suffix: None,
            cta_prefix: None,
            cta_color: None,
            cta_text_color: None,
            button_shape: None,
            skip_option: None,
            ..OneTapLook::default()
        };
        let names: Vec<String> = params(&link(&look, "en")).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["type", "requestNonce", "partnerKey", "partnerName", "lang", "ttl"]);
    }

    #[test]
    fn page_languages_map_to_the_sheet_s_twelve_or_english() {
        for (page, sheet) in [
            ("en", "en"), ("hi", "hi"), ("hi-IN", "hi"), ("MR", "mr"), ("te_IN", "te"), ("ml", "ml"), ("ur-PK", "ur"),
            ("pa", "pa"), ("ta", "ta"), ("bn-BD", "bn"), ("kn", "kn"), ("sw-KE", "sw"), ("ar-SA", "ar"),
            ("gu", "en"), ("fr-FR", "en"), ("", "en"), ("hindi", "en"), ("e", "en"),
        ] {
            assert_eq!(sheet_language(page), sheet, "{page}");
        }
    }

    #[test]
    fn nonces_are_8_to_64_url_safe_characters() {
        assert!(valid_nonce("abcdefgh") && valid_nonce(&"a".repeat(64)) && valid_nonce("A-_z09ab"));
        for bad in ["abcdefg", &"a".repeat(65), "abc defgh", "abcdefg=", "abcdefg+", "abcdefg/", "abcdéfgh", ""] {
            assert!(!valid_nonce(bad), "{bad}");
        }
        // What the app mints.
        for _ in 0..100 {
            assert!(valid_nonce(&crate::server::clock::random_token()));
        }
    }

    #[test]
    fn colors_are_hex() {
        for ok in ["#fff", "#0069d9", "#ABCDEF"] {
            assert!(valid_color(ok), "{ok}");
        }
        for bad in ["fff", "#ffff", "#gggggg", "red", "#", "#0069d9 ", "%230069d9"] {
            assert!(!valid_color(bad), "{bad}");
        }
    }
}
