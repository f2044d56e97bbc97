//! Where the person is signed in: a device is recorded when a session signs in, checked on each
//! request that asks who is signed in, listed on the account page, and signed out from there.
//! Its row is what keeps a session signed in, on every instance (`store::devices`).

use tracing::info;

use super::SignInService;
use crate::{
    domain::Provider,
    user::{Assurance, CurrentUser},
    page_data::{DeviceView, KeptFor, WayInUse, YourData},
    server::{
        clock,
        error::Error,
        phone::PhoneNumber,
        session::{remove_records, AuthSession, SignedInAs},
        store::{AccountRow, DeviceRow, NewDevice},
    },
};

/// The account a session is signed in to, as the device it is signed in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub account_id: i64,
    pub device: String,
    /// The way in this session signed in with, when known.
    pub way_in: Option<Provider>,
}

impl SignInService {
    /// The account this session is signed in to: `None` when it is not, or when its device was
    /// signed out from elsewhere or its account deleted (then the session ends here too). A
    /// session signed in before devices were recorded is recorded now.
    pub async fn signed_in(&self, session: &AuthSession) -> Result<Option<SignedIn>, Error> {
        let Some(account_id) = session.account_id().await? else {
            return Ok(None);
        };
        let Some(device) = session.device().await? else {
            let adopted = session.adopt_device().await?;
            let signed_in_at = session.signed_in_at().await?;
            self.record_device(session, account_id, &adopted, None, signed_in_at).await?;
            return Ok(Some(SignedIn { account_id, device: adopted.device, way_in: None }));
        };
        match self.inner.store.seen(&device, account_id, clock::now_ms()).await? {
            None => {
                session.sign_out().await?;
                Ok(None)
            }
            Some(seen) => {
                if seen.moved {
                    session.used().await?;
                }
                Ok(Some(SignedIn { account_id, device, way_in: Provider::parse(&seen.provider) }))
            }
        }
    }

    /// The person this session is signed in as, for a host app (`server::web::user`): `None`
    /// when it is signed in to no account (or no longer: as [`Self::signed_in`]).
    pub async fn current_user(&self, session: &AuthSession) -> Result<Option<CurrentUser>, Error> {
        let Some((me, account)) = self.signed_in_to(session).await? else {
            return Ok(None);
        };
        Ok(Some(user(me.account_id, &account, me.way_in)))
    }

    /// [`Self::signed_in`] with the account's row. An account gone meanwhile (deleted from
    /// another device) ends the session here: the same answer wherever a page or the API asks.
    pub(super) async fn signed_in_to(&self, session: &AuthSession) -> Result<Option<(SignedIn, AccountRow)>, Error> {
        let Some(me) = self.signed_in(session).await? else {
            return Ok(None);
        };
        match self.inner.store.account(me.account_id).await? {
            Some(account) => Ok(Some((me, account))),
            None => {
                self.sign_out(session).await?;
                Ok(None)
            }
        }
    }

    /// Records the device a session just signed in as (`AuthSession::sign_in`).
    pub(super) async fn record_device(
        &self,
        session: &AuthSession,
        account_id: i64,
        signed: &SignedInAs,
        way_in: Option<Provider>,
        now: i64,
    ) -> Result<(), Error> {
        let (browser, platform) = browser_and_platform(session.user_agent());
        let device = NewDevice {
            id: &signed.device,
            account_id,
            session_id: &signed.session_id,
            browser: &browser,
            platform: &platform,
            network: &signed.network,
            provider: way_in.map_or("", Provider::as_str),
            now,
        };
        Ok(self.inner.store.add_device(&device, signed.replacing.as_deref()).await?)
    }

    /// What the account pages show: the account, its devices, its ways in, and how long things
    /// are kept. `None` when the session is signed in to no account.
    pub async fn your_data(&self, session: &AuthSession) -> Result<Option<YourData>, Error> {
        let Some((me, account)) = self.signed_in_to(session).await? else {
            return Ok(None);
        };
        let store = &self.inner.store;
        let account = super::account_view(account, session.new_account().await?);
        let devices = store.devices(me.account_id).await?.into_iter().map(|row| device_view(row, &me.device)).collect();
        let ways_in = store
            .ways_in(me.account_id)
            .await?
            .into_iter()
            .map(|(provider, last_used)| WayInUse { provider, last_used: utc(last_used) })
            .collect();
        let keep = &self.inner.settings.retention;
        let kept = KeptFor {
            device_idle_minutes: (keep.idle_devices.as_secs() / 60) as u32,
            sign_ins_hours: (keep.sign_ins.as_secs() / 3600) as u32,
            audit_days: (keep.audit.as_secs() / 86_400) as u32,
            idle_account_days: keep.idle_accounts.map(|idle| (idle.as_secs() / 86_400) as u32),
        };
        Ok(Some(YourData { account, devices, ways_in, kept }))
    }

    /// Signs out one of the account's other devices (`Some(id)`), or all of them (`None`); this
    /// one stays. Each is signed out on its next request, on whichever instance it lands.
    /// Returns how many were. A device not of this account is not touched.
    pub async fn sign_out_devices(&self, session: &AuthSession, only: Option<&str>) -> Result<usize, Error> {
        let Some(me) = self.signed_in(session).await? else {
            return Ok(0);
        };
        let sessions = self.inner.store.remove_devices(me.account_id, only, Some(&me.device)).await?;
        remove_records(&self.inner.sessions, &sessions).await;
        if !sessions.is_empty() {
            info!(account = me.account_id, devices = sessions.len(), "signed out from another device");
        }
        Ok(sessions.len())
    }

    /// Signs this session out, and its device off the list.
    pub async fn sign_out(&self, session: &AuthSession) -> Result<(), Error> {
        if let (Some(account_id), Some(device)) = (session.account_id().await?, session.device().await?) {
            self.inner.store.remove_devices(account_id, Some(&device), None).await?;
        }
        Ok(session.sign_out().await?)
    }

    /// Ends the sessions `ids` (those of an account that is gone).
    pub(super) async fn end_sessions(&self, ids: &[String]) {
        remove_records(&self.inner.sessions, ids).await;
    }
}

/// The person signed in to `account`, checked as `way_in` checks (unknown: the weakest).
pub(super) fn user(account_id: i64, account: &AccountRow, way_in: Option<Provider>) -> CurrentUser {
    let assurance = match way_in {
        Some(Provider::DigiLocker) => Assurance::GovernmentId,
        Some(Provider::Truecaller) | None => Assurance::VerifiedPhone,
    };
    let phone_masked = account.phone.as_deref().and_then(PhoneNumber::from_stored).map(|p| p.masked()).unwrap_or_default();
    CurrentUser { account_id, name: account.name.clone(), phone_masked, assurance }
}

fn device_view(row: DeviceRow, this_device: &str) -> DeviceView {
    DeviceView {
        this_device: row.id == this_device,
        id: row.id,
        browser: row.browser,
        platform: row.platform,
        network: row.network,
        way_in: Provider::parse(&row.provider),
        signed_in: utc(row.signed_in_at),
        last_seen: utc(row.last_seen_at),
    }
}

/// `2026-12-07 14:05 UTC`: a moment said the same in every language.
fn utc(unix_ms: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix_ms.div_euclid(1000)) else {
        return String::new();
    };
    format!("{}-{:02}-{:02} {:02}:{:02} UTC", at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute())
}

/// The browser's and the platform's names in a `User-Agent` (`Chrome`, `Android`), empty where
/// it names none the parser knows, or names a program that is not a browser (an HTTP library).
fn browser_and_platform(user_agent: &str) -> (String, String) {
    let browser = |found: &woothee::parser::WootheeResult| matches!(found.category, "pc" | "smartphone" | "mobilephone" | "appliance");
    let Some(found) = woothee::parser::Parser::new().parse(user_agent).filter(browser) else {
        return (String::new(), String::new());
    };
    let known = |name: &str| if name == woothee::woothee::VALUE_UNKNOWN { String::new() } else { name.to_owned() };
    (known(found.name), known(found.os))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_agent_names_a_browser_and_a_platform() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.33 Mobile Safari/537.36";
        assert_eq!(browser_and_platform(pixel), ("Chrome".into(), "Android".into()));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_and_platform(iphone), ("Safari".into(), "iPhone".into()));
        assert_eq!(browser_and_platform(""), (String::new(), String::new()));
        assert_eq!(browser_and_platform("curl/8.5.0"), (String::new(), String::new()));
    }

    #[test]
    fn moments_are_said_in_utc_to_the_minute() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_796_652_345_678), "2026-12-07 14:05 UTC");
    }
}
