//! Admin/Monitor API requests (`/admin`, `janus-admin-protocol`).

use serde::Serialize;

use super::{Api, Object, Request, write_into};
use crate::error::EncodeError;
use crate::ids::{HandleId, SessionId, Transaction};

/// No extra fields: the default parameter type of an [`AdminRequest`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoFields;

impl Serialize for NoFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

/// Parameters of the typed Admin requests.
#[derive(Debug, Clone, Copy)]
enum Params<'a> {
    None,
    Timeout(u64),
    PluginOnly(bool),
    Token { token: &'a str, plugins: &'a [&'a str] },
    Accept(bool),
    Level(u8),
}

/// A request to the Admin/Monitor API, with `admin_secret`.
///
/// The common requests have constructors; any other goes through
/// [`custom`](Self::custom) with its parameters as the caller's `Serialize` struct (or a
/// pre-encoded JSON object), written at the top level of the request as Janus expects.
///
/// ```
/// use janus_signal::request::{AdminRequest, Request};
/// use janus_signal::{SessionId, Transaction};
///
/// let mut out = [0u8; 128];
/// let tx = Transaction::new("a1").unwrap();
/// let n = AdminRequest::list_handles(tx, SessionId(7)).with_secret("janusoverlord").encode(&mut out).unwrap();
/// assert_eq!(
///     &out[..n],
///     br#"{"janus":"list_handles","transaction":"a1","session_id":7,"admin_secret":"janusoverlord"}"#
/// );
///
/// #[derive(serde::Serialize)]
/// struct Level {
///     level: u8,
/// }
/// let tx = Transaction::new("a2").unwrap();
/// let n = AdminRequest::custom(tx, "set_log_level", &Level { level: 5 }).encode(&mut out).unwrap();
/// assert_eq!(&out[..n], br#"{"janus":"set_log_level","transaction":"a2","level":5}"#);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AdminRequest<'a, F: ?Sized = NoFields> {
    transaction: Transaction<'a>,
    name: &'a str,
    session: Option<SessionId>,
    handle: Option<HandleId>,
    secret: Option<&'a str>,
    params: Params<'a>,
    fields: Option<&'a F>,
}

impl<'a> AdminRequest<'a> {
    const fn typed(transaction: Transaction<'a>, name: &'a str, params: Params<'a>) -> Self {
        Self { transaction, name, session: None, handle: None, secret: None, params, fields: None }
    }

    /// `ping` (needs no secret).
    #[must_use]
    pub const fn ping(transaction: Transaction<'a>) -> Self {
        Self::typed(transaction, "ping", Params::None)
    }

    /// `info` (needs no secret).
    #[must_use]
    pub const fn info(transaction: Transaction<'a>) -> Self {
        Self::typed(transaction, "info", Params::None)
    }

    /// `get_status`: the server's current settings.
    #[must_use]
    pub const fn get_status(transaction: Transaction<'a>) -> Self {
        Self::typed(transaction, "get_status", Params::None)
    }

    /// `list_sessions`: the ids of all sessions (`sessions` in the reply).
    #[must_use]
    pub const fn list_sessions(transaction: Transaction<'a>) -> Self {
        Self::typed(transaction, "list_sessions", Params::None)
    }

    /// `list_handles`: the handles of a session (`handles` in the reply).
    #[must_use]
    pub const fn list_handles(transaction: Transaction<'a>, session: SessionId) -> Self {
        Self::typed(transaction, "list_handles", Params::None).on_session(session)
    }

    /// `handle_info`: everything Janus knows about a handle (`info` in the reply);
    /// `plugin_only` limits it to the plugin's part.
    #[must_use]
    pub const fn handle_info(
        transaction: Transaction<'a>,
        session: SessionId,
        handle: HandleId,
        plugin_only: bool,
    ) -> Self {
        let params = if plugin_only { Params::PluginOnly(true) } else { Params::None };
        Self::typed(transaction, "handle_info", params).on_handle(session, handle)
    }

    /// `destroy_session`.
    #[must_use]
    pub const fn destroy_session(transaction: Transaction<'a>, session: SessionId) -> Self {
        Self::typed(transaction, "destroy_session", Params::None).on_session(session)
    }

    /// `detach_handle`.
    #[must_use]
    pub const fn detach_handle(transaction: Transaction<'a>, session: SessionId, handle: HandleId) -> Self {
        Self::typed(transaction, "detach_handle", Params::None).on_handle(session, handle)
    }

    /// `hangup_webrtc`: closes a handle's PeerConnection.
    #[must_use]
    pub const fn hangup_webrtc(transaction: Transaction<'a>, session: SessionId, handle: HandleId) -> Self {
        Self::typed(transaction, "hangup_webrtc", Params::None).on_handle(session, handle)
    }

    /// `set_session_timeout`: the default for new sessions, or for one session with
    /// [`on_session`](Self::on_session).
    #[must_use]
    pub const fn set_session_timeout(transaction: Transaction<'a>, seconds: u64) -> Self {
        Self::typed(transaction, "set_session_timeout", Params::Timeout(seconds))
    }

    /// `set_log_level` (0–7).
    #[must_use]
    pub const fn set_log_level(transaction: Transaction<'a>, level: u8) -> Self {
        Self::typed(transaction, "set_log_level", Params::Level(level))
    }

    /// `accept_new_sessions`.
    #[must_use]
    pub const fn accept_new_sessions(transaction: Transaction<'a>, accept: bool) -> Self {
        Self::typed(transaction, "accept_new_sessions", Params::Accept(accept))
    }

    /// `add_token`, optionally limited to some plugins.
    #[must_use]
    pub const fn add_token(transaction: Transaction<'a>, token: &'a str, plugins: &'a [&'a str]) -> Self {
        Self::typed(transaction, "add_token", Params::Token { token, plugins })
    }

    /// `allow_token`: lets a token use more plugins.
    #[must_use]
    pub const fn allow_token(transaction: Transaction<'a>, token: &'a str, plugins: &'a [&'a str]) -> Self {
        Self::typed(transaction, "allow_token", Params::Token { token, plugins })
    }

    /// `disallow_token`: takes plugins away from a token.
    #[must_use]
    pub const fn disallow_token(transaction: Transaction<'a>, token: &'a str, plugins: &'a [&'a str]) -> Self {
        Self::typed(transaction, "disallow_token", Params::Token { token, plugins })
    }

    /// `remove_token`.
    #[must_use]
    pub const fn remove_token(transaction: Transaction<'a>, token: &'a str) -> Self {
        Self::typed(transaction, "remove_token", Params::Token { token, plugins: &[] })
    }

    /// `list_tokens`.
    #[must_use]
    pub const fn list_tokens(transaction: Transaction<'a>) -> Self {
        Self::typed(transaction, "list_tokens", Params::None)
    }
}

impl<'a, F: ?Sized + Serialize> AdminRequest<'a, F> {
    /// Any Admin request by name, with `fields` (a struct, a map, or a pre-encoded JSON
    /// object) written as top-level members.
    #[must_use]
    pub const fn custom(transaction: Transaction<'a>, name: &'a str, fields: &'a F) -> Self {
        Self {
            transaction,
            name,
            session: None,
            handle: None,
            secret: None,
            params: Params::None,
            fields: Some(fields),
        }
    }

    /// Addresses the request to a session.
    #[must_use]
    pub const fn on_session(mut self, session: SessionId) -> Self {
        self.session = Some(session);
        self
    }

    /// Addresses the request to a handle.
    #[must_use]
    pub const fn on_handle(mut self, session: SessionId, handle: HandleId) -> Self {
        self.session = Some(session);
        self.handle = Some(handle);
        self
    }

    /// Adds the `admin_secret`.
    #[must_use]
    pub const fn with_secret(mut self, admin_secret: &'a str) -> Self {
        self.secret = Some(admin_secret);
        self
    }
}

impl<F: ?Sized + Serialize> Request for AdminRequest<'_, F> {
    fn name(&self) -> &str {
        self.name
    }
    fn transaction(&self) -> Transaction<'_> {
        self.transaction
    }
    fn session_id(&self) -> Option<SessionId> {
        self.session
    }
    fn handle_id(&self) -> Option<HandleId> {
        self.handle
    }
    fn api(&self) -> Api {
        Api::Admin
    }

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        write_into(out, |w| {
            let mut o = Object::open(w, self.name, self.transaction, self.session, self.handle);
            match self.params {
                Params::None => {}
                Params::Timeout(seconds) => o.u64("timeout", seconds),
                Params::PluginOnly(only) => o.bool("plugin_only", only),
                Params::Accept(accept) => o.bool("accept", accept),
                Params::Level(level) => o.u64("level", u64::from(level)),
                Params::Token { token, plugins } => {
                    o.str("token", token);
                    if !plugins.is_empty() {
                        o.value("plugins", plugins)?;
                    }
                }
            }
            if let Some(fields) = self.fields {
                o.inline(fields)?;
            }
            o.opt_str("admin_secret", self.secret);
            o.close();
            Ok(())
        })
    }
}
