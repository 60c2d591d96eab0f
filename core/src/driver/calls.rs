//! The common requests as one call each, on any [`Link`]: what a program that runs one
//! session step by step (the firmware example) needs, with Janus's refusals as errors.

use serde::Serialize;

use super::blocking::{CallError, Command, Driver};
use super::http::Clock;
use super::link::{Link, Sink};
use crate::client::{Client, Refusal};
use crate::ids::{HandleId, SessionId};
use crate::message::Message;
use crate::time::Instant;

/// No limit of the caller's: the client's request timeout ends every request.
const NO_LIMIT: Instant = Instant::from_millis(u64::MAX);

/// The error a refusal is.
fn refused<E>(refusal: Refusal<'_>) -> CallError<E> {
    match refusal {
        Refusal::Janus { code, .. } => CallError::Janus(code),
        Refusal::Plugin(error) => CallError::Plugin(error.code),
        Refusal::Malformed(_) => CallError::MalformedReply,
    }
}

/// The requests of a session, each sent and waited for (within the client's request
/// timeout), with what arrives meanwhile handed to `sink` (a closure `|output| …` will do).
/// Janus's refusals are errors: [`CallError::Janus`] with its code, [`CallError::Plugin`],
/// [`CallError::MalformedReply`].
impl<L, K, const HANDLES: usize, const PENDING: usize, const EVENTS: usize>
    Driver<L, K, Client<HANDLES, PENDING, EVENTS>>
where
    L: Link,
    K: Clock,
{
    /// `create`: opens the session and returns its id.
    ///
    /// # Errors
    ///
    /// [`CallError::Janus`] when Janus refuses (403 for wrong credentials); the others of
    /// [`call`](Self::call).
    pub fn create_session(&mut self, sink: &mut dyn Sink) -> Result<SessionId, CallError<L::Error>> {
        self.expect_id(&mut |c, now, out| c.create_session(now, out), sink).map(SessionId)
    }

    /// `claim`: takes over `session` on this connection (see
    /// [`Client::claim_session`](crate::client::Client::claim_session)).
    ///
    /// # Errors
    ///
    /// [`CallError::Janus`] with [`SessionNotFound`](crate::message::ErrorCode::SessionNotFound)
    /// when the session does not exist (any more); the others of [`call`](Self::call).
    pub fn claim_session(&mut self, session: SessionId, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        self.expect_success(&mut |c, now, out| c.claim_session(now, out, session), sink)
    }

    /// `attach` to `plugin` (e.g. `janus.plugin.echotest`): returns the handle.
    ///
    /// # Errors
    ///
    /// [`CallError::Janus`] with [`PluginNotFound`](crate::message::ErrorCode::PluginNotFound)
    /// for an unknown plugin; the others of [`call`](Self::call).
    pub fn attach(&mut self, plugin: &str, sink: &mut dyn Sink) -> Result<HandleId, CallError<L::Error>> {
        self.expect_id(&mut |c, now, out| c.attach(now, out, plugin, None), sink).map(HandleId)
    }

    /// `detach`: ends `handle`.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn detach(&mut self, handle: HandleId, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        self.expect_success(&mut |c, now, out| c.detach(now, out, handle), sink)
    }

    /// `hangup`: closes `handle`'s PeerConnection.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn hangup(&mut self, handle: HandleId, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        self.expect_success(&mut |c, now, out| c.hangup(now, out, handle), sink)
    }

    /// `destroy`: ends the session.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn destroy_session(&mut self, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        self.expect_success(&mut |c, now, out| c.destroy_session(now, out), sink)
    }

    /// `keepalive`, answered by an `ack`.
    ///
    /// # Errors
    ///
    /// As [`create_session`](Self::create_session).
    pub fn keepalive(&mut self, sink: &mut dyn Sink) -> Result<(), CallError<L::Error>> {
        self.expect_success(&mut |c, now, out| c.keepalive(now, out), sink)
    }

    /// `message` (with an optional `jsep`) to `handle`'s plugin; `read` takes the plugin's
    /// answer (its synchronous `success`, or the `event` that answers the request, which over
    /// HTTP comes by the long poll). Its `ack` goes to `sink` as
    /// [`Output::Acked`](crate::client::Output::Acked).
    ///
    /// # Errors
    ///
    /// [`CallError::Janus`] for a core error (459 for a handle Janus no longer has),
    /// [`CallError::Plugin`] for the plugin's; the others of [`call`](Self::call).
    pub fn message<B: ?Sized + Serialize, J: ?Sized + Serialize, T>(
        &mut self,
        handle: HandleId,
        body: &B,
        jsep: Option<&J>,
        sink: &mut dyn Sink,
        read: impl FnOnce(Message<'_>) -> T,
    ) -> Result<T, CallError<L::Error>> {
        self.call(&mut |c, now, out| c.message(now, out, handle, body, jsep), NO_LIMIT, sink, |answer| {
            answer.map(read).map_err(refused)
        })?
    }

    /// Runs `command` and returns the `data.id` of its `success`.
    fn expect_id(
        &mut self,
        command: &mut Command<'_, Client<HANDLES, PENDING, EVENTS>>,
        sink: &mut dyn Sink,
    ) -> Result<u64, CallError<L::Error>> {
        self.expect(command, sink, true)
    }

    /// Runs `command` and checks that it succeeded (`success`, or the `ack` that answers a
    /// `keepalive`).
    fn expect_success(
        &mut self,
        command: &mut Command<'_, Client<HANDLES, PENDING, EVENTS>>,
        sink: &mut dyn Sink,
    ) -> Result<(), CallError<L::Error>> {
        self.expect(command, sink, false).map(|_| ())
    }

    /// [`expect_id`](Self::expect_id) when `id`, else [`expect_success`](Self::expect_success)
    /// (returning 0). Not inlined: one copy for every command (small targets' flash).
    #[inline(never)]
    fn expect(
        &mut self,
        command: &mut Command<'_, Client<HANDLES, PENDING, EVENTS>>,
        sink: &mut dyn Sink,
        id: bool,
    ) -> Result<u64, CallError<L::Error>> {
        let mut outcome = Err(CallError::UnexpectedReply);
        self.call_with(command, NO_LIMIT, sink, &mut |answer| {
            outcome = match answer {
                Ok(Message::Success(success)) if id => success.id().ok_or(CallError::UnexpectedReply),
                Ok(Message::Success(_) | Message::Ack(_)) if !id => Ok(0),
                Ok(_) => Err(CallError::UnexpectedReply),
                Err(refusal) => Err(refused(refusal)),
            };
        })?;
        outcome
    }
}
