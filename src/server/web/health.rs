//! What operators and load balancers ask: `/healthz` (the process answers), `/readyz` (it can do
//! its job: database reachable, Truecaller has not refused our app key lately on any instance)
//! and `/metrics` (Prometheus' text format).

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
    Json,
};
use serde_json::json;

use crate::server::sign_in::SignInService;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, Json(json!({ "status": "ok" })))
}

pub async fn readyz(State(sign_ins): State<SignInService>) -> impl IntoResponse {
    let database = match sqlx::query("SELECT 1").execute(sign_ins.store().pool()).await {
        Ok(_) => "ok".to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "readiness: database unreachable");
            "unreachable".to_owned()
        }
    };
    // Shared by every instance: one that met a refused key makes them all not ready.
    let provider = match sign_ins.app_key_rejected().await {
        Ok(false) => "ok",
        Ok(true) => "app key rejected (404 Invalid partner credentials)",
        Err(_) => "unknown",
    };
    let ready = database == "ok" && provider == "ok";
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "status": if ready { "ready" } else { "not ready" }, "database": database, "provider": provider })))
}

/// `GET /metrics`: what was recorded, with the database pool as it is now.
pub async fn metrics(State(sign_ins): State<SignInService>) -> impl IntoResponse {
    let pool = sign_ins.store().pool();
    let idle = pool.num_idle() as f64;
    metrics::gauge!(crate::server::metrics::POOL, "state" => "idle").set(idle);
    metrics::gauge!(crate::server::metrics::POOL, "state" => "in_use").set(f64::from(pool.size()) - idle);
    let text = crate::server::metrics::recorder().render();
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
