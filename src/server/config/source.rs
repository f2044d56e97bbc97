//! Where each setting's value comes from: the environment variable of its name, else the
//! settings file's key of the same name in lower case, else its default. The file has no shape
//! of its own to keep in step: a key is known because a setting reads it, and a key nothing
//! reads (a typo, a secret, which only the environment may hold) stops start-up.

use std::{
    cell::RefCell,
    collections::{BTreeSet, HashMap},
    ops::RangeInclusive,
};

use url::Url;

use super::ConfigError;

pub(super) struct Source<'a> {
    env: &'a HashMap<String, String>,
    file: toml::Table,
    /// The file's keys some setting has read.
    read: RefCell<BTreeSet<String>>,
}

impl<'a> Source<'a> {
    pub fn new(file: &str, env: &'a HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = toml::from_str(file).map_err(|e| ConfigError::File { path: "Leptos.toml".into(), problem: e.to_string() })?;
        Ok(Self { env, file, read: RefCell::default() })
    }

    /// The file's value for `name`, if it has one.
    fn from_file(&self, name: &'static str) -> Option<&toml::Value> {
        let key = name.to_ascii_lowercase();
        let value = self.file.get(&key);
        self.read.borrow_mut().insert(key);
        value
    }

    /// Text: the environment's (empty counts as unset), else the file's; never blank.
    pub fn text(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let from_file = match self.from_file(name) {
            Some(toml::Value::String(text)) => Some(text.clone()),
            Some(other) => return Err(invalid(name, format!("expected text, got {other}"))),
            None => None,
        };
        Ok(self.env.get(name).cloned().or(from_file).filter(|v| !v.trim().is_empty()))
    }

    /// A whole number in `range`, or `default` when neither the environment nor the file sets it.
    pub fn number(&self, name: &'static str, default: u64, range: RangeInclusive<u64>) -> Result<u64, ConfigError> {
        let expected = |raw: &dyn std::fmt::Display| invalid(name, format!("expected a whole number, got {raw}"));
        let from_file = match self.from_file(name) {
            Some(toml::Value::Integer(n)) => Some(u64::try_from(*n).map_err(|_| expected(n))?),
            Some(other) => return Err(expected(other)),
            None => None,
        };
        let value = match self.env.get(name) {
            Some(raw) => raw.trim().parse::<u64>().map_err(|_| expected(&format!("{raw:?}")))?,
            None => from_file.unwrap_or(default),
        };
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(invalid(name, format!("{value} is outside {}..={}", range.start(), range.end())))
        }
    }

    /// An http(s) base URL with a host and no credentials or query.
    pub fn base_url(&self, name: &'static str) -> Result<Option<Url>, ConfigError> {
        self.text(name)?.map(|raw| parse_base_url(name, &raw)).transpose()
    }

    /// A value the environment alone may give (a secret, or a switch that must not hide in a
    /// file); trimmed, empty counts as unset.
    pub fn env_only(&self, name: &'static str) -> Option<&'a str> {
        self.env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// Refuses a file key no setting read.
    pub fn finish(self) -> Result<(), ConfigError> {
        let read = self.read.into_inner();
        match self.file.keys().find(|key| !read.contains(*key)) {
            Some(key) => Err(ConfigError::File {
                path: "Leptos.toml".into(),
                problem: format!("unknown setting {key:?} (secrets come only from the environment)"),
            }),
            None => Ok(()),
        }
    }
}

fn invalid(name: &'static str, problem: String) -> ConfigError {
    ConfigError::Invalid { name, problem }
}

fn parse_base_url(name: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| invalid(name, format!("{raw:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(name, format!("{raw:?} must be an http(s) URL with a host")));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(invalid(name, format!("{raw:?} must not carry credentials or a query")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_and_the_file_is_read_by_lower_case_name() {
        let env = HashMap::from([("SIGNIN_TIMEOUT_SECS".to_owned(), "5".to_owned()), ("PUBLIC_URL".to_owned(), " ".to_owned())]);
        let source = Source::new("signin_timeout_secs = 30\npublic_url = \"http://x.example\"\nname = \"n\"\n", &env).unwrap();
        assert_eq!(source.number("SIGNIN_TIMEOUT_SECS", 60, 1..=600).unwrap(), 5);
        // An empty environment value is unset, and hides the file's.
        assert_eq!(source.text("PUBLIC_URL").unwrap(), None);
        assert_eq!(source.text("NAME").unwrap().as_deref(), Some("n"));
        assert!(source.finish().is_ok());
    }

    #[test]
    fn a_file_value_of_the_wrong_kind_names_the_setting() {
        let env = HashMap::new();
        let source = Source::new("signin_timeout_secs = \"sixty\"\npublic_url = 3\nrate = -1\n", &env).unwrap();
        assert!(source.number("SIGNIN_TIMEOUT_SECS", 60, 1..=600).unwrap_err().to_string().starts_with("SIGNIN_TIMEOUT_SECS:"));
        assert!(source.text("PUBLIC_URL").unwrap_err().to_string().starts_with("PUBLIC_URL:"));
        assert!(source.number("RATE", 1, 0..=9).unwrap_err().to_string().starts_with("RATE:"));
    }

    #[test]
    fn a_key_no_setting_reads_is_refused() {
        let env = HashMap::new();
        let source = Source::new("signin_timeout_secs = 30\ntruecaller_app_key = \"k\"\n", &env).unwrap();
        source.number("SIGNIN_TIMEOUT_SECS", 60, 1..=600).unwrap();
        let error = source.finish().unwrap_err().to_string();
        assert!(error.contains("truecaller_app_key") && !error.contains("\"k\""), "{error}");
    }
}
