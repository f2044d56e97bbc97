//! What is kept, and for how long: each kind of row past its period is gone after the sweep, and
//! rows inside it (or still in use) stay.

use truecaller_signin::server::clock::now_ms;

use std::time::Duration;

use truecaller_signin::server::store::Removed;

use crate::support::{eventually, spawn_app, TestApp};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

async fn execute(app: &TestApp, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for value in binds {
        query = query.bind(*value);
    }
    query.execute(app.sign_ins.store().pool()).await.unwrap();
}

async fn sign_in(app: &TestApp, id: &str, phase: &str, updated_at: i64) {
    sqlx::query(
        "INSERT INTO sign_ins (id, provider, flow, browser, phone, phase, created_at, deadline, updated_at)
         VALUES ($1, 'truecaller', 'desktop', 'browser', '919999999999', $2, $3, $3, $3)",
    )
    .bind(id)
    .bind(phase)
    .bind(updated_at)
    .execute(app.sign_ins.store().pool())
    .await
    .unwrap();
}

/// An account with its identity, and with `sign_in` (an id) a finished sign-in naming it, in one
/// transaction: the app's own sweep, running at start-up, sees all of it or none.
async fn account(app: &TestApp, name: &str, subject: &str, updated_at: i64, sign_in: Option<&str>) -> i64 {
    let mut tx = app.sign_ins.store().pool().begin().await.unwrap();
    let id: i64 = sqlx::query_scalar("INSERT INTO accounts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id")
        .bind(name)
        .bind(updated_at)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO identities (provider, subject, account_id, created_at, last_used_at) VALUES ('truecaller', $1, $2, $3, $3)")
        .bind(subject)
        .bind(id)
        .bind(updated_at)
        .execute(&mut *tx)
        .await
        .unwrap();
    if let Some(sign_in) = sign_in {
        sqlx::query(
            "INSERT INTO sign_ins (id, provider, flow, browser, phone, phase, created_at, deadline, updated_at, account_id)
             VALUES ($1, 'truecaller', 'desktop', 'browser', '919999999999', 'completed', $2, $2, $2, $3)",
        )
        .bind(sign_in)
        .bind(now_ms() - HOUR / 4)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    id
}

/// A sweep of the test's own: on PostgreSQL the app's periodic one (which also runs at start-up)
/// may hold the turn for a moment, and a sweep finding it taken skips its round.
async fn purge(app: &TestApp) -> Removed {
    eventually("a sweep of its own", Duration::from_secs(10), || async { app.sign_ins.purge().await.unwrap() }).await
}

async fn ids(app: &TestApp, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(app.sign_ins.store().pool()).await.unwrap()
}

#[tokio::test]
async fn each_kind_of_row_is_removed_after_its_period_and_kept_within_it() {
    let app = spawn_app(&[("RETAIN_SIGN_INS_HOURS", "1"), ("RETAIN_AUDIT_DAYS", "2"), ("RETAIN_IDLE_ACCOUNTS_DAYS", "3")]).await;
    let now = now_ms();
    // Sign-ins: finished ones go an hour after their last move; a live one stays however old.
    sign_in(&app, "finished-long-ago", "rejected", now - 2 * HOUR).await;
    sign_in(&app, "finished-lately", "timed_out", now - HOUR / 2).await;
    sign_in(&app, "still-waiting", "waiting", now - 2 * HOUR).await;
    // Audit events: two days.
    execute(&app, "INSERT INTO sign_in_events (sign_in_id, at, event) VALUES (NULL, $1, 'old-event')", &[now - 3 * DAY]).await;
    execute(&app, "INSERT INTO sign_in_events (sign_in_id, at, event) VALUES (NULL, $1, 'new-event')", &[now - DAY]).await;
    // Accounts: three days without a sign-in; a sign-in naming an idle one keeps its row.
    account(&app, "Idle Person", "idle-subject", now - 4 * DAY, Some("names-the-idle-account")).await;
    let active = account(&app, "Active Person", "active-subject", now - DAY, None).await;

    let removed = purge(&app).await;

    let sign_ins = ids(&app, "SELECT id FROM sign_ins ORDER BY id").await;
    assert_eq!(sign_ins, ["finished-lately", "names-the-idle-account", "still-waiting"]);
    let events = ids(&app, "SELECT event FROM sign_in_events WHERE sign_in_id IS NULL AND event LIKE '%-event' ORDER BY id").await;
    assert_eq!(events, ["new-event"]);
    let accounts: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id").fetch_all(app.sign_ins.store().pool()).await.unwrap();
    assert_eq!(accounts, [active]);
    assert_eq!(ids(&app, "SELECT subject FROM identities ORDER BY subject").await, ["active-subject"]);
    let kept_account: Option<i64> = sqlx::query_scalar("SELECT account_id FROM sign_ins WHERE id = 'names-the-idle-account'")
        .fetch_one(app.sign_ins.store().pool())
        .await
        .unwrap();
    assert_eq!(kept_account, None);
    // The startup sweep may have taken some of them already; together, everything past its time.
    assert!(removed.sign_ins <= 1 && removed.audit_events <= 1 && removed.accounts.len() <= 1, "{removed:?}");
}

#[tokio::test]
async fn accounts_are_kept_unless_the_deployment_sets_a_period() {
    let app = spawn_app(&[]).await;
    let old = account(&app, "Long Ago", "long-ago", now_ms() - 3650 * DAY, None).await;
    purge(&app).await;
    let accounts: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts").fetch_all(app.sign_ins.store().pool()).await.unwrap();
    assert_eq!(accounts, [old]);
}

/// A device is removed once unused past the session's idle limit (its last-seen time lags by up
/// to a minute, so a minute more) or a day after it signed in, however active.
#[tokio::test]
async fn devices_go_when_idle_past_the_sessions_limit_or_a_day_after_signing_in() {
    let app = spawn_app(&[("SESSION_IDLE_MINUTES", "10")]).await;
    let now = now_ms();
    let owner = account(&app, "Device Owner", "device-owner", now, None).await;
    const MINUTE: i64 = 60_000;
    for (id, signed_in_at, last_seen_at) in [
        ("idle-too-long", now - HOUR, now - 12 * MINUTE),
        ("idle-within-the-lag", now - HOUR, now - 10 * MINUTE - MINUTE / 2),
        ("in-use", now - HOUR, now),
        ("signed-in-over-a-day-ago", now - DAY - MINUTE, now),
    ] {
        sqlx::query(
            "INSERT INTO devices (id, account_id, session_id, browser, platform, network, provider, signed_in_at, last_seen_at)
             VALUES ($1, $2, $1, '', '', '', 'truecaller', $3, $4)",
        )
        .bind(id)
        .bind(owner)
        .bind(signed_in_at)
        .bind(last_seen_at)
        .execute(app.sign_ins.store().pool())
        .await
        .unwrap();
    }
    purge(&app).await;
    assert_eq!(ids(&app, "SELECT id FROM devices ORDER BY id").await, ["idle-within-the-lag", "in-use"]);
}

/// An account removed for idleness is told to the host app as removed, as a deleted one is.
#[tokio::test]
async fn the_host_is_told_of_accounts_removed_for_idleness() {
    use truecaller_signin::server::sign_in::AccountEvent;

    let (app, heard) = crate::support::spawn_app_heard(&[("RETAIN_IDLE_ACCOUNTS_DAYS", "3")]).await;
    let idle = account(&app, "Idle Person", "idle-subject", now_ms() - 4 * DAY, None).await;
    purge(&app).await;
    // The app's own start-up sweep may be the one that removed it; either way the host heard.
    let told = || {
        let heard = heard.clone();
        async move { heard.lock().unwrap().contains(&AccountEvent::Removed { account_id: idle }).then_some(()) }
    };
    eventually("the host told", Duration::from_secs(10), told).await;
}
