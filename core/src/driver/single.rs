//! Janus's HTTP transport over a single connection.

use embedded_io::{Read, Write};

use super::HttpEndpoint;
use super::http::{HEAD_ROOM, HttpLinkError, Receiver, fits_long_poll, send_request};
use super::link::{Link, Received};
use crate::client::{RequestKind, Transmit};
use crate::error::EncodeError;
use crate::http::Route;
use crate::request::Auth;
use crate::time::Instant;

/// Janus's HTTP transport on **one** `embedded-io` stream and **one** buffer, for a
/// [`Driver`](super::Driver): for links that carry a single byte stream, such as a UART
/// bridged to TCP or a modem with one socket.
///
/// Everything is strictly serialized on the one keep-alive connection: a request is written
/// into the buffer and sent (`POST <base>[/<session>[/<handle>]]`), then its response is read
/// back into the same buffer; the session's long poll (`GET <base>/<session>?maxev=N`) is
/// sent only when the driver waits for events (a [`call`](super::Driver::call) whose answer
/// is an event, or [`poll`](super::Driver::poll)), and its answer is read at once: Janus
/// answers it with queued events at once, otherwise with the first event or, after 30 s of
/// silence, a `keepalive`. No long poll is ever outstanding when a call returns, so a POST
/// never waits behind one and the two responses can never be confused. The cost: events are
/// only fetched while the driver waits for them, and Janus only keeps a session alive while it
/// hears from it, so poll or send a keepalive at least every `session_timeout` (60 s by
/// default).
///
/// The buffer must hold the largest request plus 256 bytes for its head, the long poll's head
/// (about 100 bytes, plus three for each byte of the credentials, which its query carries:
/// [`Driver::set_credentials`](super::Driver::set_credentials) checks), and the largest
/// response with its HTTP head (the firmware example runs its echotest session in 2 KiB;
/// Janus's `server_info` needs about 4 KiB, SDP-bearing events several KiB). A response that
/// does not fit is [`HttpLinkError::ResponseTooLarge`].
#[derive(Debug)]
pub struct HttpSingleLink<'b, S> {
    stream: S,
    endpoint: HttpEndpoint<'b>,
    /// The one buffer: each request is written into it and its response read back into it.
    buffer: Receiver<'b>,
    /// What was read and not yet received: `(status, body start, body end)` and whether it
    /// answers the long poll.
    ready: Option<(u16, usize, usize, bool)>,
}

impl<'b, S: Read + Write> HttpSingleLink<'b, S> {
    /// A link over `stream`, one keep-alive connection to the Janus at `endpoint`, with
    /// `buffer` for every request and response.
    pub fn new(stream: S, endpoint: HttpEndpoint<'b>, buffer: &'b mut [u8]) -> Self {
        Self { stream, endpoint, buffer: Receiver::new(buffer), ready: None }
    }

    /// The stream, e.g. to reconfigure it.
    pub fn stream(&mut self) -> &mut S {
        &mut self.stream
    }

    /// A new connection after [`HttpLinkError::Closed`] (Janus closes idle ones after 120 s);
    /// the old one is returned. Whatever was half-received is dropped.
    pub fn replace_stream(&mut self, stream: S) -> S {
        self.buffer.reset();
        self.ready = None;
        core::mem::replace(&mut self.stream, stream)
    }

    /// The stream.
    pub fn into_stream(self) -> S {
        self.stream
    }

    /// Sends what `route` and the buffer hold and reads the response into the buffer.
    fn exchange(&mut self, route: &Route, len: usize, auth: &Auth<'_>) -> Result<(), HttpLinkError<S::Error>> {
        self.ready = None;
        // Forgets the last response (its bytes stay: the request is written over them).
        self.buffer.start()?;
        send_request(self.buffer.buf, &self.endpoint, route, len, auth, &mut self.stream)?;
        let (status, start, end) = self.buffer.read_response(&mut self.stream, "buffer")?;
        let long_poll = matches!(route, Route::LongPoll { .. });
        if status != 200 && !long_poll {
            return Err(HttpLinkError::Status(status));
        }
        self.ready = Some((status, start, end, long_poll));
        Ok(())
    }
}

impl<S: Read + Write> Link for HttpSingleLink<'_, S> {
    type Error = HttpLinkError<S::Error>;

    fn tx(&mut self) -> &mut [u8] {
        self.buffer.buf.get_mut(HEAD_ROOM..).unwrap_or_default()
    }

    fn send(&mut self, transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, Self::Error> {
        // Requests carry their credentials in the body.
        self.exchange(&transmit.route, transmit.len, &Auth::none()).map(|()| true)
    }

    fn start_long_poll(&mut self, route: &Route, auth: &Auth<'_>) -> Result<bool, Self::Error> {
        // Long polls carry them in the query.
        self.exchange(route, 0, auth).map(|()| true)
    }

    fn fits_long_poll(&self, route: &Route, auth: &Auth<'_>) -> Result<(), EncodeError> {
        fits_long_poll(&self.endpoint, self.buffer.buf.len(), route, auth)
    }

    fn receive(&mut self, _until: Instant) -> Result<Option<Received<'_>>, Self::Error> {
        // Nothing comes on one HTTP connection but the answer to what was sent.
        Ok(self.ready.take().map(|(status, start, end, long_poll)| {
            let body = self.buffer.body(start, end);
            if long_poll { Received::LongPoll { status, body } } else { Received::Response(body) }
        }))
    }
}
