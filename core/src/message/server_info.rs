//! The `server_info` reply to `info`.

use crate::json::{JsonStr, Members, RawJson};

/// The answer to `info`: what the server is and what it offers.
///
/// Every accessor is optional: builds and versions differ in which of the ~40 members they
/// send, and a missing one is not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerInfo<'a> {
    /// The transaction of the `info` request.
    pub transaction: Option<JsonStr<'a>>,
    /// The whole message, for members without an accessor.
    pub raw: RawJson<'a>,
}

impl<'a> ServerInfo<'a> {
    pub(crate) const fn new(transaction: Option<JsonStr<'a>>, raw: RawJson<'a>) -> Self {
        Self { transaction, raw }
    }

    fn text(&self, key: &str) -> Option<JsonStr<'a>> {
        self.raw.get(key)?.as_str()
    }

    fn number(&self, key: &str) -> Option<u64> {
        self.raw.get(key)?.as_u64()
    }

    fn flag(&self, key: &str) -> Option<bool> {
        self.raw.get(key)?.as_bool()
    }

    /// `name`, e.g. `Janus WebRTC Server`.
    #[must_use]
    pub fn name(&self) -> Option<JsonStr<'a>> {
        self.text("name")
    }

    /// `version`, e.g. `1102` for 1.1.2.
    #[must_use]
    pub fn version(&self) -> Option<u64> {
        self.number("version")
    }

    /// `version_string`, e.g. `1.1.2`.
    #[must_use]
    pub fn version_string(&self) -> Option<JsonStr<'a>> {
        self.text("version_string")
    }

    /// `server-name` from the configuration.
    #[must_use]
    pub fn server_name(&self) -> Option<JsonStr<'a>> {
        self.text("server-name")
    }

    /// `session-timeout` in seconds (0: sessions never expire).
    #[must_use]
    pub fn session_timeout(&self) -> Option<u64> {
        self.number("session-timeout")
    }

    /// `reclaim-session-timeout` in seconds (0: no `claim` after a transport is lost).
    #[must_use]
    pub fn reclaim_session_timeout(&self) -> Option<u64> {
        self.number("reclaim-session-timeout")
    }

    /// `candidates-timeout` in seconds.
    #[must_use]
    pub fn candidates_timeout(&self) -> Option<u64> {
        self.number("candidates-timeout")
    }

    /// `api_secret`: requests need an `apisecret`.
    #[must_use]
    pub fn api_secret_required(&self) -> Option<bool> {
        self.flag("api_secret")
    }

    /// `auth_token`: requests need a `token`.
    #[must_use]
    pub fn auth_token_required(&self) -> Option<bool> {
        self.flag("auth_token")
    }

    /// `accepting-new-sessions`.
    #[must_use]
    pub fn accepting_new_sessions(&self) -> Option<bool> {
        self.flag("accepting-new-sessions")
    }

    /// `data_channels`: built with data channel support.
    #[must_use]
    pub fn data_channels(&self) -> Option<bool> {
        self.flag("data_channels")
    }

    /// `full-trickle`.
    #[must_use]
    pub fn full_trickle(&self) -> Option<bool> {
        self.flag("full-trickle")
    }

    /// `plugins`: package name → description object.
    #[must_use]
    pub fn plugins(&self) -> Members<'a> {
        self.map("plugins")
    }

    /// `transports`: package name → description object.
    #[must_use]
    pub fn transports(&self) -> Members<'a> {
        self.map("transports")
    }

    /// Whether `plugins` lists the package `name`, e.g. `janus.plugin.echotest`.
    #[must_use]
    pub fn has_plugin(&self, name: &str) -> bool {
        self.plugins().any(|(k, _)| k.eq_str(name))
    }

    fn map(&self, key: &str) -> Members<'a> {
        match self.raw.get(key) {
            Some(v) => v.members(),
            // An empty object's members: keeps the return type simple.
            None => RawJson::from_validated("{}").members(),
        }
    }
}
