//! Several Janus servers tried in order, in bounded rounds with a doubling back-off (what
//! janus.js and janode do with a list of servers), to connect and to reconnect.

use std::fmt;
use std::time::{Duration, Instant};

use janus_signal::client::SessionState;
use janus_signal::{HandleId, SessionId};

use crate::stream::Dialer;
use crate::url::Endpoint;
use crate::{Error, Janus, Options};

/// How [`Janus::connect_any`] and [`Janus::reconnect_any`] go through their servers: each round tries every URL once, in
/// order; between rounds it waits, twice as long each time up to a cap; it gives up after
/// `rounds` rounds or `max_total`, whichever comes first.
///
/// ```
/// use std::time::Duration;
/// use janus_signal_socket::{Failover, Options};
///
/// let options = Options {
///     failover: Failover { rounds: 5, max_total: Duration::from_secs(60), ..Failover::default() },
///     ..Options::default()
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failover {
    /// How many times the whole list is tried (0 counts as 1). Default 3.
    pub rounds: u32,
    /// The pause after the first round in which no server answered. Default 500 ms.
    pub initial_backoff: Duration,
    /// The longest pause between two rounds (the pause doubles up to it). Default 4 s.
    pub max_backoff: Duration,
    /// The longest [`Janus::connect_any`] (or [`Janus::reconnect_any`]) may take: no attempt
    /// starts after it, and each
    /// attempt's connect and probe timeouts are cut to what is left of it (a WebSocket
    /// handshake may still take one such timeout past it). Default 30 s.
    pub max_total: Duration,
}

impl Default for Failover {
    fn default() -> Self {
        Self {
            rounds: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(4),
            max_total: Duration::from_secs(30),
        }
    }
}

/// One failed attempt of [`Janus::connect_any`] or [`Janus::reconnect_any`] (see
/// [`Error::NoServerReachable`], [`Error::SessionLost`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct ServerFailure {
    /// The URL tried.
    pub url: String,
    /// In which round (1 for the first).
    pub round: u32,
    /// What went wrong.
    pub error: Error,
}

impl fmt::Display for ServerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (round {}): {}", self.url, self.round, self.error)
    }
}

impl Janus {
    /// Connects to the first of `urls` that answers: each is connected to as by
    /// [`connect`](Self::connect) and then asked for a `ping` (so that a port that accepts
    /// connections but is no working Janus counts as down), in order, in rounds with a
    /// back-off between them, within the bounds of [`Options::failover`]. Which one answered
    /// is [`server_url`](Self::server_url).
    ///
    /// All URLs are checked before any is tried: a URL that can never work (malformed, TLS
    /// without the `tls` feature, unusable TLS settings) is an error at once. The client keeps
    /// the list: after losing the connection, [`reconnect_any`](Self::reconnect_any) goes
    /// through it again (the server it was on first, to claim the session), while
    /// [`reconnect`](Self::reconnect) tries only the server it was on.
    ///
    /// ```no_run
    /// use janus_signal_socket::{Error, Janus, Options};
    ///
    /// # fn main() -> Result<(), Error> {
    /// let servers = ["wss://janus-a.example", "wss://janus-b.example", "https://janus-c.example/janus"];
    /// let mut janus = Janus::connect_any(&servers, Options::default())?;
    /// println!("connected to {}", janus.server_url());
    /// janus.create_session()?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NoServers`] for an empty list; [`Error::InvalidUrl`],
    /// [`Error::TlsNotEnabled`] or [`Error::Tls`] for a URL that can never work;
    /// [`Error::NoServerReachable`] with every failed attempt when none answered.
    pub fn connect_any<U: AsRef<str>>(urls: &[U], options: Options) -> Result<Self, Error> {
        if urls.is_empty() {
            return Err(Error::NoServers);
        }
        let servers = urls
            .iter()
            .map(|url| {
                let endpoint = Endpoint::parse(url.as_ref())?;
                let dialer = Dialer::new(&endpoint, &options.tls, options.connect_timeout)?;
                Ok((endpoint, dialer))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let policy = options.failover;
        let started = Instant::now();
        let deadline = started + policy.max_total;
        let rounds = policy.rounds.max(1);
        let mut backoff = policy.initial_backoff;
        let mut failures = Vec::new();
        'rounds: for round in 1..=rounds {
            for (endpoint, dialer) in &servers {
                if Instant::now() >= deadline {
                    log::warn!("no Janus server answered within {:?}", policy.max_total);
                    break 'rounds;
                }
                let url = endpoint.url.clone();
                match Self::try_server(endpoint.clone(), dialer, &options, deadline) {
                    Ok(mut janus) => {
                        janus.set_servers(servers.clone());
                        log::info!(
                            "connected to Janus at {url} (round {round}, after {} failed attempts, {:?})",
                            failures.len(),
                            started.elapsed()
                        );
                        return Ok(janus);
                    }
                    Err(error) => {
                        log::warn!("Janus at {url} failed (round {round} of {rounds}): {error}");
                        failures.push(ServerFailure { url, round, error });
                    }
                }
            }
            if round == rounds {
                break;
            }
            let pause = backoff.min(deadline.saturating_duration_since(Instant::now()));
            if pause.is_zero() {
                continue;
            }
            log::info!("no Janus server answered in round {round}; trying again in {pause:?}");
            std::thread::sleep(pause);
            backoff = backoff.saturating_mul(2).min(policy.max_backoff);
        }
        Err(Error::NoServerReachable { failures })
    }

    /// One attempt: connect and `ping`, each within the connect timeout and before
    /// `deadline`.
    fn try_server(endpoint: Endpoint, dialer: &Dialer, options: &Options, deadline: Instant) -> Result<Self, Error> {
        let left = || deadline.saturating_duration_since(Instant::now());
        let timeout = options.connect_timeout.min(left());
        if timeout.is_zero() {
            return Err(Error::Timeout);
        }
        let mut attempt = options.clone();
        attempt.connect_timeout = timeout;
        let mut janus = Self::open_endpoint(endpoint, dialer.with_timeout(timeout), attempt)?;
        let probe_timeout = options.connect_timeout.min(left());
        if probe_timeout.is_zero() {
            return Err(Error::Timeout);
        }
        janus.probe(probe_timeout)?;
        // Later connections (long polls, reconnects) get the whole timeout again.
        janus.reset_connect_timeout(dialer, options.connect_timeout);
        Ok(janus)
    }
}

/// What [`Janus::reconnect_any`] did with the session. `#[must_use]`: when it says
/// [`NewSession`](Self::NewSession), every handle of the old session is gone and must be
/// attached again.
#[must_use = "the session may have been replaced by a new one: its handles are then gone"]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reconnected {
    /// The session was claimed on `server`: same id, every handle kept, events flow again.
    Claimed {
        /// The URL of the server, as given.
        server: String,
        /// The session, as before.
        session: SessionId,
    },
    /// The session could not be kept: a new one was created on `server`. The old session's
    /// handles are gone (they no longer exist for this client; attach again).
    NewSession {
        /// The URL of the server, as given.
        server: String,
        /// The new session.
        session: SessionId,
        /// The old session, the handles lost with it, and why.
        lost: LostSession,
    },
    /// There was no session to keep (none was created, or it had ended before): connected to
    /// `server`, and nothing else happened.
    Connected {
        /// The URL of the server, as given.
        server: String,
    },
}

impl Reconnected {
    /// The URL of the server now connected to.
    #[must_use]
    pub fn server(&self) -> &str {
        match self {
            Self::Claimed { server, .. } | Self::NewSession { server, .. } | Self::Connected { server } => server,
        }
    }

    /// The session lost, if the session could not be kept.
    #[must_use]
    pub fn lost(&self) -> Option<&LostSession> {
        match self {
            Self::NewSession { lost, .. } => Some(lost),
            _ => None,
        }
    }
}

/// A session [`Janus::reconnect_any`] could not keep, with the handles that went with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LostSession {
    /// The session.
    pub session: SessionId,
    /// Its handles when the connection was lost: none of them exists for this client any more.
    pub handles: Vec<HandleId>,
    /// Why it could not be kept.
    pub reason: LossReason,
}

impl fmt::Display for LostSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session {} lost ({}) with its handles [", self.session, self.reason)?;
        for (i, handle) in self.handles.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{handle}")?;
        }
        f.write_str("]")
    }
}

/// Why a session could not be kept (see [`LostSession`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LossReason {
    /// The server answered the `claim` with 458 (no such session): another server (a session
    /// lives on one server only), or the same one after its `reclaim_session_timeout` (0 by
    /// default) or after a restart.
    NotFound,
    /// The next server answering speaks the other transport (WebSocket / HTTP): the client's
    /// session state does not move across transports, so no claim was tried.
    OtherTransport,
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotFound => "the server does not know it",
            Self::OtherTransport => "the next server uses another transport",
        })
    }
}

impl Janus {
    /// Reconnects after the connection was lost, with failover: drops the connection (pending
    /// requests fail), then tries the server it was on and after it the other servers given to
    /// [`connect_any`](Self::connect_any), in order, in rounds with a back-off, within the
    /// bounds of [`Options::failover`] (a client made by [`connect`](Self::connect) has only
    /// its own server). On each server that accepts a connection:
    ///
    /// - with a session to keep, it is `claim`ed: where the server still knows it (the same
    ///   server, within its `reclaim_session_timeout`; over HTTP any time before the session
    ///   times out) → [`Reconnected::Claimed`], handles kept. When the server answers 458
    ///   (another server; or the same one after the reclaim timeout or a restart) the session
    ///   is given up and a new one is created there → [`Reconnected::NewSession`], listing
    ///   the handles lost. Any other failure (a timeout, another error) moves on to the next
    ///   server with the session still to be claimed;
    /// - without a session (none yet, or it had ended) it is `ping`ed →
    ///   [`Reconnected::Connected`].
    ///
    /// [`server_url`](Self::server_url) says where the client is now; the list stays, so a
    /// later `reconnect_any` starts from that server.
    ///
    /// ```no_run
    /// use janus_signal_socket::{Error, Janus, Options, Reconnected};
    ///
    /// # fn main() -> Result<(), Error> {
    /// let mut janus = Janus::connect_any(&["ws://janus-a.example:8188", "ws://janus-b.example:8188"], Options::default())?;
    /// janus.create_session()?;
    /// let handle = janus.attach("janus.plugin.echotest", None)?;
    /// // ... the connection breaks (a call fails with Error::Closed or Error::Io) ...
    /// match janus.reconnect_any()? {
    ///     Reconnected::Claimed { .. } => { /* `handle` still works */ }
    ///     Reconnected::NewSession { lost, .. } => {
    ///         assert!(lost.handles.contains(&handle)); // attach again
    ///     }
    ///     _ => {}
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NoServerReachable`] with every failed attempt when no server took the session
    /// (it is then still to be claimed, with its handles: call `reconnect_any` again later);
    /// [`Error::SessionLost`] when, besides, a server had said the session is gone (it and its
    /// handles are lost, and no new session was created).
    pub fn reconnect_any(&mut self) -> Result<Reconnected, Error> {
        let had = match self.client().session() {
            SessionState::Active(s)
            | SessionState::Destroying(s)
            | SessionState::Claiming(s)
            | SessionState::Disconnected(s) => Some(s),
            _ => None,
        };
        let handles: Vec<HandleId> = self.client().handles().collect();
        log::info!(
            "reconnecting from {} with failover (session {had:?}, {} handles)",
            self.server_url(),
            handles.len()
        );
        self.lose_transport();
        let servers = self.failover_order();
        let policy = self.options().failover;
        let started = Instant::now();
        let deadline = started + policy.max_total;
        let rounds = policy.rounds.max(1);
        let mut backoff = policy.initial_backoff;
        let mut failures = Vec::new();
        let mut lost = None;
        'rounds: for round in 1..=rounds {
            for (endpoint, dialer) in &servers {
                if Instant::now() >= deadline {
                    log::warn!("no Janus server took the session within {:?}", policy.max_total);
                    break 'rounds;
                }
                let url = endpoint.url.clone();
                match self.recover_on(endpoint, dialer, had, &handles, &mut lost, deadline) {
                    Ok(done) => {
                        log::info!(
                            "reconnected to {url} (round {round}, after {} failed attempts, {:?}): {done:?}",
                            failures.len(),
                            started.elapsed()
                        );
                        return Ok(done);
                    }
                    Err(error) => {
                        log::warn!("reconnecting to {url} failed (round {round} of {rounds}): {error}");
                        failures.push(ServerFailure { url, round, error });
                    }
                }
            }
            if round == rounds {
                break;
            }
            let pause = backoff.min(deadline.saturating_duration_since(Instant::now()));
            if pause.is_zero() {
                continue;
            }
            log::info!("no Janus server took the session in round {round}; trying again in {pause:?}");
            std::thread::sleep(pause);
            backoff = backoff.saturating_mul(2).min(policy.max_backoff);
        }
        match lost {
            Some(lost) => Err(Error::SessionLost { lost: Box::new(lost), failures }),
            None => Err(Error::NoServerReachable { failures }),
        }
    }

    /// One attempt of [`reconnect_any`](Self::reconnect_any) on one server, each step within
    /// the connect (or request) timeout and before `deadline`. Records in `lost` when the
    /// session is given up.
    fn recover_on(
        &mut self,
        endpoint: &Endpoint,
        dialer: &Dialer,
        had: Option<SessionId>,
        handles: &[HandleId],
        lost: &mut Option<LostSession>,
        deadline: Instant,
    ) -> Result<Reconnected, Error> {
        let left = || deadline.saturating_duration_since(Instant::now());
        let connect_timeout = self.options().connect_timeout.min(left());
        if connect_timeout.is_zero() {
            return Err(Error::Timeout);
        }
        // What a failed earlier attempt left pending (a claim, a create) is abandoned with its
        // connection: the session is `Disconnected` again, to be claimed here.
        self.lose_transport();
        let kept = self.switch_to(endpoint, dialer, connect_timeout)?;
        let server = endpoint.url.clone();
        if let (false, Some(session), None) = (kept, had, &lost) {
            log::warn!("{server} uses another transport: session {session} cannot move there");
            *lost = Some(LostSession { session, handles: handles.to_vec(), reason: LossReason::OtherTransport });
        }
        let request_timeout = self.options().request_timeout.min(left());
        if request_timeout.is_zero() {
            return Err(Error::Timeout);
        }
        if let SessionState::Disconnected(session) = self.client().session() {
            match self.within(request_timeout, |janus| janus.claim_session(session)) {
                Ok(()) => return Ok(Reconnected::Claimed { server, session }),
                Err(e) if e.janus_code() == Some(458) => {
                    log::warn!("{server} does not know session {session}: its handles are lost, creating a new one");
                    lost.get_or_insert(LostSession {
                        session,
                        handles: handles.to_vec(),
                        reason: LossReason::NotFound,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(old) = lost {
            let session = self.within(left().min(request_timeout), Self::create_session)?;
            return Ok(Reconnected::NewSession { server, session, lost: old.clone() });
        }
        let probe_timeout = self.options().connect_timeout.min(left());
        if probe_timeout.is_zero() {
            return Err(Error::Timeout);
        }
        self.within(probe_timeout, Self::ping)?;
        Ok(Reconnected::Connected { server })
    }
}
