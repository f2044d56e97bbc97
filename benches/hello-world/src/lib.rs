//! A counter: the least a hydrating Leptos app ships. With `router`: the same page behind the
//! router, a title from leptos_meta, and a button that calls a server function.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[cfg(not(feature = "router"))]
#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    view! { <button on:click=move |_| count.update(|n| *n += 1)>"Hello, world: " {count}</button> }
}

#[cfg(feature = "router")]
#[server]
async fn greet(name: String) -> Result<String, ServerFnError> {
    Ok(format!("Hello, {name}"))
}

#[cfg(feature = "router")]
#[component]
fn App() -> impl IntoView {
    use leptos_router::{components::{Route, Router, Routes}, StaticSegment};
    leptos_meta::provide_meta_context();
    let greeting = RwSignal::new(String::new());
    let ask = move |_| leptos::task::spawn_local(async move {
        greeting.set(greet("world".into()).await.unwrap_or_default());
    });
    view! {
        <leptos_meta::Title text="Hello"/>
        <Router>
            <Routes fallback=|| "Not found">
                <Route path=StaticSegment("") view=move || view! { <button on:click=ask>"Greet"</button> <p>{greeting}</p> }/>
            </Routes>
        </Router>
    }
}

#[wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
