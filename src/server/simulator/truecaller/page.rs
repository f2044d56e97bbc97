//! The simulated phone: pending prompts with Approve / Reject, and the seeded identities.
//! Plain server-rendered HTML (forms, no script), so it works in any browser and in tests.

use leptos::prelude::*;

use super::{Answer, Prompt, Sheet, SheetAnswer, SEEDED};

pub fn render(prompts: &[Prompt], sheets: &[Sheet]) -> String {
    let waiting = prompts.iter().any(|p| p.answer == Answer::Pending);
    let rows = prompts
        .iter()
        .map(|p| {
            let action = |answer: &str| format!("/simulator/requests/{}/{answer}", urlencode(&p.request_id));
            let status = match p.answer {
                Answer::Pending => "Waiting for you".to_owned(),
                Answer::Approved => "Approved".to_owned(),
                Answer::Rejected => "Rejected".to_owned(),
            };
            let delivery = p.delivery.clone().map(|d| format!(" · callback answered {d}"));
            let pending = p.answer == Answer::Pending;
            view! {
                <li class="prompt" data-request-id=p.request_id.clone()>
                    <div>
                        <strong class="prompt-phone">{format!("+{}", p.phone)}</strong>
                        <span class="prompt-meta">
                            {format!(" · {} s ago · {status}", p.age().as_secs())} {delivery}
                        </span>
                    </div>
                    <p>"Sign in to this app with your Truecaller profile?"</p>
                    {pending.then(|| view! {
                        <form method="post" action=action("approve")>
                            <button type="submit" class="approve">"Approve"</button>
                        </form>
                        <form method="post" action=action("reject")>
                            <button type="submit" class="reject">"Reject"</button>
                        </form>
                    })}
                </li>
            }
        })
        .collect_view();
    let identities = SEEDED
        .iter()
        .map(|i| view! { <tr><td><code>{format!("+{}", i.phone)}</code></td><td>{i.label}</td></tr> })
        .collect_view();
    let sheets = sheets
        .iter()
        .map(|s| {
            let answer = match s.answer {
                SheetAnswer::Open => "open",
                SheetAnswer::Continued => "continued",
                SheetAnswer::Dismissed => "dismissed",
                SheetAnswer::Skipped => "footer option chosen",
            };
            let delivery = s.delivery.clone().map(|d| format!(" · callback answered {d}")).unwrap_or_default();
            view! { <li>{format!("{} · nonce {}… · {answer}{delivery}", s.partner_name, &s.nonce[..s.nonce.len().min(6)])}</li> }
        })
        .collect_view();
    let empty = prompts.is_empty().then(|| view! { <p class="empty">"No prompts yet. Sign in on the app to send one here."</p> });
    // While nothing waits for an answer, refresh so new prompts appear; never mid-decision.
    let refresh = (!waiting).then(|| view! { <meta http-equiv="refresh" content="3"/> });
    let body = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                {refresh}
                <title>"Truecaller simulator: phone"</title>
                <link rel="icon" href="/simulator/icon.svg" type="image/svg+xml"/>
                <style>{STYLE}</style>
            </head>
            <body>
                <main>
                    <h1>"Simulated phone"</h1>
                    <p>
                        "Prompts the app sends to Truecaller land here. Approve or reject them as the phone's owner would; "
                        "the simulator then calls the app's callback, like Truecaller does."
                    </p>
                    <p><a href="/simulator">"Refresh"</a>" · "<a href="/">"Back to the app"</a></p>
                    <h2>"Prompts"</h2>
                    {empty}
                    <ul class="prompts">{rows}</ul>
                    <h2 id="android">"Android one-tap"</h2>
                    <p>
                        "On an Android phone the app opens Truecaller's bottom sheet with a "<code>"truecallersdk://"</code>
                        " link. Here the simulated Truecaller app is a page: in Chrome's device toolbar (or Playwright's "
                        "Android profile), tap \"Continue with Truecaller\" and the simulated sheet opens in a new tab, "
                        "with Continue (as one of the numbers below), the close button (a decline) and the footer option. "
                        "Keep the sign-in tab in front instead and it reads as \"Truecaller is not installed\"."
                    </p>
                    <ul class="sheets">{sheets}</ul>
                    <h2>"Numbers to try"</h2>
                    <p>"Any other valid mobile number is a Truecaller user with a generated profile."</p>
                    <table>
                        <thead><tr><th>"Number"</th><th>"Behaviour"</th></tr></thead>
                        <tbody>{identities}</tbody>
                    </table>
                    {digilocker()}
                </main>
            </body>
        </html>
    };
    format!("<!DOCTYPE html>{}", body.to_html())
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}\
main{max-width:40rem;margin:0 auto;padding:1.5rem}\
.prompts{list-style:none;padding:0}\
.prompt{background:#fff;border-radius:12px;padding:1rem;margin:.75rem 0;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
.prompt form{display:inline-block;margin-right:.5rem}\
.prompt-meta{color:#57606a}\
button{font:inherit;border:0;border-radius:8px;padding:.5rem 1.25rem;cursor:pointer}\
.approve{background:#0087ff;color:#fff}.reject{background:#e4e7eb;color:#1b1f24}\
table{border-collapse:collapse;width:100%;background:#fff}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #e4e7eb}";

/// The phone page's icon (this app's mark), served by the simulator itself.
pub const ICON: &str = include_str!("../../../../public/favicon.svg");

/// The simulated DigiLocker's people, in a build that has DigiLocker.
#[cfg(feature = "digilocker")]
fn digilocker() -> impl IntoView {
    let persons = crate::server::simulator::DIGILOCKER_PERSONS
        .iter()
        .map(|p| view! { <tr><td>{p.name}</td><td>{p.label}</td></tr> })
        .collect_view();
    view! {
        <h2 id="digilocker">"DigiLocker (simulated)"</h2>
        <p>
            "\"Verify with DigiLocker\" on the app opens the simulated DigiLocker consent page, where you "
            "allow, deny or let the request expire, as one of these people:"
        </p>
        <table>
            <thead><tr><th>"Person"</th><th>"Profile"</th></tr></thead>
            <tbody>{persons}</tbody>
        </table>
    }
}

#[cfg(not(feature = "digilocker"))]
fn digilocker() -> impl IntoView {}
