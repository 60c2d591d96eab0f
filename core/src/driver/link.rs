//! The two halves [`Driver`](super::Driver) is generic over: the [`Link`] that carries bytes,
//! and the [`Sink`] that takes what no call waits for.

use crate::client::{Event, Output, RequestKind, Transmit};
use crate::error::{DecodeError, EncodeError};
use crate::http::Route;
use crate::request::Auth;
use crate::time::Instant;

/// What carries a session's requests out and its bodies in: Janus's HTTP transport (a POST
/// per request, the long poll for events) or a message socket (WebSocket: whole JSON
/// messages both ways). Implement it over whatever the platform has; the
/// [`Driver`](super::Driver) does the rest (correlation, the long poll's start, answer and
/// failure, keepalives, timeouts, answers to errors).
///
/// Blocking is the link's business: [`receive`](Self::receive) waits at most until the time
/// it is given, as far as the platform can tell time (a link that cannot may return
/// `Ok(None)` at once, and the driver calls it again).
pub trait Link {
    /// What goes wrong on the wire.
    type Error;

    /// Where the next request's JSON is written: as much room as the link has for a request.
    fn tx(&mut self) -> &mut [u8];

    /// Makes [`tx`](Self::tx) hold at least `needed` bytes if the link can (one backed by a
    /// growable buffer, up to its limit): returns whether it did. The default cannot.
    fn grow_tx(&mut self, needed: usize) -> bool {
        let _ = needed;
        false
    }

    /// Sends the first `transmit.len` bytes of [`tx`](Self::tx), a request of `kind`, as one
    /// request: over HTTP a POST to `transmit.route`; over a message socket one message (the
    /// route unused). May block until `until`. Returns whether the request's response is
    /// ready (HTTP: the POST's response was read): the next [`receive`](Self::receive) then
    /// returns it as [`Received::Response`] without waiting.
    ///
    /// # Errors
    ///
    /// The link's own; the request may or may not have reached the server.
    fn send(&mut self, transmit: &Transmit, kind: RequestKind, until: Instant) -> Result<bool, Self::Error>;

    /// HTTP only (a message socket never gets it): sends the session's long poll to `route`
    /// with the credentials in its query. Its answer comes from [`receive`](Self::receive) as
    /// [`Received::LongPoll`]. Returns whether that answer is ready already (a link with one
    /// connection reads it at once, as nothing else can be sent meanwhile): the driver then
    /// sends nothing more before receiving it.
    ///
    /// # Errors
    ///
    /// The link's own; the driver then lets the client send a new one.
    fn start_long_poll(&mut self, route: &Route, auth: &Auth<'_>) -> Result<bool, Self::Error>;

    /// Whether a long poll to `route` carrying `auth` would fit the link's buffers (HTTP, whose
    /// long poll carries the credentials in its query); checked before credentials are set.
    /// The default (a message socket) has no long poll.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] saying how much room the head needs.
    fn fits_long_poll(&self, route: &Route, auth: &Auth<'_>) -> Result<(), EncodeError> {
        let _ = (route, auth);
        Ok(())
    }

    /// Whose long poll the answer that the next [`receive`](Self::receive) returns is, for a
    /// link that carries several at once (one per session of
    /// [`Sessions`](crate::client::Sessions)) and has that answer in hand before it is asked
    /// for. The default, `None`, is a link with one long poll at a time: the answer is the one
    /// out.
    fn long_poll_session(&self) -> Option<crate::ids::SessionId> {
        None
    }

    /// The next received body, waiting until `until` at most; `Ok(None)` when nothing came.
    /// A response [`send`](Self::send) said is ready comes first, at once.
    ///
    /// # Errors
    ///
    /// The link's own. While a long poll is out, an error means it is lost: the driver lets
    /// the client send a new one.
    fn receive(&mut self, until: Instant) -> Result<Option<Received<'_>>, Self::Error>;
}

/// A body a [`Link`] received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// The response to the request just sent (HTTP: the body of the POST's 200 response). It
    /// answers that request: a body that is not JSON fails it.
    Response(&'a [u8]),
    /// A message the server pushed (message socket).
    Message(&'a [u8]),
    /// The long poll's answer: its status and (when 200) its body, an object or an array.
    LongPoll {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: &'a [u8],
    },
}

/// Where the [`Driver`](super::Driver) puts what it receives: every [`Output`] of the client
/// (events of handles, replies to the client's own keepalives, messages that cannot be
/// read…, and also the answer a call takes), its queued [`Event`]s, and received bodies that
/// are not JSON at all.
///
/// A closure `FnMut(Output<'_>)` is a sink that drops events and unreadable bodies; `()` is
/// one that drops everything (`driver.keepalive(&mut ())`).
pub trait Sink {
    /// A received message (an answer a call waits for is also handed to that call).
    fn output(&mut self, output: Output<'_>);

    /// An event of the client (timeouts, abandoned requests, ended sessions, detached handles),
    /// including those about a request a call waits for.
    fn event(&mut self, event: Event) {
        let _ = event;
    }

    /// A received body that is not JSON at all (nothing in it could be routed). The session
    /// goes on.
    fn unreadable(&mut self, body: &[u8], error: DecodeError) {
        let _ = (body, error);
    }
}

impl<F: FnMut(Output<'_>)> Sink for F {
    fn output(&mut self, output: Output<'_>) {
        self(output);
    }
}

impl Sink for () {
    fn output(&mut self, _output: Output<'_>) {}
}
