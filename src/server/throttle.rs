//! Limits on starting sign-ins, so the form cannot be used to flood phones or our provider quota.
//!
//! Two kinds, as the OWASP bot-management advice asks (independent buckets):
//! - per client IP (a burst per minute and a sustained rate per hour) and per browser session.
//!   Counted twice: in memory first (GCRA, `governor`), cheap enough to run before any database
//!   work, so a flood against one instance costs it no write; then in database counters (fixed
//!   windows, [`request_counters`]), which every instance shares, so several instances behind a
//!   balancer do not multiply the limit.
//! - per phone number (prompts per 15 minutes and per day, and the cool-down after repeated
//!   rejections), kept in the database with the number's lock (`Store::start`), so they hold
//!   across instances, browsers and IPs.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    time::Duration,
};

use axum::http::{HeaderMap, HeaderName};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};

use super::store::{NumberHistory, NumberQuery, RequestCount};
use crate::domain::Throttle;

/// Configured limits (`RATE_*` settings, see `Leptos.toml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub ip_per_minute: u32,
    pub ip_per_hour: u32,
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

/// A fixed-window counter kept in the database: at most `max` in `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    pub name: &'static str,
    pub max: u32,
    pub window: Duration,
}

impl Cap {
    /// The counter's key for what it counts (a keyed hash, never a number or an address).
    pub fn key(&self, subject: &str) -> String {
        format!("{}:{subject}", self.name)
    }
}

/// The shared counters one attempt from a client (`client_key`, a keyed hash of its address's
/// bucket, see [`bucket_name`]) in a browser (`browser`, its key's hash) counts against.
pub fn request_counters(limits: &Limits, client_key: &str, browser: &str) -> [(Cap, String); 3] {
    let cap = |name, max, secs| Cap { name, max, window: Duration::from_secs(secs) };
    let (minute, hour, browser_hour) =
        (cap("ipm", limits.ip_per_minute, 60), cap("iph", limits.ip_per_hour, 3600), cap("bh", limits.browser_per_hour, 3600));
    [(minute, minute.key(client_key)), (hour, hour.key(client_key)), (browser_hour, browser_hour.key(browser))]
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
    browser: DefaultKeyedRateLimiter<String>,
}

impl RequestLimiter {
    pub fn new(limits: &Limits) -> Self {
        let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            ip_burst: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n(limits.ip_per_minute))),
            ip_sustained: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(limits.ip_per_hour))),
            browser: DefaultKeyedRateLimiter::keyed(Quota::per_hour(n(limits.browser_per_hour))),
        }
    }

    /// Counts one attempt from `ip`. Checked before anything else, so a flood costs no session
    /// or database write.
    pub fn check_client(&self, ip: IpAddr) -> Result<(), Throttled> {
        let client = bucket(ip);
        let now = self.ip_burst.clock().now();
        self.ip_burst.check_key(&client).map_err(|e| refused(e.wait_time_from(now)))?;
        self.ip_sustained.check_key(&client).map_err(|e| refused(e.wait_time_from(now)))?;
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
        self.browser.retain_recent();
    }
}

/// The `TRUSTED_PROXY_HEADER` setting, for handlers.
#[derive(Clone, Debug, Default)]
pub struct ProxyHeader(pub Option<HeaderName>);

fn refused(wait: Duration) -> Throttled {
    Throttled { cause: Throttle::TooManyAttempts, retry_after: wait }
}

/// The name of the bucket a client's address is counted in (to be hashed before it is stored).
pub fn bucket_name(ip: IpAddr) -> String {
    bucket(ip).to_string()
}

/// The address a limit counts: IPv4 as is; IPv6 by its /64, since one subscriber usually holds a
/// whole /64 and could otherwise take a fresh address for every request.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

/// Where a request came from. Without a configured proxy header, the TCP peer: headers anyone
/// can send (`X-Forwarded-For`) are ignored. With one, the right-most address in it, which is
/// the one our own proxy appended (addresses to its left are whatever the client claimed).
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted_header: Option<&HeaderName>) -> IpAddr {
    let Some(name) = trusted_header else {
        return peer.ip();
    };
    let forwarded = headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.rsplit(',').next())
        .and_then(parse_forwarded);
    forwarded.unwrap_or_else(|| {
        // Every client would share the proxy's own bucket: say so (once) rather than throttle
        // everyone quietly.
        static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(header = %name, "TRUSTED_PROXY_HEADER missing or unreadable; using the peer address");
        }
        peer.ip()
    })
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
    fn ipv6_clients_are_counted_by_their_64() {
        let limiter = RequestLimiter::new(&limits(2, 1000));
        assert_eq!(limiter.check_client("2001:db8:1:2::1".parse().unwrap()), Ok(()));
        assert_eq!(limiter.check_client("2001:db8:1:2:ffff::9".parse().unwrap()), Ok(()));
        assert!(limiter.check_client("2001:db8:1:2:abcd::7".parse().unwrap()).is_err(), "same /64");
        assert_eq!(limiter.check_client("2001:db8:1:3::1".parse().unwrap()), Ok(()), "another /64");
        assert_eq!(bucket("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7".parse::<IpAddr>().unwrap());
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
        let [(minute, _), (hour, _), (browser, _)] = request_counters(&limits, "client", "browser");
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
        // Counters are keyed by hashes, one name per limit.
        assert_eq!(request_counters(&limits, "c", "b").map(|(_, key)| key), ["ipm:c", "iph:c", "bh:b"]);
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
    fn client_ip_trusts_only_the_configured_header() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.1.1.1, 203.0.113.9".parse().unwrap());
        assert_eq!(client_ip(peer, &headers, None), peer.ip());
        let xff = HeaderName::from_static("x-forwarded-for");
        assert_eq!(client_ip(peer, &headers, Some(&xff)), "203.0.113.9".parse::<IpAddr>().unwrap());
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_ip(peer, &headers, Some(&xff)), peer.ip());
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
