//! The simulator's own API, for tests and the phone page: list sessions, answer one without a
//! browser, count calls, expire every token.

use std::sync::atomic::Ordering;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Answer, AnswerRefused, SessionView, Shared};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/digilocker/sessions", get(list_sessions))
        .route("/api/digilocker/sessions/{id}/{answer}", post(answer_from_api))
        .route("/api/sandbox/stats", get(stats))
        .route("/api/sandbox/expire-tokens", post(expire_tokens))
}

async fn list_sessions(State(sim): State<Shared>) -> Json<Vec<SessionView>> {
    Json(sim.sessions())
}

#[derive(Deserialize)]
struct AnswerQuery {
    person: Option<String>,
}

/// For tests: the consent page's effect without a browser. Answers the session as JSON.
async fn answer_from_api(
    State(sim): State<Shared>,
    Path((id, answer)): Path<(String, String)>,
    Query(query): Query<AnswerQuery>,
) -> Response {
    let Some(answer) = Answer::parse(&answer) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match sim.answer(&id, answer, query.person.as_deref()) {
        Ok(view) => Json(view).into_response(),
        Err(AnswerRefused::UnknownSession) => {
            (StatusCode::NOT_FOUND, Json(json!({"message": "no such session"}))).into_response()
        }
        Err(AnswerRefused::AlreadyAnswered) => {
            (StatusCode::CONFLICT, Json(json!({"message": "the session was already answered"}))).into_response()
        }
        Err(AnswerRefused::UnknownPerson) => {
            (StatusCode::BAD_REQUEST, Json(json!({"message": "no such person"}))).into_response()
        }
    }
}

async fn stats(State(sim): State<Shared>) -> Json<Value> {
    Json(json!({
        "authentications": sim.authentications(),
        "profile_fetches": sim.profile_fetches(),
        "status_checks": sim.status_checks.load(Ordering::Relaxed),
    }))
}

/// For tests: every issued token stops working, as after 24 h (or a revocation).
async fn expire_tokens(State(sim): State<Shared>) -> StatusCode {
    sim.lock().tokens.clear();
    StatusCode::NO_CONTENT
}
