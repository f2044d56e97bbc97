//! Limits on starting sign-ins, so the form cannot be used to flood phones or our provider quota.
//!
//! Two kinds, as the OWASP bot-management advice asks (independent buckets):
//! - per client IP (a burst per minute and a sustained rate per hour; an IPv6 client by its /64,
//!   and its /48 again with a larger allowance) and per browser session.
//!   Counted twice: in memory first (GCRA, `governor`), cheap enough to run before any database
//!   work, so a flood against one instance costs it no write; then in database counters (fixed
//!   windows, `request_counters`), which every instance shares, so several instances behind a
//!   balancer do not multiply the limit.
//! - per phone number (prompts per 15 minutes and per day, and the cool-down after repeated
//!   rejections), kept in the database with the number's lock (`Store::start`), so they hold
//!   across instances, browsers and IPs.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

use axum::http::{HeaderMap, HeaderName};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;

use super::store::{Cap, NumberHistory, NumberQuery, RequestCount};
use crate::domain::Throttle;

/// Configured limits (`RATE_*` settings, see `Leptos.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub ip_per_minute: u32,
    pub ip_per_hour: u32,
    /// The same for a whole IPv6 /48 (one site, or many subscribers of one carrier): larger, so
    /// that rotating through the /48's 65,536 /64s buys a bounded number of attempts.
    pub ip48_per_minute: u32,
    pub ip48_per_hour: u32,
    pub browser_per_hour: u32,
    pub number_per_15_min: u32,
    pub number_per_day: u32,
    /// After two rejections of prompts to a number within an hour, no prompt goes to it for this long.
    pub decline_cooldown: Duration,
}

/// Rejections within [`DECLINE_WINDOW`] that start a cool-down.
pub const DECLINES_BEFORE_COOLDOWN: usize = 2;
pub const DECLINE_WINDOW: Duration = Duration::from_secs(60 * 60);

impl Limits {
    /// What the store must read about a number for [`number_verdict`] at `now`: the latest
    /// rejections that could still be pausing it, and its prompt counters.
    pub fn number_query(&self, now: i64) -> NumberQuery {
        NumberQuery {
            caps: self.number_caps(),
            declines_since: now - self.decline_cooldown.as_millis() as i64 - DECLINE_WINDOW.as_millis() as i64,
            declines: DECLINES_BEFORE_COOLDOWN,
        }
    }

    /// The per-number prompt caps as (name, most prompts, window) for `Store::start`.
    pub fn number_caps(&self) -> [Cap; 2] {
        [
            Cap { name: "n15m", max: self.number_per_15_min, window: Duration::from_secs(15 * 60) },
            Cap { name: "n1d", max: self.number_per_day, window: Duration::from_secs(24 * 60 * 60) },
        ]
    }
}

/// The shared counters one attempt from a client (`client`, keyed hashes of its address's
/// buckets, see [`buckets`]) in a browser (`browser`, its key's hash) counts against.
pub fn request_counters(limits: &Limits, client: &ClientKeys, browser: &str) -> Vec<(Cap, String)> {
    let cap = |name, max, secs| Cap { name, max, window: Duration::from_secs(secs) };
    let (minute, hour, browser_hour) =
        (cap("ipm", limits.ip_per_minute, 60), cap("iph", limits.ip_per_hour, 3600), cap("bh", limits.browser_per_hour, 3600));
    let mut counters = vec![(minute, minute.key(&client.own)), (hour, hour.key(&client.own)), (browser_hour, browser_hour.key(browser))];
    if let Some(wide) = &client.wide {
        let (minute, hour) = (cap("i48m", limits.ip48_per_minute, 60), cap("i48h", limits.ip48_per_hour, 3600));
        counters.extend([(minute, minute.key(wide)), (hour, hour.key(wide))]);
    }
    counters
}

/// Keyed hashes of a client's buckets ([`Buckets`]), as the shared counters name them.
pub struct ClientKeys {
    pub own: String,
    pub wide: Option<String>,
}

/// Whether an attempt is refused by the shared counters it was just counted in: one over its cap
/// within its window. The longest wait is the one to tell.
pub fn request_verdict(counts: &[RequestCount], now: i64) -> Option<Throttled> {
    counts
        .iter()
        .filter(|c| c.hits > i64::from(c.cap.max))
        .map(|c| c.window_start + c.cap.window.as_millis() as i64 - now)
        .max()
        .map(|wait| refused(Duration::from_millis(wait.max(0) as u64)))
}

/// A refused attempt: why, and when to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub cause: Throttle,
    pub retry_after: Duration,
}

impl Throttled {
    /// `Retry-After` in whole seconds, made coarse so it does not help anyone tune a flood to the
    /// limit: tens of seconds up to a minute, whole minutes beyond.
    pub fn retry_after_secs(&self) -> u32 {
        let secs = u32::try_from(self.retry_after.as_secs()).unwrap_or(u32::MAX).saturating_add(1);
        if secs <= 60 {
            secs.div_ceil(10) * 10
        } else {
            secs.div_ceil(60).saturating_mul(60)
        }
    }
}

/// Whether a number may not be prompted at `now`: a pause after repeated rejections (it runs from
/// the latest one, and the ones counted must fall within [`DECLINE_WINDOW`] of each other), or a
/// per-number cap reached within its window.
pub fn number_verdict(history: &NumberHistory, limits: &Limits, now: i64) -> Option<Throttled> {
    let wait = |until: i64| Duration::from_millis((until - now).max(0) as u64);
    let cooldown = limits.decline_cooldown.as_millis() as i64;
    let declines = &history.declines;
    if let (Some(latest), Some(earliest)) = (declines.first(), declines.get(DECLINES_BEFORE_COOLDOWN - 1)) {
        let until = latest + cooldown;
        if latest - earliest <= DECLINE_WINDOW.as_millis() as i64 && until > now {
            return Some(Throttled { cause: Throttle::RecentlyDeclined, retry_after: wait(until) });
        }
    }
    history.counters.iter().find_map(|(cap, window_start, hits)| {
        let until = window_start + cap.window.as_millis() as i64;
        (until > now && *hits >= i64::from(cap.max))
            .then(|| Throttled { cause: Throttle::TooManyAttempts, retry_after: wait(until) })
    })
}

/// Per-IP and per-browser buckets.
pub struct RequestLimiter {
    ip_burst: DefaultKeyedRateLimiter<IpAddr>,
    ip_sustained: DefaultKeyedRateLimiter<IpAddr>,
    wide_burst: DefaultKeyedRateLimiter<IpAddr>,
    wide_sustained: DefaultKeyedRateLimiter<IpAddr>,
    browser: DefaultKeyedRateLimiter<String>,
}

impl RequestLimiter {
    pub fn new(limits: &Limits) -> Self {
        let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            ip_burst: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n(limits.ip_per_minute))),
            ip_sustained: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(limits.ip_per_hour))),
            wide_burst: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n(limits.ip48_per_minute))),
            wide_sustained: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(limits.ip48_per_hour))),
            browser: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(limits.browser_per_hour))),
        }
    }

    /// Counts one attempt from `ip`. Checked before anything else, so a flood costs no session
    /// or database write.
    pub fn check_client(&self, ip: IpAddr) -> Result<(), Throttled> {
        let Buckets { own, wide } = buckets(ip);
        let now = self.ip_burst.clock().now();
        self.ip_burst.check_key(&own).map_err(|e| refused(e.wait_time_from(now)))?;
        self.ip_sustained.check_key(&own).map_err(|e| refused(e.wait_time_from(now)))?;
        if let Some(wide) = wide {
            self.wide_burst.check_key(&wide).map_err(|e| refused(e.wait_time_from(now)))?;
            self.wide_sustained.check_key(&wide).map_err(|e| refused(e.wait_time_from(now)))?;
        }
        Ok(())
    }

    /// Counts one attempt from `browser` (a hash of the session's browser key).
    pub fn check_browser(&self, browser: &str) -> Result<(), Throttled> {
        let now = self.browser.clock().now();
        self.browser.check_key(&browser.to_owned()).map_err(|e| refused(e.wait_time_from(now)))
    }

    /// Drops buckets that are full again, so memory follows recent traffic only.
    pub fn forget_idle(&self) {
        self.ip_burst.retain_recent();
        self.ip_sustained.retain_recent();
        self.wide_burst.retain_recent();
        self.wide_sustained.retain_recent();
        self.browser.retain_recent();
    }
}

fn refused(wait: Duration) -> Throttled {
    Throttled { cause: Throttle::TooManyAttempts, retry_after: wait }
}

/// The buckets a client's address is counted in (their names are hashed before they are stored).
#[derive(Debug, PartialEq, Eq)]
pub struct Buckets {
    /// IPv4 as is; IPv6 by its /64, since one subscriber usually holds a whole /64 and could
    /// otherwise take a fresh address for every request.
    pub own: IpAddr,
    /// IPv6 only: its /48, which holds 65,536 /64s, counted with a larger allowance.
    pub wide: Option<IpAddr>,
}

pub fn buckets(ip: IpAddr) -> Buckets {
    match ip.to_canonical() {
        IpAddr::V6(v6) => Buckets { own: IpAddr::V6(prefix(v6, 64)), wide: Some(IpAddr::V6(prefix(v6, 48))) },
        v4 => Buckets { own: v4, wide: None },
    }
}

/// How a client's address appears in logs and in the person's list of devices: its network,
/// never the address (IPv4 by /24, IPv6 by /48), enough to see where a flood or a sign-in came
/// from.
pub fn network_of(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => format!("{}/24", std::net::Ipv4Addr::from(v4.to_bits() & !0xff)),
        IpAddr::V6(v6) => format!("{}/48", prefix(v6, 48)),
    }
}

/// The network of `v6`'s first `bits` bits (the rest zero).
fn prefix(v6: Ipv6Addr, bits: u32) -> Ipv6Addr {
    Ipv6Addr::from(v6.to_bits() & !(u128::MAX >> bits))
}

/// `TRUSTED_PROXY_HEADER` and `TRUSTED_PROXIES`: who may tell us where a request came from.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Option<Arc<Proxies>>);

#[derive(Debug)]
struct Proxies {
    header: HeaderName,
    ranges: Vec<IpNet>,
}

impl TrustedProxies {
    /// Believes `header` from peers in `ranges`; with no header, nobody's.
    pub fn new(header: Option<HeaderName>, ranges: Vec<IpNet>) -> Self {
        Self(header.map(|header| Arc::new(Proxies { header, ranges })))
    }

    /// Where a request came from. The TCP peer, unless it is one of our proxies: then the
    /// forwarding header is read from the right (each proxy appends the address it was reached
    /// from), past every hop that is itself a trusted proxy, to the first that is not, as Rails,
    /// Express (`trust proxy`) and Traefik do. Entries to its left are whatever the client
    /// claimed. A header anyone else sends is ignored.
    pub fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.ip().to_canonical();
        let Some(proxies) = self.0.as_deref().filter(|p| p.trusts(peer)) else {
            return peer;
        };
        let entries: Vec<&str> =
            headers.get_all(&proxies.header).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            // An unreadable entry: the hop that passed it on is the last one we can vouch for.
            let Some(ip) = parse_forwarded(entry).map(|ip| ip.to_canonical()) else {
                break;
            };
            client = ip;
            if !proxies.trusts(ip) {
                break;
            }
        }
        if client == peer {
            // Every client would share the proxy's own bucket: say so (once) rather than
            // throttle everyone quietly.
            static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!(header = %proxies.header, "TRUSTED_PROXY_HEADER missing or unreadable from a trusted proxy; using the proxy's address");
            }
        }
        client
    }
}

impl Proxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(&ip))
    }
}

/// One entry of a forwarding header: `203.0.113.9`, `203.0.113.9:4711`, `[2001:db8::1]:4711`,
/// or the `Forwarded` header's `for=` form (quoted or not).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let entry = entry
        .split(';')
        .find_map(|part| part.trim().strip_prefix("for=").or_else(|| part.trim().strip_prefix("For=")))
        .unwrap_or(entry)
        .trim_matches('"');
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).and_then(|e| e.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(ip_per_minute: u32, browser_per_hour: u32) -> Limits {
        Limits {
            ip_per_minute,
            ip_per_hour: 1000,
            ip48_per_minute: ip_per_minute * 3,
            ip48_per_hour: 1000,
            browser_per_hour,
            number_per_15_min: 3,
            number_per_day: 10,
            decline_cooldown: Duration::from_secs(3600),
        }
    }

    #[test]
    fn an_ip_gets_its_burst_then_waits() {
        let limiter = RequestLimiter::new(&limits(3, 1000));
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for i in 0..3 {
            assert_eq!(limiter.check_client(ip), Ok(()), "attempt {i}");
        }
        let refused = limiter.check_client(ip).unwrap_err();
        assert_eq!(refused.cause, Throttle::TooManyAttempts);
        // One attempt comes back every 20 s at 3 per minute.
        assert!(refused.retry_after > Duration::from_secs(15) && refused.retry_after <= Duration::from_secs(20));
        // Another address has its own bucket.
        assert_eq!(limiter.check_client("203.0.113.8".parse().unwrap()), Ok(()));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_their_48() {
        let limiter = RequestLimiter::new(&limits(2, 1000));
        assert_eq!(limiter.check_client("2001:db8:1:2::1".parse().unwrap()), Ok(()));
        assert_eq!(limiter.check_client("2001:db8:1:2:ffff::9".parse().unwrap()), Ok(()));
        assert!(limiter.check_client("2001:db8:1:2:abcd::7".parse().unwrap()).is_err(), "same /64");
        // Other /64s of the same /48 share its wider bucket: 2 × 3 = 6 per minute, of which the
        // first /64 took 2 (the refused third attempt stopped at the /64's bucket).
        for i in 3..7 {
            assert_eq!(limiter.check_client(format!("2001:db8:1:{i}::1").parse().unwrap()), Ok(()), "/64 number {i}");
        }
        assert!(limiter.check_client("2001:db8:1:99::1".parse().unwrap()).is_err(), "the /48 is used up");
        assert_eq!(limiter.check_client("2001:db8:2:3::1".parse().unwrap()), Ok(()), "another /48");
        let v6 = buckets("2001:db8:1:2:3:4:5:6".parse().unwrap());
        assert_eq!(v6.own, "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_eq!(v6.wide, Some("2001:db8:1::".parse::<IpAddr>().unwrap()));
        assert_eq!(network_of("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1::/48");
        assert_eq!(network_of("203.0.113.77".parse().unwrap()), "203.0.113.0/24");
        let mapped = buckets("::ffff:203.0.113.7".parse().unwrap());
        assert_eq!(mapped, Buckets { own: "203.0.113.7".parse().unwrap(), wide: None });
    }

    #[test]
    fn a_browser_is_limited_whatever_its_address() {
        let limiter = RequestLimiter::new(&limits(1000, 2));
        for _ in 0..2 {
            assert_eq!(limiter.check_browser("same"), Ok(()));
        }
        assert!(limiter.check_browser("same").is_err());
        assert_eq!(limiter.check_browser("other"), Ok(()));
    }

    #[test]
    fn two_rejections_within_an_hour_pause_the_number_from_the_latest() {
        let limits = limits(10, 10);
        let minute = 60_000;
        let now = 1_000 * minute;
        let history = |declines: Vec<i64>| NumberHistory { declines, counters: vec![] };
        // Two rejections 50 minutes apart, the latest 10 minutes ago: paused for 50 more minutes.
        let paused = number_verdict(&history(vec![now - 10 * minute, now - 60 * minute]), &limits, now).unwrap();
        assert_eq!(paused.cause, Throttle::RecentlyDeclined);
        assert_eq!(paused.retry_after, Duration::from_secs(50 * 60));
        // Further apart than the window, or a single one: no pause.
        assert_eq!(number_verdict(&history(vec![now - 10 * minute, now - 71 * minute]), &limits, now), None);
        assert_eq!(number_verdict(&history(vec![now - minute]), &limits, now), None);
        // The pause has run out.
        assert_eq!(number_verdict(&history(vec![now - 61 * minute, now - 62 * minute]), &limits, now), None);
    }

    #[test]
    fn a_full_counter_refuses_until_its_window_ends() {
        let limits = limits(10, 10);
        let [short, long] = limits.number_caps();
        let now = 100_000_000;
        let full = NumberHistory { declines: vec![], counters: vec![(short, now - 60_000, 3), (long, now - 60_000, 3)] };
        let refused = number_verdict(&full, &limits, now).unwrap();
        assert_eq!((refused.cause, refused.retry_after), (Throttle::TooManyAttempts, Duration::from_secs(14 * 60)));
        let not_full = NumberHistory { declines: vec![], counters: vec![(short, now - 60_000, 2)] };
        assert_eq!(number_verdict(&not_full, &limits, now), None);
        let window_over = NumberHistory { declines: vec![], counters: vec![(short, now - 16 * 60_000, 3)] };
        assert_eq!(number_verdict(&window_over, &limits, now), None);
    }

    #[test]
    fn a_shared_counter_over_its_cap_refuses_until_its_window_ends() {
        let limits = limits(3, 10);
        let v4 = ClientKeys { own: "client".into(), wide: None };
        let [(minute, _), (hour, _), (browser, _)] = <[_; 3]>::try_from(request_counters(&limits, &v4, "browser")).unwrap();
        let count = |cap, window_start, hits| RequestCount { cap, window_start, hits };
        // The third attempt of the minute is still allowed; the fourth is not, until the minute ends.
        let third = [count(minute, 0, 3), count(hour, 0, 3), count(browser, 0, 3)];
        assert_eq!(request_verdict(&third, 10_000), None);
        let fourth = [count(minute, 0, 4), count(hour, 0, 4), count(browser, 0, 4)];
        let refused = request_verdict(&fourth, 10_000).unwrap();
        assert_eq!((refused.cause, refused.retry_after), (Throttle::TooManyAttempts, Duration::from_secs(50)));
        // Two counters over: the longer wait is the one told.
        let both = [count(minute, 0, 4), count(hour, 0, 4), count(browser, 0, 11)];
        assert_eq!(request_verdict(&both, 10_000).unwrap().retry_after, Duration::from_millis(3_590_000));
        // Counters are keyed by hashes, one name per limit; an IPv6 client's /48 has two more.
        let keys = |client| request_counters(&limits, &client, "b").into_iter().map(|(_, key)| key).collect::<Vec<_>>();
        assert_eq!(keys(ClientKeys { own: "c".into(), wide: None }), ["ipm:c", "iph:c", "bh:b"]);
        assert_eq!(keys(ClientKeys { own: "c".into(), wide: Some("w".into()) }), ["ipm:c", "iph:c", "bh:b", "i48m:w", "i48h:w"]);
    }

    #[test]
    fn retry_after_is_coarse() {
        let secs = |s: u64| Throttled { cause: Throttle::TooManyAttempts, retry_after: Duration::from_secs(s) }.retry_after_secs();
        assert_eq!(secs(0), 10);
        assert_eq!(secs(3), 10);
        assert_eq!(secs(19), 20);
        assert_eq!(secs(59), 60);
        assert_eq!(secs(61), 120);
        assert_eq!(secs(3599), 3600);
    }

    #[test]
    fn the_forwarding_header_is_believed_only_from_trusted_proxies() {
        let proxy: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.20:4000".parse().unwrap();
        let xff = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", value.parse().unwrap());
            headers
        };
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let claimed = xff("1.1.1.1, 203.0.113.9");
        // No proxies configured: the peer, whatever the header says.
        assert_eq!(TrustedProxies::default().client_ip(proxy, &claimed), proxy.ip());
        let trusted = TrustedProxies::new(Some(HeaderName::from_static("x-forwarded-for")), vec!["10.0.0.0/8".parse().unwrap()]);
        // From a trusted proxy: the right-most address it appended.
        assert_eq!(trusted.client_ip(proxy, &claimed), ip("203.0.113.9"));
        // From anyone else: ignored.
        assert_eq!(trusted.client_ip(stranger, &claimed), stranger.ip());
        // Past trusted hops (a second proxy inside), to the first address that is not one.
        assert_eq!(trusted.client_ip(proxy, &xff("6.6.6.6, 203.0.113.9, 10.0.0.7, 10.9.9.9")), ip("203.0.113.9"));
        // Every hop trusted: the left-most.
        assert_eq!(trusted.client_ip(proxy, &xff("10.1.1.1, 10.2.2.2")), ip("10.1.1.1"));
        // Unreadable where the proxy wrote: the proxy's own address.
        assert_eq!(trusted.client_ip(proxy, &xff("203.0.113.9, not an address")), proxy.ip());
        assert_eq!(trusted.client_ip(proxy, &HeaderMap::new()), proxy.ip());
        // Several header lines are one list, in order.
        let mut lines = HeaderMap::new();
        lines.append("x-forwarded-for", "6.6.6.6".parse().unwrap());
        lines.append("x-forwarded-for", "203.0.113.10, 10.0.0.8".parse().unwrap());
        assert_eq!(trusted.client_ip(proxy, &lines), ip("203.0.113.10"));
        // A peer or hop in IPv4-mapped IPv6 form is the IPv4 address it names.
        let mapped: SocketAddr = "[::ffff:10.0.0.5]:4000".parse().unwrap();
        assert_eq!(trusted.client_ip(mapped, &xff("::ffff:203.0.113.11")), ip("203.0.113.11"));
        for (entry, ip) in [
            ("203.0.113.9:4711", "203.0.113.9"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("for=192.0.2.60;proto=http", "192.0.2.60"),
            ("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
        ] {
            assert_eq!(parse_forwarded(entry), Some(ip.parse().unwrap()), "{entry}");
        }
    }
}
