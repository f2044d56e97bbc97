/// The signed-in page.
pub mod account;
/// The sign-in flow: phone form, waiting, outcomes.
pub mod sign_in;
/// Every word the sign-in page says about a status: one table from status to screen.
pub mod screens;
