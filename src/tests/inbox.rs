//! Truecaller's callbacks are acknowledged once taken in and recorded right after: the
//! acknowledgement never waits for the database's other work, and an acknowledged callback is
//! not lost when the process stops before recording it.

use std::time::{Duration, Instant};

use sqlx::Connection;
use truecaller_signin::domain::SignInStatus;

use crate::support::SignedInAs as _;
use crate::support::{app_with_standalone_sim, callbacks_recorded, on_postgres, spawn_app, TestApp};

const RAJAT: &str = "919999999999";

/// A connection holding the write lock on the sign-ins (SQLite: the whole main file; PostgreSQL:
/// the table), so nothing the app records about a sign-in can commit until it is dropped.
enum Lock {
    Sqlite(#[allow(dead_code)] sqlx::SqliteConnection),
    Postgres(#[allow(dead_code)] sqlx::PgConnection),
}

async fn lock_the_sign_ins(app: &TestApp) -> Lock {
    let url = &app.env.iter().find(|(k, _)| k == "DATABASE_URL").expect("the app's database").1;
    if on_postgres() {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
        sqlx::query("LOCK TABLE sign_ins IN EXCLUSIVE MODE").execute(&mut conn).await.unwrap();
        Lock::Postgres(conn)
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.unwrap();
        Lock::Sqlite(conn)
    }
}

#[tokio::test]
async fn an_acknowledged_approval_survives_the_process_stopping_before_it_was_recorded() {
    // The simulator stands apart, so it keeps its prompts while the app restarts.
    let (mut app, sim) = app_with_standalone_sim().await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let callback = sim.client().answer(RAJAT, true, false).await;

    let lock = lock_the_sign_ins(&app).await;
    let sent = Instant::now();
    let answer = reqwest::Client::new().post(app.callback_url()).json(&callback).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    // Taken in without touching the sign-ins (SQLite's busy wait alone would be 5 s).
    assert!(sent.elapsed() < Duration::from_secs(2), "the acknowledgement waited {:?} for the locked database", sent.elapsed());
    assert_eq!(app.sign_ins.callbacks_waiting().await.unwrap(), 1);

    // The process stops while the callback could not be recorded; then the database is free again.
    app.stop().await;
    drop(lock);
    let app = app.restart().await;
    callbacks_recorded(&app.sign_ins).await;
    let settled = browser.settle(Duration::from_secs(10)).await;
    assert_eq!(settled.signed_in_as(), Some("Rajat Kapoor"), "{settled:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    let id = app.sign_in_for(&callback).await.id;
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "fetching").count(), 1, "{events:?}");
}

#[tokio::test]
async fn a_burst_of_callbacks_is_acknowledged_while_the_sign_ins_are_locked() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    browser.initiate("+91 99999 99999").await;
    let callback = app.sim().answer(RAJAT, true, false).await;
    let lock = lock_the_sign_ins(&app).await;
    // Fifty copies, as a retrying sender might: each is taken in; the sign-in moves once.
    for answer in app.post_callback_copies(&callback, 50).await {
        assert_eq!(answer, 200);
    }
    assert_eq!(app.sign_ins.callbacks_waiting().await.unwrap(), 50);
    drop(lock);
    callbacks_recorded(&app.sign_ins).await;
    assert!(matches!(browser.settle(Duration::from_secs(15)).await, SignInStatus::SignedIn(_)));
    let events = app.events(Some(&app.sign_in_for(&callback).await.id)).await;
    assert_eq!(events.iter().filter(|e| *e == "fetching").count(), 1, "{events:?}");
    assert_eq!(browser.account().await.unwrap().sign_in_count, 1);
}

/// How many `truecaller_callbacks_total{outcome="unknown"}` this process counted: callbacks that
/// named no sign-in, answered and dropped at intake. (Metrics are per process and the tests share
/// one: compare as "at least".)
pub(crate) async fn unknown_callbacks(app: &TestApp) -> f64 {
    let text = reqwest::get(app.url.join("metrics").unwrap()).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(r#"truecaller_callbacks_total{outcome="unknown"} "#))
        .map_or(0.0, |value| value.parse().unwrap())
}

/// How many callbacks the inbox ever took in: its id sequence's high mark. Rows are deleted once
/// recorded, so counting them after the fact would not show a flood that went through.
async fn inbox_ids_issued(app: &TestApp) -> i64 {
    if on_postgres() {
        return app.count("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM callback_inbox_id_seq").await;
    }
    // SQLite keeps the inbox in a file of its own beside the database.
    let url = &app.env.iter().find(|(k, _)| k == "DATABASE_URL").expect("the app's database").1;
    let database = url.trim_start_matches("sqlite://").split('?').next().unwrap();
    let inbox = truecaller_signin::server::store::inbox_file(std::path::Path::new(database));
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", inbox.display())).await.unwrap();
    sqlx::query_scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'callback_inbox'), 0)")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

/// Audit rows that are not about `sign_in`.
async fn events_besides(app: &TestApp, sign_in: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_events WHERE sign_in_id IS NULL OR sign_in_id <> $1")
        .bind(sign_in)
        .fetch_one(app.sign_ins.store().pool())
        .await
        .unwrap()
}

/// The `i`th forged callback: a request id nobody issued, in each shape a callback takes (JSON
/// approvals with a token, with or without a state or an endpoint; a rejection; a notice whose
/// status text the sender chose; a form-encoded approval).
fn forged(i: usize) -> (&'static str, Vec<u8>) {
    let request_id = format!("Zm9yZ2VkLXJlcXVlc3Qt{i:06}=");
    let json = |body: serde_json::Value| ("application/json", serde_json::to_vec(&body).unwrap());
    match i % 5 {
        0 => json(serde_json::json!({ "requestId": request_id, "accessToken": format!("forged-token-{i}"), "state": format!("forged-state-{i}") })),
        1 => json(serde_json::json!({
            "requestId": request_id,
            "accessToken": format!("forged-token-{i}"),
            "endpoint": "https://profile4-noneu.truecaller.com/v1/default",
        })),
        2 => json(serde_json::json!({ "requestId": request_id, "status": "user_rejected", "state": format!("forged-state-{i}") })),
        3 => json(serde_json::json!({ "requestId": request_id, "status": format!("chosen-by-the-sender-{i}") })),
        _ => (
            "application/x-www-form-urlencoded",
            format!("requestId={}&accessToken=forged-token-{i}&state=forged-state-{i}", request_id.replace('=', "%3D")).into_bytes(),
        ),
    }
}

/// Sends `count` forged callbacks, `at_once` at a time, and returns each answer's status; `sent`
/// counts the answers as they come.
async fn flood(app: &TestApp, count: usize, at_once: usize, sent: tokio::sync::watch::Sender<usize>) -> Vec<u16> {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };
    let (http, next, sent) = (reqwest::Client::new(), Arc::new(AtomicUsize::new(0)), Arc::new(sent));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..at_once {
        let (http, url, next, sent) = (http.clone(), app.callback_url(), next.clone(), sent.clone());
        senders.spawn(async move {
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return answers;
                }
                let (content_type, body) = forged(i);
                let answer = http.post(url.clone()).header("content-type", content_type).body(body).send().await.unwrap();
                answers.push(answer.status().as_u16());
                sent.send_modify(|n| *n += 1);
            }
        });
    }
    senders.join_all().await.into_iter().flatten().collect()
}

/// The callback is public and unsigned. Thousands of forged callbacks (request ids
/// nobody issued) are each answered as any other, and cost nothing durable: no inbox row, no
/// audit row; they are only counted. A genuine approval arriving in the middle of them is not
/// queued behind them: its browser is signed in promptly.
#[tokio::test]
async fn a_flood_of_forged_callbacks_is_kept_nowhere_and_does_not_hold_up_a_real_approval() {
    const FORGED: usize = 3_000;
    /// From the genuine approval's post to its browser's answer saying "signed in", the flood
    /// still arriving. Unhindered this takes tens of milliseconds.
    const PROMPTLY: Duration = Duration::from_secs(3);
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let genuine = app.sim().answer(RAJAT, true, false).await;
    let id = app.sign_in_for(&genuine).await.id;
    let (events_before, issued_before, unknown_before) =
        (events_besides(&app, &id).await, inbox_ids_issued(&app).await, unknown_callbacks(&app).await);
    let sign_ins_before = app.count("SELECT COUNT(*) FROM sign_ins").await;

    let (sent, mut answered) = tokio::sync::watch::channel(0);
    let (answers, (signed_in_after, sent_before)) = tokio::join!(flood(&app, FORGED, 64, sent), async {
        // The genuine approval once a third of the flood is answered, while the rest arrives.
        answered.wait_for(|n| *n >= FORGED / 3).await.unwrap();
        let posted = Instant::now();
        let status = reqwest::Client::new().post(app.callback_url()).json(&genuine).send().await.unwrap().status();
        assert_eq!(status, 200);
        let sent_before = *answered.borrow();
        let settled = browser.settle(Duration::from_secs(30)).await;
        assert!(matches!(settled, SignInStatus::SignedIn(_)), "{settled:?}");
        (posted.elapsed(), sent_before)
    });
    assert!(sent_before < FORGED, "the genuine approval came after the flood");
    assert_eq!(answers.len(), FORGED);
    // The same answer as a genuine callback's: a forger learns nothing.
    assert!(answers.iter().all(|&status| status == 200), "{:?}", answers.iter().find(|&&s| s != 200));
    assert!(signed_in_after <= PROMPTLY, "signed in {signed_in_after:?} after the approval, behind the flood");
    callbacks_recorded(&app.sign_ins).await;

    // Nothing durable: the inbox took in the genuine approval alone, and the audit trail holds
    // nothing beyond the genuine sign-in's own moves.
    assert_eq!(inbox_ids_issued(&app).await - issued_before, 1, "forged callbacks were stored in the inbox");
    assert_eq!(events_besides(&app, &id).await, events_before, "forged callbacks were audited");
    assert_eq!(app.count("SELECT COUNT(*) FROM sign_ins").await, sign_ins_before);
    assert_eq!(app.sign_ins.callbacks_waiting().await.unwrap(), 0);
    let events = app.events(Some(&id)).await;
    assert_eq!(events.iter().filter(|e| *e == "fetching").count(), 1, "{events:?}");
    assert!(events.len() <= 8, "{events:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
    // Only counted, where an operator sees the flood.
    assert!(unknown_callbacks(&app).await - unknown_before >= FORGED as f64);
    assert_eq!(browser.account().await.unwrap().sign_in_count, 1);
}

/// A stand-in for Truecaller's request endpoint in front of the simulator: it passes our request
/// on, then has the phone approve the prompt and delivers that callback to the app, and only then
/// gives the app Truecaller's answer (with the requestId). Returns its base URL.
async fn spawn_answer_before_reply(sim: url::Url) -> url::Url {
    use axum::{body::Bytes, http::HeaderMap, routing::post};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let relay = move |headers: HeaderMap, body: Bytes| {
        let sim = sim.clone();
        async move {
            let http = reqwest::Client::new();
            let mut request = http.post(sim.join("v1/apps/requests").unwrap()).body(body.to_vec());
            for name in ["appkey", "content-type"] {
                if let Some(value) = headers.get(name) {
                    request = request.header(name, value.to_str().unwrap());
                }
            }
            let reply = request.send().await.unwrap();
            let status = axum::http::StatusCode::from_u16(reply.status().as_u16()).unwrap();
            let reply: serde_json::Value = reply.json().await.unwrap();
            let id = reply["requestId"].as_str().expect("the simulator issued a requestId");
            let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            let answered: serde_json::Value = http
                .post(sim.join(&format!("api/requests/{encoded}/approve?deliver=true")).unwrap())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            // The app acknowledged the approval while it did not know the requestId yet.
            assert_eq!(answered["delivery"], "200", "{answered}");
            assert!(answered["callback"]["state"].is_string(), "Truecaller echoes our state: {answered}");
            (status, axum::Json(reply))
        }
    };
    let router = axum::Router::new().route("/v1/apps/requests", post(relay));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// The phone can answer before Truecaller's answer to our request (the requestId) reaches us.
/// Such a callback names no request we know yet, but carries the `state` we sent, whose hash is
/// stored before the request goes out: the intake keeps it, and the browser is signed in.
#[tokio::test]
async fn an_approval_that_overtakes_truecallers_reply_to_our_request_is_kept() {
    use crate::support::{free_port, try_spawn_app_on, StandaloneSim};
    for _ in 0..5 {
        let port = free_port().await;
        let app_url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        let sim = StandaloneSim::spawn(app_url.join("auth/truecaller/callback").unwrap()).await;
        let gate = spawn_answer_before_reply(sim.url.clone()).await;
        let (api, profile) = (gate.as_str().trim_end_matches('/').to_owned(), sim.url.as_str().trim_end_matches('/').to_owned());
        let env = [
            ("TRUECALLER_APP_KEY", "simulator-app-key"),
            ("TRUECALLER_API_URL", api.as_str()),
            ("TRUECALLER_PROFILE_URL", profile.as_str()),
        ];
        let Some(app) = try_spawn_app_on(port, &env).await else { continue };
        let browser = app.browser();
        // Answered once Truecaller's reply came, by which time the approval was taken in.
        browser.initiate("+91 99999 99999").await;
        let settled = browser.settle(Duration::from_secs(10)).await;
        let id: String = sqlx::query_scalar("SELECT id FROM sign_ins").fetch_one(app.sign_ins.store().pool()).await.unwrap();
        let trail = app.trail(&id).await;
        assert_eq!(settled.signed_in_as(), Some("Rajat Kapoor"), "{settled:?} {trail:?}");
        assert_eq!(app.count("SELECT COUNT(*) FROM accounts").await, 1);
        return;
    }
    panic!("five free ports were taken before the app could bind them");
}
