//! `make bench`: drives the real server and its embedded simulator over loopback HTTP and prints
//! a table. The server is this same binary re-run with `--serve`, in its own process, so its
//! memory can be read from /proc without the load generator's.
//!
//! Figures (see BENCHMARKS.md):
//! - P1 completion latency: callback sent → a waiting browser sees the new state, for held
//!   requests (push) and for 3 s polling, in the same run;
//! - P3 throughput: complete sign-ins per second at concurrency 1, 64 and 512;
//! - P4 memory: server RSS with 10,000 sign-ins waiting on held requests;
//! - callback acknowledgement latency while 2,000 callbacks/s arrive.

mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::{approval_for, is_signed_in, is_waiting, join_all, ms, next_number, pct, rejection_for, Browser, Server};
use reqwest::Client;
use tokio::sync::Semaphore;

fn main() {
    common::main(run);
}

async fn post_callback(http: &Client, base: &str, body: &serde_json::Value) -> Duration {
    let started = Instant::now();
    let response = http.post(format!("{base}/auth/truecaller/callback")).json(body).send().await.unwrap();
    assert!(response.status().is_success(), "callback answered {}", response.status());
    started.elapsed()
}

/// One sign-in to the waiting state; returns the browser and its (unsent) approval callback.
async fn waiting_sign_in(http: &Client, base: &str) -> (Browser, serde_json::Value) {
    let phone = next_number();
    let mut browser = Browser::new(http, base);
    let status = browser.initiate(&phone).await;
    assert!(is_waiting(&status), "{status}");
    let callback = approval_for(http, &format!("{base}/simulator"), &phone).await;
    (browser, callback)
}

/// `count` sign-ins waiting, and the rejection callback for each (unsent).
async fn waiting_rejections(http: &Client, base: &str, count: usize) -> Vec<serde_json::Value> {
    let gate = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::new();
    for _ in 0..count {
        let (http, base, gate) = (http.clone(), base.to_owned(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let phone = next_number();
            let status = Browser::new(&http, &base).initiate(&phone).await;
            assert!(is_waiting(&status), "{status}");
            rejection_for(&http, &format!("{base}/simulator"), &phone).await
        }));
    }
    join_all(tasks).await
}

/// Posts and times the callbacks as Truecaller's servers would: from a thread and runtime of their
/// own, so the browsers this process plays (thousands of answers arriving at once) do not delay
/// the sending or the timing.
async fn post_apart(base: &str, callbacks: Vec<serde_json::Value>, rate: f64) -> (Vec<Duration>, f64) {
    let (done, result) = tokio::sync::oneshot::channel();
    let base = base.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let http = Client::new();
        let _ = done.send(runtime.block_on(post_at_rate(&http, &base, callbacks, rate)));
    });
    result.await.expect("the callback sender finished")
}

/// Posts `callbacks` at `rate` per second, each on its own task; returns the ack times and the
/// rate actually offered.
async fn post_at_rate(http: &Client, base: &str, callbacks: Vec<serde_json::Value>, rate: f64) -> (Vec<Duration>, f64) {
    let start = Instant::now();
    let mut acks = Vec::new();
    for (i, callback) in callbacks.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let (http, base) = (http.clone(), base.to_owned());
        acks.push(tokio::spawn(async move { post_callback(&http, &base, &callback).await }));
    }
    let offered = acks.len() as f64 / start.elapsed().as_secs_f64();
    (join_all(acks).await, offered)
}

/// P1: callback sent → the waiting browser's next answer shows the change.
async fn completion_latency(http: &Client, base: &str, count: usize, concurrency: usize, poll_every: Option<Duration>) -> Vec<Duration> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::new();
    for _ in 0..count {
        let (http, base, gate) = (http.clone(), base.to_owned(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let (browser, callback) = waiting_sign_in(&http, &base).await;
            // The watcher is the browser's tab: it keeps the session cookie, which changes when
            // the sign-in completes.
            let watcher = tokio::spawn(async move {
                let mut browser = browser;
                let seen = match poll_every {
                    None => loop {
                        let status = browser.status(20_000).await;
                        if !is_waiting(&status) {
                            break (Instant::now(), status);
                        }
                    },
                    Some(period) => {
                        // A poller whose ticks fall anywhere relative to the approval.
                        let offset = rand::random::<u64>() % period.as_millis() as u64;
                        tokio::time::sleep(Duration::from_millis(offset)).await;
                        loop {
                            let status = browser.status(0).await;
                            if !is_waiting(&status) {
                                break (Instant::now(), status);
                            }
                            tokio::time::sleep(period).await;
                        }
                    }
                };
                // Finish the sign-in so the next one starts from a clean slate.
                let mut status = seen.1;
                while !is_signed_in(&status) {
                    status = browser.status(5_000).await;
                }
                seen.0
            });
            // Let a held request reach the server before the approval lands.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let sent = Instant::now();
            post_callback(&http, &base, &callback).await;
            let seen = watcher.await.unwrap();
            seen.duration_since(sent)
        }));
    }
    join_all(tasks).await
}

/// P3: complete sign-ins (initiate → approve on the phone → callback → profile → session).
async fn throughput(http: &Client, base: &str, count: usize, concurrency: usize) -> (f64, Vec<Duration>) {
    let gate = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..count {
        let (http, base, gate) = (http.clone(), base.to_owned(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let began = Instant::now();
            let (mut browser, callback) = waiting_sign_in(&http, &base).await;
            post_callback(&http, &base, &callback).await;
            while !is_signed_in(&browser.status(5_000).await) {}
            began.elapsed()
        }));
    }
    let times = join_all(tasks).await;
    (count as f64 / started.elapsed().as_secs_f64(), times)
}

/// P2: what a browser downloads before the form works (HTML + CSS) and the hydration bundle,
/// as built in target/site (run `make release` first for the production numbers).
async fn bytes(http: &Client, base: &str) {
    use std::io::Write;
    let gzip = |data: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap().len()
    };
    let kib = |n: usize| format!("{:.1} KiB", n as f64 / 1024.0);
    let html = http.get(format!("{base}/")).send().await.unwrap().bytes().await.unwrap();
    println!("| file | raw | gzip | brotli |");
    println!("|---|---|---|---|");
    println!("| sign-in page HTML (SSR) | {} | {} | - |", kib(html.len()), kib(gzip(&html)));
    let mut files: Vec<_> = std::fs::read_dir("target/site/pkg").map(|d| d.flatten().collect()).unwrap_or_default();
    files.sort_by_key(|f| f.file_name());
    for file in files {
        let name = file.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".css") || name.ends_with(".js") || name.ends_with(".wasm")) {
            continue;
        }
        let raw = std::fs::read(file.path()).unwrap();
        let size_of = |ext: &str| std::fs::metadata(format!("{}.{ext}", file.path().display())).map(|m| kib(m.len() as usize));
        let br = size_of("br").unwrap_or_else(|_| "-".into());
        println!("| {name} | {} | {} | {br} |", kib(raw.len()), kib(gzip(&raw)));
    }
}

async fn run() {
    // BENCH_DIVIDE=10 runs a tenth of every load (a quick check of the harness).
    let divide: usize = std::env::var("BENCH_DIVIDE").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let scale = |n: usize| (n / divide).max(1);
    let http = Client::builder().pool_max_idle_per_host(1024).build().unwrap();
    // BENCH_DATABASE=postgres: the same runs on a fresh database on the PostgreSQL server at
    // TEST_POSTGRES_URL (`make bench` runs it beside a throwaway one, `.ci/postgres`).
    let (database, engine) = match std::env::var("BENCH_DATABASE").as_deref() {
        Ok("postgres") => {
            let admin = std::env::var("TEST_POSTGRES_URL").expect("BENCH_DATABASE=postgres needs TEST_POSTGRES_URL (run under .ci/postgres)");
            (Some(common::fresh_postgres(&admin, "bench_signin").await), "PostgreSQL")
        }
        _ => (None, "SQLite"),
    };
    let env: Vec<(&str, &str)> = database.iter().map(|url| ("DATABASE_URL", url.as_str())).collect();
    let server = Server::start(&env).await;
    let base = server.base.clone();
    println!("server pid {} at {base} (simulator mode, {engine})", server.child.id());
    // BENCH_ONLY=acks runs just the ack sweep (a quick look at the callback path); =p4 the
    // memory of waiting browsers and the acks for their approvals.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "acks" {
        ack_sweep(&http, &base, scale).await;
        return;
    }
    if only == "p4" {
        waiting_and_loaded_acks(&http, &base, &server, scale).await;
        return;
    }

    // Warm up.
    throughput(&http, &base, 20, 4).await;
    // BENCH_ONLY=p3: just the complete sign-ins, with their CPU.
    if only == "p3" {
        p3(&http, &base, &server, scale).await;
        return;
    }

    println!("\n## P2 bytes");
    bytes(&http, &base).await;

    println!("\n## P1 completion latency (callback sent → waiting browser sees it)");
    let n = scale(1000);
    let mut push = completion_latency(&http, &base, n, 8, None).await;
    let mut polling = completion_latency(&http, &base, n, 200, Some(Duration::from_secs(3))).await;
    println!("| channel | sign-ins | p50 | p95 | p99 |");
    println!("|---|---|---|---|---|");
    for (name, samples) in [("held request (push)", &mut push), ("3 s polling", &mut polling)] {
        println!("| {name} | {} | {} | {} | {} |", samples.len(), ms(pct(samples, 0.5)), ms(pct(samples, 0.95)), ms(pct(samples, 0.99)));
    }
    println!(
        "ratio polling/push: p50 {:.0}x, p99 {:.0}x",
        pct(&mut polling, 0.5).as_secs_f64() / pct(&mut push, 0.5).as_secs_f64(),
        pct(&mut polling, 0.99).as_secs_f64() / pct(&mut push, 0.99).as_secs_f64()
    );

    p3(&http, &base, &server, &scale).await;

    waiting_and_loaded_acks(&http, &base, &server, scale).await;
    ack_sweep(&http, &base, scale).await;
}

/// P3: complete sign-ins at three concurrencies, with what each costs in CPU.
async fn p3(http: &Client, base: &str, server: &Server, scale: impl Fn(usize) -> usize) {
    println!("\n## P3 throughput (complete sign-ins)");
    // CPU per sign-in from /proc: the server (with its embedded simulator), PostgreSQL's processes
    // (0 on SQLite, whose work is inside the server) and this load generator. "Cores busy" is the
    // whole machine's busy share over the run (100 % = both cores): below it, something other than
    // CPU sets the pace.
    println!("| concurrency | sign-ins | sign-ins/s | p50 sign-in | p99 sign-in | server CPU / sign-in | PostgreSQL CPU / sign-in | load generator CPU / sign-in | cores busy |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let own_cpu = || common::process_cpu(std::process::id()).unwrap_or_default();
    for (concurrency, count) in [(1, scale(200)), (64, scale(2000)), (512, scale(4000))] {
        let before = (server.cpu(), common::processes_cpu("postgres"), own_cpu(), common::machine_cpu());
        let (rate, mut times) = throughput(http, base, count, concurrency).await;
        let after = (server.cpu(), common::processes_cpu("postgres"), own_cpu(), common::machine_cpu());
        // Saturating: a process counted before may have ended (a PostgreSQL a previous run left
        // shutting down), and the kernel's iowait count can step back.
        let busy = after.3 .0.saturating_sub(before.3 .0).as_secs_f64()
            / after.3 .1.saturating_sub(before.3 .1).as_secs_f64().max(f64::EPSILON);
        let per_sign_in = |used: Duration| ms(used / count as u32);
        println!(
            "| {concurrency} | {count} | {rate:.0} | {} | {} | {} | {} | {} | {:.0} % |",
            ms(pct(&mut times, 0.5)),
            ms(pct(&mut times, 0.99)),
            per_sign_in(after.0.saturating_sub(before.0)),
            per_sign_in(after.1.saturating_sub(before.1)),
            per_sign_in(after.2.saturating_sub(before.2)),
            busy * 100.0
        );
    }
}

/// P4: memory with 10,000 sign-ins waiting on held requests; then the approvals for all of them
/// at 2,000/s, each ack timed while the completions they start run behind them.
async fn waiting_and_loaded_acks(http: &Client, base: &str, server: &Server, scale: impl Fn(usize) -> usize) {
    println!("\n## P4 memory with sign-ins waiting on held requests, then callback acks under load");
    let idle_kib = server.rss_kib();
    let waiting_count = scale(10_000);
    // BENCH_HOLD=h1: every browser on HTTP/1.1 connections of its own (a proxy that opens a
    // connection per browser, or none); otherwise every request over 64 HTTP/2 (h2c) connections,
    // as a proxy that multiplexes them sends them (hyper allows 200 streams on one connection).
    let over_h2 = std::env::var("BENCH_HOLD").map_or(true, |hold| hold != "h1");
    let connections: Vec<Client> = (0..64).map(|_| Client::builder().http2_prior_knowledge().build().unwrap()).collect();
    let gate = Arc::new(Semaphore::new(256));
    let mut prepared = Vec::new();
    for i in 0..waiting_count {
        let http = if over_h2 { connections[i % connections.len()].clone() } else { http.clone() };
        let (base, gate) = (base.to_owned(), gate.clone());
        prepared.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            waiting_sign_in(&http, &base).await
        }));
    }
    let sign_ins = join_all(prepared).await;
    let before_held_kib = server.rss_kib();
    // Every browser holds a status request open: over the same HTTP/2 connections, or over one
    // HTTP/1.1 connection each.
    let mut holders = Vec::new();
    let mut callbacks = Vec::new();
    for (i, (browser, callback)) in sign_ins.into_iter().enumerate() {
        callbacks.push(callback);
        let own = if over_h2 { connections[i % connections.len()].clone() } else { Client::builder().build().unwrap() };
        let mut browser = Browser { http: own, base: browser.base, cookie: browser.cookie };
        holders.push(tokio::spawn(async move {
            loop {
                let status = browser.status(20_000).await;
                if !is_waiting(&status) {
                    break;
                }
            }
        }));
    }
    println!(
        "(held over {})",
        if over_h2 {
            "64 HTTP/2 connections, as a multiplexing proxy sends every request"
        } else {
            "one HTTP/1.1 connection per browser; sign-ins started over a pool of up to 256"
        }
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let held_kib = server.rss_kib();
    println!("| state | server RSS |");
    println!("|---|---|");
    println!("| idle after the runs above | {:.1} MiB |", idle_kib as f64 / 1024.0);
    println!("| {waiting_count} sign-ins waiting, no held requests | {:.1} MiB |", before_held_kib as f64 / 1024.0);
    println!("| {waiting_count} sign-ins waiting on held requests | {:.1} MiB |", held_kib as f64 / 1024.0);
    println!(
        "per waiting sign-in (held vs idle): {:.1} KiB",
        (held_kib.saturating_sub(idle_kib)) as f64 / waiting_count as f64
    );

    // Approvals for all of them at 2,000/s; every ack is timed.
    let (mut ack_times, offered) = post_apart(base, callbacks, 2000.0).await;
    for h in holders {
        let _ = tokio::time::timeout(Duration::from_secs(60), h).await;
    }
    println!(
        "\ncallback acks at {offered:.0}/s offered ({} callbacks, each waking a held request and a profile fetch): p50 {}, p99 {}, max {}",
        ack_times.len(),
        ms(pct(&mut ack_times, 0.5)),
        ms(pct(&mut ack_times, 0.99)),
        ms(pct(&mut ack_times, 1.0))
    );
    println!("(target: ack p99 ≤ 5 ms at 2,000/s with the completions behind them)");
}

/// The ack path alone: rejections are correlated and move one phase, with no profile fetch or
/// sign-in behind them, so this isolates what Truecaller waits for, at rising rates.
async fn ack_sweep(http: &Client, base: &str, scale: impl Fn(usize) -> usize) {
    println!("\n## Callback acks alone (rejection callbacks, nobody waiting)");
    println!("| offered rate | callbacks | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (rate, count) in [(250.0, scale(2_000)), (500.0, scale(3_000)), (1000.0, scale(5_000)), (2000.0, scale(10_000))] {
        let rejections = waiting_rejections(http, base, count).await;
        let (mut acks, offered) = post_at_rate(http, base, rejections, rate).await;
        println!(
            "| {offered:.0}/s | {} | {} | {} | {} |",
            acks.len(),
            ms(pct(&mut acks, 0.5)),
            ms(pct(&mut acks, 0.99)),
            ms(pct(&mut acks, 1.0))
        );
    }
}
