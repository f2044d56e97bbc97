use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    api::get_your_data,
    domain::AccountView,
    page_data::{DeviceView, KeptFor, WayInUse, YourData},
    i18n::Locale,
    site::site,
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

/// The account page's data, asked for once per page: the account, its devices, what each way in
/// handed over and how long things are kept (one server function and one resource type for both
/// account pages keep the bundle smaller than one each).
type PageData = Resource<Result<Option<YourData>, crate::error::ApiError>>;

#[component]
pub fn AccountPage() -> impl IntoView {
    let data: PageData = Resource::new(|| (), |_| get_your_data());
    if let Some(account) = JustSignedIn::take() {
        return view! { <AccountCard account data/> }.into_any();
    }
    let locale = page_locale();
    view! {
        <Suspense fallback=move || view! { <section class="card"><p class="muted">{say!(locale, account_loading)}</p></section> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(yours)) => view! { <AccountCard account=yours.account data/> }.into_any(),
                    Ok(None) => view! { <Redirect path=site().paths.sign_in/> }.into_any(),
                    Err(e) => view! {
                        <section class="card">
                            <h1>{say!(locale, account_title)}</h1>
                            <p class="error" role="alert">{e.message(locale)}</p>
                            <p><a href=site().paths.account>{say!(locale, offer_try_again)}</a></p>
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
fn AccountCard(account: AccountView, data: PageData) -> impl IntoView {
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
            <YourDataParts data/>
            <p class="download"><a href="/account/data" download="my-data.json">{say!(locale, download_data)}</a></p>
            <p class="delete-account"><a href=site().paths.delete_account()>{say!(locale, delete_account)}</a></p>
        </section>
    }
}

/// `/account/delete`: what deleting the account removes, and the one form that does it (a plain
/// post to `server::web::forms::delete_account`, with or without the wasm).
#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let data: PageData = Resource::new(|| (), |_| get_your_data());
    let locale = page_locale();
    view! {
        <Suspense fallback=move || view! { <section class="card"><p class="muted">{say!(locale, account_loading)}</p></section> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(YourData { account, .. })) => view! {
                        <section class="card delete">
                            <h1>{say!(locale, delete_title)}</h1>
                            <p><strong>{account.name}</strong>" "<span class="phone">{account.phone}</span></p>
                            <p>{say!(locale, delete_explain)}</p>
                            <form method="post" action="/account/delete">
                                <button type="submit" class="danger">{say!(locale, delete_account)}</button>
                            </form>
                            <p class="keep"><a href=site().paths.account>{say!(locale, delete_keep)}</a></p>
                        </section>
                    }
                    .into_any(),
                    Ok(None) => view! { <Redirect path=site().paths.sign_in/> }.into_any(),
                    Err(e) => view! {
                        <section class="card">
                            <p class="error" role="alert">{e.message(locale)}</p>
                            <p><a href=site().paths.delete_account()>{say!(locale, offer_try_again)}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The account page's second part (drawn at once when the page's data came with the account, a
/// moment later when a sign-in handed the account over): where the person is
/// signed in (each other device with its own "sign out", plain form posts to
/// `server::web::forms::sign_out_devices`), what each way in handed over, and how long things
/// are kept.
#[component]
fn YourDataParts(data: PageData) -> impl IntoView {
    let locale = page_locale();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(data)) => view! {
                        <Devices devices=data.devices/>
                        <Received ways_in=data.ways_in/>
                        <Kept kept=data.kept/>
                    }
                    .into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message(locale)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Devices(devices: Vec<DeviceView>) -> impl IntoView {
    let locale = page_locale();
    let others = devices.iter().filter(|d| !d.this_device).count();
    let listed = devices
        .into_iter()
        .map(|device| {
            let name = match (device.browser.as_str(), device.platform.as_str()) {
                ("", "") => say!(locale, device_unknown).to_string(),
                (browser, "") => browser.to_owned(),
                ("", platform) => platform.to_owned(),
                (browser, platform) => say!(locale, device_name, browser = browser, platform = platform).to_string(),
            };
            let way_in = device.way_in.map(|provider| format!(" · {}", provider.label()));
            let network = (!device.network.is_empty()).then(|| say!(locale, device_from, network = device.network.clone()).to_string());
            let action = if device.this_device {
                view! { <span class="this-device">{say!(locale, this_device)}</span> }.into_any()
            } else {
                let label = say!(locale, sign_out_named, device = name.clone()).to_string();
                view! {
                    <form method="post" action="/account/devices/sign-out">
                        <input type="hidden" name="device" value=device.id/>
                        <button type="submit" class="secondary" aria-label=label>{say!(locale, sign_out)}</button>
                    </form>
                }
                .into_any()
            };
            view! {
                <li class="device">
                    <strong>{name}</strong>
                    {action}
                    <p class="muted">{say!(locale, device_signed_in, when = device.signed_in).to_string()}{way_in}</p>
                    <p class="muted">{say!(locale, device_last_seen, when = device.last_seen).to_string()}</p>
                    {network.map(|network| view! { <p class="muted">{network}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 id="devices">{say!(locale, devices_title)}</h2>
        <ul class="devices">{listed}</ul>
        {(others > 0).then(|| view! {
            <form method="post" action="/account/devices/sign-out">
                <button type="submit" class="secondary">{say!(locale, sign_out_others)}</button>
            </form>
        })}
    }
}

#[component]
fn Received(ways_in: Vec<WayInUse>) -> impl IntoView {
    let locale = page_locale();
    let listed = ways_in
        .into_iter()
        .map(|way| {
            let what = match way.provider {
                crate::domain::Provider::Truecaller => say!(locale, received_truecaller),
                crate::domain::Provider::DigiLocker => say!(locale, received_digilocker),
            };
            view! {
                <h3>{way.provider.label()}</h3>
                <p>{what}</p>
                <p class="muted">{say!(locale, received_last, when = way.last_used).to_string()}</p>
            }
        })
        .collect_view();
    view! {
        <h2>{say!(locale, received_title)}</h2>
        {listed}
        <p>{say!(locale, received_never)}</p>
    }
}

#[component]
fn Kept(kept: KeptFor) -> impl IntoView {
    let locale = page_locale();
    let account = match kept.idle_account_days {
        Some(days) => say!(locale, kept_account_idle, count = days).to_string(),
        None => say!(locale, kept_account).to_string(),
    };
    view! {
        <h2>{say!(locale, kept_title)}</h2>
        <ul class="kept">
            <li>{say!(locale, kept_devices, count = kept.device_idle_minutes).to_string()}</li>
            <li>{say!(locale, kept_sign_ins, count = kept.sign_ins_hours).to_string()}</li>
            <li>{say!(locale, kept_audit, count = kept.audit_days).to_string()}</li>
            <li>{account}</li>
        </ul>
    }
}
