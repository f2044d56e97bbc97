//! Truecaller's profile JSON (`GET /v1/default`), read tolerantly: every optional field may be
//! absent, `phoneNumbers` come as JSON numbers (2017 docs) or strings (2018 docs), and the online
//! identities object is called `onlineIdentities` or `onlineIdentity`.

use serde::Deserialize;

use crate::server::phone::PhoneNumber;

/// The parts of a profile this app keeps. Built only from a parsed, checked response. Its
/// `Debug` says which fields are present, never what they hold (personal data).
#[derive(Clone, PartialEq, Eq)]
pub struct Profile {
    pub first_name: String,
    pub last_name: String,
    /// E.164 digits without `+`; entries that are not digit strings are dropped.
    pub phone_numbers: Vec<String>,
    /// Truecaller's stable user id (`userId`, else `id`), when the profile has one.
    pub subject: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub about_me: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub gender: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub url: Option<String>,
    pub facebook_id: Option<String>,
    pub twitter_id: Option<String>,
    pub badges: Vec<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |value: &Option<String>| value.is_some();
        f.debug_struct("Profile")
            .field("phone_numbers", &self.phone_numbers.len())
            .field("subject", &given(&self.subject))
            .field("email", &given(&self.email))
            .field("avatar_url", &given(&self.avatar_url))
            .field("badges", &self.badges.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("profile is not valid JSON of the documented shape: {0}")]
    Shape(String),
    #[error("profile has no name")]
    NoName,
    #[error("profile has no readable phone number")]
    NoPhoneNumber,
}

// Longest text kept from a profile field; longer values are cut, never rejected.
const MAX_FIELD_CHARS: usize = 512;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    name: Option<WireName>,
    #[serde(default)]
    phone_numbers: Vec<NumberOrText>,
    #[serde(default)]
    addresses: Vec<WireAddress>,
    avatar_url: Option<String>,
    about_me: Option<String>,
    job_title: Option<String>,
    company_name: Option<String>,
    gender: Option<String>,
    #[serde(alias = "onlineIdentity")]
    online_identities: Option<WireIdentities>,
    id: Option<NumberOrText>,
    user_id: Option<NumberOrText>,
    #[serde(default)]
    badges: Vec<String>,
}

#[derive(Deserialize)]
struct WireName {
    first: Option<String>,
    last: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAddress {
    country_code: Option<String>,
    city: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireIdentities {
    email: Option<String>,
    url: Option<String>,
    facebook_id: Option<NumberOrText>,
    twitter_id: Option<NumberOrText>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u64),
    Text(String),
}

impl NumberOrText {
    fn into_text(self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(s) => s,
        }
    }
}

/// Truecaller sends E.164 without `+`; tolerate a `+` and reject anything else that is not digits.
fn provider_digits(value: &str) -> Option<String> {
    let digits = value.trim().strip_prefix('+').unwrap_or(value.trim());
    let plausible = (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    plausible.then(|| digits.to_owned())
}

fn clean(value: Option<String>) -> Option<String> {
    let value = value?.trim().chars().take(MAX_FIELD_CHARS).collect::<String>();
    (!value.is_empty()).then_some(value)
}

impl Profile {
    pub fn parse(json: &[u8]) -> Result<Self, ProfileError> {
        // Serde would fill the struct from a JSON array by position; a profile is an object.
        if json.trim_ascii_start().first() != Some(&b'{') {
            return Err(ProfileError::Shape("not a JSON object".into()));
        }
        let wire: Wire =
            // serde's message can quote the offending value (a phone number, a name): log only
            // the kind of error and where it is.
            serde_json::from_slice(json).map_err(|e| {
                ProfileError::Shape(format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()))
            })?;
        let name = wire.name.ok_or(ProfileError::NoName)?;
        let first_name = clean(name.first).unwrap_or_default();
        let last_name = clean(name.last).unwrap_or_default();
        if first_name.is_empty() && last_name.is_empty() {
            return Err(ProfileError::NoName);
        }
        let phone_numbers: Vec<String> = wire
            .phone_numbers
            .into_iter()
            .filter_map(|n| provider_digits(&n.into_text()))
            .collect();
        if phone_numbers.is_empty() {
            return Err(ProfileError::NoPhoneNumber);
        }
        let address = wire.addresses.into_iter().next();
        let identities = wire.online_identities;
        let (email, url, facebook_id, twitter_id) = match identities {
            Some(i) => (
                clean(i.email),
                clean(i.url),
                clean(i.facebook_id.map(NumberOrText::into_text)),
                clean(i.twitter_id.map(NumberOrText::into_text)),
            ),
            None => (None, None, None, None),
        };
        Ok(Self {
            first_name,
            last_name,
            phone_numbers,
            subject: clean(wire.user_id.map(NumberOrText::into_text))
                .or_else(|| clean(wire.id.map(NumberOrText::into_text))),
            email,
            avatar_url: clean(wire.avatar_url).filter(|u| u.starts_with("https://")),
            about_me: clean(wire.about_me),
            job_title: clean(wire.job_title),
            company_name: clean(wire.company_name),
            gender: clean(wire.gender),
            city: address.as_ref().and_then(|a| clean(a.city.clone())),
            country_code: address.and_then(|a| clean(a.country_code)).map(|c| c.to_uppercase()),
            url,
            facebook_id,
            twitter_id,
            badges: wire.badges.into_iter().filter_map(|b| clean(Some(b))).take(16).collect(),
        })
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_owned()
    }

    /// Does this profile belong to the holder of `number`?
    pub fn holds(&self, number: &PhoneNumber) -> bool {
        self.phone_numbers.iter().any(|n| n == number.digits())
    }

    /// The account's key at this provider: Truecaller's user id, or the number when the profile
    /// has none (minimal profiles).
    pub fn subject_for(&self, number: &PhoneNumber) -> String {
        match &self.subject {
            Some(id) => format!("id:{id}"),
            None => format!("phone:{}", number.digits()),
        }
    }

    /// The details shown on the signed-in page, in display order, each under the key the page
    /// words in its language (`pages::account::detail_label`).
    pub fn details(&self) -> Vec<(String, String)> {
        let fields = [
            ("email", &self.email),
            ("job_title", &self.job_title),
            ("company", &self.company_name),
            ("city", &self.city),
            ("country", &self.country_code),
            ("gender", &self.gender),
            ("about", &self.about_me),
            ("website", &self.url),
            ("facebook", &self.facebook_id),
            ("twitter", &self.twitter_id),
        ];
        let mut details: Vec<(String, String)> = fields
            .into_iter()
            .filter_map(|(label, value)| value.as_ref().map(|v| (label.to_owned(), v.clone())))
            .collect();
        if !self.badges.is_empty() {
            details.push(("badges".to_owned(), self.badges.join(", ")));
        }
        details
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::country;

    // The 2017 desktop sample from the Truecaller web sign-up docs, trailing commas removed.
    const DESKTOP_2017: &str = r#"{
     "name": {"first": "first_name_field_value3", "last": "last_name_field_value"},
     "aboutMe": "status_message_field_value",
     "phoneNumbers": [467601234567],
     "onlineIdentity": {"facebookId": "facebook_id_field_value", "twitterId": "twitter_id_field_value",
                        "email": "mail@gmail.com", "url": "url_field_value"},
     "companyName": "w_company_name_field_value",
     "jobTitle": "w_title_field_value",
     "addresses": [{"countryCode": "se", "city": "city_field_value", "street": "street_field_value",
                    "zipcode": "1234567"}],
     "gender": "Female"
    }"#;

    // The 2018 mobile-web sample, trailing commas removed.
    const MOBILE_2018: &str = r#"{
      "phoneNumbers": ["919999999999"],
      "addresses": [{"countryCode": "in", "city": "city_field_value", "street": "street_field_value",
                     "zipcode": "1234567"}],
      "avatarUrl": "https://s3-eu-west-1.amazonaws.com/images1.truecaller.com/myview/1/15a999e9806gh73834c87aaa0498020d/3",
      "aboutMe": "About me", "jobTitle": "CEO", "companyName": "ABC",
      "history": {"name": {"updateTime": "1508089888000"}},
      "isActive": "True", "gender": "Male", "createdTime": "1379314068000",
      "onlineIdentities": {"url": "https://www.truecaller.com", "email": "y.s@truecaller.com",
                           "facebookId": "105056625245"},
      "type": "Personal", "id": "655574719", "userId": "1319413476",
      "badges": ["verified", "premium"],
      "name": {"last": "Kapoor", "first": "Rajat"}
    }"#;

    #[test]
    fn reads_the_2018_mobile_sample() {
        let p = Profile::parse(MOBILE_2018.as_bytes()).unwrap();
        assert_eq!(p.display_name(), "Rajat Kapoor");
        assert_eq!(p.phone_numbers, ["919999999999"]);
        assert_eq!(p.subject.as_deref(), Some("1319413476"));
        assert_eq!(p.email.as_deref(), Some("y.s@truecaller.com"));
        assert_eq!(p.facebook_id.as_deref(), Some("105056625245"));
        assert_eq!(p.country_code.as_deref(), Some("IN"));
        assert_eq!(p.badges, ["verified", "premium"]);
        assert!(p.avatar_url.is_some());
        let printed = format!("{p:?}");
        for personal in ["Rajat", "Kapoor", "919999999999", "1319413476", "y.s@truecaller.com"] {
            assert!(!printed.contains(personal), "{personal} in {printed}");
        }
    }

    #[test]
    fn reads_the_2017_desktop_sample_with_numeric_numbers_and_singular_identity() {
        let p = Profile::parse(DESKTOP_2017.as_bytes()).unwrap();
        assert_eq!(p.phone_numbers, ["467601234567"]);
        assert_eq!(p.email.as_deref(), Some("mail@gmail.com"));
        assert_eq!(p.twitter_id.as_deref(), Some("twitter_id_field_value"));
        assert_eq!(p.subject, None);
        assert_eq!(p.gender.as_deref(), Some("Female"));
    }

    #[test]
    fn reads_a_minimal_profile() {
        let p = Profile::parse(br#"{"name":{"first":"Alex"},"phoneNumbers":[447400123456]}"#).unwrap();
        assert_eq!(p.display_name(), "Alex");
        assert!(p.details().is_empty());
        let n = PhoneNumber::parse("+44 7400 123456", country::Id::GB).unwrap();
        assert_eq!(p.subject_for(&n), "phone:447400123456");
    }

    #[test]
    fn mixed_number_types_and_bad_entries_are_tolerated() {
        let p = Profile::parse(br#"{"name":{"first":"A","last":"B"},"phoneNumbers":["junk",919999999999,"+46760123456"]}"#)
            .unwrap();
        assert_eq!(p.phone_numbers, ["919999999999", "46760123456"]);
    }

    #[test]
    fn holds_compares_normalised_numbers() {
        let p = Profile::parse(MOBILE_2018.as_bytes()).unwrap();
        let typed = PhoneNumber::parse("+91 99999 99999", country::Id::SE).unwrap();
        let other = PhoneNumber::parse("+91 99999 99998", country::Id::SE).unwrap();
        assert!(p.holds(&typed));
        assert!(!p.holds(&other));
    }

    #[test]
    fn rejects_profiles_without_identity() {
        assert!(matches!(Profile::parse(b"not json"), Err(ProfileError::Shape(_))));
        assert!(matches!(Profile::parse(b"[]"), Err(ProfileError::Shape(_))));
        // The error never repeats a value from the body (it is logged).
        let err = Profile::parse(br#"{"name": {"first": "A"}, "phoneNumbers": 919999999999}"#).unwrap_err();
        assert!(!format!("{err:?}").contains("919999999999"), "{err:?}");
        assert_eq!(Profile::parse(br#"{"phoneNumbers":["919999999999"]}"#), Err(ProfileError::NoName));
        assert_eq!(
            Profile::parse(br#"{"name":{"first":" "},"phoneNumbers":["919999999999"]}"#),
            Err(ProfileError::NoName)
        );
        assert_eq!(Profile::parse(br#"{"name":{"first":"A"}}"#), Err(ProfileError::NoPhoneNumber));
        assert_eq!(
            Profile::parse(br#"{"name":{"first":"A"},"phoneNumbers":["abc"]}"#),
            Err(ProfileError::NoPhoneNumber)
        );
        assert!(matches!(
            Profile::parse(br#"{"name":{"first":"A"},"phoneNumbers":[-1]}"#),
            Err(ProfileError::Shape(_))
        ));
    }

    #[test]
    fn long_fields_are_cut_and_insecure_avatars_dropped() {
        let long = "x".repeat(5000);
        let json = format!(
            r#"{{"name":{{"first":"{long}"}},"phoneNumbers":["919999999999"],"avatarUrl":"http://a.example/x.png"}}"#
        );
        let p = Profile::parse(json.as_bytes()).unwrap();
        assert_eq!(p.first_name.chars().count(), MAX_FIELD_CHARS);
        assert_eq!(p.avatar_url, None);
    }
}
