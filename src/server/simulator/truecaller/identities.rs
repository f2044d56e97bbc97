//! The people the simulator knows. Each seeded number shows one behaviour of Truecaller's API;
//! any other valid number is a generic user, so every number typed "has" Truecaller.

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Approving returns this profile.
    User,
    /// `POST /v1/apps/requests` answers 403 / 1008.
    NotUser,
    /// `POST /v1/apps/requests` answers 500.
    Outage,
    /// The profile fetch fails with 503 this many times before it succeeds.
    FlakyProfile(u32),
    /// The approving profile holds a different number than the one prompted.
    OtherNumber,
}

pub struct SeededNumber {
    /// E.164 digits without `+`.
    pub phone: &'static str,
    pub label: &'static str,
    pub behaviour: Behaviour,
}

pub const SEEDED: &[SeededNumber] = &[
    SeededNumber { phone: "919999999999", label: "Rajat Kapoor: full profile (2018 sample, numbers as strings)", behaviour: Behaviour::User },
    SeededNumber { phone: "46760123456", label: "Astrid Lindqvist: 2017 desktop shape (numbers as JSON numbers, onlineIdentity), an avatar", behaviour: Behaviour::User },
    SeededNumber { phone: "447400123456", label: "Alex Morgan: minimal profile (name and number only)", behaviour: Behaviour::User },
    SeededNumber { phone: "919876500001", label: "Not a Truecaller user (403, code 1008)", behaviour: Behaviour::NotUser },
    SeededNumber { phone: "919876500002", label: "Truecaller outage (500 on the request)", behaviour: Behaviour::Outage },
    SeededNumber { phone: "919876500003", label: "Profile fetch fails twice with 503, then succeeds", behaviour: Behaviour::FlakyProfile(2) },
    SeededNumber { phone: "919876500004", label: "Approval comes from an account holding another number", behaviour: Behaviour::OtherNumber },
];

pub fn behaviour(phone: &str) -> Behaviour {
    SEEDED.iter().find(|i| i.phone == phone).map_or(Behaviour::User, |i| i.behaviour)
}

/// The profile JSON Truecaller would return for the holder of `phone`.
pub fn profile(phone: &str) -> Value {
    match phone {
        "919999999999" => json!({
            "phoneNumbers": [phone],
            "addresses": [{"countryCode": "in", "city": "New Delhi", "street": "Janpath", "zipcode": "110001"}],
            "avatarUrl": "https://s3-eu-west-1.amazonaws.com/images1.truecaller.com/myview/1/15a999e9806gh73834c87aaa0498020d/3",
            "aboutMe": "About me",
            "jobTitle": "CEO",
            "companyName": "ABC",
            "history": {"name": {"updateTime": "1508089888000"}},
            "isActive": "True",
            "gender": "Male",
            "createdTime": "1379314068000",
            "onlineIdentities": {"url": "https://www.truecaller.com", "email": "rajat@example.com", "facebookId": "105056625245"},
            "type": "Personal",
            "id": "655574719",
            "userId": "1319413476",
            "badges": ["verified", "premium"],
            "name": {"last": "Kapoor", "first": "Rajat"}
        }),
        "46760123456" => json!({
            "name": {"first": "Astrid", "last": "Lindqvist"},
            "aboutMe": "Fika enthusiast",
            "avatarUrl": "https://images.example/avatars/astrid.png",
            "phoneNumbers": [46_760_123_456_u64],
            "onlineIdentity": {"facebookId": "astrid.l", "twitterId": "astridl", "email": "astrid@example.se", "url": "https://example.se"},
            "companyName": "Exempel AB",
            "jobTitle": "Engineer",
            "addresses": [{"countryCode": "se", "city": "Stockholm", "street": "Drottninggatan 1", "zipcode": "11151"}],
            "gender": "Female"
        }),
        "447400123456" => json!({"name": {"first": "Alex", "last": "Morgan"}, "phoneNumbers": [447_400_123_456_u64]}),
        "919876500004" => json!({"name": {"first": "Someone", "last": "Else"}, "phoneNumbers": ["919876500099"], "userId": "999"}),
        _ => json!({
            "name": {"first": "Sim", "last": format!("User {}", &phone[phone.len().saturating_sub(4)..])},
            "phoneNumbers": [phone],
            "userId": format!("sim-{phone}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{phone::PhoneNumber, providers::truecaller::profile::Profile};

    #[test]
    fn every_seeded_number_is_a_valid_mobile_and_every_profile_parses() {
        for identity in SEEDED {
            let typed = format!("+{}", identity.phone);
            let phone = PhoneNumber::parse(&typed, phonenumber::country::Id::IN)
                .unwrap_or_else(|e| panic!("{typed}: {e}"));
            let profile = Profile::parse(profile(identity.phone).to_string().as_bytes()).unwrap();
            let holds = profile.holds(&phone);
            assert_eq!(holds, identity.behaviour != Behaviour::OtherNumber, "{typed}");
        }
    }

    #[test]
    fn unknown_numbers_get_a_generated_profile_for_themselves() {
        let profile = Profile::parse(profile("919812345678").to_string().as_bytes()).unwrap();
        assert_eq!(profile.display_name(), "Sim User 5678");
        assert_eq!(profile.phone_numbers, ["919812345678"]);
    }
}
