//! A host app of its own, built only from the public API as the README shows: its routes, the
//! sign-in added with `with_sign_in`, served by `TruecallerSignIn::serve`, and `CurrentUser` on
//! its handlers (no page of this app's own is involved).

use std::time::Duration;

use axum::{http::StatusCode, routing::get, Router};
use leptos::config::LeptosOptions;
use leptos_axum::LeptosRoutes;
use tempfile::TempDir;
use tokio::{net::TcpListener, sync::oneshot};
use truecaller_signin::{
    server::{SignInBuilder, SignInRouterExt, StartupError},
    site::SignInPaths,
    user::{Assurance, CurrentUser},
};
use url::Url;

use crate::support::{database::ScratchDatabase, scratch_database, simulator::SimClient, Browser, SignedInAs as _};

const LIMIT: Duration = Duration::from_secs(10);

/// A shop: a greeting for anyone, orders for the signed-in, a vault for a government ID.
struct Shop {
    url: Url,
    _stop: oneshot::Sender<()>,
    // After the server's stop: dropped, the database goes (`WITH (FORCE)` on PostgreSQL).
    _database: Option<ScratchDatabase>,
    _db: TempDir,
}

async fn open_shop() -> Shop {
    let db = TempDir::new().unwrap();
    let database = scratch_database().await;
    let database_url = match &database {
        Some(database) => database.url.clone(),
        None => format!("sqlite://{}/shop.db", db.path().display()),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let options = LeptosOptions::builder().output_name("shop").site_addr(listener.local_addr().unwrap()).build();
    let sign_in = SignInBuilder::new().database_url(database_url).build(&options).await.expect("the sign-in starts");

    let app = Router::new()
        .route(
            "/",
            get(|user: Option<CurrentUser>| async move {
                user.map_or_else(|| "hello, guest".to_owned(), |user| format!("hello, {}", user.name))
            }),
        )
        .route("/orders", get(|user: CurrentUser| async move { format!("{}'s orders", user.name) }))
        .route(
            "/vault",
            get(|user: CurrentUser| async move {
                if user.assurance >= Assurance::GovernmentId {
                    Ok("the vault")
                } else {
                    Err(StatusCode::FORBIDDEN)
                }
            }),
        )
        // Registers the server functions (the sign-in's among them); the shop has no pages here.
        .leptos_routes_with_context(&options, Vec::new(), sign_in.context(), || ())
        .with_state(options)
        .with_sign_in(&sign_in);
    let url = sign_in.public_url().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(sign_in.serve(listener, app, async move {
        let _ = stopped.await;
    }));
    Shop { url, _stop: stop, _database: database, _db: db }
}

#[tokio::test]
async fn a_host_router_signs_people_in_and_its_handlers_see_who() {
    let shop = open_shop().await;
    let browser = Browser::new(shop.url.clone());
    let get = |path: &str| browser.http.get(shop.url.join(path).unwrap()).send();

    assert_eq!(get("/").await.unwrap().text().await.unwrap(), "hello, guest");
    assert_eq!(get("/orders").await.unwrap().status(), StatusCode::UNAUTHORIZED);

    browser.initiate("+46760123456").await;
    SimClient::new(shop.url.join("simulator/").unwrap(), None).answer("46760123456", true, true).await;
    assert_eq!(browser.settle(LIMIT).await.signed_in_as(), Some("Astrid Lindqvist"));

    assert_eq!(get("/").await.unwrap().text().await.unwrap(), "hello, Astrid Lindqvist");
    let orders = get("/orders").await.unwrap();
    assert_eq!(orders.status(), StatusCode::OK);
    assert_eq!(orders.text().await.unwrap(), "Astrid Lindqvist's orders");
    assert_eq!(get("/vault").await.unwrap().status(), StatusCode::FORBIDDEN, "a verified phone is not a government ID");

    // The sign-in's own form, under the host's router: signed out, the orders are closed again.
    browser.sign_out().await;
    assert_eq!(get("/orders").await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

/// The sign-in's stylesheet, for a host's pages: kept a year at its hashed address, revalidated
/// at any other.
#[tokio::test]
async fn a_host_gets_the_stylesheet_at_an_address_that_changes_with_it() {
    use truecaller_signin::components::{stylesheet_href, STYLESHEET};
    let shop = open_shop().await;
    let http = reqwest::Client::new();
    let current = http.get(shop.url.join(&stylesheet_href()).unwrap()).send().await.unwrap();
    assert_eq!(current.status(), StatusCode::OK);
    assert_eq!(current.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(current.headers()["cache-control"], "public, max-age=31536000, immutable");
    let text = current.text().await.unwrap();
    assert_eq!(text, STYLESHEET);
    assert!(text.contains(".signin .card") && text.contains("--signin-accent"), "scoped and themable");
    let stale = http.get(shop.url.join("/truecaller-signin.css?v=0").unwrap()).send().await.unwrap();
    assert_eq!(stale.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_builder_names_the_setting_it_cannot_use() {
    let options = LeptosOptions::builder().output_name("shop").site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).build();
    let refused = SignInBuilder::new().countries(&["IN", "XX"]).build(&options).await.err().expect("refused");
    assert!(matches!(refused, StartupError::Config(_)), "{refused:?}");
    assert!(refused.to_string().starts_with("PHONE_COUNTRIES:"), "{refused}");

    let refused = SignInBuilder::new().set("SIGNIN_TIMEOUT_SECS", "soon").build(&options).await.err().expect("refused");
    assert!(refused.to_string().starts_with("SIGNIN_TIMEOUT_SECS:"), "{refused}");

    // A path that would send a person to another site after signing in.
    let paths = SignInPaths { after_sign_in: "//evil.example/".into(), ..SignInPaths::default() };
    let refused = SignInBuilder::new().paths(paths).build(&options).await.err().expect("refused");
    assert!(refused.to_string().starts_with("after_sign_in path:"), "{refused}");
}

#[test]
fn the_builder_never_prints_a_key() {
    let builder = SignInBuilder::new().truecaller_app_key("tc-secret-key").sandbox_keys("sb-key", "sb-secret").database_url("postgres://u:pw@db/x");
    let printed = format!("{builder:?}");
    for secret in ["tc-secret-key", "sb-key", "sb-secret", "pw@db"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert!(printed.contains("TRUECALLER_APP_KEY"), "{printed}");
}
