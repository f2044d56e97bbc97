//! The shop's server: its pages, with the sign-in added as the README shows.

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use shop::app::{shell, App};
use truecaller_signin::{
    server::{SignInBuilder, SignInRouterExt},
    site::SignInPaths,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = get_configuration(None)?.leptos_options;
    let listener = tokio::net::TcpListener::bind(options.site_addr).await?;

    let sign_in = SignInBuilder::from_env()?
        .paths(SignInPaths { sign_in: "/signin".into(), account: "/account".into(), after_sign_in: "/orders".into() })
        .shell(shell)
        .on_account_event(|event| async move { println!("sign-in event: {event:?}") })
        .build(&options)
        .await?;

    let app = Router::new()
        .leptos_routes_with_context(&options, generate_route_list(App), sign_in.context(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<LeptosOptions, _>(sign_in.context(), shell))
        .with_state(options)
        .with_sign_in(&sign_in);

    println!("Chai & Co. on {}", sign_in.public_url());
    sign_in.serve(listener, app, async { _ = tokio::signal::ctrl_c().await }).await?;
    Ok(())
}
