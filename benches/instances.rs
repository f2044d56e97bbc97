//! `make bench`, second part (BENCHMARKS.md, "One instance or several"): the same sign-ins on
//! three deployments: one instance on SQLite, one on PostgreSQL, and two on PostgreSQL where every
//! callback lands on the other instance than the waiting browser. For each:
//! - P1: callback sent → the browser's held `status` request answers with the change;
//! - P3: complete sign-ins per second, 64 at a time;
//! - what one complete sign-in costs: CPU of the app processes and of PostgreSQL's processes
//!   (from /proc), and database statements (every statement sqlx runs, counted from its
//!   `sqlx::query` debug log in a separate run, since logging them costs time).
//!
//! Needs `TEST_POSTGRES_URL` (an admin URL): `make bench` runs this under `.ci/postgres`.

mod common;

use std::{
    io::Read,
    sync::Arc,
    time::{Duration, Instant},
};

use common::{approval_for, fresh_postgres, is_signed_in, is_waiting, join_all, ms, next_number, pct, processes_cpu, Browser, Log, Server};
use reqwest::Client;
use serde_json::Value;
use tokio::sync::Semaphore;

fn main() {
    common::main(run);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SqliteOne,
    PostgresOne,
    PostgresTwo,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::SqliteOne => "1 instance, SQLite",
            Kind::PostgresOne => "1 instance, PostgreSQL",
            Kind::PostgresTwo => "2 instances, PostgreSQL, callback on the other",
        }
    }
}

struct Deployment {
    servers: Vec<Server>,
    /// Where browsers sign in.
    browser: String,
    /// Where Truecaller's callbacks land.
    callbacks: String,
    /// The simulator holding the prompts.
    sim: String,
    /// The servers' logs, when they are being counted.
    logs: Vec<std::path::PathBuf>,
    _dir: tempfile::TempDir,
}

/// Starts a deployment. With `count_statements`, every server logs each statement to a file.
async fn deploy(kind: Kind, admin: &str, count_statements: bool, round: usize) -> Deployment {
    let dir = tempfile::TempDir::new().unwrap();
    let mut logs = Vec::new();
    let mut log = |name: &str| {
        if !count_statements {
            return Log::Inherit;
        }
        let path = dir.path().join(format!("{name}.log"));
        logs.push(path.clone());
        Log::File(std::fs::File::create(path).unwrap())
    };
    let rust_log = if count_statements { "error,sqlx::query=debug" } else { "error" };
    let database = match kind {
        Kind::SqliteOne => format!("sqlite://{}/bench.db", dir.path().display()),
        _ => fresh_postgres(admin, &format!("bench_{round}")).await,
    };
    let base_env = [("DATABASE_URL", database.as_str()), ("RUST_LOG", rust_log)];
    let a = Server::start_logged(&base_env, log("a")).await;
    let sim = format!("{}/simulator", a.base);
    let mut servers = vec![a];
    if kind == Kind::PostgresTwo {
        // B asks A's simulator for prompts, as it would ask Truecaller; the simulator's callbacks
        // (posted here by the bench) go to A, while the browsers wait on B.
        let env = [
            base_env[0],
            base_env[1],
            ("TRUECALLER_APP_KEY", "simulator-app-key"),
            ("TRUECALLER_API_URL", sim.as_str()),
            ("TRUECALLER_PROFILE_URL", sim.as_str()),
        ];
        servers.push(Server::start_logged(&env, log("b")).await);
    }
    Deployment {
        browser: servers.last().map(|s| s.base.clone()).unwrap_or_default(),
        callbacks: servers[0].base.clone(),
        sim,
        servers,
        logs,
        _dir: dir,
    }
}

impl Deployment {
    /// One sign-in waiting on the browser's instance; its approval callback (unsent).
    async fn waiting(&self, http: &Client) -> (Browser, Value) {
        let phone = next_number();
        let mut browser = Browser::new(http, &self.browser);
        let status = browser.initiate(&phone).await;
        assert!(is_waiting(&status), "{status}");
        (browser, approval_for(http, &self.sim, &phone).await)
    }

    async fn post_callback(&self, http: &Client, body: &Value) {
        let response = http.post(format!("{}/auth/truecaller/callback", self.callbacks)).json(body).send().await.unwrap();
        assert!(response.status().is_success(), "callback answered {}", response.status());
    }

    fn app_cpu(&self) -> Duration {
        self.servers.iter().map(Server::cpu).sum()
    }

    /// Statements logged so far by every server.
    fn statements(&self) -> usize {
        self.logs
            .iter()
            .map(|path| {
                let mut text = String::new();
                std::fs::File::open(path).unwrap().read_to_string(&mut text).unwrap();
                text.lines().filter(|line| line.contains("sqlx::query")).count()
            })
            .sum()
    }
}

/// P1: the browser holds `status` open on its instance; the callback goes to the callbacks' one.
async fn completion_latency(http: &Client, deployment: &Arc<Deployment>, count: usize, concurrency: usize) -> Vec<Duration> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for _ in 0..count {
        let (http, deployment, gate) = (http.clone(), deployment.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let (mut browser, callback) = deployment.waiting(&http).await;
            let watcher = tokio::spawn(async move {
                let seen = loop {
                    let status = browser.status(20_000).await;
                    if !is_waiting(&status) {
                        break (Instant::now(), status);
                    }
                };
                let mut status = seen.1;
                while !is_signed_in(&status) {
                    status = browser.status(5_000).await;
                }
                seen.0
            });
            // Let the held request reach the server before the approval lands.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let sent = Instant::now();
            deployment.post_callback(&http, &callback).await;
            watcher.await.unwrap().duration_since(sent)
        }));
    }
    join_all(tasks).await
}

/// P3: complete sign-ins (initiate → callback → profile → the browser signed in).
async fn sign_ins(http: &Client, deployment: &Arc<Deployment>, count: usize, concurrency: usize) -> f64 {
    let gate = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..count {
        let (http, deployment, gate) = (http.clone(), deployment.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let (mut browser, callback) = deployment.waiting(&http).await;
            deployment.post_callback(&http, &callback).await;
            while !is_signed_in(&browser.status(5_000).await) {}
        }));
    }
    join_all(tasks).await;
    count as f64 / started.elapsed().as_secs_f64()
}

async fn run() {
    let divide: usize = std::env::var("BENCH_DIVIDE").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let scale = |n: usize| (n / divide).max(1);
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        panic!("TEST_POSTGRES_URL is not set: run `make bench` (it starts a throwaway PostgreSQL)");
    };
    let http = Client::builder().pool_max_idle_per_host(1024).build().unwrap();
    println!("\n## One instance or several");
    println!("| deployment | P1 p50 | P1 p99 | sign-ins/s (64 at a time) | app CPU / sign-in | PostgreSQL CPU / sign-in | statements / sign-in | sign-ins per CPU-second |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut round = 0;
    for kind in [Kind::SqliteOne, Kind::PostgresOne, Kind::PostgresTwo] {
        // Statements, counted on a deployment of their own (logging each costs time).
        round += 1;
        let counted = Arc::new(deploy(kind, &admin, true, round).await);
        sign_ins(&http, &counted, 20, 4).await;
        let before = counted.statements();
        let n = scale(200);
        sign_ins(&http, &counted, n, 8).await;
        let statements = (counted.statements() - before) as f64 / n as f64;
        drop(counted);
        // BENCH_ONLY=statements: the count alone (quick).
        if std::env::var("BENCH_ONLY").is_ok_and(|v| v == "statements") {
            println!("| {} | | | | | | {statements:.1} | |", kind.name());
            continue;
        }

        round += 1;
        let timed = Arc::new(deploy(kind, &admin, false, round).await);
        sign_ins(&http, &timed, scale(100), 16).await;
        let mut p1 = completion_latency(&http, &timed, scale(500), 8).await;
        let n = scale(2000);
        let (app_before, pg_before) = (timed.app_cpu(), processes_cpu("postgres"));
        let rate = sign_ins(&http, &timed, n, 64).await;
        let app = timed.app_cpu().saturating_sub(app_before).as_secs_f64() / n as f64;
        let pg = processes_cpu("postgres").saturating_sub(pg_before).as_secs_f64() / n as f64;
        println!(
            "| {} | {} | {} | {rate:.0} | {:.2} ms | {:.2} ms | {statements:.1} | {:.0} |",
            kind.name(),
            ms(pct(&mut p1, 0.5)),
            ms(pct(&mut p1, 0.99)),
            app * 1000.0,
            pg * 1000.0,
            1.0 / (app + pg)
        );
    }
}
