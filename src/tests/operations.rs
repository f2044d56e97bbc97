//! What an operator watches: `/metrics` in Prometheus' text format, scraped and parsed after real
//! sign-ins. Metrics are per process and the tests share one, so counts are checked as "at least".

use std::collections::HashMap;
use std::time::Duration;

use truecaller_signin::domain::SignInStatus;

use crate::support::spawn_app;

/// One sample: the metric's name, its labels, its value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// Parses the text format: `# HELP`/`# TYPE` comments, then `name{label="value",…} number`.
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("unclosed labels: {line}"));
                    let labels = body
                        .split("\",")
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once("=\"").unwrap_or_else(|| panic!("bad label: {line}"));
                            (k.to_owned(), v.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), HashMap::new()),
            };
            Sample { name, labels, value }
        })
        .collect()
}

/// The value of the first sample named `name` whose labels include `with`.
fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && with.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
}

#[tokio::test]
async fn metrics_count_a_sign_in_from_start_to_outcome_without_personal_data() {
    let app = spawn_app(&[]).await;
    let browser = app.browser();
    assert!(matches!(browser.initiate("+91 99999 99999").await, SignInStatus::Waiting { .. }));
    let callback = app.sim().answer("919999999999", true, true).await;
    assert!(matches!(browser.settle(Duration::from_secs(10)).await, SignInStatus::SignedIn(_)));

    let response = reqwest::get(app.url.join("metrics").unwrap()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let samples = parse(&text);

    let at_least_one = |name: &str, with: &[(&str, &str)]| {
        let found = value(&samples, name, with).unwrap_or_else(|| panic!("no {name} {with:?} in:\n{text}"));
        assert!(found >= 1.0, "{name} {with:?} = {found}");
    };
    at_least_one("signin_started_total", &[("provider", "truecaller"), ("flow", "number")]);
    at_least_one("signin_transitions_total", &[("provider", "truecaller"), ("to", "waiting")]);
    at_least_one("signin_transitions_total", &[("provider", "truecaller"), ("to", "approved")]);
    at_least_one("signin_transitions_total", &[("provider", "truecaller"), ("to", "completed")]);
    at_least_one("truecaller_callbacks_total", &[("outcome", "accepted")]);
    at_least_one("truecaller_callback_ack_seconds_count", &[]);
    at_least_one("profile_fetch_seconds_count", &[("provider", "truecaller"), ("result", "ok")]);
    at_least_one("db_pool_connections", &[("state", "idle")]);
    assert!(value(&samples, "signin_waiting_browsers", &[]).is_some(), "{text}");
    // Histograms come with their buckets.
    assert!(samples.iter().any(|s| s.name == "truecaller_callback_ack_seconds_bucket" && s.labels.contains_key("le")));

    // No label value holds a number, a token, a request id or a session.
    let request_id = callback["requestId"].as_str().unwrap();
    let token = callback["accessToken"].as_str().unwrap();
    for sample in &samples {
        for value in sample.labels.values() {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            assert!(digits < 6 || sample.name.ends_with("_bucket"), "a number-like label: {sample:?}");
            assert!(value != request_id && value != token, "{sample:?}");
        }
    }
    // Sample values are left out of this look: a float such as 0.0019999999999 is no phone number.
    for line in text.lines() {
        let named = if line.starts_with('#') { line } else { line.rsplit_once(' ').map_or(line, |(named, _)| named) };
        assert!(!named.contains("9999999999") && !named.contains(token) && !named.contains(request_id), "{line}");
    }
}

#[tokio::test]
async fn the_database_is_migrated_and_set_up_for_its_engine() {
    // Through the engine-neutral pool the store uses: every connection gets the engine's setup.
    let app = spawn_app(&[]).await;
    let pool = app.sign_ins.store().pool();
    // Both engines' migrations end at the same schema and version, but SQLite keeps the callback
    // inbox (PostgreSQL's 0005) in a file of its own beside the database, with its own migrations.
    assert_eq!(app.count("SELECT MAX(version) FROM _sqlx_migrations").await, 9);
    if crate::support::on_postgres() {
        return;
    }
    assert!(app.db.path().join("app.inbox.db").is_file(), "the inbox beside app.db");
    for _ in 0..3 {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
        let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
        assert_eq!((mode.as_str(), keys), ("wal", 1));
    }
}

/// Sign-ins stored before the flow had a column of its own get the flow that was inferred from
/// their empty columns: a one-tap attempt is Truecaller with neither a number nor a state.
#[tokio::test]
async fn sign_ins_from_before_the_flow_column_get_the_flow_they_were_taken_for() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let mut before = sqlx::migrate!("./migrations/sqlite");
    before.migrations = before.migrations.iter().filter(|m| m.version < 8).cloned().collect::<Vec<_>>().into();
    before.run(&pool).await.unwrap();
    let rows = [
        ("desktop-row", "truecaller", Some("919999999999"), Some("state-hash")),
        ("one-tap-row", "truecaller", None, None),
        ("digilocker-row", "digilocker", None, None),
    ];
    for (id, provider, phone, state_hash) in rows {
        sqlx::query(
            "INSERT INTO sign_ins (id, provider, browser, phone, state_hash, phase, created_at, deadline, updated_at)
             VALUES (?, ?, 'browser', ?, ?, 'waiting', 1, 2, 1)",
        )
        .bind(id)
        .bind(provider)
        .bind(phone)
        .bind(state_hash)
        .execute(&pool)
        .await
        .unwrap();
    }
    sqlx::migrate!("./migrations/sqlite").run(&pool).await.unwrap();
    let flows: Vec<(String, String)> = sqlx::query_as("SELECT id, flow FROM sign_ins ORDER BY id").fetch_all(&pool).await.unwrap();
    let flows: HashMap<_, _> = flows.into_iter().collect();
    assert_eq!(flows["desktop-row"], "desktop");
    assert_eq!(flows["one-tap-row"], "one_tap");
    assert_eq!(flows["digilocker-row"], "digilocker");
    // An older instance still sharing the database names no flow on its new rows: the store reads
    // the one it inferred.
    sqlx::query(
        "INSERT INTO sign_ins (id, provider, browser, phase, created_at, deadline, updated_at)
         VALUES ('late-one-tap', 'truecaller', 'browser', 'waiting', 1, 2, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let store = truecaller_signin::server::store::Store::connect(&url).await.unwrap();
    let row = store.sign_in("late-one-tap").await.unwrap().unwrap();
    assert_eq!(row.flow, truecaller_signin::domain::Flow::OneTap);
    assert_eq!(store.sign_in("desktop-row").await.unwrap().unwrap().flow, truecaller_signin::domain::Flow::Desktop);
}

/// The sweep and the purge delete by age: each finds its rows through an index rather than by
/// reading the whole table (a flood once grew these tables, and each pass scanned them).
/// The statements are `Store::purge`'s and `Store::drop_stale_callbacks`'s.
#[tokio::test]
async fn the_sweep_and_the_purge_find_what_they_delete_through_an_index() {
    use sqlx::Connection;
    let app = spawn_app(&[]).await;
    let purge = [
        "DELETE FROM sign_ins WHERE updated_at < 5 AND phase NOT IN ('sending', 'waiting', 'fetching', 'approved')",
        "DELETE FROM phone_locks WHERE locked_until < 5",
        "DELETE FROM throttles WHERE window_start < 5",
        "DELETE FROM sign_in_events WHERE at < 5",
    ];
    let sweep = "DELETE FROM callback_inbox WHERE received_at < 5";
    if crate::support::on_postgres() {
        // The tables are nearly empty, where a scan is cheapest: ask whether an index can serve.
        let mut conn = app.sign_ins.store().pool().acquire().await.unwrap();
        sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.unwrap();
        for statement in purge.iter().chain([&sweep]) {
            let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {statement}")).fetch_all(&mut *conn).await.unwrap();
            assert!(plan.iter().any(|line| line.contains("Index Scan")), "{statement}: {plan:?}");
        }
        return;
    }
    let database = app.db.path().join("app.db");
    let mut main = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display())).await.unwrap();
    for statement in purge {
        let plan = plan_of(&mut main, statement).await;
        assert!(plan.iter().any(|step| step.contains("USING INDEX")), "{statement}: {plan:?}");
    }
    // SQLite keeps the inbox in a file of its own.
    let inbox = truecaller_signin::server::store::inbox_file(&database);
    let mut inbox = sqlx::SqliteConnection::connect(&format!("sqlite://{}", inbox.display())).await.unwrap();
    let plan = plan_of(&mut inbox, sweep).await;
    assert!(plan.iter().any(|step| step.contains("USING INDEX")), "{sweep}: {plan:?}");
}

/// SQLite's plan for `statement`: one line a step.
async fn plan_of(conn: &mut sqlx::SqliteConnection, statement: &str) -> Vec<String> {
    let rows: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {statement}")).fetch_all(conn).await.unwrap();
    rows.into_iter().map(|row| row.3).collect()
}
