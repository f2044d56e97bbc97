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

/// Checks the running executable's bundle.
pub fn check(options: &LeptosOptions) -> Result<(), AssetsError> {
    let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_default();
    check_in(options, &exe_dir)
}

/// [`check`] with the executable's folder given (tests).
pub fn check_in(options: &LeptosOptions, exe_dir: &Path) -> Result<(), AssetsError> {
    let pkg = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    if !pkg.is_dir() {
        return Err(AssetsError::NoSite(pkg));
    }
    let output = options.output_name.as_ref();
    let hashes = if options.hash_files {
        let path = exe_dir.join(options.hash_file.as_ref());
        let text = std::fs::read_to_string(&path).map_err(|_| AssetsError::NoHashFile(path))?;
        Some(text)
    } else {
        None
    };
    let name = |kind: &str, extension: &str| {
        let hash = hashes.as_deref().and_then(|text| {
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
    for file in [name("js", "js"), wasm, name("css", "css")] {
        let path = pkg.join(&file);
        if path.is_file() {
            continue;
        }
        if hashes.is_none() {
            if let Some(found) = hashed_sibling(&pkg, output) {
                return Err(AssetsError::HashesNotEnabled { found });
            }
        }
        return Err(AssetsError::Missing(path));
    }
    Ok(())
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
    fn a_wrong_site_root_is_named() {
        let nowhere = tempfile::tempdir().unwrap();
        let error = check_in(&options(&nowhere.path().join("site"), false), nowhere.path()).unwrap_err().to_string();
        assert!(error.starts_with("LEPTOS_SITE_ROOT:"), "{error}");
    }
}
