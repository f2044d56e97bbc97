//! The country next to the phone number. Without JavaScript (and until the wasm runs) it is a
//! plain `<select name="country">`; once the page is interactive it becomes a searchable list
//! (the ARIA combobox pattern): a button that shows the choice, and a search box that filters
//! the countries by name, ISO code or dial code, operated with the arrow keys, Enter and Escape.
//! Either way the form posts `country` with the number.

use leptos::{ev::KeyboardEvent, html, prelude::*, wasm_bindgen::JsCast};

use crate::{
    countries::{CountryChoice, Region},
    i18n::Locale,
    words::say,
};

/// `selected`: the country chosen (the number field may set it too). `heard`: set when a typed
/// "+" number chose it, which is then announced. `enhanced`: the page runs (false until the
/// first picker has hydrated; owned by the form's parent, so a form drawn again starts enhanced).
#[component]
pub fn CountryPicker(
    choice: StoredValue<CountryChoice>,
    selected: RwSignal<Region>,
    heard: RwSignal<bool>,
    enhanced: RwSignal<bool>,
    locale: Locale,
) -> impl IntoView {
    // The searchable list replaces the select only in a running page (effects don't run on the
    // server), so hydration meets the same select the server sent. What the select holds by then
    // (a choice made before the wasm ran, or restored by the browser) is kept, and so is focus.
    let select = NodeRef::<html::Select>::new();
    // In a task of its own after hydration: drawing the searchable list is tens of milliseconds of
    // main thread on a slow phone, which on top of hydration would make one task long enough to
    // hold up a tap.
    // (`try_`: the form may have gone by then, e.g. when a status arrived first.)
    let enhance = move || {
        let mut had_focus = false;
        if let Some(select) = select.try_get_untracked().flatten() {
            if let Some(region) = Region::parse(&select.value()) {
                selected.try_set(region);
            }
            had_focus = document().active_element().is_some_and(|active| active == **select);
        }
        if enhanced.try_set(true).is_some() {
            return;
        }
        if had_focus {
            request_animation_frame(|| {
                if let Some(button) = document().get_element_by_id("country") {
                    let _ = button.unchecked_into::<leptos::web_sys::HtmlElement>().focus();
                }
            });
        }
    };
    Effect::new(move |_| {
        if !enhanced.get_untracked() {
            set_timeout(enhance, std::time::Duration::ZERO);
        }
    });
    let label = say!(locale, country);
    let announcement = move || {
        heard.get().then(|| say!(locale, country_from_number, country = choice.with_value(|c| c.name(selected.get()))).to_string())
    };
    view! {
        <div class="field country-field">
            {move || if enhanced.get() {
                view! { <Searchable choice selected heard locale label/> }.into_any()
            } else {
                view! { <Plain choice selected label select/> }.into_any()
            }}
            <p class="visually-hidden" role="status">{announcement}</p>
        </div>
    }
}

/// The select every browser can use.
#[component]
fn Plain(
    choice: StoredValue<CountryChoice>,
    selected: RwSignal<Region>,
    label: &'static str,
    select: NodeRef<html::Select>,
) -> impl IntoView {
    // The options are markup, not views: the select lives only until the page runs, so nothing in
    // it needs to react, and hydration then skips its 250 options instead of walking each one (that
    // walk was most of the number page's longest task).
    let options = choice.with_value(|c| {
        let chosen = selected.get_untracked();
        c.countries
            .iter()
            .map(|country| {
                let region = country.region.as_str();
                let mark = if country.region == chosen { " selected" } else { "" };
                let text = html_escape::encode_text(&format!("{} ({})", country.name, country.dial_text())).into_owned();
                format!(r#"<option value="{region}"{mark}>{text}</option>"#)
            })
            .collect::<String>()
    });
    view! {
        <label for="country">{label}</label>
        <select
            id="country"
            name="country"
            autocomplete="country"
            node_ref=select
            on:change=move |ev| {
                if let Some(region) = Region::parse(&event_target_value(&ev)) {
                    selected.set(region);
                }
            }
            inner_html=options
        ></select>
    }
}

/// The button and its search panel.
#[component]
fn Searchable(
    choice: StoredValue<CountryChoice>,
    selected: RwSignal<Region>,
    heard: RwSignal<bool>,
    locale: Locale,
    label: &'static str,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    // The option the arrow keys are on (announced through `aria-activedescendant`).
    let active = RwSignal::new(None::<Region>);
    let found = Memo::new(move |_| {
        query.with(|q| choice.with_value(|c| c.search(q).into_iter().map(|country| country.region).collect::<Vec<_>>()))
    });
    let button = NodeRef::<html::Button>::new();
    let search = NodeRef::<html::Input>::new();
    let wrapper = NodeRef::<html::Div>::new();

    let show = move || {
        query.set(String::new());
        active.set(Some(selected.get_untracked()));
        open.set(true);
        request_animation_frame(move || {
            if let Some(search) = search.get_untracked() {
                let _ = search.focus();
            }
            scroll_to(selected.get_untracked());
        });
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let pick = move |region: Region| {
        selected.set(region);
        heard.set(false);
        close(true);
    };
    // Moves the active option by `step` within what the search found.
    let step = move |step: isize| {
        let found = found.get_untracked();
        if found.is_empty() {
            return;
        }
        let at = active.get_untracked().and_then(|a| found.iter().position(|r| *r == a));
        let next = match at {
            Some(at) => (at as isize + step).clamp(0, found.len() as isize - 1) as usize,
            None if step < 0 => found.len() - 1,
            None => 0,
        };
        active.set(Some(found[next]));
        scroll_to(found[next]);
    };
    let on_search_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            step(1);
        }
        "ArrowUp" => {
            ev.prevent_default();
            step(-1);
        }
        "PageDown" => {
            ev.prevent_default();
            step(10);
        }
        "PageUp" => {
            ev.prevent_default();
            step(-10);
        }
        "Enter" => {
            // Never submits the phone form from here.
            ev.prevent_default();
            let found = found.get_untracked();
            let active = active.get_untracked().filter(|a| found.contains(a));
            if let Some(region) = active.or_else(|| found.first().copied()) {
                pick(region);
            }
        }
        "Escape" => {
            ev.prevent_default();
            close(true);
        }
        _ => {}
    };
    let on_button_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "ArrowUp" => {
            ev.prevent_default();
            show();
        }
        "Escape" if open.get_untracked() => {
            ev.prevent_default();
            close(true);
        }
        _ => {}
    };
    // Focus leaving the picker (Tab, a click elsewhere) closes it, keeping the choice.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        if open.get_untracked() && !inside(wrapper, ev.related_target()) {
            close(false);
        }
    };
    let shown = move || choice.with_value(|c| c.get(selected.get()).cloned());

    view! {
        <div class="country-picker" node_ref=wrapper on:focusout=on_focus_out>
            <span id="country-label" class="label">{label}</span>
            <input type="hidden" name="country" value=move || selected.get().to_string()/>
            <button
                type="button"
                id="country"
                class="country-button"
                node_ref=button
                aria-labelledby="country-label country"
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                // Only while the panel exists: a reference to nothing is an error for assistive tech.
                aria-controls=move || open.get().then_some("country-panel")
                // While open, a press on the button must not move the focus (Safari does not focus
                // buttons it clicks, which would close the panel before the click toggles it).
                on:mousedown=move |ev| if open.get_untracked() { ev.prevent_default() }
                on:click=move |_| if open.get_untracked() { close(true) } else { show() }
                on:keydown=on_button_key
            >
                {move || shown().map(|c| view! {
                    <span class="flag" aria-hidden="true">{c.region.flag()}</span>
                    " "
                    <span class="name">{c.name.clone()}</span>
                    " "
                    <span class="dial" dir="ltr">{c.dial_text()}</span>
                })}
            </button>
            <Show when=move || open.get()>
                // Presses inside the panel keep the focus in the search box (only the box itself
                // takes them), so scrolling the list or pressing its padding doesn't close it.
                <div
                    id="country-panel"
                    class="country-panel"
                    role="dialog"
                    aria-labelledby="country-label"
                    on:mousedown=move |ev| if !is_search_box(ev.target()) { ev.prevent_default() }
                >
                    <label for="country-search" class="visually-hidden">{say!(locale, country_search)}</label>
                    <input
                        id="country-search"
                        type="text"
                        role="combobox"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder=say!(locale, country_search)
                        aria-autocomplete="list"
                        aria-expanded=move || (!found.with(Vec::is_empty)).to_string()
                        aria-controls="country-list"
                        aria-describedby="country-search-hint"
                        aria-activedescendant=move || active.get().filter(|a| found.with(|f| f.contains(a))).map(option_id)
                        node_ref=search
                        prop:value=query
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            active.set(found.with_untracked(|f| f.first().copied()));
                        }
                        on:keydown=on_search_key
                    />
                    <p id="country-search-hint" class="hint">{say!(locale, country_search_hint)}</p>
                    // Not in the tab order (the search box leads it) though it scrolls.
                    <ul id="country-list" role="listbox" aria-labelledby="country-label" tabindex="-1">
                        <For each=move || found.get() key=|region| *region let:region>
                            {choice.with_value(|c| c.get(region).cloned()).map(|country| view! {
                                <li
                                    id=option_id(region)
                                    role="option"
                                    class:active=move || active.get() == Some(region)
                                    class:chosen=move || selected.get() == region
                                    // The option the arrows are on is the selected one (APG's
                                    // combobox); the choice so far is on the button.
                                    aria-selected=move || (active.get() == Some(region)).to_string()
                                    on:click=move |_| pick(region)
                                >
                                    <span class="flag" aria-hidden="true">{region.flag()}</span>
                                    " "
                                    <span class="name">{country.name.clone()}</span>
                                    " "
                                    <span class="dial" dir="ltr">{country.dial_text()}</span>
                                </li>
                            })}
                        </For>
                    </ul>
                    <p class="muted none" role="status">
                        {move || found.with(Vec::is_empty).then(|| say!(locale, country_none, query = query.get()).to_string())}
                    </p>
                </div>
            </Show>
        </div>
    }
}

fn option_id(region: Region) -> String {
    format!("country-{region}")
}

/// Brings an option into the list's view (the arrow keys, or opening on the current choice).
fn scroll_to(region: Region) {
    #[cfg(feature = "hydrate")]
    if let Some(option) = document().get_element_by_id(&option_id(region)) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        option.scroll_into_view_with_scroll_into_view_options(&options);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = region;
}

/// Whether a press landed on the search box.
fn is_search_box(target: Option<leptos::web_sys::EventTarget>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.id() == "country-search")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = target;
        false
    }
}

/// Whether the element focus moved to is inside the picker.
fn inside(wrapper: NodeRef<html::Div>, target: Option<leptos::web_sys::EventTarget>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let node = target.and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        wrapper.get_untracked().is_some_and(|w| w.contains(node.as_ref()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (wrapper, target);
        false
    }
}
