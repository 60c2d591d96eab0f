//! What a [`Driver`](super::Driver) runs: one session's [`Client`], or many sessions'
//! [`Sessions`] on one connection. Both keep the same poll contract; this trait is that
//! contract as the driver calls it.

use crate::client::{Client, ClientError, Config, Event, Output, RequestId, RequestKind, Sessions, Transmit};
use crate::error::DecodeError;
use crate::ids::SessionId;
use crate::request::Auth;
use crate::time::Instant;

/// The sans-IO state machine under a [`Driver`](super::Driver): [`Client`] (one session) or
/// [`Sessions`] (several on one connection). Each method is the one of the same name on
/// those types.
pub trait Machine {
    /// The received messages of one body, handled as the iterator advances.
    type Outputs<'c, 'a>: Iterator<Item = Result<Output<'a>, DecodeError>>
    where
        Self: 'c;

    /// The configuration (every session's).
    fn config(&self) -> &Config;
    /// Sets the credentials of every request.
    ///
    /// # Errors
    ///
    /// [`ClientError::CredentialTooLong`].
    fn set_credentials(&mut self, apisecret: Option<&str>, token: Option<&str>) -> Result<(), ClientError>;
    /// The credentials, for the long poll's query.
    fn auth(&self) -> Auth<'_>;
    /// The kind of a pending request.
    fn pending_kind(&self, request: RequestId) -> Option<RequestKind>;
    /// Forgets a request that will not be answered.
    fn cancel(&mut self, request: RequestId) -> bool;
    /// The machine's own traffic.
    ///
    /// # Errors
    ///
    /// [`ClientError::Encode`] when `out` cannot hold a keepalive.
    fn poll_transmit(&mut self, now: Instant, out: &mut [u8]) -> Result<Option<Transmit>, ClientError>;
    /// The next timer.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Expires late requests.
    fn handle_timeout(&mut self, now: Instant);
    /// The next queued event.
    fn poll_event(&mut self) -> Option<Event>;
    /// A long poll returned with `status`: `session`'s, or (`None`, a link that carries one
    /// long poll) the only one out.
    fn long_poll_answered(&mut self, now: Instant, session: Option<SessionId>, status: u16);
    /// The long polls out are lost.
    fn long_poll_failed(&mut self, now: Instant);
    /// The connection is gone.
    fn transport_lost(&mut self, now: Instant);
    /// Decodes a received body.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the body is not JSON at all.
    fn handle_input<'c, 'a>(&'c mut self, now: Instant, body: &'a [u8]) -> Result<Self::Outputs<'c, 'a>, DecodeError>;
}

/// The methods both machines forward to their own of the same name.
macro_rules! forward {
    () => {
        fn config(&self) -> &Config {
            Self::config(self)
        }
        fn set_credentials(&mut self, apisecret: Option<&str>, token: Option<&str>) -> Result<(), ClientError> {
            Self::set_credentials(self, apisecret, token)
        }
        fn auth(&self) -> Auth<'_> {
            Self::auth(self)
        }
        fn pending_kind(&self, request: RequestId) -> Option<RequestKind> {
            Self::pending_kind(self, request)
        }
        fn cancel(&mut self, request: RequestId) -> bool {
            Self::cancel(self, request)
        }
        fn poll_transmit(&mut self, now: Instant, out: &mut [u8]) -> Result<Option<Transmit>, ClientError> {
            Self::poll_transmit(self, now, out)
        }
        fn poll_timeout(&self) -> Option<Instant> {
            Self::poll_timeout(self)
        }
        fn handle_timeout(&mut self, now: Instant) {
            Self::handle_timeout(self, now);
        }
        fn poll_event(&mut self) -> Option<Event> {
            Self::poll_event(self)
        }
        fn transport_lost(&mut self, now: Instant) {
            Self::transport_lost(self, now);
        }
        fn handle_input<'c, 'a>(
            &'c mut self,
            now: Instant,
            body: &'a [u8],
        ) -> Result<Self::Outputs<'c, 'a>, DecodeError> {
            Self::handle_input(self, now, body)
        }
    };
}

impl<const H: usize, const P: usize, const E: usize> Machine for Client<H, P, E> {
    type Outputs<'c, 'a> = crate::client::Outputs<'c, 'a, H, P, E>;

    forward!();

    fn long_poll_answered(&mut self, now: Instant, _session: Option<SessionId>, status: u16) {
        Self::long_poll_answered(self, now, status);
    }
    fn long_poll_failed(&mut self, now: Instant) {
        Self::long_poll_failed(self, now);
    }
}

impl<S, const H: usize, const P: usize, const E: usize> Machine for Sessions<S, H, P, E>
where
    S: AsRef<[Client<H, P, E>]> + AsMut<[Client<H, P, E>]>,
{
    type Outputs<'c, 'a>
        = crate::client::SessionOutputs<'c, 'a, S, H, P, E>
    where
        S: 'c;

    forward!();

    fn long_poll_answered(&mut self, now: Instant, session: Option<SessionId>, status: u16) {
        match session {
            Some(session) => Self::long_poll_answered(self, now, session, status),
            // A link with one long poll: the one session whose poll is out.
            None => {
                if let Some(client) = self.storage_mut().as_mut().iter_mut().find(|c| c.long_poll_is_out()) {
                    client.long_poll_answered(now, status);
                }
            }
        }
    }
    fn long_poll_failed(&mut self, now: Instant) {
        Self::long_poll_failed(self, now, None);
    }
}
