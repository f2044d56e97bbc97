//! What a page knows of the deployment serving it: where the sign-in's pages are mounted in the
//! host's app, and what runs against a simulator. The server has it from its settings
//! (`server::setup`) and writes it into the page (`components::SignInData`); hydration reads it
//! back (`load`), so both sides render the same links.

use serde::{Deserialize, Serialize};

/// Where the host mounts the sign-in's pages (each a path of the host's own app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPaths {
    /// The sign-in page (`components::SignIn`); where every sign-in form comes back to.
    pub sign_in: String,
    /// The account page (`components::Account`), with its deletion page at `…/delete`.
    pub account: String,
    /// Where a completed sign-in goes, unless the sign-in page was given `?next=` (a path of
    /// this site).
    pub after_sign_in: String,
}

impl Default for SignInPaths {
    /// This app's own layout: sign in at `/`, the account at `/account`.
    fn default() -> Self {
        Self { sign_in: "/".into(), account: "/account".into(), after_sign_in: "/account".into() }
    }
}

impl SignInPaths {
    /// The account deletion page.
    pub fn delete_account(&self) -> String {
        format!("{}/delete", self.account.trim_end_matches('/'))
    }

    /// The sign-in page with `query` (`deleted`, `with=number`).
    pub fn sign_in_with(&self, query: &str) -> String {
        format!("{}?{query}", self.sign_in)
    }

    /// The problem with a path a host gave, if any: it must be a path of this site.
    pub fn problem(path: &str) -> Option<&'static str> {
        if !local(path) {
            Some("must be a path of this site, starting with a single /")
        } else {
            None
        }
    }
}

/// Whether `path` stays on this site: one leading `/`, not `//` or `/\` (which browsers read as
/// another host), no scheme and nothing a browser would strip.
pub fn local(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The deployment as a page sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Where the host mounts the sign-in's pages.
    pub paths: SignInPaths,
    /// What runs against a simulator: `truecaller`, `digilocker`, both (space-separated) or
    /// neither, and `demo` on a public demo.
    pub simulated: String,
}

/// The deployment serving this page: on the server from the request's context (the sign-in's
/// `context()`), in the browser as the server wrote it.
pub fn site() -> Site {
    #[cfg(not(feature = "hydrate"))]
    return leptos::prelude::use_context::<Site>().unwrap_or_default();
    #[cfg(feature = "hydrate")]
    return LOADED.get().cloned().unwrap_or_default();
}

#[cfg(feature = "hydrate")]
static LOADED: std::sync::OnceLock<Site> = std::sync::OnceLock::new();

/// The id of the element holding the site in the page.
pub(crate) const ELEMENT: &str = "signin-site";

/// Reads what the server wrote (`<script id="signin-site">`), before hydrating.
#[cfg(feature = "hydrate")]
pub(crate) fn load() {
    let text = leptos::prelude::document().get_element_by_id(ELEMENT).and_then(|script| script.text_content());
    match text.as_deref().map(serde_json::from_str::<Site>) {
        Some(Ok(site)) => _ = LOADED.set(site),
        Some(Err(error)) => leptos::logging::error!("the page's sign-in settings did not parse: {error}"),
        None => leptos::logging::error!("the page has no sign-in settings (#{ELEMENT})"),
    }
}

/// The site as JSON safe inside a `<script>` element (no `<` to end it early).
pub(crate) fn json(site: &Site) -> String {
    serde_json::to_string(site).unwrap_or_default().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_local() {
        for path in ["/", "/orders", "/a/b?c=d#e"] {
            assert!(local(path), "{path}");
        }
        for path in ["", "orders", "//evil.example", "/\\evil.example", "https://evil.example", "/a b", "/a\nb"] {
            assert!(!local(path), "{path}");
        }
    }

    #[test]
    fn the_site_is_written_so_no_script_ends_early() {
        let site = Site { paths: SignInPaths { after_sign_in: "/</script><script>".into(), ..Default::default() }, simulated: String::new() };
        let written = json(&site);
        assert!(!written.contains('<'), "{written}");
        assert_eq!(serde_json::from_str::<Site>(&written).unwrap(), site);
    }

    #[test]
    fn the_deletion_page_is_under_the_account_page() {
        let paths = SignInPaths { account: "/me/".into(), ..Default::default() };
        assert_eq!(paths.delete_account(), "/me/delete");
        assert_eq!(SignInPaths::default().delete_account(), "/account/delete");
        assert_eq!(SignInPaths::default().sign_in_with("deleted"), "/?deleted");
    }
}
