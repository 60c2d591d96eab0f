//! The HTTP driver.

use core::fmt;

use embedded_io::{Read, ReadReady, Write};
use serde::Serialize;

use super::flow::{self, Exchange};
use crate::client::{Client, ClientError, Output, RequestId, Transmit};
use crate::error::DecodeError;
use crate::http::{HttpError, ResponseReader, Route, request_head_len, write_request_head};
use crate::ids::{HandleId, SessionId};
use crate::message::Message;
use crate::request::Auth;
use crate::time::Instant;

/// Where Janus listens: the `Host` header value and the base paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpEndpoint<'b> {
    /// `Host` header, e.g. `127.0.0.1:8088`.
    pub host: &'b str,
    /// Base path of the Janus API, e.g. `/janus`.
    pub base: &'b str,
}

/// A source of the current time.
pub trait Clock {
    /// Now.
    fn now(&mut self) -> Instant;
}

impl<F: FnMut() -> Instant> Clock for F {
    fn now(&mut self) -> Instant {
        self()
    }
}

/// The caller's buffers: `tx` for one request (head and body), `rx_requests` and
/// `rx_events` for one response on each connection. Each must hold the largest message
/// expected (Janus's `server_info` is 3–7 KB, SDP-bearing events several KB).
#[derive(Debug)]
pub struct Buffers<'b> {
    /// Requests are written here: 256 bytes for a POST's head, then its body. The long poll's
    /// head takes the whole buffer: about 100 bytes plus three for each byte of the credentials
    /// ([`HttpDriver::set_credentials`] checks).
    pub tx: &'b mut [u8],
    /// Responses to requests are read here.
    pub rx_requests: &'b mut [u8],
    /// Long-poll responses are read here.
    pub rx_events: &'b mut [u8],
}

/// Why a driver call failed.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DriverError<E> {
    /// The stream failed.
    Transport(E),
    /// The stream ended (read or write returned 0, or the server closed after a response):
    /// reconnect with [`HttpDriver::replace_streams`] or
    /// [`HttpSingleDriver::replace_stream`](super::HttpSingleDriver::replace_stream).
    Closed,
    /// The server's HTTP is malformed.
    Http(HttpError),
    /// A response does not fit its receive buffer.
    ResponseTooLarge {
        /// Which buffer: `"rx_requests"` or `"rx_events"` ([`HttpDriver`]), `"buffer"`
        /// ([`HttpSingleDriver`](super::HttpSingleDriver)).
        buffer: &'static str,
        /// Its size.
        capacity: usize,
    },
    /// A POST was answered with a status other than 200 (with an empty body).
    Status(u16),
    /// The reply is not valid Janus JSON.
    Decode(DecodeError),
    /// The client refused the command (no session, unknown handle, full table, buffer too
    /// small…).
    Client(ClientError),
    /// Janus answered the request with an `error`.
    Janus {
        /// `error.code`.
        code: u64,
    },
    /// The answer was not the kind the call expected (e.g. no `data.id` in a `success`).
    UnexpectedReply,
    /// The answer to the request could not be read as its kind (a member missing or of the
    /// wrong type): the request failed. Unsolicited messages that cannot be read never fail a
    /// call: they are handed on as [`Output::Malformed`].
    MalformedReply,
    /// The request was not answered in time or was abandoned; see the client's events.
    NoReply,
}

impl<E: fmt::Debug> fmt::Display for DriverError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport error: {e:?}"),
            Self::Closed => f.write_str("connection closed"),
            Self::Http(e) => write!(f, "HTTP error: {e}"),
            Self::ResponseTooLarge { buffer, capacity } => {
                write!(f, "response larger than {buffer} ({capacity} bytes)")
            }
            Self::Status(s) => write!(f, "HTTP status {s}"),
            Self::Decode(e) => write!(f, "undecodable reply: {e}"),
            Self::Client(e) => write!(f, "{e}"),
            Self::Janus { code } => write!(f, "Janus error {code}"),
            Self::UnexpectedReply => f.write_str("unexpected reply"),
            Self::MalformedReply => f.write_str("malformed reply"),
            Self::NoReply => f.write_str("no reply"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for DriverError<E> {}

impl<E> From<ClientError> for DriverError<E> {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

impl<E> From<DecodeError> for DriverError<E> {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

/// One connection's receive state.
#[derive(Debug)]
pub(super) struct Receiver<'b> {
    pub(super) buf: &'b mut [u8],
    pub(super) filled: usize,
    /// The server closed this connection.
    pub(super) eof: bool,
    pub(super) name: &'static str,
    /// How far the response being received has been read.
    pub(super) reader: ResponseReader,
}

impl<'b> Receiver<'b> {
    pub(super) const fn new(buf: &'b mut [u8], name: &'static str) -> Self {
        Self { buf, filled: 0, eof: false, name, reader: ResponseReader::new() }
    }
}

/// A parsed response: status, body range in the receive buffer, and whether the connection
/// is finished afterwards.
type Parsed = (u16, usize, usize, bool);

impl Receiver<'_> {
    /// Reads until one complete response is buffered. Blocking.
    pub(super) fn read_response<S: Read>(&mut self, stream: &mut S) -> Result<Parsed, DriverError<S::Error>> {
        loop {
            if let Some(parsed) = self.try_parse(self.eof)? {
                return Ok(parsed);
            }
            if self.eof {
                return Err(DriverError::Closed);
            }
            self.fill(stream)?;
        }
    }

    /// Reads once from the stream (blocking until some bytes come, or the end).
    fn fill<S: Read>(&mut self, stream: &mut S) -> Result<(), DriverError<S::Error>> {
        let Some(space) = self.buf.get_mut(self.filled..).filter(|s| !s.is_empty()) else {
            return Err(DriverError::ResponseTooLarge { buffer: self.name, capacity: self.buf.len() });
        };
        match stream.read(space).map_err(DriverError::Transport)? {
            0 => self.eof = true,
            n => self.filled = self.filled.saturating_add(n),
        }
        Ok(())
    }

    fn try_parse<E>(&mut self, eof: bool) -> Result<Option<Parsed>, DriverError<E>> {
        let filled = self.filled;
        let data = self.buf.get_mut(..filled).unwrap_or_default();
        match self.reader.read(data, eof) {
            Ok(None) => Ok(None),
            Ok(Some(r)) => {
                let start = r.body_start;
                let end = start.saturating_add(r.body.len());
                // Bytes beyond the response were never asked for: treat the connection as done.
                Ok(Some((r.status, start, end, r.connection_close || eof || r.consumed != filled)))
            }
            Err(HttpError::Truncated) => Err(DriverError::Closed),
            Err(e) => Err(DriverError::Http(e)),
        }
    }

    /// Forgets the response that was handled.
    pub(super) fn clear(&mut self) {
        self.filled = 0;
        self.reader = ResponseReader::new();
    }

    /// A fresh connection.
    pub(super) fn reset(&mut self) {
        self.clear();
        self.eof = false;
    }
}

/// Writes head and body of `t` (whose body is at `tx[HEAD_ROOM..]`) on `stream`. A long poll
/// has no body: its head, which carries the credentials, may fill the whole of `tx`.
pub(super) fn send_request<S: Write>(
    tx: &mut [u8],
    endpoint: &HttpEndpoint<'_>,
    t: &Transmit,
    auth: &Auth<'_>,
    stream: &mut S,
) -> Result<(), DriverError<S::Error>> {
    let too_small = |e| DriverError::Client(ClientError::Encode(e));
    let room = if matches!(t.route, Route::LongPoll { .. }) { tx.len() } else { HEAD_ROOM };
    let (head, body) = tx
        .split_at_mut_checked(room)
        .ok_or(too_small(crate::EncodeError::BufferTooSmall { needed: HEAD_ROOM, available: 0 }))?;
    let n = write_request_head(head, endpoint.host, endpoint.base, &t.route, auth, t.len).map_err(too_small)?;
    write_all(stream, head.get(..n).unwrap_or_default())?;
    write_all(stream, body.get(..t.len).unwrap_or_default())
}

fn write_all<S: Write>(stream: &mut S, mut bytes: &[u8]) -> Result<(), DriverError<S::Error>> {
    while !bytes.is_empty() {
        match stream.write(bytes).map_err(DriverError::Transport)? {
            0 => return Err(DriverError::Closed),
            n => bytes = bytes.get(n..).unwrap_or_default(),
        }
    }
    stream.flush().map_err(DriverError::Transport)
}

/// A Janus session over HTTP on two embedded-io streams. See the [module docs](super).
#[derive(Debug)]
pub struct HttpDriver<'b, S, K, const HANDLES: usize = 8, const PENDING: usize = 16, const EVENTS: usize = 24> {
    client: Client<HANDLES, PENDING, EVENTS>,
    requests: S,
    events: S,
    clock: K,
    endpoint: HttpEndpoint<'b>,
    tx: &'b mut [u8],
    rx_requests: Receiver<'b>,
    rx_events: Receiver<'b>,
    /// A long-poll GET has been written on `events` and not yet answered.
    poll_sent: bool,
}

/// Room kept at the front of `tx` for the head of a POST (which carries ids, never
/// credentials: those are in the body). A long poll's head may use the whole buffer.
pub(super) const HEAD_ROOM: usize = 256;

/// Sets the client's credentials if the longest long-poll head they make (the session id at
/// its longest) fits in a buffer of `room` bytes.
pub(super) fn set_credentials<const HANDLES: usize, const PENDING: usize, const EVENTS: usize>(
    client: &mut Client<HANDLES, PENDING, EVENTS>,
    endpoint: &HttpEndpoint<'_>,
    room: usize,
    apisecret: Option<&str>,
    token: Option<&str>,
) -> Result<(), ClientError> {
    let maxev = match client.config().transport {
        crate::client::Transport::Http { maxev } => maxev,
        crate::client::Transport::WebSocket => u8::MAX,
    };
    let longest = Route::LongPoll { session: SessionId(u64::MAX), maxev };
    let needed = request_head_len(endpoint.host, endpoint.base, &longest, &Auth { apisecret, token }, 0);
    if needed > room {
        return Err(ClientError::Encode(crate::EncodeError::BufferTooSmall { needed, available: room }));
    }
    client.set_credentials(apisecret, token)
}

impl<'b, S, K, const HANDLES: usize, const PENDING: usize, const EVENTS: usize>
    HttpDriver<'b, S, K, HANDLES, PENDING, EVENTS>
where
    S: Read + Write,
    K: Clock,
{
    /// A driver for `client` over `requests` (POSTs) and `events` (the long poll), two
    /// connections to the same Janus.
    pub fn new(
        client: Client<HANDLES, PENDING, EVENTS>,
        requests: S,
        events: S,
        clock: K,
        endpoint: HttpEndpoint<'b>,
        buffers: Buffers<'b>,
    ) -> Self {
        Self {
            client,
            requests,
            events,
            clock,
            endpoint,
            tx: buffers.tx,
            rx_requests: Receiver::new(buffers.rx_requests, "rx_requests"),
            rx_events: Receiver::new(buffers.rx_events, "rx_events"),
            poll_sent: false,
        }
    }

    /// The state machine, for its state and events.
    pub fn client(&mut self) -> &mut Client<HANDLES, PENDING, EVENTS> {
        &mut self.client
    }

    /// Sets the `apisecret` and `token` of every request and of the long poll, whose query
    /// carries them percent-encoded (up to three bytes for each of theirs, so two credentials
    /// of [`MAX_CREDENTIAL_LEN`](crate::client::MAX_CREDENTIAL_LEN) bytes make a head of about
    /// 900 bytes). Checked now: the long poll's head must fit in `tx`. (Credentials set on the
    /// client before [`new`](Self::new) are only checked by the first long poll.)
    ///
    /// # Errors
    ///
    /// [`DriverError::Client`] with [`ClientError::CredentialTooLong`], or with
    /// [`EncodeError::BufferTooSmall`](crate::EncodeError::BufferTooSmall) saying how large
    /// `tx` must be; the credentials are then unchanged.
    pub fn set_credentials(
        &mut self,
        apisecret: Option<&str>,
        token: Option<&str>,
    ) -> Result<(), DriverError<S::Error>> {
        set_credentials(&mut self.client, &self.endpoint, self.tx.len(), apisecret, token).map_err(DriverError::Client)
    }

    /// New connections after [`DriverError::Closed`] (Janus closes idle ones after 120 s).
    /// Whatever was half-received is dropped; an outstanding long poll is sent again.
    pub fn replace_streams(&mut self, requests: S, events: S) {
        self.requests = requests;
        self.events = events;
        self.rx_requests.reset();
        self.rx_events.reset();
        if self.poll_sent {
            self.poll_sent = false;
            let now = self.clock.now();
            self.client.long_poll_failed(now);
        }
    }

    /// Gives the streams back.
    pub fn into_parts(self) -> (Client<HANDLES, PENDING, EVENTS>, S, S) {
        (self.client, self.requests, self.events)
    }

    /// Runs a client command, POSTs what it wrote, reads the response, and hands every
    /// resulting [`Output`] to `on_output`. Returns the request's id.
    ///
    /// # Errors
    ///
    /// [`DriverError`]: the command was refused, or the exchange failed.
    pub fn call(
        &mut self,
        command: impl FnOnce(&mut Client<HANDLES, PENDING, EVENTS>, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
        mut on_output: impl FnMut(Output<'_>),
    ) -> Result<RequestId, DriverError<S::Error>> {
        flow::call(self, command, &mut on_output)
    }

    /// POSTs the request `t` (written at `tx[HEAD_ROOM..]`) and handles its response.
    fn transfer_request(
        &mut self,
        t: Transmit,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<RequestId, DriverError<S::Error>> {
        let request = t.request.ok_or(DriverError::UnexpectedReply)?;
        send_request(self.tx, &self.endpoint, &t, &Auth::none(), &mut self.requests)?;
        let (status, start, end, close) = self.rx_requests.read_response(&mut self.requests)?;
        let result = if status == 200 {
            let body = self.rx_requests.buf.get(start..end).unwrap_or_default();
            let now = self.clock.now();
            handle_body(&mut self.client, now, body, on_output).map(|()| request)
        } else {
            Err(DriverError::Status(status))
        };
        self.rx_requests.clear();
        if close {
            return result.and(Err(DriverError::Closed));
        }
        result
    }

    /// Sends the long poll if none is out, then blocks until it is answered, expires timed
    /// out requests, and hands every [`Output`] to `on_output` (queued
    /// [`Event`](crate::client::Event)s are left in the client for
    /// [`Client::poll_event`]).
    ///
    /// # Errors
    ///
    /// [`DriverError`] when the exchange fails; the long poll is then sent again by the next
    /// call.
    pub fn poll_events(&mut self, mut on_output: impl FnMut(Output<'_>)) -> Result<(), DriverError<S::Error>> {
        self.send_long_poll()?;
        if !self.poll_sent {
            return Ok(());
        }
        let read = self.rx_events.read_response(&mut self.events);
        self.finish_long_poll(read, &mut on_output)
    }

    /// One non-blocking step for super-loops: sends the long poll if needed, reads what the
    /// events connection has ready, and handles a complete answer. Returns
    /// `Err(nb::Error::WouldBlock)` while the answer is incomplete. Also expires timed-out
    /// requests.
    ///
    /// # Errors
    ///
    /// `nb::Error::Other` with a [`DriverError`] when the exchange fails.
    pub fn step(&mut self, mut on_output: impl FnMut(Output<'_>)) -> nb::Result<(), DriverError<S::Error>>
    where
        S: ReadReady,
    {
        let now = self.clock.now();
        self.client.handle_timeout(now);
        self.send_long_poll().map_err(nb::Error::Other)?;
        if !self.poll_sent {
            return Ok(());
        }
        while self.events.read_ready().map_err(|e| nb::Error::Other(DriverError::Transport(e)))? {
            self.rx_events.fill(&mut self.events).map_err(nb::Error::Other)?;
            let eof = self.rx_events.eof;
            match self.rx_events.try_parse(eof) {
                Ok(Some(parsed)) => {
                    return self.finish_long_poll(Ok(parsed), &mut on_output).map_err(nb::Error::Other);
                }
                Ok(None) if eof => {
                    return self.finish_long_poll(Err(DriverError::Closed), &mut on_output).map_err(nb::Error::Other);
                }
                Ok(None) => {}
                Err(e) => {
                    return self.finish_long_poll(Err(e), &mut on_output).map_err(nb::Error::Other);
                }
            }
        }
        Err(nb::Error::WouldBlock)
    }

    fn send_long_poll(&mut self) -> Result<(), DriverError<S::Error>> {
        let now = self.clock.now();
        self.client.handle_timeout(now);
        if self.poll_sent {
            return Ok(());
        }
        let body = self.tx.get_mut(HEAD_ROOM..).unwrap_or_default();
        let Some(t) = self.client.poll_transmit(now, body)? else {
            return Ok(());
        };
        if !matches!(t.route, Route::LongPoll { .. }) {
            // An HTTP client only ever asks for long polls by itself.
            return Err(DriverError::UnexpectedReply);
        }
        send_request(self.tx, &self.endpoint, &t, &self.client.auth(), &mut self.events)?;
        self.poll_sent = true;
        Ok(())
    }

    fn finish_long_poll(
        &mut self,
        read: Result<Parsed, DriverError<S::Error>>,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<(), DriverError<S::Error>> {
        self.poll_sent = false;
        let now = self.clock.now();
        let (status, start, end, close) = match read {
            Ok(parsed) => parsed,
            Err(e) => {
                self.rx_events.clear();
                self.client.long_poll_failed(now);
                return Err(e);
            }
        };
        self.client.long_poll_answered(now, status);
        let result = if status == 200 {
            let body = self.rx_events.buf.get(start..end).unwrap_or_default();
            handle_body(&mut self.client, now, body, on_output)
        } else {
            Ok(())
        };
        self.rx_events.clear();
        if close {
            return Err(DriverError::Closed);
        }
        result
    }

    // ----- conveniences for the common flow --------------------------------------------

    /// Creates the session and returns its id.
    ///
    /// # Errors
    ///
    /// [`DriverError::Janus`] with the error code if Janus refuses; other [`DriverError`]s.
    pub fn create_session(&mut self) -> Result<SessionId, DriverError<S::Error>> {
        flow::expect_id(self, |c, now, out| c.create_session(now, out)).map(SessionId)
    }

    /// Attaches to `plugin` and returns the handle.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn attach(&mut self, plugin: &str) -> Result<HandleId, DriverError<S::Error>> {
        flow::expect_id(self, |c, now, out| c.attach(now, out, plugin, None)).map(HandleId)
    }

    /// Detaches `handle`.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn detach(&mut self, handle: HandleId) -> Result<(), DriverError<S::Error>> {
        flow::expect_success(self, |c, now, out| c.detach(now, out, handle))
    }

    /// Destroys the session.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn destroy_session(&mut self) -> Result<(), DriverError<S::Error>> {
        flow::expect_success(self, |c, now, out| c.destroy_session(now, out))
    }

    /// Sends a `keepalive` for the session and waits for its `ack`.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn keepalive(&mut self) -> Result<(), DriverError<S::Error>> {
        flow::expect_success(self, |c, now, out| c.keepalive(now, out))
    }

    /// Sends a `message` and waits (long-polling, handing other outputs to `on_output`) for
    /// the plugin's answer, which `on_reply` receives.
    ///
    /// # Errors
    ///
    /// [`DriverError::Janus`] for a core error reply; [`DriverError::NoReply`] if the request
    /// timed out or was abandoned; other [`DriverError`]s.
    pub fn message<B: ?Sized + Serialize, J: ?Sized + Serialize>(
        &mut self,
        handle: HandleId,
        body: &B,
        jsep: Option<&J>,
        mut on_reply: impl FnMut(Message<'_>),
        mut on_output: impl FnMut(Output<'_>),
    ) -> Result<(), DriverError<S::Error>> {
        flow::message(self, handle, body, jsep, &mut on_reply, &mut on_output)
    }
}

impl<S, K, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> Exchange<HANDLES, PENDING, EVENTS>
    for HttpDriver<'_, S, K, HANDLES, PENDING, EVENTS>
where
    S: Read + Write,
    K: Clock,
{
    type Error = S::Error;

    fn command_parts(&mut self) -> (&mut Client<HANDLES, PENDING, EVENTS>, Instant, &mut [u8]) {
        let now = self.clock.now();
        (&mut self.client, now, self.tx.get_mut(HEAD_ROOM..).unwrap_or_default())
    }

    fn transfer(
        &mut self,
        transmit: Transmit,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<RequestId, DriverError<S::Error>> {
        self.transfer_request(transmit, on_output)
    }

    fn wait_for_events(&mut self, on_output: &mut dyn FnMut(Output<'_>)) -> Result<(), DriverError<S::Error>> {
        self.poll_events(on_output)
    }

    fn state(&self) -> &Client<HANDLES, PENDING, EVENTS> {
        &self.client
    }
}

/// Feeds a received body (a POST response or a long-poll answer) to the client; a message that
/// cannot be read as its kind is an [`Output::Malformed`] or [`Output::MalformedReply`] and
/// does not hide the others. Only a body that is not JSON at all is an error.
pub(super) fn handle_body<const HANDLES: usize, const PENDING: usize, const EVENTS: usize, E>(
    client: &mut Client<HANDLES, PENDING, EVENTS>,
    now: Instant,
    body: &[u8],
    on_output: &mut dyn FnMut(Output<'_>),
) -> Result<(), DriverError<E>> {
    let mut result = Ok(());
    for output in client.handle_input(now, body)? {
        match output {
            Ok(output) => on_output(output),
            Err(e) => result = Err(DriverError::Decode(e)),
        }
    }
    result
}
