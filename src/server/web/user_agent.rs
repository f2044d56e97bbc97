//! Which browsers lead with Android one-tap. Truecaller's mobile-web SDK works only in Android
//! browsers; production integrations enable it only in Chrome and Samsung Internet, never in an
//! Android WebView or an in-app browser, where the deep link cannot open the Truecaller app
//! (external-apis.md 2.1). Everyone else gets the phone form, which works everywhere.

/// Whether a browser sending this `User-Agent` is offered one-tap.
pub fn offers_one_tap(user_agent: &str) -> bool {
    if !user_agent.contains("Android") {
        return false;
    }
    // `; wv)`: Android System WebView. `Version/4.0 Chrome/`: the older WebView form.
    let webview = user_agent.contains("; wv)") || (user_agent.contains("Version/") && user_agent.contains("Chrome/"));
    // Apps that show pages in their own WebView-based browsers, and other Chromium browsers.
    const NOT_CHROME: &[&str] = &[
        "FBAN", "FBAV", "Instagram", "Line/", "Snapchat", "GSA/", "OPR/", "EdgA/", "YaBrowser", "UCBrowser",
        "MiuiBrowser", "HeyTapBrowser", "Firefox/",
    ];
    if webview {
        return false;
    }
    if user_agent.contains("SamsungBrowser/") {
        return true;
    }
    user_agent.contains("Chrome/") && !NOT_CHROME.iter().any(|marker| user_agent.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_and_samsung_internet_on_android_lead_with_one_tap() {
        for ua in [
            // Playwright's Pixel 7 profile.
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.33 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            // A tablet: no "Mobile", still Android.
            "Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        ] {
            assert!(offers_one_tap(ua), "{ua}");
        }
    }

    #[test]
    fn webviews_in_app_browsers_and_everything_else_get_the_form() {
        for ua in [
            "Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/UQ1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 13; SM-A536E Build/TP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/441.0.0.33.113;]",
            "Mozilla/5.0 (Linux; Android 12; Pixel 6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 Instagram 312.0.0.32.112 Android",
            "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 OPR/79.0.0.0",
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.0.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "",
        ] {
            assert!(!offers_one_tap(ua), "{ua}");
        }
    }
}
