//! What only a browser can do (open the deep link, read the page's focus, wait), and nothing on
//! the server, where the page is rendered but never runs.

use crate::domain::OneTapLink;
#[cfg(feature = "hydrate")]
use leptos::prelude::{document, window};

/// Hands the deep link to the Truecaller app the way Truecaller's docs do (`window.location`).
/// In simulator mode the stand-in sheet opens in a new tab instead: a computer has no app to
/// receive the link, and the new tab takes focus as the real sheet does.
pub(super) fn open_truecaller(link: &OneTapLink) {
    #[cfg(feature = "hydrate")]
    match &link.simulated_sheet {
        Some(sheet) => {
            let _ = window().open_with_url_and_target(sheet, "_blank");
        }
        None => {
            let _ = window().location().set_href(&link.deep_link);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = link;
}

/// Whether the page still has focus (no sheet came up over it).
pub(super) fn page_has_focus() -> bool {
    #[cfg(feature = "hydrate")]
    return document().has_focus().unwrap_or(true);
    #[cfg(not(feature = "hydrate"))]
    true
}

pub(super) async fn pause(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}
