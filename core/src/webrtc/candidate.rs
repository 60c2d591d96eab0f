//! ICE candidate lines (RFC 8839 §5.1), read without allocating.

use core::net::IpAddr;
use core::str::FromStr as _;

use crate::request::{IceCandidate, Text};

/// A candidate line and the media section it is for, as `trickle` requests and events carry
/// it: `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <kind> …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CandidateLine<'a> {
    /// `candidate:…`, without `a=` and without a line end.
    pub candidate: &'a str,
    /// `sdpMid`.
    pub sdp_mid: Option<&'a str>,
    /// `sdpMLineIndex`.
    pub sdp_mline_index: Option<u32>,
}

impl<'a> CandidateLine<'a> {
    /// Takes `candidate:…` or an SDP attribute `a=candidate:…` (a line end is dropped).
    ///
    /// # Errors
    ///
    /// [`CandidateError::NotACandidate`] when the text does not start like a candidate.
    pub fn new(line: &'a str, sdp_mid: Option<&'a str>, sdp_mline_index: Option<u32>) -> Result<Self, CandidateError> {
        let line = line.trim_end_matches(['\r', '\n']);
        let line = line.strip_prefix("a=").unwrap_or(line);
        if !line.starts_with("candidate:") {
            return Err(CandidateError::NotACandidate);
        }
        Ok(Self { candidate: line, sdp_mid, sdp_mline_index })
    }

    /// The fields of the line.
    ///
    /// # Errors
    ///
    /// [`CandidateError`] naming the first field that is missing or malformed.
    pub fn parse(&self) -> Result<Candidate<'a>, CandidateError> {
        Candidate::parse(self.candidate)
    }

    /// The candidate for a `trickle` request.
    #[must_use]
    pub fn to_trickle(&self) -> IceCandidate<'a> {
        IceCandidate {
            candidate: Text::Plain(self.candidate),
            sdp_mid: self.sdp_mid.map(Text::Plain),
            sdp_mline_index: self.sdp_mline_index,
        }
    }
}

/// The fields of a candidate line.
///
/// ```
/// use janus_signal::webrtc::{Candidate, CandidateKind, Transport};
///
/// let c = Candidate::parse("candidate:3 1 udp 1686052607 203.0.113.9 61000 typ srflx raddr 198.51.100.2 rport 5000").unwrap();
/// assert_eq!((c.transport, c.kind, c.port), (Transport::Udp, CandidateKind::ServerReflexive, 61000));
/// assert_eq!(c.ip().unwrap().to_string(), "203.0.113.9");
/// assert_eq!(c.related, Some(("198.51.100.2", 5000)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Candidate<'a> {
    /// The foundation.
    pub foundation: &'a str,
    /// The component (1: RTP; 2: RTCP without rtcp-mux).
    pub component: u16,
    /// `udp` or `tcp`.
    pub transport: Transport,
    /// The priority.
    pub priority: u32,
    /// The address: an IP address, or an mDNS name (`….local`) that hides one.
    pub address: &'a str,
    /// The port.
    pub port: u16,
    /// `typ`.
    pub kind: CandidateKind,
    /// `raddr`/`rport`: the base of a reflexive or relayed candidate.
    pub related: Option<(&'a str, u16)>,
}

impl<'a> Candidate<'a> {
    /// Reads `candidate:…` (also `a=candidate:…`).
    ///
    /// # Errors
    ///
    /// [`CandidateError`] naming the first field that is missing or malformed.
    pub fn parse(line: &'a str) -> Result<Self, CandidateError> {
        let line = CandidateLine::new(line, None, None)?.candidate;
        let mut fields = line.get("candidate:".len()..).unwrap_or_default().split_ascii_whitespace();
        let mut field = |which: CandidateField| fields.next().ok_or(CandidateError::Missing(which));
        let foundation = field(CandidateField::Foundation)?;
        let component = u16::from_str(field(CandidateField::Component)?)
            .map_err(|_| CandidateError::Malformed(CandidateField::Component))?;
        let transport = Transport::from_wire(field(CandidateField::Transport)?);
        let priority = u32::from_str(field(CandidateField::Priority)?)
            .map_err(|_| CandidateError::Malformed(CandidateField::Priority))?;
        let address = field(CandidateField::Address)?;
        let port =
            u16::from_str(field(CandidateField::Port)?).map_err(|_| CandidateError::Malformed(CandidateField::Port))?;
        if field(CandidateField::Kind)? != "typ" {
            return Err(CandidateError::Malformed(CandidateField::Kind));
        }
        let kind = CandidateKind::from_wire(field(CandidateField::Kind)?);
        // Extensions come as name/value pairs.
        let (mut raddr, mut rport) = (None, None);
        while let Some(name) = fields.next() {
            let value = fields.next();
            match name {
                "raddr" => raddr = value,
                "rport" => rport = value.and_then(|p| u16::from_str(p).ok()),
                _ => {}
            }
        }
        let related = raddr.zip(rport);
        Ok(Self { foundation, component, transport, priority, address, port, kind, related })
    }

    /// The address as an IP address; `None` for an mDNS name.
    #[must_use]
    pub fn ip(&self) -> Option<IpAddr> {
        IpAddr::from_str(self.address).ok()
    }
}

/// A candidate's transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Transport {
    /// `udp` (any case).
    Udp,
    /// `tcp` (any case).
    Tcp,
    /// Anything else.
    Other,
}

impl Transport {
    fn from_wire(text: &str) -> Self {
        if text.eq_ignore_ascii_case("udp") {
            Self::Udp
        } else if text.eq_ignore_ascii_case("tcp") {
            Self::Tcp
        } else {
            Self::Other
        }
    }
}

/// A candidate's type (`typ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CandidateKind {
    /// `host`: an address of the machine itself.
    Host,
    /// `srflx`: the address a STUN server saw.
    ServerReflexive,
    /// `prflx`: learned from the other side's checks.
    PeerReflexive,
    /// `relay`: a TURN relay.
    Relayed,
    /// Anything else.
    Other,
}

impl CandidateKind {
    fn from_wire(text: &str) -> Self {
        match text {
            "host" => Self::Host,
            "srflx" => Self::ServerReflexive,
            "prflx" => Self::PeerReflexive,
            "relay" => Self::Relayed,
            _ => Self::Other,
        }
    }
}

/// A field of a candidate line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CandidateField {
    /// The foundation.
    Foundation,
    /// The component id.
    Component,
    /// The transport.
    Transport,
    /// The priority.
    Priority,
    /// The connection address.
    Address,
    /// The port.
    Port,
    /// `typ <kind>`.
    Kind,
}

/// Why a candidate line cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CandidateError {
    /// The text does not start with `candidate:` (or `a=candidate:`).
    NotACandidate,
    /// The line ends before this field.
    Missing(CandidateField),
    /// This field is not what the grammar allows (a number out of range, `typ` missing).
    Malformed(CandidateField),
    /// The scratch buffer is too short for the unescaped text.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        available: usize,
    },
}

impl core::fmt::Display for CandidateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotACandidate => f.write_str("not an ICE candidate line (expected `candidate:…`)"),
            Self::Missing(field) => write!(f, "the candidate line ends before its {field:?} field"),
            Self::Malformed(field) => write!(f, "the candidate line's {field:?} field is malformed"),
            Self::BufferTooSmall { needed, available } => {
                write!(f, "the candidate needs {needed} bytes of scratch space, {available} given")
            }
        }
    }
}

impl core::error::Error for CandidateError {}
