//! The countries a number may come from in this deployment: which ones are offered
//! (`PHONE_COUNTRIES`), which is chosen first, their names in each page language and their order
//! in it (CLDR through ICU4X), and the rule that a number must come from an offered country.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use icu_collator::{options::CollatorOptions, Collator};
use icu_experimental::displaynames::{multi::RegionDisplayNames, DisplayNamesOptions};
use icu_locale_core::{subtags, Locale as IcuLocale};
use phonenumber::{country, metadata::DATABASE};

use super::phone::{PhoneError, PhoneNumber};
use crate::countries::{Country, CountryChoice, Region};

/// One page language's lists: the offered countries, named and sorted in it, and the names of
/// the others (for a reason that names one; empty when every country is offered).
type Lists = (Arc<[Country]>, Arc<[(Region, String)]>);

/// What the picker offers. Each page language's lists are made the first time a page in it is
/// drawn, then shared (a few milliseconds each in a release build; start-up doesn't wait).
pub struct Countries {
    offered: Vec<Region>,
    default: Region,
    lists: HashMap<&'static str, OnceLock<Lists>>,
}

impl Countries {
    /// `offered`: `None` for every country libphonenumber knows. `default` must be offered
    /// (the configuration checks it).
    pub fn new(offered: Option<Vec<Region>>, default: Region) -> Self {
        let lists = <crate::i18n::Locale as leptos_i18n::Locale>::get_all()
            .iter()
            .map(|locale| (leptos_i18n::Locale::as_str(*locale), OnceLock::new()))
            .collect();
        Self { offered: offered.unwrap_or_else(every), default, lists }
    }

    /// `lang`'s lists (English's for a language the page doesn't speak).
    fn lists(&self, lang: &str) -> Lists {
        let (lang, lists) = match self.lists.get_key_value(lang).or_else(|| self.lists.get_key_value("en")) {
            Some((lang, lists)) => (*lang, lists),
            None => return Lists::default(),
        };
        lists.get_or_init(|| self.named_and_sorted(lang)).clone()
    }

    fn named_and_sorted(&self, lang: &str) -> Lists {
        let (local, english) = (names(lang), names("en"));
        let name = |region: Region| first_name(&[&local, &english], region);
        let named: Vec<Country> = self.offered.iter().filter_map(|r| facts(*r, name(*r))).collect();
        let unlisted: Vec<(Region, String)> = every().into_iter().filter(|r| !self.offers(*r)).map(|r| (r, name(r))).collect();
        (sorted(named, lang).into(), unlisted.into())
    }

    pub fn offers(&self, region: Region) -> bool {
        self.offered.contains(&region)
    }

    /// The picker for a page in `lang`: its list, with the person's last choice, else the first
    /// offered region of the browser's languages (`en-GB` → GB), else the default, chosen.
    pub fn choice(&self, lang: &str, last: Option<Region>, browser: &[Region]) -> CountryChoice {
        let (countries, unlisted) = self.lists(lang);
        let chosen = last
            .into_iter()
            .chain(browser.iter().copied())
            .find(|region| self.offers(*region))
            .unwrap_or(self.default);
        CountryChoice { countries, chosen, unlisted }
    }

    /// A typed number, read in the chosen country when it has no country code of its own, and
    /// refused when it belongs to a country not offered here.
    pub fn parse(&self, input: &str, chosen: Option<&str>) -> Result<PhoneNumber, PhoneError> {
        let region = chosen.and_then(Region::parse).filter(|r| self.offers(*r)).unwrap_or(self.default);
        let number = PhoneNumber::parse(input, id(region)).map_err(|problem| match problem {
            // Fixing the length would only lead to "not offered": say that first.
            PhoneError::TooShortFor(from) | PhoneError::TooLongFor(from) if !self.offers(from) => PhoneError::NotOffered(from),
            other => other,
        })?;
        match number.region() {
            Some(from) if self.offers(from) => Ok(number),
            Some(from) => Err(PhoneError::NotOffered(from)),
            // Satellite and other non-geographic codes (+870, +881…): no country offers them.
            None => Err(PhoneError::Invalid),
        }
    }

}

/// Every country libphonenumber has mobile numbers for (not the non-geographic `001` entities).
fn every() -> Vec<Region> {
    let mut all: Vec<Region> = DATABASE.iter().filter(|meta| meta.descriptors().mobile().is_some()).filter_map(|meta| Region::parse(meta.id())).collect();
    all.sort();
    all.dedup();
    all
}

/// Whether libphonenumber knows `region` (for checking `PHONE_COUNTRIES`).
pub fn known(region: Region) -> bool {
    DATABASE.by_id(region.as_str()).is_some()
}

pub fn id(region: Region) -> country::Id {
    // Every offered region was checked with `known`; `IN` is the documented default.
    region.as_str().parse().unwrap_or(country::Id::IN)
}

/// A country's name in `lang`, else in English, else its code.
pub fn name(region: Region, lang: &str) -> String {
    first_name(&[&names(lang), &names("en")], region)
}

/// The region's name from the first of `sources` that has one, else its code.
fn first_name(sources: &[&Option<RegionDisplayNames>], region: Region) -> String {
    sources.iter().filter_map(|names| names.as_ref()).find_map(|names| region_name(names, region)).unwrap_or_else(|| region.to_string())
}

fn names(lang: &str) -> Option<RegionDisplayNames> {
    let locale = IcuLocale::try_from_str(lang).ok()?;
    RegionDisplayNames::try_new(locale.into(), DisplayNamesOptions::default()).ok()
}

fn region_name(names: &RegionDisplayNames, region: Region) -> Option<String> {
    let subtag = subtags::Region::try_from_str(region.as_str()).ok()?;
    names.of(subtag).map(str::to_owned)
}

/// A country named `name`: its dial code, whether it is its code's main country, and its example
/// number.
fn facts(region: Region, name: String) -> Option<Country> {
    let meta = DATABASE.by_id(region.as_str())?;
    let code = meta.country_code();
    let shared = DATABASE.region(&code).is_some_and(|regions| regions.len() > 1);
    Some(Country {
        region,
        name,
        dial: code,
        main: !shared || meta.is_main_country_for_code(),
        example: example(region),
    })
}

/// In `lang`'s alphabetical order.
fn sorted(mut list: Vec<Country>, lang: &str) -> Vec<Country> {
    let collator = IcuLocale::try_from_str(lang).ok().and_then(|locale| Collator::try_new(locale.into(), CollatorOptions::default()).ok());
    match collator {
        Some(collator) => list.sort_by(|a, b| collator.compare(&a.name, &b.name)),
        None => list.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    list
}

/// libphonenumber's example mobile number, its national significant digits (`8123456789`):
/// what to type after the dial code. (Formatting it, `081234 56789`, took a parse per country at
/// start-up, a second in a debug build.)
fn example(region: Region) -> String {
    DATABASE
        .by_id(region.as_str())
        .and_then(|meta| meta.descriptors().mobile())
        .and_then(|d| d.example())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    #[test]
    fn every_country_is_named_in_every_page_language() {
        let countries = Countries::new(None, at("IN"));
        assert!(countries.offered.len() > 200, "{}", countries.offered.len());
        for lang in countries.lists.keys() {
            let (list, unlisted) = countries.lists(lang);
            assert_eq!(list.len(), countries.offered.len(), "{lang}");
            assert!(unlisted.is_empty(), "{lang}: every country is offered");
            let unnamed: Vec<&str> = list.iter().filter(|c| c.name == c.region.as_str()).map(|c| c.region.as_str()).collect();
            assert!(unnamed.is_empty(), "{lang}: {unnamed:?}");
        }
        // Named in the language itself, not English left in (scripts other than Latin here).
        let english = countries.choice("en", None, &[]);
        for lang in ["hi", "mr", "te", "ml", "ur", "pa", "ta", "bn", "kn", "ar"] {
            let list = countries.choice(lang, None, &[]);
            let untranslated = list.countries.iter().filter(|c| english.name(c.region) == c.name).count();
            assert!(untranslated <= 3, "{lang}: {untranslated} names are the English ones");
        }
        let hindi = countries.choice("hi", None, &[]);
        assert_eq!(hindi.name(at("IN")), "भारत");
        assert_eq!(countries.choice("ar", None, &[]).name(at("AE")), "الإمارات العربية المتحدة");
    }

    #[test]
    fn lists_are_in_the_languages_order_with_dial_codes() {
        let countries = Countries::new(None, at("IN"));
        let english = countries.choice("en", None, &[]);
        let position = |code| english.countries.iter().position(|c| c.region == at(code)).unwrap();
        // Åland sorts with the A's in English, not after Z as its first byte would.
        assert!(position("AX") < position("BE"), "{} {}", position("AX"), position("BE"));
        let india = english.get(at("IN")).unwrap();
        assert_eq!((india.dial, india.main, india.name.as_str()), (91, true, "India"));
        assert_eq!(india.example, "8123456789");
        let (us, ca) = (english.get(at("US")).unwrap(), english.get(at("CA")).unwrap());
        assert!(us.main && !ca.main && us.dial == 1 && ca.dial == 1);
    }

    #[test]
    fn the_first_choice_is_the_last_then_the_browsers_region_then_the_default() {
        let countries = Countries::new(Some(vec![at("IN"), at("GB"), at("AE")]), at("IN"));
        assert_eq!(countries.choice("en", None, &[]).chosen, at("IN"));
        assert_eq!(countries.choice("en", None, &[at("US"), at("GB")]).chosen, at("GB"));
        assert_eq!(countries.choice("en", Some(at("AE")), &[at("GB")]).chosen, at("AE"));
        assert_eq!(countries.choice("en", Some(at("SE")), &[]).chosen, at("IN"));
        assert_eq!(countries.choice("en", None, &[]).countries.len(), 3);
    }

    #[test]
    fn numbers_are_read_in_the_chosen_country_and_must_come_from_an_offered_one() {
        let countries = Countries::new(Some(vec![at("IN"), at("GB")]), at("IN"));
        let digits = |input: &str, chosen: Option<&str>| countries.parse(input, chosen).map(|n| n.digits().to_owned());
        assert_eq!(digits("98765 43210", None).as_deref(), Ok("919876543210"));
        assert_eq!(digits("07400 123456", Some("GB")).as_deref(), Ok("447400123456"));
        assert_eq!(digits("07400 123456", Some("gb")).as_deref(), Ok("447400123456"));
        // A "+" number says its own country, whatever was chosen.
        assert_eq!(digits("+91 98765 43210", Some("GB")).as_deref(), Ok("919876543210"));
        // A country not offered, chosen or typed.
        assert_eq!(digits("98765 43210", Some("SE")).as_deref(), Ok("919876543210"));
        assert_eq!(digits("+46 76 012 34 56", None), Err(PhoneError::NotOffered(at("SE"))));
        assert_eq!(digits("+46 76 012 34 56", Some("junk")), Err(PhoneError::NotOffered(at("SE"))));
        // A wrong length from a country not offered: "not offered" first, fixing it won't help.
        assert_eq!(digits("+46 76 012", None), Err(PhoneError::NotOffered(at("SE"))));
        // Satellite numbers belong to no country, so to none offered.
        assert_eq!(digits("+870 773 111 632", None), Err(PhoneError::Invalid));
        // The page can name a country not offered, in its language.
        assert_eq!(countries.choice("hi", None, &[]).name(at("SE")), "स्वीडन");
    }

    #[test]
    fn english_names_word_reasons_on_the_server() {
        assert_eq!(name(at("GB"), "en"), "United Kingdom");
        assert_eq!(PhoneError::NotOffered(at("SE")).to_string(), "Sign-in isn't available here for numbers from Sweden.");
        assert_eq!(PhoneError::TooShortFor(at("IN")).to_string(), "That number is too short for India.");
        assert_eq!(PhoneError::UnknownCode(999).to_string(), "No country has the code +999. Check the digits after the +.");
    }
}
