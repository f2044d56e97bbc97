//! `/healthz`: the process answers. `/readyz`: it can do its job (database reachable, Truecaller
//! has not refused our app key on its latest answer to any instance), for load balancers and
//! operators.

use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};
use serde_json::json;

use super::sign_in::SignInService;

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
