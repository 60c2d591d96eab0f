//! Several Janus servers tried in order, in bounded rounds with a doubling back-off (what
//! janus.js and janode do with a list of servers).

use std::fmt;
use std::time::{Duration, Instant};

use crate::stream::Dialer;
use crate::url::Endpoint;
use crate::{Error, Janus, Options};

/// How [`Janus::connect_any`] goes through its servers: each round tries every URL once, in
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
    /// The longest [`Janus::connect_any`] may take: no attempt starts after it, and each
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

/// One failed attempt of [`Janus::connect_any`] (see [`Error::NoServerReachable`]).
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
    /// without the `tls` feature, unusable TLS settings) is an error at once. A session is
    /// bound to its server: after losing the connection, [`reconnect`](Self::reconnect) goes
    /// back to the same one (to claim the session); call `connect_any` again to move on.
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
                    Ok(janus) => {
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
