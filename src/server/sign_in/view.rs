//! What the browser is told about a sign-in.

use super::{Phase, SignInService};
use crate::{
    domain::SignInStatus,
    server::{clock, phone::PhoneNumber, store::SignInRow},
};

impl SignInService {
    pub(super) fn view(&self, row: &SignInRow) -> SignInStatus {
        let now = clock::now_ms();
        let masked = || row.phone.as_deref().and_then(PhoneNumber::from_stored).map(|p| p.masked()).unwrap_or_default();
        match row.phase {
            Phase::Sending | Phase::Waiting => {
                SignInStatus::Waiting { phone: masked(), seconds_left: clock::seconds_until(row.deadline, now) }
            }
            Phase::Fetching | Phase::Approved => SignInStatus::Approved { phone: masked() },
            Phase::Rejected => SignInStatus::Rejected,
            Phase::TimedOut => SignInStatus::TimedOut { retry_in_secs: clock::seconds_until(self.lock_end(row), now) },
            Phase::ApprovedLate => SignInStatus::ApprovedTooLate,
            Phase::Superseded => SignInStatus::Superseded { retry_in_secs: clock::seconds_until(self.lock_end(row), now) },
            Phase::NotUser => SignInStatus::NotTruecallerUser,
            Phase::Failed(reason) => SignInStatus::Failed { reason },
            Phase::Completed | Phase::Cancelled => SignInStatus::Idle,
        }
    }
}
