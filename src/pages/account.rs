use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_navigate};

use crate::{
    api::{current_account, SignOut},
    domain::AccountView,
};

#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| current_account());
    view! {
        <Suspense fallback=|| view! { <section class="card"><p class="muted">"Loading your account…"</p></section> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(Some(account)) => view! { <AccountCard account/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/"/> }.into_any(),
                    Err(e) => view! {
                        <section class="card">
                            <h1>"Your account"</h1>
                            <p class="error" role="alert">{e.to_string()}</p>
                            <p><a href="/account">"Try again"</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
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

#[cfg(test)]
mod tests {
    use super::initials;

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
    let sign_out = ServerAction::<SignOut>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            navigate("/", Default::default());
        }
    });
    let greeting = if account.new_account {
        format!("Welcome, {}! Your account is ready.", account.name)
    } else {
        format!("Welcome back, {}.", account.name)
    };
    let details = account
        .details
        .into_iter()
        .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
        .collect_view();
    // Which providers vouched for this person; "verified" because each checked who they are.
    let ways_in = account
        .ways_in
        .iter()
        .map(|provider| format!("{} (verified)", provider.label()))
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
            <h2>"Your details"</h2>
            <dl class="details">
                <dt>"Name"</dt><dd>{account.name}</dd>
                {details}
                <dt>"Ways in"</dt>
                <dd class="ways-in">{ways_in}</dd>
            </dl>
            <p class="muted">{format!("Signed in {} time{}.", account.sign_in_count, if account.sign_in_count == 1 { "" } else { "s" })}</p>
            <ActionForm action=sign_out>
                <button type="submit" class="secondary">"Sign out"</button>
            </ActionForm>
        </section>
    }
}
