//! The signed-in person as a host app sees them: who, and how strongly their identity was
//! checked. An axum extractor on the server (`server::web::user`), a server function's answer in
//! the browser (`api::current_user`).

use serde::{Deserialize, Serialize};

/// How strongly this session's sign-in checked who the person is, weakest first: a page can
/// require a level with `>=` (`user.assurance >= Assurance::GovernmentId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Assurance {
    /// Truecaller vouched that the person holds the phone with this number (they approved a
    /// prompt on it, or Android one-tap on it).
    VerifiedPhone,
    /// DigiLocker vouched from a government record (Aadhaar): name and mobile as the state holds
    /// them.
    GovernmentId,
}

/// The person this browser is signed in as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The account's id in this crate's tables: stable for as long as the account exists (a
    /// deleted account's id is never reused for another person's sign-in).
    pub account_id: i64,
    /// The name the provider gave.
    pub name: String,
    /// The verified number, masked (`+91 •••••••• 56`); empty when no way in vouched for one.
    pub phone_masked: String,
    /// How this session's sign-in checked the person.
    pub assurance: Assurance,
}
