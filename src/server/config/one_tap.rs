//! What Truecaller's Android sheet shows (`TRUECALLER_PARTNER_NAME`, the policy links, the
//! `ONE_TAP_*` options), checked.

use url::Url;

use super::{ConfigError, FileSettings};
use crate::server::providers::truecaller::deep_link::{self, OneTapLook};

/// What the Android sheet shows. An option left empty takes the default; `none` leaves it out
/// of the link (Truecaller's own default; for `ONE_TAP_SKIP_OPTION`: no footer).
pub(super) fn one_tap_look(
    file: &FileSettings,
    text: &dyn Fn(&'static str, Option<String>) -> Option<String>,
) -> Result<OneTapLook, ConfigError> {
    let defaults = OneTapLook::default();
    let invalid = |name, problem: String| ConfigError::Invalid { name, problem };
    let option = |name: &'static str, from_file: &Option<String>, default: Option<String>, color: bool| {
        let Some(raw) = text(name, from_file.clone()) else {
            return Ok(default);
        };
        let value = raw.trim().to_owned();
        if value == "none" {
            return Ok(None);
        }
        let ok = if color {
            deep_link::valid_color(&value)
        } else {
            value.len() <= 32 && value.bytes().all(|b| b.is_ascii_lowercase())
        };
        if !ok {
            let expected = if color { "a hex colour such as #0069d9" } else { "one lowercase word such as the documented values" };
            return Err(invalid(name, format!("{raw:?} is not {expected} (or none)")));
        }
        Ok(Some(value))
    };
    let policy = |name: &'static str, from_file: &Option<String>| -> Result<Option<Url>, ConfigError> {
        text(name, from_file.clone())
            .map(|raw| match Url::parse(raw.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
                _ => Err(invalid(name, format!("{raw:?} must be an http(s) URL"))),
            })
            .transpose()
    };
    let partner_name = text("TRUECALLER_PARTNER_NAME", file.truecaller_partner_name.clone())
        .map(|name| name.trim().to_owned())
        .unwrap_or(defaults.partner_name);
    if partner_name.chars().count() > 64 || partner_name.chars().any(char::is_control) {
        return Err(invalid("TRUECALLER_PARTNER_NAME", "use at most 64 printable characters".into()));
    }
    Ok(OneTapLook {
        partner_name,
        privacy_url: policy("TRUECALLER_PRIVACY_URL", &file.truecaller_privacy_url)?,
        terms_url: policy("TRUECALLER_TERMS_URL", &file.truecaller_terms_url)?,
        login_prefix: option("ONE_TAP_LOGIN_PREFIX", &file.one_tap_login_prefix, defaults.login_prefix, false)?,
        login_suffix: option("ONE_TAP_LOGIN_SUFFIX", &file.one_tap_login_suffix, defaults.login_suffix, false)?,
        cta_prefix: option("ONE_TAP_CTA_PREFIX", &file.one_tap_cta_prefix, defaults.cta_prefix, false)?,
        cta_color: option("ONE_TAP_CTA_COLOR", &file.one_tap_cta_color, defaults.cta_color, true)?,
        cta_text_color: option("ONE_TAP_CTA_TEXT_COLOR", &file.one_tap_cta_text_color, defaults.cta_text_color, true)?,
        button_shape: option("ONE_TAP_BUTTON_SHAPE", &file.one_tap_button_shape, defaults.button_shape, false)?,
        skip_option: option("ONE_TAP_SKIP_OPTION", &file.one_tap_skip_option, defaults.skip_option, false)?,
    })
}
