//! How a domain value is said, in the page's language: a throttle, a refused number, an error the
//! browser was given. The same words on the server (in English, for logs and JSON clients) as on
//! the page (in the person's language).

use crate::{
    countries::Region,
    domain::{PhoneProblem, Throttle},
    error::ApiError,
    i18n::Locale,
    words::say,
};

/// Why a request for a prompt was refused for now.
pub fn throttle_reason(cause: Throttle, locale: Locale) -> &'static str {
    match cause {
        Throttle::TooManyAttempts => say!(locale, throttle_too_many),
        Throttle::RecentlyDeclined => say!(locale, throttle_declined),
    }
}

/// The phone form's notice, with the time left as it ticks.
pub fn throttle_countdown(cause: Throttle, locale: Locale, left: u32) -> String {
    format!("{} {}", throttle_reason(cause, locale), say!(locale, throttle_countdown, clock = clock(left)))
}

/// The whole refusal in whole minutes (`ApiError`'s message; pages without JavaScript show it).
pub fn throttle_message(cause: Throttle, locale: Locale, retry_in_secs: u32) -> String {
    let minutes = retry_in_secs.div_ceil(60).max(1);
    format!("{} {}", throttle_reason(cause, locale), say!(locale, throttle_minutes, count = minutes))
}

/// Why a typed number was refused, and what to do about it. `name` words a country in
/// `locale` (the page has its picker's list; the server's English has CLDR's).
pub fn phone_problem(problem: PhoneProblem, locale: Locale, name: &dyn Fn(Region) -> String) -> String {
    match problem {
        PhoneProblem::Empty => say!(locale, phone_empty).to_owned(),
        PhoneProblem::BadCharacters => say!(locale, phone_bad_characters).to_owned(),
        PhoneProblem::TooShort => say!(locale, phone_too_short).to_owned(),
        PhoneProblem::TooLong => say!(locale, phone_too_long).to_owned(),
        PhoneProblem::Invalid => say!(locale, phone_invalid).to_owned(),
        PhoneProblem::NotMobile => say!(locale, phone_not_mobile).to_owned(),
        PhoneProblem::UnknownCode(code) => say!(locale, phone_unknown_code, code = code).to_string(),
        PhoneProblem::TooShortFor(region) => say!(locale, phone_too_short_for, country = name(region)).to_string(),
        PhoneProblem::TooLongFor(region) => say!(locale, phone_too_long_for, country = name(region)).to_string(),
        PhoneProblem::NotOffered(region) => say!(locale, phone_not_offered, country = name(region)).to_string(),
    }
}

/// `m:ss`, in Western digits in every language (as Truecaller's own screens show times).
pub fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// In English, for logs and JSON clients; pages word it in their own language.
impl std::fmt::Display for PhoneProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&phone_problem(*self, Locale::en, &english_name))
    }
}

/// A country's English name for the English wording (the server has the names; the browser,
/// which words reasons with its own list, falls back to the code).
fn english_name(region: Region) -> String {
    #[cfg(feature = "ssr")]
    return crate::server::countries::name(region, "en");
    #[cfg(not(feature = "ssr"))]
    region.to_string()
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

impl ApiError {
    /// What a person reads, in `locale` (countries by their code; the sign-in page names them
    /// with `message_naming`).
    pub fn message(&self, locale: Locale) -> String {
        self.message_naming(locale, &|region| region.to_string())
    }

    /// What a person reads, in `locale`, with countries worded by `name`.
    pub fn message_naming(&self, locale: Locale, name: &dyn Fn(crate::countries::Region) -> String) -> String {
        match self {
            Self::InvalidPhone(problem) => phone_problem(*problem, locale, name),
            Self::Internal => say!(locale, error_internal).to_owned(),
            Self::Throttled { cause, retry_in_secs } => throttle_message(*cause, locale, *retry_in_secs),
            Self::Transport(_) => say!(locale, error_transport).to_owned(),
        }
    }
}
