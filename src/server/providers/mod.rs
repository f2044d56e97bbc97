//! The providers' HTTP clients, below the sign-in rules: Truecaller (`truecaller`: prompts,
//! profiles, the one-tap deep link) and Sandbox (`sandbox`: DigiLocker sessions, its token), and
//! what both need from HTTP (`http`).

/// One HTTP client's settings for every provider, bounded reads, log-safe errors.
pub mod http;
/// Sandbox (DigiLocker KYC) HTTP client.
#[cfg(feature = "digilocker")]
pub mod sandbox;
/// Truecaller HTTP client.
pub mod truecaller;
