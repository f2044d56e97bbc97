//! Compiles `locales/*.json` into the `i18n` module (`src/lib.rs` includes it): one `Locale`
//! per language, and a compile error for a key the code uses that English lacks.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// Truecaller's sheet languages (external-apis.md 2.3), English first as the fallback.
const LOCALES: &[&str] = &["hi", "mr", "te", "ml", "ur", "pa", "ta", "bn", "kn", "sw", "ar"];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
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
    translations.generate_i18n_module(out)?;
    Ok(())
}
