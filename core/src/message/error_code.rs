//! The error codes of the Janus core API (`janus/apierror.h`).

use core::fmt;

/// An `error.code` of a Janus core `error` reply. All 25 codes of the Janus core are named;
/// any other code is kept in [`ErrorCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 403: the request lacks a valid `apisecret` or `token`.
    Unauthorized,
    /// 405: the token may not access the plugin.
    UnauthorizedPlugin,
    /// 450: a transport-specific error.
    TransportSpecific,
    /// 452: the request has no `janus` field.
    MissingRequest,
    /// 453: the request is unknown (at a session or handle path).
    UnknownRequest,
    /// 454: the request is not valid JSON.
    InvalidJson,
    /// 455: the request (or its `jsep`) is not a JSON object.
    InvalidJsonObject,
    /// 456: a mandatory element is missing (`transaction`, `janus`, `plugin`, `body`, …).
    MissingMandatoryElement,
    /// 457: the request is not valid at this path, or path and body ids conflict.
    InvalidRequestPath,
    /// 458: no such session.
    SessionNotFound,
    /// 459: no such handle.
    HandleNotFound,
    /// 460: no such plugin.
    PluginNotFound,
    /// 461: the plugin refused the attach.
    PluginAttach,
    /// 462: the message could not be delivered to the plugin.
    PluginMessage,
    /// 463: detaching from the plugin failed.
    PluginDetach,
    /// 464: `jsep.type` is neither offer nor answer.
    JsepUnknownType,
    /// 465: the SDP is invalid.
    JsepInvalidSdp,
    /// 466: trickle for a stream that does not exist.
    TrickleInvalidStream,
    /// 467: an element has the wrong JSON type.
    InvalidElementType,
    /// 468: the client-chosen session id is already in use.
    SessionConflict,
    /// 469: an answer arrived without an offer.
    UnexpectedAnswer,
    /// 470: the token does not exist (Admin API).
    TokenNotFound,
    /// 471: the PeerConnection is in the wrong state.
    WebrtcState,
    /// 472: the server does not accept new sessions right now.
    NotAcceptingSessions,
    /// 490: an unknown error.
    Unknown,
    /// A code this crate does not know.
    Other(u64),
}

impl ErrorCode {
    /// The code for a number.
    #[must_use]
    #[inline(never)] // One copy of its table (small targets' flash).
    pub const fn from_code(code: u64) -> Self {
        match code {
            403 => Self::Unauthorized,
            405 => Self::UnauthorizedPlugin,
            450 => Self::TransportSpecific,
            452 => Self::MissingRequest,
            453 => Self::UnknownRequest,
            454 => Self::InvalidJson,
            455 => Self::InvalidJsonObject,
            456 => Self::MissingMandatoryElement,
            457 => Self::InvalidRequestPath,
            458 => Self::SessionNotFound,
            459 => Self::HandleNotFound,
            460 => Self::PluginNotFound,
            461 => Self::PluginAttach,
            462 => Self::PluginMessage,
            463 => Self::PluginDetach,
            464 => Self::JsepUnknownType,
            465 => Self::JsepInvalidSdp,
            466 => Self::TrickleInvalidStream,
            467 => Self::InvalidElementType,
            468 => Self::SessionConflict,
            469 => Self::UnexpectedAnswer,
            470 => Self::TokenNotFound,
            471 => Self::WebrtcState,
            472 => Self::NotAcceptingSessions,
            490 => Self::Unknown,
            other => Self::Other(other),
        }
    }

    /// The numeric code.
    #[must_use]
    #[inline(never)] // One copy of its table (small targets' flash).
    pub const fn code(self) -> u64 {
        match self {
            Self::Unauthorized => 403,
            Self::UnauthorizedPlugin => 405,
            Self::TransportSpecific => 450,
            Self::MissingRequest => 452,
            Self::UnknownRequest => 453,
            Self::InvalidJson => 454,
            Self::InvalidJsonObject => 455,
            Self::MissingMandatoryElement => 456,
            Self::InvalidRequestPath => 457,
            Self::SessionNotFound => 458,
            Self::HandleNotFound => 459,
            Self::PluginNotFound => 460,
            Self::PluginAttach => 461,
            Self::PluginMessage => 462,
            Self::PluginDetach => 463,
            Self::JsepUnknownType => 464,
            Self::JsepInvalidSdp => 465,
            Self::TrickleInvalidStream => 466,
            Self::InvalidElementType => 467,
            Self::SessionConflict => 468,
            Self::UnexpectedAnswer => 469,
            Self::TokenNotFound => 470,
            Self::WebrtcState => 471,
            Self::NotAcceptingSessions => 472,
            Self::Unknown => 490,
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.code(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_names_all_25() {
        let named = (0..1000u64).filter(|&c| !matches!(ErrorCode::from_code(c), ErrorCode::Other(_))).count();
        assert_eq!(named, 25);
        for c in 0..1000u64 {
            assert_eq!(ErrorCode::from_code(c).code(), c);
        }
    }
}
