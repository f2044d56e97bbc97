//! Wall-clock time as Unix milliseconds (what the database stores) and random identifiers.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// 128 random bits from the OS-seeded CSPRNG, base64url (22 characters): fit for `state`, our
/// sign-in ids and Truecaller's 8–64 character `requestNonce`.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// SHA-256, base64url: how we store values we only ever need to compare (state, browser keys).
pub fn digest(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(value.as_bytes()))
}

/// Whole seconds from `now` until `until`, never negative, rounded up so a countdown never
/// shows 0 while time remains.
pub fn seconds_until(until: i64, now: i64) -> u32 {
    let ms = (until - now).max(0);
    u32::try_from((ms + 999) / 1000).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_url_safe() {
        let tokens: std::collections::HashSet<String> = (0..1000).map(|_| random_token()).collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens.iter().all(|t| t.len() == 22 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')));
    }

    #[test]
    fn countdowns_round_up_and_stop_at_zero() {
        assert_eq!(seconds_until(10_000, 0), 10);
        assert_eq!(seconds_until(10_001, 0), 11);
        assert_eq!(seconds_until(1, 0), 1);
        assert_eq!(seconds_until(0, 5), 0);
    }
}
