/// The signed-in page.
pub mod account;
/// The sign-in flow: phone form, waiting, outcomes.
pub mod sign_in;
