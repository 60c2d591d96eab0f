//! What the client tells its caller: outputs of received messages, and queued events.

use super::transaction::RequestId;
use crate::ids::{HandleId, SessionId};
use crate::message::{Malformed, Message};

/// The kind of a request the client sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RequestKind {
    /// `create`
    Create,
    /// `claim`
    Claim,
    /// `destroy`
    Destroy,
    /// `keepalive`
    Keepalive,
    /// `attach`
    Attach,
    /// `message`
    Message,
    /// `trickle`
    Trickle,
    /// `hangup`
    Hangup,
    /// `detach`
    Detach,
    /// `info`
    Info,
    /// `ping`
    Ping,
    /// Any other request ([`Client::custom`](super::Client::custom)).
    Custom,
}

impl RequestKind {
    /// The request's `janus` name (`"custom"` for [`Custom`](Self::Custom), whose name is the
    /// caller's).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Claim => "claim",
            Self::Destroy => "destroy",
            Self::Keepalive => "keepalive",
            Self::Attach => "attach",
            Self::Message => "message",
            Self::Trickle => "trickle",
            Self::Hangup => "hangup",
            Self::Detach => "detach",
            Self::Info => "info",
            Self::Ping => "ping",
            Self::Custom => "custom",
        }
    }
}

/// What one received message meant. Borrows the received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output<'a> {
    /// The answer to one of our requests: `success`, `error`, `pong`, `server_info`, or the
    /// plugin `event` that answers a `message` (which may come before or after its `ack`).
    /// Each request ends exactly once: by its reply, or by [`Event::RequestTimedOut`] or
    /// [`Event::RequestAbandoned`] (never both: a `message` answered before its ack only waits
    /// to absorb the ack). Only its reply changes state through a request: a `create`'s
    /// session, a `detach`'s handle, a 458 to a request addressed to the session.
    Reply {
        /// The request answered.
        request: RequestId,
        /// What kind of request it was.
        kind: RequestKind,
        /// The answer.
        message: Message<'a>,
    },
    /// A `message` was acknowledged; its answer comes as a later (or came as an earlier)
    /// event.
    Acked {
        /// The request acknowledged.
        request: RequestId,
    },
    /// Something for one of our handles that answers no pending request: a plugin event,
    /// `webrtcup`, `media`, `slowlink`, `hangup`, `trickle`, `ice-failed`, or `detached` (after
    /// which the handle is gone).
    Handle {
        /// The handle.
        handle: HandleId,
        /// The message.
        message: Message<'a>,
    },
    /// Janus expired the session (`timeout`): its handles are gone and its pending requests
    /// are abandoned (see [`Event::RequestAbandoned`]).
    SessionTimedOut {
        /// The session.
        session: SessionId,
    },
    /// The answer to one of our requests cannot be read (a known kind with a member missing or
    /// of the wrong type): the request has failed, as if answered with an error, and changed
    /// no state.
    MalformedReply {
        /// The request answered.
        request: RequestId,
        /// What kind of request it was.
        kind: RequestKind,
        /// The answer, with what was wrong with it.
        malformed: Malformed<'a>,
    },
    /// A message that answers no pending request cannot be read as its kind (an `ice-failed`
    /// without `sender`, a `media` whose `receiving` is a string, an array element that is not
    /// an object…). Nothing changed; the session goes on.
    Malformed(Malformed<'a>),
    /// Nothing to do: a long-poll `keepalive`, a late event for a handle that is gone, an
    /// answer to a request that already timed out, or a message for another session.
    Ignored {
        /// Why.
        reason: Ignored,
        /// The message.
        message: Message<'a>,
    },
}

/// Why a received message needed no action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Ignored {
    /// The HTTP long poll's keepalive.
    Keepalive,
    /// It names a session that is not this client's.
    OtherSession,
    /// It names a handle this client does not have (late events after a detach are normal).
    UnknownHandle,
    /// Its transaction is not pending (it completed or timed out already).
    UnknownTransaction,
    /// A message with neither transaction nor handle this client can use.
    Unroutable,
}

/// Why the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SessionEnd {
    /// Janus sent `timeout`.
    TimedOut,
    /// Janus answered 458 "no such session" to a request.
    NotFound,
    /// The HTTP long poll was answered with this status (404: the session is gone; 403:
    /// credentials refused).
    LongPollStatus(u16),
    /// Our `destroy` succeeded.
    Destroyed,
    /// The caller said the transport was lost ([`Client::transport_lost`](super::Client::transport_lost)).
    TransportLost,
}

/// Why a pending request will not be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Abandoned {
    /// The session ended first.
    SessionEnded(SessionEnd),
    /// The handle was detached first.
    HandleDetached,
}

/// Things that happen without a received message to carry them, queued for
/// [`Client::poll_event`](super::Client::poll_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// No answer within the request timeout.
    RequestTimedOut {
        /// The request.
        request: RequestId,
        /// Its kind.
        kind: RequestKind,
    },
    /// The request will never be answered.
    RequestAbandoned {
        /// The request.
        request: RequestId,
        /// Its kind.
        kind: RequestKind,
        /// Why.
        reason: Abandoned,
    },
    /// The session is over; a new one can be created (or, with
    /// `reclaim_session_timeout` on the server, the old one claimed).
    SessionEnded {
        /// The session.
        session: SessionId,
        /// Why.
        reason: SessionEnd,
    },
    /// A handle is gone (`detached` event or successful `detach`).
    HandleDetached {
        /// The handle.
        handle: HandleId,
    },
}
