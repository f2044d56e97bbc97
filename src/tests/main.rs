//! Integration tests: the real server, in-process, against the simulator over real HTTP.
//! One module per journey; every negative test ends by checking that nobody was signed in.

mod helpers;

mod callback_abuse;
mod cross_site;
mod hostile_input;
mod provider_answers;
mod sign_in_flow;
mod throttles;
