//! The HTTP driver over a single connection.

use embedded_io::{Read, Write};
use serde::Serialize;

use super::flow::{self, Exchange};
use super::http::{HEAD_ROOM, Receiver, handle_body, send_request};
use super::{Clock, DriverError, HttpEndpoint};
use crate::client::{Client, ClientError, Output, RequestId, Transmit};
use crate::http::Route;
use crate::ids::{HandleId, SessionId};
use crate::message::Message;
use crate::request::Auth;
use crate::time::Instant;

/// A Janus session over HTTP on **one** embedded-io stream and **one** buffer: for links that
/// carry a single byte stream, such as a UART bridged to TCP. See the [module docs](super).
///
/// Everything is strictly serialized on the one keep-alive connection:
///
/// - [`call`](Self::call) (and the conveniences built on it) writes the request into the
///   buffer, sends it (`POST <base>[/<session>[/<handle>]]`), then reads its response into the
///   same buffer and hands the decoded outputs to the caller.
/// - [`poll_events`](Self::poll_events) sends the session's long poll
///   (`GET <base>/<session>?maxev=N`) and blocks until Janus answers it: with queued events at
///   once, otherwise with the first event or, after 30 s of silence, a `keepalive`.
///
/// No long poll is ever outstanding when a call returns, so a POST never waits behind one and
/// the two responses can never be confused. The cost: events are only fetched when the caller
/// asks for them (a `message` convenience asks by itself until its answer arrives), and Janus
/// only keeps a session alive while it hears from it, so call [`poll_events`](Self::poll_events)
/// or [`keepalive`](Self::keepalive) at least every `session_timeout` (60 s by default).
///
/// The buffer must hold the largest request plus 256 bytes for its head, the long poll's head
/// (about 100 bytes, plus three for each byte of the credentials, which its query carries:
/// [`set_credentials`](Self::set_credentials) checks), and the largest response with its HTTP
/// head (the firmware example runs its echotest session in 2 KiB;
/// Janus's `server_info` needs about 4 KiB, SDP-bearing events several KiB). A response that
/// does not fit is [`DriverError::ResponseTooLarge`].
///
/// The state beyond the caller's buffer is the [`Client`] plus the stream, the clock, the
/// endpoint and a few words: 616 bytes on a 32-bit target with `Client<1, 2, 4>`, a
/// zero-sized UART and a `fn` clock (the firmware example).
#[derive(Debug)]
pub struct HttpSingleDriver<'b, S, K, const HANDLES: usize = 8, const PENDING: usize = 16, const EVENTS: usize = 24> {
    client: Client<HANDLES, PENDING, EVENTS>,
    stream: S,
    clock: K,
    endpoint: HttpEndpoint<'b>,
    /// The one buffer: each request is written into it and its response read back into it.
    buffer: Receiver<'b>,
}

impl<'b, S, K, const HANDLES: usize, const PENDING: usize, const EVENTS: usize>
    HttpSingleDriver<'b, S, K, HANDLES, PENDING, EVENTS>
where
    S: Read + Write,
    K: Clock,
{
    /// A driver for `client` over `stream`, one keep-alive connection to Janus, with `buffer`
    /// for every request and response.
    pub fn new(
        client: Client<HANDLES, PENDING, EVENTS>,
        stream: S,
        clock: K,
        endpoint: HttpEndpoint<'b>,
        buffer: &'b mut [u8],
    ) -> Self {
        Self { client, stream, clock, endpoint, buffer: Receiver::new(buffer, "buffer") }
    }

    /// The state machine, for its state and events.
    pub fn client(&mut self) -> &mut Client<HANDLES, PENDING, EVENTS> {
        &mut self.client
    }

    /// Sets the `apisecret` and `token` of every request and of the long poll, whose query
    /// carries them percent-encoded (up to three bytes for each of theirs, so two credentials
    /// of [`MAX_CREDENTIAL_LEN`](crate::client::MAX_CREDENTIAL_LEN) bytes make a head of about
    /// 900 bytes). Checked now: the long poll's head must fit in the buffer. (Credentials set
    /// on the client before [`new`](Self::new) are only checked by the first long poll.)
    ///
    /// # Errors
    ///
    /// [`DriverError::Client`] with [`ClientError::CredentialTooLong`], or with
    /// [`EncodeError::BufferTooSmall`](crate::EncodeError::BufferTooSmall) saying how large
    /// the buffer must be; the credentials are then unchanged.
    pub fn set_credentials(
        &mut self,
        apisecret: Option<&str>,
        token: Option<&str>,
    ) -> Result<(), DriverError<S::Error>> {
        let room = self.buffer.buf.len();
        super::http::set_credentials(&mut self.client, &self.endpoint, room, apisecret, token)
            .map_err(DriverError::Client)
    }

    /// The stream, e.g. to reconfigure it.
    pub fn stream(&mut self) -> &mut S {
        &mut self.stream
    }

    /// A new connection after [`DriverError::Closed`] (Janus closes idle ones after 120 s).
    /// Whatever was half-received is dropped.
    pub fn replace_stream(&mut self, stream: S) {
        self.stream = stream;
        self.buffer.reset();
    }

    /// Gives the client and the stream back.
    pub fn into_parts(self) -> (Client<HANDLES, PENDING, EVENTS>, S) {
        (self.client, self.stream)
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

    /// Sends the session's long poll and blocks until it is answered, expires timed-out
    /// requests, and hands every [`Output`] to `on_output` (queued
    /// [`Event`](crate::client::Event)s are left in the client for
    /// [`Client::poll_event`]). Returns at once when there is no active session.
    ///
    /// # Errors
    ///
    /// [`DriverError`] when the exchange fails.
    pub fn poll_events(&mut self, mut on_output: impl FnMut(Output<'_>)) -> Result<(), DriverError<S::Error>> {
        self.long_poll(&mut on_output)
    }

    fn long_poll(&mut self, on_output: &mut dyn FnMut(Output<'_>)) -> Result<(), DriverError<S::Error>> {
        let now = self.clock.now();
        self.client.handle_timeout(now);
        self.buffer.clear();
        let body = self.buffer.buf.get_mut(HEAD_ROOM..).unwrap_or_default();
        match self.client.poll_transmit(now, body)? {
            Some(t) => self.exchange(t, on_output).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Sends `t` (a request written at `buffer[HEAD_ROOM..]`, or the long poll), reads its
    /// response into the buffer and hands what it carries to the client.
    fn exchange(
        &mut self,
        t: Transmit,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<Option<RequestId>, DriverError<S::Error>> {
        let long_poll = matches!(t.route, Route::LongPoll { .. });
        // Requests carry their credentials in the body, long polls in the query.
        let auth = if long_poll { self.client.auth() } else { Auth::none() };
        let read = send_request(self.buffer.buf, &self.endpoint, &t, &auth, &mut self.stream)
            .and_then(|()| self.buffer.read_response(&mut self.stream));
        let now = self.clock.now();
        let result = match read {
            Ok((status, start, end, close)) => {
                if long_poll {
                    self.client.long_poll_answered(now, status);
                }
                let handled = if status == 200 {
                    let body = self.buffer.buf.get(start..end).unwrap_or_default();
                    handle_body(&mut self.client, now, body, on_output).map(|()| t.request)
                } else if long_poll {
                    // The client has taken the status in (a 404 ends the session).
                    Ok(None)
                } else {
                    Err(DriverError::Status(status))
                };
                if close { handled.and(Err(DriverError::Closed)) } else { handled }
            }
            Err(e) => {
                if long_poll {
                    self.client.long_poll_failed(now);
                }
                Err(e)
            }
        };
        self.buffer.clear();
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

    /// Claims `session` on this connection (see [`Client::claim_session`]).
    ///
    /// # Errors
    ///
    /// [`DriverError::Janus`] with code 458 when the session does not exist (any more); other
    /// [`DriverError`]s.
    pub fn claim_session(&mut self, session: SessionId) -> Result<(), DriverError<S::Error>> {
        flow::expect_success(self, |c, now, out| c.claim_session(now, out, session))
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
    /// the plugin's answer, which `on_reply` receives. The plugin's `ack` comes as the POST's
    /// response; its event from the long polls that follow (or already in the POST's
    /// response, for plugins that answer synchronously).
    ///
    /// # Errors
    ///
    /// [`DriverError::Janus`] for a core error reply (e.g. 459 for a handle Janus no longer
    /// has); [`DriverError::NoReply`] if the request timed out or was abandoned; other
    /// [`DriverError`]s.
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
    for HttpSingleDriver<'_, S, K, HANDLES, PENDING, EVENTS>
where
    S: Read + Write,
    K: Clock,
{
    type Error = S::Error;

    // Not inlined: every command shares it.
    #[inline(never)]
    fn command_parts(&mut self) -> (&mut Client<HANDLES, PENDING, EVENTS>, Instant, &mut [u8]) {
        let now = self.clock.now();
        self.buffer.clear();
        (&mut self.client, now, self.buffer.buf.get_mut(HEAD_ROOM..).unwrap_or_default())
    }

    fn transfer(
        &mut self,
        transmit: Transmit,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<RequestId, DriverError<S::Error>> {
        // Only requests (which have a transaction) come here.
        self.exchange(transmit, on_output)?.ok_or(DriverError::UnexpectedReply)
    }

    fn wait_for_events(&mut self, on_output: &mut dyn FnMut(Output<'_>)) -> Result<(), DriverError<S::Error>> {
        self.long_poll(on_output)
    }

    fn state(&self) -> &Client<HANDLES, PENDING, EVENTS> {
        &self.client
    }
}
