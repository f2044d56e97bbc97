use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, SsrMode,
};
use truecaller_signin::{
    components::{use_current_user, Account, DeleteAccount, SignIn, SignInData, SignInStylesheet, SignOutButton, SignedIn},
    user::Assurance,
};

/// The document around the shop's app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // No icon of its own: asks for none.
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <SignInStylesheet/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <SignInData/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/shop.css"/>
        <Title text="Chai & Co."/>
        <Router>
            <header class="shop">
                <a class="brand" href="/">"Chai & Co."</a>
                <nav>
                    <a href="/orders">"My orders"</a>
                    <a href="/tasting-room">"Tasting room"</a>
                    <SignedIn fallback=|| view! { <a href="/signin">"Sign in"</a> }>
                        <a href="/account">"Account"</a>
                        <SignOutButton class="link"/>
                    </SignedIn>
                </nav>
            </header>
            <main class="shop">
                <Routes fallback=|| view! { <h1>"Not found"</h1> }>
                    <Route path=path!("/") view=Home/>
                    // The sign-in's pages, where the server's `paths` say they are.
                    <Route path=path!("/signin") view=SignIn ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=Account ssr=SsrMode::Async/>
                    <Route path=path!("/account/delete") view=DeleteAccount ssr=SsrMode::Async/>
                    <Route path=path!("/orders") view=Orders ssr=SsrMode::Async/>
                    <Route path=path!("/tasting-room") view=TastingRoom ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <h1>"Fresh Assam and Darjeeling, to your door"</h1>
        <p>"Sign in with your phone number to see your orders."</p>
    }
}

/// Only for the signed-in: anyone else is sent to sign in, and comes back here afterwards.
#[component]
fn Orders() -> impl IntoView {
    view! {
        <SignedIn fallback=|| view! { <Redirect path="/signin?next=/orders"/> }>
            <h1>"My orders"</h1>
            <p class="who">{use_current_user().map(|user| format!("Signed in as {} ({})", user.name, user.phone_masked))}</p>
            <OrderList/>
        </SignedIn>
    }
}

/// Asked for only once someone is signed in.
#[component]
fn OrderList() -> impl IntoView {
    let orders = Resource::new(|| (), |_| my_orders());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(list) => {
                        let items = list.into_iter().map(|order| view! { <li class="order">{order}</li> }).collect_view();
                        view! { <ul class="orders">{items}</ul> }.into_any()
                    }
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Only for a person whose government ID was checked (DigiLocker).
#[component]
fn TastingRoom() -> impl IntoView {
    view! {
        <SignedIn fallback=|| view! { <Redirect path="/signin?next=/tasting-room"/> }>
            {match use_current_user() {
                Some(user) if user.assurance >= Assurance::GovernmentId => view! {
                    <h1>"Tasting room"</h1>
                    <p class="verified">"Welcome, " {user.name} ". Your government ID was verified through DigiLocker."</p>
                }
                .into_any(),
                _ => view! {
                    <h1>"Tasting room"</h1>
                    <p class="needs-id">"This room needs a government ID. Sign out, then sign in with DigiLocker."</p>
                }
                .into_any(),
            }}
        </SignedIn>
    }
}

/// The signed-in person's orders: the server decides who that is (`CurrentUser`), never the page.
#[server(endpoint = "shop/orders")]
async fn my_orders() -> Result<Vec<String>, ServerFnError> {
    use truecaller_signin::user::CurrentUser;
    let user: CurrentUser = leptos_axum::extract().await.map_err(|_| ServerFnError::new("sign in to see your orders"))?;
    Ok(vec![
        format!("Order #{}-1: Assam breakfast, 250 g", user.account_id),
        format!("Order #{}-2: Darjeeling first flush, 100 g", user.account_id),
    ])
}
