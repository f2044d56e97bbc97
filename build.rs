//! Compiles `locales/*.json` into the `i18n` module (`src/lib.rs` includes it): one `Locale`
//! per language, and a compile error for a key the code uses that English lacks. Also writes
//! `words.rs`: each language's messages as the data a page hands its browser (`words`).

use std::{collections::BTreeMap, error::Error, fs, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// Truecaller's sheet languages (external-apis.md 2.3), English first as the fallback.
const LOCALES: &[&str] = &["hi", "mr", "te", "ml", "ur", "pa", "ta", "bn", "kn", "sw", "ar"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    // `sqlx::migrate!` embeds migrations/ at compile time: a new migration must rebuild the crate.
    println!("cargo::rerun-if-changed=migrations");
    // `I18N_LOCALES=en` builds English alone: only for measuring what the other languages cost
    // in the bundle (`benches/sizes.sh`, BENCHMARKS.md); the app and its tests want them all.
    println!("cargo::rerun-if-env-changed=I18N_LOCALES");
    let only = std::env::var("I18N_LOCALES").ok();
    let wanted = |locale: &str| only.as_deref().is_none_or(|list| list.split(',').any(|l| l.trim() == locale));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?).join("i18n");
    // `interpolate_display`: `td_string!` with values, for the screen table (plain strings).
    let mut config = Config::new("en")?.parse_options(ParseOptions::default().interpolate_display(true));
    for locale in LOCALES.iter().filter(|l| wanted(l)) {
        config = config.add_locale(locale)?;
    }
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.clone())?;
    let locales: Vec<&str> = ["en"].iter().chain(LOCALES).copied().filter(|l| *l == "en" || wanted(l)).collect();
    fs::write(out.join("words.rs"), page_words(&locales)?)?;
    Ok(())
}

type Messages = BTreeMap<String, String>;

fn messages(locale: &str) -> Result<Messages, Box<dyn Error>> {
    Ok(serde_json::from_str(&fs::read_to_string(format!("locales/{locale}.json"))?)?)
}

/// `PAGE_WORDS`: per language, the JSON a page carries for the browser (`words::Page`): its
/// messages as written in `locales/` (a key a language lacks in English, as leptos_i18n falls
/// back), and every language's own name for the switcher (there only, not among the messages).
/// `<` is escaped, so the JSON can sit in a `<script>` element. `for_each_plain_key!` names the
/// messages with no values, plural forms or tags, whose text is the message as written (the test
/// that the browser says what the server says walks them).
fn page_words(locales: &[&str]) -> Result<String, Box<dyn Error>> {
    let english = messages("en")?;
    let names: Vec<(&str, String)> = locales
        .iter()
        .map(|locale| Ok((*locale, messages(locale)?.remove("language_name").ok_or("language_name missing")?)))
        .collect::<Result<_, Box<dyn Error>>>()?;
    let mut out = String::from("pub(crate) const PAGE_WORDS: &[(&str, &str)] = &[\n");
    for locale in locales {
        let mut own = messages(locale)?;
        // Carried once, in `names`.
        own.remove("language_name");
        for (key, text) in &english {
            // A language's plural forms are its own (Arabic has six); the rest fall back.
            if !plural_form(&english, key) && !own.contains_key(key) && key != "language_name" {
                own.insert(key.clone(), text.clone());
            }
        }
        let json = serde_json::json!({ "lang": locale, "messages": own, "names": names }).to_string();
        out += &format!("    ({locale:?}, {:?}),\n", json.replace('<', "\\u003c"));
    }
    out += "];\n\n#[allow(unused_macros)]\nmacro_rules! for_each_plain_key {\n    ($m:ident) => { $m!(";
    for (key, text) in &english {
        if !text.contains("{{") && !text.contains('<') && !plural_form(&english, key) && key != "language_name" {
            out += &format!("{key}, ");
        }
    }
    out += "); };\n}\n#[allow(unused_imports)]\npub(crate) use for_each_plain_key;\n";
    Ok(out)
}

/// `throttle_minutes_one` is a plural form (of `throttle_minutes`); `throttle_too_many` is not.
fn plural_form(english: &Messages, key: &str) -> bool {
    ["_zero", "_one", "_two", "_few", "_many", "_other"]
        .iter()
        .filter_map(|suffix| key.strip_suffix(suffix))
        .any(|base| english.contains_key(&format!("{base}_other")))
}
