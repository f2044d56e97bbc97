//! Keyed hashes of phone numbers (and of client addresses, for the shared rate limits). Locks, throttles, audit events and logs refer to a number by
//! its HMAC under a per-deployment key: a plain hash of a phone number is reversed by trying all
//! ten billion numbers of a country, an HMAC is not without the key.

use std::sync::Arc;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::phone::PhoneNumber;

#[derive(Clone)]
pub struct NumberKeys {
    key: Arc<[u8]>,
}

impl NumberKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self { key: secret.into() }
    }

    fn mac(&self, phone: &PhoneNumber) -> [u8; 32] {
        self.mac_of(phone.digits().as_bytes())
    }

    fn mac_of(&self, bytes: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(bytes);
        mac.finalize().into_bytes().into()
    }

    /// What the shared per-client counters key an address's bucket by (`throttle::bucket_name`):
    /// the database never holds a client's address. Prefixed so it can never equal a number's key.
    pub fn client(&self, bucket: &str) -> String {
        URL_SAFE_NO_PAD.encode(&self.mac_of(format!("client:{bucket}").as_bytes())[..16])
    }

    /// What the database keys the number by (128 bits, base64url).
    pub fn key(&self, phone: &PhoneNumber) -> String {
        URL_SAFE_NO_PAD.encode(&self.mac(phone)[..16])
    }

    /// A short tag to follow one number through logs and the audit trail (48 bits, hex).
    pub fn tag(&self, phone: &PhoneNumber) -> String {
        self.mac(phone)[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for NumberKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NumberKeys(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::country;

    #[test]
    fn keys_depend_on_the_secret_and_hide_the_number() {
        let phone = PhoneNumber::parse("+46 76 012 34 56", country::Id::IN).unwrap();
        let (a, b) = (NumberKeys::new(b"one secret"), NumberKeys::new(b"another secret"));
        assert_eq!(a.key(&phone), a.key(&phone));
        assert_ne!(a.key(&phone), b.key(&phone));
        assert_eq!(a.key(&phone).len(), 22);
        assert_eq!(a.tag(&phone).len(), 12);
        assert!(!a.key(&phone).contains("760123") && !a.tag(&phone).contains("760123"));
        assert!(!format!("{a:?}").contains("one secret"));
    }
}
