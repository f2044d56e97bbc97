use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    api::current_account,
    domain::AccountView,
    i18n::Locale,
    words::{page_locale, say},
};

/// The account a sign-in just brought, handed from the sign-in page to the account page it
/// navigates to: that page draws it at once instead of asking the server again. Provided per app
/// (per request on the server, where nothing is ever handed over before `/account` renders).
#[derive(Clone, Copy)]
pub struct JustSignedIn(StoredValue<Option<AccountView>>);

impl JustSignedIn {
    pub fn provide() {
        provide_context(Self(StoredValue::new(None)));
    }

    pub fn hand_over(account: AccountView) {
        if let Some(Self(slot)) = use_context::<Self>() {
            slot.set_value(Some(account));
        }
    }

    fn take() -> Option<AccountView> {
        use_context::<Self>().and_then(|Self(slot)| slot.try_update_value(Option::take).flatten())
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    if let Some(account) = JustSignedIn::take() {
        return view! { <AccountCard account/> }.into_any();
    }
    let account = Resource::new(|| (), |_| current_account());
    let locale = page_locale();
    view! {
        <Suspense fallback=move || view! { <section class="card"><p class="muted">{say!(locale, account_loading)}</p></section> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <AccountCard account/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/"/> }.into_any(),
                    Err(e) => view! {
                        <section class="card">
                            <h1>{say!(locale, account_title)}</h1>
                            <p class="error" role="alert">{e.message(locale)}</p>
                            <p><a href="/account">{say!(locale, offer_try_again)}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Up to two letters for an avatar: the first of the first and of the last word of the name
/// (`Rajat Kapoor` → `RK`; in scripts such as Devanagari, the first code point of each word), or
/// `?` without a name.
fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = |word: &str| word.chars().next().map(|c| c.to_uppercase().collect::<String>());
    let letters: String = match words.as_slice() {
        [] => return "?".to_owned(),
        [only] => first(only).unwrap_or_default(),
        [head, .., tail] => first(head).unwrap_or_default() + &first(tail).unwrap_or_default(),
    };
    if letters.is_empty() { "?".to_owned() } else { letters }
}

/// A profile detail's label in `locale`: the key the server stores it under (`email`), or the
/// English label accounts created before languages were stored with (`Email`); anything else is
/// shown as stored.
fn detail_label(key: &str, locale: Locale) -> String {
    let label = match key.to_ascii_lowercase().replace(' ', "_").as_str() {
        "email" => say!(locale, detail_email),
        "job_title" => say!(locale, detail_job_title),
        "company" => say!(locale, detail_company),
        "city" => say!(locale, detail_city),
        "country" => say!(locale, detail_country),
        "gender" => say!(locale, detail_gender),
        "about" => say!(locale, detail_about),
        "website" => say!(locale, detail_website),
        "facebook" => say!(locale, detail_facebook),
        "twitter" => say!(locale, detail_twitter),
        "badges" => say!(locale, detail_badges),
        _ => return key.to_owned(),
    };
    label.to_owned()
}

#[cfg(test)]
mod tests {
    use super::{detail_label, initials};
    use crate::i18n::Locale;

    #[test]
    fn detail_labels_follow_the_language_whatever_form_they_were_stored_in() {
        assert_eq!(detail_label("job_title", Locale::en), "Job title");
        assert_eq!(detail_label("Job title", Locale::en), "Job title");
        assert_ne!(detail_label("email", Locale::hi), "Email");
        assert_eq!(detail_label("Something new", Locale::hi), "Something new");
    }

    #[test]
    fn initials_take_the_first_and_last_word() {
        assert_eq!(initials("Rajat Kapoor"), "RK");
        assert_eq!(initials("arjun venkatesh nair"), "AN");
        assert_eq!(initials("  Meera  "), "M");
        assert_eq!(initials("मीरा अय्यर"), "मअ");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("   "), "?");
    }
}

#[component]
fn AccountCard(account: AccountView) -> impl IntoView {
    let locale = page_locale();
    let name = account.name.as_str();
    let greeting = if account.new_account {
        say!(locale, welcome_new, name).to_string()
    } else {
        say!(locale, welcome_back, name).to_string()
    };
    let details = account
        .details
        .into_iter()
        .map(|(key, value)| view! { <dt>{detail_label(&key, locale)}</dt><dd>{value}</dd> })
        .collect_view();
    // Which providers vouched for this person; "verified" because each checked who they are.
    let ways_in = account
        .ways_in
        .iter()
        .map(|provider| say!(locale, verified, provider = provider.label()).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // The initials are always there; a picture, when the profile has one, covers them once it
    // loads. One that fails (or is slow) leaves the initials showing: with an empty `alt` a broken
    // image draws nothing, and one that fails while the page is live is removed altogether.
    let avatar_failed = RwSignal::new(false);
    let picture = account.avatar_url.map(|src| {
        view! {
            <Show when=move || !avatar_failed.get()>
                <img
                    class="avatar-picture"
                    src=src.clone()
                    alt=""
                    width="64"
                    height="64"
                    loading="lazy"
                    decoding="async"
                    referrerpolicy="no-referrer"
                    on:error=move |_| avatar_failed.set(true)
                />
            </Show>
        }
    });
    view! {
        <section class="card account">
            <header class="account-header">
                <div class="avatar" aria-hidden="true">
                    <span class="avatar-initials">{initials(&account.name)}</span>
                    {picture}
                </div>
                <div>
                    <h1>{account.name.clone()}</h1>
                    <p class="phone">{account.phone}</p>
                </div>
            </header>
            <p class="greeting" role="status">{greeting}</p>
            <h2>{say!(locale, your_details)}</h2>
            <dl class="details">
                <dt>{say!(locale, detail_name)}</dt><dd>{account.name}</dd>
                {details}
                <dt>{say!(locale, detail_ways_in)}</dt>
                <dd class="ways-in">{ways_in}</dd>
            </dl>
            <p class="muted">{say!(locale, sign_in_count, count = account.sign_in_count).to_string()}</p>
            // A plain form post, with or without the wasm (`server::web::forms::sign_out`): the server
            // ends the session and sends the browser to the sign-in page. (Intercepting it in the
            // page, as an `ActionForm` did, made the bundle markedly larger: BENCHMARKS.md.)
            <form method="post" action="/signout">
                <button type="submit" class="secondary">{say!(locale, sign_out)}</button>
            </form>
            <p class="download"><a href="/account/data" download="my-data.json">{say!(locale, download_data)}</a></p>
            <p class="delete-account"><a href="/account/delete">{say!(locale, delete_account)}</a></p>
        </section>
    }
}

/// `/account/delete`: what deleting the account removes, and the one form that does it (a plain
/// post to `server::web::forms::delete_account`, with or without the wasm).
#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());
    let locale = page_locale();
    view! {
        <Suspense fallback=move || view! { <section class="card"><p class="muted">{say!(locale, account_loading)}</p></section> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! {
                        <section class="card delete">
                            <h1>{say!(locale, delete_title)}</h1>
                            <p><strong>{account.name}</strong>" "<span class="phone">{account.phone}</span></p>
                            <p>{say!(locale, delete_explain)}</p>
                            <form method="post" action="/account/delete">
                                <button type="submit" class="danger">{say!(locale, delete_account)}</button>
                            </form>
                            <p class="keep"><a href="/account">{say!(locale, delete_keep)}</a></p>
                        </section>
                    }
                    .into_any(),
                    Ok(None) => view! { <Redirect path="/"/> }.into_any(),
                    Err(e) => view! {
                        <section class="card">
                            <p class="error" role="alert">{e.message(locale)}</p>
                            <p><a href="/account/delete">{say!(locale, offer_try_again)}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
