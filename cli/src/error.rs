//! What can go wrong, and the exit code of each.

use std::fmt;

use janus_signal_socket::Error as ClientError;
use serde_json::{Value, json};

/// The Janus core error code for a wrong or missing secret or token.
const UNAUTHORIZED: u64 = 403;

/// How a command failed; decides the exit code (see the crate docs).
#[derive(Debug)]
pub(crate) enum CliError {
    /// A call of the client library failed.
    Client {
        /// What the command was doing: "connect to ws://…", "attach janus.plugin.echotest".
        context: String,
        /// The library's error.
        error: ClientError,
        /// What to try, when the command knows better than the general hints.
        hint: Option<&'static str>,
    },
    /// An argument the parser could not check (a URL, a combination): exit 2.
    Usage(String),
    /// Janus ended the session this command was using.
    SessionEnded(String),
}

/// The exit codes.
pub(crate) mod exit {
    /// Janus answered with an error or ended the session.
    pub(crate) const JANUS: u8 = 1;
    /// Usage error (also clap's).
    pub(crate) const USAGE: u8 = 2;
    /// Connection or transport failure.
    pub(crate) const TRANSPORT: u8 = 3;
    /// No answer in time.
    pub(crate) const TIMEOUT: u8 = 4;
    /// Undecodable or unexpected answer.
    pub(crate) const PROTOCOL: u8 = 5;
}

impl CliError {
    /// Wraps a library error with what was being done.
    pub(crate) fn client(context: impl Into<String>, error: ClientError) -> Self {
        Self::Client { context: context.into(), error, hint: None }
    }

    /// The process exit code.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Client { error, .. } => match error {
                ClientError::Janus { .. } | ClientError::Plugin { .. } | ClientError::SessionEnded(_) => exit::JANUS,
                ClientError::InvalidUrl(_) => exit::USAGE,
                ClientError::Io(_)
                | ClientError::WebSocket(_)
                | ClientError::Closed
                | ClientError::Http(_)
                | ClientError::HttpStatus(_) => exit::TRANSPORT,
                ClientError::Timeout => exit::TIMEOUT,
                _ => exit::PROTOCOL,
            },
            Self::Usage(_) => exit::USAGE,
            Self::SessionEnded(_) => exit::JANUS,
        }
    }

    /// A short name of the failure's kind, for the JSON error object.
    fn kind(&self) -> &'static str {
        match self {
            Self::Client { error, .. } => match error {
                ClientError::Janus { .. } => "janus",
                ClientError::Plugin { .. } => "plugin",
                ClientError::SessionEnded(_) => "session_ended",
                ClientError::InvalidUrl(_) => "usage",
                ClientError::Timeout => "timeout",
                ClientError::MalformedReply(_) => "malformed_reply",
                _ if self.exit_code() == exit::TRANSPORT => "transport",
                _ => "protocol",
            },
            Self::Usage(_) => "usage",
            Self::SessionEnded(_) => "session_ended",
        }
    }

    /// A hint for the reader, when the cause is likely to be a setting.
    fn hint(&self) -> Option<&'static str> {
        let (context, error, hint) = match self {
            Self::Client { context, error, hint } => (context, error, hint),
            Self::Usage(_) => return Some("see janus-signal help COMMAND"),
            Self::SessionEnded(_) => return None,
        };
        if hint.is_some() {
            return *hint;
        }
        if error.janus_code() == Some(UNAUTHORIZED) {
            return Some(if context.starts_with("admin") {
                "wrong or missing admin secret? Pass --admin-secret or set JANUS_ADMIN_SECRET"
            } else {
                "wrong or missing credentials? Pass --apisecret / --token or set JANUS_API_SECRET / JANUS_TOKEN"
            });
        }
        match error {
            ClientError::Io(_) | ClientError::Closed | ClientError::WebSocket(_) => {
                Some("is Janus running there? Check --url / --admin-url (or JANUS_URL / JANUS_ADMIN_URL)")
            }
            ClientError::Timeout => Some("Janus may be busy or the URL may not be Janus: try a longer --timeout"),
            ClientError::InvalidUrl(_) => Some("Janus URLs look like ws://host:8188 or http://host:8088/janus"),
            _ => None,
        }
    }

    /// The error as a JSON object: `{"error": {"exit_code", "kind", "message", ["code", "reason"], ["hint"]}}`.
    pub(crate) fn to_json(&self) -> Value {
        let mut error = json!({
            "exit_code": self.exit_code(),
            "kind": self.kind(),
            "message": self.to_string(),
        });
        if let Self::Client { error: client, .. } = self {
            match client {
                ClientError::Janus { code, reason } => {
                    error["code"] = json!(code.code());
                    error["reason"] = json!(reason);
                }
                ClientError::Plugin { code, reason } => {
                    error["code"] = json!(code);
                    error["reason"] = json!(reason);
                }
                ClientError::MalformedReply(reply) => error["reply"] = json!(reply.json()),
                _ => {}
            }
        }
        if let Some(hint) = self.hint() {
            error["hint"] = json!(hint);
        }
        json!({ "error": error })
    }

    /// The readable text for stderr: the message, and a hint on a second line.
    pub(crate) fn report(&self) -> String {
        match self.hint() {
            Some(hint) => format!("{self}\n  hint: {hint}"),
            None => self.to_string(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client { context, error, .. } => write!(f, "{context}: {error}"),
            Self::Usage(text) | Self::SessionEnded(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Client { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use janus_signal_socket::janus_signal::message::ErrorCode;

    #[test]
    fn exit_codes() {
        let janus =
            CliError::client("x", ClientError::Janus { code: ErrorCode::from_code(458), reason: "gone".into() });
        assert_eq!(janus.exit_code(), 1);
        assert_eq!(janus.to_json()["error"]["code"], 458);
        assert_eq!(janus.to_json()["error"]["reason"], "gone");
        assert_eq!(CliError::client("x", ClientError::Plugin { code: Some(411), reason: "r".into() }).exit_code(), 1);
        assert_eq!(CliError::client("x", ClientError::InvalidUrl("u".into())).exit_code(), 2);
        assert_eq!(CliError::client("x", ClientError::Closed).exit_code(), 3);
        assert_eq!(CliError::client("x", ClientError::HttpStatus(404)).exit_code(), 3);
        assert_eq!(CliError::client("x", ClientError::Timeout).exit_code(), 4);
        assert_eq!(CliError::client("x", ClientError::Unexpected("what")).exit_code(), 5);
        assert_eq!(CliError::Usage("u".into()).exit_code(), 2);
        assert_eq!(CliError::client("x", ClientError::Unexpected("what")).to_json()["error"]["kind"], "protocol");
    }

    #[test]
    fn hints() {
        let denied = |context: &str| {
            CliError::client(context, ClientError::Janus { code: ErrorCode::from_code(403), reason: "no".into() })
                .report()
        };
        assert!(denied("admin list_sessions").contains("--admin-secret"));
        assert!(denied("create a session").contains("--apisecret"));
    }
}
