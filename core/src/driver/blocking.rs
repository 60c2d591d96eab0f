//! The one driver: the [`Client`] run over any [`Link`], blocking until answers come.

use core::fmt;

use super::http::Clock;
use super::link::{Link, Received, Sink};
use super::machine::Machine;
use crate::client::{Client, ClientError, Event, Output, Refusal, RequestId, RequestKind, Transmit, answer};
use crate::http::Route;
use crate::message::Message;
use crate::time::Instant;

/// A command of the [`Client`] (or of a session of [`Sessions`](crate::client::Sessions)):
/// writes its request into the buffer it is given (and may be run again with a larger one
/// when the link can grow it).
pub type Command<'f, M> = dyn FnMut(&mut M, Instant, &mut [u8]) -> Result<Transmit, ClientError> + 'f;

/// A Janus session over a [`Link`]: HTTP with its long poll, or a message socket. The same
/// code correlates answers, starts and restarts the long poll, sends keepalives, expires
/// requests and sorts answers into successes and [`Refusal`]s, whatever carries the bytes.
///
/// - [`call`](Self::call) sends a command's request and waits for its answer, handing the
///   answer to a closure and everything else that arrives meanwhile to a [`Sink`].
/// - [`poll`](Self::poll) runs the client's own traffic (long poll, keepalives) and waits
///   for one received body: call it in a loop while idle.
#[derive(Debug)]
pub struct Driver<L, K, M = Client> {
    client: M,
    link: L,
    clock: K,
}

/// Why a [`Driver`] call failed.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CallError<E> {
    /// The link failed (its own error).
    Link(E),
    /// The client refused the command (no session, unknown handle, full table, a request
    /// larger than the link's buffer…); nothing was sent.
    Client(ClientError),
    /// No answer in time: the client's request timeout, or the caller's limit came first.
    TimedOut,
    /// The request will never be answered: its session or its handle ended first.
    Abandoned(crate::client::Abandoned),
    /// The request's response is not JSON at all (HTTP: the POST's body).
    Unreadable(crate::error::DecodeError),
    /// The command wrote no request (a long poll is not a command).
    NotARequest,
    /// Janus refused the request with a core `error` (the conveniences such as
    /// [`Driver::attach`]; [`Driver::call`] hands the [`Refusal`] itself to its closure).
    Janus(crate::message::ErrorCode),
    /// The plugin refused a `message` with an error in its data: its `error_code`, when it
    /// gave one (the conveniences).
    Plugin(Option<u64>),
    /// The answer cannot be read as its kind (the conveniences).
    MalformedReply,
    /// The answer is not what the request expects (a `success` without `data.id`…).
    UnexpectedReply,
}

impl<E: fmt::Debug> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Link(e) => write!(f, "link error: {e:?}"),
            Self::Client(e) => write!(f, "{e}"),
            Self::TimedOut => f.write_str("no answer in time"),
            Self::Abandoned(reason) => write!(f, "the request was abandoned: {reason:?}"),
            Self::Unreadable(e) => write!(f, "unreadable response: {e}"),
            Self::NotARequest => f.write_str("the command wrote no request"),
            Self::Janus(code) => write!(f, "Janus error {}", code.code()),
            Self::Plugin(Some(code)) => write!(f, "plugin error {code}"),
            Self::Plugin(None) => f.write_str("plugin error"),
            Self::MalformedReply => f.write_str("malformed answer"),
            Self::UnexpectedReply => f.write_str("unexpected answer"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for CallError<E> {}

impl<E> From<ClientError> for CallError<E> {
    fn from(e: ClientError) -> Self {
        Self::Client(e)
    }
}

/// The call a [`Driver`] is waiting for.
struct Awaited<'f> {
    request: RequestId,
    on_answer: &'f mut dyn FnMut(Result<Message<'_>, Refusal<'_>>),
    /// `Some` once the request has ended: `Ok` with its answer, or why it has none.
    ended: Option<Result<(), Ended>>,
}

/// Why an awaited request ended without an answer.
enum Ended {
    TimedOut,
    Abandoned(crate::client::Abandoned),
    /// Its response is not JSON at all.
    Unreadable(crate::error::DecodeError),
}

impl<L, K, M> Driver<L, K, M>
where
    L: Link,
    K: Clock,
    M: Machine,
{
    /// A driver for `client` over `link`, with `clock` for the time.
    pub const fn new(client: M, link: L, clock: K) -> Self {
        Self { client, link, clock }
    }

    /// The state machine.
    pub const fn client(&self) -> &M {
        &self.client
    }

    /// The state machine, to change it (credentials…) or replace it.
    pub fn client_mut(&mut self) -> &mut M {
        &mut self.client
    }

    /// The link.
    pub const fn link(&self) -> &L {
        &self.link
    }

    /// The link, e.g. to send something outside the client.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    /// Gives the client, the link and the clock back.
    pub fn into_parts(self) -> (M, L, K) {
        (self.client, self.link, self.clock)
    }

    /// Now, by the driver's clock.
    pub fn now(&mut self) -> Instant {
        self.clock.now()
    }

    /// Puts a new link in place of the old one (returned), e.g. after the connection broke. The
    /// session stays as it was: over HTTP it lives on, and the next [`poll`](Self::poll) sends
    /// a new long poll; for a message socket, say [`transport_lost`](Self::transport_lost)
    /// first when the session went with the old one.
    pub fn replace_link(&mut self, link: L) -> L {
        self.reconnect_link(|old| core::mem::replace(old, link))
    }

    /// Lets `change` put a new connection under the link (e.g.
    /// [`HttpSingleLink::replace_stream`](super::HttpSingleLink::replace_stream) after
    /// [`HttpLinkError::Closed`](super::HttpLinkError::Closed)), as
    /// [`replace_link`](Self::replace_link) does for a whole new link: a long poll that was
    /// out is lost, and the next [`poll`](Self::poll) sends a new one.
    pub fn reconnect_link<T>(&mut self, change: impl FnOnce(&mut L) -> T) -> T {
        // A long poll that was out is lost (when none was, this changes nothing).
        let now = self.clock.now();
        self.client.long_poll_failed(now);
        change(&mut self.link)
    }

    /// The connection that carried the session is gone: pending requests are abandoned (their
    /// events go to `sink`) and the session waits to be claimed on a new one.
    pub fn transport_lost(&mut self, sink: &mut dyn Sink) {
        let now = self.clock.now();
        self.client.transport_lost(now);
        drain_events(&mut self.client, sink, None);
    }

    /// Sends the request `command` writes and waits for its answer, which goes to `on_answer`
    /// (as a success or a [`Refusal`], sorted by [`answer`]); its result is returned. Every
    /// output that arrives meanwhile, the answer included, goes to `sink` as well. The wait ends when the request does (the client's
    /// request timeout ends every request) or at `until`.
    ///
    /// A request the link refuses to grow for fails at once with the client's
    /// [`BufferTooSmall`](crate::EncodeError::BufferTooSmall), saying how large `tx` must be.
    ///
    /// # Errors
    ///
    /// [`CallError::Client`] when the client refuses the command; [`CallError::Link`]
    /// with the link's error; [`CallError::TimedOut`] when the request timed out (or `until`
    /// came first); [`CallError::Abandoned`] when the session or the handle ended first.
    pub fn call<T>(
        &mut self,
        command: &mut Command<'_, M>,
        until: Instant,
        sink: &mut dyn Sink,
        on_answer: impl FnOnce(Result<Message<'_>, Refusal<'_>>) -> T,
    ) -> Result<T, CallError<L::Error>> {
        let mut on_answer = Some(on_answer);
        let mut result = None;
        self.call_with(command, until, sink, &mut |answer| {
            if let Some(f) = on_answer.take() {
                result = Some(f(answer));
            }
        })?;
        result.ok_or(CallError::TimedOut)
    }

    /// [`call`](Self::call) without its type parameter: one copy for every caller's answer
    /// type (small targets' flash).
    #[inline(never)]
    pub(super) fn call_with(
        &mut self,
        command: &mut Command<'_, M>,
        until: Instant,
        sink: &mut dyn Sink,
        deliver: &mut dyn FnMut(Result<Message<'_>, Refusal<'_>>),
    ) -> Result<(), CallError<L::Error>> {
        let (request, ready) = self.send(command, until)?;
        let mut awaited = Awaited { request, on_answer: deliver, ended: None };
        if ready {
            // Over HTTP the POST's response is there at once.
            self.take_response(sink, Some(&mut awaited))?;
        }
        let ended = loop {
            if let Some(ended) = awaited.ended.take() {
                break ended;
            }
            let received = self.round(until, sink, Some(&mut awaited))?;
            if !received && self.clock.now() >= until {
                // One last chance for the client to expire it.
                let now = self.clock.now();
                self.client.handle_timeout(now);
                drain_events(&mut self.client, sink, Some(&mut awaited));
                break awaited.ended.take().unwrap_or(Err(Ended::TimedOut));
            }
        };
        match ended {
            Ok(()) => Ok(()),
            Err(Ended::TimedOut) => Err(CallError::TimedOut),
            Err(Ended::Abandoned(reason)) => Err(CallError::Abandoned(reason)),
            Err(Ended::Unreadable(e)) => Err(CallError::Unreadable(e)),
        }
    }

    /// Sends the request `command` writes without waiting for its answer, for loops that do
    /// not block ([`step`](Self::step)): the answer comes to `sink` from later rounds, as an
    /// [`Output::Reply`] to the returned request (over HTTP the POST's response is handled
    /// here at once: the plugin's ack, or the answer itself).
    ///
    /// # Errors
    ///
    /// As [`call`](Self::call), without the waiting.
    pub fn start(
        &mut self,
        command: &mut Command<'_, M>,
        until: Instant,
        sink: &mut dyn Sink,
    ) -> Result<RequestId, CallError<L::Error>> {
        let (request, ready) = self.send(command, until)?;
        if ready {
            self.take_response(sink, None)?;
        }
        Ok(request)
    }

    /// One round for an idle caller: expires requests, sends the client's own traffic (the
    /// long poll, keepalives), and waits until `until` (or the client's next timer) for one
    /// received body, whose messages go to `sink`. Returns whether a body came.
    ///
    /// # Errors
    ///
    /// [`CallError::Link`] with the link's error (a lost long poll is restarted by the
    /// next call); [`CallError::Client`] when a keepalive does not fit the link's buffer.
    pub fn poll(&mut self, until: Instant, sink: &mut dyn Sink) -> Result<bool, CallError<L::Error>> {
        self.round(until, sink, None)
    }

    /// Sets the `apisecret` and `token` of every request and of the HTTP long poll, whose
    /// query carries them percent-encoded (up to three bytes for each of theirs, so two
    /// credentials of [`MAX_CREDENTIAL_LEN`](crate::client::MAX_CREDENTIAL_LEN) bytes make a
    /// head of about 900 bytes). Checked now: the longest long poll must fit the link's
    /// buffer ([`Link::fits_long_poll`]).
    ///
    /// # Errors
    ///
    /// [`ClientError::CredentialTooLong`], or [`ClientError::Encode`] with
    /// [`BufferTooSmall`](crate::EncodeError::BufferTooSmall) saying how large the buffer must
    /// be; the credentials are then unchanged.
    pub fn set_credentials(&mut self, apisecret: Option<&str>, token: Option<&str>) -> Result<(), ClientError> {
        if let crate::client::Transport::Http { maxev } = self.client.config().transport {
            let longest = Route::LongPoll { session: crate::ids::SessionId(u64::MAX), maxev };
            self.link
                .fits_long_poll(&longest, &crate::request::Auth { apisecret, token })
                .map_err(ClientError::Encode)?;
        }
        self.client.set_credentials(apisecret, token)
    }

    /// Writes the command's request (growing the link's buffer when it can) and sends it.
    fn send(&mut self, command: &mut Command<'_, M>, until: Instant) -> Result<(RequestId, bool), CallError<L::Error>> {
        let now = self.clock.now();
        let t = match command(&mut self.client, now, self.link.tx()) {
            // Nothing was recorded on failure: run it again with room enough.
            Err(ClientError::Encode(crate::EncodeError::BufferTooSmall { needed, .. }))
                if self.link.grow_tx(needed) =>
            {
                command(&mut self.client, now, self.link.tx())?
            }
            other => other?,
        };
        let request = t.request.ok_or(CallError::NotARequest)?;
        let ready = self.transmit(&t, request, until)?;
        Ok((request, ready))
    }

    /// Sends `request`, written as `t`: [`Link::send`]. A request the link fails to send is
    /// forgotten by the client ([`Client::cancel`]): its error is the caller's answer.
    fn transmit(&mut self, t: &Transmit, request: RequestId, until: Instant) -> Result<bool, CallError<L::Error>> {
        let kind = self.client.pending_kind(request).unwrap_or(RequestKind::Custom);
        match self.link.send(t, kind, until) {
            Ok(ready) => Ok(ready),
            Err(e) => {
                self.client.cancel(request);
                Err(CallError::Link(e))
            }
        }
    }

    /// Sends the client's own traffic: the HTTP long poll (nothing more once the link has its
    /// answer ready), due keepalives.
    fn send_own(&mut self, now: Instant, until: Instant, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        while let Some(t) = self.client.poll_transmit(now, self.link.tx())? {
            if let Route::LongPoll { .. } = t.route {
                let auth = self.client.auth();
                match self.link.start_long_poll(&t.route, &auth) {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(e) => {
                        self.client.long_poll_failed(now);
                        return Err(CallError::Link(e));
                    }
                }
            } else {
                // The client's own requests are keepalives (which have a transaction).
                if let Some(request) = t.request
                    && self.transmit(&t, request, until)?
                {
                    self.take_response(sink, None)?;
                }
            }
        }
        Ok(())
    }

    /// Handles the response [`Link::send`] said is ready: it answers the request just sent,
    /// `awaited`'s when given.
    fn take_response(
        &mut self,
        sink: &mut dyn Sink,
        awaited: Option<&mut Awaited<'_>>,
    ) -> Result<(), CallError<L::Error>> {
        let now = self.clock.now();
        let Self { client, link, .. } = self;
        match link.receive(now).map_err(CallError::Link)? {
            Some(Received::Response(body) | Received::Message(body)) => ingest(client, now, body, sink, awaited, true),
            // A link says a response is ready only over HTTP, where the long poll is not read
            // here; nothing else can come.
            Some(Received::LongPoll { .. }) | None => {}
        }
        Ok(())
    }

    fn round(
        &mut self,
        until: Instant,
        sink: &mut dyn Sink,
        mut awaited: Option<&mut Awaited<'_>>,
    ) -> Result<bool, CallError<L::Error>> {
        let now = self.clock.now();
        self.client.handle_timeout(now);
        drain_events(&mut self.client, sink, awaited.as_deref_mut());
        if awaited.as_ref().is_some_and(|a| a.ended.is_some()) {
            // Its timeout ended the awaited request: no waiting for anything else.
            return Ok(false);
        }
        self.send_own(now, until, sink)?;
        let wake = self.client.poll_timeout().map_or(until, |timer| timer.min(until));
        let Self { client, link, clock } = self;
        let long_poll = link.long_poll_session();
        let received = match link.receive(wake) {
            Ok(received) => received,
            Err(e) => {
                // While a long poll is out, an error of the link's is its loss.
                let now = clock.now();
                client.long_poll_failed(now);
                return Err(CallError::Link(e));
            }
        };
        let now = clock.now();
        let body = match received {
            None => None,
            Some(Received::Response(body) | Received::Message(body)) => Some(body),
            Some(Received::LongPoll { status, body }) => {
                client.long_poll_answered(now, long_poll, status);
                (status == 200).then_some(body)
            }
        };
        if let Some(body) = body {
            ingest(client, now, body, sink, awaited.as_deref_mut(), false);
        }
        drain_events(client, sink, awaited);
        Ok(received.is_some())
    }
}

impl<S, K, M> Driver<super::HttpLink<'_, S>, K, M>
where
    S: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady,
    K: Clock,
    M: Machine,
{
    /// One non-blocking step for super-loops, over streams that say when they have bytes:
    /// expires requests, sends the client's own traffic (the long poll when none is out),
    /// reads what the events connection has ready, and hands a complete answer's messages to
    /// `sink`. `Err(nb::Error::WouldBlock)` while the answer is incomplete.
    ///
    /// # Errors
    ///
    /// `nb::Error::Other` with a [`CallError`], as [`poll`](Self::poll); a lost long poll is
    /// sent again by the next step.
    pub fn step(&mut self, sink: &mut dyn Sink) -> nb::Result<(), CallError<super::HttpLinkError<S::Error>>> {
        let now = self.clock.now();
        self.client.handle_timeout(now);
        drain_events(&mut self.client, sink, None);
        self.send_own(now, now, sink)?;
        if !self.link.long_poll_out() {
            return Ok(());
        }
        match self.link.fill_ready() {
            Ok(true) => self.round(now, sink, None).map(|_| ()).map_err(nb::Error::Other),
            Ok(false) => Err(nb::Error::WouldBlock),
            Err(e) => {
                self.client.long_poll_failed(now);
                Err(nb::Error::Other(CallError::Link(e)))
            }
        }
    }
}

/// Feeds a received body to the client, its outputs to `sink` and to the awaited call, and
/// then the client's events. A body that is not JSON at all goes to `sink`, unless it is the
/// `response` to the awaited request, which it fails.
fn ingest<M: Machine>(
    client: &mut M,
    now: Instant,
    body: &[u8],
    sink: &mut dyn Sink,
    mut awaited: Option<&mut Awaited<'_>>,
    response: bool,
) {
    match client.handle_input(now, body) {
        Ok(outputs) => {
            for output in outputs.flatten() {
                deliver(output, sink, awaited.as_deref_mut());
            }
        }
        Err(e) => match awaited.as_deref_mut().filter(|a| response && a.ended.is_none()) {
            Some(awaited) => awaited.ended = Some(Err(Ended::Unreadable(e))),
            // Nothing in it can be routed: it answers no call, and the session goes on.
            None => sink.unreadable(body, e),
        },
    }
    drain_events(client, sink, awaited);
}

/// Hands an output to `sink`, and its answer to the call waiting for it.
fn deliver(output: Output<'_>, sink: &mut dyn Sink, awaited: Option<&mut Awaited<'_>>) {
    sink.output(output);
    let Some(awaited) = awaited.filter(|a| a.ended.is_none()) else {
        return;
    };
    match output {
        Output::Reply { request, kind, message } if request == awaited.request => {
            awaited.ended = Some(Ok(()));
            (awaited.on_answer)(answer(kind, message));
        }
        Output::MalformedReply { request, malformed, .. } if request == awaited.request => {
            awaited.ended = Some(Ok(()));
            (awaited.on_answer)(Err(Refusal::Malformed(malformed)));
        }
        _ => {}
    }
}

/// Hands the client's queued events to `sink`, noting those that end the awaited request.
fn drain_events<M: Machine>(client: &mut M, sink: &mut dyn Sink, mut awaited: Option<&mut Awaited<'_>>) {
    while let Some(event) = client.poll_event() {
        if let Some(awaited) = awaited.as_deref_mut().filter(|a| a.ended.is_none()) {
            match event {
                Event::RequestTimedOut { request, .. } if request == awaited.request => {
                    awaited.ended = Some(Err(Ended::TimedOut));
                }
                Event::RequestAbandoned { request, reason, .. } if request == awaited.request => {
                    awaited.ended = Some(Err(Ended::Abandoned(reason)));
                }
                _ => {}
            }
        }
        sink.event(event);
    }
}
