//! The client's address, as an extractor: every handler and server function that counts a limit
//! takes it from here, so none can skip the trusted-proxy rule.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRef, FromRequestParts},
    http::request::Parts,
};

use crate::server::{error::Error, throttle::TrustedProxies};

/// Where the request came from: the TCP peer, or what a trusted proxy says
/// ([`TrustedProxies::client_ip`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    TrustedProxies: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().copied().ok_or(Error::Context("connect info"))?;
        Ok(Self(TrustedProxies::from_ref(state).client_ip(peer, &parts.headers)))
    }
}
