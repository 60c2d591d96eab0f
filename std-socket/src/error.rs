//! The error type of the blocking clients.

use std::fmt;

use janus_signal::client::{ClientError, Refusal, SessionEnd};
use janus_signal::http::HttpError;
use janus_signal::json::JsonStr;
use janus_signal::message::ErrorCode;
use janus_signal::{DecodeError, EncodeError};

use crate::{LostSession, MalformedMessage, ServerFailure, TlsError};

/// Why a call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not `http[s]://host[:port][/path]` or `ws[s]://host[:port][/path]`.
    InvalidUrl(String),
    /// The URL is `https://` or `wss://`, but this build has no TLS: enable the cargo feature
    /// `tls` of `janus-signal-socket`.
    TlsNotEnabled {
        /// The URL.
        url: String,
    },
    /// TLS could not be set up: unusable settings, a rejected server certificate, a failed
    /// handshake.
    Tls(TlsError),
    /// [`Janus::connect_any`](crate::Janus::connect_any) was given no URL.
    NoServers,
    /// [`Janus::connect_any`](crate::Janus::connect_any) reached none of its servers: every
    /// attempt, in order.
    NoServerReachable {
        /// What each attempt ran into.
        failures: Vec<ServerFailure>,
    },
    /// [`Janus::reconnect_any`](crate::Janus::reconnect_any) reached no server that could
    /// take the session or a new one, after a server had said the session is gone (458): the
    /// session and its handles are lost, and no new session exists. Call `reconnect_any` again
    /// (it then creates a new session).
    SessionLost {
        /// The session that was lost, with its handles.
        lost: Box<LostSession>,
        /// What each attempt ran into, in order.
        failures: Vec<ServerFailure>,
    },
    /// A socket operation failed.
    Io(std::io::Error),
    /// The WebSocket layer failed (handshake refused, protocol error…).
    WebSocket(Box<tungstenite::Error>),
    /// The connection closed.
    Closed,
    /// The server's HTTP is malformed.
    Http(HttpError),
    /// Janus answered a POST with an HTTP status other than 200 (403: credentials refused on a
    /// long poll, 404: no such session…).
    HttpStatus(u16),
    /// A reply is larger than the configured receive buffer / maximum message size.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A reply is not valid Janus JSON.
    Decode(DecodeError),
    /// The answer to the request cannot be read as its kind (a member missing or of the wrong
    /// type): the request failed. Unsolicited messages that cannot be read never fail a call:
    /// they are [`Event::Malformed`](crate::Event::Malformed).
    MalformedReply(Box<MalformedMessage>),
    /// A request could not be written.
    Encode(EncodeError),
    /// The session machine refused the call (no session, unknown handle, full table…).
    Client(ClientError),
    /// Janus answered with a core `error`.
    Janus {
        /// `error.code`.
        code: ErrorCode,
        /// `error.reason`.
        reason: String,
    },
    /// A plugin answered with an error in its data (`error_code`, `error`).
    Plugin {
        /// `error_code`, when given.
        code: Option<u64>,
        /// `error`, when given.
        reason: String,
    },
    /// No answer within the request timeout.
    Timeout,
    /// The session ended while waiting.
    SessionEnded(SessionEnd),
    /// An answer of an unexpected kind.
    Unexpected(&'static str),
}

impl Error {
    /// The error of a request Janus refused (as core's
    /// [`answer`](janus_signal::client::answer) sorts the answers).
    pub(crate) fn refused(refusal: Refusal<'_>) -> Self {
        let text = |reason: Option<JsonStr<'_>>| reason.map(|r| r.to_string()).unwrap_or_default();
        match refusal {
            Refusal::Janus { code, reason } => Self::Janus { code, reason: text(reason) },
            Refusal::Plugin(error) => Self::Plugin { code: error.code, reason: text(error.reason) },
            Refusal::Malformed(malformed) => Self::MalformedReply(Box::new(MalformedMessage::new(&malformed))),
            _ => Self::Unexpected("refused"),
        }
    }

    /// The Janus error code, for core and plugin errors.
    #[must_use]
    pub fn janus_code(&self) -> Option<u64> {
        match self {
            Self::Janus { code, .. } => Some(code.code()),
            Self::Plugin { code, .. } => *code,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl(url) => write!(f, "not a Janus URL: {url}"),
            Self::TlsNotEnabled { url } => write!(
                f,
                "{url} needs TLS, but janus-signal-socket was built without its `tls` cargo feature \
                 (features = [\"tls\"])"
            ),
            Self::Tls(e) => write!(f, "TLS error: {e}"),
            Self::NoServers => f.write_str("no Janus server URL given"),
            Self::NoServerReachable { failures } => {
                f.write_str("no Janus server reachable")?;
                for (i, failure) in failures.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{failure}")?;
                }
                Ok(())
            }
            Self::SessionLost { lost, failures } => {
                write!(f, "{lost}, and no server took a new one")?;
                for (i, failure) in failures.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{failure}")?;
                }
                Ok(())
            }
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::WebSocket(e) => write!(f, "WebSocket error: {e}"),
            Self::Closed => f.write_str("connection closed"),
            Self::Http(e) => write!(f, "HTTP error: {e}"),
            Self::HttpStatus(s) => write!(f, "HTTP status {s}"),
            Self::TooLarge { limit } => write!(f, "message larger than {limit} bytes"),
            Self::Decode(e) => write!(f, "undecodable message: {e}"),
            Self::MalformedReply(m) => write!(f, "unreadable answer: {m}"),
            Self::Encode(e) => write!(f, "cannot write request: {e}"),
            Self::Client(e) => write!(f, "{e}"),
            Self::Janus { code, reason } => write!(f, "Janus error {code}: {reason}"),
            Self::Plugin { code: Some(code), reason } => write!(f, "plugin error {code}: {reason}"),
            Self::Plugin { code: None, reason } => write!(f, "plugin error: {reason}"),
            Self::Timeout => f.write_str("no answer in time"),
            Self::SessionEnded(reason) => write!(f, "session ended: {reason:?}"),
            Self::Unexpected(what) => write!(f, "unexpected answer: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::WebSocket(e) => Some(e.as_ref()),
            Self::Decode(e) => Some(e),
            Self::MalformedReply(m) => Some(m.error()),
            Self::Tls(e) => Some(e),
            Self::NoServerReachable { failures } | Self::SessionLost { failures, .. } => {
                failures.last().map(|f| &f.error as _)
            }
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<TlsError> for Error {
    fn from(e: TlsError) -> Self {
        Self::Tls(e)
    }
}

impl From<ClientError> for Error {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Encode(e) => Self::Encode(e),
            other => Self::Client(other),
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<tungstenite::Error> for Error {
    fn from(e: tungstenite::Error) -> Self {
        match e {
            tungstenite::Error::Io(io) => Self::Io(io),
            tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
                Self::Closed
            }
            tungstenite::Error::Capacity(_) => Self::TooLarge { limit: 0 },
            other => Self::WebSocket(Box::new(other)),
        }
    }
}
