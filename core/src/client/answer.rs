//! What an answer says about its request: the one place where a reply becomes a success or a
//! refusal, for every driver and adapter.

use super::event::RequestKind;
use crate::json::JsonStr;
use crate::message::{ErrorCode, Malformed, Message, PluginError};

/// Why a request was refused, read from its answer (borrowing the received bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal<'a> {
    /// Janus answered with a core `error`.
    Janus {
        /// `error.code`.
        code: ErrorCode,
        /// `error.reason`.
        reason: Option<JsonStr<'a>>,
    },
    /// The plugin answered a `message` with an error in its data (`error_code`, `error`), in
    /// its `success` or in its `event`.
    Plugin(PluginError<'a>),
    /// The answer cannot be read as its kind (a member missing or of the wrong type).
    Malformed(Malformed<'a>),
}

/// Sorts the answer to a request of `kind`: a core `error` and, for a `message`, a plugin
/// error in the plugin's data are refusals; anything else answers the request.
///
/// ```
/// use janus_signal::client::{answer, Refusal, RequestKind};
/// use janus_signal::message::{ErrorCode, Message};
///
/// let error = br#"{"janus":"error","transaction":"t","error":{"code":460,"reason":"No such plugin"}}"#;
/// let Err(Refusal::Janus { code, reason }) = answer(RequestKind::Attach, Message::decode(error).unwrap()) else {
///     panic!()
/// };
/// assert_eq!((code, reason.unwrap().as_plain()), (ErrorCode::PluginNotFound, Some("No such plugin")));
///
/// let event = br#"{"janus":"event","sender":1,"transaction":"t",
///     "plugindata":{"plugin":"janus.plugin.videoroom","data":{"error_code":426,"error":"No such room"}}}"#;
/// let Err(Refusal::Plugin(error)) = answer(RequestKind::Message, Message::decode(event).unwrap()) else {
///     panic!()
/// };
/// assert_eq!(error.code, Some(426));
/// ```
///
/// # Errors
///
/// The [`Refusal`] the answer carries.
pub fn answer(kind: RequestKind, message: Message<'_>) -> Result<Message<'_>, Refusal<'_>> {
    let plugin_data = match message {
        Message::Error(e) => return Err(Refusal::Janus { code: e.code, reason: e.reason }),
        Message::Success(s) if kind == RequestKind::Message => s.plugin_data,
        Message::Event(e) if kind == RequestKind::Message => e.plugin_data,
        _ => None,
    };
    match plugin_data.and_then(|p| p.error()) {
        Some(error) => Err(Refusal::Plugin(error)),
        None => Ok(message),
    }
}
