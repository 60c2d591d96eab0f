//! The Janus client as a deterministic, sans-IO state machine.
//!
//! A [`Client`] owns no socket, no clock and no allocator. It tracks one Janus session, its
//! handles and its pending requests, and the caller moves bytes and time in and out:
//!
//! | call | when |
//! |---|---|
//! | a command ([`create_session`](Client::create_session), [`attach`](Client::attach), [`message`](Client::message), …) | to send a request: it is written into the caller's buffer at once and the returned [`Transmit`] says where it goes |
//! | [`poll_transmit`](Client::poll_transmit) | after every other call, until it returns `None`: the client's own traffic (WebSocket keepalives, the HTTP long poll) |
//! | [`handle_input`](Client::handle_input) / [`handle_message`](Client::handle_message) | for every body received (WebSocket message, POST response, long-poll response); each message yields an [`Output`] borrowing the bytes |
//! | [`long_poll_answered`](Client::long_poll_answered) | when the HTTP long poll returns, with its status, before feeding its body |
//! | [`poll_event`](Client::poll_event) | after every other call, until it returns `None`: timeouts and cascades that no message carries |
//! | [`poll_timeout`](Client::poll_timeout) | to learn when to call [`handle_timeout`](Client::handle_timeout) next (spurious calls are harmless) |
//!
//! Time is an [`Instant`] the caller passes in; transaction ids come from a generator the
//! caller seeds. The same inputs give the same outputs, which is what the simulation tests
//! rely on.
//!
//! ```
//! use janus_signal::client::{Client, Config, Output};
//! use janus_signal::{Instant, message::Message};
//!
//! let mut client: Client = Client::new(Config::websocket(), 7);
//! let mut out = [0u8; 512];
//! let now = Instant::from_millis(0);
//! let create = client.create_session(now, &mut out).unwrap();
//! let sent = core::str::from_utf8(&out[..create.len]).unwrap();
//! assert!(sent.starts_with(r#"{"janus":"create","transaction":""#));
//!
//! // Janus answers; the reply carries our transaction.
//! let tx = create.request.unwrap();
//! let reply = format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":99}}}}"#);
//! let output = client.handle_message(now, Message::decode(reply.as_bytes()).unwrap());
//! assert!(matches!(output, Output::Reply { .. }));
//! assert_eq!(client.session_id().map(|s| s.0), Some(99));
//! // Over WebSocket the client keeps the session alive by itself.
//! assert_eq!(client.poll_timeout(), Some(Instant::from_millis(25_000)));
//! ```

mod answer;
mod event;
#[cfg(feature = "fuzzing")]
pub(crate) mod oracle;
mod route;
mod sessions;
mod transaction;

pub use answer::{Refusal, answer};
pub use event::{Abandoned, Event, Ignored, Output, RequestKind, SessionEnd};
pub use sessions::{SessionOutputs, Sessions};
pub use transaction::{RequestId, TRANSACTION_ID_LEN, TransactionIds};

use core::fmt;

use heapless::{Deque, String, Vec};
use serde::Serialize;

use crate::error::{DecodeError, EncodeError};
use crate::http::Route;
use crate::ids::{HandleId, SessionId};
use crate::message::{Batch, ErrorCode, Malformed, Message};
use crate::request::{
    AttachPlugin, Auth, Candidates, ClaimSession, CreateSession, CustomRequest, DestroySession, DetachHandle,
    GetServerInfo, HangUp, KeepAlive, Ping, PluginMessage, Request, TrickleCandidates,
};
use crate::time::{Duration, Instant};

/// Longest `apisecret` or `token` a client stores.
pub const MAX_CREDENTIAL_LEN: usize = 128;

/// Which Janus transport carries the session; it decides how the session is kept alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Transport {
    /// The REST API: events come from one long poll per session, which also keeps the session
    /// alive.
    Http {
        /// Events per long-poll answer (`maxev`).
        maxev: u8,
    },
    /// The WebSocket API: events are pushed; the client sends `keepalive`s.
    WebSocket,
}

/// Settings of a [`Client`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The transport.
    pub transport: Transport,
    /// The longest silence before a `keepalive` is sent; must stay below the server's
    /// `session_timeout` (60 s by default). Over WebSocket 25 s, like janus.js (which also
    /// survives proxies that drop idle sockets at 30 s). Over HTTP the start of each long poll
    /// already counts as activity and Janus answers an idle poll after 30 s, so the default
    /// 45 s never fires against a default server; set it lower for servers with a
    /// `session_timeout` under about 35 s, and keepalive POSTs are sent while the poll waits.
    pub keepalive_interval: Duration,
    /// How long a request may wait for its final answer (for a `message`, the plugin's event)
    /// before [`Event::RequestTimedOut`].
    pub request_timeout: Duration,
}

impl Config {
    /// HTTP with `maxev=10` (as janus.js), keepalive POSTs only after 45 s without traffic
    /// (never, against a default server: its long polls return within 30 s), 15 s request
    /// timeout.
    #[must_use]
    pub const fn http() -> Self {
        Self {
            transport: Transport::Http { maxev: 10 },
            keepalive_interval: Duration::from_secs(45),
            request_timeout: Duration::from_secs(15),
        }
    }

    /// WebSocket with keepalives every 25 s, 15 s request timeout.
    #[must_use]
    pub const fn websocket() -> Self {
        Self {
            transport: Transport::WebSocket,
            keepalive_interval: Duration::from_secs(25),
            request_timeout: Duration::from_secs(15),
        }
    }
}

/// Where the client's session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SessionState {
    /// No session yet.
    Idle,
    /// `create` sent.
    Creating,
    /// `claim` sent for this session.
    Claiming(SessionId),
    /// The session is usable.
    Active(SessionId),
    /// `destroy` sent.
    Destroying(SessionId),
    /// The transport was lost; the session may still be claimed on a new one.
    Disconnected(SessionId),
    /// The session is over.
    Ended(SessionId, SessionEnd),
}

/// A request written into the caller's buffer, and where to send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transmit {
    /// Bytes written at the start of the buffer (0 for a long poll, which has no body).
    pub len: usize,
    /// Where it goes over HTTP (over WebSocket everything goes down the socket, and the client
    /// never asks for a long poll).
    pub route: Route,
    /// The transaction, for requests (not for long polls).
    pub request: Option<RequestId>,
}

/// A command the client cannot carry out now. The client's state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClientError {
    /// The command needs an active session.
    NoSession,
    /// A session exists or is being created, claimed or destroyed.
    SessionBusy,
    /// All `PENDING` request slots are in use.
    TooManyPending,
    /// All `HANDLES` handle slots are in use (or reserved by pending attaches).
    TooManyHandles,
    /// The handle is not attached (never was, or was detached).
    UnknownHandle(HandleId),
    /// A `detach` for the handle is under way.
    HandleDetaching(HandleId),
    /// A credential is longer than [`MAX_CREDENTIAL_LEN`].
    CredentialTooLong,
    /// The request could not be written (buffer too small, or the caller's `Serialize`
    /// failed).
    Encode(EncodeError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSession => f.write_str("no active session"),
            Self::SessionBusy => f.write_str("a session exists or is being set up or torn down"),
            Self::TooManyPending => f.write_str("too many pending requests"),
            Self::TooManyHandles => f.write_str("too many handles"),
            Self::UnknownHandle(h) => write!(f, "handle {h} is not attached"),
            Self::HandleDetaching(h) => write!(f, "handle {h} is being detached"),
            Self::CredentialTooLong => f.write_str("credential too long"),
            Self::Encode(e) => write!(f, "cannot write the request: {e}"),
        }
    }
}

impl core::error::Error for ClientError {}

impl From<EncodeError> for ClientError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

#[derive(Debug, Clone, Copy)]
struct HandleSlot {
    id: HandleId,
    detaching: bool,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    id: RequestId,
    kind: RequestKind,
    handle: Option<HandleId>,
    deadline: Instant,
    /// A `message` got its `ack`.
    acked: bool,
    /// A `message` got its answering event (possibly before the ack): the caller has its
    /// answer, and the entry only waits to absorb the ack (it ends without an event).
    answered: bool,
    /// Addressed to the client's session (which is then still the client's session: requests
    /// on a session are abandoned when it ends or the transport is lost).
    on_session: bool,
}

/// The sans-IO Janus client: one session, up to `HANDLES` handles, up to `PENDING` requests
/// in flight, up to `EVENTS` queued [`Event`]s. See the [module docs](self) for the call
/// contract.
#[derive(Debug)]
pub struct Client<const HANDLES: usize = 8, const PENDING: usize = 16, const EVENTS: usize = 24> {
    config: Config,
    apisecret: Option<String<MAX_CREDENTIAL_LEN>>,
    token: Option<String<MAX_CREDENTIAL_LEN>>,
    ids: TransactionIds,
    session: SessionState,
    handles: Vec<HandleSlot, HANDLES>,
    pending: Vec<Pending, PENDING>,
    events: Deque<Event, EVENTS>,
    events_dropped: u32,
    /// WebSocket: when the next keepalive is due.
    keepalive_due: Option<Instant>,
    /// HTTP: a long poll is out.
    long_poll_out: bool,
}

impl<const HANDLES: usize, const PENDING: usize, const EVENTS: usize> Client<HANDLES, PENDING, EVENTS> {
    /// A client with `config`, its transaction ids generated from `seed`.
    #[must_use]
    pub fn new(config: Config, seed: u64) -> Self {
        Self {
            config,
            apisecret: None,
            token: None,
            ids: TransactionIds::new(seed),
            session: SessionState::Idle,
            handles: Vec::new(),
            pending: Vec::new(),
            events: Deque::new(),
            events_dropped: 0,
            keepalive_due: None,
            long_poll_out: false,
        }
    }

    /// Sets the `apisecret` and `token` sent with every request (and in the long poll's
    /// query, percent-encoded: up to three bytes for each of theirs, which the transport's
    /// buffer must hold; the drivers' `set_credentials` check that).
    ///
    /// # Errors
    ///
    /// [`ClientError::CredentialTooLong`] beyond [`MAX_CREDENTIAL_LEN`] bytes.
    pub fn set_credentials(&mut self, apisecret: Option<&str>, token: Option<&str>) -> Result<(), ClientError> {
        (self.apisecret, self.token) = (credential(apisecret)?, credential(token)?);
        Ok(())
    }

    /// The credentials, for the transport's long-poll query.
    #[must_use]
    pub fn auth(&self) -> Auth<'_> {
        Auth { apisecret: self.apisecret.as_deref(), token: self.token.as_deref() }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Where the session stands.
    #[must_use]
    pub const fn session(&self) -> SessionState {
        self.session
    }

    /// The session id while the session is active (or being destroyed).
    #[must_use]
    pub const fn session_id(&self) -> Option<SessionId> {
        match self.session {
            SessionState::Active(id) | SessionState::Destroying(id) => Some(id),
            _ => None,
        }
    }

    /// The attached handles.
    pub fn handles(&self) -> impl Iterator<Item = HandleId> + '_ {
        self.handles.iter().map(|h| h.id)
    }

    /// Requests waiting for an answer.
    #[must_use]
    pub fn pending_requests(&self) -> usize {
        self.pending.len()
    }

    /// Whether `request` still waits for its answer.
    #[must_use]
    pub fn is_pending(&self, request: RequestId) -> bool {
        self.pending.iter().any(|p| p.id == request)
    }

    /// The kind of `request`, while it waits for its answer.
    #[must_use]
    pub fn pending_kind(&self, request: RequestId) -> Option<RequestKind> {
        self.pending.iter().find(|p| p.id == request).map(|p| p.kind)
    }

    /// Events dropped because the event queue was full (drain [`poll_event`](Self::poll_event)
    /// after every call and this stays 0).
    #[must_use]
    pub const fn events_dropped(&self) -> u32 {
        self.events_dropped
    }

    /// Whether a request with this transaction waits for its answer here (routing among
    /// [`Sessions`]).
    pub(crate) fn awaits(&self, transaction: &crate::json::JsonStr<'_>) -> bool {
        self.pending.iter().any(|p| p.id.matches(transaction))
    }

    /// Whether messages of `session` are this client's: its session, being set up, torn down
    /// or waiting to be claimed.
    pub(crate) fn carries(&self, session: SessionId) -> bool {
        self.session_for_route() == Some(session)
    }

    /// Whether the session's HTTP long poll is out.
    pub(crate) const fn long_poll_is_out(&self) -> bool {
        self.long_poll_out
    }

    /// Whether `handle` is attached here.
    pub(crate) fn has_handle(&self, handle: HandleId) -> bool {
        self.handles.iter().any(|h| h.id == handle)
    }

    /// Whether the client holds nothing: no session (idle, its session ended, or let go with
    /// [`transport_lost`](Self::transport_lost)) and no request waiting. [`Sessions`] gives such a client a new session.
    #[must_use]
    pub fn is_free(&self) -> bool {
        let holds_none =
            matches!(self.session, SessionState::Idle | SessionState::Ended(..) | SessionState::Disconnected(_));
        holds_none && self.pending.is_empty()
    }

    // ----- commands -------------------------------------------------------------------------

    /// `create`: opens a session.
    ///
    /// # Errors
    ///
    /// [`ClientError::SessionBusy`] unless the client is idle, its last session ended, or its
    /// transport was lost;
    /// [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn create_session(&mut self, now: Instant, out: &mut [u8]) -> Result<Transmit, ClientError> {
        // After a lost transport the caller may claim the old session or start afresh.
        if !matches!(self.session, SessionState::Idle | SessionState::Ended(..) | SessionState::Disconnected(_)) {
            return Err(ClientError::SessionBusy);
        }
        let t = self.send(now, out, RequestKind::Create, None, |tx, auth, out| {
            CreateSession::new(tx).with_auth(auth).encode(out)
        })?;
        self.handles.clear();
        self.session = SessionState::Creating;
        Ok(t)
    }

    /// `claim`: takes over `session` on this (new) connection, e.g. after a WebSocket
    /// reconnect when the server has `reclaim_session_timeout` > 0. Handles the client knew
    /// are kept. A 458 answer ends the session ([`SessionEnd::NotFound`]); any other failure
    /// (another error, a timeout) leaves it [`SessionState::Disconnected`], to be claimed again
    /// or replaced by a new one.
    ///
    /// # Errors
    ///
    /// [`ClientError::SessionBusy`] while another session is active or being set up;
    /// [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn claim_session(&mut self, now: Instant, out: &mut [u8], session: SessionId) -> Result<Transmit, ClientError> {
        let previous = self.session;
        if !matches!(previous, SessionState::Idle | SessionState::Ended(..) | SessionState::Disconnected(_)) {
            return Err(ClientError::SessionBusy);
        }
        // Over HTTP the claim goes to the claimed session's path, never to another session's
        // (Janus refuses that with 457: conflicting session ids in path and body).
        self.session = SessionState::Claiming(session);
        let sent = self.send(now, out, RequestKind::Claim, None, |tx, auth, out| {
            ClaimSession::new(tx, session).with_auth(auth).encode(out)
        });
        match sent {
            Err(_) => self.session = previous,
            Ok(_) if matches!(previous, SessionState::Disconnected(id) if id != session) => self.handles.clear(),
            Ok(_) => {}
        }
        sent
    }

    /// `destroy`: ends the session and its handles.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSession`]; [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn destroy_session(&mut self, now: Instant, out: &mut [u8]) -> Result<Transmit, ClientError> {
        let session = self.active_session()?;
        let t = self.send(now, out, RequestKind::Destroy, None, |tx, auth, out| {
            DestroySession::new(tx, session).with_auth(auth).encode(out)
        })?;
        self.session = SessionState::Destroying(session);
        Ok(t)
    }

    /// `keepalive`, now (the client also sends them by itself over WebSocket).
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSession`]; [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn keepalive(&mut self, now: Instant, out: &mut [u8]) -> Result<Transmit, ClientError> {
        let session = self.active_session()?;
        self.send(now, out, RequestKind::Keepalive, None, |tx, auth, out| {
            KeepAlive::new(tx, session).with_auth(auth).encode(out)
        })
    }

    /// `attach` to `plugin` (e.g. `janus.plugin.echotest`); the reply's `data.id` becomes a
    /// handle.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSession`]; [`ClientError::TooManyHandles`] when attached plus
    /// attaching handles fill `HANDLES`; [`ClientError::TooManyPending`];
    /// [`ClientError::Encode`].
    pub fn attach(
        &mut self,
        now: Instant,
        out: &mut [u8],
        plugin: &str,
        opaque_id: Option<&str>,
    ) -> Result<Transmit, ClientError> {
        let session = self.active_session()?;
        let attaching = self.pending.iter().filter(|p| p.kind == RequestKind::Attach).count();
        if self.handles.len().saturating_add(attaching) >= HANDLES {
            return Err(ClientError::TooManyHandles);
        }
        self.send(now, out, RequestKind::Attach, None, |tx, auth, out| {
            let attach = AttachPlugin::new(tx, session, plugin).with_auth(auth);
            match opaque_id {
                Some(id) => attach.with_opaque_id(id).encode(out),
                None => attach.encode(out),
            }
        })
    }

    /// `message` to the handle's plugin, with an optional session description. The answer
    /// is an [`Output::Reply`]: the plugin's `success`, or its `event` (before or after an
    /// [`Output::Acked`]).
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSession`]; [`ClientError::UnknownHandle`];
    /// [`ClientError::HandleDetaching`]; [`ClientError::TooManyPending`];
    /// [`ClientError::Encode`].
    pub fn message<B: ?Sized + Serialize, J: ?Sized + Serialize>(
        &mut self,
        now: Instant,
        out: &mut [u8],
        handle: HandleId,
        body: &B,
        jsep: Option<&J>,
    ) -> Result<Transmit, ClientError> {
        let session = self.usable_handle(handle)?;
        self.send(now, out, RequestKind::Message, Some(handle), |tx, auth, out| {
            PluginMessage::new(tx, session, handle, body).with_auth(auth).with_optional_jsep(jsep).encode(out)
        })
    }

    /// `trickle`: one candidate, several, or the end of candidates. Answered by an ack.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn trickle<C: Serialize>(
        &mut self,
        now: Instant,
        out: &mut [u8],
        handle: HandleId,
        candidates: Candidates<'_, C>,
    ) -> Result<Transmit, ClientError> {
        let session = self.usable_handle(handle)?;
        self.send(now, out, RequestKind::Trickle, Some(handle), |tx, auth, out| {
            TrickleCandidates::new(tx, session, handle, candidates).with_auth(auth).encode(out)
        })
    }

    /// Takes `handle`, attached by another client of the same session (a session claimed on a
    /// new connection keeps its handles in Janus), as one of this client's. A handle it has
    /// already is no change.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoSession`]; [`ClientError::TooManyHandles`].
    pub fn adopt_handle(&mut self, handle: HandleId) -> Result<(), ClientError> {
        self.active_session()?;
        if self.has_handle(handle) {
            return Ok(());
        }
        self.handles.push(HandleSlot { id: handle, detaching: false }).map_err(|_| ClientError::TooManyHandles)
    }

    /// `hangup`: closes the handle's PeerConnection, keeps the handle.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn hangup(&mut self, now: Instant, out: &mut [u8], handle: HandleId) -> Result<Transmit, ClientError> {
        let session = self.usable_handle(handle)?;
        self.send(now, out, RequestKind::Hangup, Some(handle), |tx, auth, out| {
            HangUp::new(tx, session, handle).with_auth(auth).encode(out)
        })
    }

    /// `detach`: ends the handle. Further commands on it are refused at once.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn detach(&mut self, now: Instant, out: &mut [u8], handle: HandleId) -> Result<Transmit, ClientError> {
        let session = self.usable_handle(handle)?;
        let t = self.send(now, out, RequestKind::Detach, Some(handle), |tx, auth, out| {
            DetachHandle::new(tx, session, handle).with_auth(auth).encode(out)
        })?;
        if let Some(slot) = self.handles.iter_mut().find(|h| h.id == handle) {
            slot.detaching = true;
        }
        Ok(t)
    }

    /// `info`: the server's description (needs no session).
    ///
    /// # Errors
    ///
    /// [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn server_info(&mut self, now: Instant, out: &mut [u8]) -> Result<Transmit, ClientError> {
        self.send(now, out, RequestKind::Info, None, |tx, _, out| GetServerInfo::new(tx).encode(out))
    }

    /// Any Janus API request by name, with `fields` at the top level, addressed to the session
    /// (when there is one) and to `handle` if given. Its first reply answers it.
    ///
    /// # Errors
    ///
    /// [`ClientError::UnknownHandle`] for a handle this client does not have;
    /// [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn custom<F: ?Sized + Serialize>(
        &mut self,
        now: Instant,
        out: &mut [u8],
        name: &str,
        handle: Option<HandleId>,
        fields: &F,
    ) -> Result<Transmit, ClientError> {
        let session = match handle {
            Some(h) => Some(self.usable_handle(h)?),
            None => self.session_id(),
        };
        self.send(now, out, RequestKind::Custom, handle, |tx, auth, out| {
            let request = CustomRequest::new(tx, name, fields).with_auth(auth);
            match (session, handle) {
                (Some(s), Some(h)) => request.on_handle(s, h).encode(out),
                (Some(s), None) => request.on_session(s).encode(out),
                _ => request.encode(out),
            }
        })
    }

    /// `ping` (needs no session).
    ///
    /// # Errors
    ///
    /// [`ClientError::TooManyPending`]; [`ClientError::Encode`].
    pub fn ping(&mut self, now: Instant, out: &mut [u8]) -> Result<Transmit, ClientError> {
        self.send(now, out, RequestKind::Ping, None, |tx, _, out| Ping::new(tx).encode(out))
    }

    fn active_session(&self) -> Result<SessionId, ClientError> {
        match self.session {
            SessionState::Active(id) => Ok(id),
            _ => Err(ClientError::NoSession),
        }
    }

    fn usable_handle(&self, handle: HandleId) -> Result<SessionId, ClientError> {
        let session = self.active_session()?;
        match self.handles.iter().find(|h| h.id == handle) {
            None => Err(ClientError::UnknownHandle(handle)),
            Some(h) if h.detaching => Err(ClientError::HandleDetaching(handle)),
            Some(_) => Ok(session),
        }
    }

    /// Writes a request with a fresh transaction and records it as pending. Nothing is
    /// recorded when writing fails.
    fn send(
        &mut self,
        now: Instant,
        out: &mut [u8],
        kind: RequestKind,
        handle: Option<HandleId>,
        mut write: impl FnMut(crate::Transaction<'_>, Auth<'_>, &mut [u8]) -> Result<usize, EncodeError>,
    ) -> Result<Transmit, ClientError> {
        self.send_with(now, out, kind, handle, &mut write)
    }

    /// [`send`](Self::send)'s body, shared by every command instead of repeated in each
    /// (which keeps small targets' flash small).
    #[inline(never)]
    fn send_with(
        &mut self,
        now: Instant,
        out: &mut [u8],
        kind: RequestKind,
        handle: Option<HandleId>,
        write: &mut WriteRequest<'_>,
    ) -> Result<Transmit, ClientError> {
        if self.pending.is_full() {
            return Err(ClientError::TooManyPending);
        }
        let id = self.fresh_id();
        let auth = Auth { apisecret: self.apisecret.as_deref(), token: self.token.as_deref() };
        let len = write(id.transaction(), auth, out)?;
        let session = match kind {
            RequestKind::Create | RequestKind::Info | RequestKind::Ping => None,
            RequestKind::Custom if self.session_id().is_none() => None,
            _ => self.session_for_route(),
        };
        let pending = Pending {
            id,
            kind,
            handle,
            deadline: now.saturating_add(self.config.request_timeout),
            acked: false,
            answered: false,
            on_session: session.is_some(),
        };
        self.pending.push(pending).map_err(|_| ClientError::TooManyPending)?;
        self.note_sent(now);
        let route = Route::Janus { session, handle: session.and(handle) };
        Ok(Transmit { len, route, request: Some(id) })
    }

    fn session_for_route(&self) -> Option<SessionId> {
        match self.session {
            SessionState::Active(s)
            | SessionState::Destroying(s)
            | SessionState::Claiming(s)
            | SessionState::Disconnected(s) => Some(s),
            _ => None,
        }
    }

    /// A transaction id not used by any pending request.
    fn fresh_id(&mut self) -> RequestId {
        loop {
            let id = self.ids.next_id();
            if !self.pending.iter().any(|p| p.id == id) {
                return id;
            }
        }
    }

    /// Any request refreshes the session on the server: push the next keepalive back.
    fn note_sent(&mut self, now: Instant) {
        if self.keepalive_due.is_some() {
            self.keepalive_due = Some(now.saturating_add(self.config.keepalive_interval));
        }
    }

    /// A `keepalive` if one is due and none is out.
    fn due_keepalive(&mut self, now: Instant, out: &mut [u8]) -> Result<Option<Transmit>, ClientError> {
        let due = self.keepalive_due.is_some_and(|due| now >= due);
        let keepalive_pending = self.pending.iter().any(|p| p.kind == RequestKind::Keepalive);
        if !due || keepalive_pending || self.pending.is_full() {
            return Ok(None);
        }
        self.keepalive(now, out).map(Some)
    }

    // ----- the client's own traffic and timers ---------------------------------------------

    /// The client's own traffic: over HTTP the session's long poll whenever none is out
    /// (exactly one per session); a `keepalive` when the session has been silent for the
    /// keepalive interval. Call it after every other call until it returns `None`.
    ///
    /// # Errors
    ///
    /// [`ClientError::Encode`] when `out` cannot hold a keepalive.
    pub fn poll_transmit(&mut self, now: Instant, out: &mut [u8]) -> Result<Option<Transmit>, ClientError> {
        let SessionState::Active(session) = self.session else {
            return Ok(None);
        };
        match self.config.transport {
            Transport::Http { maxev } => {
                if self.long_poll_out {
                    return self.due_keepalive(now, out);
                }
                self.long_poll_out = true;
                // Starting a long poll refreshes the session on the server.
                self.note_sent(now);
                Ok(Some(Transmit { len: 0, route: Route::LongPoll { session, maxev }, request: None }))
            }
            Transport::WebSocket => self.due_keepalive(now, out),
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next: the earliest
    /// request deadline or keepalive. `None` when nothing is scheduled.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadlines = self.pending.iter().map(|p| p.deadline);
        let keepalive = match self.session {
            SessionState::Active(_) => self.keepalive_due,
            _ => None,
        };
        deadlines.chain(keepalive).min()
    }

    /// Expires requests whose deadline has passed ([`Event::RequestTimedOut`]). A due
    /// keepalive is then written by [`poll_transmit`](Self::poll_transmit). Calling it early,
    /// or twice, does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(index) = self.pending.iter().position(|p| p.deadline <= now) {
            let Some(expired) = swap_remove(&mut self.pending, index) else {
                break;
            };
            // A `message` whose answer came (and only its ack did not) has ended already.
            if !expired.answered {
                self.push_event(Event::RequestTimedOut { request: expired.id, kind: expired.kind });
            }
            self.request_failed(expired.kind, expired.handle);
        }
    }

    /// Forgets `request`, which will not be answered here: the link could not send it (or
    /// the caller gave up on it). What the request had begun is undone as for a timeout (a
    /// `create` leaves the session idle again…), without an event: the caller knows. Returns
    /// whether it was pending.
    pub fn cancel(&mut self, request: RequestId) -> bool {
        let Some(index) = self.pending.iter().position(|p| p.id == request) else {
            return false;
        };
        match swap_remove(&mut self.pending, index) {
            Some(cancelled) => {
                self.request_failed(cancelled.kind, cancelled.handle);
                true
            }
            None => false,
        }
    }

    /// The next queued [`Event`]. Call after every other call until it returns `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn push_event(&mut self, event: Event) {
        if self.events.push_back(event).is_err() {
            self.events_dropped = self.events_dropped.saturating_add(1);
        }
    }

    // ----- received traffic ----------------------------------------------------------------

    /// The HTTP long poll returned with `status`. Call it before feeding the body (if the
    /// status is 200) to [`handle_input`](Self::handle_input); the next
    /// [`poll_transmit`](Self::poll_transmit) sends a new long poll. A 404 means the session is
    /// gone, a 403 that the credentials were refused: both end the session.
    pub fn long_poll_answered(&mut self, _now: Instant, status: u16) {
        self.long_poll_out = false;
        if matches!(status, 403 | 404) {
            self.end_session(SessionEnd::LongPollStatus(status));
        }
    }

    /// The long poll failed without an answer (the connection broke). The next
    /// [`poll_transmit`](Self::poll_transmit) sends a new one.
    pub fn long_poll_failed(&mut self, _now: Instant) {
        self.long_poll_out = false;
    }

    /// The WebSocket (or whatever carries the session) is gone: pending requests are abandoned,
    /// and the session can be claimed on a new connection with
    /// [`claim_session`](Self::claim_session) if the server allows it.
    pub fn transport_lost(&mut self, _now: Instant) {
        self.long_poll_out = false;
        let reason = Abandoned::SessionEnded(SessionEnd::TransportLost);
        while let Some(p) = self.pending.pop() {
            self.abandon(p, reason);
        }
        self.session = match self.session {
            SessionState::Active(s)
            | SessionState::Destroying(s)
            | SessionState::Claiming(s)
            | SessionState::Disconnected(s) => SessionState::Disconnected(s),
            SessionState::Creating => SessionState::Idle,
            other => other,
        };
        self.keepalive_due = None;
    }

    /// Decodes a received body (a WebSocket message, a POST response, or a long-poll answer,
    /// which may be an array) and handles its messages one by one as the iterator advances.
    ///
    /// A message that is valid JSON but cannot be read as its kind is an
    /// [`Output::MalformedReply`] (it fails the request it answers) or an [`Output::Malformed`]
    /// (unsolicited: nothing changes); one bad message in an array does not stop the others.
    /// The iterator's items are therefore always `Ok`.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the body is not JSON at all, or neither an object nor an array.
    /// The client's state is unchanged.
    pub fn handle_input<'c, 'a>(
        &'c mut self,
        now: Instant,
        body: &'a [u8],
    ) -> Result<Outputs<'c, 'a, HANDLES, PENDING, EVENTS>, DecodeError> {
        Ok(Outputs { client: self, batch: Batch::decode(body)?, now })
    }

    /// Handles one received message and says what it meant.
    pub fn handle_message<'a>(&mut self, now: Instant, message: Message<'a>) -> Output<'a> {
        if let Some(tx) = message.transaction()
            && let Some(index) = self.pending.iter().position(|p| p.id.matches(&tx))
        {
            return self.handle_reply(now, index, message);
        }
        self.handle_unsolicited(message)
    }

    /// Handles one received message that cannot be read as its kind (see [`Malformed`]): if
    /// its transaction is that of a pending request, the request fails
    /// ([`Output::MalformedReply`]); otherwise it is [`Output::Malformed`] and nothing changes.
    #[inline(never)]
    pub fn handle_malformed<'a>(&mut self, malformed: Malformed<'a>) -> Output<'a> {
        // A `message` whose answer came already only waits for its ack: anything else on its
        // transaction is unsolicited.
        if let Some(tx) = malformed.transaction
            && let Some(index) = self.pending.iter().position(|p| p.id.matches(&tx) && !p.answered)
            && let Some(pending) = swap_remove(&mut self.pending, index)
        {
            self.request_failed(pending.kind, pending.handle);
            return Output::MalformedReply { request: pending.id, kind: pending.kind, malformed };
        }
        Output::Malformed(malformed)
    }

    fn handle_reply<'a>(&mut self, now: Instant, index: usize, message: Message<'a>) -> Output<'a> {
        let Some(pending) = self.pending.get(index).copied() else {
            return Output::Ignored { reason: Ignored::UnknownTransaction, message };
        };
        let request = pending.id;
        let kind = pending.kind;
        match message {
            // A second ack acknowledges nothing.
            Message::Ack(_) if kind == RequestKind::Message && pending.acked => {
                return self.handle_unsolicited(message);
            }
            Message::Ack(_) if kind == RequestKind::Message => {
                if pending.answered {
                    swap_remove(&mut self.pending, index);
                } else if let Some(p) = self.pending.get_mut(index) {
                    p.acked = true;
                }
                return Output::Acked { request };
            }
            // The answer came already and only the ack is awaited: anything else on the same
            // transaction (a second event…) is plain plugin traffic, not a second answer.
            _ if pending.answered => return self.handle_unsolicited(message),
            Message::Event(_) if kind == RequestKind::Message => {
                if pending.acked {
                    swap_remove(&mut self.pending, index);
                } else if let Some(p) = self.pending.get_mut(index) {
                    p.answered = true;
                }
                return Output::Reply { request, kind, message };
            }
            _ => {}
        }
        swap_remove(&mut self.pending, index);
        // Only this request's answer changes state through it: a `create` only by its own
        // reply, a `detach` only for its own handle, and so on.
        match message {
            Message::Success(s) => self.apply_success(now, &pending, s.id()),
            Message::Error(e) => self.apply_error(&pending, e.code),
            // Anything else (an `ack` to a `create`, …) leaves a request that changes state
            // unsuccessful.
            _ => self.request_failed(kind, pending.handle),
        }
        Output::Reply { request, kind, message }
    }

    fn apply_success(&mut self, now: Instant, pending: &Pending, id: Option<u64>) {
        match (pending.kind, id) {
            (RequestKind::Create, Some(id)) => self.start_session(now, SessionId(id)),
            (RequestKind::Claim, _) => {
                if let SessionState::Claiming(s) = self.session {
                    self.start_session(now, s);
                }
            }
            (RequestKind::Attach, Some(id)) => {
                // A slot was reserved when the attach was sent; an id the client has already is
                // not a second handle.
                if !self.handles.iter().any(|h| h.id.0 == id) {
                    let _ = self.handles.push(HandleSlot { id: HandleId(id), detaching: false });
                }
            }
            (RequestKind::Detach, _) => {
                if let Some(h) = pending.handle {
                    self.remove_handle(h);
                }
            }
            (RequestKind::Destroy, _) => self.end_session(SessionEnd::Destroyed),
            // A `create` without `data.id` failed.
            (kind, _) => self.request_failed(kind, pending.handle),
        }
    }

    /// An `error` answered `pending`: 458 ends the session only if the request was addressed
    /// to it, 459 forgets only the request's own handle, and otherwise the request failed.
    fn apply_error(&mut self, pending: &Pending, code: ErrorCode) {
        match code {
            ErrorCode::SessionNotFound if pending.on_session => return self.end_session(SessionEnd::NotFound),
            ErrorCode::HandleNotFound => {
                if let Some(h) = pending.handle {
                    self.remove_handle(h);
                }
            }
            _ => {}
        }
        self.request_failed(pending.kind, pending.handle);
    }

    /// A request of `kind` ended without success (error reply, unexpected reply, timeout):
    /// undoes what sending it started. A failed `claim` leaves the session claimable
    /// ([`SessionState::Disconnected`]): only a 458 says it is gone.
    fn request_failed(&mut self, kind: RequestKind, handle: Option<HandleId>) {
        match (kind, self.session) {
            (RequestKind::Create, SessionState::Creating) => self.session = SessionState::Idle,
            (RequestKind::Claim, SessionState::Claiming(s)) => self.session = SessionState::Disconnected(s),
            (RequestKind::Destroy, SessionState::Destroying(s)) => self.session = SessionState::Active(s),
            (RequestKind::Detach, _) => {
                if let Some(slot) = self.handles.iter_mut().find(|h| Some(h.id) == handle) {
                    slot.detaching = false;
                }
            }
            _ => {}
        }
    }

    /// `p` will not be answered: an event says so, unless its answer came already (a
    /// `message` that only waited for its ack).
    fn abandon(&mut self, p: Pending, reason: Abandoned) {
        if !p.answered {
            self.push_event(Event::RequestAbandoned { request: p.id, kind: p.kind, reason });
        }
    }

    fn handle_unsolicited<'a>(&mut self, message: Message<'a>) -> Output<'a> {
        let ours = self.session_for_route();
        if let (Some(theirs), Some(ours)) = (message.session_id(), ours)
            && theirs != ours
        {
            return Output::Ignored { reason: Ignored::OtherSession, message };
        }
        match message {
            Message::Keepalive(_) => Output::Ignored { reason: Ignored::Keepalive, message },
            Message::Timeout(t) => {
                if ours != Some(t.session_id) {
                    return Output::Ignored { reason: Ignored::OtherSession, message };
                }
                self.end_session(SessionEnd::TimedOut);
                Output::SessionTimedOut { session: t.session_id }
            }
            _ => {
                let Some(handle) = message.sender() else {
                    let reason =
                        if message.transaction().is_some() { Ignored::UnknownTransaction } else { Ignored::Unroutable };
                    return Output::Ignored { reason, message };
                };
                if !self.handles.iter().any(|h| h.id == handle) {
                    return Output::Ignored { reason: Ignored::UnknownHandle, message };
                }
                if matches!(message, Message::Detached(_)) {
                    self.remove_handle(handle);
                }
                Output::Handle { handle, message }
            }
        }
    }

    fn start_session(&mut self, now: Instant, session: SessionId) {
        self.session = SessionState::Active(session);
        self.long_poll_out = false;
        self.keepalive_due = Some(now.saturating_add(self.config.keepalive_interval));
    }

    /// The handle is gone: forget it and abandon its pending requests (except a `detach`,
    /// whose `success` still comes).
    fn remove_handle(&mut self, handle: HandleId) {
        let Some(index) = self.handles.iter().position(|h| h.id == handle) else {
            return;
        };
        swap_remove(&mut self.handles, index);
        self.push_event(Event::HandleDetached { handle });
        while let Some(i) = self.pending.iter().position(|p| p.handle == Some(handle) && p.kind != RequestKind::Detach)
        {
            let Some(p) = swap_remove(&mut self.pending, i) else {
                break;
            };
            self.abandon(p, Abandoned::HandleDetached);
        }
    }

    fn end_session(&mut self, reason: SessionEnd) {
        let Some(session) = self.session_for_route() else {
            return;
        };
        self.session = SessionState::Ended(session, reason);
        self.handles.clear();
        self.keepalive_due = None;
        self.long_poll_out = false;
        let abandoned = Abandoned::SessionEnded(reason);
        while let Some(i) = self.pending.iter().position(|p| !matches!(p.kind, RequestKind::Info | RequestKind::Ping)) {
            let Some(p) = swap_remove(&mut self.pending, i) else {
                break;
            };
            self.abandon(p, abandoned);
        }
        self.push_event(Event::SessionEnded { session, reason });
    }
}

/// A credential kept by a client.
pub(crate) fn credential(s: Option<&str>) -> Result<Option<String<MAX_CREDENTIAL_LEN>>, ClientError> {
    s.map(|s| String::try_from(s).map_err(|_| ClientError::CredentialTooLong)).transpose()
}

/// Writes a request's JSON, given its transaction and credentials, into the buffer and
/// returns its length.
type WriteRequest<'f> = dyn FnMut(crate::Transaction<'_>, Auth<'_>, &mut [u8]) -> Result<usize, EncodeError> + 'f;

/// `Vec::swap_remove` without `ptr::copy`, whose `memmove` costs 1.5 KB of flash on small
/// targets: the last element is popped and moved into the removed one's place. `None` (and
/// nothing removed) if `index` is out of range.
fn swap_remove<T, const N: usize>(vec: &mut Vec<T, N>, index: usize) -> Option<T> {
    if index >= vec.len() {
        return None;
    }
    let last = vec.pop()?;
    match vec.get_mut(index) {
        Some(slot) => Some(core::mem::replace(slot, last)),
        None => Some(last),
    }
}

/// The outputs of one received body, handled one message at a time; see
/// [`Client::handle_input`].
#[derive(Debug)]
pub struct Outputs<'c, 'a, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> {
    client: &'c mut Client<HANDLES, PENDING, EVENTS>,
    batch: Batch<'a>,
    now: Instant,
}

impl<'a, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> Iterator
    for Outputs<'_, 'a, HANDLES, PENDING, EVENTS>
{
    type Item = Result<Output<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(Ok(match self.batch.next_lenient()? {
            Ok(message) => self.client.handle_message(self.now, message),
            Err(malformed) => self.client.handle_malformed(malformed),
        }))
    }
}
