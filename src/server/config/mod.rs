//! Runtime settings: `Leptos.toml` (documented defaults), each value overridable by the
//! environment variable named beside it. Secrets come only from the environment. Read once at
//! start-up into one nested `Config`, each part for the piece of the app it sets up.

use std::{collections::HashMap, net::SocketAddr, path::Path, time::Duration};

use axum::http::HeaderName;
use ipnet::IpNet;
use url::Url;

use crate::countries::Region;

mod database;
mod deployment;
mod one_tap;
mod source;

use database::database_url;
use deployment::{public_demo, sandbox_mode, simulated_only_alone, trusted_proxies};
use one_tap::one_tap_look;
use source::Source;

use super::{
    countries,
    providers::{http::join, truecaller::deep_link::OneTapLook},
    secret::Secret,
    store::Retention,
    throttle::Limits,
};

/// Truecaller's production hosts (used when an app key is configured and no URL is given).
const LIVE_API_URL: &str = "https://api4.truecaller.com";
const LIVE_PROFILE_URL: &str = "https://profile4.truecaller.com";
/// Sandbox's production host (used when an API key is configured and no URL is given).
const LIVE_SANDBOX_URL: &str = "https://api.sandbox.co.in";

/// Seconds in a day, for the settings counted in days.
const DAY: u64 = 24 * 3600;

/// `UNSAFE_PUBLIC_DEMO`: the value that lets the simulators run where others can reach them.
const PUBLIC_DEMO_YES: &str = "yes";

/// Everything the app needs to know at start-up; loaded once, then passed down.
#[derive(Clone, Debug)]
pub struct Config {
    /// `PUBLIC_URL`: how browsers and Truecaller reach this app. Default: `http://LEPTOS_SITE_ADDR`.
    pub public_url: Option<Url>,
    /// `DATABASE_URL`: `sqlite://` file, created if missing. Secret: it may hold a password.
    pub database_url: Secret,
    /// `SESSION_IDLE_MINUTES`: a signed-in session ends after this long without use.
    pub session_idle: Duration,
    /// `NUMBER_HASH_KEY` (environment only): key for the keyed hashes of phone numbers. Unset:
    /// one is generated and kept in the database, shared by every instance using it.
    pub number_hash_key: Option<Secret>,
    /// `UNSAFE_PUBLIC_DEMO=yes` (environment only): the simulators may run on a non-loopback
    /// address or an https `PUBLIC_URL`, and every page says it is a demo.
    pub public_demo: bool,
    pub sign_in: SignInSettings,
    pub phone: PhoneSettings,
    pub truecaller: TruecallerSettings,
    pub sandbox: SandboxSettings,
    /// `RATE_*` and `DECLINE_COOLDOWN_SECS`: limits on asking for prompts.
    pub limits: Limits,
    pub proxies: ProxySettings,
    /// `RETAIN_SIGN_INS_HOURS`, `RETAIN_AUDIT_DAYS`, `RETAIN_IDLE_ACCOUNTS_DAYS`: how long what is
    /// no longer in use is kept.
    pub retention: Retention,
}

/// How long a sign-in may take.
#[derive(Clone, Debug)]
pub struct SignInSettings {
    /// `SIGNIN_TIMEOUT_SECS`: how long a browser waits for the person to answer the prompt.
    pub timeout: Duration,
    /// `SIGNIN_LOCK_SECS`: after a prompt is sent, no new prompt to that number for this long
    /// unless the cycle completes (Truecaller asks for 5 minutes).
    pub lock: Duration,
}

/// Which numbers may sign in.
#[derive(Clone, Debug)]
pub struct PhoneSettings {
    /// `PHONE_DEFAULT_REGION`: the country chosen first in the picker (unless the browser's
    /// language names an offered one), and used for numbers typed without a country code.
    pub default_region: Region,
    /// `PHONE_COUNTRIES`: the countries whose numbers may sign in (comma-separated ISO codes);
    /// `None` (unset, or `all`) for every country.
    pub countries: Option<Vec<Region>>,
}

/// Truecaller: who answers, where, and what its Android sheet shows.
#[derive(Clone, Debug)]
pub struct TruecallerSettings {
    /// `TRUECALLER_APP_KEY` (environment only).
    pub mode: TruecallerMode,
    /// `TRUECALLER_API_URL`. Default: Truecaller's, or `PUBLIC_URL/simulator` in simulator mode.
    pub api_url: Option<Url>,
    /// `TRUECALLER_PROFILE_URL`. Default: Truecaller's, or `PUBLIC_URL/simulator`.
    pub profile_url: Option<Url>,
    /// `TRUECALLER_TOKEN_TTL_SECS`: how long Truecaller's access tokens live (10 minutes);
    /// profile fetches are retried within it. Lower it only in tests.
    pub token_ttl: Duration,
    /// `TRUECALLER_PARTNER_NAME`, `TRUECALLER_PRIVACY_URL`, `TRUECALLER_TERMS_URL` and the
    /// `ONE_TAP_*` options: what Truecaller's Android sheet shows.
    pub one_tap: OneTapLook,
}

/// Where sign-in requests go.
#[derive(Clone, Debug)]
pub enum TruecallerMode {
    /// `TRUECALLER_APP_KEY` is set: talk to Truecaller (or whatever the URLs point at).
    Live { app_key: Secret },
    /// No key: run the embedded simulator under `/simulator` and talk to it.
    Simulator,
}

/// DigiLocker through Sandbox's KYC API.
#[derive(Clone, Debug)]
pub struct SandboxSettings {
    /// `SANDBOX_API_KEY` and `SANDBOX_API_SECRET` (environment only).
    pub mode: SandboxMode,
    /// `SANDBOX_API_URL`. Default: Sandbox's production host, or `PUBLIC_URL/simulator`.
    pub api_url: Option<Url>,
    /// `DIGILOCKER_TIMEOUT_SECS`: how long a browser waits for the person at DigiLocker.
    pub timeout: Duration,
}

/// Where DigiLocker KYC requests go.
#[derive(Clone, Debug)]
pub enum SandboxMode {
    /// `SANDBOX_API_KEY` and `SANDBOX_API_SECRET` are set: talk to Sandbox (or whatever
    /// `SANDBOX_API_URL` points at).
    Live { api_key: Secret, api_secret: Secret },
    /// No key: talk to the embedded Sandbox + DigiLocker stand-in under `/simulator`.
    Simulator,
}

/// Whose forwarding header is believed.
#[derive(Clone, Debug, Default)]
pub struct ProxySettings {
    /// `TRUSTED_PROXY_HEADER`: the header our reverse proxy puts the client address in (e.g.
    /// `x-forwarded-for`). Unset: the TCP peer is the client and such headers are ignored.
    pub header: Option<HeaderName>,
    /// `TRUSTED_PROXIES`: the address ranges (CIDR) of those proxies. The header is believed
    /// only from a TCP peer in them, and only past hops in them; set both or neither.
    pub ranges: Vec<IpNet>,
}

/// A setting that could not be used; the message names it so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("cannot read settings file {path}: {problem}")]
    File { path: String, problem: String },
}

impl Config {
    /// Reads `APP_CONFIG` (default `Leptos.toml`, optional), then the process environment.
    pub fn from_environment() -> Result<Self, ConfigError> {
        let (file, env) = Self::sources()?;
        Self::load(&file, &env)
    }

    /// The settings file's text (`APP_CONFIG`, default `Leptos.toml`; empty when there is none)
    /// and the process environment, for [`Self::load`].
    pub fn sources() -> Result<(String, HashMap<String, String>), ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let path = env.get("APP_CONFIG").cloned().unwrap_or_else(|| "Leptos.toml".to_owned());
        let file = if Path::new(&path).exists() {
            std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::File { path: path.clone(), problem: e.to_string() })?
        } else {
            String::new()
        };
        Ok((file, env))
    }

    /// Layers `file` (TOML) under `env`. Pure, so tests can build any configuration.
    pub fn load(file: &str, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let source = Source::new(file, env)?;
        let secs = |name, default, range| source.number(name, default, range).map(Duration::from_secs);
        let count = |name, default| source.number(name, default, 1..=1_000_000).map(|n| n as u32);

        let truecaller = TruecallerSettings {
            mode: match source.env_only("TRUECALLER_APP_KEY") {
                Some(key) => TruecallerMode::Live { app_key: Secret::new(key) },
                None => TruecallerMode::Simulator,
            },
            api_url: source.base_url("TRUECALLER_API_URL")?,
            profile_url: source.base_url("TRUECALLER_PROFILE_URL")?,
            token_ttl: secs("TRUECALLER_TOKEN_TTL_SECS", 600, 1..=600)?,
            one_tap: one_tap_look(&source)?,
        };
        let sandbox = SandboxSettings {
            mode: sandbox_mode(&source)?,
            api_url: source.base_url("SANDBOX_API_URL")?,
            timeout: secs("DIGILOCKER_TIMEOUT_SECS", 600, 30..=3600)?,
        };
        let public_demo = public_demo(&source)?;
        simulated_only_alone(&truecaller.mode, &sandbox.mode, public_demo)?;

        let region_name = source.text("PHONE_DEFAULT_REGION")?.unwrap_or_else(|| "IN".into());
        let default_region = Region::parse(&region_name).filter(|r| countries::known(*r)).ok_or_else(|| ConfigError::Invalid {
            name: "PHONE_DEFAULT_REGION",
            problem: format!("{region_name:?} is not an ISO 3166 country code such as IN or SE"),
        })?;
        let phone = PhoneSettings { default_region, countries: offered_countries(source.text("PHONE_COUNTRIES")?, default_region)? };

        let header = source
            .text("TRUSTED_PROXY_HEADER")?
            .map(|raw| {
                HeaderName::from_bytes(raw.trim().as_bytes()).map_err(|_| ConfigError::Invalid {
                    name: "TRUSTED_PROXY_HEADER",
                    problem: format!("{raw:?} is not a header name"),
                })
            })
            .transpose()?;
        let proxies = ProxySettings { ranges: trusted_proxies(source.text("TRUSTED_PROXIES")?, header.is_some())?, header };

        let session_idle = Duration::from_secs(60 * source.number("SESSION_IDLE_MINUTES", 30, 1..=60 * 24 * 30)?);
        let config = Self {
            public_url: source.base_url("PUBLIC_URL")?,
            database_url: Secret::new(database_url(source.text("DATABASE_URL")?)?),
            session_idle,
            number_hash_key: match source.env_only("NUMBER_HASH_KEY") {
                Some(key) if key.len() >= 32 => Some(Secret::new(key)),
                None => None,
                Some(_) => {
                    return Err(ConfigError::Invalid { name: "NUMBER_HASH_KEY", problem: "use at least 32 characters".into() })
                }
            },
            public_demo,
            sign_in: SignInSettings {
                // Truecaller's access token lives 10 minutes: a longer wait could never complete.
                timeout: secs("SIGNIN_TIMEOUT_SECS", 60, 1..=600)?,
                lock: secs("SIGNIN_LOCK_SECS", 300, 0..=3600)?,
            },
            phone,
            truecaller,
            sandbox,
            limits: Limits {
                ip_per_minute: count("RATE_IP_PER_MINUTE", 10)?,
                ip_per_hour: count("RATE_IP_PER_HOUR", 30)?,
                ip48_per_minute: count("RATE_IPV6_48_PER_MINUTE", 100)?,
                ip48_per_hour: count("RATE_IPV6_48_PER_HOUR", 300)?,
                browser_per_hour: count("RATE_BROWSER_PER_HOUR", 10)?,
                number_per_15_min: count("RATE_NUMBER_PER_15_MIN", 3)?,
                number_per_day: count("RATE_NUMBER_PER_DAY", 10)?,
                // Rejections are kept for a day (purge), and the pause is counted from them.
                decline_cooldown: secs("DECLINE_COOLDOWN_SECS", 3600, 0..=23 * 3600)?,
            },
            proxies,
            retention: Retention {
                // Finished sign-ins hold the number typed: a day, enough to follow up a complaint.
                sign_ins: Duration::from_secs(3600 * source.number("RETAIN_SIGN_INS_HOURS", 24, 1..=24 * 30)?),
                // Keyed tags only: a month, to investigate abuse reported late.
                audit: Duration::from_secs(DAY * source.number("RETAIN_AUDIT_DAYS", 30, 1..=365)?),
                idle_accounts: match source.number("RETAIN_IDLE_ACCOUNTS_DAYS", 0, 0..=3650)? {
                    0 => None,
                    days => Some(Duration::from_secs(DAY * days)),
                },
                idle_devices: session_idle,
            },
        };
        source.finish()?;
        Ok(config)
    }

    /// The app's public address: the configured one, or the address it is listening on.
    pub fn public_url(&self, bound: SocketAddr) -> Url {
        self.public_url.clone().unwrap_or_else(|| {
            let host = if bound.ip().is_unspecified() { "127.0.0.1".to_owned() } else { bound.ip().to_string() };
            let host = if bound.is_ipv6() && !bound.ip().is_unspecified() { format!("[{host}]") } else { host };
            // A socket address always makes a valid http URL.
            Url::parse(&format!("http://{host}:{}", bound.port())).expect("socket address forms a URL")
        })
    }

    /// Base URL of Sandbox's API for this configuration.
    pub fn sandbox_url(&self, public_url: &Url) -> Url {
        self.sandbox.api_url.clone().unwrap_or_else(|| match self.sandbox.mode {
            SandboxMode::Live { .. } => Url::parse(LIVE_SANDBOX_URL).expect("constant URL"),
            SandboxMode::Simulator => join(public_url, "simulator"),
        })
    }

    /// Base URLs of Truecaller's request API and profile API for this configuration.
    pub fn provider_urls(&self, public_url: &Url) -> (Url, Url) {
        let default = |live: &str| match self.truecaller.mode {
            TruecallerMode::Live { .. } => Url::parse(live).expect("constant URL"),
            TruecallerMode::Simulator => join(public_url, "simulator"),
        };
        (
            self.truecaller.api_url.clone().unwrap_or_else(|| default(LIVE_API_URL)),
            self.truecaller.profile_url.clone().unwrap_or_else(|| default(LIVE_PROFILE_URL)),
        )
    }

    /// Settings that start but will not work as intended; logged loudly at start-up.
    pub fn warnings(&self, public_url: &Url) -> Vec<String> {
        let mut warnings = one_tap::warnings(&self.truecaller.one_tap);
        if let SandboxMode::Live { .. } = self.sandbox.mode {
            if public_url.scheme() != "https" {
                warnings.push(format!(
                    "Sandbox requires an https redirect_url, but PUBLIC_URL is {public_url}: DigiLocker sign-in \
                     will be refused until PUBLIC_URL is the app's https address"
                ));
            }
            let sandbox_url = self.sandbox_url(public_url);
            if sandbox_url.scheme() != "https" {
                warnings.push(format!(
                    "SANDBOX_API_URL is {sandbox_url}: the Sandbox API key and secret will travel unencrypted"
                ));
            }
        }
        warnings
    }
}

/// `PHONE_COUNTRIES`: `IN, AE, KE` (ISO codes libphonenumber knows), or unset / `all` for every
/// country. The default region must be among them: it is what the picker falls back to.
fn offered_countries(value: Option<String>, default: Region) -> Result<Option<Vec<Region>>, ConfigError> {
    let invalid = |problem: String| ConfigError::Invalid { name: "PHONE_COUNTRIES", problem };
    let Some(value) = value.filter(|v| !v.trim().is_empty() && !v.trim().eq_ignore_ascii_case("all")) else {
        return Ok(None);
    };
    let mut offered = Vec::new();
    for code in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let region = Region::parse(code)
            .filter(|r| countries::known(*r))
            .ok_or_else(|| invalid(format!("{code:?} is not an ISO 3166 country code with phone numbers, such as IN or AE")))?;
        if !offered.contains(&region) {
            offered.push(region);
        }
    }
    if !offered.contains(&default) {
        return Err(invalid(format!("PHONE_DEFAULT_REGION {default} is not in the list; add it or choose another default")));
    }
    Ok(Some(offered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::Engine;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_run_the_simulator() {
        let c = Config::load("", &env(&[])).unwrap();
        assert!(matches!(c.truecaller.mode, TruecallerMode::Simulator));
        assert_eq!(c.sign_in.timeout, Duration::from_secs(60));
        assert_eq!(c.sign_in.lock, Duration::from_secs(300));
        assert_eq!((c.limits.ip_per_minute, c.limits.ip_per_hour, c.limits.number_per_15_min, c.limits.number_per_day), (10, 30, 3, 10));
        assert!(c.proxies.header.is_none() && c.number_hash_key.is_none());
        let public = c.public_url("0.0.0.0:3000".parse().unwrap());
        assert_eq!(public.as_str(), "http://127.0.0.1:3000/");
        let (api, profile) = c.provider_urls(&public);
        assert_eq!(api.as_str(), "http://127.0.0.1:3000/simulator");
        assert_eq!(profile.as_str(), "http://127.0.0.1:3000/simulator");
        assert_eq!(join(&api, "v1/apps/requests").as_str(), "http://127.0.0.1:3000/simulator/v1/apps/requests");
    }

    #[test]
    fn an_app_key_talks_to_truecaller() {
        let c = Config::load("", &env(&[("TRUECALLER_APP_KEY", "k")])).unwrap();
        let (api, profile) = c.provider_urls(&c.public_url("127.0.0.1:3000".parse().unwrap()));
        assert_eq!(api.as_str(), "https://api4.truecaller.com/");
        assert_eq!(profile.as_str(), "https://profile4.truecaller.com/");
        assert!(!format!("{c:?}").contains("\"k\""));
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "signin_timeout_secs = 30\nphone_default_region = \"se\"\n";
        let c = Config::load(file, &env(&[("SIGNIN_TIMEOUT_SECS", "5")])).unwrap();
        assert_eq!(c.sign_in.timeout, Duration::from_secs(5));
        assert_eq!(c.phone.default_region, Region::parse("SE").unwrap());
    }

    #[test]
    fn offered_countries_are_checked_codes_that_include_the_default() {
        let load = |pairs: &[(&str, &str)]| Config::load("", &env(pairs)).map(|c| c.phone.countries);
        assert_eq!(load(&[]).unwrap(), None);
        assert_eq!(load(&[("PHONE_COUNTRIES", " all ")]).unwrap(), None);
        let codes = load(&[("PHONE_COUNTRIES", "in, ae,KE,IN")]).unwrap().unwrap();
        assert_eq!(codes.iter().map(|r| r.as_str()).collect::<Vec<_>>(), ["IN", "AE", "KE"]);
        let err = |pairs: &[(&str, &str)]| load(pairs).unwrap_err().to_string();
        assert!(err(&[("PHONE_COUNTRIES", "IN,XX")]).contains("\"XX\""));
        assert!(err(&[("PHONE_COUNTRIES", "IN,India")]).starts_with("PHONE_COUNTRIES:"));
        assert!(err(&[("PHONE_COUNTRIES", "AE,KE")]).contains("PHONE_DEFAULT_REGION IN"));
        assert!(load(&[("PHONE_COUNTRIES", "AE,KE"), ("PHONE_DEFAULT_REGION", "ae")]).is_ok());
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = |pairs: &[(&str, &str)]| Config::load("", &env(pairs)).unwrap_err().to_string();
        assert!(err(&[("SIGNIN_TIMEOUT_SECS", "soon")]).starts_with("SIGNIN_TIMEOUT_SECS:"));
        assert!(err(&[("SIGNIN_TIMEOUT_SECS", "0")]).starts_with("SIGNIN_TIMEOUT_SECS:"));
        assert!(err(&[("SIGNIN_TIMEOUT_SECS", "601")]).starts_with("SIGNIN_TIMEOUT_SECS:"));
        assert!(err(&[("PUBLIC_URL", "not a url")]).starts_with("PUBLIC_URL:"));
        assert!(err(&[("TRUECALLER_API_URL", "ftp://x")]).starts_with("TRUECALLER_API_URL:"));
        assert!(err(&[("TRUECALLER_PROFILE_URL", "https://u:p@x")]).starts_with("TRUECALLER_PROFILE_URL:"));
        assert!(err(&[("PHONE_DEFAULT_REGION", "XX")]).starts_with("PHONE_DEFAULT_REGION:"));
        assert!(err(&[("RATE_IP_PER_MINUTE", "0")]).starts_with("RATE_IP_PER_MINUTE:"));
        assert!(err(&[("TRUSTED_PROXY_HEADER", "bad header")]).starts_with("TRUSTED_PROXY_HEADER:"));
        assert!(err(&[("NUMBER_HASH_KEY", "short")]).starts_with("NUMBER_HASH_KEY:"));
        assert!(err(&[("DATABASE_URL", "data/app.db")]).starts_with("DATABASE_URL:"));
        // The error never repeats a password.
        assert!(!err(&[("DATABASE_URL", "mysql://app:secret@db/app")]).contains("secret"));
        assert!(Config::load("no_such_key = 1", &env(&[])).is_err());
        assert!(err(&[("SANDBOX_API_URL", "ftp://x")]).starts_with("SANDBOX_API_URL:"));
        assert!(err(&[("DIGILOCKER_TIMEOUT_SECS", "29")]).starts_with("DIGILOCKER_TIMEOUT_SECS:"));
        assert!(err(&[("DIGILOCKER_TIMEOUT_SECS", "3601")]).starts_with("DIGILOCKER_TIMEOUT_SECS:"));
    }

    #[test]
    fn a_database_url_names_an_engine_of_this_build() {
        for (url, engine) in [("sqlite://data/x.db", Engine::Sqlite), ("postgres://app:secret@db/app", Engine::Postgres)] {
            match Config::load("", &env(&[("DATABASE_URL", url)])) {
                Ok(config) => assert!(engine.built_in() && config.database_url.expose() == url),
                Err(error) => {
                    let error = error.to_string();
                    assert!(!engine.built_in(), "{error}");
                    assert!(error.starts_with("DATABASE_URL: this build has no") && error.contains(engine.feature()), "{error}");
                    assert!(!error.contains("secret"), "{error}");
                }
            }
        }
        // Unset: SQLite's default file, or (a build without SQLite) a clear refusal.
        match Config::load("", &env(&[])) {
            Ok(config) => assert_eq!(config.database_url.expose(), "sqlite://data/app.db"),
            Err(error) => assert!(!Engine::Sqlite.built_in() && error.to_string().starts_with("DATABASE_URL: not set, and this build has no sqlite")),
        }
    }

    #[test]
    fn sandbox_defaults_to_the_simulator() {
        let c = Config::load("", &env(&[])).unwrap();
        assert!(matches!(c.sandbox.mode, SandboxMode::Simulator));
        assert_eq!(c.sandbox.timeout, Duration::from_secs(600));
        let public = c.public_url("127.0.0.1:3000".parse().unwrap());
        assert_eq!(c.sandbox_url(&public).as_str(), "http://127.0.0.1:3000/simulator");
        assert!(c.warnings(&public).is_empty());
        // A secret alone does nothing: the key decides.
        let c = Config::load("", &env(&[("SANDBOX_API_SECRET", "s")])).unwrap();
        assert!(matches!(c.sandbox.mode, SandboxMode::Simulator));
    }

    #[test]
    #[cfg(feature = "digilocker")]
    fn a_sandbox_key_talks_to_sandbox() {
        let vars = env(&[("SANDBOX_API_KEY", "key_live_abc"), ("SANDBOX_API_SECRET", "secret_live_xyz"), ("TRUECALLER_APP_KEY", "k")]);
        let c = Config::load("", &vars).unwrap();
        assert!(matches!(&c.sandbox.mode, SandboxMode::Live { api_key, api_secret } if api_key.expose() == "key_live_abc" && api_secret.expose() == "secret_live_xyz"));
        let https = Url::parse("https://app.example").unwrap();
        assert_eq!(c.sandbox_url(&https).as_str(), "https://api.sandbox.co.in/");
        assert!(c.warnings(&https).is_empty());
        let debug = format!("{c:?}");
        assert!(!debug.contains("key_live_abc") && !debug.contains("secret_live_xyz"), "{debug}");
    }

    #[test]
    #[cfg(feature = "digilocker")]
    fn a_sandbox_key_without_its_secret_names_the_secret() {
        for secret in [None, Some(""), Some("  ")] {
            let mut vars = env(&[("SANDBOX_API_KEY", "key_live_abc")]);
            if let Some(s) = secret {
                vars.insert("SANDBOX_API_SECRET".into(), s.into());
            }
            let error = Config::load("", &vars).unwrap_err().to_string();
            assert!(error.starts_with("SANDBOX_API_SECRET:"), "{error}");
            assert!(!error.contains("key_live_abc"), "{error}");
        }
    }

    #[test]
    fn sandbox_settings_come_from_the_file_and_the_environment() {
        let file = "sandbox_api_url = \"https://test-api.sandbox.co.in\"\ndigilocker_timeout_secs = 120\n";
        let c = Config::load(file, &env(&[])).unwrap();
        assert_eq!(c.sandbox.timeout, Duration::from_secs(120));
        let public = Url::parse("http://127.0.0.1:3000").unwrap();
        assert_eq!(c.sandbox_url(&public).as_str(), "https://test-api.sandbox.co.in/");
        let c = Config::load(file, &env(&[("DIGILOCKER_TIMEOUT_SECS", "60"), ("SANDBOX_API_URL", "http://127.0.0.1:9/sb")])).unwrap();
        assert_eq!(c.sandbox.timeout, Duration::from_secs(60));
        assert_eq!(c.sandbox_url(&public).as_str(), "http://127.0.0.1:9/sb");
        // Empty means the default, as for every other key.
        let c = Config::load("sandbox_api_url = \"\"\n", &env(&[])).unwrap();
        assert!(c.sandbox.api_url.is_none());
    }

    #[test]
    fn the_shipped_settings_file_loads_with_its_documented_defaults() {
        let c = Config::load(include_str!("../../../Leptos.toml"), &env(&[])).unwrap();
        assert!(c.sandbox.api_url.is_none());
        assert_eq!(c.sandbox.timeout, Duration::from_secs(600));
    }

    #[test]
    fn the_android_sheet_is_configurable_and_checked() {
        let c = Config::load("", &env(&[])).unwrap();
        assert_eq!(c.truecaller.one_tap, OneTapLook::default());
        let file = "truecaller_partner_name = \"Acme Shop\"\none_tap_login_prefix = \"placeorder\"\n";
        let vars = env(&[
            ("ONE_TAP_SKIP_OPTION", "none"),
            ("ONE_TAP_CTA_COLOR", "#ff0000"),
            ("TRUECALLER_PRIVACY_URL", "https://acme.example/privacy"),
        ]);
        let c = Config::load(file, &vars).unwrap();
        assert_eq!(c.truecaller.one_tap.partner_name, "Acme Shop");
        assert_eq!(c.truecaller.one_tap.login_prefix.as_deref(), Some("placeorder"));
        assert_eq!(c.truecaller.one_tap.skip_option, None);
        assert_eq!(c.truecaller.one_tap.cta_color.as_deref(), Some("#ff0000"));
        assert_eq!(c.truecaller.one_tap.privacy_url.unwrap().as_str(), "https://acme.example/privacy");
        let err = |pairs: &[(&str, &str)]| Config::load("", &env(pairs)).unwrap_err().to_string();
        assert!(err(&[("ONE_TAP_CTA_COLOR", "red")]).starts_with("ONE_TAP_CTA_COLOR:"));
        assert!(err(&[("ONE_TAP_CTA_TEXT_COLOR", "%23fff")]).starts_with("ONE_TAP_CTA_TEXT_COLOR:"));
        assert!(err(&[("ONE_TAP_LOGIN_PREFIX", "Login with")]).starts_with("ONE_TAP_LOGIN_PREFIX:"));
        assert!(err(&[("TRUECALLER_TERMS_URL", "javascript:alert(1)")]).starts_with("TRUECALLER_TERMS_URL:"));
        assert!(err(&[("TRUECALLER_PARTNER_NAME", &"x".repeat(65))]).starts_with("TRUECALLER_PARTNER_NAME:"));
        // A word Truecaller is not known to support starts, loudly.
        let c = Config::load("", &env(&[("ONE_TAP_BUTTON_SHAPE", "rectangular")])).unwrap();
        let warnings = c.warnings(&Url::parse("http://127.0.0.1:3000").unwrap());
        assert!(warnings.iter().any(|w| w.starts_with("ONE_TAP_BUTTON_SHAPE is \"rectangular\"")), "{warnings:?}");
    }

    #[test]
    #[cfg(feature = "digilocker")]
    fn a_live_sandbox_behind_http_is_a_loud_warning() {
        let vars = env(&[("SANDBOX_API_KEY", "k"), ("SANDBOX_API_SECRET", "s"), ("TRUECALLER_APP_KEY", "t")]);
        let c = Config::load("", &vars).unwrap();
        let warnings = c.warnings(&Url::parse("http://127.0.0.1:3000").unwrap());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("Sandbox requires an https redirect_url"), "{warnings:?}");
        let mut vars = vars;
        vars.insert("SANDBOX_API_URL".into(), "http://sandbox.internal".into());
        let c = Config::load("", &vars).unwrap();
        assert_eq!(c.warnings(&Url::parse("https://app.example").unwrap()).len(), 1);
    }

    fn listen(addr: &str) -> SocketAddr {
        addr.parse().unwrap()
    }

    #[test]
    fn the_simulators_run_alone_on_a_loopback_address_only() {
        let check = |pairs: &[(&str, &str)], addr: &str| -> Result<(), String> {
            let c = Config::load("", &env(pairs)).map_err(|e| e.to_string())?;
            let public = c.public_url(listen(addr));
            c.check_simulation(listen(addr), &public).map_err(|e| e.to_string())
        };
        // What `cargo leptos watch`, `make dev` and the tests run: nothing set, loopback.
        assert_eq!(check(&[], "127.0.0.1:3000"), Ok(()));
        assert_eq!(check(&[], "[::1]:3000"), Ok(()));
        assert_eq!(check(&[("PUBLIC_URL", "http://localhost:3000")], "127.0.0.1:3000"), Ok(()));
        // Reachable from elsewhere, or reached through a public or https address: refused, naming
        // the setting and the way out.
        let open = check(&[], "0.0.0.0:3000").unwrap_err();
        assert!(open.starts_with("LEPTOS_SITE_ADDR:") && open.contains("TRUECALLER_APP_KEY") && open.contains("UNSAFE_PUBLIC_DEMO"), "{open}");
        assert!(check(&[], "192.0.2.10:3000").unwrap_err().starts_with("LEPTOS_SITE_ADDR:"));
        let https = check(&[("PUBLIC_URL", "https://localhost")], "127.0.0.1:3000").unwrap_err();
        assert!(https.starts_with("PUBLIC_URL:"), "{https}");
        assert!(check(&[("PUBLIC_URL", "http://signin.example.com")], "127.0.0.1:3000").unwrap_err().starts_with("PUBLIC_URL:"));
        // A live provider beside a simulated one is refused wherever it listens (a build without
        // DigiLocker refuses Sandbox's keys themselves).
        let mixed = check(&[("SANDBOX_API_KEY", "k"), ("SANDBOX_API_SECRET", "s")], "127.0.0.1:3000").unwrap_err();
        let refused = if cfg!(feature = "digilocker") { "TRUECALLER_APP_KEY:" } else { "SANDBOX_API_KEY:" };
        assert!(mixed.starts_with(refused), "{mixed}");
        // Live Truecaller without Sandbox keys simulates nothing: DigiLocker is not offered.
        assert_eq!(check(&[("TRUECALLER_APP_KEY", "k"), ("PUBLIC_URL", "https://signin.example.com")], "0.0.0.0:3000"), Ok(()));
        // The demo says so, and only with the simulators.
        let demo = [("UNSAFE_PUBLIC_DEMO", "yes"), ("PUBLIC_URL", "https://demo.example.com")];
        assert_eq!(check(&demo, "0.0.0.0:3000"), Ok(()));
        assert!(check(&[("UNSAFE_PUBLIC_DEMO", "true")], "0.0.0.0:3000").unwrap_err().starts_with("UNSAFE_PUBLIC_DEMO:"));
        let live_demo = check(&[("UNSAFE_PUBLIC_DEMO", "yes"), ("TRUECALLER_APP_KEY", "k")], "127.0.0.1:3000").unwrap_err();
        assert!(live_demo.starts_with("UNSAFE_PUBLIC_DEMO:"), "{live_demo}");
        assert_eq!(check(&[("UNSAFE_PUBLIC_DEMO", "no")], "127.0.0.1:3000"), Ok(()));
    }

    #[test]
    fn a_proxy_header_needs_the_proxies_it_is_believed_from() {
        let load = |pairs: &[(&str, &str)]| Config::load("", &env(pairs)).map_err(|e| e.to_string());
        let alone = load(&[("TRUSTED_PROXY_HEADER", "x-forwarded-for")]).unwrap_err();
        assert!(alone.starts_with("TRUSTED_PROXIES:"), "{alone}");
        assert!(load(&[("TRUSTED_PROXIES", "10.0.0.0/8")]).unwrap_err().starts_with("TRUSTED_PROXY_HEADER:"));
        assert!(load(&[("TRUSTED_PROXY_HEADER", "x-forwarded-for"), ("TRUSTED_PROXIES", "10.0.0.0/33")])
            .unwrap_err()
            .starts_with("TRUSTED_PROXIES:"));
        let c = load(&[("TRUSTED_PROXY_HEADER", "x-forwarded-for"), ("TRUSTED_PROXIES", "10.1.2.3/8, 192.0.2.7 ::1,2001:db8::/32")]).unwrap();
        let shown: Vec<String> = c.proxies.ranges.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "::1/128", "2001:db8::/32"]);
        let c = Config::load("trusted_proxy_header = \"x-real-ip\"\ntrusted_proxies = \"127.0.0.1\"\n", &env(&[])).unwrap();
        assert_eq!(c.proxies.ranges.len(), 1);
    }

    #[test]
    fn debug_prints_no_key_secret_or_password() {
        let mut vars = env(&[("TRUECALLER_APP_KEY", "app-key-value"), ("NUMBER_HASH_KEY", "number-hash-key-value-0123456789abcdef")]);
        // What this build can take (the others are refused: see their own tests).
        if cfg!(feature = "digilocker") {
            vars.insert("SANDBOX_API_KEY".into(), "sandbox-key-value".into());
            vars.insert("SANDBOX_API_SECRET".into(), "sandbox-secret-value".into());
        }
        if cfg!(feature = "postgres") {
            vars.insert("DATABASE_URL".into(), "postgres://app:db-password-value@db/app".into());
        }
        let debug = format!("{:?}", Config::load("", &vars).unwrap());
        for value in ["app-key-value", "sandbox-key-value", "sandbox-secret-value", "number-hash-key-value", "db-password-value"] {
            assert!(!debug.contains(value), "{value} in {debug}");
        }
    }
}
