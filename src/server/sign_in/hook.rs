//! What a host app hears of the people who sign in: one call per completed sign-in (who, and how
//! they were checked: to link them to the host's own user table) and one per account removed
//! (deleted by the person, or after a deployment's idle period: to remove what the host keeps).

use std::{future::Future, pin::Pin, sync::Arc};

use crate::{domain::Provider, user::CurrentUser};

/// Something that happened to an account, as a host app is told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountEvent {
    /// A browser was signed in: once per completed sign-in, after the session holds it.
    SignedIn {
        user: CurrentUser,
        /// The way in that vouched this time.
        provider: Provider,
        /// This sign-in created the account.
        new_account: bool,
    },
    /// The account is gone (the person deleted it, or it was idle past the deployment's period);
    /// its id is never given to anyone else.
    Removed { account_id: i64 },
}

/// The host's handler: awaited where the event happens (a slow one delays that sign-in's answer,
/// so a host with slow work hands it off).
pub type OnAccountEvent = Arc<dyn Fn(AccountEvent) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;
