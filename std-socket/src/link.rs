//! The desktop's [`Link`]: the HTTP transport (request connection + long-poll connection) or a
//! WebSocket, with a request buffer that grows up to the largest message allowed. Everything
//! else (correlation, the long poll's life, keepalives, answers) is core's
//! [`Driver`](janus_signal::driver::Driver).

use std::time::{Duration, Instant as StdInstant};

use janus_signal::Instant;
use janus_signal::client::{RequestKind, Transmit};
use janus_signal::driver::{Clock, Link, Received};
use janus_signal::http::Route;
use janus_signal::request::Auth;
use janus_signal::ws::MAX_HEAD_LEN;

use crate::Error;
use crate::http::{HttpTransport, LongPolls, PollAnswer};
use crate::ws::WsTransport;

/// Initial size of the request buffer; it grows when a request needs more.
const REQUEST_BUFFER: usize = 8 * 1024;

/// Which of Janus's transports.
#[derive(Debug)]
pub(crate) enum Transport {
    Http(HttpTransport),
    Ws(WsTransport),
}

/// The core's clock on the desktop: milliseconds since the connection was made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StdClock {
    origin: StdInstant,
}

impl StdClock {
    pub(crate) fn new() -> Self {
        Self { origin: StdInstant::now() }
    }

    /// The std instant of a core instant (far future ones are a century away).
    pub(crate) fn to_std(self, at: Instant) -> StdInstant {
        let century = Duration::from_secs(100 * 365 * 24 * 3600);
        self.origin.checked_add(Duration::from_millis(at.total_millis()).min(century)).unwrap_or(self.origin)
    }

    /// The core instant of a std one.
    pub(crate) fn to_core(self, at: StdInstant) -> Instant {
        Instant::from_millis(u64::try_from(at.saturating_duration_since(self.origin).as_millis()).unwrap_or(u64::MAX))
    }
}

impl Clock for StdClock {
    fn now(&mut self) -> Instant {
        self.to_core(StdInstant::now())
    }
}

/// A connection to Janus as the core driver sees it.
#[derive(Debug)]
pub(crate) struct StdLink {
    pub(crate) transport: Transport,
    /// The server's URL, for the logs.
    url: String,
    clock: StdClock,
    tx: Vec<u8>,
    /// Largest request (and response) allowed.
    limit: usize,
    /// The last body received.
    received: Vec<u8>,
    /// `received` is a POST's response not handed out yet.
    response_ready: bool,
    /// Shared by many sessions and threads ([`crate::Connection`]): the reader waits for
    /// bytes (WebSocket) or long-poll answers (HTTP) outside the link, and
    /// [`receive`](Link::receive) only takes what is there.
    shared: Option<Shared>,
}

/// What a link shared by many sessions has besides the transport.
#[derive(Debug)]
struct Shared {
    /// HTTP: every session's long poll.
    polls: Option<LongPolls>,
    /// Long-poll answers handed in by the reader, not received yet.
    answers: std::collections::VecDeque<PollAnswer>,
}

impl StdLink {
    pub(crate) fn new(transport: Transport, url: &str, clock: StdClock, limit: usize) -> Self {
        Self {
            transport,
            url: url.to_owned(),
            clock,
            tx: vec![0; MAX_HEAD_LEN + REQUEST_BUFFER.min(limit)],
            limit,
            received: Vec::new(),
            response_ready: false,
            shared: None,
        }
    }

    /// Makes the link one that many sessions share ([`crate::Connection`]): over HTTP each
    /// session's long poll gets a thread of its own, whose answers go to `answers`; over
    /// WebSocket [`receive`](Link::receive) no longer waits (the caller waits for bytes on
    /// [`tcp_clone`](Self::tcp_clone)).
    pub(crate) fn share(&mut self, answers: std::sync::mpsc::Sender<Option<PollAnswer>>) {
        let polls = match &self.transport {
            Transport::Http(http) => Some(http.long_polls(answers)),
            Transport::Ws(_) => None,
        };
        self.shared = Some(Shared { polls, answers: std::collections::VecDeque::new() });
    }

    /// A long poll's answer, for the next [`receive`](Link::receive) (shared HTTP links).
    pub(crate) fn hand_in(&mut self, answer: PollAnswer) {
        if let Some(shared) = &mut self.shared {
            shared.answers.push_back(answer);
        }
    }

    /// Ends `session`'s long poll, if it has one out (shared HTTP links).
    pub(crate) fn stop_long_poll(&mut self, session: janus_signal::SessionId) {
        if let Some(polls) = self.shared.as_mut().and_then(|s| s.polls.as_mut()) {
            polls.stop(session);
        }
    }

    /// The WebSocket's TCP connection, to wait for bytes on (`None` over HTTP).
    pub(crate) fn tcp_clone(&self) -> Option<std::io::Result<std::net::TcpStream>> {
        match &self.transport {
            Transport::Ws(ws) => Some(ws.tcp_clone()),
            Transport::Http(_) => None,
        }
    }

    /// The clock of this connection's times.
    pub(crate) fn clock(&self) -> StdClock {
        self.clock
    }

    /// Closes a WebSocket politely (an HTTP transport has nothing to close but its long
    /// polls' threads).
    pub(crate) fn close(&mut self) {
        if let Some(polls) = self.shared.as_mut().and_then(|s| s.polls.as_mut()) {
            polls.close();
        }
        if let Transport::Ws(ws) = &mut self.transport {
            ws.close();
        }
    }
}

impl Link for StdLink {
    type Error = Error;

    fn tx(&mut self) -> &mut [u8] {
        // Room for a WebSocket frame's header before the request.
        self.tx.get_mut(MAX_HEAD_LEN..).unwrap_or_default()
    }

    fn grow_tx(&mut self, needed: usize) -> bool {
        if needed > self.limit {
            return false;
        }
        self.tx.resize((MAX_HEAD_LEN + needed).max(self.tx.len()), 0);
        true
    }

    fn send(&mut self, transmit: &Transmit, kind: RequestKind, until: Instant) -> Result<bool, Error> {
        let body = self.tx.get(MAX_HEAD_LEN..MAX_HEAD_LEN + transmit.len).unwrap_or_default();
        // Never the body: it carries `apisecret`, `token` or `admin_secret`.
        log::debug!(
            "{}: → {} (transaction {}, {} bytes)",
            self.url,
            kind.name(),
            transmit.request.as_ref().map_or("-", |r| r.as_str()),
            body.len()
        );
        match &mut self.transport {
            Transport::Ws(ws) => ws.send_in_place(&mut self.tx, transmit.len).map(|()| false),
            Transport::Http(http) => {
                let status = http.request(&transmit.route, body, self.clock.to_std(until), &mut self.received)?;
                if status != 200 {
                    return Err(Error::HttpStatus(status));
                }
                self.response_ready = true;
                Ok(true)
            }
        }
    }

    fn start_long_poll(&mut self, route: &Route, auth: &Auth<'_>) -> Result<bool, Error> {
        if let Some(polls) = self.shared.as_mut().and_then(|s| s.polls.as_mut()) {
            log::trace!("{}: long poll of {route:?}", self.url);
            return polls.start(route, auth).map(|()| false);
        }
        match &mut self.transport {
            Transport::Http(http) => {
                log::trace!("{}: long poll", self.url);
                // Its own connection: the answer comes later.
                http.start_long_poll(route, auth).map(|()| false)
            }
            Transport::Ws(_) => Err(Error::Unexpected("a long poll over WebSocket")),
        }
    }

    fn long_poll_session(&self) -> Option<janus_signal::SessionId> {
        // The reader hands answers in before the driver asks for them: the next is the first.
        self.shared.as_ref().and_then(|s| s.answers.front()).map(|a| a.session)
    }

    fn receive(&mut self, until: Instant) -> Result<Option<Received<'_>>, Error> {
        if std::mem::take(&mut self.response_ready) {
            return Ok(Some(Received::Response(&self.received)));
        }
        if let Some(shared) = &mut self.shared {
            return match &mut self.transport {
                // Only what is there: the reader waited already.
                Transport::Ws(ws) => Ok(ws.receive_ready()?.map(Received::Message)),
                Transport::Http(_) => Ok(shared.answers.pop_front().map(|answer| {
                    self.received = answer.body;
                    Received::LongPoll { status: answer.status, body: &self.received }
                })),
            };
        }
        let deadline = self.clock.to_std(until);
        match &mut self.transport {
            Transport::Ws(ws) => Ok(ws.receive(deadline)?.map(Received::Message)),
            Transport::Http(http) => match http.receive_long_poll(deadline, &mut self.received) {
                Ok(Some(status)) => Ok(Some(Received::LongPoll { status, body: &self.received })),
                Ok(None) => Ok(None),
                Err(e) => {
                    log::warn!("{}: the long poll failed: {e}", self.url);
                    Err(e)
                }
            },
        }
    }
}
