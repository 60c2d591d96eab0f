//! Janus's HTTP transport over `embedded-io` streams: [`HttpLink`] (two connections) and what
//! both HTTP links share.

use core::fmt;

use embedded_io::{Read, ReadReady, Write};

use super::link::{Link, Received};
use crate::client::{RequestKind, Transmit};
use crate::error::EncodeError;
use crate::http::{HttpError, ResponseReader, Route, request_head_len, write_request_head};
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
    /// ([`Driver::set_credentials`](super::Driver::set_credentials) checks).
    pub tx: &'b mut [u8],
    /// Responses to requests are read here.
    pub rx_requests: &'b mut [u8],
    /// Long-poll responses are read here.
    pub rx_events: &'b mut [u8],
}

/// Why an HTTP link over `embedded-io` streams ([`HttpLink`], [`HttpSingleLink`](super::HttpSingleLink)) failed: the
/// [`Link::Error`] of both, which a [`Driver`](super::Driver) call returns as
/// [`CallError::Link`](super::CallError::Link).
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpLinkError<E> {
    /// The stream failed.
    Transport(E),
    /// The stream ended (read or write returned 0), or the server closed it after its last
    /// response: put a new connection in with [`HttpLink::replace_streams`] or
    /// [`HttpSingleLink::replace_stream`](super::HttpSingleLink::replace_stream) (through
    /// [`Driver::reconnect_link`](super::Driver::reconnect_link)).
    Closed,
    /// The server's HTTP is malformed.
    Http(HttpError),
    /// A response does not fit its receive buffer.
    ResponseTooLarge {
        /// Which buffer: `"rx_requests"` or `"rx_events"` ([`HttpLink`]), `"buffer"`
        /// ([`HttpSingleLink`](super::HttpSingleLink)).
        buffer: &'static str,
        /// Its size.
        capacity: usize,
    },
    /// A POST was answered with a status other than 200 (with an empty body).
    Status(u16),
    /// A request does not fit the buffer it is written into (its head, or a long poll's head
    /// with the credentials).
    Encode(EncodeError),
}

impl<E: fmt::Debug> fmt::Display for HttpLinkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport error: {e:?}"),
            Self::Closed => f.write_str("connection closed"),
            Self::Http(e) => write!(f, "HTTP error: {e}"),
            Self::ResponseTooLarge { buffer, capacity } => {
                write!(f, "response larger than {buffer} ({capacity} bytes)")
            }
            Self::Status(s) => write!(f, "HTTP status {s}"),
            Self::Encode(e) => write!(f, "{e}"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for HttpLinkError<E> {}

/// One connection's receive state.
#[derive(Debug)]
pub(super) struct Receiver<'b> {
    pub(super) buf: &'b mut [u8],
    pub(super) filled: usize,
    /// The server closed this connection.
    pub(super) eof: bool,
    /// The connection is finished (closed by the server, or a response came with
    /// `Connection: close` or with bytes after it): nothing more is sent on it.
    pub(super) done: bool,
    /// How far the response being received has been read.
    pub(super) reader: ResponseReader,
}

impl<'b> Receiver<'b> {
    pub(super) const fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, filled: 0, eof: false, done: false, reader: ResponseReader::new() }
    }
}

/// A parsed response: status and body range in the receive buffer.
type Parsed = (u16, usize, usize);

impl Receiver<'_> {
    /// Reads until one complete response is buffered. Blocking. `name` is the buffer's, for
    /// [`HttpLinkError::ResponseTooLarge`].
    pub(super) fn read_response<S: Read>(
        &mut self,
        stream: &mut S,
        name: &'static str,
    ) -> Result<Parsed, HttpLinkError<S::Error>> {
        loop {
            if let Some(parsed) = self.try_parse(self.eof)? {
                return Ok(parsed);
            }
            if self.eof {
                return Err(HttpLinkError::Closed);
            }
            self.fill(stream, name)?;
        }
    }

    /// Reads once from the stream (blocking until some bytes come, or the end).
    fn fill<S: Read>(&mut self, stream: &mut S, name: &'static str) -> Result<(), HttpLinkError<S::Error>> {
        let Some(space) = self.buf.get_mut(self.filled..).filter(|s| !s.is_empty()) else {
            return Err(HttpLinkError::ResponseTooLarge { buffer: name, capacity: self.buf.len() });
        };
        match stream.read(space).map_err(HttpLinkError::Transport)? {
            0 => self.eof = true,
            n => self.filled = self.filled.saturating_add(n),
        }
        Ok(())
    }

    /// The response in the buffer, once it is whole; notes whether the connection is finished
    /// after it.
    fn try_parse<E>(&mut self, eof: bool) -> Result<Option<Parsed>, HttpLinkError<E>> {
        let filled = self.filled;
        let data = self.buf.get_mut(..filled).unwrap_or_default();
        match self.reader.read(data, eof) {
            Ok(None) => Ok(None),
            Ok(Some(r)) => {
                let start = r.body_start;
                let end = start.saturating_add(r.body.len());
                // Bytes beyond the response were never asked for: treat the connection as done.
                self.done |= r.connection_close || eof || r.consumed != filled;
                Ok(Some((r.status, start, end)))
            }
            Err(HttpError::Truncated) => Err(HttpLinkError::Closed),
            Err(e) => Err(HttpLinkError::Http(e)),
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
        self.done = false;
    }

    /// Ready to receive a new response on this connection: [`HttpLinkError::Closed`] when it
    /// is finished.
    pub(super) fn start<E>(&mut self) -> Result<(), HttpLinkError<E>> {
        if self.done {
            return Err(HttpLinkError::Closed);
        }
        self.clear();
        Ok(())
    }

    /// The body of a parsed response.
    pub(super) fn body(&self, start: usize, end: usize) -> &[u8] {
        self.buf.get(start..end).unwrap_or_default()
    }
}

/// Writes the head for `route` and the `len` bytes of body at `tx[HEAD_ROOM..]` on `stream`.
/// A long poll has no body: its head, which carries the credentials, may fill the whole of
/// `tx`.
pub(super) fn send_request<S: Write>(
    tx: &mut [u8],
    endpoint: &HttpEndpoint<'_>,
    route: &Route,
    len: usize,
    auth: &Auth<'_>,
    stream: &mut S,
) -> Result<(), HttpLinkError<S::Error>> {
    let room = if matches!(route, Route::LongPoll { .. }) { tx.len() } else { HEAD_ROOM };
    let (head, body) = tx
        .split_at_mut_checked(room)
        .ok_or(HttpLinkError::Encode(EncodeError::BufferTooSmall { needed: HEAD_ROOM, available: 0 }))?;
    let n = write_request_head(head, endpoint.host, endpoint.base, route, auth, len).map_err(HttpLinkError::Encode)?;
    write_all(stream, head.get(..n).unwrap_or_default())?;
    write_all(stream, body.get(..len).unwrap_or_default())
}

/// Whether the head of a long poll to `route` carrying `auth` fits in `room` bytes.
pub(super) fn fits_long_poll(
    endpoint: &HttpEndpoint<'_>,
    room: usize,
    route: &Route,
    auth: &Auth<'_>,
) -> Result<(), EncodeError> {
    let needed = request_head_len(endpoint.host, endpoint.base, route, auth, 0);
    if needed > room {
        return Err(EncodeError::BufferTooSmall { needed, available: room });
    }
    Ok(())
}

fn write_all<S: Write>(stream: &mut S, mut bytes: &[u8]) -> Result<(), HttpLinkError<S::Error>> {
    while !bytes.is_empty() {
        match stream.write(bytes).map_err(HttpLinkError::Transport)? {
            0 => return Err(HttpLinkError::Closed),
            n => bytes = bytes.get(n..).unwrap_or_default(),
        }
    }
    stream.flush().map_err(HttpLinkError::Transport)
}

/// Janus's HTTP transport on two `embedded-io` streams, for a [`Driver`](super::Driver): one
/// keep-alive connection for requests (POSTs), one for the session's long poll, so a request
/// can be sent while the long poll waits. Its blocking [`receive`](Link::receive) is what a
/// firmware main loop with an RTOS or a desktop thread uses;
/// [`Driver::step`](super::Driver::step) is the one non-blocking entry point ([`nb`]) for
/// super-loops, with streams that say when they have bytes ([`ReadReady`]).
///
/// ```
/// use embedded_io::{Read, Write};
/// use janus_signal::client::{Client, Config};
/// use janus_signal::driver::{Buffers, CallError, Driver, HttpEndpoint, HttpLink, HttpLinkError};
/// use janus_signal::message::Message;
/// use janus_signal::Instant;
///
/// /// An echotest session over two connections to Janus.
/// fn echotest<S: Read + Write>(
///     requests: S,
///     events: S,
///     clock: fn() -> Instant,
/// ) -> Result<(), CallError<HttpLinkError<S::Error>>> {
///     let (mut tx, mut rx_requests, mut rx_events) = ([0u8; 2048], [0u8; 8192], [0u8; 8192]);
///     let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_requests, rx_events: &mut rx_events };
///     let endpoint = HttpEndpoint { host: "127.0.0.1:8088", base: "/janus" };
///     let link = HttpLink::new(requests, events, endpoint, buffers);
///     let mut driver: Driver<_, _> = Driver::new(Client::new(Config::http(), 7), link, clock);
///     // What arrives besides the answers goes to a sink: `()` drops it.
///     driver.create_session(&mut ())?;
///     let handle = driver.attach("janus.plugin.echotest", &mut ())?;
///     let body = serde_json::json!({ "audio": true });
///     let ok = driver.message::<_, (), _>(handle, &body, None, &mut (), |answer| match answer {
///         Message::Event(e) => e.plugin_data.and_then(|p| p.data.get("result")?.as_str()).is_some_and(|r| r == "ok"),
///         _ => false,
///     })?;
///     assert!(ok);
///     driver.destroy_session(&mut ())
/// }
/// ```
#[derive(Debug)]
pub struct HttpLink<'b, S> {
    requests: S,
    events: S,
    endpoint: HttpEndpoint<'b>,
    tx: &'b mut [u8],
    rx_requests: Receiver<'b>,
    rx_events: Receiver<'b>,
    /// The body of a POST's response, read and not yet received.
    response: Option<(usize, usize)>,
    /// A long-poll GET has been written on `events` and its answer not yet received.
    poll_out: bool,
    /// The long poll's answer, read by [`fill_ready`](Self::fill_ready) and not yet received.
    poll_answer: Option<Parsed>,
}

/// Room kept at the front of `tx` for the head of a POST (which carries ids, never
/// credentials: those are in the body). A long poll's head may use the whole buffer.
pub(super) const HEAD_ROOM: usize = 256;

impl<'b, S: Read + Write> HttpLink<'b, S> {
    /// A link over `requests` (POSTs) and `events` (the long poll), two connections to the
    /// Janus at `endpoint`.
    pub fn new(requests: S, events: S, endpoint: HttpEndpoint<'b>, buffers: Buffers<'b>) -> Self {
        Self {
            requests,
            events,
            endpoint,
            tx: buffers.tx,
            rx_requests: Receiver::new(buffers.rx_requests),
            rx_events: Receiver::new(buffers.rx_events),
            response: None,
            poll_out: false,
            poll_answer: None,
        }
    }

    /// New connections after [`HttpLinkError::Closed`] (Janus closes idle ones after 120 s).
    /// Whatever was half-received is dropped; call it through
    /// [`Driver::reconnect_link`](super::Driver::reconnect_link), which sends the lost long
    /// poll again.
    pub fn replace_streams(&mut self, requests: S, events: S) {
        self.requests = requests;
        self.events = events;
        self.rx_requests.reset();
        self.rx_events.reset();
        self.response = None;
        self.poll_out = false;
        self.poll_answer = None;
    }

    /// The two streams.
    pub fn into_streams(self) -> (S, S) {
        (self.requests, self.events)
    }

    /// Whether a long poll is out and not received yet.
    pub(super) const fn long_poll_out(&self) -> bool {
        self.poll_out
    }
}

impl<S: Read + Write + ReadReady> HttpLink<'_, S> {
    /// Reads what the events connection has ready without blocking; returns whether the long
    /// poll's answer is complete (the next [`receive`](Link::receive) returns it at once).
    ///
    /// # Errors
    ///
    /// The stream's, or the answer's; the long poll is then lost.
    pub(super) fn fill_ready(&mut self) -> Result<bool, HttpLinkError<S::Error>> {
        if self.poll_answer.is_some() {
            return Ok(true);
        }
        let failed = |link: &mut Self, e| {
            link.poll_out = false;
            Err(e)
        };
        while self.poll_out {
            match self.events.read_ready() {
                Ok(true) => {}
                Ok(false) => return Ok(false),
                Err(e) => return failed(self, HttpLinkError::Transport(e)),
            }
            if let Err(e) = self.rx_events.fill(&mut self.events, "rx_events") {
                return failed(self, e);
            }
            let eof = self.rx_events.eof;
            match self.rx_events.try_parse(eof) {
                Ok(Some(parsed)) => {
                    self.poll_answer = Some(parsed);
                    return Ok(true);
                }
                Ok(None) if eof => return failed(self, HttpLinkError::Closed),
                Ok(None) => {}
                Err(e) => return failed(self, e),
            }
        }
        Ok(false)
    }
}

impl<S: Read + Write> Link for HttpLink<'_, S> {
    type Error = HttpLinkError<S::Error>;

    fn tx(&mut self) -> &mut [u8] {
        self.tx.get_mut(HEAD_ROOM..).unwrap_or_default()
    }

    fn send(&mut self, transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, Self::Error> {
        self.response = None;
        self.rx_requests.start()?;
        send_request(self.tx, &self.endpoint, &transmit.route, transmit.len, &Auth::none(), &mut self.requests)?;
        let (status, start, end) = self.rx_requests.read_response(&mut self.requests, "rx_requests")?;
        if status != 200 {
            return Err(HttpLinkError::Status(status));
        }
        self.response = Some((start, end));
        Ok(true)
    }

    fn start_long_poll(&mut self, route: &Route, auth: &Auth<'_>) -> Result<bool, Self::Error> {
        self.rx_events.start()?;
        self.poll_answer = None;
        send_request(self.tx, &self.endpoint, route, 0, auth, &mut self.events)?;
        self.poll_out = true;
        Ok(false)
    }

    fn fits_long_poll(&self, route: &Route, auth: &Auth<'_>) -> Result<(), EncodeError> {
        fits_long_poll(&self.endpoint, self.tx.len(), route, auth)
    }

    fn receive(&mut self, _until: Instant) -> Result<Option<Received<'_>>, Self::Error> {
        if let Some((start, end)) = self.response.take() {
            return Ok(Some(Received::Response(self.rx_requests.body(start, end))));
        }
        if !self.poll_out {
            return Ok(None);
        }
        // embedded-io has no deadline: the long poll's answer is waited for (Janus answers
        // an idle one after 30 s).
        self.poll_out = false;
        let (status, start, end) = match self.poll_answer.take() {
            Some(parsed) => parsed,
            None => self.rx_events.read_response(&mut self.events, "rx_events")?,
        };
        Ok(Some(Received::LongPoll { status, body: self.rx_events.body(start, end) }))
    }
}
