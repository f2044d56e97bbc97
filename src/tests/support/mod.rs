//! What the integration tests share, by concern: the app in-process (`app`), its database
//! (`database`), the simulators as a test drives them (`simulator`, `digilocker`), a browser
//! (`browser`) and waiting on a condition (`waiting`).

pub mod app;
pub mod browser;
pub mod database;
pub mod digilocker;
pub mod simulator;
pub mod waiting;

pub use app::{app_with_standalone_sim, database_bytes, spawn_app, spawn_app_on, spawn_app_heard, try_spawn_app_on, TestApp};
pub use browser::{shown, Browser, SignedInAs};
pub use database::{on_postgres, scratch_database};
pub use simulator::{StandaloneSim, Tripwire};
pub use waiting::{callbacks_recorded, eventually, free_port};
