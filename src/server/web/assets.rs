//! The release binary's start-up check that the page's bundle (JS, wasm, CSS) is where the page
//! will ask for it. Without it a misconfigured deployment serves a page whose assets all answer
//! 404: no styles, no hydration, no push completion, and nothing in the logs says why.
//!
//! The names are worked out as Leptos works them out when it renders the page: `output_name`
//! under `site_root/site_pkg_dir`, with the content hashes from `hash.txt` beside the executable
//! when `hash_files` is on.

use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

/// A bundle file the page would ask for is not there; the message names the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error(
        "LEPTOS_SITE_ROOT: no bundle at {0} (build it with `cargo leptos build --release`, copy target/site \
         beside the binary, and point LEPTOS_SITE_ROOT at it)"
    )]
    NoSite(PathBuf),
    #[error(
        "LEPTOS_HASH_FILES: the bundle's file names carry content hashes ({found}) but LEPTOS_HASH_FILES is not \
         true: set LEPTOS_HASH_FILES=true and keep hash.txt beside the binary"
    )]
    HashesNotEnabled { found: String },
    #[error(
        "LEPTOS_HASH_FILES is true but {0} is missing: copy the hash.txt cargo-leptos wrote beside the binary \
         (target/release/hash.txt) next to it"
    )]
    NoHashFile(PathBuf),
    #[error("LEPTOS_OUTPUT_NAME / LEPTOS_SITE_ROOT: the page would load {0}, which does not exist")]
    Missing(PathBuf),
}

/// The bundle's file names under `/{site_pkg_dir}/`, as the page asks for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub js: String,
    pub wasm: String,
    pub css: String,
}

/// Checks the running executable's bundle.
pub fn check(options: &LeptosOptions) -> Result<(), AssetsError> {
    check_in(options, &exe_dir())
}

fn exe_dir() -> PathBuf {
    std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_default()
}

/// [`check`] with the executable's folder given (tests).
pub fn check_in(options: &LeptosOptions, exe_dir: &Path) -> Result<(), AssetsError> {
    let pkg = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    if !pkg.is_dir() {
        return Err(AssetsError::NoSite(pkg));
    }
    let bundle = names(options, exe_dir)?;
    for file in [bundle.js, bundle.wasm, bundle.css] {
        let path = pkg.join(&file);
        if path.is_file() {
            continue;
        }
        if !options.hash_files {
            if let Some(found) = hashed_sibling(&pkg, options.output_name.as_ref()) {
                return Err(AssetsError::HashesNotEnabled { found });
            }
        }
        return Err(AssetsError::Missing(path));
    }
    Ok(())
}

/// The names of the bundle's files, with the content hashes from `hash.txt` when `hash_files`.
fn names(options: &LeptosOptions, exe_dir: &Path) -> Result<Bundle, AssetsError> {
    let hashes = if options.hash_files {
        let path = exe_dir.join(options.hash_file.as_ref());
        Some(std::fs::read_to_string(&path).map_err(|_| AssetsError::NoHashFile(path))?)
    } else {
        None
    };
    Ok(named(options.output_name.as_ref(), hashes.as_deref()))
}

/// `hashes`: the text of `hash.txt` (`js: …` lines), when the names carry them.
fn named(output: &str, hashes: Option<&str>) -> Bundle {
    let name = |kind: &str, extension: &str| {
        let hash = hashes.and_then(|text| {
            text.lines().filter_map(|line| line.trim().split_once(':')).find(|(k, _)| k.trim() == kind).map(|(_, h)| h.trim())
        });
        match hash {
            Some(hash) => format!("{output}.{hash}.{extension}"),
            None => format!("{output}.{extension}"),
        }
    };
    // As Leptos names it: `_bg` only for a build cargo-leptos did not make (unhashed).
    let plain_bg = hashes.is_none() && option_env!("LEPTOS_OUTPUT_NAME").is_none();
    let wasm = if plain_bg { format!("{output}_bg.wasm") } else { name("wasm", "wasm") };
    Bundle { js: name("js", "js"), wasm, css: name("css", "css") }
}

/// The page's script that loads the bundle and hydrates, worked out once per process.
///
/// It replaces Leptos' `HydrationScripts`, whose `<link rel=preload>` hints start the wasm
/// alongside the CSS, so on a slow connection the first paint waits for the bundle (BENCHMARKS.md,
/// the Lighthouse rows, has the figures with and without it). The
/// form works without the wasm (it posts), so here nothing is fetched until the page has loaded
/// and the browser is idle (at most a second later); then the JS module is imported and the wasm
/// streamed and compiled, and the page hydrates in a task of its own (so starting the module and
/// hydrating are two shorter tasks rather than one long one that would block a tap).
pub fn loader(options: &LeptosOptions) -> &'static str {
    static LOADER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LOADER.get_or_init(|| {
        // The release binary's start-up check refuses a bundle it cannot find; without a hash
        // file (tests) the names are unhashed, as Leptos would name them.
        let bundle = names(options, &exe_dir()).unwrap_or_else(|_| named(options.output_name.as_ref(), None));
        let pkg = format!("/{}", options.site_pkg_dir);
        loader_script(&format!("{pkg}/{}", bundle.js), &format!("{pkg}/{}", bundle.wasm))
    })
}

fn loader_script(js: &str, wasm: &str) -> String {
    // A person who submits the form before the bundle has arrived (it works without it) leaves the
    // page while the import or the wasm is in flight; the browser aborts them, and that is no
    // error. Any other failure is rethrown, so it still reaches the console.
    // Written without `<`, `>` or `&`, and the paths are JSON strings, so nothing here can end the
    // script element early.
    let quoted = |path: &str| serde_json::json!(path).to_string().replace('<', "\\u003c");
    let (js, wasm) = (quoted(js), quoted(wasm));
    format!(
        "(function (js, wasm) {{\
         var leaving = false;\
         addEventListener('beforeunload', function () {{ leaving = true; }});\
         addEventListener('pagehide', function () {{ leaving = true; }});\
         addEventListener('pageshow', function () {{ leaving = false; }});\
         var hydrate = function () {{ import(js).then(function (m) {{ return m.default({{ module_or_path: wasm }}).then(function () {{ setTimeout(m.hydrate, 0); }}); }}).catch(function (e) {{ if (!leaving) {{ throw e; }} }}); }};\
         var idle = function () {{ if ('requestIdleCallback' in window) {{ requestIdleCallback(hydrate, {{ timeout: 1000 }}); }} else {{ setTimeout(hydrate, 1); }} }};\
         if (document.readyState === 'complete') {{ idle(); }} else {{ addEventListener('load', idle, {{ once: true }}); }}\
         }})({js}, {wasm});"
    )
}

/// A `{output}.{hash}.js` in the bundle folder, when there is one.
fn hashed_sibling(pkg: &Path, output: &str) -> Option<String> {
    std::fs::read_dir(pkg).ok()?.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).find(|name| {
        name.strip_prefix(output)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| rest.ends_with(".js") && rest.len() > ".js".len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(site: &Path, hash_files: bool) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("app")
            .site_root(site.to_string_lossy().into_owned())
            .hash_files(hash_files)
            .build()
    }

    fn touch(dir: &Path, names: &[&str]) {
        std::fs::create_dir_all(dir).unwrap();
        for name in names {
            std::fs::write(dir.join(name), "x").unwrap();
        }
    }

    #[test]
    fn an_unhashed_bundle_is_found() {
        let site = tempfile::tempdir().unwrap();
        touch(&site.path().join("pkg"), &["app.js", "app.wasm", "app_bg.wasm", "app.css"]);
        assert!(check_in(&options(site.path(), false), site.path()).is_ok());
    }

    #[test]
    fn a_hashed_bundle_needs_hash_files_and_its_hash_txt() {
        let site = tempfile::tempdir().unwrap();
        touch(&site.path().join("pkg"), &["app.Ab1.js", "app.Cd2.wasm", "app.Ef3.css"]);
        let exe = tempfile::tempdir().unwrap();
        // The documented settings missing: says which.
        let error = check_in(&options(site.path(), false), exe.path()).unwrap_err().to_string();
        assert!(error.starts_with("LEPTOS_HASH_FILES:") && error.contains("app.Ab1.js"), "{error}");
        let error = check_in(&options(site.path(), true), exe.path()).unwrap_err().to_string();
        assert!(error.contains("hash.txt") && error.starts_with("LEPTOS_HASH_FILES is true"), "{error}");
        std::fs::write(exe.path().join("hash.txt"), "js: Ab1\nwasm: Cd2\ncss: Ef3\n").unwrap();
        assert!(check_in(&options(site.path(), true), exe.path()).is_ok());
        // A hash file from another build.
        std::fs::write(exe.path().join("hash.txt"), "js: Zz9\nwasm: Cd2\ncss: Ef3\n").unwrap();
        let error = check_in(&options(site.path(), true), exe.path()).unwrap_err().to_string();
        assert!(error.contains("app.Zz9.js"), "{error}");
    }

    #[test]
    fn the_loader_fetches_nothing_until_the_page_has_loaded() {
        let script = loader_script("/pkg/app.Ab1.js", "/pkg/app.Cd2.wasm");
        assert!(script.ends_with(r#"})("/pkg/app.Ab1.js", "/pkg/app.Cd2.wasm");"#), "{script}");
        assert!(script.contains("addEventListener('load', idle"), "{script}");
        // Leaving mid-import is quiet; any other failure is rethrown.
        assert!(script.contains(".catch(function (e) { if (!leaving) { throw e; } })"), "{script}");
        assert!(!script.contains(['<', '>', '&']), "nothing that could end or confuse the element: {script}");
        let hostile = loader_script("/pkg/</script><script>x", "/pkg/a.wasm");
        assert!(!hostile.contains('<'), "{hostile}");
    }

    #[test]
    fn a_wrong_site_root_is_named() {
        let nowhere = tempfile::tempdir().unwrap();
        let error = check_in(&options(&nowhere.path().join("site"), false), nowhere.path()).unwrap_err().to_string();
        assert!(error.starts_with("LEPTOS_SITE_ROOT:"), "{error}");
    }
}

/// `GET /truecaller-signin.css`: the sign-in's stylesheet for a host's pages. Kept a year when
/// asked for by its current hash (`components::stylesheet_href`), else revalidated.
pub async fn stylesheet(uri: axum::http::Uri) -> impl axum::response::IntoResponse {
    use axum::http::header;
    use crate::components::{STYLESHEET, STYLESHEET_HASH};
    let current = uri.query() == Some(format!("v={STYLESHEET_HASH:016x}").as_str());
    let cache = if current { "public, max-age=31536000, immutable" } else { "no-cache" };
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, cache)], STYLESHEET)
}
