//! Shared by the benchmark and the fault-injection run: the server as a child process (this same
//! binary re-run with `--serve`, so its memory can be read from /proc apart from the load
//! generator's), and a browser that keeps its session cookie.

#![allow(dead_code)] // each bench uses its own subset

use std::{
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use reqwest::{header, Client};
use serde_json::Value;

/// A bench binary's `main`: the server when started with `--serve`, else `bench` as the load
/// generator.
pub fn main<F: std::future::Future<Output = ()>>(bench: impl FnOnce() -> F) {
    if serve_if_asked() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(bench());
}

/// Every task's result, in order.
pub async fn join_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await.expect("task"));
    }
    out
}

/// Runs the server and returns true when this process was started with `--serve`.
fn serve_if_asked() -> bool {
    if !std::env::args().any(|a| a == "--serve") {
        return false;
    }
    use truecaller_signin::server::{startup::Application, SignInBuilder};
    // Logs as the release binary writes them (RUST_LOG picks what), so a bench can count lines.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "error".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(std::io::stderr).init();
    // The runtime the release binary runs on.
    let runtime = truecaller_signin::server::startup::runtime().expect("runtime");
    runtime.block_on(async {
        let settings = SignInBuilder::from_env().expect("bench configuration");
        let options = leptos::config::get_configuration(None).expect("leptos configuration").leptos_options;
        let app = Application::build(settings, options).await.expect("server starts");
        let stop = async {
            if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                term.recv().await;
            }
        };
        app.run_until(stop).await.expect("server runs");
    });
    true
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub port: u16,
    env: Vec<(String, String)>,
    dir: tempfile::TempDir,
}

/// Where a server's log goes: the bench's own stderr, or a file (to count what it logged).
pub enum Log {
    Inherit,
    File(std::fs::File),
}

/// Every load comes from 127.0.0.1: the per-address and per-browser limits would refuse it.
const UNLIMITED: [(&str, &str); 5] = [
    ("RATE_IP_PER_MINUTE", "1000000"),
    ("RATE_IP_PER_HOUR", "1000000"),
    ("RATE_BROWSER_PER_HOUR", "1000000"),
    ("RATE_NUMBER_PER_15_MIN", "1000000"),
    ("RATE_NUMBER_PER_DAY", "1000000"),
];

impl Server {
    /// Starts the server on a free port with a fresh database; `env` on top of the defaults.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        Self::start_logged(env, Log::Inherit).await
    }

    /// Starts the server on a free port with a fresh database, its log going to `log`.
    pub async fn start_logged(env: &[(&str, &str)], log: Log) -> Self {
        let port = free_port();
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self::start_on(port, env, tempfile::TempDir::new().unwrap(), log).await
    }

    /// Starts the server on `port` (e.g. one a simulator already sends callbacks to).
    pub async fn start_on_port(port: u16, env: &[(&str, &str)]) -> Self {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Self::start_on(port, env, tempfile::TempDir::new().unwrap(), Log::Inherit).await
    }

    async fn start_on(port: u16, env: Vec<(String, String)>, dir: tempfile::TempDir, log: Log) -> Self {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        // BENCH_WRAP=heaptrack runs the server under a profiler (its RSS readings are then the
        // wrapper's, not the server's).
        let mut command = match std::env::var("BENCH_WRAP") {
            Ok(wrap) => {
                let mut c = Command::new(wrap);
                c.arg(std::env::current_exe().unwrap());
                c
            }
            Err(_) => Command::new(std::env::current_exe().unwrap()),
        };
        command
            .arg("--serve")
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "truecaller-signin")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("DATABASE_URL", format!("sqlite://{}/bench.db", dir.path().display()))
            .env("SIGNIN_TIMEOUT_SECS", "600")
            .env("RUST_LOG", "error")
            .env("APP_CONFIG", "/nonexistent")
            .envs(UNLIMITED)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(match log {
                Log::Inherit => Stdio::inherit(),
                Log::File(file) => Stdio::from(file),
            });
        let child = command.spawn().expect("server process");
        // Dropping `server` kills the child, also if it never comes up.
        let server = Self { child, base: format!("http://{addr}"), port, env, dir };
        let probe = Client::new();
        for _ in 0..400 {
            if probe.get(format!("{}/healthz", server.base)).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server did not start");
    }

    /// Stops the server the way an orchestrator does (SIGTERM, graceful), and starts it again on
    /// the same port and database. Returns the new server and how long the port was closed.
    pub async fn restart(mut self) -> (Self, Duration) {
        // The shell's own `kill`: std has no way to send SIGTERM, and /bin/kill may be absent.
        let _ = Command::new("sh").args(["-c", &format!("kill -TERM {}", self.child.id())]).status();
        let stopping = Instant::now();
        while self.child.try_wait().ok().flatten().is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (port, env) = (self.port, std::mem::take(&mut self.env));
        let dir = std::mem::replace(&mut self.dir, tempfile::TempDir::new().unwrap());
        drop(self);
        let server = Self::start_on(port, env, dir, Log::Inherit).await;
        (server, stopping.elapsed())
    }

    /// CPU time the server process has used so far (user + system).
    pub fn cpu(&self) -> Duration {
        process_cpu(self.child.id()).unwrap_or_default()
    }

    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User + system CPU time of process `pid` so far, from /proc (clock ticks of 1/100 s, the
/// kernel's USER_HZ on Linux).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The whole machine's CPU time so far (every core), busy and in all, from `/proc/stat`: over an
/// interval, busy ÷ all says whether the cores were the limit.
pub fn machine_cpu() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    let all: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    (Duration::from_millis(all.saturating_sub(idle) * 10), Duration::from_millis(all * 10))
}

/// CPU time used so far by every process named `name` (e.g. all of PostgreSQL's backends).
pub fn processes_cpu(name: &str) -> Duration {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == name))
        .filter_map(process_cpu)
        .sum()
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One browser: its own session cookie, sharing the HTTP client.
pub struct Browser {
    pub http: Client,
    pub base: String,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(http: &Client, base: &str) -> Self {
        Self { http: http.clone(), base: base.to_owned(), cookie: None }
    }

    /// A server function call; `Err` for transport failures and non-2xx answers.
    pub async fn try_call(&mut self, path: &str, form: &[(&str, String)]) -> Result<Value, String> {
        let mut request = self.http.post(format!("{}/api/{path}", self.base)).form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("{path}: {status} {body}"))
        }
    }

    pub async fn call(&mut self, path: &str, form: &[(&str, String)]) -> Value {
        self.try_call(path, form).await.unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn initiate(&mut self, phone: &str) -> Value {
        self.call("signin/initiate", &[("phone", format!("+{phone}"))]).await
    }

    pub async fn status(&mut self, wait_ms: u32) -> Value {
        self.call("signin/status", &[("wait_ms", wait_ms.to_string())]).await
    }
}

static NEXT_NUMBER: AtomicU64 = AtomicU64::new(0);

/// Distinct valid Indian mobile numbers, so the per-number lock never interferes.
pub fn next_number() -> String {
    format!("9197{:08}", NEXT_NUMBER.fetch_add(1, Ordering::Relaxed))
}

pub fn is_waiting(status: &Value) -> bool {
    status.get("Waiting").is_some()
}

pub fn is_signed_in(status: &Value) -> bool {
    status.get("SignedIn").is_some()
}

pub async fn json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The approval callback the simulator at `sim_base` would send for `phone`'s newest prompt,
/// without sending it.
pub async fn approval_for(http: &Client, sim_base: &str, phone: &str) -> Value {
    answer_for(http, sim_base, phone, "approve").await
}

/// The same for a rejection.
pub async fn rejection_for(http: &Client, sim_base: &str, phone: &str) -> Value {
    answer_for(http, sim_base, phone, "reject").await
}

async fn answer_for(http: &Client, sim_base: &str, phone: &str, verb: &str) -> Value {
    let prompts = json(http.get(format!("{sim_base}/api/requests?phone={phone}"))).await;
    let id = prompts[0]["requestId"].as_str().expect("prompt").to_owned();
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let answer = json(http.post(format!("{sim_base}/api/requests/{encoded}/{verb}?deliver=false"))).await;
    answer["callback"].clone()
}

pub fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A fresh database on the PostgreSQL server at `admin`.
pub async fn fresh_postgres(admin: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await.expect("TEST_POSTGRES_URL answers");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut conn).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    let mut url = url::Url::parse(admin).unwrap();
    url.set_path(name);
    url.to_string()
}
