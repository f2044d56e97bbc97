//! Android one-tap: no number is typed. The browser opens Truecaller's sheet with a deep link
//! carrying a nonce we mint for this browser's attempt; Truecaller's callback brings it back as
//! `requestId`, which is how the attempt is found (there is no `state` in this flow).

use std::{net::IpAddr, time::Duration};

use tracing::{field::Empty, info, instrument, Span};

use super::{short, Event, Phase, SignInService};
use crate::{
    domain::{Flow, OneTapLink, Provider},
    server::{
        clock,
        providers::truecaller::deep_link::DeepLink,
        error::Error,
        session::AuthSession,
        store::{Changes, NewSignIn, SignInRow, Start},
    },
};

/// The sheet's `ttl` ends this much before our own deadline (at most a quarter of the wait), so a
/// Continue in the sheet's last moment still reaches us in time (the callback is asynchronous).
const TTL_MARGIN: Duration = Duration::from_secs(5);
/// A tap again reopens the same attempt only while this much of its wait is left; otherwise it
/// starts afresh, so the sheet never opens with next to no time.
const REUSE_AT_LEAST: Duration = Duration::from_secs(15);

impl SignInService {
    /// The browser at `client` tapped "Continue with Truecaller": an attempt bound to this
    /// browser's session and the deep link that opens the sheet for it. A tap while this
    /// browser's one-tap attempt still waits (with time to spare) opens the same one again.
    #[instrument(skip_all, fields(sign_in = Empty))]
    pub async fn start_one_tap(&self, session: &AuthSession, client: IpAddr, page_language: &str) -> Result<OneTapLink, Error> {
        let s = &self.inner;
        let admitted = self.admit(session, client).await?;
        let reusable = |row: &SignInRow| {
            let left = row.deadline - clock::now_ms();
            row.flow == Flow::OneTap && row.phase == Phase::Waiting && left >= REUSE_AT_LEAST.as_millis() as i64
        };
        if let Some(current) = self.leave_current(session, reusable).await? {
            return self.link_for(&current, page_language);
        }
        let id = clock::random_token();
        Span::current().record("sign_in", short(&id));
        let nonce = clock::random_token();
        let deadline = clock::now_ms() + s.settings.signin_timeout.as_millis() as i64;
        let new = NewSignIn {
            id: &id,
            flow: Flow::OneTap,
            browser: &admitted.browser,
            number: None,
            state_hash: None,
            provider_ref: Some(&nonce),
            deadline,
        };
        let Start::Started(sending) = s.store.start(&new, |_| None::<()>).await? else {
            return Err(Error::Corrupt("a sign-in without a number was locked or throttled"));
        };
        super::started(Provider::Truecaller, "one_tap");
        session.begin(&admitted.key, &id, &crate::server::throttle::network_of(client)).await?;
        // There is no request to send: handing out the link is the request.
        self.apply(&sending, Event::Sent, Changes::default()).await?;
        info!("one-tap link issued");
        Ok(self.one_tap_link(&nonce, deadline, page_language))
    }

    /// The link that opens the sheet for a one-tap attempt.
    pub(super) fn link_for(&self, row: &SignInRow, page_language: &str) -> Result<OneTapLink, Error> {
        let nonce = row.provider_ref.as_deref().ok_or(Error::Corrupt("one-tap sign-in without its nonce"))?;
        Ok(self.one_tap_link(nonce, row.deadline, page_language))
    }

    /// The deep link for `nonce`, valid a little less long than our own wait; in simulator mode
    /// also the stand-in sheet that plays the Truecaller app.
    fn one_tap_link(&self, nonce: &str, deadline: i64, page_language: &str) -> OneTapLink {
        let s = &self.inner;
        let left = Duration::from_millis((deadline - clock::now_ms()).max(0) as u64);
        let ttl = left.saturating_sub(TTL_MARGIN.min(left / 4));
        let deep_link =
            DeepLink { look: &s.settings.one_tap, app_key: s.truecaller.app_key(), nonce, page_language, ttl }.build();
        let simulated_sheet = s.settings.simulated_sheet.as_ref().map(|sheet| {
            let query = deep_link.split_once('?').map_or("", |(_, query)| query);
            format!("{}?{query}", sheet.path())
        });
        OneTapLink { deep_link, simulated_sheet }
    }
}
