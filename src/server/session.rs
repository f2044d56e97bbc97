//! The browser's session, with intent-named methods; no other code touches session keys.

use tower_sessions::Session;

use super::clock;

const ACCOUNT: &str = "account_id";
const NEW_ACCOUNT: &str = "new_account";
const SIGN_IN: &str = "sign_in_id";
const BROWSER: &str = "browser_key";
const FEEDBACK: &str = "form_feedback";

pub type SessionError = tower_sessions::session::Error;

pub struct AuthSession(Session);

impl AuthSession {
    pub fn new(session: Session) -> Self {
        Self(session)
    }

    pub async fn account_id(&self) -> Result<Option<i64>, SessionError> {
        self.0.get(ACCOUNT).await
    }

    pub async fn new_account(&self) -> Result<bool, SessionError> {
        Ok(self.0.get(NEW_ACCOUNT).await?.unwrap_or(false))
    }

    /// The sign-in this browser started and has not finished.
    pub async fn sign_in_id(&self) -> Result<Option<String>, SessionError> {
        self.0.get(SIGN_IN).await
    }

    pub async fn set_sign_in_id(&self, id: &str) -> Result<(), SessionError> {
        self.0.insert(SIGN_IN, id).await
    }

    pub async fn clear_sign_in_id(&self) -> Result<(), SessionError> {
        self.0.remove::<String>(SIGN_IN).await.map(drop)
    }

    /// A random key that identifies this browser to its sign-ins; stored hashed on their rows.
    /// Created on first use, which is the first `initiate`: merely viewing a page stores nothing.
    pub async fn browser_key(&self) -> Result<String, SessionError> {
        if let Some(key) = self.existing_browser_key().await? {
            return Ok(key);
        }
        let key = clock::random_token();
        self.0.insert(BROWSER, &key).await?;
        Ok(key)
    }

    pub async fn existing_browser_key(&self) -> Result<Option<String>, SessionError> {
        self.0.get(BROWSER).await
    }

    /// Keeps a refused number and the reason for the next page view (plain form posts).
    pub async fn set_feedback(&self, feedback: &crate::domain::FormFeedback) -> Result<(), SessionError> {
        self.0.insert(FEEDBACK, feedback).await
    }

    /// The feedback left by the last form post, once.
    pub async fn take_feedback(&self) -> Result<Option<crate::domain::FormFeedback>, SessionError> {
        self.0.remove(FEEDBACK).await
    }

    /// Signs the browser in: a fresh session id (no fixation), the account, nothing pending.
    pub async fn sign_in(&self, account_id: i64, new_account: bool) -> Result<(), SessionError> {
        self.0.cycle_id().await?;
        self.0.insert(ACCOUNT, account_id).await?;
        self.0.insert(NEW_ACCOUNT, new_account).await?;
        self.clear_sign_in_id().await
    }

    /// Ends the session: its record is deleted from the store and the cookie is cleared.
    pub async fn sign_out(&self) -> Result<(), SessionError> {
        self.0.flush().await
    }
}
