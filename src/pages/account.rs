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
    view! {
        <section class="card account">
            <header class="account-header">
                {account.avatar_url.map(|src| view! { <img class="avatar" src=src alt="" width="64" height="64"/> })}
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
