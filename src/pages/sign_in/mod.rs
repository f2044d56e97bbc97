//! The sign-in component: phone form → sending → waiting (loader, countdown) → outcome.
//! The server owns the state machine; this component renders `SignInStatus` and keeps one
//! long-poll open while the status is pending. What each status says and offers comes from one
//! table, `screens::screen`; `views` draws it and `state` holds what the page does.
//!
//! On Android (Chrome, Samsung Internet) the page leads with one-tap: a control that opens
//! Truecaller's sheet through a deep link, then tells from the page's focus whether the app took
//! over (Truecaller's documented check, 600 ms later) or is absent (the phone form, at once).

mod browser;
mod state;
mod views;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::sign_in_page,
    countries::CountryChoice,
    domain::SignInStatus,
    page_data::{FormFeedback, SignInPageData},
    pages::screens,
    words::{page_locale, say},
};
use state::PageState;

#[component]
pub fn SignInPage() -> impl IntoView {
    // Rendered on the server from this browser's session, so a reload resumes where it was.
    let initial = Resource::new(|| (), |_| sign_in_page());
    let (number_first, deleted, next) = use_query_map().with_untracked(|query| {
        let next = query.get("next").filter(|path| crate::site::local(path));
        (query.get("with").as_deref() == Some("number"), query.get("deleted").is_some(), next)
    });
    let locale = page_locale();
    view! {
        <section class="card">
            // After "Delete my account" (`/?deleted`): said once, above the way back in.
            {deleted.then(|| view! { <p class="notice deleted" role="status">{say!(locale, account_deleted)}</p> })}
            <h1>{say!(locale, page_title)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{say!(locale, loading)}</p> }>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        match initial.await {
                            Ok(SignInPageData { status, feedback, digilocker, one_tap, country }) => {
                                view! { <SignInFlow start=status feedback digilocker one_tap number_first country next/> }.into_any()
                            }
                            Err(e) => view! { <p class="error" role="alert">{e.message(locale)}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// Where a completed sign-in goes: the page's `?next=` when it is a path of this site (a page
/// that sent the person here to sign in), else the host's `after_sign_in`.
fn after_sign_in() -> String {
    requested_next().unwrap_or_else(|| crate::site::site().paths.after_sign_in)
}

/// The page's `?next=` (a path of this site), in the flow's context.
#[derive(Clone)]
struct Next(Option<String>);

fn requested_next() -> Option<String> {
    use_context::<Next>().and_then(|Next(next)| next)
}

/// `path` (which may have a query of its own) with the page's `?next=`: the addresses a browser
/// without JavaScript goes to from the page, so the page it comes back to still has it.
fn with_next(path: &str) -> String {
    match requested_next() {
        Some(next) => {
            let joiner = if path.contains('?') { '&' } else { '?' };
            format!("{path}{joiner}next={}", leptos_router::location::Url::escape(&next))
        }
        None => path.to_owned(),
    }
}

#[component]
fn SignInFlow(
    start: SignInStatus,
    feedback: Option<FormFeedback>,
    /// Whether this deployment offers DigiLocker; the table says where it would be offered.
    digilocker: bool,
    /// Android one-tap leads (the server decided from the browser).
    #[prop(optional)]
    one_tap: bool,
    /// The person asked for the phone form (`/?with=number`).
    #[prop(optional)]
    number_first: bool,
    /// The country picker's list and first choice.
    country: CountryChoice,
    /// Where the person was going (the page's `?next=`, a path of this site).
    #[prop(default = None)]
    next: Option<String>,
) -> impl IntoView {
    provide_context(Next(next));
    let locale = page_locale();
    let page = PageState::new(start, feedback, locale, digilocker, one_tap, !one_tap || number_first, country);
    Effect::new(move |_| page.watch());
    // Tick the countdowns once a second (browser only).
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || page.tick(), std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });

    // The forms show a refusal beside the number; any other screen (a wait elsewhere, an
    // outcome) shows it under its own text, e.g. a limit refusing another DigiLocker start.
    let PageState { status, error, .. } = page;
    let form_shown = move || status.with(|s| matches!(s, SignInStatus::Idle | SignInStatus::ChoseAnotherWay));
    let other_refusal = move || {
        (!form_shown()).then(|| error.get()).flatten().map(|message| view! { <p class="error refusal" role="alert">{message}</p> })
    };
    view! {
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || status.with(|s| screens::screen(s, locale).announcement)}
        </p>
        {move || views::screen(page)}
        {other_refusal}
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::FailureReason;

    fn html(start: SignInStatus) -> String {
        rendered(start, true)
    }

    fn rendered(start: SignInStatus, digilocker: bool) -> String {
        rendered_going_to(start, digilocker, None)
    }

    fn rendered_going_to(start: SignInStatus, digilocker: bool, next: Option<&str>) -> String {
        let next = next.map(str::to_owned);
        let owner = Owner::new();
        let country = crate::countries::CountryChoice {
            unlisted: Vec::new().into(),
            countries: vec![crate::countries::Country {
                region: crate::countries::Region::parse("IN").unwrap(),
                name: "India".into(),
                dial: 91,
                main: true,
                example: "081234 56789".into(),
            }]
            .into(),
            chosen: crate::countries::Region::parse("IN").unwrap(),
        };
        owner.with(|| view! { <SignInFlow start feedback=None digilocker country next/> }.to_html())
    }

    #[test]
    fn a_deployment_without_digilocker_offers_it_nowhere() {
        for status in [SignInStatus::Idle, SignInStatus::Rejected, SignInStatus::NotTruecallerUser] {
            let page = rendered(status, false);
            assert!(!page.contains("DigiLocker") && !page.contains("/digilocker/start"), "{page}");
        }
    }

    #[test]
    fn digilocker_is_a_plain_form_post_below_the_phone_form() {
        let page = html(SignInStatus::Idle);
        let form = page.find(r#"action="/signin" "#).unwrap();
        let divider = page.find(">or<").unwrap();
        let digilocker = page.find(r#"<form method="post" action="/digilocker/start">"#).unwrap();
        assert!(form < divider && divider < digilocker, "{page}");
        let button = &page[digilocker..];
        let button = &button[..button.find("</form>").unwrap()];
        assert!(button.contains(r#"type="submit""#) && button.contains(r#"class="secondary digilocker""#), "{button}");
        assert!(button.contains(r#"aria-describedby="digilocker-hint""#), "{button}");
        assert!(page.contains(r#"<p id="digilocker-hint" class="hint">Use DigiLocker if you don't have Truecaller on this phone."#), "{page}");
        assert!(page.contains("Enter your mobile number to sign in."), "{page}");
    }

    #[test]
    fn outcomes_render_their_table_row() {
        let page = html(SignInStatus::Rejected);
        assert!(page.contains(r#"class="state outcome rejected""#), "{page}");
        assert!(page.contains("You declined the request"), "{page}");
        for label in ["Try again", "Use another number", "Verify with DigiLocker"] {
            assert!(page.contains(label), "{label}: {page}");
        }
        let page = html(SignInStatus::Failed { reason: FailureReason::NumberMismatch });
        assert!(!page.contains("DigiLocker"), "{page}");
        let page = html(SignInStatus::AtDigiLocker { seconds_left: 90 });
        assert!(page.contains(r#"class="state at-digilocker""#), "{page}");
        assert!(page.contains("Use Truecaller instead") && page.contains("1:30") && page.contains("http-equiv"), "{page}");
        assert!(!page.contains("Use another number"), "{page}");
        let page = html(SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true });
        assert!(page.contains(r#"<strong class="nowrap">+91 •••••••• 99</strong>"#), "{page}");
        assert!(page.contains(r#"class="link""#), "{page}");
    }

    #[test]
    fn need_more_time_is_a_plain_form_post_only_while_more_time_can_be_given() {
        let waiting = |more_time| SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time };
        let page = html(waiting(true));
        assert!(page.contains(r#"action="/signin/more-time""#) && page.contains("Need more time?"), "{page}");
        assert!(page.contains(r#"<p role="status" class="time-note">"#), "{page}");
        let page = html(waiting(false));
        assert!(!page.contains("/signin/more-time") && !page.contains("Need more time?"), "{page}");
    }

    #[test]
    fn every_form_carries_where_the_person_was_going() {
        let field = r#"<input type="hidden" name="next" value="/orders?week=2&amp;x">"#;
        let waiting = SignInStatus::Waiting { phone: "+91 •••••••• 99".into(), seconds_left: 60, more_time: true };
        let failed = SignInStatus::Failed { reason: FailureReason::ProviderUnavailable };
        // The phone form and DigiLocker's; more time and another number; try again and the others.
        for start in [SignInStatus::Idle, waiting, failed] {
            let page = rendered_going_to(start.clone(), true, Some("/orders?week=2&x"));
            let forms = page.matches("<form").count();
            assert!(forms >= 2, "{start:?}: {page}");
            assert_eq!(page.matches(field).count(), forms, "{start:?}: every form carries it: {page}");
            assert!(!rendered(start.clone(), true).contains(r#"name="next""#), "{start:?}: none without it");
        }
    }
}
