/// The signed-in page.
pub mod account;
/// The country next to the phone number: a select, searchable once the page runs.
pub mod country_picker;
/// The sign-in flow: phone form, waiting, outcomes.
pub mod sign_in;
/// Every word the sign-in page says about a status: one table from status to screen.
pub mod screens;
