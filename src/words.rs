//! The page's words, on both sides: `say!(locale, key, …)`.
//!
//! The server words pages with leptos_i18n (`td_string!`, checked against `locales/*.json` when
//! it compiles). Compiled into the wasm, every language's tables and a function (and, for a
//! message with values, a builder type) per key made a fifth of the bundle, while a page only
//! ever speaks one language. So the browser gets the page language's messages as data instead:
//! the shell writes them into the page (`<script id="words">`, from `build.rs`'s `PAGE_WORDS`),
//! `hydrate` reads them before anything renders, and `say!` there fills them in with `Page`. The
//! tests below check, language by language, that `Page` says what `td_string!` says.

use std::{
    collections::HashMap,
    fmt::{self, Display},
};

use serde::Deserialize;


/// A marked part of a message (`<b>…</b>` or `<a>…</a>` in the message files) is carried in the
/// text between these two control characters, which no message contains, and split into runs by
/// `Body::marked`.
pub(crate) const STRONG_START: char = '\u{2}';
pub(crate) const STRONG_END: char = '\u{3}';

/// Renders a message's tag (pass it as `<b> = strong` or `<a> = strong` to `say!`).
pub fn strong(f: &mut fmt::Formatter<'_>, children: leptos_i18n::display::Children) -> fmt::Result {
    write!(f, "{STRONG_START}{children}{STRONG_END}")
}

/// Body text: plain runs and emphasised ones (a masked number, the name of a button).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body(pub Vec<Run>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    Plain(String),
    Strong(String),
}

impl Body {
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|run| match run {
            Run::Plain(text) | Run::Strong(text) => text.is_empty(),
        })
    }

    /// Splits a message rendered with `strong` into its plain and marked runs.
    pub fn marked(text: &str) -> Self {
        let mut runs = Vec::new();
        for (i, part) in text.split(STRONG_START).enumerate() {
            match part.split_once(STRONG_END) {
                Some((strong, plain)) if i > 0 => {
                    runs.push(Run::Strong(strong.to_owned()));
                    runs.push(Run::Plain(plain.to_owned()));
                }
                _ => runs.push(Run::Plain(part.to_owned())),
            }
        }
        runs.retain(|run| !matches!(run, Run::Plain(text) if text.is_empty()));
        Self(runs)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self(vec![Run::Plain(text)])
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

/// The text as read, without emphasis.
impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for run in &self.0 {
            match run {
                Run::Plain(text) | Run::Strong(text) => f.write_str(text)?,
            }
        }
        Ok(())
    }
}

/// The page's language, chosen once per page (English outside a page, as in unit tests). Changing
/// language reloads the page (`POST /language`), so it is a plain value, not a signal.
#[derive(Clone, Copy)]
struct PageLocale(crate::i18n::Locale);

/// The language of the page being rendered or hydrated.
pub fn page_locale() -> crate::i18n::Locale {
    leptos::prelude::use_context::<PageLocale>().map(|page| page.0).unwrap_or_default()
}

/// Sets the page's language, once per page, for [`page_locale`].
pub fn provide_page_locale(locale: crate::i18n::Locale) {
    leptos::prelude::provide_context(PageLocale(locale));
}

/// `td_string!` on the server; in the browser, the same message from the page's data.
#[cfg(feature = "ssr")]
macro_rules! say {
    ($($args:tt)*) => { ::leptos_i18n::td_string!($($args)*) };
}

/// `td_string!` on the server; in the browser, the same message from the page's data. The page
/// has one language, so `$locale` is the page's ([`page_locale`]) wherever this runs there.
#[cfg(not(feature = "ssr"))]
macro_rules! say {
    ($locale:expr, $($args:tt)*) => {{
        let _ = $locale;
        $crate::words::say_from!($crate::words::page(), $($args)*)
    }};
}

/// A message from a `Page`, in `td_string!`'s call forms: plain; with values (`name = value`,
/// or `name` for `name = name`); with its `<b>`/`<a>` marked (`<b> = strong`); plural
/// (`count = n`).
#[allow(unused_macros)]
macro_rules! say_from {
    ($page:expr, $key:ident) => {
        $page.get(stringify!($key))
    };
    // `fill` marks tags as `$mark` (`screens::strong`) does on the server.
    ($page:expr, $key:ident, <$tag:ident> = $mark:path) => {{
        let _ = $mark;
        $page.fill(stringify!($key), &[])
    }};
    ($page:expr, $key:ident, $name:ident = $value:expr, <$tag:ident> = $mark:path) => {{
        let _ = $mark;
        $page.fill(stringify!($key), &[(stringify!($name), &$value as &dyn ::core::fmt::Display)])
    }};
    ($page:expr, $key:ident, count = $count:expr) => {
        $page.count(stringify!($key), $count)
    };
    ($page:expr, $key:ident, $($name:ident = $value:expr),+) => {
        $page.fill(stringify!($key), &[$((stringify!($name), &$value as &dyn ::core::fmt::Display)),+])
    };
    ($page:expr, $key:ident, $name:ident) => {
        $crate::words::say_from!($page, $key, $name = $name)
    };
}

#[allow(unused_imports)]
pub(crate) use {say, say_from};

/// One language's messages as a page carries them (`build.rs` writes them, `<` escaped).
#[derive(Debug, Deserialize)]
pub struct Page {
    /// The language, as `<html lang>` says it.
    lang: String,
    /// Every message, as written in `locales/`, with values as `{{ name }}` and tags as `<b>…</b>`.
    messages: HashMap<String, String>,
    /// Every language's name in itself, for the language switcher.
    names: Vec<(String, String)>,
}

impl Page {
    /// The page's language (a BCP 47 tag such as `hi-IN`).
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The message as written; its key if the page has no such message (a bug the tests catch).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map_or(key, String::as_str)
    }

    /// The message with its values put in and its tags marked as `screens::strong` marks them.
    pub fn fill(&self, key: &str, values: &[(&str, &dyn Display)]) -> String {
        fill(self.get(key), values)
    }

    /// A message with a count: its plural form for `count` in the page's language (`key_one`,
    /// `key_other`, …), or the message itself if it has no plural forms.
    pub fn count(&self, key: &str, count: impl Into<i64>) -> String {
        let count = count.into();
        let form = |category: &str| self.messages.get(&format!("{key}_{category}"));
        let template = match self.messages.get(key) {
            Some(message) => message.as_str(),
            None => form(plural_category(&self.lang, count)).or_else(|| form("other")).map_or(key, String::as_str),
        };
        fill(template, &[("count", &count)])
    }

    /// `locale`'s own name for itself.
    pub fn name_of<'a>(&'a self, locale: &'a str) -> &'a str {
        self.names.iter().find(|(lang, _)| lang == locale).map_or(locale, |(_, name)| name.as_str())
    }
}

/// `{{ name }}` becomes the value named so, `<tag>` and `</tag>` become the marks around a
/// strong run; the rest is kept as written.
fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find(['{', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let value = rest.strip_prefix("{{").and_then(|r| r.split_once("}}"));
        let tag = rest.strip_prefix('<').and_then(|r| r.split_once('>')).filter(|(name, _)| {
            let name = name.strip_prefix('/').unwrap_or(name);
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if let Some((name, after)) = value {
            match values.iter().find(|(n, _)| *n == name.trim()) {
                Some((_, value)) => _ = write!(out, "{value}"),
                None => out.push_str(&rest[..rest.len() - after.len()]),
            }
            rest = after;
        } else if let Some((name, after)) = tag {
            out.push(if name.starts_with('/') { STRONG_END } else { STRONG_START });
            rest = after;
        } else {
            out.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The CLDR plural category of `count` in `lang`, as the browser's `Intl.PluralRules` says.
#[cfg(feature = "hydrate")]
fn plural_category(lang: &str, count: i64) -> &'static str {
    let rules = js_sys::Intl::PluralRules::new(&js_sys::Array::of1(&lang.into()), &js_sys::Object::new());
    match String::from(rules.select(count as f64)).as_str() {
        "zero" => "zero",
        "one" => "one",
        "two" => "two",
        "few" => "few",
        "many" => "many",
        _ => "other",
    }
}

/// Outside the browser `Page` is only tested, with the category `tests::category` gives.
#[cfg(not(feature = "hydrate"))]
fn plural_category(lang: &str, count: i64) -> &'static str {
    #[cfg(test)]
    return tests::category(lang, count);
    #[cfg(not(test))]
    {
        let _ = (lang, count);
        "other"
    }
}

/// The page's words in the browser, read once from the page (`load`).
#[cfg(not(feature = "ssr"))]
static PAGE: std::sync::OnceLock<Page> = std::sync::OnceLock::new();

/// The page's words (empty until `load`, and outside a page: keys stand in for messages).
#[cfg(not(feature = "ssr"))]
pub fn page() -> &'static Page {
    PAGE.get_or_init(|| Page { lang: "en".into(), messages: HashMap::new(), names: Vec::new() })
}

/// Reads the page's words from `<script id="words">` (before hydrating, so every view has them).
#[cfg(feature = "hydrate")]
pub fn load() {
    let text = leptos::prelude::document().get_element_by_id("words").and_then(|script| script.text_content());
    match text.as_deref().map(serde_json::from_str::<Page>) {
        Some(Ok(page)) => _ = PAGE.set(page),
        Some(Err(error)) => leptos::logging::error!("the page's words did not parse: {error}"),
        None => leptos::logging::error!("the page has no words (#words)"),
    }
}

/// `locale`'s name in itself, for the language switcher.
pub fn language_name(locale: crate::i18n::Locale) -> &'static str {
    #[cfg(feature = "ssr")]
    return ::leptos_i18n::td_string!(locale, language_name);
    #[cfg(not(feature = "ssr"))]
    return page().name_of(leptos_i18n::Locale::as_str(locale));
}

#[cfg(feature = "ssr")]
mod data {
    include!(concat!(env!("OUT_DIR"), "/i18n/words.rs"));
}

/// What `<script id="words">` holds for a page in `locale`: JSON, safe inside the element.
#[cfg(feature = "ssr")]
pub fn page_words(locale: crate::i18n::Locale) -> &'static str {
    let lang = leptos_i18n::Locale::as_str(locale);
    data::PAGE_WORDS.iter().find(|(l, _)| *l == lang).map_or("{}", |(_, json)| json)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos_i18n::{
        reexports::icu::plurals::{PluralCategory, PluralRules},
        td_string, Locale as _,
    };

    use super::*;
    use crate::i18n::Locale;

    fn page(locale: Locale) -> Page {
        let page: Page = serde_json::from_str(page_words(locale)).expect("PAGE_WORDS parses");
        assert_eq!(page.lang, locale.as_str());
        page
    }

    /// What leptos_i18n's plural rules (ICU4X, CLDR) say; the browser asks `Intl.PluralRules`.
    pub(super) fn category(lang: &str, count: i64) -> &'static str {
        let locale: Locale = lang.parse().expect("a language of ours");
        let rules = PluralRules::try_new_cardinal(locale.as_icu_locale().into()).expect("plural rules");
        match rules.category_for(count) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    #[test]
    fn every_plain_message_is_what_the_server_says() {
        macro_rules! check {
            ($($key:ident,)*) => {
                for &locale in Locale::get_all() {
                    let page = page(locale);
                    $(assert_eq!(say_from!(page, $key), td_string!(locale, $key), "{} {}", locale.as_str(), stringify!($key));)*
                }
            };
        }
        data::for_each_plain_key!(check);
    }

    /// Every call form the pages use, with values like theirs, in every language.
    #[test]
    fn every_message_with_values_is_what_the_server_says() {
        for &locale in Locale::get_all() {
            let page = page(locale);
            let name = "Asha Rao";
            macro_rules! same {
                ($($args:tt)*) => {
                    assert_eq!(say_from!(page, $($args)*), td_string!(locale, $($args)*).to_string(), "{}: {}", locale.as_str(), stringify!($($args)*));
                };
            }
            same!(country_none, query = "zz");
            same!(country_from_number, country = "India");
            same!(time_warning, seconds = 20);
            same!(time_restarted, clock = "1:30");
            same!(retry_note, clock = "0:45");
            same!(waiting_body, phone = "+91 •••••••• 99", <b> = strong);
            same!(approved_body, provider = "Truecaller");
            same!(signed_in_title, name = name);
            same!(locked_other_started, phone = "+91 •••••••• 99");
            same!(at_truecaller_body, <b> = strong);
            same!(throttle_countdown, clock = "2:00");
            same!(phone_unknown_code, code = 999);
            same!(phone_too_short_for, country = "India");
            same!(phone_too_long_for, country = "India");
            same!(phone_not_offered, country = "Kenya");
            same!(welcome_new, name);
            same!(welcome_back, name);
            same!(verified, provider = "DigiLocker");
            same!(simulator_truecaller, <a> = strong);
            same!(simulator_digilocker_who, <a> = strong);
            for count in (0_i64..=120).chain([1_000, 1_001, 100_000]) {
                same!(throttle_minutes, count = count);
                same!(sign_in_count, count = count);
            }
            assert_eq!(page.name_of(locale.as_str()), td_string!(locale, language_name));
        }
    }

    #[test]
    fn a_value_or_tag_it_does_not_know_is_kept_as_written() {
        let value: &dyn Display = &7;
        assert_eq!(fill("{{ a }} and {{b}} {{ c }}", &[("a", value), ("b", value)]), "7 and 7 {{ c }}");
        assert_eq!(fill("1 < 2 <b>x</b> {x} <", &[]), format!("1 < 2 {STRONG_START}x{STRONG_END} {{x}} <"));
        assert_eq!(fill("हिन्दी <a>लिंक</a>", &[]), format!("हिन्दी {STRONG_START}लिंक{STRONG_END}"));
    }

    #[test]
    fn the_words_cannot_end_their_script_element() {
        for &locale in Locale::get_all() {
            assert!(!page_words(locale).contains('<'), "{}", locale.as_str());
        }
    }
}
