//! The blocking Janus client: one connection, one session, its handles.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{Abandoned, Client, Config, Event as CoreEvent, Ignored, Output, RequestKind, SessionEnd};
use janus_signal::driver::{CallError, Driver, Sink};
use janus_signal::http::Route;
use janus_signal::message::Message;
use janus_signal::plugin::PluginEvent;
use janus_signal::request::Candidates;
use janus_signal::{HandleId, Instant, SessionId};
use serde::Serialize;

use crate::http::{Connection, HttpTransport};
use crate::link::{StdClock, StdLink, Transport};
use crate::queue::{EventQueue, Peek};
use crate::stream::{Dialer, Stream};
use crate::url::Endpoint;
use crate::ws::WsTransport;
use crate::{Error, Failover, TlsConfig};

/// Connection settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// `apisecret` for every request (`api_secret` in `janus.jcfg`).
    pub apisecret: Option<String>,
    /// `token` for every request (`token_auth`).
    pub token: Option<String>,
    /// WebSocket: the longest silence before a `keepalive` (below the server's
    /// `session_timeout`, 60 s by default). Default 25 s.
    pub keepalive: Duration,
    /// HTTP: the longest silence before a `keepalive` POST. Each long poll already refreshes
    /// the session when it starts, and Janus answers an idle one after 30 s, so the default
    /// 45 s only matters against servers with a `session_timeout` under about 35 s: set it
    /// below that timeout there.
    pub http_keepalive: Duration,
    /// How long a request may wait for its answer. Default 15 s.
    pub request_timeout: Duration,
    /// TCP connect (with the TLS handshake, if any) timeout, and WebSocket handshake timeout.
    /// Default 5 s.
    pub connect_timeout: Duration,
    /// Largest message accepted from Janus. Default 1 MiB.
    pub max_message_size: usize,
    /// WebSocket: the most bytes one read from the socket takes. Default 2 KiB, which holds
    /// most of Janus's messages (acks, answers, events); a larger one (a description-bearing
    /// event is several KiB) comes in several reads. tungstenite zeroes this much before every
    /// read, so a large value costs on each small message: with 8 KiB a WebSocket echotest
    /// cycle took 33 % more user-space instructions (valgrind).
    pub read_buffer_size: usize,
    /// HTTP: events per long-poll answer. Default 10.
    pub maxev: u8,
    /// Seed of the transaction ids (default: from the clock and process id).
    pub seed: Option<u64>,
    /// Most sessions a [`Connection`](crate::Connection) carries at once. Default 4096.
    pub max_sessions: usize,
    /// Most events kept for the caller ([`Janus::next_event`]); beyond that the oldest is
    /// dropped, logged and counted ([`Janus::dropped_events`]). Default 1024. A
    /// [`Connection`](crate::Connection) keeps at least four for each session it carries.
    pub max_queued_events: usize,
    /// What `https://` and `wss://` connections trust (cargo feature `tls`). Default: the
    /// public web roots of `webpki-roots`.
    pub tls: TlsConfig,
    /// How [`Janus::connect_any`] goes through its list of servers: rounds, back-off, time
    /// limit.
    pub failover: Failover,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            apisecret: None,
            token: None,
            keepalive: std_duration(Config::websocket().keepalive_interval),
            http_keepalive: std_duration(Config::http().keepalive_interval),
            request_timeout: std_duration(Config::websocket().request_timeout),
            connect_timeout: Duration::from_secs(5),
            max_message_size: 1 << 20,
            read_buffer_size: 2 * 1024,
            maxev: 10,
            seed: None,
            max_sessions: 4096,
            max_queued_events: 1024,
            tls: TlsConfig::default(),
            failover: Failover::default(),
        }
    }
}

/// One message from Janus, owned: its JSON text, decoded on demand.
pub struct OwnedMessage {
    decoded: Decoded,
}

self_cell::self_cell!(
    /// The JSON text and the typed view of it, decoded once when the message was copied.
    struct Decoded {
        owner: Vec<u8>,
        #[covariant]
        dependent: Message,
    }
);

/// What an owned message reads as if its bytes, which decoded once as a message already, did
/// not decode again (they always do: decoding is deterministic; this keeps the view total).
const NOT_A_MESSAGE: &[u8] = br#"{"janus":"keepalive"}"#;

impl OwnedMessage {
    pub(crate) fn new(message: &Message<'_>) -> Self {
        Self::from_json(message.raw().as_bytes().to_vec())
    }

    /// Decodes `json`, one message, keeping its bytes and the typed view side by side.
    pub(crate) fn decode(json: Vec<u8>) -> Result<Self, janus_signal::DecodeError> {
        Decoded::try_new(json, |json| Message::decode(json)).map(|decoded| Self { decoded })
    }

    /// Wraps a body already decoded as one message, decoding it once more for its typed view.
    pub(crate) fn from_json(json: Vec<u8>) -> Self {
        let decoded = Decoded::new(json, |json| match Message::decode(json) {
            Ok(message) => message,
            Err(_) => match Message::decode(NOT_A_MESSAGE) {
                Ok(keepalive) => keepalive,
                Err(_) => unreachable!("a constant message decodes"),
            },
        });
        Self { decoded }
    }

    /// The typed view, borrowing this message (decoded when the message was copied, not at each
    /// call).
    #[must_use]
    pub fn message(&self) -> Message<'_> {
        *self.decoded.borrow_dependent()
    }

    /// The JSON text as Janus sent it.
    #[must_use]
    pub fn json(&self) -> &str {
        std::str::from_utf8(self.decoded.borrow_owner()).unwrap_or_default()
    }

    /// The `janus` kind.
    #[must_use]
    pub fn kind(&self) -> &str {
        self.decoded.borrow_dependent().kind()
    }

    /// The data of plugin `E` in this message, typed, in one call:
    /// `reply.plugin::<echotest::Event<'_>>()`. `None` when the message carries no data of that
    /// plugin; an error when the data cannot be read (a plugin error such as videoroom's 426
    /// "No such room" is [`EventError::Plugin`](janus_signal::plugin::EventError::Plugin)).
    #[must_use]
    pub fn plugin<'s, E: PluginEvent<'s>>(&'s self) -> Option<Result<E, E::Error>> {
        E::from_message(self.decoded.borrow_dependent())
    }
}

impl Clone for OwnedMessage {
    fn clone(&self) -> Self {
        Self::from_json(self.decoded.borrow_owner().clone())
    }
}

impl PartialEq for OwnedMessage {
    fn eq(&self, other: &Self) -> bool {
        self.decoded.borrow_owner() == other.decoded.borrow_owner()
    }
}

impl Eq for OwnedMessage {}

impl fmt::Debug for OwnedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

impl fmt::Display for OwnedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

/// A message from Janus that cannot be read as its kind (a known `janus` kind with a member
/// missing or of the wrong type, an object without `janus`, a body that is not JSON), owned:
/// what it claims to be, what was wrong, and its JSON text as received. An unsolicited one is
/// an [`Event::Malformed`] and the session goes on; one that answers a request fails that
/// request with [`Error::MalformedReply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedMessage {
    kind: Option<String>,
    transaction: Option<String>,
    error: janus_signal::DecodeError,
    json: String,
}

impl MalformedMessage {
    pub(crate) fn new(malformed: &janus_signal::message::Malformed<'_>) -> Self {
        Self {
            kind: malformed.kind.map(|k| k.to_string()),
            transaction: malformed.transaction.map(|t| t.to_string()),
            error: malformed.defect.into(),
            json: malformed.raw.as_text().to_owned(),
        }
    }

    /// A received body that could not be read at all (not JSON, or neither an object nor an
    /// array): nothing in it can be named.
    pub(crate) fn from_body(body: &[u8], error: janus_signal::DecodeError) -> Self {
        Self { kind: None, transaction: None, error, json: String::from_utf8_lossy(body).into_owned() }
    }

    /// The `janus` kind it claims (when `janus` is a string).
    #[must_use]
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// Its `transaction` (when it is a string).
    #[must_use]
    pub fn transaction(&self) -> Option<&str> {
        self.transaction.as_deref()
    }

    /// What was wrong: a missing or invalid member ([`DecodeError::MissingField`],
    /// [`DecodeError::InvalidField`](janus_signal::DecodeError::InvalidField)), or malformed
    /// JSON.
    ///
    /// [`DecodeError::MissingField`]: janus_signal::DecodeError::MissingField
    #[must_use]
    pub fn error(&self) -> &janus_signal::DecodeError {
        &self.error
    }

    /// The JSON text as Janus sent it (lossily converted when it was not UTF-8).
    #[must_use]
    pub fn json(&self) -> &str {
        &self.json
    }
}

impl fmt::Display for MalformedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.json)
    }
}

/// Something that happened that no call was waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A message for a handle: plugin events, `webrtcup`, `media`, `slowlink`, `hangup`,
    /// `trickle`, `ice-failed`. (A handle's `detached` is [`HandleDetached`](Self::HandleDetached):
    /// the client takes it in, and that event is all it says.)
    Handle {
        /// The handle.
        handle: HandleId,
        /// The message.
        message: OwnedMessage,
    },
    /// A handle is gone: Janus said `detached` (after a `detach`, or by itself), or the
    /// client forgot it.
    HandleDetached(HandleId),
    /// Janus expired the session (`timeout`).
    SessionTimedOut(SessionId),
    /// The session is over.
    SessionEnded(SessionId, SessionEnd),
    /// A request nobody waits for any more timed out (or was abandoned).
    RequestFailed(RequestKind),
    /// Janus sent something that answers no request and cannot be read as its kind (e.g. an
    /// `ice-failed` without `sender`, a `media` whose `receiving` is a string). Nothing
    /// changed; the session goes on.
    Malformed(MalformedMessage),
}

/// What a connection had to drop: see [`Janus::dropped_events`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DroppedCounts {
    /// Events dropped from a full queue, oldest first.
    pub events: u64,
    /// Replies dropped: always 0 since replies are no longer queued (each call takes its own
    /// answer as it arrives; answers nobody waits for are not kept). Kept for compatibility.
    pub replies: u64,
}
/// The core driver as this crate runs it.
type StdDriver = Driver<StdLink, StdClock, Client<64, 64, 256>>;

/// A blocking connection to Janus carrying one session. See the crate docs for an example.
pub struct Janus {
    endpoint: Endpoint,
    dialer: Dialer,
    /// Every server [`reconnect_any`](Self::reconnect_any) may go to, in order (those given
    /// to [`connect_any`](Self::connect_any); empty: only this one).
    servers: Vec<(Endpoint, Dialer)>,
    options: Options,
    driver: StdDriver,
    events: EventQueue,
    /// Replies the client could not correlate (no or unknown transaction), for `send_raw`.
    uncorrelated: VecDeque<OwnedMessage>,
}

impl fmt::Debug for Janus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Janus").field("endpoint", &self.endpoint).field("session", &self.client().session()).finish()
    }
}

impl Janus {
    /// Connects to `url`: `http://host:port/janus` (REST with long poll) or `ws://host:port`
    /// (WebSocket); `https://` and `wss://` the same over TLS (cargo feature `tls`, trusting
    /// what [`Options::tls`] says). Without a port, Janus's defaults: 8088, 8089 (HTTPS), 8188,
    /// 8989 (WSS). No session is created yet. One attempt: for several servers and retries,
    /// see [`connect_any`](Self::connect_any).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`], [`Error::TlsNotEnabled`], [`Error::Tls`] (e.g. the server's
    /// certificate is not trusted), [`Error::Io`], [`Error::WebSocket`] (e.g. the server refused
    /// the `janus-protocol` subprotocol), [`Error::Timeout`].
    pub fn connect(url: &str, options: Options) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(url)?;
        let dialer = Dialer::new(&endpoint, &options.tls, options.connect_timeout)?;
        let janus = Self::open_endpoint(endpoint, dialer, options)
            .inspect_err(|e| log::warn!("connecting to Janus at {url} failed: {e}"))?;
        log::info!("connected to Janus at {} ({})", janus.endpoint.url, transport_name(&janus.endpoint));
        Ok(janus)
    }

    /// Like [`connect`](Self::connect), on a TCP connection the caller made already (through a
    /// proxy, bound to an interface, with socket options of its own…) to the server of `url`.
    /// Over WebSocket it carries the session; over HTTP it is the request connection, and the
    /// long poll's connection (and any later one) is dialed from `url`. For `https://` and
    /// `wss://` the TLS handshake runs on it.
    ///
    /// ```no_run
    /// use janus_signal_socket::{Janus, Options};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let tcp = std::net::TcpStream::connect("127.0.0.1:8188")?;
    /// let mut janus = Janus::over(tcp, "ws://127.0.0.1:8188", Options::default())?;
    /// janus.create_session()?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub fn over(tcp: std::net::TcpStream, url: &str, options: Options) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(url)?;
        let dialer = Dialer::new(&endpoint, &options.tls, options.connect_timeout)?;
        // Requests are small and answered at once: no Nagle delay (as for connections dialed here).
        tcp.set_nodelay(true)?;
        let stream = dialer.wrap(tcp, options.connect_timeout)?;
        let link = open_over(stream, &endpoint, &dialer, &options, StdClock::new())?;
        let janus = Self::with_link(endpoint, dialer, options, link)?;
        log::info!(
            "connected to Janus at {} ({}) on the caller's stream",
            janus.endpoint.url,
            transport_name(&janus.endpoint)
        );
        Ok(janus)
    }

    /// [`connect`](Self::connect) with the URL already parsed and its dialer built.
    pub(crate) fn open_endpoint(endpoint: Endpoint, dialer: Dialer, options: Options) -> Result<Self, Error> {
        let link = open(&endpoint, &dialer, &options, StdClock::new())?;
        Self::with_link(endpoint, dialer, options, link)
    }

    /// A client on `link`, open already.
    fn with_link(endpoint: Endpoint, dialer: Dialer, options: Options, link: StdLink) -> Result<Self, Error> {
        let clock = link.clock();
        let client = Self::new_client(&endpoint, &options)?;
        let events = EventQueue::new(options.max_queued_events);
        Ok(Self {
            endpoint,
            dialer,
            servers: Vec::new(),
            options,
            driver: Driver::new(client, link, clock),
            events,
            uncorrelated: VecDeque::new(),
        })
    }

    /// The settings.
    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// The servers [`reconnect_any`](Self::reconnect_any) goes through, in order.
    pub(crate) fn set_servers(&mut self, servers: Vec<(Endpoint, Dialer)>) {
        self.servers = servers;
    }

    /// The servers [`reconnect_any`](Self::reconnect_any) goes through: the current one first
    /// (the only one that may still know the session), then the others in their order.
    pub(crate) fn failover_order(&self) -> Vec<(Endpoint, Dialer)> {
        let mut order = vec![(self.endpoint.clone(), self.dialer.clone())];
        order.extend(self.servers.iter().filter(|(e, _)| *e != self.endpoint).cloned());
        order
    }

    /// Drops the connection: pending requests fail, the session (if any) becomes
    /// `Disconnected`, to be claimed on the next connection.
    pub(crate) fn lose_transport(&mut self) {
        self.driver.link_mut().close();
        let mut inbox =
            Inbox { url: &self.endpoint.url, events: &mut self.events, uncorrelated: &mut self.uncorrelated };
        self.driver.transport_lost(&mut inbox);
        self.uncorrelated.clear();
    }

    /// Opens a connection to `endpoint` (within `timeout`) and makes it this client's
    /// connection. When its transport differs from the current one (WebSocket / HTTP) the
    /// session machine is replaced by a fresh one (its session and handles cannot move): returns
    /// whether the machine, and so the session's state, was kept.
    pub(crate) fn switch_to(&mut self, endpoint: &Endpoint, dialer: &Dialer, timeout: Duration) -> Result<bool, Error> {
        let mut attempt = self.options.clone();
        attempt.connect_timeout = timeout;
        let clock = self.clock();
        let mut link = open(endpoint, &dialer.with_timeout(timeout), &attempt, clock)?;
        // Later connections (long polls, reconnects) get the whole connect timeout.
        if let Transport::Http(http) = &mut link.transport {
            http.set_dialer(dialer.clone());
        }
        let kept = endpoint.websocket == self.endpoint.websocket;
        if !kept {
            *self.driver.client_mut() = Self::new_client(endpoint, &self.options)?;
        }
        self.driver.replace_link(link);
        self.endpoint = endpoint.clone();
        self.dialer = dialer.clone();
        Ok(kept)
    }

    /// `command` with the request timeout cut to `timeout`.
    pub(crate) fn within<T>(
        &mut self,
        timeout: Duration,
        command: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let request_timeout = std::mem::replace(&mut self.options.request_timeout, timeout);
        let result = command(self);
        self.options.request_timeout = request_timeout;
        result
    }

    /// A session machine for `endpoint`'s transport, with the credentials of `options`.
    fn new_client(endpoint: &Endpoint, options: &Options) -> Result<Client<64, 64, 256>, Error> {
        let mut client = Client::new(client_config(endpoint, options), seed(options));
        client.set_credentials(options.apisecret.as_deref(), options.token.as_deref())?;
        Ok(client)
    }

    /// The URL of the server this client talks to, as it was given (with
    /// [`connect_any`](Self::connect_any): the one that answered).
    #[must_use]
    pub fn server_url(&self) -> &str {
        &self.endpoint.url
    }

    /// The state machine underneath (for its session state and handles).
    #[must_use]
    pub fn client(&self) -> &Client<64, 64, 256> {
        self.driver.client()
    }

    /// The session id, while the session is active.
    #[must_use]
    pub fn session_id(&self) -> Option<SessionId> {
        self.client().session_id()
    }

    /// `info`: the server's description (a `server_info` message).
    ///
    /// # Errors
    ///
    /// As any request: [`Error::Timeout`], transport errors, [`Error::Janus`].
    pub fn server_info(&mut self) -> Result<OwnedMessage, Error> {
        self.call(|c, now, out| c.server_info(now, out))
    }

    /// `ping` → `pong`.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn ping(&mut self) -> Result<(), Error> {
        self.call_with(|c, now, out| c.ping(now, out), |_| Ok(()))
    }

    /// `create`: opens the session.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info); [`Error::Janus`] with 403 when credentials are
    /// missing or wrong.
    pub fn create_session(&mut self) -> Result<SessionId, Error> {
        self.call_with(|c, now, out| c.create_session(now, out), |_| Ok(()))?;
        self.session_id().ok_or(Error::Unexpected("create succeeded without a session"))
    }

    /// `claim`: takes over `session` on this connection (after [`reconnect`](Self::reconnect),
    /// with `reclaim_session_timeout` > 0 on the server).
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info); [`Error::Janus`] with 458 when the session is gone.
    pub fn claim_session(&mut self, session: SessionId) -> Result<(), Error> {
        self.call_with(|c, now, out| c.claim_session(now, out, session), |_| Ok(()))
    }

    /// Opens a new connection to the same server (the old one is dropped), keeping what the
    /// client knows of the session so that [`claim_session`](Self::claim_session) can take it
    /// over. One attempt, no claim: [`reconnect_any`](Self::reconnect_any) retries, goes on to
    /// the other servers of [`connect_any`](Self::connect_any) and claims the session itself.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub fn reconnect(&mut self) -> Result<(), Error> {
        log::info!("reconnecting to {} (session {:?})", self.endpoint.url, self.session_id());
        self.lose_transport();
        let link = open(&self.endpoint, &self.dialer, &self.options, self.clock()).inspect_err(|e| {
            log::warn!("reconnecting to {} failed: {e}", self.endpoint.url);
        })?;
        self.driver.replace_link(link);
        log::info!("reconnected to {}", self.endpoint.url);
        Ok(())
    }

    /// Drops the connection without a word (tests use it to simulate a network failure).
    pub fn drop_connection(&mut self) {
        log::debug!("dropping the connection to {}", self.endpoint.url);
        if let Ok(link) = open(&self.endpoint, &self.dialer, &self.options, self.clock()) {
            self.driver.replace_link(link);
        }
    }

    /// Connections opened from now on use `dialer` (the same server with another connect
    /// timeout) and `connect_timeout`.
    pub(crate) fn reset_connect_timeout(&mut self, dialer: &Dialer, connect_timeout: Duration) {
        self.dialer = dialer.clone();
        self.options.connect_timeout = connect_timeout;
        if let Transport::Http(http) = &mut self.driver.link_mut().transport {
            http.set_dialer(dialer.clone());
        }
    }

    /// `ping` within `timeout` (less than the request timeout): does a Janus answer here?
    pub(crate) fn probe(&mut self, timeout: Duration) -> Result<(), Error> {
        self.within(timeout, Self::ping)
    }

    /// `keepalive` now (over WebSocket the client also sends them by itself while you call
    /// into it; over HTTP the long poll keeps the session alive).
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn keepalive(&mut self) -> Result<(), Error> {
        self.call_with(|c, now, out| c.keepalive(now, out), |_| Ok(()))
    }

    /// `destroy`: ends the session.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn destroy_session(&mut self) -> Result<(), Error> {
        self.call_with(|c, now, out| c.destroy_session(now, out), |_| Ok(()))
    }

    /// `attach` to `plugin`, e.g. `janus.plugin.echotest`, with an optional `opaque_id`.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info); [`Error::Janus`] with 460 for an unknown plugin,
    /// 405 when the token may not use it.
    pub fn attach(&mut self, plugin: &str, opaque_id: Option<&str>) -> Result<HandleId, Error> {
        self.call_with(
            |c, now, out| c.attach(now, out, plugin, opaque_id),
            |reply| match reply {
                Message::Success(s) => s.id().map(HandleId).ok_or(Error::Unexpected("attach success without data.id")),
                _ => Err(Error::Unexpected("attach answered without success")),
            },
        )
    }

    /// `message` to the handle's plugin; returns the plugin's answer (its synchronous
    /// `success`, or the `event` that answers the request).
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info); [`Error::Plugin`] when the plugin's answer
    /// carries an `error_code`/`error`.
    pub fn message<B: ?Sized + Serialize>(&mut self, handle: HandleId, body: &B) -> Result<OwnedMessage, Error> {
        self.call(|c, now, out| c.message::<B, ()>(now, out, handle, body, None))
    }

    /// `message` with a session description (`jsep`): a
    /// [`SessionDescription`](janus_signal::request::SessionDescription), your own `Serialize`
    /// type, or pre-encoded JSON. The answer's `jsep` carries the plugin's description.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn message_with_jsep<B: ?Sized + Serialize, J: ?Sized + Serialize>(
        &mut self,
        handle: HandleId,
        body: &B,
        jsep: &J,
    ) -> Result<OwnedMessage, Error> {
        self.call(|c, now, out| c.message(now, out, handle, body, Some(jsep)))
    }

    /// `message` (with an optional `jsep`) whose answer `read` takes where it arrived,
    /// borrowed, instead of an owned copy: nothing is allocated for it. Plugin errors are
    /// refusals, as with [`message`](Self::message).
    ///
    /// ```no_run
    /// # use janus_signal_socket::{Janus, Options};
    /// # use janus_signal_socket::janus_signal::message::Message;
    /// # fn main() -> Result<(), janus_signal_socket::Error> {
    /// # let mut janus = Janus::connect("ws://127.0.0.1:8188", Options::default())?;
    /// # janus.create_session()?;
    /// # let handle = janus.attach("janus.plugin.echotest", None)?;
    /// #[derive(serde::Serialize)]
    /// struct Echo { audio: bool }
    /// let ok = janus.message_with_reply(handle, &Echo { audio: true }, None::<&()>, |reply| {
    ///     matches!(reply, Message::Event(e) if e.plugin_data.is_some())
    /// })?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn message_with_reply<B: ?Sized + Serialize, J: ?Sized + Serialize, T>(
        &mut self,
        handle: HandleId,
        body: &B,
        jsep: Option<&J>,
        read: impl FnOnce(Message<'_>) -> T,
    ) -> Result<T, Error> {
        self.call_with(|c, now, out| c.message(now, out, handle, body, jsep), |reply| Ok(read(reply)))
    }

    /// `trickle`: candidates for the handle's PeerConnection.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn trickle<C: Serialize>(&mut self, handle: HandleId, candidates: Candidates<'_, C>) -> Result<(), Error> {
        self.call_with(|c, now, out| c.trickle(now, out, handle, candidates), |_| Ok(()))
    }

    /// `hangup`: closes the handle's PeerConnection.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn hangup(&mut self, handle: HandleId) -> Result<(), Error> {
        self.call_with(|c, now, out| c.hangup(now, out, handle), |_| Ok(()))
    }

    /// `detach`: ends the handle.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn detach(&mut self, handle: HandleId) -> Result<(), Error> {
        self.call_with(|c, now, out| c.detach(now, out, handle), |_| Ok(()))
    }

    /// Any other Janus API request by name, with `fields` (a struct, a map or a pre-encoded
    /// object) at the top level, addressed to the session and, if given, to `handle`.
    ///
    /// # Errors
    ///
    /// As [`server_info`](Self::server_info).
    pub fn request<F: ?Sized + Serialize>(
        &mut self,
        name: &str,
        handle: Option<HandleId>,
        fields: &F,
    ) -> Result<OwnedMessage, Error> {
        self.call(|c, now, out| c.custom(now, out, name, handle, fields))
    }

    /// Sends `bytes` exactly as given (for talking to Janus outside the typed API, e.g. to see
    /// how it answers malformed requests) to the session (and `handle`) path, and returns the
    /// reply: the POST's response over HTTP; over WebSocket the next message that carries the
    /// same transaction and that no request of this client waits for (when `bytes` has no
    /// string `transaction`, the next such message without one: Janus answers a request it
    /// cannot read so).
    ///
    /// # Errors
    ///
    /// [`Error::Janus`] when Janus answers with an `error`; transport errors; [`Error::Timeout`].
    pub fn send_raw(&mut self, handle: Option<HandleId>, bytes: &[u8]) -> Result<OwnedMessage, Error> {
        let session = self.session_id();
        let deadline = StdInstant::now() + self.options.request_timeout;
        let wanted = janus_signal::request::transaction_of(bytes).map(|t| t.to_string());
        let reply = match &mut self.driver.link_mut().transport {
            Transport::Http(http) => {
                let route = Route::Janus { session, handle: session.and(handle) };
                let mut body = Vec::new();
                let status = http.request(&route, bytes, deadline, &mut body)?;
                if status != 200 {
                    return Err(Error::HttpStatus(status));
                }
                // Read leniently, so that an answer that cannot be read says what it claims.
                match janus_signal::message::Batch::decode(&body).map(|mut b| b.next_lenient()) {
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(malformed))) => {
                        return Err(Error::MalformedReply(Box::new(MalformedMessage::new(&malformed))));
                    }
                    Ok(None) => {
                        let error = janus_signal::DecodeError::NotAnObject;
                        return Err(Error::MalformedReply(Box::new(MalformedMessage::from_body(&body, error))));
                    }
                    Err(e) => return Err(Error::MalformedReply(Box::new(MalformedMessage::from_body(&body, e)))),
                }
                OwnedMessage::from_json(body)
            }
            Transport::Ws(ws) => {
                // What came before the request cannot answer it.
                self.uncorrelated.clear();
                ws.send(bytes)?;
                loop {
                    let matching = self
                        .uncorrelated
                        .iter()
                        .position(|m| m.message().transaction().map(|t| t.to_string()) == wanted);
                    if let Some(i) = matching {
                        break self.uncorrelated.remove(i).ok_or(Error::Timeout)?;
                    }
                    // An answer that cannot be read fails the request.
                    let malformed = self.events.take_first(|e| {
                        matches!(e, Peek::Event(Event::Malformed(m)) if m.transaction.is_some() && m.transaction == wanted)
                    });
                    if let Some(Event::Malformed(m)) = malformed {
                        return Err(Error::MalformedReply(Box::new(m)));
                    }
                    if StdInstant::now() >= deadline {
                        return Err(Error::Timeout);
                    }
                    self.poll(deadline)?;
                }
            }
        };
        match reply.message() {
            Message::Error(e) => {
                Err(Error::Janus { code: e.code, reason: e.reason.map(|r| r.to_string()).unwrap_or_default() })
            }
            _ => Ok(reply),
        }
    }

    /// How many events were dropped because the caller did not take them and the queue was
    /// full ([`Options::max_queued_events`]; the oldest go first). Also logged as they happen.
    #[must_use]
    pub fn dropped_events(&self) -> DroppedCounts {
        DroppedCounts { events: self.events.dropped(), replies: 0 }
    }

    /// The next event of the session or of any handle, waiting up to `timeout`. Keeps the
    /// session alive meanwhile: call it (or any other method) at least every 25 s.
    ///
    /// # Errors
    ///
    /// Transport errors.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, Error> {
        self.next_matching(timeout, |_| true)
    }

    /// The next event of `handle` (others stay queued for [`next_event`](Self::next_event)).
    ///
    /// # Errors
    ///
    /// Transport errors.
    pub fn next_handle_event(&mut self, handle: HandleId, timeout: Duration) -> Result<Option<OwnedMessage>, Error> {
        let event = self.next_matching(timeout, |e| matches!(e, Peek::Handle(h) if h == handle))?;
        Ok(event.and_then(|e| match e {
            Event::Handle { message, .. } => Some(message),
            _ => None,
        }))
    }

    fn next_matching(&mut self, timeout: Duration, wanted: impl Fn(Peek<'_>) -> bool) -> Result<Option<Event>, Error> {
        let deadline = StdInstant::now() + timeout;
        loop {
            if let Some(event) = self.events.take_first(&wanted) {
                return Ok(Some(event));
            }
            if StdInstant::now() >= deadline {
                return Ok(None);
            }
            // Also returns at the client's timers (keepalives, request deadlines).
            self.poll(deadline)?;
        }
    }

    // ----- plumbing --------------------------------------------------------------------------

    /// One round of the driver, waiting until `deadline` at most.
    fn poll(&mut self, deadline: StdInstant) -> Result<bool, Error> {
        let until = self.clock().to_core(deadline);
        let mut inbox =
            Inbox { url: &self.endpoint.url, events: &mut self.events, uncorrelated: &mut self.uncorrelated };
        self.driver.poll(until, &mut inbox).map_err(from_driver)
    }

    /// The driver's clock: every link of this client keeps its origin, so that the driver's
    /// instants mean the same on a new connection.
    fn clock(&self) -> StdClock {
        self.driver.link().clock()
    }

    /// Sends what `command` writes and returns its answer, owned.
    fn call(
        &mut self,
        command: impl FnMut(&mut StdClient, Instant, &mut [u8]) -> CommandResult,
    ) -> Result<OwnedMessage, Error> {
        self.call_with(command, |reply| Ok(OwnedMessage::new(&reply)))
    }

    /// Sends what `command` writes and waits for its answer (within the request timeout),
    /// which `on_reply` reads when it is a success.
    fn call_with<T>(
        &mut self,
        mut command: impl FnMut(&mut StdClient, Instant, &mut [u8]) -> CommandResult,
        on_reply: impl FnOnce(Message<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let deadline = StdInstant::now() + self.options.request_timeout + Duration::from_millis(50);
        let until = self.clock().to_core(deadline);
        let mut inbox =
            Inbox { url: &self.endpoint.url, events: &mut self.events, uncorrelated: &mut self.uncorrelated };
        let answer = self.driver.call(&mut command, until, &mut inbox, |answer| match answer {
            Ok(reply) => on_reply(reply),
            Err(refusal) => Err(Error::refused(refusal)),
        });
        answer.map_err(from_driver)?
    }
}

type StdClient = Client<64, 64, 256>;
type CommandResult = Result<janus_signal::client::Transmit, janus_signal::client::ClientError>;

/// What the driver hands over that no call waits for: events for the caller, and messages
/// without a usable transaction for [`Janus::send_raw`].
struct Inbox<'q> {
    url: &'q str,
    events: &'q mut EventQueue,
    uncorrelated: &'q mut VecDeque<OwnedMessage>,
}

impl Sink for Inbox<'_> {
    fn output(&mut self, output: Output<'_>) {
        log_received(self.url, &output);
        match output {
            // The client takes a `detached` in and says so with its own `HandleDetached`, which
            // carries all the notice says: no owned copy (no allocation) for it.
            Output::Handle { message: Message::Detached(_), .. } => {}
            // Kept as bytes: the owned message is made when the caller takes it.
            Output::Handle { handle, message } => self.events.push_handle(handle, message.raw().as_bytes()),
            Output::SessionTimedOut { session } => self.events.push(Event::SessionTimedOut(session)),
            Output::MalformedReply { kind, malformed, .. } => {
                log::warn!("{}: unreadable answer to {}: {}", self.url, kind.name(), malformed.defect);
            }
            Output::Malformed(malformed) => {
                log::warn!(
                    "{}: unreadable {} from Janus ({}), delivered as Event::Malformed",
                    self.url,
                    malformed.kind.map_or("message", |k| k.escaped()),
                    malformed.defect
                );
                self.events.push(Event::Malformed(MalformedMessage::new(&malformed)));
            }
            Output::Ignored { reason: Ignored::Unroutable | Ignored::UnknownTransaction, message } => {
                keep_uncorrelated(self.uncorrelated, &message);
            }
            // A reply to `send_raw` for a handle of another client's session (the CLI's
            // `send --session`): it carries a transaction, so keep it for `send_raw`.
            Output::Ignored { reason: Ignored::UnknownHandle, message } if message.transaction().is_some() => {
                keep_uncorrelated(self.uncorrelated, &message);
            }
            _ => {}
        }
    }

    fn event(&mut self, event: CoreEvent) {
        match event {
            CoreEvent::RequestTimedOut { request, kind } => {
                log::warn!("{}: no answer to {kind:?} (transaction {}) in time", self.url, request.as_str());
                self.events.push(Event::RequestFailed(kind));
            }
            CoreEvent::RequestAbandoned { kind, .. } => self.events.push(Event::RequestFailed(kind)),
            CoreEvent::SessionEnded { session, reason } => {
                log::info!("{}: session {session} ended: {reason:?}", self.url);
                self.events.push(Event::SessionEnded(session, reason));
            }
            CoreEvent::HandleDetached { handle } => self.events.push(Event::HandleDetached(handle)),
            _ => {}
        }
    }

    fn unreadable(&mut self, body: &[u8], error: janus_signal::DecodeError) {
        // A pushed message or long-poll answer that is not even JSON answers no request we can
        // tell: it is an event, and the session goes on.
        log::warn!("{}: unreadable message from Janus ({error}), ignored", self.url);
        self.events.push(Event::Malformed(MalformedMessage::from_body(body, error)));
    }
}

/// The error of a failed call.
pub(crate) fn from_driver(e: CallError<Error>) -> Error {
    match e {
        CallError::Link(e) => e,
        CallError::Client(e) => Error::Client(e),
        CallError::TimedOut => Error::Timeout,
        CallError::Abandoned(Abandoned::SessionEnded(end)) => Error::SessionEnded(end),
        CallError::Abandoned(_) => Error::Unexpected("handle detached"),
        CallError::Unreadable(e) => Error::Decode(e),
        _ => Error::Unexpected("no transaction"),
    }
}

/// The core's settings for `endpoint`'s transport from `options`.
pub(crate) fn client_config(endpoint: &Endpoint, options: &Options) -> Config {
    use janus_signal::client::Transport as Carrier;
    Config {
        transport: if endpoint.websocket { Carrier::WebSocket } else { Carrier::Http { maxev: options.maxev } },
        keepalive_interval: janus_signal::Duration::from_millis(millis(if endpoint.websocket {
            options.keepalive
        } else {
            options.http_keepalive
        })),
        request_timeout: janus_signal::Duration::from_millis(millis(options.request_timeout)),
    }
}

/// The seed of transaction ids: the caller's, or the clock's and the process's.
pub(crate) fn seed(options: &Options) -> u64 {
    options.seed.unwrap_or_else(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        (t as u64) ^ u64::from(std::process::id()).rotate_left(32)
    })
}

pub(crate) fn open(endpoint: &Endpoint, dialer: &Dialer, options: &Options, clock: StdClock) -> Result<StdLink, Error> {
    open_over(dialer.open()?, endpoint, dialer, options, clock)
}

/// The link to `endpoint` whose first connection is `stream`.
fn open_over(
    stream: Stream,
    endpoint: &Endpoint,
    dialer: &Dialer,
    options: &Options,
    clock: StdClock,
) -> Result<StdLink, Error> {
    let transport = if endpoint.websocket {
        Transport::Ws(WsTransport::over(
            stream,
            dialer,
            if endpoint.secure { "wss" } else { "ws" },
            &endpoint.path,
            options.connect_timeout,
            options.read_buffer_size,
            options.max_message_size,
        )?)
    } else {
        let requests = Connection::over(stream);
        Transport::Http(HttpTransport::over(requests, dialer.clone(), endpoint.path.clone(), options.max_message_size))
    };
    Ok(StdLink::new(transport, &endpoint.url, clock, options.max_message_size))
}

fn transport_name(endpoint: &Endpoint) -> &'static str {
    match (endpoint.websocket, endpoint.secure) {
        (true, false) => "WebSocket",
        (true, true) => "WebSocket over TLS",
        (false, false) => "HTTP with long poll",
        (false, true) => "HTTPS with long poll",
    }
}

/// Logs a received message at trace level: its kind, transaction and addressee.
pub(crate) fn log_received(server: &str, output: &Output<'_>) {
    if log::log_enabled!(log::Level::Trace) {
        match output {
            Output::Reply { request, kind, message } => {
                log::trace!("{server}: ← {} (answers {kind:?} {})", message.kind(), request.as_str());
            }
            Output::Acked { request } => log::trace!("{server}: ← ack of {}", request.as_str()),
            Output::Handle { handle, message } => log::trace!("{server}: ← {} from handle {handle}", message.kind()),
            Output::SessionTimedOut { session } => log::trace!("{server}: ← timeout of session {session}"),
            Output::Ignored { reason, message } => log::trace!("{server}: ← {} ignored ({reason:?})", message.kind()),
            _ => log::trace!("{server}: ← a message"),
        }
    }
}

/// Core's defaults as the desktop's durations.
fn std_duration(d: janus_signal::Duration) -> Duration {
    Duration::from_millis(d.total_millis())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Keeps a message no request of this client waits for, for [`Janus::send_raw`]; the oldest
/// go first beyond 64.
fn keep_uncorrelated(queue: &mut VecDeque<OwnedMessage>, message: &Message<'_>) {
    queue.push_back(OwnedMessage::new(message));
    if queue.len() > 64 {
        queue.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use tungstenite::Message as Frame;

    use super::*;
    use crate::fake::fake_janus;

    fn options() -> Options {
        Options { request_timeout: Duration::from_secs(2), seed: Some(7), ..Options::default() }
    }

    #[test]
    fn an_owned_message_reads_its_view_without_decoding_again() {
        assert!(Message::decode(NOT_A_MESSAGE).is_ok(), "the fallback view decodes");
        let json = br#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.echotest","data":{"result":"ok"}}}"#;
        let owned = OwnedMessage::from_json(json.to_vec());
        assert_eq!(owned.kind(), "event");
        assert_eq!(owned.message(), Message::decode(json).expect("an event"));
        let copy = owned.clone();
        assert_eq!(copy, owned);
        assert_eq!(copy.json().as_bytes(), json);
        // Moving the owner keeps the view valid (the bytes live on the heap).
        let moved = std::iter::once(copy).collect::<Vec<_>>();
        assert_eq!(moved[0].message().sender(), Some(HandleId(2)));
    }

    #[test]
    fn binary_frames_carry_messages_too() {
        // Janus answers in text frames, but a proxy or another server may send binary ones.
        let (url, server) = fake_janus(|_, tx| {
            let tx = tx.unwrap_or_default();
            Some(vec![Frame::binary(format!(r#"{{"janus":"pong","transaction":"{tx}"}}"#).into_bytes())])
        });
        let mut janus = Janus::connect(&url, options()).expect("connect");
        janus.ping().expect("a pong in a binary frame answers the ping");
        drop(janus);
        assert_eq!(server.join().expect("server"), 1);
    }

    #[test]
    fn send_raw_takes_only_the_reply_with_its_own_transaction() {
        let (url, server) = fake_janus(|_, tx| match tx {
            // Before the answer: a message without a transaction that nobody waits for, and an
            // answer to another client's request.
            Some(tx) => Some(vec![
                Frame::text(r#"{"janus":"error","session_id":7,"error":{"code":490,"reason":"not yours"}}"#),
                Frame::text(r#"{"janus":"ack","session_id":7,"transaction":"someone-else"}"#),
                Frame::text(format!(r#"{{"janus":"ack","session_id":7,"transaction":"{tx}"}}"#)),
            ]),
            // A request without a transaction: Janus's error has none either.
            None => Some(vec![Frame::text(r#"{"janus":"error","error":{"code":456,"reason":"Missing transaction"}}"#)]),
        });
        let mut janus = Janus::connect(&url, options()).expect("connect");
        let reply = janus.send_raw(None, br#"{"janus":"keepalive","session_id":7,"transaction":"raw-1"}"#);
        let reply = reply.expect("the ack");
        assert_eq!(reply.kind(), "ack", "{reply}");
        assert_eq!(reply.message().transaction().map(|t| t.to_string()).as_deref(), Some("raw-1"));
        // The stray message without a transaction, from before, does not answer the next one.
        match janus.send_raw(None, br#"{"janus":"keepalive","session_id":7}"#) {
            Err(Error::Janus { code, .. }) => assert_eq!(code.code(), 456),
            other => panic!("{other:?}"),
        }
        drop(janus);
        assert_eq!(server.join().expect("server"), 2);
    }
}
