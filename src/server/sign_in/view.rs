//! What the browser is told about a sign-in.

use super::{Phase, SignInService};
use crate::{
    domain::{AccountView, FailureReason, Flow, SignInStatus},
    server::{
        clock,
        phone::PhoneNumber,
        store::{AccountRow, SignInRow},
    },
};

impl SignInService {
    /// DigiLocker has screens of its own for waiting, denial and expiry, and one-tap for the
    /// sheet; every other phase reads the same whoever vouched (an approval, a failure with its
    /// reason, signed in).
    /// What the browser is told about `row`, with a one-tap wait's sheet in English. Every caller
    /// but `status` (which uses [`Self::view_in`]) answers a typed number, never a one-tap row.
    pub(super) fn view(&self, row: &SignInRow) -> SignInStatus {
        self.view_in(row, "en")
    }

    /// `lang`: the page's language, for the sheet a one-tap wait may open again (the deep link's
    /// `lang`); only one-tap views use it.
    pub(super) fn view_in(&self, row: &SignInRow, lang: &str) -> SignInStatus {
        let now = clock::now_ms();
        let masked = || row.phone.as_deref().and_then(PhoneNumber::from_stored).map(|p| p.masked()).unwrap_or_default();
        let seconds_left = clock::seconds_until(row.deadline, now);
        let after_lock = || clock::seconds_until(self.lock_end(row), now);
        match (row.flow, row.phase) {
            (Flow::DigiLocker, Phase::Sending | Phase::Waiting) => SignInStatus::AtDigiLocker { seconds_left },
            (Flow::DigiLocker, Phase::Rejected) => SignInStatus::DigiLockerDenied,
            (Flow::DigiLocker, Phase::TimedOut) => SignInStatus::DigiLockerExpired,
            // The server stopped while asking Sandbox for a session: DigiLocker's trouble to show.
            (Flow::DigiLocker, Phase::Failed(FailureReason::ProviderUnavailable)) => {
                SignInStatus::Failed { reason: FailureReason::DigiLockerUnavailable }
            }
            (Flow::OneTap, Phase::Sending | Phase::Waiting) => {
                let open = self.link_for(row, lang).map(|l| l.simulated_sheet.unwrap_or(l.deep_link));
                SignInStatus::AtTruecaller { seconds_left, open: open.unwrap_or_default() }
            }
            (_, Phase::Sending | Phase::Waiting) => {
                SignInStatus::Waiting { phone: masked(), seconds_left, more_time: self.more_time(row).is_some() }
            }
            (_, Phase::Fetching | Phase::Approved) => SignInStatus::Approved { phone: masked(), provider: row.provider() },
            (_, Phase::Rejected) => SignInStatus::Rejected,
            (_, Phase::ChoseAnotherWay) => SignInStatus::ChoseAnotherWay,
            (_, Phase::TimedOut) => SignInStatus::TimedOut { retry_in_secs: after_lock() },
            (_, Phase::ApprovedLate) => SignInStatus::ApprovedTooLate,
            (_, Phase::Superseded) => SignInStatus::Superseded { retry_in_secs: after_lock() },
            (_, Phase::NotUser) => SignInStatus::NotTruecallerUser,
            (_, Phase::Failed(reason)) => SignInStatus::Failed { reason },
            (_, Phase::Completed | Phase::Cancelled) => SignInStatus::Idle,
        }
    }
}

/// What the account page shows of `account`. `new_account`: this sign-in created it. The number
/// is masked like everywhere else on our pages: they are shown on screens others may see.
pub fn account_view(account: AccountRow, new_account: bool) -> AccountView {
    let phone = account.phone.as_deref().and_then(PhoneNumber::from_stored).map(|p| p.masked());
    AccountView {
        name: account.name,
        phone: phone.unwrap_or_default(),
        ways_in: account.providers,
        details: account.details,
        avatar_url: account.avatar_url,
        new_account,
        sign_in_count: account.sign_in_count,
    }
}
