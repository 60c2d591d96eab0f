//! Outgoing session descriptions and ICE candidates.

use serde::Serialize;
use serde::ser::SerializeStruct as _;

use crate::json::JsonStr;

/// Text for a request: plain text (escaped when written) or text received from Janus
/// (written verbatim, already escaped), so that an SDP can be forwarded without a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text<'a> {
    /// Plain text.
    Plain(&'a str),
    /// Text as received, escapes intact.
    Escaped(JsonStr<'a>),
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Self::Plain(text)
    }
}

impl<'a> From<JsonStr<'a>> for Text<'a> {
    fn from(text: JsonStr<'a>) -> Self {
        Self::Escaped(text)
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Plain(text) => serializer.serialize_str(text),
            Self::Escaped(text) => text.serialize(serializer),
        }
    }
}

/// `jsep.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpType {
    /// `offer`
    Offer,
    /// `answer`
    Answer,
}

impl SdpType {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Answer => "answer",
        }
    }
}

/// Its wire name, as a JSON string (what plugins that take an SDP in the body read, e.g.
/// NoSIP's `process`).
impl Serialize for SdpType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A session description for a `message`'s `jsep`: `type`, `sdp`, and the optional flags
/// Janus reads. For members not listed here (`simulcast`, `svc`, `rid_order`, …) pass your
/// own `Serialize` type to [`PluginMessage::with_jsep`](super::PluginMessage::with_jsep)
/// instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDescription<'a> {
    /// `type`.
    pub kind: SdpType,
    /// `sdp`.
    pub sdp: Text<'a>,
    /// `trickle`: `false` when the SDP already carries every candidate.
    pub trickle: Option<bool>,
    /// `e2ee`: the media are end-to-end encrypted (insertable streams).
    pub e2ee: Option<bool>,
    /// `force_relay`: Janus should only use TURN relay candidates.
    pub force_relay: Option<bool>,
}

impl<'a> SessionDescription<'a> {
    /// A description with only `type` and `sdp`.
    #[must_use]
    pub fn new(kind: SdpType, sdp: impl Into<Text<'a>>) -> Self {
        Self { kind, sdp: sdp.into(), trickle: None, e2ee: None, force_relay: None }
    }

    /// Sets `trickle`.
    #[must_use]
    pub const fn with_trickle(mut self, trickle: bool) -> Self {
        self.trickle = Some(trickle);
        self
    }

    /// Sets `e2ee`.
    #[must_use]
    pub const fn with_e2ee(mut self, e2ee: bool) -> Self {
        self.e2ee = Some(e2ee);
        self
    }
}

impl Serialize for SessionDescription<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("SessionDescription", 5)?;
        s.serialize_field("type", self.kind.as_str())?;
        s.serialize_field("sdp", &self.sdp)?;
        if let Some(trickle) = self.trickle {
            s.serialize_field("trickle", &trickle)?;
        }
        if let Some(e2ee) = self.e2ee {
            s.serialize_field("e2ee", &e2ee)?;
        }
        if let Some(force_relay) = self.force_relay {
            s.serialize_field("force_relay", &force_relay)?;
        }
        s.end()
    }
}

/// An ICE candidate for [`TrickleCandidates`](super::TrickleCandidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IceCandidate<'a> {
    /// `candidate`: the `candidate:…` line.
    pub candidate: Text<'a>,
    /// `sdpMid`.
    pub sdp_mid: Option<Text<'a>>,
    /// `sdpMLineIndex`.
    pub sdp_mline_index: Option<u32>,
}

impl<'a> IceCandidate<'a> {
    /// A candidate for the m-line `sdp_mid` / `sdp_mline_index`.
    #[must_use]
    pub fn new(candidate: impl Into<Text<'a>>, sdp_mid: impl Into<Text<'a>>, sdp_mline_index: u32) -> Self {
        Self { candidate: candidate.into(), sdp_mid: Some(sdp_mid.into()), sdp_mline_index: Some(sdp_mline_index) }
    }
}

impl Serialize for IceCandidate<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("IceCandidate", 3)?;
        s.serialize_field("candidate", &self.candidate)?;
        if let Some(mid) = &self.sdp_mid {
            s.serialize_field("sdpMid", mid)?;
        }
        if let Some(index) = self.sdp_mline_index {
            s.serialize_field("sdpMLineIndex", &index)?;
        }
        s.end()
    }
}
