//! Several sessions on one connection: one [`Client`] per session, in storage the caller
//! owns, behind the same poll contract.

use heapless::String;

use super::{Client, ClientError, Config, Event, Ignored, MAX_CREDENTIAL_LEN, Output, RequestId, RequestKind};
use super::{TransactionIds, Transmit};
use crate::error::DecodeError;
use crate::ids::{HandleId, SessionId};
use crate::message::{Batch, Malformed, Message};
use crate::request::Auth;
use crate::time::Instant;

/// Many Janus sessions on one connection (a WebSocket carries them all; over HTTP each keeps
/// its own long poll), sans-IO like [`Client`]: each session is a `Client` of its own, with
/// its handles, keepalive schedule, timeouts, claim and end, in a slot of `S` — a
/// `heapless::Vec<Client, N>` (a capacity of `N` sessions, no allocator) or, with an
/// allocator, a `Vec` that grows. Received messages are routed to their session by
/// transaction (the request's own client), then by `session_id`, then by `sender`.
///
/// The poll contract is the [`Client`]'s: commands go to a slot's client
/// ([`client_mut`](Self::client_mut)); [`poll_transmit`](Self::poll_transmit),
/// [`handle_input`](Self::handle_input), [`poll_event`](Self::poll_event),
/// [`poll_timeout`](Self::poll_timeout) and [`handle_timeout`](Self::handle_timeout) are
/// those of all sessions at once. A slot whose client [`is_free`](Client::is_free) takes the
/// next session; [`new_client`](Self::new_client) makes a client to add when none is.
///
/// Transaction ids are drawn per client from seeds of one generator: two pending requests of
/// different sessions share an id with a chance of about 2⁻⁷¹, and even then a reply naming
/// its session goes to that session.
///
/// ```
/// use janus_signal::client::{Client, Config, Output, Sessions};
/// use janus_signal::{Instant, SessionId};
///
/// let mut sessions: Sessions<heapless::Vec<Client<2, 4, 8>, 2>, 2, 4, 8> =
///     Sessions::new(heapless::Vec::new(), Config::websocket(), 7);
/// let mut out = [0u8; 256];
/// let now = Instant::from_millis(0);
/// let mut ids = Vec::new();
/// for session in [11u64, 12] {
///     let client = sessions.new_client();
///     sessions.storage_mut().push(client).unwrap();
///     let slot = sessions.clients().len() - 1;
///     let create = sessions.client_mut(slot).unwrap().create_session(now, &mut out).unwrap();
///     ids.push((create.request.unwrap(), session));
/// }
/// // The answers come in any order on the one socket, and each finds its session.
/// for (tx, session) in ids.iter().rev() {
///     let reply = format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":{session}}}}}"#);
///     for output in sessions.handle_input(now, reply.as_bytes()).unwrap() {
///         assert!(matches!(output, Ok(Output::Reply { .. })));
///     }
/// }
/// assert_eq!(sessions.slot_of_session(SessionId(12)), Some(1));
/// ```
#[derive(Debug)]
pub struct Sessions<S, const HANDLES: usize = 8, const PENDING: usize = 16, const EVENTS: usize = 24> {
    clients: S,
    config: Config,
    apisecret: Option<String<MAX_CREDENTIAL_LEN>>,
    token: Option<String<MAX_CREDENTIAL_LEN>>,
    /// Seeds of new clients' transaction ids.
    seeds: TransactionIds,
    /// The slot [`poll_transmit`](Sessions::poll_transmit) asks first (the one that had
    /// something last time, so that its long poll and keepalive go out together).
    transmit_from: usize,
    /// The slot [`poll_event`](Sessions::poll_event) asks first: every session's events get
    /// their turn.
    event_from: usize,
}

impl<S, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> Sessions<S, HANDLES, PENDING, EVENTS>
where
    S: AsRef<[Client<HANDLES, PENDING, EVENTS>]> + AsMut<[Client<HANDLES, PENDING, EVENTS>]>,
{
    /// Sessions in `clients` (usually empty at first), new clients configured with `config`,
    /// their transaction ids seeded from `seed`.
    pub const fn new(clients: S, config: Config, seed: u64) -> Self {
        Self {
            clients,
            config,
            apisecret: None,
            token: None,
            seeds: TransactionIds::new(seed),
            transmit_from: 0,
            event_from: 0,
        }
    }

    /// The configuration of every session.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Sets the credentials of every session, and of those made later.
    ///
    /// # Errors
    ///
    /// [`ClientError::CredentialTooLong`]; nothing changes then.
    pub fn set_credentials(&mut self, apisecret: Option<&str>, token: Option<&str>) -> Result<(), ClientError> {
        let (a, t) = (super::credential(apisecret)?, super::credential(token)?);
        for client in self.clients.as_mut() {
            client.set_credentials(apisecret, token)?;
        }
        self.apisecret = a;
        self.token = t;
        Ok(())
    }

    /// The credentials, for the transport's long-poll query.
    #[must_use]
    pub fn auth(&self) -> Auth<'_> {
        Auth { apisecret: self.apisecret.as_deref(), token: self.token.as_deref() }
    }

    /// A client for one more session, with the shared configuration and credentials and its
    /// own transaction ids: push it into the storage.
    pub fn new_client(&mut self) -> Client<HANDLES, PENDING, EVENTS> {
        let seed = self.seeds.next_seed();
        let mut client = Client::new(self.config, seed);
        // The stored credentials fit: they were checked when set.
        let _ = client.set_credentials(self.apisecret.as_deref(), self.token.as_deref());
        client
    }

    /// The storage, to add clients (`push`) or look at them.
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.clients
    }

    /// Every slot's client.
    #[must_use]
    pub fn clients(&self) -> &[Client<HANDLES, PENDING, EVENTS>] {
        self.clients.as_ref()
    }

    /// The client of `slot`.
    #[must_use]
    pub fn client(&self, slot: usize) -> Option<&Client<HANDLES, PENDING, EVENTS>> {
        self.clients.as_ref().get(slot)
    }

    /// The client of `slot`, for its commands.
    pub fn client_mut(&mut self, slot: usize) -> Option<&mut Client<HANDLES, PENDING, EVENTS>> {
        self.clients.as_mut().get_mut(slot)
    }

    /// A slot whose client holds nothing ([`Client::is_free`]), for a new session.
    #[must_use]
    pub fn free_slot(&self) -> Option<usize> {
        self.clients.as_ref().iter().position(Client::is_free)
    }

    /// The slot of `session` (active, being set up or torn down, or to be claimed).
    #[must_use]
    pub fn slot_of_session(&self, session: SessionId) -> Option<usize> {
        self.clients.as_ref().iter().position(|c| c.carries(session))
    }

    /// The slot where `handle` is attached.
    #[must_use]
    pub fn slot_of_handle(&self, handle: HandleId) -> Option<usize> {
        self.clients.as_ref().iter().position(|c| c.has_handle(handle))
    }

    /// The slot where `request` waits for its answer.
    #[must_use]
    pub fn slot_of_request(&self, request: RequestId) -> Option<usize> {
        self.clients.as_ref().iter().position(|c| c.is_pending(request))
    }

    /// The kind of `request`, while it waits for its answer in any session.
    #[must_use]
    pub fn pending_kind(&self, request: RequestId) -> Option<RequestKind> {
        self.clients.as_ref().iter().find_map(|c| c.pending_kind(request))
    }

    /// Forgets `request` in whichever session has it ([`Client::cancel`]).
    pub fn cancel(&mut self, request: RequestId) -> bool {
        self.clients.as_mut().iter_mut().any(|c| c.cancel(request))
    }

    /// Every session's own traffic ([`Client::poll_transmit`]), one request at a time: call it
    /// until it returns `None`. A long poll's route names its session.
    ///
    /// # Errors
    ///
    /// [`ClientError::Encode`] when `out` cannot hold a keepalive.
    pub fn poll_transmit(&mut self, now: Instant, out: &mut [u8]) -> Result<Option<Transmit>, ClientError> {
        let clients = self.clients.as_mut();
        let count = clients.len();
        for slot in turns(self.transmit_from, count) {
            if let Some(client) = clients.get_mut(slot)
                && let Some(t) = client.poll_transmit(now, out)?
            {
                self.transmit_from = slot;
                return Ok(Some(t));
            }
        }
        Ok(None)
    }

    /// The earliest timer of any session ([`Client::poll_timeout`]).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.clients.as_ref().iter().filter_map(Client::poll_timeout).min()
    }

    /// Expires every session's late requests ([`Client::handle_timeout`]).
    pub fn handle_timeout(&mut self, now: Instant) {
        for client in self.clients.as_mut() {
            client.handle_timeout(now);
        }
    }

    /// The next event of any session; the sessions take turns. Call it until `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        let clients = self.clients.as_mut();
        let count = clients.len();
        for slot in turns(self.event_from, count) {
            if let Some(event) = clients.get_mut(slot).and_then(Client::poll_event) {
                self.event_from = slot.saturating_add(1);
                return Some(event);
            }
        }
        None
    }

    /// `session`'s long poll returned with `status` ([`Client::long_poll_answered`]).
    pub fn long_poll_answered(&mut self, now: Instant, session: SessionId, status: u16) {
        if let Some(client) = self.session_mut(session) {
            client.long_poll_answered(now, status);
        }
    }

    /// `session`'s long poll failed without an answer ([`Client::long_poll_failed`]); `None`:
    /// every session's.
    pub fn long_poll_failed(&mut self, now: Instant, session: Option<SessionId>) {
        for client in self.clients.as_mut() {
            if session.is_none_or(|s| client.carries(s)) {
                client.long_poll_failed(now);
            }
        }
    }

    /// The connection is gone: every session's requests are abandoned, and each session can
    /// be claimed on a new one ([`Client::transport_lost`]).
    pub fn transport_lost(&mut self, now: Instant) {
        for client in self.clients.as_mut() {
            client.transport_lost(now);
        }
    }

    fn session_mut(&mut self, session: SessionId) -> Option<&mut Client<HANDLES, PENDING, EVENTS>> {
        self.clients.as_mut().iter_mut().find(|c| c.carries(session))
    }

    /// Decodes a received body and hands each message to its session as the iterator
    /// advances ([`Client::handle_input`]).
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the body is not JSON at all, or neither an object nor an array.
    pub fn handle_input<'c, 'a>(
        &'c mut self,
        now: Instant,
        body: &'a [u8],
    ) -> Result<SessionOutputs<'c, 'a, S, HANDLES, PENDING, EVENTS>, DecodeError> {
        Ok(SessionOutputs { sessions: self, batch: Batch::decode(body)?, now })
    }

    /// Hands one received message to its session ([`Client::handle_message`]): the client
    /// whose request it answers, else the client of its `session_id`, else the one with its
    /// `sender`. A message no session takes is [`Output::Ignored`].
    pub fn handle_message<'a>(&mut self, now: Instant, message: Message<'a>) -> Output<'a> {
        match self.route(&message) {
            Ok(slot) => match self.clients.as_mut().get_mut(slot) {
                Some(client) => client.handle_message(now, message),
                None => Output::Ignored { reason: Ignored::Unroutable, message },
            },
            Err(reason) => Output::Ignored { reason, message },
        }
    }

    /// Hands one unreadable message to the session whose request it answers
    /// ([`Client::handle_malformed`]); otherwise it is [`Output::Malformed`].
    pub fn handle_malformed<'a>(&mut self, malformed: Malformed<'a>) -> Output<'a> {
        let slot = malformed.transaction.and_then(|tx| self.clients.as_ref().iter().position(|c| c.awaits(&tx)));
        match slot.and_then(|slot| self.clients.as_mut().get_mut(slot)) {
            Some(client) => client.handle_malformed(malformed),
            None => Output::Malformed(malformed),
        }
    }

    fn route(&self, message: &Message<'_>) -> Result<usize, Ignored> {
        let clients = self.clients.as_ref();
        let session = message.session_id();
        let own = session.and_then(|s| clients.iter().position(|c| c.carries(s)));
        let transaction = message.transaction();
        if let Some(tx) = &transaction {
            // The session's own client first; a `create`'s answer names no session.
            if let Some(slot) = own.filter(|&slot| clients.get(slot).is_some_and(|c| c.awaits(tx))) {
                return Ok(slot);
            }
            if let Some(slot) = clients.iter().position(|c| c.awaits(tx)) {
                return Ok(slot);
            }
        }
        if session.is_some() {
            return own.ok_or(Ignored::OtherSession);
        }
        if let Some(handle) = message.sender() {
            return clients.iter().position(|c| c.has_handle(handle)).ok_or(Ignored::UnknownHandle);
        }
        Err(if transaction.is_some() { Ignored::UnknownTransaction } else { Ignored::Unroutable })
    }
}

/// The slots `0..count` in turn, from `first` on and then from the start.
fn turns(first: usize, count: usize) -> impl Iterator<Item = usize> {
    let first = first.min(count);
    (first..count).chain(0..first)
}

/// The outputs of one received body for [`Sessions`], each handled by its session as the
/// iterator advances; see [`Sessions::handle_input`].
#[derive(Debug)]
pub struct SessionOutputs<'c, 'a, S, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> {
    sessions: &'c mut Sessions<S, HANDLES, PENDING, EVENTS>,
    batch: Batch<'a>,
    now: Instant,
}

impl<'a, S, const HANDLES: usize, const PENDING: usize, const EVENTS: usize> Iterator
    for SessionOutputs<'_, 'a, S, HANDLES, PENDING, EVENTS>
where
    S: AsRef<[Client<HANDLES, PENDING, EVENTS>]> + AsMut<[Client<HANDLES, PENDING, EVENTS>]>,
{
    type Item = Result<Output<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(Ok(match self.batch.next_lenient()? {
            Ok(message) => self.sessions.handle_message(self.now, message),
            Err(malformed) => self.sessions.handle_malformed(malformed),
        }))
    }
}
