//! `GET /account/data`: the signed-in person's data, as a file to keep.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;

use crate::{
    server::{error::Error, sign_in::SignInService},
    site::Site,
    user::CurrentUser,
};

/// What each way in hands over and what of it is kept, said in the file beside the data.
const RECEIVED: &[(&str, &str, &str)] = &[
    (
        "truecaller",
        "name, phone number, and what the person's Truecaller profile shares (email, job title, company, city, country, gender, about, website, social ids, badges, picture)",
        "name, the verified number, and the profile details shown on the account page",
    ),
    (
        "digilocker",
        "name, date of birth, gender, mobile number and email from the Aadhaar profile",
        "name and the verified mobile number",
    ),
];

/// Never stored, whatever the way in.
const NEVER_KEPT: &str = "access tokens (used once, to fetch the profile), DigiLocker documents, date of birth, gender";

pub async fn download(
    State(sign_ins): State<SignInService>,
    State(site): State<Site>,
    user: Option<CurrentUser>,
) -> Result<Response, Error> {
    let Some(account) = sign_ins.account_data(user.as_ref()).await? else {
        return Ok(Redirect::to(&site.paths.sign_in).into_response());
    };
    let received: Vec<_> = RECEIVED
        .iter()
        .map(|(provider, returned, kept)| json!({ "provider": provider, "returned": returned, "kept": kept }))
        .collect();
    let file = json!({ "account": account, "what_each_way_in_returns": received, "never_kept": NEVER_KEPT });
    let body = serde_json::to_vec_pretty(&file).map_err(|_| Error::Corrupt("account data not serializable"))?;
    let headers = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.json\""),
    ];
    Ok((headers, body).into_response())
}
