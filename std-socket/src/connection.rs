//! Many sessions on one connection, used from many threads.
//!
//! # The model
//!
//! A [`Connection`] is one socket (a WebSocket, or Janus's HTTP transport) carrying any
//! number of sessions: core's [`Sessions`] machine behind core's one
//! [`Driver`], under one lock. Two kinds of threads use it:
//!
//! - **Callers** (any thread, through [`Connection`], [`Session`] and [`Handle`]): take the
//!   lock, write and send their request (over HTTP the POST's response is read there too),
//!   let go of the lock, and sleep on a condition variable until their answer is in.
//! - **The reader**, one thread the connection owns: waits *without the lock* for something
//!   to read (over WebSocket for bytes on the socket, on a second handle of it; over HTTP for
//!   an answer from a session's long-poll thread), then takes the lock and runs the driver's
//!   rounds on what came (the client routes each message to its session and request), sends
//!   what is due (keepalives, long polls) and wakes the callers. It also wakes at the
//!   machine's next timer, so keepalives go out and late requests expire while nobody calls
//!   in.
//!
//! The lock is held only while bytes are written or read that are there already, never
//! while waiting for the network (except for an HTTP POST, whose response comes on the
//! request connection at once; HTTP requests take turns on that one connection).
//!
//! Events wait in one queue (bounded: [`Options::max_queued_events`], at least four a
//! session); a [`Handle`] takes its own, a [`Session`] those of its session and handles,
//! [`Connection::next_event`] any. An event nobody takes stays until the queue is full, then
//! the oldest goes, counted in [`Connection::dropped_events`].

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{
    Abandoned, Client, ClientError, Event as CoreEvent, Output, RequestId, RequestKind, SessionState, Sessions,
    Transmit, answer,
};
use janus_signal::driver::{Driver, Sink};
use janus_signal::message::Message;
use janus_signal::request::Candidates;
use janus_signal::{HandleId, Instant, SessionId};
use serde::Serialize;

use crate::http::PollAnswer;
use crate::janus::{client_config, from_driver, log_received, open, seed};
use crate::link::{StdClock, StdLink};
use crate::stream::Dialer;
use crate::url::Endpoint;
use crate::{Error, Event, MalformedMessage, Options, OwnedMessage};

/// Handles per session.
const HANDLES: usize = 16;
/// Requests in flight per session.
const PENDING: usize = 16;
/// Core events queued per session between two rounds.
const EVENTS: usize = 32;

type SessionClient = Client<HANDLES, PENDING, EVENTS>;
type Pool = Sessions<Vec<SessionClient>, HANDLES, PENDING, EVENTS>;
type PoolDriver = Driver<StdLink, StdClock, Pool>;
type CommandResult = Result<Transmit, ClientError>;

/// The longest the reader sleeps without looking at the timers (a session added meanwhile
/// has its first keepalive due 25 s later: plenty).
const READER_NAP: Duration = Duration::from_millis(500);

/// Rounds the reader runs under the lock before letting callers in.
const ROUNDS_PER_LOCK: usize = 64;

/// An event and the session it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEvent {
    /// The session (`None` for what belongs to none: an unreadable message, a failed
    /// keepalive).
    pub session: Option<SessionId>,
    /// What happened.
    pub event: Event,
}

/// What the reader and the callers share.
struct Shared {
    url: String,
    websocket: bool,
    request_timeout: Duration,
    max_sessions: usize,
    state: Mutex<State>,
    /// Signalled after every reader round and every answer taken in by a caller.
    changed: Condvar,
    /// Wakes the reader: a long poll's answer, or `None` to look (HTTP: long polls to
    /// start; closing).
    wake: Sender<Option<PollAnswer>>,
}

struct State {
    driver: PoolDriver,
    /// Answers (or why none will come) of requests callers wait for.
    answers: HashMap<RequestId, Result<OwnedMessage, Error>>,
    events: VecDeque<SessionEvent>,
    max_events: usize,
    dropped: u64,
    /// The session of every attached handle (a handle's `detached` names no session).
    handles: HashMap<HandleId, SessionId>,
    /// The connection broke, or was closed: nothing more can be sent on it.
    closed: bool,
}

/// One connection to Janus carrying many sessions, usable from many threads (`Send` and
/// `Sync`: share it by reference, in an `Arc`, or hand out its [`Session`]s and
/// [`Handle`]s, which are `Clone`). See the [module docs](self) for how it works.
///
/// ```no_run
/// use janus_signal_socket::{Connection, Options};
///
/// #[derive(serde::Serialize)]
/// struct Echo { audio: bool }
///
/// # fn main() -> Result<(), janus_signal_socket::Error> {
/// let connection = Connection::connect("ws://127.0.0.1:8188", Options::default())?;
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| -> Result<(), janus_signal_socket::Error> {
///             let session = connection.create_session()?;
///             let echo = session.attach("janus.plugin.echotest", None)?;
///             let answer = echo.message(&Echo { audio: true })?;
///             println!("{} on {}: {answer}", echo.id(), session.id());
///             session.destroy()
///         });
///     }
/// });
/// # Ok(())
/// # }
/// ```
pub struct Connection {
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
}

/// A session of a [`Connection`]: its requests and its events. Cheap to clone, `Send` and
/// `Sync`.
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
    id: SessionId,
}

/// A handle of a [`Session`]: its plugin's messages and its events. Cheap to clone, `Send`
/// and `Sync`.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
    session: SessionId,
    id: HandleId,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("url", &self.shared.url).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Session").field(&self.id).finish()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").field("session", &self.session).field("id", &self.id).finish()
    }
}

impl Connection {
    /// Connects to `url` (`ws://`, `wss://`, `http://`, `https://`, as
    /// [`Janus::connect`](crate::Janus::connect)) and starts the connection's reader thread.
    /// No session is created yet. [`Options::max_sessions`] bounds the sessions it carries.
    ///
    /// # Errors
    ///
    /// As [`Janus::connect`](crate::Janus::connect).
    pub fn connect(url: &str, options: Options) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(url)?;
        let dialer = Dialer::new(&endpoint, &options.tls, options.connect_timeout)?;
        let clock = StdClock::new();
        let mut link = open(&endpoint, &dialer, &options, clock)?;
        let (wake, woken) = mpsc::channel();
        link.share(wake.clone());
        let watch = match link.tcp_clone() {
            Some(tcp) => Watch::Socket(tcp?),
            None => Watch::LongPolls,
        };
        let mut pool: Pool = Sessions::new(Vec::new(), client_config(&endpoint, &options), seed(&options));
        pool.set_credentials(options.apisecret.as_deref(), options.token.as_deref())?;
        let shared = Arc::new(Shared {
            url: endpoint.url.clone(),
            websocket: endpoint.websocket,
            request_timeout: options.request_timeout,
            max_sessions: options.max_sessions,
            state: Mutex::new(State {
                driver: Driver::new(pool, link, clock),
                answers: HashMap::new(),
                events: VecDeque::new(),
                max_events: options.max_queued_events.max(1),
                dropped: 0,
                handles: HashMap::new(),
                closed: false,
            }),
            changed: Condvar::new(),
            wake,
        });
        let reader_shared = Arc::clone(&shared);
        let reader = std::thread::Builder::new()
            .name("janus-reader".to_owned())
            .spawn(move || read(&reader_shared, &watch, &woken))
            .map_err(Error::Io)?;
        log::info!("connected to Janus at {} for many sessions", endpoint.url);
        Ok(Self { shared, reader: Some(reader) })
    }

    /// The URL this connection goes to.
    #[must_use]
    pub fn server_url(&self) -> &str {
        &self.shared.url
    }

    /// `create`: a new session on this connection.
    ///
    /// # Errors
    ///
    /// As [`Janus::create_session`](crate::Janus::create_session);
    /// [`Error::Client`] with [`ClientError::TooManyPending`] when
    /// [`Options::max_sessions`] sessions are open.
    pub fn create_session(&self) -> Result<Session, Error> {
        let max = self.shared.max_sessions;
        let reply = self.shared.call(|pool, now, out| {
            let slot = free_slot(pool, max)?;
            pool.client_mut(slot).ok_or(ClientError::NoSession)?.create_session(now, out)
        })?;
        let id = match reply.message() {
            Message::Success(s) => {
                s.id().map(SessionId).ok_or(Error::Unexpected("create succeeded without data.id"))?
            }
            _ => return Err(Error::Unexpected("create answered without success")),
        };
        self.shared.wake_reader();
        Ok(Session { shared: Arc::clone(&self.shared), id })
    }

    /// `claim`: takes over `session` (made on another connection, or on this one before it
    /// broke) on this connection; Janus then sends its events here. Its handles are not known
    /// here: take them over with [`Session::adopt`].
    ///
    /// # Errors
    ///
    /// As [`Janus::claim_session`](crate::Janus::claim_session): [`Error::Janus`] with 458
    /// when the session is gone.
    pub fn claim_session(&self, session: SessionId) -> Result<Session, Error> {
        let max = self.shared.max_sessions;
        self.shared.call(|pool, now, out| {
            let slot = match pool.slot_of_session(session) {
                Some(slot) => slot,
                None => free_slot(pool, max)?,
            };
            pool.client_mut(slot).ok_or(ClientError::NoSession)?.claim_session(now, out, session)
        })?;
        self.shared.wake_reader();
        Ok(Session { shared: Arc::clone(&self.shared), id: session })
    }

    /// A session this connection carries, by id.
    #[must_use]
    pub fn session(&self, id: SessionId) -> Option<Session> {
        let state = self.shared.lock();
        state.driver.client().slot_of_session(id).map(|_| Session { shared: Arc::clone(&self.shared), id })
    }

    /// The sessions that are active.
    #[must_use]
    pub fn sessions(&self) -> Vec<SessionId> {
        let state = self.shared.lock();
        state.driver.client().clients().iter().filter_map(Client::session_id).collect()
    }

    /// `ping` → `pong`.
    ///
    /// # Errors
    ///
    /// As any request: [`Error::Timeout`], [`Error::Closed`], transport errors.
    pub fn ping(&self) -> Result<(), Error> {
        self.shared.call(|pool, now, out| any_client(pool)?.ping(now, out)).map(drop)
    }

    /// `info`: the server's description.
    ///
    /// # Errors
    ///
    /// As [`ping`](Self::ping).
    pub fn server_info(&self) -> Result<OwnedMessage, Error> {
        self.shared.call(|pool, now, out| any_client(pool)?.server_info(now, out))
    }

    /// The next event of any session, waiting up to `timeout`: one loop for everything.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the connection is gone and no event is left.
    pub fn next_event(&self, timeout: Duration) -> Result<Option<SessionEvent>, Error> {
        self.shared.next_matching(timeout, |_| true)
    }

    /// Events dropped because the queue was full.
    #[must_use]
    pub fn dropped_events(&self) -> u64 {
        self.shared.lock().dropped
    }

    /// Closes the connection: its sessions stay on the server until they time out (destroy
    /// them first to end them now), waiting callers get [`Error::Closed`], the reader ends.
    pub fn close(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        {
            let mut state = self.shared.lock();
            if !state.closed {
                state.closed = true;
                state.driver.link_mut().close();
            }
        }
        self.shared.changed.notify_all();
        let _ = self.shared.wake.send(None);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shut();
    }
}

impl Session {
    /// The session's id.
    #[must_use]
    pub const fn id(&self) -> SessionId {
        self.id
    }

    /// Where the session stands (`None`: this connection no longer carries it).
    #[must_use]
    pub fn state(&self) -> Option<SessionState> {
        let state = self.shared.lock();
        let pool = state.driver.client();
        pool.slot_of_session(self.id).and_then(|slot| pool.client(slot)).map(Client::session)
    }

    /// `attach` to `plugin` (e.g. `janus.plugin.echotest`).
    ///
    /// # Errors
    ///
    /// As [`Janus::attach`](crate::Janus::attach).
    pub fn attach(&self, plugin: &str, opaque_id: Option<&str>) -> Result<Handle, Error> {
        let id = self.id;
        let reply = self.shared.call(|pool, now, out| session_client(pool, id)?.attach(now, out, plugin, opaque_id))?;
        let handle = match reply.message() {
            Message::Success(s) => s.id().map(HandleId).ok_or(Error::Unexpected("attach success without data.id"))?,
            _ => return Err(Error::Unexpected("attach answered without success")),
        };
        self.shared.lock().handles.insert(handle, id);
        Ok(Handle { shared: Arc::clone(&self.shared), session: id, id: handle })
    }

    /// A handle of this session by id, if attached here.
    #[must_use]
    pub fn handle(&self, id: HandleId) -> Option<Handle> {
        let state = self.shared.lock();
        (state.handles.get(&id) == Some(&self.id)).then(|| Handle {
            shared: Arc::clone(&self.shared),
            session: self.id,
            id,
        })
    }

    /// `keepalive` now (the connection sends them by itself too).
    ///
    /// # Errors
    ///
    /// As [`Connection::ping`].
    pub fn keepalive(&self) -> Result<(), Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| session_client(pool, id)?.keepalive(now, out)).map(drop)
    }

    /// Lets go of the session without ending it on the server, for another connection to
    /// [`claim`](Connection::claim_session): this connection sends nothing more for it (no
    /// keepalive, no long poll), its waiting requests fail, and its slot takes the next
    /// session. Over HTTP, Janus hands a session's events to whichever long poll of it asks
    /// first, so release a session here before another connection claims it.
    pub fn release(&self) {
        let mut state = self.shared.lock();
        let now = state.driver.now();
        let State { driver, answers, events, max_events, dropped, handles, .. } = &mut *state;
        let mut inbox = Inbox {
            url: &self.shared.url,
            answers,
            events,
            max_events: event_limit(*max_events, driver),
            dropped,
            handles,
        };
        if let Some(client) =
            driver.client_mut().slot_of_session(self.id).and_then(|slot| driver.client_mut().client_mut(slot))
        {
            client.transport_lost(now);
        }
        while let Some(event) = driver.client_mut().poll_event() {
            inbox.event(event);
        }
        driver.link_mut().stop_long_poll(self.id);
        handles.retain(|_, s| *s != self.id);
        drop(state);
        self.shared.changed.notify_all();
    }

    /// `destroy`: ends the session and its handles.
    ///
    /// # Errors
    ///
    /// As [`Connection::ping`].
    pub fn destroy(&self) -> Result<(), Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| session_client(pool, id)?.destroy_session(now, out)).map(drop)
    }

    /// The next event of this session or of one of its handles, waiting up to `timeout`.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the connection is gone and no event of the session is left.
    pub fn next_event(&self, timeout: Duration) -> Result<Option<Event>, Error> {
        let id = self.id;
        Ok(self.shared.next_matching(timeout, |e| e.session == Some(id))?.map(|e| e.event))
    }
}

impl Handle {
    /// The handle's id.
    #[must_use]
    pub const fn id(&self) -> HandleId {
        self.id
    }

    /// The session's id.
    #[must_use]
    pub const fn session(&self) -> SessionId {
        self.session
    }

    /// `message` to the plugin; returns its answer (its `success`, or the `event` that
    /// answers it).
    ///
    /// # Errors
    ///
    /// As [`Janus::message`](crate::Janus::message).
    pub fn message<B: ?Sized + Serialize>(&self, body: &B) -> Result<OwnedMessage, Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| handle_client(pool, id)?.message::<B, ()>(now, out, id, body, None))
    }

    /// `message` with a session description (`jsep`).
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn message_with_jsep<B: ?Sized + Serialize, J: ?Sized + Serialize>(
        &self,
        body: &B,
        jsep: &J,
    ) -> Result<OwnedMessage, Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| handle_client(pool, id)?.message(now, out, id, body, Some(jsep)))
    }

    /// `trickle`: candidates for the handle's PeerConnection.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn trickle<C: Serialize>(&self, candidates: Candidates<'_, C>) -> Result<(), Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| handle_client(pool, id)?.trickle(now, out, id, candidates)).map(drop)
    }

    /// `hangup`: closes the handle's PeerConnection.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn hangup(&self) -> Result<(), Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| handle_client(pool, id)?.hangup(now, out, id)).map(drop)
    }

    /// `detach`: ends the handle.
    ///
    /// # Errors
    ///
    /// As [`message`](Self::message).
    pub fn detach(&self) -> Result<(), Error> {
        let id = self.id;
        self.shared.call(|pool, now, out| handle_client(pool, id)?.detach(now, out, id)).map(drop)
    }

    /// The next message for this handle (plugin events, `webrtcup`, `media`, `hangup`…),
    /// waiting up to `timeout`. Other events of the handle (it was detached) stay for its
    /// session and the connection.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] once the connection is gone and no message of the handle is left.
    pub fn next_event(&self, timeout: Duration) -> Result<Option<OwnedMessage>, Error> {
        let id = self.id;
        let event = self
            .shared
            .next_matching(timeout, |e| matches!(&e.event, Event::Handle { handle, .. } if *handle == id))?;
        Ok(event.and_then(|e| match e.event {
            Event::Handle { message, .. } => Some(message),
            _ => None,
        }))
    }
}

impl Session {
    /// Takes over `handle` of this session as a [`Handle`] of this connection (after
    /// [`Connection::claim_session`]: the claimed session's handles live on in Janus).
    ///
    /// # Errors
    ///
    /// [`Error::Client`] with [`ClientError::TooManyHandles`] when the session has no room.
    pub fn adopt(&self, handle: HandleId) -> Result<Handle, Error> {
        let mut state = self.shared.lock();
        let pool = state.driver.client_mut();
        let client = session_client(pool, self.id)?;
        client.adopt_handle(handle)?;
        state.handles.insert(handle, self.id);
        Ok(Handle { shared: Arc::clone(&self.shared), session: self.id, id: handle })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Over HTTP a new session's long poll is sent by the reader: wake it now.
    fn wake_reader(&self) {
        if !self.websocket {
            let _ = self.wake.send(None);
        }
    }

    /// Sends what `command` writes and waits for its answer.
    fn call(
        &self,
        mut command: impl FnMut(&mut Pool, Instant, &mut [u8]) -> CommandResult,
    ) -> Result<OwnedMessage, Error> {
        let deadline = StdInstant::now() + self.request_timeout + Duration::from_millis(50);
        let mut state = self.lock();
        if state.closed {
            return Err(Error::Closed);
        }
        let until = state.driver.link().clock().to_core(deadline);
        let request = {
            let State { driver, answers, events, max_events, dropped, handles, .. } = &mut *state;
            let mut inbox = Inbox {
                url: &self.url,
                answers,
                events,
                max_events: event_limit(*max_events, driver),
                dropped,
                handles,
            };
            driver.start(&mut command, until, &mut inbox).map_err(from_driver)
        };
        let request = match request {
            Ok(request) => request,
            Err(e) => {
                self.fail(&mut state, &e);
                return Err(e);
            }
        };
        loop {
            if let Some(answer) = state.answers.remove(&request) {
                return answer;
            }
            if state.closed {
                return Err(Error::Closed);
            }
            let now = StdInstant::now();
            if now >= deadline {
                state.driver.client_mut().cancel(request);
                return Err(Error::Timeout);
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// A caller's send failed: a transport error ends the connection (the reader sees it too).
    fn fail(&self, state: &mut State, e: &Error) {
        if matches!(e, Error::Io(_) | Error::Closed | Error::WebSocket(_)) && self.websocket {
            lose(state, &self.url);
            self.changed.notify_all();
        }
    }

    /// The first queued event `wanted` takes, waiting up to `timeout`.
    fn next_matching(
        &self,
        timeout: Duration,
        wanted: impl Fn(&SessionEvent) -> bool,
    ) -> Result<Option<SessionEvent>, Error> {
        let deadline = StdInstant::now() + timeout;
        let mut state = self.lock();
        loop {
            if let Some(index) = state.events.iter().position(&wanted) {
                return Ok(state.events.remove(index));
            }
            if state.closed {
                return Err(Error::Closed);
            }
            let now = StdInstant::now();
            if now >= deadline {
                return Ok(None);
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
}

/// A slot for a new session: a free one, or a new client while fewer than `max` exist.
fn free_slot(pool: &mut Pool, max: usize) -> Result<usize, ClientError> {
    if let Some(slot) = pool.free_slot() {
        return Ok(slot);
    }
    if pool.clients().len() >= max {
        return Err(ClientError::TooManyPending);
    }
    let client = pool.new_client();
    pool.storage_mut().push(client);
    Ok(pool.clients().len() - 1)
}

/// A client for a request outside any session (`ping`, `info`): any one.
fn any_client(pool: &mut Pool) -> Result<&mut SessionClient, ClientError> {
    if pool.clients().is_empty() {
        let client = pool.new_client();
        pool.storage_mut().push(client);
    }
    pool.client_mut(0).ok_or(ClientError::NoSession)
}

fn session_client(pool: &mut Pool, session: SessionId) -> Result<&mut SessionClient, ClientError> {
    let slot = pool.slot_of_session(session).ok_or(ClientError::NoSession)?;
    pool.client_mut(slot).ok_or(ClientError::NoSession)
}

fn handle_client(pool: &mut Pool, handle: HandleId) -> Result<&mut SessionClient, ClientError> {
    let slot = pool.slot_of_handle(handle).ok_or(ClientError::UnknownHandle(handle))?;
    pool.client_mut(slot).ok_or(ClientError::UnknownHandle(handle))
}

/// What the reader waits on.
enum Watch {
    /// A second handle on the WebSocket's TCP connection: bytes are there when `peek` returns.
    Socket(std::net::TcpStream),
    /// The long polls' answers (HTTP), which come on the wake channel.
    LongPolls,
}

/// The reader thread: waits for input without the lock, then runs the driver's rounds.
fn read(shared: &Shared, watch: &Watch, woken: &Receiver<Option<PollAnswer>>) {
    let mut nap = READER_NAP;
    // The last rounds stopped at their limit, not for want of input: what is left may sit in
    // user-space buffers (tungstenite's, rustls's, the link's), where no wait would see it.
    let mut more = false;
    loop {
        let mut came = Vec::new();
        match watch {
            _ if more => {
                while let Ok(w) = woken.try_recv() {
                    came.push(w);
                }
            }
            Watch::Socket(tcp) => {
                let _ = tcp.set_read_timeout(Some(nap.max(Duration::from_millis(1))));
                let _ = tcp.peek(&mut [0u8; 1]);
                while let Ok(w) = woken.try_recv() {
                    came.push(w);
                }
            }
            Watch::LongPolls => match woken.recv_timeout(nap) {
                Ok(w) => {
                    came.push(w);
                    while let Ok(w) = woken.try_recv() {
                        came.push(w);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            },
        }
        let mut state = shared.lock();
        if state.closed {
            return;
        }
        let link = state.driver.link_mut();
        for answer in came.into_iter().flatten() {
            link.hand_in(answer);
        }
        let State { driver, answers, events, max_events, dropped, handles, closed } = &mut *state;
        let mut inbox =
            Inbox { url: &shared.url, answers, events, max_events: event_limit(*max_events, driver), dropped, handles };
        let mut lost = None;
        more = true;
        for _ in 0..ROUNDS_PER_LOCK {
            let now = driver.now();
            match driver.poll(now, &mut inbox) {
                Ok(true) => {}
                Ok(false) => {
                    more = false;
                    break;
                }
                Err(e) => {
                    more = false;
                    lost = Some(from_driver(e));
                    break;
                }
            }
        }
        if let Some(e) = lost {
            if shared.websocket || !matches!(e, Error::Timeout) {
                log::warn!("{}: the connection failed: {e}", shared.url);
            }
            if shared.websocket {
                *closed = true;
                driver.transport_lost(&mut inbox);
            }
        }
        nap = driver.client().poll_timeout().map_or(READER_NAP, |at| {
            let now = driver.now();
            Duration::from_millis(at.total_millis().saturating_sub(now.total_millis())).min(READER_NAP)
        });
        let stop = *closed;
        drop(state);
        shared.changed.notify_all();
        if stop {
            return;
        }
    }
}

/// The connection is gone: every session's pending requests are abandoned.
fn lose(state: &mut State, url: &str) {
    state.closed = true;
    let State { driver, answers, events, max_events, dropped, handles, .. } = state;
    let mut inbox = Inbox { url, answers, events, max_events: event_limit(*max_events, driver), dropped, handles };
    driver.transport_lost(&mut inbox);
}

/// Events queued at most: the caller's limit, and at least four for each session slot (a
/// handle's `hangup`, echotest's `done`, a `detached`… may wait together for each session).
fn event_limit(max_events: usize, driver: &PoolDriver) -> usize {
    max_events.max(4 * driver.client().clients().len())
}

/// Where the driver puts what it receives: answers for the callers, events for the queue.
struct Inbox<'s> {
    url: &'s str,
    answers: &'s mut HashMap<RequestId, Result<OwnedMessage, Error>>,
    events: &'s mut VecDeque<SessionEvent>,
    max_events: usize,
    dropped: &'s mut u64,
    handles: &'s mut HashMap<HandleId, SessionId>,
}

impl Inbox<'_> {
    fn push(&mut self, session: Option<SessionId>, event: Event) {
        if self.events.len() >= self.max_events {
            self.events.pop_front();
            *self.dropped += 1;
            log::warn!("{}: event queue full ({}): the oldest event was dropped", self.url, self.max_events);
        }
        self.events.push_back(SessionEvent { session, event });
    }

    /// Answers nobody waits for are keepalives' (the connection's own).
    fn answer(&mut self, request: RequestId, kind: RequestKind, answer: Result<OwnedMessage, Error>) {
        if kind == RequestKind::Keepalive {
            if let Err(e) = answer {
                log::warn!("{}: keepalive failed: {e}", self.url);
                self.push(None, Event::RequestFailed(kind));
            }
            return;
        }
        self.answers.insert(request, answer);
    }
}

impl Sink for Inbox<'_> {
    fn output(&mut self, output: Output<'_>) {
        log_received(self.url, &output);
        match output {
            Output::Reply { request, kind, message } => {
                let answer = match answer(kind, message) {
                    Ok(reply) => Ok(OwnedMessage::new(&reply)),
                    Err(refusal) => Err(Error::refused(refusal)),
                };
                self.answer(request, kind, answer);
            }
            Output::MalformedReply { request, kind, malformed } => {
                let error = Error::MalformedReply(Box::new(MalformedMessage::new(&malformed)));
                self.answer(request, kind, Err(error));
            }
            Output::Handle { message: Message::Detached(_), .. } => {}
            Output::Handle { handle, message } => {
                let session = message.session_id().or_else(|| self.handles.get(&handle).copied());
                self.push(session, Event::Handle { handle, message: OwnedMessage::new(&message) });
            }
            Output::SessionTimedOut { session } => self.push(Some(session), Event::SessionTimedOut(session)),
            Output::Malformed(malformed) => {
                log::warn!(
                    "{}: unreadable message from Janus ({}), delivered as Event::Malformed",
                    self.url,
                    malformed.defect
                );
                self.push(None, Event::Malformed(MalformedMessage::new(&malformed)));
            }
            _ => {}
        }
    }

    fn event(&mut self, event: CoreEvent) {
        match event {
            CoreEvent::RequestTimedOut { request, kind } => self.answer(request, kind, Err(Error::Timeout)),
            CoreEvent::RequestAbandoned { request, kind, reason } => {
                let error = match reason {
                    Abandoned::SessionEnded(end) => Error::SessionEnded(end),
                    _ => Error::Unexpected("handle detached"),
                };
                self.answer(request, kind, Err(error));
            }
            CoreEvent::SessionEnded { session, reason } => {
                log::info!("{}: session {session} ended: {reason:?}", self.url);
                self.handles.retain(|_, s| *s != session);
                self.push(Some(session), Event::SessionEnded(session, reason));
            }
            CoreEvent::HandleDetached { handle } => {
                let session = self.handles.remove(&handle);
                self.push(session, Event::HandleDetached(handle));
            }
            _ => {}
        }
    }

    fn unreadable(&mut self, body: &[u8], error: janus_signal::DecodeError) {
        log::warn!("{}: unreadable message from Janus ({error}), ignored", self.url);
        self.push(None, Event::Malformed(MalformedMessage::from_body(body, error)));
    }
}

#[cfg(test)]
mod tests {
    use janus_signal::client::SessionEnd;
    use tungstenite::Message as Frame;

    use super::*;
    use crate::fake::fake_janus;

    #[test]
    fn the_types_can_go_to_other_threads() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Connection>();
        send_and_sync::<Session>();
        send_and_sync::<Handle>();
    }

    #[test]
    fn a_broken_connection_fails_its_waiting_callers_at_once() {
        let (url, _) = fake_janus(|janus, tx| match janus {
            "create" => {
                let tx = tx.unwrap_or_default();
                Some(vec![Frame::text(format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":5}}}}"#))])
            }
            // The attach is never answered: the server goes away.
            _ => None,
        });
        let options = Options { request_timeout: Duration::from_secs(10), seed: Some(3), ..Options::default() };
        let connection = Connection::connect(&url, options).expect("connect");
        let session = connection.create_session().expect("create");
        assert_eq!(session.id(), SessionId(5));
        let started = StdInstant::now();
        let waiter = {
            let session = session.clone();
            std::thread::spawn(move || session.next_event(Duration::from_secs(10)))
        };
        match session.attach("janus.plugin.echotest", None) {
            Err(Error::SessionEnded(SessionEnd::TransportLost) | Error::Closed) => {}
            other => panic!("{other:?}"),
        }
        // Whoever waits for the session's events learns the connection is gone (the session
        // is not over on the server: it may be claimed on another connection).
        match waiter.join().expect("waiter") {
            Err(Error::Closed) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(session.state(), Some(SessionState::Disconnected(session.id())));
        assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
        assert!(matches!(session.keepalive(), Err(Error::Closed)));
        assert!(matches!(connection.next_event(Duration::from_millis(10)), Err(Error::Closed)));
    }
}
