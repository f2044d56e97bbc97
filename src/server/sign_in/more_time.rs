//! "Need more time?": the person waiting for the prompt on their phone asks for longer (WCAG
//! 2.2.1: a time limit that is not essential can be extended). The wait grows a minute at a time,
//! never past the number's lock (Truecaller's 5-minute cycle, after which another prompt may go
//! to the number and this one must not still count).

use std::time::Duration;

use tracing::{info, instrument, Span};

use super::{short, Phase, SignInService};
use crate::{
    domain::{Flow, SignInStatus},
    server::{clock, error::Error, session::AuthSession, store::SignInRow},
};

/// How much longer one "Need more time?" waits.
pub const MORE_TIME: Duration = Duration::from_secs(60);
/// Less than this left to give is not worth offering.
const WORTH_OFFERING: Duration = Duration::from_secs(10);

impl SignInService {
    /// The later deadline a "Need more time?" would give `row`, if it may have one: a desktop
    /// prompt still unanswered, with time left before its number's lock ends. (One-tap's sheet
    /// was opened with a fixed `ttl`; DigiLocker keeps its own clock.)
    pub(super) fn more_time(&self, row: &SignInRow) -> Option<i64> {
        let unanswered = matches!(row.phase, Phase::Sending | Phase::Waiting);
        if row.flow != Flow::Desktop || !unanswered {
            return None;
        }
        let latest = self.lock_end(row);
        let later = (row.deadline + MORE_TIME.as_millis() as i64).min(latest);
        (later - row.deadline >= WORTH_OFFERING.as_millis() as i64).then_some(later)
    }

    /// This browser asks for more time to answer the prompt. Answers the status as it now is
    /// (unchanged when no more time can be given).
    #[instrument(skip_all, fields(sign_in = tracing::field::Empty))]
    pub async fn ask_for_more_time(&self, session: &AuthSession) -> Result<SignInStatus, Error> {
        let Some(row) = self.current(session).await? else {
            return self.signed_in_view(session).await;
        };
        Span::current().record("sign_in", short(&row.id));
        if clock::now_ms() < row.deadline {
            if let Some(later) = self.more_time(&row) {
                if self.inner.store.extend_deadline(&row.id, row.deadline, later).await? {
                    info!(added_secs = (later - row.deadline) / 1000, "wait extended");
                }
            }
        }
        Ok(self.view(&self.row(&row.id).await?))
    }
}
