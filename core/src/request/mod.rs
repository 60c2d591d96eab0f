//! Encoding requests to Janus into the caller's buffer.
//!
//! One type per request of the Janus API. Each takes its [`Transaction`] in its constructor,
//! so a request without one cannot be built, and writes compact JSON with
//! [`Request::encode`]. The session and handle ids are always written in the body: that is
//! what the WebSocket transport needs, and the HTTP transport accepts them there as long as
//! they match the path.
//!
//! Plugin bodies, session descriptions and candidates come from the caller: any
//! [`serde::Serialize`] type, or pre-encoded JSON as a [`RawJson`](crate::json::RawJson).
//!
//! ```
//! use janus_signal::request::{AttachPlugin, Auth, PluginMessage, Request, SdpType, SessionDescription};
//! use janus_signal::{HandleId, SessionId, Transaction};
//!
//! let mut out = [0u8; 256];
//! let tx = Transaction::new("t2").unwrap();
//! let attach = AttachPlugin::new(tx, SessionId(1), "janus.plugin.echotest")
//!     .with_opaque_id("me")
//!     .with_auth(Auth::apisecret("s3cret"));
//! let n = attach.encode(&mut out).unwrap();
//! assert_eq!(
//!     &out[..n],
//!     br#"{"janus":"attach","transaction":"t2","session_id":1,"plugin":"janus.plugin.echotest","opaque_id":"me","apisecret":"s3cret"}"#
//! );
//!
//! #[derive(serde::Serialize)]
//! struct Echo {
//!     audio: bool,
//! }
//! let offer = SessionDescription::new(SdpType::Offer, "v=0\r\n");
//! let tx = Transaction::new("t3").unwrap();
//! let msg = PluginMessage::new(tx, SessionId(1), HandleId(2), &Echo { audio: true }).with_jsep(&offer);
//! let n = msg.encode(&mut out).unwrap();
//! assert_eq!(
//!     &out[..n],
//!     br#"{"janus":"message","transaction":"t3","session_id":1,"handle_id":2,"body":{"audio":true},"jsep":{"type":"offer","sdp":"v=0\r\n"}}"#
//! );
//! ```

mod admin;
mod jsep;

pub use admin::{AdminRequest, NoFields};
pub use jsep::{IceCandidate, SdpType, SessionDescription, Text};

pub use crate::auth::Auth;

use serde::Serialize;

use crate::error::EncodeError;
use crate::ids::{HandleId, SessionId, Transaction};
use crate::json::Writer;

/// The `transaction` of a request written elsewhere (e.g. typed by a user, as the CLI's raw
/// `send` takes it), when it is a JSON object with a string `transaction`; `None` otherwise.
/// Its answer echoes it.
///
/// ```
/// use janus_signal::request::transaction_of;
///
/// let t = transaction_of(br#"{"janus":"info","transaction":"abc"}"#);
/// assert_eq!(t.and_then(|t| t.as_plain()), Some("abc"));
/// assert!(transaction_of(br#"{"janus":"info"}"#).is_none());
/// assert!(transaction_of(b"not json").is_none());
/// ```
#[must_use]
pub fn transaction_of(json: &[u8]) -> Option<crate::json::JsonStr<'_>> {
    crate::json::RawJson::parse(json).ok()?.get("transaction")?.as_str()
}

/// Which API a request belongs to: it decides the endpoint (`/janus` or `/admin`) over HTTP
/// and the WebSocket subprotocol (`janus-protocol` or `janus-admin-protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The Janus client API.
    Janus,
    /// The Admin/Monitor API.
    Admin,
}

/// What every request can say about itself, and how it is written.
pub trait Request {
    /// The `janus` field: the request's name.
    fn name(&self) -> &str;
    /// The transaction the reply will echo.
    fn transaction(&self) -> Transaction<'_>;
    /// The session the request is addressed to, if any.
    fn session_id(&self) -> Option<SessionId>;
    /// The handle the request is addressed to, if any.
    fn handle_id(&self) -> Option<HandleId>;
    /// Janus API or Admin API.
    fn api(&self) -> Api {
        Api::Janus
    }
    /// Writes the request as compact JSON into `out` and returns its length.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] with the exact size needed (the contents of `out` are
    /// then garbage), or an error from the caller's own `Serialize` implementation.
    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError>;

    /// The exact length [`encode`](Self::encode) writes, without a buffer: to size one
    /// before encoding (the request is walked once, nothing is stored).
    ///
    /// ```
    /// use janus_signal::request::{CreateSession, Request};
    /// use janus_signal::Transaction;
    ///
    /// let create = CreateSession::new(Transaction::new("t1").unwrap());
    /// let mut out = vec![0u8; create.encoded_len().unwrap()];
    /// assert_eq!(create.encode(&mut out), Ok(out.len()));
    /// ```
    ///
    /// # Errors
    ///
    /// An error from the caller's own `Serialize` implementation.
    fn encoded_len(&self) -> Result<usize, EncodeError> {
        match self.encode(&mut []) {
            Err(EncodeError::BufferTooSmall { needed, .. }) => Ok(needed),
            other => other,
        }
    }
}

/// An object being written member by member.
pub(crate) struct Object<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
}

impl<'w, 'b> Object<'w, 'b> {
    /// Opens `{` and writes `janus`, `transaction`, `session_id` and `handle_id`.
    pub(crate) fn open(
        w: &'w mut Writer<'b>,
        name: &str,
        transaction: Transaction<'_>,
        session: Option<SessionId>,
        handle: Option<HandleId>,
    ) -> Self {
        w.byte(b'{');
        let mut o = Self { w, first: true };
        o.str("janus", name);
        o.str("transaction", transaction.as_str());
        o.opt_u64("session_id", session.map(|s| s.0));
        o.opt_u64("handle_id", handle.map(|h| h.0));
        o
    }

    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.w.key(&mut self.first, key);
        self.w.string(value);
    }

    pub(crate) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(key, v);
        }
    }

    pub(crate) fn u64(&mut self, key: &str, value: u64) {
        self.w.key(&mut self.first, key);
        self.w.u64(value);
    }

    pub(crate) fn opt_u64(&mut self, key: &str, value: Option<u64>) {
        if let Some(v) = value {
            self.u64(key, v);
        }
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) {
        self.w.key(&mut self.first, key);
        self.w.raw(if value { b"true" } else { b"false" });
    }

    pub(crate) fn value<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), EncodeError> {
        self.w.key(&mut self.first, key);
        self.w.value(value)
    }

    /// Writes the members of `fields` (a struct, a map or a pre-encoded object) into this
    /// object.
    pub(crate) fn inline<T: ?Sized + Serialize>(&mut self, fields: &T) -> Result<(), EncodeError> {
        self.w.members(fields, &mut self.first)
    }

    pub(crate) fn auth(&mut self, auth: &Auth<'_>) {
        self.opt_str("apisecret", auth.apisecret);
        self.opt_str("token", auth.token);
    }

    pub(crate) fn close(self) {
        self.w.byte(b'}');
    }
}

/// Runs `body` on a writer over `out` and finishes it.
pub(crate) fn write_into(
    out: &mut [u8],
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    let mut w = Writer::new(out);
    body(&mut w)?;
    w.finish()
}

/// Implements the id accessors and `name` of a request type.
macro_rules! request_basics {
    ($name:literal, session: $session:expr, handle: $handle:expr) => {
        fn name(&self) -> &str {
            $name
        }
        fn transaction(&self) -> Transaction<'_> {
            self.transaction
        }
        fn session_id(&self) -> Option<SessionId> {
            #[allow(clippy::redundant_closure_call)]
            ($session)(self)
        }
        fn handle_id(&self) -> Option<HandleId> {
            #[allow(clippy::redundant_closure_call)]
            ($handle)(self)
        }
    };
}

/// `create`: opens a session (`POST /janus`). The reply is a `success` whose `data.id` is
/// the new session id.
#[derive(Debug, Clone, Copy)]
pub struct CreateSession<'a> {
    transaction: Transaction<'a>,
    id: Option<SessionId>,
    auth: Auth<'a>,
}

impl<'a> CreateSession<'a> {
    /// A `create` with a server-chosen session id.
    #[must_use]
    pub const fn new(transaction: Transaction<'a>) -> Self {
        Self { transaction, id: None, auth: Auth::none() }
    }

    /// Asks for a client-chosen session id (Janus accepts up to 2^63 − 1; error 468 if it is
    /// taken).
    #[must_use]
    pub const fn with_id(mut self, id: SessionId) -> Self {
        self.id = Some(id);
        self
    }

    /// Adds credentials.
    #[must_use]
    pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
        self.auth = auth;
        self
    }
}

impl Request for CreateSession<'_> {
    request_basics!("create", session: |_: &Self| None, handle: |_: &Self| None);

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        encode_simple(out, "create", self.transaction, None, None, self.id.map(|s| s.0), &self.auth)
    }
}

/// The body of `create` and of every `simple_request!` type: `janus`, `transaction`, the
/// ids, an optional `id` and the credentials. One function instead of a copy per type (which
/// keeps small targets' flash small).
#[inline(never)]
fn encode_simple(
    out: &mut [u8],
    name: &str,
    transaction: Transaction<'_>,
    session: Option<SessionId>,
    handle: Option<HandleId>,
    id: Option<u64>,
    auth: &Auth<'_>,
) -> Result<usize, EncodeError> {
    write_into(out, |w| {
        let mut o = Object::open(w, name, transaction, session, handle);
        o.opt_u64("id", id);
        o.auth(auth);
        o.close();
        Ok(())
    })
}

/// Generates a request type that carries only a transaction, optional ids and credentials.
macro_rules! simple_request {
    (
        $(#[$doc:meta])* $ty:ident, $name:literal,
        session: $has_session:tt, handle: $has_handle:tt
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $ty<'a> {
            transaction: Transaction<'a>,
            session: Option<SessionId>,
            handle: Option<HandleId>,
            auth: Auth<'a>,
        }

        impl<'a> $ty<'a> {
            /// Adds credentials.
            #[must_use]
            pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
                self.auth = auth;
                self
            }
        }

        simple_request!(@new $ty, $has_session, $has_handle);

        impl Request for $ty<'_> {
            request_basics!($name, session: |s: &Self| s.session, handle: |s: &Self| s.handle);

            fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
                encode_simple(out, $name, self.transaction, self.session, self.handle, None, &self.auth)
            }
        }
    };
    (@new $ty:ident, false, false) => {
        impl<'a> $ty<'a> {
            /// The request.
            #[must_use]
            pub const fn new(transaction: Transaction<'a>) -> Self {
                Self { transaction, session: None, handle: None, auth: Auth::none() }
            }
        }
    };
    (@new $ty:ident, true, false) => {
        impl<'a> $ty<'a> {
            /// The request, for `session`.
            #[must_use]
            pub const fn new(transaction: Transaction<'a>, session: SessionId) -> Self {
                Self { transaction, session: Some(session), handle: None, auth: Auth::none() }
            }
        }
    };
    (@new $ty:ident, true, true) => {
        impl<'a> $ty<'a> {
            /// The request, for `handle` in `session`.
            #[must_use]
            pub const fn new(transaction: Transaction<'a>, session: SessionId, handle: HandleId) -> Self {
                Self { transaction, session: Some(session), handle: Some(handle), auth: Auth::none() }
            }
        }
    };
}

simple_request!(
    /// `info`: asks for the server's description (`server_info`). Never needs credentials.
    GetServerInfo, "info", session: false, handle: false
);
simple_request!(
    /// `ping`: answered by `pong`. Never needs credentials.
    Ping, "ping", session: false, handle: false
);
simple_request!(
    /// `keepalive`: keeps a session from expiring (answered by `ack`). Over HTTP a pending
    /// long poll does the same.
    KeepAlive, "keepalive", session: true, handle: false
);
simple_request!(
    /// `destroy`: ends a session and detaches its handles.
    DestroySession, "destroy", session: true, handle: false
);
simple_request!(
    /// `claim`: binds an existing session to this connection, for example after a WebSocket
    /// reconnect (needs `reclaim_session_timeout` > 0 on the server).
    ClaimSession, "claim", session: true, handle: false
);
simple_request!(
    /// `detach`: ends a handle (answered by `success`, and a `detached` event).
    DetachHandle, "detach", session: true, handle: true
);
simple_request!(
    /// `hangup`: closes the handle's PeerConnection but keeps the handle.
    HangUp, "hangup", session: true, handle: true
);

/// `attach`: creates a handle on a plugin. The reply is a `success` whose `data.id` is the
/// handle id.
#[derive(Debug, Clone, Copy)]
pub struct AttachPlugin<'a> {
    transaction: Transaction<'a>,
    session: SessionId,
    plugin: &'a str,
    opaque_id: Option<&'a str>,
    loop_index: Option<u32>,
    auth: Auth<'a>,
}

impl<'a> AttachPlugin<'a> {
    /// Attaches to `plugin`, e.g. `janus.plugin.echotest`.
    #[must_use]
    pub const fn new(transaction: Transaction<'a>, session: SessionId, plugin: &'a str) -> Self {
        Self { transaction, session, plugin, opaque_id: None, loop_index: None, auth: Auth::none() }
    }

    /// An `opaque_id` that Janus reports in its Admin API and event handlers.
    #[must_use]
    pub const fn with_opaque_id(mut self, opaque_id: &'a str) -> Self {
        self.opaque_id = Some(opaque_id);
        self
    }

    /// `loop_index`: which static event loop serves the handle (needs
    /// `allow_loop_indication` on the server).
    #[must_use]
    pub const fn with_loop_index(mut self, loop_index: u32) -> Self {
        self.loop_index = Some(loop_index);
        self
    }

    /// Adds credentials.
    #[must_use]
    pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
        self.auth = auth;
        self
    }
}

impl Request for AttachPlugin<'_> {
    request_basics!("attach", session: |s: &Self| Some(s.session), handle: |_: &Self| None);

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        write_into(out, |w| {
            let mut o = Object::open(w, "attach", self.transaction, Some(self.session), None);
            o.str("plugin", self.plugin);
            o.opt_str("opaque_id", self.opaque_id);
            o.opt_u64("loop_index", self.loop_index.map(u64::from));
            o.auth(&self.auth);
            o.close();
            Ok(())
        })
    }
}

/// `message`: sends a body (and optionally a session description) to the handle's plugin.
///
/// The plugin answers with a `success` carrying its data, or with an `ack` followed by one
/// or more `event`s with the same transaction.
#[derive(Debug, Clone, Copy)]
pub struct PluginMessage<'a, B: ?Sized, J: ?Sized = SessionDescription<'a>> {
    transaction: Transaction<'a>,
    session: SessionId,
    handle: HandleId,
    body: &'a B,
    jsep: Option<&'a J>,
    auth: Auth<'a>,
}

impl<'a, B: ?Sized + Serialize> PluginMessage<'a, B> {
    /// A message with `body`, which must serialise as a JSON object.
    #[must_use]
    pub const fn new(transaction: Transaction<'a>, session: SessionId, handle: HandleId, body: &'a B) -> Self {
        Self { transaction, session, handle, body, jsep: None, auth: Auth::none() }
    }
}

impl<'a, B: ?Sized + Serialize, J: ?Sized + Serialize> PluginMessage<'a, B, J> {
    /// Attaches a session description: a [`SessionDescription`], the caller's own type (for
    /// members such as `simulcast` or `svc`), or pre-encoded JSON.
    #[must_use]
    pub const fn with_jsep<K: ?Sized + Serialize>(self, jsep: &'a K) -> PluginMessage<'a, B, K> {
        PluginMessage {
            transaction: self.transaction,
            session: self.session,
            handle: self.handle,
            body: self.body,
            jsep: Some(jsep),
            auth: self.auth,
        }
    }

    /// [`with_jsep`](Self::with_jsep) when there is one: either way the same type, so one
    /// encoder (not one with and one without a `jsep`, on small targets' flash).
    pub(crate) const fn with_optional_jsep<K: ?Sized + Serialize>(
        self,
        jsep: Option<&'a K>,
    ) -> PluginMessage<'a, B, K> {
        PluginMessage {
            transaction: self.transaction,
            session: self.session,
            handle: self.handle,
            body: self.body,
            jsep,
            auth: self.auth,
        }
    }

    /// Adds credentials.
    #[must_use]
    pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
        self.auth = auth;
        self
    }
}

impl<B: ?Sized + Serialize, J: ?Sized + Serialize> Request for PluginMessage<'_, B, J> {
    request_basics!("message", session: |s: &Self| Some(s.session), handle: |s: &Self| Some(s.handle));

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        write_into(out, |w| {
            let mut o = Object::open(w, "message", self.transaction, Some(self.session), Some(self.handle));
            o.value("body", self.body)?;
            if let Some(jsep) = self.jsep {
                o.value("jsep", jsep)?;
            }
            o.auth(&self.auth);
            o.close();
            Ok(())
        })
    }
}

/// Any Janus API request by name, with `fields` (a struct, a map, or a pre-encoded JSON
/// object) written as top-level members: for requests this crate has no type for, and for
/// provoking errors in tests.
///
/// ```
/// use janus_signal::request::{CustomRequest, Request};
/// use janus_signal::{SessionId, Transaction};
///
/// #[derive(serde::Serialize)]
/// struct Plugin {
///     plugin: u32,
/// }
/// let mut out = [0u8; 128];
/// let tx = Transaction::new("x1").unwrap();
/// let n = CustomRequest::new(tx, "attach", &Plugin { plugin: 5 }).on_session(SessionId(3)).encode(&mut out).unwrap();
/// assert_eq!(&out[..n], br#"{"janus":"attach","transaction":"x1","session_id":3,"plugin":5}"#);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CustomRequest<'a, F: ?Sized> {
    transaction: Transaction<'a>,
    name: &'a str,
    session: Option<SessionId>,
    handle: Option<HandleId>,
    fields: &'a F,
    auth: Auth<'a>,
}

impl<'a, F: ?Sized + Serialize> CustomRequest<'a, F> {
    /// The request `name` with `fields`.
    #[must_use]
    pub const fn new(transaction: Transaction<'a>, name: &'a str, fields: &'a F) -> Self {
        Self { transaction, name, session: None, handle: None, fields, auth: Auth::none() }
    }

    /// Addresses it to a session.
    #[must_use]
    pub const fn on_session(mut self, session: SessionId) -> Self {
        self.session = Some(session);
        self
    }

    /// Addresses it to a handle.
    #[must_use]
    pub const fn on_handle(mut self, session: SessionId, handle: HandleId) -> Self {
        self.session = Some(session);
        self.handle = Some(handle);
        self
    }

    /// Adds credentials.
    #[must_use]
    pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
        self.auth = auth;
        self
    }
}

impl<F: ?Sized + Serialize> Request for CustomRequest<'_, F> {
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

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        write_into(out, |w| {
            let mut o = Object::open(w, self.name, self.transaction, self.session, self.handle);
            o.inline(self.fields)?;
            o.auth(&self.auth);
            o.close();
            Ok(())
        })
    }
}

/// What a [`TrickleCandidates`] request carries.
#[derive(Debug)]
pub enum Candidates<'a, C> {
    /// One candidate (`candidate`).
    One(&'a C),
    /// Several candidates at once (`candidates`).
    Many(&'a [C]),
    /// The end of candidates (`candidate: {"completed": true}`).
    Completed,
}

// Only references inside: copyable whatever `C` is (a derive would demand `C: Copy`).
impl<C> Clone for Candidates<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Candidates<'_, C> {}

/// `trickle`: sends ICE candidates for the handle's PeerConnection (answered by `ack`).
#[derive(Debug, Clone, Copy)]
pub struct TrickleCandidates<'a, C = IceCandidate<'a>> {
    transaction: Transaction<'a>,
    session: SessionId,
    handle: HandleId,
    candidates: Candidates<'a, C>,
    auth: Auth<'a>,
}

impl<'a, C: Serialize> TrickleCandidates<'a, C> {
    /// Candidates in any of the three forms.
    #[must_use]
    pub const fn new(
        transaction: Transaction<'a>,
        session: SessionId,
        handle: HandleId,
        candidates: Candidates<'a, C>,
    ) -> Self {
        Self { transaction, session, handle, candidates, auth: Auth::none() }
    }

    /// One candidate: an [`IceCandidate`], the caller's own type, or pre-encoded JSON.
    #[must_use]
    pub const fn one(transaction: Transaction<'a>, session: SessionId, handle: HandleId, candidate: &'a C) -> Self {
        Self { transaction, session, handle, candidates: Candidates::One(candidate), auth: Auth::none() }
    }

    /// Several candidates in one request.
    #[must_use]
    pub const fn many(transaction: Transaction<'a>, session: SessionId, handle: HandleId, candidates: &'a [C]) -> Self {
        Self { transaction, session, handle, candidates: Candidates::Many(candidates), auth: Auth::none() }
    }

    /// Adds credentials.
    #[must_use]
    pub const fn with_auth(mut self, auth: Auth<'a>) -> Self {
        self.auth = auth;
        self
    }
}

impl<'a> TrickleCandidates<'a> {
    /// The end of candidates.
    #[must_use]
    pub const fn completed(transaction: Transaction<'a>, session: SessionId, handle: HandleId) -> Self {
        Self { transaction, session, handle, candidates: Candidates::Completed, auth: Auth::none() }
    }
}

impl<C: Serialize> Request for TrickleCandidates<'_, C> {
    request_basics!("trickle", session: |s: &Self| Some(s.session), handle: |s: &Self| Some(s.handle));

    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        write_into(out, |w| {
            let mut o = Object::open(w, "trickle", self.transaction, Some(self.session), Some(self.handle));
            match self.candidates {
                Candidates::One(c) => o.value("candidate", c)?,
                Candidates::Many(cs) => o.value("candidates", cs)?,
                Candidates::Completed => {
                    o.w.key(&mut o.first, "candidate");
                    o.w.raw(br#"{"completed":true}"#);
                }
            }
            o.auth(&self.auth);
            o.close();
            Ok(())
        })
    }
}
