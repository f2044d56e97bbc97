//! Countries as the page and the server share them: the code a reason or a choice carries, the
//! picker's list, and the picker's rules (search by name, ISO code or dial code; the country a
//! typed "+" number belongs to). Names and their order come from the server, in the page's
//! language, so the wasm carries no country tables.

use std::{fmt, sync::Arc};

use serde::{Deserialize, Serialize};

/// An ISO 3166-1 alpha-2 country code (`IN`), always two uppercase ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region([u8; 2]);

impl Region {
    /// `in`, ` IN ` → `IN`; anything else than two ASCII letters → `None`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        // Two ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }

    /// The flag emoji (two regional indicator symbols); shown beside the name, hidden from
    /// screen readers, which read the name.
    pub fn flag(&self) -> String {
        self.0.iter().filter_map(|b| char::from_u32(0x1F1E6 + u32::from(b - b'A'))).collect()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl TryFrom<String> for Region {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        Self::parse(&code).ok_or_else(|| format!("{code:?} is not a two-letter country code"))
    }
}

impl From<Region> for String {
    fn from(region: Region) -> Self {
        region.as_str().to_owned()
    }
}

/// One country the picker offers. Travels in every sign-in page's data (some 245 of them), so
/// as an array (`["IN","India",91,true,"8123456789"]`), half the size of an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CountryWire", into = "CountryWire")]
pub struct Country {
    pub region: Region,
    /// In the page's language (CLDR).
    pub name: String,
    /// The calling code, `91` for India.
    pub dial: u16,
    /// The country a dial code shared by several means when nothing else tells (`US` for +1,
    /// `GB` for +44); true for every country with a code of its own.
    pub main: bool,
    /// An example mobile number, the digits after the dial code, for the field's placeholder.
    pub example: String,
}

/// `Country` on the wire: region, name, dial code, main, example.
type CountryWire = (Region, String, u16, bool, String);

impl From<CountryWire> for Country {
    fn from((region, name, dial, main, example): CountryWire) -> Self {
        Self { region, name, dial, main, example }
    }
}

impl From<Country> for CountryWire {
    fn from(c: Country) -> Self {
        (c.region, c.name, c.dial, c.main, c.example)
    }
}

impl Country {
    /// How the picker shows the dial code.
    pub fn dial_text(&self) -> String {
        format!("+{}", self.dial)
    }
}

/// The picker's countries, in the page's language and order, and the one chosen at first.
/// Shared, not copied, per page: the server prepares each language's list once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryChoice {
    pub countries: Arc<[Country]>,
    pub chosen: Region,
    /// The names of countries not offered here, for a reason that names one ("not available
    /// for numbers from Sweden"); empty when every country is offered.
    #[serde(default)]
    pub unlisted: Arc<[(Region, String)]>,
}

impl CountryChoice {
    pub fn get(&self, region: Region) -> Option<&Country> {
        self.countries.iter().find(|c| c.region == region)
    }

    /// A country's name in the page's language, offered or not, else its code.
    pub fn name(&self, region: Region) -> String {
        match self.get(region) {
            Some(country) => country.name.clone(),
            None => self.unlisted.iter().find(|(r, _)| *r == region).map_or_else(|| region.to_string(), |(_, name)| name.clone()),
        }
    }

    /// The countries matching what was typed in the picker's search, best first: an exact code
    /// (`in`, `+91`, `91`), then names starting with it, then names containing it and dial codes
    /// starting with it. Empty text keeps the whole list.
    pub fn search(&self, text: &str) -> Vec<&Country> {
        let query = text.trim().to_lowercase();
        if query.is_empty() {
            return self.countries.iter().collect();
        }
        let digits = query.strip_prefix('+').unwrap_or(&query);
        let digits = digits.chars().all(|c| c.is_ascii_digit()).then_some(digits);
        let rank = |c: &Country| -> Option<u8> {
            let name = c.name.to_lowercase();
            let dial = c.dial.to_string();
            if c.region.as_str().eq_ignore_ascii_case(&query) || digits == Some(dial.as_str()) {
                Some(0)
            } else if name.starts_with(&query) {
                Some(1)
            } else if name.contains(&query) || digits.is_some_and(|d| dial.starts_with(d)) {
                Some(2)
            } else {
                None
            }
        };
        let mut found: Vec<(u8, &Country)> = self.countries.iter().filter_map(|c| rank(c).map(|r| (r, c))).collect();
        // Stable: within a rank, the list's own (language) order.
        found.sort_by_key(|(r, _)| *r);
        found.into_iter().map(|(_, c)| c).collect()
    }

    /// The country a number typed or pasted in international form (`+44 7700…`, `0044…`)
    /// belongs to, when its dial code is one this list has. A shared code keeps `current` if it
    /// has that code (a Canadian +1 number stays Canadian), else picks the code's main country.
    pub fn from_number(&self, number: &str, current: Region) -> Option<Region> {
        let number = number.trim_start();
        let rest = number.strip_prefix('+').or_else(|| number.strip_prefix("00"))?;
        let digits: String = rest.chars().filter(char::is_ascii_digit).take(3).collect();
        // Dial codes are prefix-free (ITU-T E.164), so the first that matches is the one.
        (1..=digits.len()).find_map(|len| {
            let code: u16 = digits[..len].parse().ok()?;
            let same: Vec<&Country> = self.countries.iter().filter(|c| c.dial == code).collect();
            let keep = same.iter().find(|c| c.region == current);
            keep.or_else(|| same.iter().find(|c| c.main)).or(same.first()).map(|c| c.region)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str, name: &str, dial: u16, main: bool) -> Country {
        Country { region: Region::parse(code).unwrap(), name: name.into(), dial, main, example: String::new() }
    }

    fn choice() -> CountryChoice {
        CountryChoice {
            unlisted: vec![(Region::parse("SE").unwrap(), "Sweden".to_owned())].into(),
            countries: vec![
                country("CA", "Canada", 1, false),
                country("IN", "India", 91, true),
                country("ID", "Indonesia", 62, true),
                country("GG", "Guernsey", 44, false),
                country("GB", "United Kingdom", 44, true),
                country("US", "United States", 1, true),
                country("DM", "Dominica", 1, false),
                country("AE", "United Arab Emirates", 971, true),
            ]
            .into(),
            chosen: Region::parse("IN").unwrap(),
        }
    }

    fn codes(found: Vec<&Country>) -> Vec<&str> {
        found.into_iter().map(|c| c.region.as_str()).collect()
    }

    #[test]
    fn regions_are_two_letters_uppercased() {
        assert_eq!(Region::parse(" in ").map(String::from).as_deref(), Some("IN"));
        for bad in ["", "I", "IND", "1N", "ÍN"] {
            assert_eq!(Region::parse(bad), None, "{bad}");
        }
        assert_eq!(Region::parse("IN").unwrap().flag(), "🇮🇳");
        let json = serde_json::to_string(&Region::parse("gb").unwrap()).unwrap();
        assert_eq!(json, r#""GB""#);
        assert!(serde_json::from_str::<Region>(r#""G1""#).is_err());
    }

    #[test]
    fn countries_travel_as_arrays() {
        let india = country("IN", "India", 91, true);
        let json = serde_json::to_string(&india).unwrap();
        assert_eq!(json, r#"["IN","India",91,true,""]"#);
        assert_eq!(serde_json::from_str::<Country>(&json).unwrap(), india);
        assert!(serde_json::from_str::<Country>(r#"["I1","India",91,true,""]"#).is_err());
    }

    #[test]
    fn search_finds_by_name_code_and_dial_code_best_first() {
        let c = choice();
        assert_eq!(codes(c.search("ind")), ["IN", "ID"]);
        // The code first, then names starting with it, then names containing it.
        assert_eq!(codes(c.search("IN")), ["IN", "ID", "GB", "DM"]);
        assert_eq!(codes(c.search("gb")), ["GB"]);
        assert_eq!(codes(c.search("+44")), ["GG", "GB"]);
        assert_eq!(codes(c.search("97")), ["AE"]);
        assert_eq!(codes(c.search("king")), ["GB"]);
        assert_eq!(codes(c.search("united")), ["GB", "US", "AE"]);
        assert!(c.search("zzz").is_empty());
        assert_eq!(c.search("  ").len(), c.countries.len());
    }

    #[test]
    fn reasons_name_countries_offered_or_not() {
        let c = choice();
        assert_eq!(c.name(Region::parse("IN").unwrap()), "India");
        assert_eq!(c.name(Region::parse("SE").unwrap()), "Sweden");
        assert_eq!(c.name(Region::parse("FR").unwrap()), "FR");
    }

    #[test]
    fn a_plus_number_picks_its_country() {
        let c = choice();
        let at = |code: &str| Region::parse(code).unwrap();
        assert_eq!(c.from_number("+44 7700 900123", at("IN")), Some(at("GB")));
        assert_eq!(c.from_number("0044 7700 900123", at("IN")), Some(at("GB")));
        assert_eq!(c.from_number("+971 50 123 4567", at("IN")), Some(at("AE")));
        assert_eq!(c.from_number("+1 416 555 0100", at("IN")), Some(at("US")));
        // A shared code keeps the country already chosen.
        assert_eq!(c.from_number("+1 416 555 0100", at("CA")), Some(at("CA")));
        assert_eq!(c.from_number("+44", at("GG")), Some(at("GG")));
        // Not international, or a code nobody here has.
        assert_eq!(c.from_number("98765 43210", at("IN")), None);
        assert_eq!(c.from_number("+999 123", at("IN")), None);
        assert_eq!(c.from_number("+", at("IN")), None);
    }
}
