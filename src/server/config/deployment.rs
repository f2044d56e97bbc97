//! The settings that decide what a deployment exposes: whether the simulators may run, which
//! provider keys go together, and whose forwarding header is believed.

use std::net::SocketAddr;

use ipnet::IpNet;
use url::Url;

use super::{source::Source, Config, ConfigError, SandboxMode, TruecallerMode, PUBLIC_DEMO_YES};
use crate::server::secret::Secret;

impl Config {
    /// Whether this configuration simulates both providers: then the stand-ins run under
    /// `/simulator` and sign anyone in as anyone.
    pub fn simulates(&self) -> bool {
        matches!((&self.truecaller.mode, &self.sandbox.mode), (TruecallerMode::Simulator, SandboxMode::Simulator))
    }

    /// Refuses to simulate where the app could be mistaken for a deployment: the stand-ins run
    /// only when the app listens on a loopback address (`listen`) and is reached at an http
    /// loopback `public_url`, unless `UNSAFE_PUBLIC_DEMO=yes` says it is a public demo.
    pub fn check_simulation(&self, listen: SocketAddr, public_url: &Url) -> Result<(), ConfigError> {
        if !self.simulates() || self.public_demo {
            return Ok(());
        }
        let way_out = if cfg!(feature = "digilocker") {
            "set TRUECALLER_APP_KEY (and SANDBOX_API_KEY and SANDBOX_API_SECRET to offer DigiLocker) \
             for a deployment, or UNSAFE_PUBLIC_DEMO=yes for a public demo"
        } else {
            "set TRUECALLER_APP_KEY for a deployment, or UNSAFE_PUBLIC_DEMO=yes for a public demo"
        };
        if !listen.ip().to_canonical().is_loopback() {
            return Err(ConfigError::Invalid {
                name: "LEPTOS_SITE_ADDR",
                problem: format!(
                    "{listen} is reachable from other machines, and no provider key is set: the simulators would \
                     sign anyone in as anyone there. Listen on 127.0.0.1 to develop, or {way_out}"
                ),
            });
        }
        if public_url.scheme() == "https" || !loopback_host(public_url) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_URL",
                problem: format!(
                    "{public_url} is not a local http address, and no provider key is set: the simulators would \
                     sign anyone in as anyone there. Unset PUBLIC_URL to develop, or {way_out}"
                ),
            });
        }
        Ok(())
    }
}

/// `UNSAFE_PUBLIC_DEMO`: `yes`, or unset (or empty, or `no`). Anything else is refused, so a
/// typo cannot turn a demo on, and a demo is never half-configured.
pub(super) fn public_demo(source: &Source) -> Result<bool, ConfigError> {
    match source.env_only("UNSAFE_PUBLIC_DEMO") {
        None | Some("no") => Ok(false),
        Some(PUBLIC_DEMO_YES) => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            name: "UNSAFE_PUBLIC_DEMO",
            problem: format!("{other:?} is not yes or no"),
        }),
    }
}

/// A live provider never runs beside a simulated one: the Truecaller simulator signs anyone in
/// as any number, and a live DigiLocker would join that made-up identity to the real account
/// holding the number. A demo simulates everything.
pub(super) fn simulated_only_alone(truecaller: &TruecallerMode, sandbox: &SandboxMode, public_demo: bool) -> Result<(), ConfigError> {
    match (truecaller, sandbox) {
        (TruecallerMode::Simulator, SandboxMode::Live { .. }) => Err(ConfigError::Invalid {
            name: "TRUECALLER_APP_KEY",
            problem: "is unset while SANDBOX_API_KEY is set: the Truecaller simulator would run beside live \
                      DigiLocker and sign anyone in as anyone. Set TRUECALLER_APP_KEY, or unset SANDBOX_API_KEY \
                      and SANDBOX_API_SECRET to simulate both"
                .into(),
        }),
        (TruecallerMode::Live { .. }, _) if public_demo => Err(ConfigError::Invalid {
            name: "UNSAFE_PUBLIC_DEMO",
            problem: "is yes while TRUECALLER_APP_KEY is set: a public demo runs on the simulators only; unset one of them".into(),
        }),
        _ => Ok(()),
    }
}

/// `TRUSTED_PROXIES`: CIDR ranges or single addresses, separated by commas or spaces. Required
/// with `TRUSTED_PROXY_HEADER` (`header_set`), and meaningless without it.
pub(super) fn trusted_proxies(value: Option<String>, header_set: bool) -> Result<Vec<IpNet>, ConfigError> {
    let invalid = |name, problem: String| ConfigError::Invalid { name, problem };
    let mut proxies = Vec::new();
    for entry in value.iter().flat_map(|v| v.split([',', ' '])).map(str::trim).filter(|e| !e.is_empty()) {
        let net = entry
            .parse::<IpNet>()
            .or_else(|_| entry.parse::<std::net::IpAddr>().map(IpNet::from))
            .map_err(|_| invalid("TRUSTED_PROXIES", format!("{entry:?} is not an address range such as 10.0.0.0/8 or 2001:db8::/32")))?;
        proxies.push(net.trunc());
    }
    match (header_set, proxies.is_empty()) {
        (true, true) => Err(invalid(
            "TRUSTED_PROXIES",
            "must list the reverse proxies' addresses (e.g. 10.0.0.0/8) when TRUSTED_PROXY_HEADER is set: \
             otherwise anyone reaching the app directly could choose their own address"
                .into(),
        )),
        (false, false) => Err(invalid("TRUSTED_PROXY_HEADER", "must name the header the proxies in TRUSTED_PROXIES set".into())),
        _ => Ok(proxies),
    }
}

/// `localhost` (or a name under it) or a loopback address.
pub(super) fn loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost" || name.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.to_canonical().is_loopback(),
        None => false,
    }
}

/// Live when `SANDBOX_API_KEY` is set, and then `SANDBOX_API_SECRET` must be too.
pub(super) fn sandbox_mode(source: &Source) -> Result<SandboxMode, ConfigError> {
    match (source.env_only("SANDBOX_API_KEY"), source.env_only("SANDBOX_API_SECRET")) {
        (Some(_), _) if !cfg!(feature = "digilocker") => Err(ConfigError::Invalid {
            name: "SANDBOX_API_KEY",
            problem: "is set, but this build has no DigiLocker (the `digilocker` Cargo feature)".into(),
        }),
        (Some(key), Some(secret)) => Ok(SandboxMode::Live { api_key: Secret::new(key), api_secret: Secret::new(secret) }),
        (Some(_), None) => Err(ConfigError::Invalid {
            name: "SANDBOX_API_SECRET",
            problem: "must be set (environment only) when SANDBOX_API_KEY is".into(),
        }),
        (None, _) => Ok(SandboxMode::Simulator),
    }
}
