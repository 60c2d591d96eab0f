//! The error codes of the Janus core API (`janus/apierror.h`).

use core::fmt;

/// An `error.code` of a Janus core `error` reply. All 25 codes of the Janus core are named;
/// any other code is kept in [`ErrorCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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

/// The codes of the named variants, in their order. One table for both directions: a match
/// per direction costs several hundred bytes of flash on small targets.
const NAMED: [u16; 25] = [
    403, 405, 450, 452, 453, 454, 455, 456, 457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 468, 469, 470, 471,
    472, 490,
];

impl ErrorCode {
    /// The code for a number.
    #[must_use]
    #[inline(never)] // One copy (small targets' flash).
    pub const fn from_code(code: u64) -> Self {
        let mut rest: &[u16] = &NAMED;
        let mut index = 0;
        while let [named, tail @ ..] = rest {
            if *named as u64 == code {
                return Self::named(index);
            }
            rest = tail;
            index = index.wrapping_add(1);
        }
        Self::Other(code)
    }

    /// The numeric code.
    #[must_use]
    #[inline(never)] // One copy (small targets' flash).
    pub const fn code(self) -> u64 {
        if let Self::Other(code) = self {
            return code;
        }
        match NAMED.split_at_checked(self.index()) {
            Some((_, [code, ..])) => *code as u64,
            // Unreachable: every named variant has its place in the table.
            _ => 490,
        }
    }

    /// The named variant at `index` in [`NAMED`].
    const fn named(index: usize) -> Self {
        match index {
            0 => Self::Unauthorized,
            1 => Self::UnauthorizedPlugin,
            2 => Self::TransportSpecific,
            3 => Self::MissingRequest,
            4 => Self::UnknownRequest,
            5 => Self::InvalidJson,
            6 => Self::InvalidJsonObject,
            7 => Self::MissingMandatoryElement,
            8 => Self::InvalidRequestPath,
            9 => Self::SessionNotFound,
            10 => Self::HandleNotFound,
            11 => Self::PluginNotFound,
            12 => Self::PluginAttach,
            13 => Self::PluginMessage,
            14 => Self::PluginDetach,
            15 => Self::JsepUnknownType,
            16 => Self::JsepInvalidSdp,
            17 => Self::TrickleInvalidStream,
            18 => Self::InvalidElementType,
            19 => Self::SessionConflict,
            20 => Self::UnexpectedAnswer,
            21 => Self::TokenNotFound,
            22 => Self::WebrtcState,
            23 => Self::NotAcceptingSessions,
            _ => Self::Unknown,
        }
    }

    /// The place of a named variant in [`NAMED`] (`NAMED.len()` for [`ErrorCode::Other`]).
    const fn index(self) -> usize {
        match self {
            Self::Unauthorized => 0,
            Self::UnauthorizedPlugin => 1,
            Self::TransportSpecific => 2,
            Self::MissingRequest => 3,
            Self::UnknownRequest => 4,
            Self::InvalidJson => 5,
            Self::InvalidJsonObject => 6,
            Self::MissingMandatoryElement => 7,
            Self::InvalidRequestPath => 8,
            Self::SessionNotFound => 9,
            Self::HandleNotFound => 10,
            Self::PluginNotFound => 11,
            Self::PluginAttach => 12,
            Self::PluginMessage => 13,
            Self::PluginDetach => 14,
            Self::JsepUnknownType => 15,
            Self::JsepInvalidSdp => 16,
            Self::TrickleInvalidStream => 17,
            Self::InvalidElementType => 18,
            Self::SessionConflict => 19,
            Self::UnexpectedAnswer => 20,
            Self::TokenNotFound => 21,
            Self::WebrtcState => 22,
            Self::NotAcceptingSessions => 23,
            Self::Unknown => 24,
            Self::Other(_) => NAMED.len(),
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
    fn each_code_names_its_variant() {
        let expected = [
            (403, ErrorCode::Unauthorized),
            (405, ErrorCode::UnauthorizedPlugin),
            (450, ErrorCode::TransportSpecific),
            (452, ErrorCode::MissingRequest),
            (453, ErrorCode::UnknownRequest),
            (454, ErrorCode::InvalidJson),
            (455, ErrorCode::InvalidJsonObject),
            (456, ErrorCode::MissingMandatoryElement),
            (457, ErrorCode::InvalidRequestPath),
            (458, ErrorCode::SessionNotFound),
            (459, ErrorCode::HandleNotFound),
            (460, ErrorCode::PluginNotFound),
            (461, ErrorCode::PluginAttach),
            (462, ErrorCode::PluginMessage),
            (463, ErrorCode::PluginDetach),
            (464, ErrorCode::JsepUnknownType),
            (465, ErrorCode::JsepInvalidSdp),
            (466, ErrorCode::TrickleInvalidStream),
            (467, ErrorCode::InvalidElementType),
            (468, ErrorCode::SessionConflict),
            (469, ErrorCode::UnexpectedAnswer),
            (470, ErrorCode::TokenNotFound),
            (471, ErrorCode::WebrtcState),
            (472, ErrorCode::NotAcceptingSessions),
            (490, ErrorCode::Unknown),
        ];
        for (code, variant) in expected {
            assert_eq!(ErrorCode::from_code(code), variant);
            assert_eq!(variant.code(), code);
        }
        assert_eq!(ErrorCode::from_code(404), ErrorCode::Other(404));
        assert_eq!(ErrorCode::Other(7).code(), 7);
    }

    #[test]
    fn round_trips_and_names_all_25() {
        let named = (0..1000u64).filter(|&c| !matches!(ErrorCode::from_code(c), ErrorCode::Other(_))).count();
        assert_eq!(named, 25);
        for c in 0..1000u64 {
            assert_eq!(ErrorCode::from_code(c).code(), c);
        }
    }
}
