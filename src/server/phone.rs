//! A phone number that has passed libphonenumber: the only kind the sign-in rules accept.

use phonenumber::{country, metadata::DATABASE, Mode, Type};

use crate::countries::Region;

/// A valid mobile number in E.164 form. Built only by [`PhoneNumber::parse`].
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    /// E.164 without the leading `+`, the form Truecaller wants (`46760123456`).
    digits: String,
    country_code: u16,
    region: Option<Region>,
}

/// Why a number was refused: the shared wording's reasons (`Empty`, `BadCharacters`, `Invalid`,
/// `NotMobile`, `UnknownCode`, `TooShortFor`, `TooLongFor` come from here).
pub use crate::domain::PhoneProblem as PhoneError;

impl PhoneNumber {
    /// Accepts what people type: `+46 76 012 34 56`, `0046 76…`, a national number in the default
    /// region, and Truecaller's documented form, E.164 without `+` (`46760123456`).
    pub fn parse(input: &str, default_region: country::Id) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (plus, body) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')) {
            return Err(PhoneError::BadCharacters);
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() || digits.len() > 18 {
            return Err(PhoneError::Invalid);
        }

        let candidates: Vec<String> = if plus {
            vec![format!("+{digits}")]
        } else if let Some(international) = digits.strip_prefix("00") {
            vec![format!("+{international}")]
        } else {
            // Digits alone are either a national number or E.164 without "+"; a national reading
            // wins when both are valid, since that is what a person in the default region types.
            vec![digits.clone(), format!("+{digits}")]
        };

        let mut saw_valid_non_mobile = false;
        // Why the reading a person most likely meant (the first) fails, when it can say more
        // than "invalid"; the other reading's reasons would blame what they didn't type.
        let mut reason = None;
        for (index, candidate) in candidates.iter().enumerate() {
            let meant = index == 0;
            let number = match phonenumber::parse(Some(default_region), candidate) {
                Ok(number) => number,
                Err(phonenumber::ParseError::InvalidCountryCode) if meant => {
                    // Only an international reading fails so: after "+", or after "00".
                    reason = unknown_code(if plus { body } else { body.trim_start().strip_prefix("00").unwrap_or(body) });
                    continue;
                }
                Err(_) => continue,
            };
            if !number.is_valid() {
                if meant {
                    reason = length_problem(&number, default_region);
                }
                continue;
            }
            match number.number_type(&DATABASE) {
                Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber => {
                    return Ok(Self::from_valid(&number));
                }
                _ => saw_valid_non_mobile = true,
            }
        }
        Err(if saw_valid_non_mobile { PhoneError::NotMobile } else { reason.unwrap_or(PhoneError::Invalid) })
    }

    /// Rebuilds a number this app validated and stored earlier (E.164 digits).
    pub fn from_stored(digits: &str) -> Option<Self> {
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
        number.is_valid().then(|| Self::from_valid(&number))
    }

    fn from_valid(number: &phonenumber::PhoneNumber) -> Self {
        let e164 = number.format().mode(Mode::E164).to_string();
        Self {
            digits: e164.trim_start_matches('+').to_owned(),
            country_code: number.code().value(),
            region: number.country().id().and_then(|id| Region::parse(id.as_ref())),
        }
    }

    /// The country the number belongs to.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// E.164 without `+`: the form Truecaller's API takes and the key we store.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The number as a JSON number, as Truecaller documents `phoneNumber` (type Long).
    pub fn as_u64(&self) -> u64 {
        // At most 15 digits, so this cannot overflow; parse only fails on an impossible input.
        self.digits.parse().unwrap_or_default()
    }

    /// Safe to show to someone who may not own the number: country code and last two digits.
    pub fn masked(&self) -> String {
        let cc = self.country_code.to_string();
        let national = &self.digits[cc.len()..];
        let tail = &national[national.len().saturating_sub(2)..];
        format!("+{cc} {} {tail}", "•".repeat(national.len().saturating_sub(2)))
    }
}

/// The code a person typed after "+" that no country has, as they typed it: the first group of
/// digits when it is one to three long (`+89 1234…` → 89), else the first three digits. Codes
/// never start with 0, so "+0…" is only invalid (quoting "+044" as "+44" would blame a real one).
fn unknown_code(typed: &str) -> Option<PhoneError> {
    let typed = typed.trim_start();
    let group: String = typed.chars().take_while(char::is_ascii_digit).collect();
    let code = if (1..=3).contains(&group.len()) { group } else { typed.chars().filter(char::is_ascii_digit).take(3).collect() };
    if code.starts_with('0') {
        return None;
    }
    code.parse().ok().map(PhoneError::UnknownCode)
}

/// Too short or too long for every mobile number of its country: the country the number's code
/// means (the chosen one when it shares the code), else `None` (wrong digits, not length).
fn length_problem(number: &phonenumber::PhoneNumber, chosen: country::Id) -> Option<PhoneError> {
    let code = number.code().value();
    let regions = DATABASE.region(&code)?;
    let region = if regions.contains(&chosen.as_ref()) { chosen.as_ref() } else { *regions.first()? };
    let meta = DATABASE.by_id(region)?;
    let lengths = meta.descriptors().mobile().map(|d| d.possible_length()).filter(|l| !l.is_empty()).unwrap_or(meta.descriptors().general().possible_length());
    let (shortest, longest) = (*lengths.iter().min()?, *lengths.iter().max()?);
    let national = number.national();
    let length = (national.value().to_string().len() + usize::from(national.zeros())) as u16;
    let region = Region::parse(region)?;
    if length < shortest {
        Some(PhoneError::TooShortFor(region))
    } else if length > longest {
        Some(PhoneError::TooLongFor(region))
    } else {
        None
    }
}

/// Only the masked form: a full number must never reach logs through `{:?}`.
impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<String, PhoneError> {
        PhoneNumber::parse(input, country::Id::IN).map(|n| n.digits().to_owned())
    }

    #[test]
    fn accepts_international_forms() {
        assert_eq!(parse("+46 76 012 34 56").as_deref(), Ok("46760123456"));
        assert_eq!(parse("+46-76-012.34.56").as_deref(), Ok("46760123456"));
        assert_eq!(parse("0046 76 012 34 56").as_deref(), Ok("46760123456"));
        assert_eq!(parse("+91 98765 43210").as_deref(), Ok("919876543210"));
    }

    #[test]
    fn accepts_e164_without_plus_as_documented() {
        assert_eq!(parse("46760123456").as_deref(), Ok("46760123456"));
        assert_eq!(parse("919876543210").as_deref(), Ok("919876543210"));
    }

    #[test]
    fn accepts_national_numbers_in_the_default_region() {
        assert_eq!(parse("98765 43210").as_deref(), Ok("919876543210"));
        assert_eq!(parse("098765 43210").as_deref(), Ok("919876543210"));
        let sweden = PhoneNumber::parse("076-012 34 56", country::Id::SE).unwrap();
        assert_eq!(sweden.digits(), "46760123456");
    }

    #[test]
    fn rejects_invalid_input_with_a_reason() {
        assert_eq!(parse(""), Err(PhoneError::Empty));
        assert_eq!(parse("   "), Err(PhoneError::Empty));
        assert_eq!(parse("+46 76 abc"), Err(PhoneError::BadCharacters));
        assert_eq!(parse("46760123456; drop table"), Err(PhoneError::BadCharacters));
        assert_eq!(parse("++46760123456"), Err(PhoneError::BadCharacters));
        assert_eq!(parse("+999 1234 5678"), Err(PhoneError::UnknownCode(999)));
        assert_eq!(parse("+89 1234 5678"), Err(PhoneError::UnknownCode(89)));
        assert_eq!(parse("+8912345678"), Err(PhoneError::UnknownCode(891)));
        assert_eq!(parse("+044 7400 123456"), Err(PhoneError::Invalid));
        assert_eq!(parse("0089 1234 5678"), Err(PhoneError::UnknownCode(89)));
        // A satellite mobile: valid, but of no country (the offered-countries rule refuses it).
        assert_eq!(PhoneNumber::parse("+870 773 111 632", country::Id::IN).map(|n| n.region()), Ok(None));
        // The right length for India, but no Indian number starts so.
        assert_eq!(parse("+91 55555 55555"), Err(PhoneError::Invalid));
        // Digits alone are a national number first: its reasons, not the "+" reading's.
        let uk = Region::parse("GB").unwrap();
        assert_eq!(PhoneNumber::parse("07700 900123", country::Id::GB), Err(PhoneError::Invalid), "Ofcom's drama range");
        assert_eq!(PhoneNumber::parse("07400 1234", country::Id::GB), Err(PhoneError::TooShortFor(uk)));
        assert_eq!(parse("1234567890123456789012"), Err(PhoneError::Invalid));
        assert_eq!(parse("+"), Err(PhoneError::Invalid));
    }

    #[test]
    fn says_when_the_length_is_wrong_for_the_country() {
        let india = Region::parse("IN").unwrap();
        assert_eq!(parse("12345"), Err(PhoneError::TooShortFor(india)));
        assert_eq!(parse("98765 4321"), Err(PhoneError::TooShortFor(india)));
        assert_eq!(parse("98765 43210 1"), Err(PhoneError::TooLongFor(india)));
        let uk = Region::parse("GB").unwrap();
        assert_eq!(parse("+44 7700 9001"), Err(PhoneError::TooShortFor(uk)));
        assert_eq!(parse("+44 7700 900123 45"), Err(PhoneError::TooLongFor(uk)));
        assert_eq!(PhoneNumber::parse("07700 9001", country::Id::GB).map(|n| n.digits().to_owned()), Err(PhoneError::TooShortFor(uk)));
    }

    #[test]
    fn rejects_landlines() {
        // Stockholm fixed line.
        assert_eq!(parse("+46 8 123 456 78"), Err(PhoneError::NotMobile));
    }

    #[test]
    fn stored_numbers_round_trip() {
        let typed = PhoneNumber::parse("+91 98765 43210", country::Id::IN).unwrap();
        assert_eq!(PhoneNumber::from_stored("919876543210"), Some(typed));
        assert_eq!(PhoneNumber::from_stored("91987654321x"), None);
        assert_eq!(PhoneNumber::from_stored(""), None);
    }

    #[test]
    fn masks_never_show_the_number() {
        let n = PhoneNumber::parse("+46 76 012 34 56", country::Id::IN).unwrap();
        assert_eq!(n.masked(), "+46 ••••••• 56");
        assert_eq!(n.as_u64(), 46_760_123_456);
        assert!(!format!("{n:?}").contains("760123"));
    }
}
