//! The DigiLocker steps of a build without DigiLocker (no `digilocker` Cargo feature): the
//! sign-in page offers none, so the only DigiLocker sign-ins are ones a build that had it left
//! in the database. Nobody asks Sandbox about them: they wait out their deadline, and one
//! already approved fails as unavailable.

use super::{complete::FetchLease, Event, SignInService};
use crate::{
    domain::FailureReason,
    server::{
        error::Error,
        store::{Changes, SignInRow},
    },
};

/// When Sandbox was last asked about each sign-in: never, in this build.
#[derive(Default)]
pub(super) struct SandboxAsks;

impl SandboxAsks {
    pub(super) fn forget_idle(&self) {}
}

impl SignInService {
    /// Nothing to ask: the sign-in stays as it is until its deadline.
    pub(super) async fn check_digilocker(&self, row: SignInRow) -> Result<SignInRow, Error> {
        Ok(row)
    }

    /// No Sandbox to fetch the profile from: the sign-in fails, and its browser is told so.
    pub(super) async fn complete_digilocker(&self, row: &SignInRow, _lease: &FetchLease) -> Result<(), Error> {
        self.apply(row, Event::ProfileFailed(FailureReason::DigiLockerUnavailable), Changes::default()).await?;
        Ok(())
    }
}
