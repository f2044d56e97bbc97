//! Two instances on one PostgreSQL database, as behind a load balancer: the browser waits on A
//! while Truecaller's callback lands on B. One standalone simulator serves both (its callbacks go
//! to B). These need PostgreSQL (`make postgres-check` runs them; on SQLite they return at once:
//! one file is one instance).

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;
use truecaller_signin::{
    domain::{SignInStatus, Throttle},
    error::ApiError,
    server::store::LISTENER_NAME,
};

use crate::support::SignedInAs as _;
use crate::support::{eventually, free_port, on_postgres, scratch_database, spawn_app, spawn_app_on, try_spawn_app_on, Browser, StandaloneSim, TestApp};

/// A held request that answers within this of the change it waits for was woken by it (the
/// requests below are held for 20 s).
const PROMPTLY: Duration = Duration::from_secs(2);

struct Pair {
    a: TestApp,
    b: TestApp,
    sim: StandaloneSim,
    env: Vec<(String, String)>,
}

/// Instances A and B on one fresh database, both talking to one simulator that calls back to B.
async fn pair(extra: &[(&str, &str)]) -> Option<Pair> {
    if !on_postgres() {
        eprintln!("skipped: several instances need PostgreSQL (TEST_POSTGRES_URL)");
        return None;
    }
    // B's port is picked before B starts (the simulator calls back to it); another test's app
    // may take it meanwhile, and then the pair is made again on another.
    for _ in 0..5 {
        let port_b = free_port().await;
        let callback = url::Url::parse(&format!("http://127.0.0.1:{port_b}/auth/truecaller/callback")).unwrap();
        let sim = StandaloneSim::spawn(callback).await;
        let sim_url = sim.url.as_str().trim_end_matches('/').to_owned();
        let mut env = vec![
            ("TRUECALLER_APP_KEY", "simulator-app-key"),
            ("TRUECALLER_API_URL", sim_url.as_str()),
            ("TRUECALLER_PROFILE_URL", sim_url.as_str()),
        ];
        env.extend_from_slice(extra);
        let a = spawn_app(&env).await;
        let database = a.env.iter().find(|(k, _)| k == "DATABASE_URL").map(|(_, v)| v.clone()).unwrap();
        env.push(("DATABASE_URL", &database));
        let Some(b) = try_spawn_app_on(port_b, &env).await else { continue };
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        return Some(Pair { a, b, sim, env });
    }
    panic!("five free ports were taken before B could bind them");
}

/// A status request held (up to 20 s) on `browser`'s instance; answers with how long it was held.
fn hold(browser: &Browser) -> JoinHandle<(SignInStatus, Duration)> {
    let browser = browser.clone();
    tokio::spawn(async move {
        let asked = Instant::now();
        let status = browser.status(20_000).await;
        (status, asked.elapsed())
    })
}

/// Waits until a status request is held on `app` (so what follows must wake it).
async fn until_held(app: &TestApp) {
    eventually("the status request to be held", Duration::from_secs(5), || async {
        (app.sign_ins.held_requests() >= 1).then_some(())
    })
    .await;
}

/// Waits until both instances' listening connections are up (they connect in the background).
async fn until_both_listen(app: &TestApp) {
    eventually("both instances to listen", Duration::from_secs(10), || async {
        let listening: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
        )
        .bind(LISTENER_NAME)
        .fetch_one(app.sign_ins.store().pool())
        .await
        .unwrap();
        (listening == 2).then_some(())
    })
    .await;
}

const RAJAT: &str = "919999999999";

#[tokio::test]
async fn an_approval_arriving_at_b_wakes_the_browser_waiting_on_a_at_once() {
    let Some(Pair { a, b, sim, .. }) = pair(&[]).await else { return };
    let browser = a.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let held = hold(&browser);
    until_held(&a).await;

    let answered = Instant::now();
    let callback = sim.client().answer(RAJAT, true, true).await;
    let (status, _) = held.await.unwrap();
    assert!(answered.elapsed() < PROMPTLY, "the browser on A heard after {:?}", answered.elapsed());
    assert!(matches!(status, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)), "{status:?}");
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
    // B took the callback and fetched the profile; A only served the browser.
    let events = b.events(Some(&b.sign_in_for(&callback).await.id)).await;
    assert!(events.contains(&"signed_in".to_owned()), "{events:?}");
    assert_eq!(sim.client().prompt_for(RAJAT).await["profileFetches"], 1);
}

#[tokio::test]
async fn a_rejection_arriving_at_b_reaches_the_browser_on_a_at_once() {
    let Some(Pair { a, b: _b, sim, .. }) = pair(&[]).await else { return };
    let browser = a.browser();
    browser.initiate("+91 99999 99999").await;
    let held = hold(&browser);
    until_held(&a).await;

    sim.client().answer(RAJAT, false, true).await;
    let (status, held_for) = held.await.unwrap();
    assert_eq!(status, SignInStatus::Rejected);
    assert!(held_for < Duration::from_secs(10), "held {held_for:?}");
    assert_eq!(browser.account().await, None);
}

#[tokio::test]
async fn a_timeout_and_then_a_late_approval_at_b_reach_the_browser_on_a() {
    let Some(Pair { a, b: _b, sim, .. }) = pair(&[("SIGNIN_TIMEOUT_SECS", "2")]).await else { return };
    let browser = a.browser();
    browser.initiate("+91 99999 99999").await;
    let (status, held_for) = hold(&browser).await.unwrap();
    assert!(matches!(status, SignInStatus::TimedOut { .. }), "{status:?}");
    assert!(held_for < Duration::from_secs(4), "the deadline was 2 s; held {held_for:?}");

    // The timed-out page keeps listening for a late approval; it lands on B.
    let held = hold(&browser);
    until_held(&a).await;
    let answered = Instant::now();
    sim.client().answer(RAJAT, true, true).await;
    let (status, _) = held.await.unwrap();
    assert_eq!(status, SignInStatus::ApprovedTooLate);
    assert!(answered.elapsed() < PROMPTLY, "heard after {:?}", answered.elapsed());
    assert_eq!(browser.account().await, None);
    assert_eq!(sim.client().prompt_for(RAJAT).await["profileFetches"], 0);
}

#[tokio::test]
async fn a_number_locked_through_a_is_locked_at_b() {
    let Some(Pair { a, b, sim, .. }) = pair(&[]).await else { return };
    let first = a.browser();
    first.initiate("+91 99999 99999").await;
    let second = b.browser();
    let status = second.initiate("+91 99999 99999").await;
    assert!(matches!(status, SignInStatus::Locked { other_browser: true, .. }), "{status:?}");
    assert_eq!(sim.client().prompts().await.len(), 1, "one prompt to the number, whichever instance was asked");
    assert!(matches!(first.status(0).await, SignInStatus::Superseded { .. }));
}

#[tokio::test]
async fn per_address_and_per_browser_limits_count_across_instances() {
    // Three attempts a minute per address: two at A and one at B use them up, the fourth at B is
    // refused (each instance alone has seen at most two).
    let Some(Pair { a, b, .. }) = pair(&[("RATE_IP_PER_MINUTE", "3")]).await else { return };
    for (app, phone) in [(&a, "+91 98765 11111"), (&b, "+91 98765 22222"), (&a, "+91 98765 33333")] {
        assert_eq!(app.browser().initiate_raw(phone).await.0, 200, "{phone}");
    }
    let (status, _) = b.browser().initiate_raw("+91 98765 44444").await;
    assert_eq!(status, 429);

    // One browser (one session, shared through the database) switching instances.
    let Some(Pair { a, b, .. }) = pair(&[("RATE_BROWSER_PER_HOUR", "2")]).await else { return };
    let on_a = a.browser();
    let on_b = on_a.on(&b.url);
    assert_eq!(on_a.initiate_raw("+91 98765 11111").await.0, 200);
    assert_eq!(on_b.initiate_raw("+91 98765 22222").await.0, 200);
    assert_eq!(on_a.initiate_raw("+91 98765 33333").await.0, 429);
}

#[tokio::test]
async fn restarting_a_mid_wait_loses_nothing() {
    let Some(Pair { a, b: _b, sim, .. }) = pair(&[]).await else { return };
    let browser = a.browser();
    browser.initiate("+91 99999 99999").await;
    let held = hold(&browser);
    until_held(&a).await;
    let a = a.restart().await;
    assert!(matches!(held.await.unwrap().0, SignInStatus::Waiting { .. }), "the held request answered at shutdown");

    let held = hold(&browser);
    until_held(&a).await;
    let answered = Instant::now();
    sim.client().answer(RAJAT, true, true).await;
    assert!(matches!(held.await.unwrap().0, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)));
    assert!(answered.elapsed() < PROMPTLY, "heard after {:?}", answered.elapsed());
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));
}

#[tokio::test]
async fn wake_ups_resume_after_the_database_connection_drops() {
    let Some(Pair { a, b: _b, sim, .. }) = pair(&[]).await else { return };
    let browser = a.browser();
    browser.initiate("+91 99999 99999").await;
    let held = hold(&browser);
    until_held(&a).await;

    // Cut every listening connection to this database (A's and B's), then approve at once: the
    // approval may land before A listens again; A must still hear of it.
    until_both_listen(&a).await;
    let cut: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND datname = current_database()) AS cut",
    )
    .bind(LISTENER_NAME)
    .fetch_one(a.sign_ins.store().pool())
    .await
    .unwrap();
    assert_eq!(cut, 2, "one listening connection per instance");
    let answered = Instant::now();
    sim.client().answer(RAJAT, true, true).await;
    let (status, _) = held.await.unwrap();
    assert!(matches!(status, SignInStatus::Approved { .. } | SignInStatus::SignedIn(_)), "{status:?}");
    assert!(answered.elapsed() < PROMPTLY, "heard after {:?}", answered.elapsed());
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));

    // And the next sign-in is woken through the new connection.
    until_both_listen(&a).await;
    let other = a.browser();
    other.initiate("+91 98765 43210").await;
    let held = hold(&other);
    until_held(&a).await;
    let answered = Instant::now();
    sim.client().answer("919876543210", false, true).await;
    assert_eq!(held.await.unwrap().0, SignInStatus::Rejected);
    assert!(answered.elapsed() < PROMPTLY, "heard after {:?}", answered.elapsed());
}

#[tokio::test]
async fn two_instances_starting_at_once_fetch_each_interrupted_profile_once() {
    let Some(Pair { mut a, mut b, sim, env }) = pair(&[]).await else { return };
    // Enough of them that, without the lease, some would be fetched by both instances.
    let phones: Vec<String> = (11..=22).map(|n| format!("9198765000{n}")).collect();
    let mut callbacks: Vec<Value> = Vec::new();
    for phone in &phones {
        assert!(matches!(a.browser().initiate(&format!("+{phone}")).await, SignInStatus::Waiting { .. }));
        callbacks.push(sim.client().answer(phone, true, false).await);
    }
    a.stop().await;
    b.stop().await;
    // What a crash between the approval and the profile fetch leaves behind: approved sign-ins
    // in `fetching`, holding the token, claimed by an instance that is gone (its lease lapsed).
    let profile_url = format!("{}v1/default", sim.url);
    for callback in &callbacks {
        let id = a.sign_in_for(callback).await.id;
        let now = truecaller_signin::server::clock::now_ms();
        sqlx::query(
            "UPDATE sign_ins SET phase = 'fetching', provider_token = $1, profile_url = $2, approved_at = $3,
                 fetch_holder = 'a dead instance', fetch_lease_until = $3 WHERE id = $4",
        )
        .bind(callback["accessToken"].as_str().unwrap())
        .bind(&profile_url)
        .bind(now)
        .bind(&id)
        .execute(a.sign_ins.store().pool())
        .await
        .unwrap();
    }

    // A slow provider: both instances' first sweeps overlap the fetches they start.
    sim.sim.delay_profile_answers(Duration::from_millis(500));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (a, b) = tokio::join!(spawn_app_on(a.port, &env), spawn_app_on(b.port, &env));
    eventually("every interrupted sign-in to be finished", Duration::from_secs(15), || async {
        (a.count("SELECT COUNT(*) FROM sign_ins WHERE phase = 'fetching'").await == 0).then_some(())
    })
    .await;
    assert_eq!(a.count("SELECT COUNT(*) FROM sign_ins WHERE phase = 'approved' AND account_id IS NOT NULL").await, phones.len() as i64);
    for phone in &phones {
        assert_eq!(sim.client().prompt_for(phone).await["profileFetches"], 1, "{phone}");
    }
    drop(b);
}

#[tokio::test]
async fn two_instances_can_start_at_once_on_an_empty_database() {
    if !on_postgres() {
        return;
    }
    let Some(database) = scratch_database().await else { return };
    let env = [("DATABASE_URL", database.url.as_str())];
    // Each would create the schema and the session table; one waits for the other.
    let (a, b) = tokio::join!(spawn_app(&env), spawn_app(&env));
    for (app, phone) in [(&a, "+91 98765 55501"), (&b, "+91 98765 55502")] {
        assert!(matches!(app.browser().initiate(phone).await, SignInStatus::Waiting { .. }));
    }
    assert_eq!(a.stored_sessions().await, 2, "both instances keep sessions in the one table");
}

#[tokio::test]
async fn a_refused_app_key_met_by_one_instance_makes_every_instance_not_ready_until_one_is_accepted() {
    let Some(Pair { a, b, .. }) = pair(&[]).await else { return };
    // A third instance on the same database whose key Truecaller (the simulator) refuses.
    let mut env: Vec<(&str, &str)> = a.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.retain(|(k, _)| *k != "TRUECALLER_APP_KEY");
    env.push(("TRUECALLER_APP_KEY", "a-key-truecaller-does-not-know"));
    let misconfigured = spawn_app(&env).await;
    let ready = |app: &TestApp| {
        let url = app.url.join("readyz").unwrap();
        async move { reqwest::get(url).await.unwrap().status().as_u16() }
    };
    assert_eq!((ready(&a).await, ready(&b).await), (200, 200));

    misconfigured.browser().initiate("+91 98765 12121").await;
    assert_eq!((ready(&a).await, ready(&b).await, ready(&misconfigured).await), (503, 503, 503));

    // An instance whose key is accepted corrects the shared record on its next answer, and the
    // next refusal is recorded again (whatever each instance saw before).
    assert!(matches!(b.browser().initiate("+91 98765 34343").await, SignInStatus::Waiting { .. }));
    assert_eq!((ready(&a).await, ready(&b).await), (200, 200));
    misconfigured.browser().initiate("+91 98765 56565").await;
    assert_eq!((ready(&a).await, ready(&b).await), (503, 503));
}

#[tokio::test]
async fn per_number_limits_count_prompts_and_rejections_from_both_instances() {
    // Two prompts per number per 15 minutes, no lock between them: one through A, one through B,
    // and the third (through A) is refused.
    let Some(Pair { a, b, .. }) = pair(&[("RATE_NUMBER_PER_15_MIN", "2"), ("SIGNIN_LOCK_SECS", "0")]).await else { return };
    assert_eq!(a.browser().initiate_raw("+91 98765 70001").await.0, 200);
    assert_eq!(b.browser().initiate_raw("+91 98765 70001").await.0, 200);
    let (status, refused) = a.browser().initiate_raw("+91 98765 70001").await;
    assert_eq!(status, 429, "{refused:?}");

    // Two rejections, one of a prompt sent through each instance, pause the number on both.
    let Some(Pair { a, b, sim, .. }) = pair(&[("SIGNIN_LOCK_SECS", "0")]).await else { return };
    for app in [&a, &b] {
        let browser = app.browser();
        assert!(matches!(browser.initiate("+91 98765 70002").await, SignInStatus::Waiting { .. }));
        sim.client().answer("919876570002", false, true).await;
        assert_eq!(browser.settle(Duration::from_secs(5)).await, SignInStatus::Rejected);
    }
    for app in [&a, &b] {
        let (status, refused) = app.browser().initiate_raw("+91 98765 70002").await;
        assert_eq!(status, 429, "{refused:?}");
        let paused = matches!(refused, Err(ApiError::Throttled { cause: Throttle::RecentlyDeclined, .. }));
        assert!(paused, "{refused:?}");
    }
}

/// Signs `browser` in as Rajat through the pair's simulator (its callback lands on B).
async fn rajat_signed_in(sim: &StandaloneSim, browser: &Browser) {
    browser.initiate("+91 99999 99999").await;
    sim.client().answer(RAJAT, true, true).await;
    assert_eq!(browser.settle(Duration::from_secs(10)).await.signed_in_as(), Some("Rajat Kapoor"));
}

#[tokio::test]
async fn an_account_deleted_at_b_signs_out_the_browser_on_a() {
    let Some(Pair { a, b, sim, .. }) = pair(&[]).await else { return };
    let on_a = a.browser();
    let on_b = b.browser();
    rajat_signed_in(&sim, &on_a).await;
    rajat_signed_in(&sim, &on_b).await;
    assert_eq!(on_a.your_data().await.unwrap().devices.len(), 2, "each instance lists both");

    let response = on_b.without_redirects().post(b.url.join("account/delete").unwrap()).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/?deleted");
    assert_eq!(on_a.account().await, None, "signed out on A by a deletion on B");
    assert_eq!(a.count("SELECT COUNT(*) FROM devices").await, 0);
    assert_eq!(a.stored_sessions().await, 0, "no session of the account is left");
}

#[tokio::test]
async fn a_device_signed_out_from_b_is_signed_out_on_a() {
    let Some(Pair { a, b, sim, .. }) = pair(&[]).await else { return };
    let on_a = a.browser();
    let on_b = b.browser();
    rajat_signed_in(&sim, &on_a).await;
    rajat_signed_in(&sim, &on_b).await;

    on_b.sign_out_devices(None).await;
    assert_eq!(on_a.account().await, None, "the device on A is signed out by B");
    assert!(on_b.account().await.is_some(), "B's own stays");
}
