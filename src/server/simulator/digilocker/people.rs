//! The seeded DigiLocker accounts the consent page offers, and their profiles in Sandbox's
//! documented shapes (both date-of-birth forms, all three email forms).

use serde_json::{json, Value};

const PROFILE_ENTITY: &str = "in.co.sandbox.kyc.digilocker.user.profile";

/// How a seeded person's date of birth is written: Sandbox has documented both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DobShape {
    /// `"DD/MM/YYYY"` (the current docs).
    Text(&'static str),
    /// Epoch milliseconds as a JSON number (an older revision of the docs).
    EpochMs(i64),
}

/// How a seeded person's email appears: Sandbox's examples show all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailShape {
    Given(&'static str),
    /// `"email": ""`.
    Empty,
    /// No `email` field at all.
    Absent,
}

/// A DigiLocker account the consent page can sign in as. `label` says which profile shape it
/// shows; the other fields are its profile.
pub struct DigiLockerPerson {
    pub key: &'static str,
    pub label: &'static str,
    /// DigiLocker's stable user id.
    pub id: &'static str,
    pub name: &'static str,
    /// Ten digits, no country code; `""` when no mobile is linked to the Aadhaar.
    pub mobile: &'static str,
    pub gender: &'static str,
    pub date_of_birth: DobShape,
    pub email: EmailShape,
    pub eaadhaar: bool,
}

pub const DIGILOCKER_PERSONS: &[DigiLockerPerson] = &[
    DigiLockerPerson {
        key: "rajat",
        label: "Rajat Kapoor: mobile 9999999999 (the Truecaller simulator's +91 99999 99999), DOB as DD/MM/YYYY, email",
        id: "3f6c1a2e-8d4b-4c1e-9a57-2b1d0e6f9a31",
        name: "Rajat Kapoor",
        mobile: "9999999999",
        gender: "male",
        date_of_birth: DobShape::Text("14/08/1988"),
        email: EmailShape::Given("rajat@example.com"),
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "sunita",
        label: "Sunita Kapoor: Rajat's family, the same mobile 9999999999 on her own Aadhaar",
        id: "9a0d5c3e-1f47-4b6a-8e2d-5c7b1a9f3e60",
        name: "Sunita Kapoor",
        mobile: "9999999999",
        gender: "female",
        date_of_birth: DobShape::Text("03/11/1961"),
        email: EmailShape::Absent,
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "priya",
        label: "Priya Sharma: another mobile, DOB as epoch milliseconds, email \"\"",
        id: "b5522c8f-2321-477b-8e73-ae1366d9c591",
        name: "Priya Sharma",
        mobile: "9123456780",
        gender: "female",
        date_of_birth: DobShape::EpochMs(1_071_145_000_000),
        email: EmailShape::Empty,
        eaadhaar: true,
    },
    DigiLockerPerson {
        key: "arjun",
        label: "Arjun Venkatesh Nair: no email field at all, no e-Aadhaar",
        id: "e2a9d7c4-5b13-4f08-b6d1-7c3e9f20a845",
        name: "Arjun Venkatesh Nair",
        mobile: "9845012345",
        gender: "male",
        date_of_birth: DobShape::Text("02/01/1975"),
        email: EmailShape::Absent,
        eaadhaar: false,
    },
    DigiLockerPerson {
        key: "meera",
        label: "Meera Iyer: no mobile linked to her Aadhaar (mobile \"\")",
        id: "71c04b9e-3a6f-4d22-9e85-d0f1b2a3c4e5",
        name: "Meera Iyer",
        mobile: "",
        gender: "female",
        date_of_birth: DobShape::Text("29/02/1992"),
        email: EmailShape::Given("meera.iyer@example.in"),
        eaadhaar: true,
    },
];

pub(super) fn person(key: &str) -> Option<&'static DigiLockerPerson> {
    DIGILOCKER_PERSONS.iter().find(|p| p.key == key)
}

/// `data` of Get User Profile for `person`, in the documented shape.
pub fn profile_data(person: &DigiLockerPerson) -> Value {
    let mut data = json!({
        "id": person.id,
        "@entity": PROFILE_ENTITY,
        "date_of_birth": match person.date_of_birth {
            DobShape::Text(text) => json!(text),
            DobShape::EpochMs(ms) => json!(ms),
        },
        "mobile": person.mobile,
        "name": person.name,
        "gender": person.gender,
        "eaadhaar": person.eaadhaar,
    });
    match person.email {
        EmailShape::Given(email) => data["email"] = json!(email),
        EmailShape::Empty => data["email"] = json!(""),
        EmailShape::Absent => {}
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::providers::sandbox::{parse_profile, BirthDate};

    #[test]
    fn every_person_parses_with_the_documented_shape() {
        for person in DIGILOCKER_PERSONS {
            let body = json!({ "code": 200, "timestamp": 1, "data": profile_data(person), "transaction_id": "t" });
            let profile = parse_profile(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", person.key));
            assert_eq!(profile.id, person.id);
            assert_eq!(profile.name, person.name);
            assert_eq!(profile.mobile.as_deref(), Some(person.mobile).filter(|m| !m.is_empty()));
            assert!(profile.date_of_birth.is_some(), "{}", person.key);
            assert_eq!(body["data"].get("email").is_some(), person.email != EmailShape::Absent);
        }
        let keys: std::collections::HashSet<_> = DIGILOCKER_PERSONS.iter().map(|p| p.key).collect();
        assert_eq!(keys.len(), DIGILOCKER_PERSONS.len());
    }

    #[test]
    fn the_seeds_cover_every_documented_shape() {
        let rajat = person("rajat").unwrap();
        assert_eq!(rajat.mobile, "9999999999", "joins the Truecaller simulator's +91 99999 99999");
        assert!(matches!(rajat.date_of_birth, DobShape::Text(_)) && matches!(rajat.email, EmailShape::Given(_)));
        assert!(DIGILOCKER_PERSONS
            .iter()
            .any(|p| matches!(p.date_of_birth, DobShape::EpochMs(_)) && p.email == EmailShape::Empty));
        assert!(DIGILOCKER_PERSONS.iter().any(|p| p.email == EmailShape::Absent));
        let priya =
            parse_profile(json!({"data": profile_data(person("priya").unwrap())}).to_string().as_bytes()).unwrap();
        assert_eq!(priya.date_of_birth, Some(BirthDate { year: 2003, month: 12, day: 11 }));
    }
}
