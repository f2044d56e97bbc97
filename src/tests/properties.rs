//! Property-based fuzzing of every parser that sees outside input: Truecaller's callback body,
//! its profile JSON, the phone number people type, the callback's `endpoint` URL, and the Android
//! deep link we build from a deployer's settings. For any input: no panic, and nothing invalid is
//! accepted. `PROPTEST_CASES` sets how many inputs each property tries (CI runs a bounded pass;
//! raise it for a longer hunt).

use phonenumber::country;
use proptest::prelude::*;
use serde_json::{json, Value};
use truecaller_signin::server::{
    phone::PhoneNumber,
    providers::truecaller::{profile::Profile, TruecallerClient},
    sign_in::Callback,
    web::callback,
};
use url::Url;

/// Any JSON value, a few levels deep, with strings drawn from what the parsers care about.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        "[0-9+ ]{0,20}".prop_map(Value::from),
        prop_oneof![Just("user_rejected"), Just("use_another_number"), Just("flow_invoked")].prop_map(Value::from),
        "https://[a-z0-9.@:]{1,30}/v1/default".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        let keys = prop_oneof![
            Just("requestId".to_owned()),
            Just("accessToken".to_owned()),
            Just("state".to_owned()),
            Just("endpoint".to_owned()),
            Just("status".to_owned()),
            Just("name".to_owned()),
            Just("first".to_owned()),
            Just("last".to_owned()),
            Just("phoneNumbers".to_owned()),
            Just("avatarUrl".to_owned()),
            Just("userId".to_owned()),
            Just("onlineIdentities".to_owned()),
            Just("addresses".to_owned()),
            ".{0,12}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn printable(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_graphic())
}

/// What any accepted callback must satisfy.
fn check_accepted(parsed: &Callback) {
    match parsed {
        Callback::Approved { request_id, access_token, state, endpoint } => {
            assert!(printable(request_id, 128));
            assert!(printable(access_token, 4096));
            assert!(state.as_deref().is_none_or(|s| printable(s, 128)));
            assert!(endpoint.as_deref().is_none_or(|e| printable(e, 2048)));
        }
        Callback::Declined { request_id, status, .. } => {
            assert!(printable(request_id, 128));
            assert!(status == "user_rejected" || status == "use_another_number");
        }
        Callback::Notice { request_id, status } => {
            assert!(printable(request_id, 128) && printable(status, 64));
        }
    }
}

const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("application/x-www-form-urlencoded"),
    Some("text/plain"),
];

proptest! {
    #[test]
    fn callback_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048), ct in 0usize..5) {
        if let Ok(parsed) = callback::parse(CONTENT_TYPES[ct], &body) {
            check_accepted(&parsed);
        }
    }

    #[test]
    fn callback_json_is_accepted_only_when_well_formed(value in any_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        match callback::parse(Some("application/json"), &body) {
            Ok(parsed) => {
                check_accepted(&parsed);
                // Only an object with a string requestId can have been accepted.
                prop_assert!(value.get("requestId").and_then(Value::as_str).is_some());
            }
            Err(e) => prop_assert!(e.status().is_client_error(), "{e}"),
        }
    }

    #[test]
    fn well_formed_approvals_round_trip(
        request_id in "[A-Za-z0-9+/=_-]{1,128}",
        token in "[A-Za-z0-9._-]{1,512}",
        state in proptest::option::of("[A-Za-z0-9_-]{22}"),
        form in any::<bool>(),
    ) {
        let (ct, body) = if form {
            let mut f = url::form_urlencoded::Serializer::new(String::new());
            f.append_pair("requestId", &request_id).append_pair("accessToken", &token);
            if let Some(s) = &state { f.append_pair("state", s); }
            ("application/x-www-form-urlencoded", f.finish().into_bytes())
        } else {
            ("application/json", serde_json::to_vec(&json!({"requestId": request_id, "accessToken": token, "state": state})).unwrap())
        };
        match callback::parse(Some(ct), &body) {
            Ok(Callback::Approved { request_id: r, access_token: t, state: s, endpoint: None }) => {
                prop_assert_eq!(r, request_id);
                prop_assert_eq!(t, token);
                prop_assert_eq!(s, state);
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn profile_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = Profile::parse(&body);
    }

    #[test]
    fn accepted_profiles_have_a_name_and_only_plausible_numbers(value in any_json()) {
        if let Ok(profile) = Profile::parse(&serde_json::to_vec(&value).unwrap()) {
            prop_assert!(!profile.display_name().is_empty());
            prop_assert!(!profile.phone_numbers.is_empty());
            for n in &profile.phone_numbers {
                prop_assert!((6..=15).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()), "{n}");
            }
            prop_assert!(profile.avatar_url.as_deref().is_none_or(|u| u.starts_with("https://")));
        }
    }

    #[test]
    fn profile_numbers_count_as_json_numbers_or_strings(
        digits in 6u64..=999_999_999_999_999u64,
        as_text in any::<bool>(),
        plus in any::<bool>(),
    ) {
        let number = if as_text {
            Value::from(format!("{}{digits}", if plus { "+" } else { "" }))
        } else {
            Value::from(digits)
        };
        let value = json!({"name": {"first": "A"}, "phoneNumbers": [number]});
        let profile = Profile::parse(&serde_json::to_vec(&value).unwrap());
        let expected = digits.to_string();
        match profile {
            Ok(p) => prop_assert_eq!(p.phone_numbers, vec![expected]),
            Err(e) => prop_assert!(expected.len() < 6, "{e:?}"),
        }
    }

    #[test]
    fn typed_phone_numbers_never_panic_and_accepted_ones_are_e164(input in ".{0,40}", region in 0usize..4) {
        let region = [country::Id::IN, country::Id::SE, country::Id::GB, country::Id::US][region];
        if let Ok(phone) = PhoneNumber::parse(&input, region) {
            let digits = phone.digits();
            prop_assert!(digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(PhoneNumber::from_stored(digits), Some(phone.clone()));
            let shown = format!("{phone:?}");
            prop_assert!(!shown.contains(&digits[digits.len() - 6..]), "{}", shown);
        }
    }

    #[test]
    fn digit_soup_is_judged_by_libphonenumber_only(input in "[+]?[0-9 ()\\-.]{0,30}") {
        if let Ok(phone) = PhoneNumber::parse(&input, country::Id::IN) {
            let e164 = format!("+{}", phone.digits());
            let valid = phonenumber::parse(None, &e164).is_ok_and(|n| n.is_valid());
            prop_assert!(valid, "{}", e164);
        }
    }

    #[test]
    fn endpoints_outside_the_allow_list_are_refused(
        scheme in prop_oneof![Just("https"), Just("http"), Just("ftp"), Just("file")],
        userinfo in prop_oneof![Just(""), Just("profile4.truecaller.com@"), Just("user:pass@")],
        host in prop_oneof![
            Just("profile4.truecaller.com".to_owned()),
            Just("profile4-noneu.truecaller.com".to_owned()),
            Just("truecaller.com.evil.example".to_owned()),
            Just("evil.example".to_owned()),
            Just("127.0.0.1".to_owned()),
            Just("[::1]".to_owned()),
            Just("169.254.169.254".to_owned()),
            Just("xn--trucaller-8za.com".to_owned()),
            "[a-z0-9.-]{1,20}",
        ],
        port in prop_oneof![Just(""), Just(":443"), Just(":8443"), Just(":1")],
        path in prop_oneof![Just("/v1/default"), Just("/v1/default/"), Just("/"), Just("/v1/default?x=1"), Just("/v1/default#f"), Just("/../v1/default")],
    ) {
        let client = TruecallerClient::new(
            &Url::parse("https://api4.truecaller.com").unwrap(),
            &Url::parse("https://profile4.truecaller.com").unwrap(),
            "key".into(),
        );
        let raw = format!("{scheme}://{userinfo}{host}{port}{path}");
        if let Ok(url) = client.profile_url_for(Some(&raw)) {
            prop_assert_eq!(url.scheme(), "https", "{}", raw);
            prop_assert!(url.username().is_empty() && url.password().is_none(), "{}", raw);
            prop_assert!(url.port_or_known_default() == Some(443), "{}", raw);
            prop_assert!(url.host_str().is_some_and(|h| h.ends_with(".truecaller.com")), "{}", raw);
            prop_assert_eq!(url.path(), "/v1/default", "{}", raw);
            prop_assert!(url.query().is_none() && url.fragment().is_none(), "{}", raw);
        }
    }

    /// Whatever a deployer names the app or links to, the deep link is one line that reads back
    /// to exactly the values sent, with nothing spilling into a fragment or another parameter.
    #[test]
    fn deep_links_read_back_to_what_was_sent(
        partner in "\\PC{1,64}",
        path in "[a-zA-Z0-9/?&=#%+ ._~-]{0,40}",
        lang in ".{0,12}",
        ttl_ms in 0u64..10_000_000,
    ) {
        use truecaller_signin::server::providers::truecaller::deep_link::{sheet_language, DeepLink, OneTapLook, LANGUAGES};
        let privacy = Url::parse(&format!("https://acme.example/{path}")).ok();
        let look = OneTapLook { partner_name: partner.clone(), privacy_url: privacy.clone(), ..OneTapLook::default() };
        let link = DeepLink {
            look: &look,
            app_key: "key",
            nonce: "abcdefgh_-12",
            page_language: &lang,
            ttl: std::time::Duration::from_millis(ttl_ms),
        }
        .build();
        prop_assert!(!link.contains(['#', ' ', '\n', '+']), "{}", link);
        let url = Url::parse(&link).unwrap();
        let read: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        prop_assert_eq!(&read["partnerName"], &partner);
        let sent_privacy = privacy.as_ref().map(|u| u.to_string());
        prop_assert_eq!(read.get("privacyUrl"), sent_privacy.as_ref());
        prop_assert_eq!(&read["requestNonce"], "abcdefgh_-12");
        prop_assert_eq!(&read["ttl"], &ttl_ms.to_string());
        prop_assert!(LANGUAGES.contains(&read["lang"].as_str()));
        prop_assert_eq!(read["lang"].as_str(), sheet_language(&lang));
        prop_assert_eq!(url.query_pairs().count(), read.len());
    }
}
