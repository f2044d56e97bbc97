//! What Truecaller's Android sheet shows (`TRUECALLER_PARTNER_NAME`, the policy links, the
//! `ONE_TAP_*` options), checked.

use url::Url;

use super::{source::Source, ConfigError};
use crate::server::providers::truecaller::deep_link::{self, OneTapLook};

/// What the Android sheet shows. An option left empty takes the default; `none` leaves it out
/// of the link (Truecaller's own default; for `ONE_TAP_SKIP_OPTION`: no footer).
pub(super) fn one_tap_look(source: &Source) -> Result<OneTapLook, ConfigError> {
    let defaults = OneTapLook::default();
    let invalid = |name, problem: String| ConfigError::Invalid { name, problem };
    let option = |name: &'static str, default: Option<String>, color: bool| {
        let Some(raw) = source.text(name)? else {
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
    let policy = |name: &'static str| -> Result<Option<Url>, ConfigError> {
        source
            .text(name)?
            .map(|raw| match Url::parse(raw.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
                _ => Err(invalid(name, format!("{raw:?} must be an http(s) URL"))),
            })
            .transpose()
    };
    let partner_name =
        source.text("TRUECALLER_PARTNER_NAME")?.map(|name| name.trim().to_owned()).unwrap_or(defaults.partner_name);
    if partner_name.chars().count() > 64 || partner_name.chars().any(char::is_control) {
        return Err(invalid("TRUECALLER_PARTNER_NAME", "use at most 64 printable characters".into()));
    }
    Ok(OneTapLook {
        partner_name,
        privacy_url: policy("TRUECALLER_PRIVACY_URL")?,
        terms_url: policy("TRUECALLER_TERMS_URL")?,
        login_prefix: option("ONE_TAP_LOGIN_PREFIX", defaults.login_prefix, false)?,
        login_suffix: option("ONE_TAP_LOGIN_SUFFIX", defaults.login_suffix, false)?,
        cta_prefix: option("ONE_TAP_CTA_PREFIX", defaults.cta_prefix, false)?,
        cta_color: option("ONE_TAP_CTA_COLOR", defaults.cta_color, true)?,
        cta_text_color: option("ONE_TAP_CTA_TEXT_COLOR", defaults.cta_text_color, true)?,
        button_shape: option("ONE_TAP_BUTTON_SHAPE", defaults.button_shape, false)?,
        skip_option: option("ONE_TAP_SKIP_OPTION", defaults.skip_option, false)?,
    })
}

/// The options set to a word Truecaller is not known to support: the app starts, and says so.
pub(super) fn warnings(look: &OneTapLook) -> Vec<String> {
    let options = [
        ("ONE_TAP_LOGIN_PREFIX", &look.login_prefix, deep_link::LOGIN_PREFIXES),
        ("ONE_TAP_LOGIN_SUFFIX", &look.login_suffix, deep_link::LOGIN_SUFFIXES),
        ("ONE_TAP_CTA_PREFIX", &look.cta_prefix, deep_link::CTA_PREFIXES),
        ("ONE_TAP_BUTTON_SHAPE", &look.button_shape, deep_link::BUTTON_SHAPES),
        ("ONE_TAP_SKIP_OPTION", &look.skip_option, deep_link::SKIP_OPTIONS),
    ];
    options
        .into_iter()
        .filter_map(|(name, value, known)| {
            let value = value.as_deref().filter(|v| !known.contains(v))?;
            Some(format!(
                "{name} is {value:?}, which Truecaller is not known to support (known: {}): the sheet may show its default text",
                known.join(", ")
            ))
        })
        .collect()
}
