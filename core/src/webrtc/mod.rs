//! Glue between a WebRTC stack (a browser engine, `str0m`, `webrtc-rs`, libdatachannel, …)
//! and Janus signaling, without allocating.
//!
//! A PeerConnection and Janus exchange three things through this client:
//!
//! | from → to | what | here |
//! |---|---|---|
//! | peer → Janus | the local description (`jsep` of a `message`) | [`crate::request::SessionDescription`] |
//! | peer → Janus | each local candidate as found, then the end | [`LocalCandidates::candidate`] → [`crate::request::TrickleCandidates`], [`crate::request::TrickleCandidates::completed`] |
//! | Janus → peer | Janus's description (`jsep` of an event) | [`RemoteDescription::from_jsep`] |
//! | Janus → peer | Janus's candidates: in its SDP, or as `trickle` events with `full_trickle` | [`Sdp::candidates`], [`RemoteCandidate::from_trickle`] |
//!
//! [`Sdp`] reads what signaling needs from SDP text (media sections, mids, the bundle, ICE
//! credentials, the DTLS fingerprint, candidates) and [`Candidate`] reads one candidate line.
//!
//! ```
//! use janus_signal::message::Message;
//! use janus_signal::request::{Request, SdpType, SessionDescription, TrickleCandidates};
//! use janus_signal::webrtc::{LocalCandidates, RemoteCandidate, RemoteDescription, Sdp};
//! use janus_signal::{HandleId, SessionId, Transaction};
//!
//! // The peer's offer (from its WebRTC stack) goes out as the `jsep` of a message.
//! let offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
//!              m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n";
//! let jsep = SessionDescription::new(SdpType::Offer, offer);
//!
//! // Each local candidate the stack finds becomes a trickle request for the bundle's m-line.
//! let local = LocalCandidates::for_description(&Sdp::new(offer)).unwrap();
//! let candidate = local.candidate("candidate:1 1 udp 2130706431 198.51.100.2 5000 typ host").unwrap();
//! let (session, handle) = (SessionId(1), HandleId(2));
//! let trickle = TrickleCandidates::one(Transaction::new("t1").unwrap(), session, handle, &candidate);
//! let mut out = [0u8; 256];
//! let n = trickle.encode(&mut out).unwrap();
//! assert!(out[..n].ends_with(br#""candidate":{"candidate":"candidate:1 1 udp 2130706431 198.51.100.2 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#));
//!
//! // Janus's answer arrives in an event; its SDP goes to the stack.
//! let event = br#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.echotest","data":{"result":"ok"}},"jsep":{"type":"answer","sdp":"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2015363327 198.51.100.1 4000 typ host\r\n"}}"#;
//! let Ok(Message::Event(event)) = Message::decode(event) else { panic!() };
//! let mut scratch = [0u8; 512];
//! let answer = RemoteDescription::from_jsep(&event.jsep.unwrap(), &mut scratch).unwrap();
//! assert_eq!(answer.kind, SdpType::Answer);
//! let theirs = answer.sdp.candidates().next().unwrap();
//! assert_eq!(theirs.candidate, "candidate:1 1 udp 2015363327 198.51.100.1 4000 typ host");
//!
//! // With `full_trickle`, Janus's candidates come as `trickle` events instead.
//! let trickle = br#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"sdpMid":"0","sdpMLineIndex":0,"candidate":"candidate:2 1 udp 2015363327 198.51.100.1 4001 typ host"}}"#;
//! let Ok(Message::Trickle(trickle)) = Message::decode(trickle) else { panic!() };
//! match RemoteCandidate::from_trickle(&trickle.candidate, &mut scratch).unwrap() {
//!     RemoteCandidate::Candidate(c) => assert_eq!(c.parse().unwrap().port, 4001),
//!     RemoteCandidate::EndOfCandidates => unreachable!(),
//! }
//! ```

mod candidate;
mod sdp;

pub use candidate::{Candidate, CandidateError, CandidateField, CandidateKind, CandidateLine, Transport};
pub use sdp::{
    Codec, Direction, Fingerprint, MediaKind, MediaSection, MediaSections, Sdp, SdpCandidate, SdpCandidates,
    TrickleTarget,
};

use crate::json::JsonStr;
use crate::message::{Jsep, JsepType, TrickleCandidate};
use crate::request::{IceCandidate, SdpType};

/// Turns the local WebRTC stack's candidates into [`IceCandidate`]s for `trickle` requests,
/// tagged with the media section that a bundled PeerConnection gathers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalCandidates<'a> {
    target: TrickleTarget<'a>,
}

impl<'a> LocalCandidates<'a> {
    /// For the PeerConnection whose local description (offer or answer) is `sdp`: see
    /// [`Sdp::trickle_target`]. `None` when the description has no media section.
    #[must_use]
    pub fn for_description(sdp: &Sdp<'a>) -> Option<Self> {
        sdp.trickle_target().map(|target| Self { target })
    }

    /// For an explicit `sdpMid` / `sdpMLineIndex`.
    #[must_use]
    pub const fn new(target: TrickleTarget<'a>) -> Self {
        Self { target }
    }

    /// The media section candidates are tagged with.
    #[must_use]
    pub const fn target(&self) -> TrickleTarget<'a> {
        self.target
    }

    /// One candidate line from the stack (`candidate:…`, also accepted as an SDP attribute
    /// `a=candidate:…` with or without its line end), checked and tagged.
    ///
    /// # Errors
    ///
    /// [`CandidateError`] when the line is not a well-formed candidate: Janus would answer the
    /// trickle with an `ack` and then drop it, so it is caught here instead.
    pub fn candidate<'c>(&self, line: &'c str) -> Result<IceCandidate<'c>, CandidateError>
    where
        'a: 'c,
    {
        let line = CandidateLine::new(line, self.target.sdp_mid, Some(self.target.sdp_mline_index))?;
        line.parse()?;
        Ok(line.to_trickle())
    }
}

/// A candidate of Janus's for the local stack: one candidate, or the end of candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RemoteCandidate<'a> {
    /// One candidate (give `candidate`, `sdp_mid` and `sdp_mline_index` to the stack).
    Candidate(CandidateLine<'a>),
    /// Janus has no more candidates (`{"completed": true}`).
    EndOfCandidates,
}

impl<'s> RemoteCandidate<'s> {
    /// The candidate of a Janus `trickle` event ([`crate::message::Trickle::candidate`]), with
    /// its text unescaped into `scratch` only where it has escapes.
    ///
    /// # Errors
    ///
    /// [`CandidateError::BufferTooSmall`] when `scratch` cannot hold the unescaped text;
    /// [`CandidateError::NotACandidate`] when Janus's text is not a candidate line.
    pub fn from_trickle<'a: 's>(
        candidate: &TrickleCandidate<'a>,
        scratch: &'s mut [u8],
    ) -> Result<Self, CandidateError> {
        let TrickleCandidate::Candidate { candidate, sdp_mid, sdp_mline_index, .. } = *candidate else {
            return Ok(Self::EndOfCandidates);
        };
        let (line, rest) = text_into(candidate, scratch)?;
        let mid = match sdp_mid {
            Some(mid) => Some(text_into(mid, rest)?.0),
            None => None,
        };
        let index = sdp_mline_index.and_then(|i| u32::try_from(i).ok());
        Ok(Self::Candidate(CandidateLine::new(line, mid, index)?))
    }
}

/// A session description of Janus's (the `jsep` of an event), ready for the local stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteDescription<'s> {
    /// `offer` (answer it, e.g. with `start` or an `ack`-ed message) or `answer` (apply it).
    pub kind: SdpType,
    /// The SDP text, unescaped.
    pub sdp: Sdp<'s>,
    /// Janus's `trickle`: `Some(false)` when the SDP already holds every candidate.
    pub trickle: Option<bool>,
}

impl<'s> RemoteDescription<'s> {
    /// Reads `jsep`, unescaping its SDP into `scratch` (an SDP is a few KB; its exact size is
    /// `jsep.sdp.unescaped_len()`).
    ///
    /// # Errors
    ///
    /// [`DescriptionError::UnknownType`] for a `type` other than `offer`/`answer`;
    /// [`DescriptionError::BufferTooSmall`] when `scratch` is too short.
    pub fn from_jsep<'a: 's>(jsep: &Jsep<'a>, scratch: &'s mut [u8]) -> Result<Self, DescriptionError> {
        let kind = match jsep.kind {
            JsepType::Offer => SdpType::Offer,
            JsepType::Answer => SdpType::Answer,
            JsepType::Other(_) => return Err(DescriptionError::UnknownType),
        };
        let needed = jsep.sdp.unescaped_len();
        let available = scratch.len();
        // unescape_into fails only for want of room.
        let sdp =
            jsep.sdp.unescape_into(scratch).map_err(|_| DescriptionError::BufferTooSmall { needed, available })?;
        Ok(Self { kind, sdp: Sdp::new(sdp), trickle: jsep.trickle })
    }
}

/// Why a `jsep` cannot be handed to a WebRTC stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DescriptionError {
    /// `type` is neither `offer` nor `answer` (`pranswer`, `rollback`: not used by Janus).
    UnknownType,
    /// The scratch buffer is too short for the unescaped SDP.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        available: usize,
    },
}

impl core::fmt::Display for DescriptionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnknownType => f.write_str("the jsep type is neither offer nor answer"),
            Self::BufferTooSmall { needed, available } => {
                write!(f, "the SDP needs {needed} bytes of scratch space, {available} given")
            }
        }
    }
}

impl core::error::Error for DescriptionError {}

/// `text` borrowed as it is when it has no escapes, else unescaped into the front of
/// `scratch`; also returns what is left of `scratch`.
fn text_into<'s, 'a: 's>(text: JsonStr<'a>, scratch: &'s mut [u8]) -> Result<(&'s str, &'s mut [u8]), CandidateError> {
    if let Some(plain) = text.as_plain() {
        return Ok((plain, scratch));
    }
    let needed = text.unescaped_len();
    let available = scratch.len();
    if needed > available {
        return Err(CandidateError::BufferTooSmall { needed, available });
    }
    let (head, rest) = scratch.split_at_mut(needed);
    let unescaped = text.unescape_into(head).map_err(|_| CandidateError::BufferTooSmall { needed, available })?;
    Ok((unescaped, rest))
}

#[cfg(test)]
mod tests;
