//! `make faults`: the fault-injection run (see RELIABILITY.md).
//!
//! 10,000 sign-ins against the real server (a child process in live mode) and a Truecaller
//! simulator inside this process, while:
//! - a share of profile fetches fail with 503 (the server must retry within the token's life);
//! - every approval callback is delivered twice, half of the pairs at the same moment;
//! - one sign-in in 50 is approved only after its deadline (it must sign nobody in);
//! - the server is stopped with SIGTERM and started again once, halfway through.
//!
//! Callbacks and browser requests that fail while the server is down are retried, as Truecaller
//! and the sign-in page do. The run reports approvals lost and wrong-user sign-ins: both must be 0.

mod common;

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::{approval_for, is_signed_in, Browser, Server};
use reqwest::Client;
use serde_json::Value;
use tokio::sync::{RwLock, Semaphore};
use truecaller_signin::server::simulator::{Simulator, APP_KEY};

fn main() {
    common::main(run);
}

#[derive(Default)]
struct Tally {
    signed_in: AtomicUsize,
    lost: AtomicUsize,
    wrong_user: AtomicUsize,
    late_sent: AtomicUsize,
    late_refused: AtomicUsize,
    late_signed_in: AtomicUsize,
    callbacks_sent: AtomicUsize,
    callback_retries: AtomicUsize,
    request_retries: AtomicUsize,
    done: AtomicUsize,
}

/// Where the server is now (its base URL does not change across the restart).
struct Target {
    base: String,
    sim: String,
    http: Client,
    tally: Tally,
    /// Set while the server is being restarted, for the report only.
    restarting: AtomicBool,
    restarted_at_done: AtomicU64,
}

const PROFILE_FAILURE_PERCENT: u32 = 20;
const TIMEOUT_SECS: u64 = 10;

async fn run() {
    let count: usize = std::env::var("FAULT_SIGN_INS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let concurrency = 64;

    // The simulator lives here, so it keeps its prompts and tokens while the server restarts.
    let port = common::free_port();
    let callback_url = url::Url::parse(&format!("http://127.0.0.1:{port}/auth/truecaller/callback")).unwrap();
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_base = format!("http://{}", sim_listener.local_addr().unwrap());
    let profile_endpoint = url::Url::parse(&format!("{sim_base}/v1/default")).unwrap();
    let simulator = Simulator::new(callback_url, profile_endpoint);
    simulator.fail_profile_fetches(PROFILE_FAILURE_PERCENT);
    let router: axum::Router = simulator.clone().router();
    tokio::spawn(async move { axum::serve(sim_listener, router).await.unwrap() });

    let timeout = TIMEOUT_SECS.to_string();
    let server = Server::start_on_port(
        port,
        &[
            ("TRUECALLER_APP_KEY", APP_KEY),
            ("TRUECALLER_API_URL", &sim_base),
            ("TRUECALLER_PROFILE_URL", &sim_base),
            ("SIGNIN_TIMEOUT_SECS", &timeout),
        ],
    )
    .await;
    let target = Arc::new(Target {
        base: server.base.clone(),
        sim: sim_base.clone(),
        http: Client::builder().pool_max_idle_per_host(256).timeout(Duration::from_secs(40)).build().unwrap(),
        tally: Tally::default(),
        restarting: AtomicBool::new(false),
        restarted_at_done: AtomicU64::new(0),
    });
    println!("server pid {} at {} (live mode against the simulator at {sim_base}); {count} sign-ins, concurrency {concurrency}", server.child.id(), target.base);

    let started = Instant::now();
    let server = Arc::new(RwLock::new(Some(server)));
    let restarter = {
        let (target, server) = (target.clone(), server.clone());
        tokio::spawn(async move {
            while target.tally.done.load(Ordering::Relaxed) < count / 2 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            target.restarting.store(true, Ordering::Relaxed);
            target.restarted_at_done.store(target.tally.done.load(Ordering::Relaxed) as u64, Ordering::Relaxed);
            let old = server.write().await.take().unwrap();
            let (new, downtime) = old.restart().await;
            *server.write().await = Some(new);
            target.restarting.store(false, Ordering::Relaxed);
            downtime
        })
    };

    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for i in 0..count {
        let (target, gate) = (target.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let late = i % 50 == 7;
            one_sign_in(&target, i, late).await;
            target.tally.done.fetch_add(1, Ordering::Relaxed);
        }));
    }
    common::join_all(tasks).await;
    let downtime = restarter.await.unwrap();
    let elapsed = started.elapsed();

    let t = &target.tally;
    let load = |a: &AtomicUsize| a.load(Ordering::Relaxed);
    let approved_in_time = count - load(&t.late_sent);
    println!("\n| measure | value |");
    println!("|---|---|");
    println!("| sign-ins started | {count} |");
    println!("| approved before the deadline | {approved_in_time} |");
    println!("| ... signed in as the right account | {} |", load(&t.signed_in));
    println!("| **approvals lost** (approved in time, never signed in) | **{}** |", load(&t.lost));
    println!("| **wrong-user sign-ins** | **{}** |", load(&t.wrong_user));
    println!("| approved after the deadline | {} |", load(&t.late_sent));
    println!("| ... shown \"approved too late\", nobody signed in | {} |", load(&t.late_refused));
    println!("| ... signed in anyway (must be 0) | {} |", load(&t.late_signed_in));
    println!("| approval callbacks delivered (each twice) | {} |", load(&t.callbacks_sent));
    println!("| profile fetches failed with injected 503 ({PROFILE_FAILURE_PERCENT} %) | {} |", simulator.injected_failures());
    println!("| server restarts (SIGTERM, graceful) | 1, after {} sign-ins; port closed {:.2} s |", target.restarted_at_done.load(Ordering::Relaxed), downtime.as_secs_f64());
    println!("| callbacks retried (server down) | {} |", load(&t.callback_retries));
    println!("| browser requests retried (server down) | {} |", load(&t.request_retries));
    println!("| wall time | {:.1} s |", elapsed.as_secs_f64());
    drop(server);
    if load(&t.lost) + load(&t.wrong_user) + load(&t.late_signed_in) > 0 {
        eprintln!("FAULT RUN FAILED");
        std::process::exit(1);
    }
}

/// A browser request, retried while the server is restarting (as the page's fallback does).
async fn call(target: &Target, browser: &mut Browser, path: &str, form: &[(&str, String)]) -> Value {
    for attempt in 0.. {
        match browser.try_call(path, form).await {
            Ok(value) => return value,
            Err(e) if attempt < 200 => {
                target.tally.request_retries.fetch_add(1, Ordering::Relaxed);
                if attempt > 100 {
                    eprintln!("retrying {path}: {e}");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{path} kept failing: {e}"),
        }
    }
    unreachable!()
}

/// Posts a callback until it is acknowledged (Truecaller retries failed deliveries).
async fn deliver(target: &Target, body: &Value) {
    target.tally.callbacks_sent.fetch_add(1, Ordering::Relaxed);
    for attempt in 0..200 {
        let sent = target.http.post(format!("{}/auth/truecaller/callback", target.base)).json(body).send().await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        if attempt > 0 {
            target.tally.callback_retries.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("callback never acknowledged");
}

async fn one_sign_in(target: &Target, i: usize, late: bool) {
    let phone = common::next_number();
    let mut browser = Browser::new(&target.http, &target.base);
    let status = call(target, &mut browser, "signin/initiate", &[("phone", format!("+{phone}"))]).await;
    assert!(status.get("Waiting").is_some(), "{status}");

    if late {
        // Wait out the deadline, then approve.
        loop {
            let status = call(target, &mut browser, "signin/status", &[("wait_ms", "20000".into())]).await;
            if status.get("TimedOut").is_some() {
                break;
            }
        }
        let approval = approval_for(&target.http, &target.sim, &phone).await;
        target.tally.late_sent.fetch_add(1, Ordering::Relaxed);
        deliver(target, &approval).await;
        deliver(target, &approval).await;
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let status = call(target, &mut browser, "signin/status", &[("wait_ms", "5000".into())]).await;
            if is_signed_in(&status) {
                target.tally.late_signed_in.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if status == "ApprovedTooLate" {
                target.tally.late_refused.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if Instant::now() > until {
                eprintln!("late approval {phone}: ended as {status}");
                return;
            }
        }
    }

    let approval = approval_for(&target.http, &target.sim, &phone).await;
    if i.is_multiple_of(2) {
        tokio::join!(deliver(target, &approval), deliver(target, &approval));
    } else {
        deliver(target, &approval).await;
        deliver(target, &approval).await;
    }
    // Profile retries back off up to a few seconds; the token lives 10 minutes.
    let until = Instant::now() + Duration::from_secs(120);
    let final_status = loop {
        let status = call(target, &mut browser, "signin/status", &[("wait_ms", "20000".into())]).await;
        if is_signed_in(&status) || Instant::now() > until {
            break status;
        }
        let pending = status.get("Waiting").is_some() || status.get("Approved").is_some();
        if !pending {
            break status;
        }
    };
    if !is_signed_in(&final_status) {
        target.tally.lost.fetch_add(1, Ordering::Relaxed);
        eprintln!("approval lost for sign-in {i}: ended as {final_status}");
        return;
    }
    let account = call(target, &mut browser, "account", &[]).await;
    // The account page masks the number; the simulator names each generated user after the
    // number's last four digits, which tell this run's numbers apart.
    let (name, masked) = (account["name"].as_str().unwrap_or_default(), account["phone"].as_str().unwrap_or_default());
    let expected_name = format!("Sim User {}", &phone[phone.len() - 4..]);
    if name == expected_name && masked.starts_with("+91 ") && masked.ends_with(&phone[phone.len() - 2..]) {
        target.tally.signed_in.fetch_add(1, Ordering::Relaxed);
    } else {
        target.tally.wrong_user.fetch_add(1, Ordering::Relaxed);
        eprintln!("wrong user: typed {phone}, signed in as {name} {masked}");
    }
}
