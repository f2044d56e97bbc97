//! The browser's session, with intent-named methods; no other code touches session keys.

use tower_sessions::Session;

use super::clock;

const ACCOUNT: &str = "account_id";
const NEW_ACCOUNT: &str = "new_account";
const SIGN_IN: &str = "sign_in_id";
const BROWSER: &str = "browser_key";
const SIGNED_IN_AT: &str = "signed_in_at";
const CONSENT_URL: &str = "consent_url";
/// Where a DigiLocker sign-in goes once done (the sign-in page's `?next=`), across the trip there.
const RETURN_TO: &str = "return_to";
/// Where the sign-in under way started (a network, `throttle::network_of`), until it signs in.
const STARTED_FROM: &str = "started_from";
/// The device this session is signed in as (`store::devices`).
const DEVICE: &str = "device_id";
/// When the session was last seen, rewritten once a minute so the session store's idle expiry
/// (which moves only when the session changes) follows use, not sign-in.
const SEEN_AT: &str = "seen_at";

/// A `User-Agent` longer than this is cut: it only names a browser.
const MAX_USER_AGENT: usize = 512;

/// However active a session is, it ends this long after sign-in (NIST AAL2 ceiling: 24 h);
/// the idle limit is the session layer's expiry.
pub const ABSOLUTE_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

pub type SessionError = tower_sessions::session::Error;

/// The session store's records, beside the layer: where sessions signed out from another device
/// are removed.
pub type SessionRecords = std::sync::Arc<dyn tower_sessions::SessionStore>;

/// Removes the records of the sessions `ids` (those of devices signed out elsewhere). Their
/// devices are already gone, which alone signs them out on their next request; this only keeps
/// their records from lying about until they expire. Best effort, then.
pub async fn remove_records(records: &SessionRecords, ids: &[String]) {
    for id in ids {
        let Ok(id) = id.parse::<tower_sessions::session::Id>() else { continue };
        if let Err(e) = records.delete(&id).await {
            tracing::warn!(error = %e, "could not remove a signed-out session's record");
        }
    }
}

/// The sign-in a stored session record waits on and the browser key that owns it, read without
/// the session layer (a held status request parks before any layer runs; see `hold`). `None`
/// for an expired record or one with no sign-in under way.
pub fn waiting_on(record: &tower_sessions::session::Record) -> Option<(String, String)> {
    if record.expiry_date <= time::OffsetDateTime::now_utc() {
        return None;
    }
    let text = |key: &str| record.data.get(key)?.as_str().map(str::to_owned);
    Some((text(SIGN_IN)?, text(BROWSER)?))
}

pub struct AuthSession {
    session: Session,
    /// The browser's `User-Agent`, named on the device it signs in as.
    user_agent: String,
}

/// A session that has just signed in, as the device list records it.
pub struct SignedInAs {
    /// The device's new id.
    pub device: String,
    /// The device this session was signed in as until now, if any.
    pub replacing: Option<String>,
    /// The session store's id for this session.
    pub session_id: String,
    /// Where the sign-in started; empty when not known.
    pub network: String,
}

/// Handlers take the browser's session as this, from the session layer (refused as the layer's
/// own extractor refuses: 500, the layer is missing).
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AuthSession {
    type Rejection = <Session as axum::extract::FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let user_agent = parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let cut = user_agent.char_indices().nth(MAX_USER_AGENT).map_or(user_agent.len(), |(at, _)| at);
        Ok(Self { session, user_agent: user_agent[..cut].to_owned() })
    }
}

impl AuthSession {
    /// The signed-in account, unless the session outlived its absolute lifetime (then it ends).
    pub async fn account_id(&self) -> Result<Option<i64>, SessionError> {
        let Some(account) = self.session.get::<i64>(ACCOUNT).await? else {
            return Ok(None);
        };
        let signed_in_at = self.session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
        if expired(signed_in_at, clock::now_ms()) {
            self.sign_out().await?;
            return Ok(None);
        }
        Ok(Some(account))
    }

    pub async fn new_account(&self) -> Result<bool, SessionError> {
        Ok(self.session.get(NEW_ACCOUNT).await?.unwrap_or(false))
    }

    /// The sign-in this browser started and has not finished.
    pub async fn sign_in_id(&self) -> Result<Option<String>, SessionError> {
        self.session.get(SIGN_IN).await
    }

    pub async fn set_sign_in_id(&self, id: &str) -> Result<(), SessionError> {
        self.session.insert(SIGN_IN, id).await
    }

    pub async fn clear_sign_in_id(&self) -> Result<(), SessionError> {
        self.session.remove::<String>(SIGN_IN).await.map(drop)
    }

    /// A sign-in started in this browser: `browser_key` (a random key that identifies this
    /// browser to its sign-ins, stored hashed on their rows) and the sign-in are kept. Until a
    /// sign-in starts, nothing is: viewing pages and refused attempts store no session.
    /// `network` is where it started from (`throttle::network_of`), for the device list.
    pub async fn begin(&self, browser_key: &str, sign_in_id: &str, network: &str) -> Result<(), SessionError> {
        if self.existing_browser_key().await?.as_deref() != Some(browser_key) {
            self.session.insert(BROWSER, browser_key).await?;
        }
        self.session.insert(STARTED_FROM, network).await?;
        self.set_sign_in_id(sign_in_id).await
    }

    pub async fn existing_browser_key(&self) -> Result<Option<String>, SessionError> {
        self.session.get(BROWSER).await
    }

    /// DigiLocker's consent page for the sign-in just started, until the browser is sent there.
    pub async fn set_consent_url(&self, url: &url::Url) -> Result<(), SessionError> {
        self.session.insert(CONSENT_URL, url.as_str()).await
    }

    /// The sign-in page's `?next=` (a path of this site, checked by the caller) for a DigiLocker
    /// sign-in just started; none forgets an earlier one.
    pub async fn set_return_to(&self, next: Option<&str>) -> Result<(), SessionError> {
        match next {
            Some(next) => self.session.insert(RETURN_TO, next).await,
            None => self.session.remove::<String>(RETURN_TO).await.map(drop),
        }
    }

    /// Where the DigiLocker sign-in was going, once.
    pub async fn take_return_to(&self) -> Result<Option<String>, SessionError> {
        self.session.remove::<String>(RETURN_TO).await
    }

    /// The consent page to send the browser to, once.
    pub async fn take_consent_url(&self) -> Result<Option<url::Url>, SessionError> {
        Ok(self.session.remove::<String>(CONSENT_URL).await?.and_then(|raw| url::Url::parse(&raw).ok()))
    }

    /// Signs the browser in: a fresh session id (no fixation), the account, a new device id,
    /// nothing pending. The session is saved at once, so its new id is known to the device list.
    pub async fn sign_in(&self, account_id: i64, new_account: bool) -> Result<SignedInAs, SessionError> {
        let replacing = self.device().await?;
        self.session.cycle_id().await?;
        self.session.insert(ACCOUNT, account_id).await?;
        self.session.insert(NEW_ACCOUNT, new_account).await?;
        self.session.insert(SIGNED_IN_AT, clock::now_ms()).await?;
        let device = clock::random_token();
        self.session.insert(DEVICE, &device).await?;
        let network = self.session.remove::<String>(STARTED_FROM).await?.unwrap_or_default();
        self.clear_sign_in_id().await?;
        Ok(SignedInAs { device, replacing, session_id: self.saved_id().await?, network })
    }

    /// The device this session is signed in as.
    pub async fn device(&self) -> Result<Option<String>, SessionError> {
        self.session.get(DEVICE).await
    }

    /// Names a device for a session signed in before sessions had one (an instance of an older
    /// version signed it in): it is listed from now on, with where it started unknown.
    pub async fn adopt_device(&self) -> Result<SignedInAs, SessionError> {
        let device = clock::random_token();
        self.session.insert(DEVICE, &device).await?;
        Ok(SignedInAs { device, replacing: None, session_id: self.saved_id().await?, network: String::new() })
    }

    /// When the session signed in (Unix ms).
    pub async fn signed_in_at(&self) -> Result<i64, SessionError> {
        Ok(self.session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0))
    }

    /// The session was used: a change, so the session layer saves it and its idle expiry starts
    /// again (called once a minute at most, with the device's last-seen time).
    pub async fn used(&self) -> Result<(), SessionError> {
        self.session.insert(SEEN_AT, clock::now_ms()).await
    }

    /// The browser's `User-Agent`, as sent (cut to a sane length).
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Saves the session now and answers its id (a new session has none until it is saved).
    async fn saved_id(&self) -> Result<String, SessionError> {
        self.session.save().await?;
        Ok(self.session.id().map(|id| id.to_string()).unwrap_or_default())
    }

    /// Ends the session: its record is deleted from the store and the cookie is cleared.
    pub async fn sign_out(&self) -> Result<(), SessionError> {
        self.session.flush().await
    }
}

fn expired(signed_in_at: i64, now: i64) -> bool {
    now - signed_in_at >= ABSOLUTE_LIFETIME_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_a_day_after_sign_in_however_active() {
        let signed_in = 1_000_000;
        assert!(!expired(signed_in, signed_in));
        assert!(!expired(signed_in, signed_in + ABSOLUTE_LIFETIME_MS - 1));
        assert!(expired(signed_in, signed_in + ABSOLUTE_LIFETIME_MS));
        // A session signed in before this rule existed has no time stamp: treat it as expired.
        assert!(expired(0, signed_in + ABSOLUTE_LIFETIME_MS));
    }

    #[test]
    fn a_held_request_waits_only_on_a_live_record_naming_a_sign_in_and_its_browser() {
        let record = |pairs: &[(&str, &str)], expires_in: time::Duration| tower_sessions::session::Record {
            id: Default::default(),
            data: pairs.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(*v))).collect(),
            expiry_date: time::OffsetDateTime::now_utc() + expires_in,
        };
        let minute = time::Duration::minutes(1);
        let both = [(SIGN_IN, "s1"), (BROWSER, "k1")];
        assert_eq!(waiting_on(&record(&both, minute)), Some(("s1".into(), "k1".into())));
        assert_eq!(waiting_on(&record(&both, -minute)), None, "expired");
        assert_eq!(waiting_on(&record(&[(SIGN_IN, "s1")], minute)), None, "no browser key");
        assert_eq!(waiting_on(&record(&[(BROWSER, "k1")], minute)), None, "no sign-in");
    }
}
