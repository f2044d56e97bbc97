//! The person's data under the person's control: a copy of it to download, and deleting the
//! account at their request.

use std::net::IpAddr;

use tracing::info;

use super::{audit::Audit, AccountEvent, SignInService};
use crate::{
    server::{error::Error, phone::PhoneNumber, session::AuthSession, store::AccountExport},
    user::CurrentUser,
};

impl SignInService {
    /// Everything kept about the signed-in person's account (`Store::export_account`); `None`
    /// when nobody is signed in.
    pub async fn account_data(&self, user: Option<&CurrentUser>) -> Result<Option<AccountExport>, Error> {
        let Some(user) = user else {
            return Ok(None);
        };
        Ok(self.inner.store.export_account(user.account_id).await?)
    }

    /// The signed-in person deletes their account: the account, its identities and the number in
    /// every finished sign-in started with it go (`Store::delete_account`), this session is signed out, and
    /// every other session of the account is ended (its record removed; one in flight finds its
    /// device gone on its next request).
    /// Limited like a sign-in. `false` if the session was signed in to no account.
    pub async fn delete_account(&self, session: &AuthSession, client: IpAddr) -> Result<bool, Error> {
        self.admit(session, client).await?;
        let Some(account_id) = self.signed_in(session).await?.map(|me| me.account_id) else {
            return Ok(false);
        };
        let number = self.inner.store.account(account_id).await?.and_then(|a| a.phone).and_then(|d| PhoneNumber::from_stored(&d));
        let key = number.as_ref().map(|n| self.inner.keys.key(n));
        let sessions = self.inner.store.delete_account(account_id, key.as_deref()).await?;
        let deleted = sessions.is_some();
        if let Some(sessions) = sessions {
            self.end_sessions(&sessions).await;
            let tag = number.as_ref().map(|n| self.inner.keys.tag(n));
            self.audit(None, Audit::AccountDeleted { tag: tag.as_deref() }).await?;
            info!(account = account_id, "account deleted at the person's request");
            self.tell(|| AccountEvent::Removed { account_id }).await;
        }
        session.sign_out().await?;
        Ok(deleted)
    }
}
