//! Credentials: plain values that the request encoder writes into request bodies and the HTTP
//! framing writes into the query of a long poll.

/// Credentials that go into every request: a shared `apisecret` (`api_secret` in
/// `janus.jcfg`) and/or a `token` (`token_auth`). Over HTTP a long poll carries them in its
/// query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Auth<'a> {
    /// `apisecret`.
    pub apisecret: Option<&'a str>,
    /// `token`.
    pub token: Option<&'a str>,
}

impl<'a> Auth<'a> {
    /// No credentials.
    #[must_use]
    pub const fn none() -> Self {
        Self { apisecret: None, token: None }
    }

    /// Only an `apisecret`.
    #[must_use]
    pub const fn apisecret(secret: &'a str) -> Self {
        Self { apisecret: Some(secret), token: None }
    }

    /// Only a `token`.
    #[must_use]
    pub const fn token(token: &'a str) -> Self {
        Self { apisecret: None, token: Some(token) }
    }
}
