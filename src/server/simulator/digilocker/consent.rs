//! DigiLocker's consent screen, simulated: plain server-rendered HTML (one form, no script) where
//! a person picks a seeded identity and allows, denies or lets the session expire.

use axum::{
    extract::{Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use leptos::prelude::*;
use serde::Deserialize;
use url::Url;

use super::{Answer, AnswerRefused, Shared, Status, DIGILOCKER_PERSONS};

pub(super) fn routes() -> Router<Shared> {
    Router::new().route("/digilocker/authorize", get(consent_page)).route("/digilocker/consent", post(consent_answer))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    state: Option<String>,
}

/// DigiLocker's consent screen, simulated: pick a person, then Allow, Deny or Let it expire.
async fn consent_page(State(sim): State<Shared>, Query(query): Query<AuthorizeQuery>) -> Response {
    // `state` = `<workspace>|<session_id>|<redirect>`; only the session id matters here.
    let id = query.state.as_deref().and_then(|s| s.split('|').nth(1)).unwrap_or_default().to_owned();
    let mut state = sim.lock();
    let Some(session) = state.sessions.iter_mut().find(|s| s.id == id) else {
        return html_page(StatusCode::NOT_FOUND, no_session(), None);
    };
    session.settle();
    if session.status != Status::Created {
        let body = answered(session.status.as_str(), session.redirect_url.as_str());
        return html_page(StatusCode::CONFLICT, body, None);
    }
    html_page(
        StatusCode::OK,
        consent(&session.id, &session.doc_types, &session.redirect_url),
        Some(&session.redirect_url),
    )
}

#[derive(Deserialize)]
struct ConsentForm {
    session: String,
    answer: String,
    person: Option<String>,
}

/// The consent form's POST: applies the answer, then sends the browser back to the app's
/// redirect_url exactly as given (Sandbox documents no added query parameters).
async fn consent_answer(State(sim): State<Shared>, Form(form): Form<ConsentForm>) -> Response {
    let Some(answer) = Answer::parse(&form.answer) else {
        return html_page(
            StatusCode::BAD_REQUEST,
            message("Unknown answer", "Choose Allow, Deny or Let it expire."),
            None,
        );
    };
    let person = form.person.as_deref().filter(|p| !p.is_empty());
    match sim.answer(&form.session, answer, person) {
        Ok(view) => (StatusCode::SEE_OTHER, [(header::LOCATION, view.redirect_url)]).into_response(),
        Err(AnswerRefused::UnknownSession) => html_page(StatusCode::NOT_FOUND, no_session(), None),
        Err(AnswerRefused::UnknownPerson) => {
            html_page(StatusCode::BAD_REQUEST, message("Unknown person", "Pick one of the listed people."), None)
        }
        Err(AnswerRefused::AlreadyAnswered) => {
            let state = sim.lock();
            let session = state.sessions.iter().find(|s| s.id == form.session);
            let (status, redirect) =
                session.map_or(("answered", String::new()), |s| (s.status.as_str(), s.redirect_url.to_string()));
            html_page(StatusCode::CONFLICT, answered(status, &redirect), None)
        }
    }
}

/// A page with a policy allowing inline styles, no script, and form posts to us plus (for the
/// 303 that follows a post: Chromium checks form-action along redirects) the app's origin.
fn html_page(status: StatusCode, body: String, redirect: Option<&Url>) -> Response {
    let form_target = redirect.map(|r| format!(" {}", r.origin().ascii_serialization())).unwrap_or_default();
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'{form_target}; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let policy = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        )
    });
    (status, [(header::CONTENT_SECURITY_POLICY, policy)], Html(body)).into_response()
}

fn consent(session_id: &str, doc_types: &[String], redirect: &Url) -> String {
    let people = DIGILOCKER_PERSONS.iter().map(|p| view! { <option value=p.key>{p.label}</option> }).collect_view();
    let documents = doc_types.join(", ");
    let returning = redirect.origin().ascii_serialization();
    let body = view! {
        <h1>"DigiLocker (simulated)"</h1>
        <p>
            "An app asks to sign you in with DigiLocker and read your Aadhaar profile "
            "(name, date of birth, gender, mobile, email)."
        </p>
        <p class="meta">"Documents requested: " {documents} " · you return to " <code>{returning}</code></p>
        // Relative: resolves next to this page wherever the simulator is mounted.
        <form method="post" action="consent">
            <input type="hidden" name="session" value=session_id.to_owned()/>
            <label for="person">"Sign in as"</label>
            <select id="person" name="person">{people}</select>
            <div class="buttons">
                <button type="submit" name="answer" value="allow" class="allow">"Allow"</button>
                <button type="submit" name="answer" value="deny" class="deny">"Deny"</button>
                <button type="submit" name="answer" value="expire" class="deny">"Let it expire"</button>
            </div>
        </form>
        <p class="meta">"Nothing here is real: the simulator answers Sandbox's API with the person you pick."</p>
    };
    document("DigiLocker (simulated): consent", body)
}

fn no_session() -> String {
    message("No such session", "This DigiLocker session does not exist. Start the sign-in again from the app.")
}

fn answered(status: &str, redirect: &str) -> String {
    let link = (!redirect.is_empty()).then(|| view! { <p><a href=redirect.to_owned()>"Back to the app"</a></p> });
    let body = view! {
        <h1>"DigiLocker (simulated)"</h1>
        <p>{format!("This session was already answered: it is {status}.")}</p>
        {link}
    };
    document("DigiLocker (simulated)", body)
}

fn message(title: &str, text: &str) -> String {
    let body = view! { <h1>{title.to_owned()}</h1><p>{text.to_owned()}</p> };
    document("DigiLocker (simulated)", body)
}

fn document(title: &str, main: impl IntoView + 'static) -> String {
    crate::server::simulator::document(title, STYLE, view! { <main>{main}</main> })
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#eef2f7;color:#1b1f24}\
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
h1{color:#1f3c88;font-size:1.4rem}.meta{color:#57606a;font-size:.9rem}\
label{display:block;margin:1rem 0 .25rem;font-weight:600}select{font:inherit;width:100%;padding:.4rem}\
.buttons{margin-top:1rem;display:flex;gap:.5rem;flex-wrap:wrap}\
button{font:inherit;border:0;border-radius:8px;padding:.5rem 1.25rem;cursor:pointer}\
.allow{background:#1f3c88;color:#fff}.deny{background:#e4e7eb;color:#1b1f24}";
