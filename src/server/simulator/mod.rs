//! Stand-ins for the providers, mounted at `/simulator` when no keys are configured: one folder
//! per provider, each serving the provider's endpoints with its status codes, bodies and token
//! lifetimes, plus the pages where a person (or a test) answers. State lives in memory.

mod digilocker;
mod truecaller;

pub use digilocker::{
    DigiLockerPerson, DobShape, EmailShape, SandboxSimulator, SessionView, DIGILOCKER_PERSONS,
    DIGILOCKER_SESSION_TTL, SANDBOX_SIM_KEY, SANDBOX_SIM_SECRET, SANDBOX_TOKEN_TTL,
};
pub use truecaller::{
    Answer, Behaviour, Prompt, Sheet, SheetAnswer, Simulator, APP_KEY, SEEDED, TOKEN_TTL,
};
