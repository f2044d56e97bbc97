//! Integration tests: the real server, in-process, against the simulator over real HTTP.
//! One module per journey; every negative test ends by checking that nobody was signed in.

mod support;

mod callback_abuse;
mod connections;
mod countries;
mod cross_site;
mod devices;
mod digilocker_flow;
mod erasure;
mod host_api;
mod host_router;
mod hostile_input;
mod inbox;
mod languages;
mod instances;
mod more_time;
mod one_tap_flow;
mod operations;
mod provider_answers;
mod retention;
mod sandbox_client;
mod sign_in_flow;
mod throttles;
