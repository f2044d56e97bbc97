//! Truecaller's callbacks are acknowledged once taken in and recorded right after: the
//! acknowledgement never waits for the database's other work, and an acknowledged callback is
//! not lost when the process stops before recording it.

use std::time::{Duration, Instant};

use sqlx::Connection;
use truecaller_signin::domain::SignInStatus;

use crate::helpers::{app_with_standalone_sim, callbacks_recorded, on_postgres, spawn_app, TestApp};

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
