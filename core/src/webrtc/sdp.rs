//! A borrowed, allocation-free reader of SDP text (RFC 8866): just what signaling needs.

use core::str::FromStr as _;

/// SDP text: a session description as the peer produced it or as Janus sent it (unescaped).
///
/// Nothing is parsed up front; every accessor walks the lines it needs. Lines may end in
/// `\r\n` or `\n`.
///
/// ```
/// use janus_signal::webrtc::{Direction, MediaKind, Sdp};
///
/// let sdp = Sdp::new(
///     "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a0 v1\r\n\
///      m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n\
///      a=candidate:1 1 udp 2130706431 198.51.100.1 40000 typ host\r\n\
///      m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v1\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n",
/// );
/// let media: Vec<_> = sdp.media().collect();
/// assert_eq!(media[1].kind, MediaKind::Video);
/// assert_eq!(media[1].direction(), Direction::RecvOnly);
/// assert_eq!(media[0].codecs().next().map(|c| c.name), Some("opus"));
/// let target = sdp.trickle_target().unwrap();
/// assert_eq!((target.sdp_mid, target.sdp_mline_index), (Some("a0"), 0));
/// let candidate = sdp.candidates().next().unwrap();
/// assert_eq!(candidate.sdp_mid, Some("a0"));
/// assert_eq!(candidate.candidate, "candidate:1 1 udp 2130706431 198.51.100.1 40000 typ host");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdp<'a> {
    text: &'a str,
}

impl<'a> Sdp<'a> {
    /// Wraps SDP text.
    #[must_use]
    pub const fn new(text: &'a str) -> Self {
        Self { text }
    }

    /// The text.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.text
    }

    /// The session-level lines (before the first `m=`).
    fn session_lines(&self) -> impl Iterator<Item = &'a str> {
        lines(self.text).take_while(|l| !l.starts_with("m="))
    }

    /// The media sections (`m=` lines and their attributes), in order.
    #[must_use]
    pub fn media(&self) -> MediaSections<'a> {
        MediaSections { rest: self.text, index: 0 }
    }

    /// The value of a session-level attribute `a=name:value` (`""` for a flag `a=name`).
    #[must_use]
    pub fn session_attribute(&self, name: &str) -> Option<&'a str> {
        self.session_lines().find_map(|l| attribute_value(l, name))
    }

    /// The value of `name` at session level, or else in the first media section that has it
    /// (where browsers and Janus put `ice-ufrag`, `ice-pwd`, `fingerprint`, `setup`).
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.session_attribute(name).or_else(|| self.media().find_map(|m| m.attribute(name)))
    }

    /// The mids of the first `a=group:BUNDLE`, in order.
    pub fn bundle(&self) -> impl Iterator<Item = &'a str> {
        let group = self.session_attribute("group").and_then(|g| g.strip_prefix("BUNDLE"));
        group.unwrap_or_default().split_ascii_whitespace()
    }

    /// Where a bundled PeerConnection's own candidates belong in `trickle` requests: the first
    /// bundled media section (or else the first media section), by `mid` and m-line index.
    /// `None` for an SDP without media.
    #[must_use]
    pub fn trickle_target(&self) -> Option<TrickleTarget<'a>> {
        if let Some(first) = self.bundle().next()
            && let Some(m) = self.media().find(|m| m.mid() == Some(first))
        {
            return Some(TrickleTarget { sdp_mid: Some(first), sdp_mline_index: m.index });
        }
        self.media().next().map(|m| TrickleTarget { sdp_mid: m.mid(), sdp_mline_index: m.index })
    }

    /// `a=ice-ufrag`.
    #[must_use]
    pub fn ice_ufrag(&self) -> Option<&'a str> {
        self.attribute("ice-ufrag")
    }

    /// `a=ice-pwd`.
    #[must_use]
    pub fn ice_pwd(&self) -> Option<&'a str> {
        self.attribute("ice-pwd")
    }

    /// `a=fingerprint`: the DTLS certificate's hash, which the other side checks.
    #[must_use]
    pub fn fingerprint(&self) -> Option<Fingerprint<'a>> {
        let value = self.attribute("fingerprint")?;
        let (algorithm, hash) = value.split_once(' ')?;
        Some(Fingerprint { algorithm, hash: hash.trim() })
    }

    /// Whether this description restarts ICE compared with `previous` (the last one from the
    /// same side): its ICE credentials changed (RFC 8839 §4.4.1.1.1).
    #[must_use]
    pub fn restarts_ice_of(&self, previous: &Sdp<'_>) -> bool {
        match (self.ice_ufrag(), previous.ice_ufrag()) {
            (Some(new), Some(old)) => new != old || self.ice_pwd() != previous.ice_pwd(),
            _ => false,
        }
    }

    /// The ICE candidates written into the SDP (`a=candidate:` lines, as Janus does in its
    /// descriptions unless `full_trickle` is on), each with its media section.
    #[must_use]
    pub fn candidates(&self) -> SdpCandidates<'a> {
        SdpCandidates { sections: self.media(), current: None }
    }

    /// Whether any media section says `a=end-of-candidates`.
    #[must_use]
    pub fn has_end_of_candidates(&self) -> bool {
        self.media().any(|m| m.attribute("end-of-candidates").is_some())
    }
}

/// `mid` and m-line index for `trickle` requests: see [`Sdp::trickle_target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TrickleTarget<'a> {
    /// `sdpMid`: `None` when the media section has no `a=mid`.
    pub sdp_mid: Option<&'a str>,
    /// `sdpMLineIndex`.
    pub sdp_mline_index: u32,
}

/// `a=fingerprint:<algorithm> <hash>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fingerprint<'a> {
    /// e.g. `sha-256`.
    pub algorithm: &'a str,
    /// Upper-case hex pairs separated by colons.
    pub hash: &'a str,
}

/// The kind of a media section (`m=<kind> …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MediaKind<'a> {
    /// `audio`
    Audio,
    /// `video`
    Video,
    /// `application` (data channels)
    Application,
    /// Anything else, as written.
    Other(&'a str),
}

/// The media direction attribute of a section (`sendrecv` when none is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// `a=sendrecv`
    SendRecv,
    /// `a=sendonly`
    SendOnly,
    /// `a=recvonly`
    RecvOnly,
    /// `a=inactive`
    Inactive,
}

impl Direction {
    /// Whether the side that wrote the SDP sends on this section.
    #[must_use]
    pub const fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether the side that wrote the SDP receives on this section.
    #[must_use]
    pub const fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }
}

/// One media section of an [`Sdp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaSection<'a> {
    /// Its m-line index (0 for the first `m=`).
    pub index: u32,
    /// `audio`, `video`, `application`, …
    pub kind: MediaKind<'a>,
    /// The port (0: the section is rejected or stopped).
    pub port: u16,
    /// The transport protocol, e.g. `UDP/TLS/RTP/SAVPF`.
    pub protocol: &'a str,
    /// The format list after the protocol (payload types, or `webrtc-datachannel`).
    pub formats: &'a str,
    /// The section's lines, its `m=` line first.
    pub text: &'a str,
}

impl<'a> MediaSection<'a> {
    /// `a=mid`.
    #[must_use]
    pub fn mid(&self) -> Option<&'a str> {
        self.attribute("mid")
    }

    /// The value of the section's attribute `a=name:value` (`""` for a flag `a=name`).
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes(name).next()
    }

    /// Every value of the section's attribute `name`, in order.
    pub fn attributes<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + 'n
    where
        'a: 'n,
    {
        lines(self.text).skip(1).filter_map(move |l| attribute_value(l, name))
    }

    /// The direction (`sendrecv` when the section names none).
    #[must_use]
    pub fn direction(&self) -> Direction {
        for line in lines(self.text).skip(1) {
            match line {
                "a=sendrecv" => return Direction::SendRecv,
                "a=sendonly" => return Direction::SendOnly,
                "a=recvonly" => return Direction::RecvOnly,
                "a=inactive" => return Direction::Inactive,
                _ => {}
            }
        }
        Direction::SendRecv
    }

    /// Whether the section is rejected or stopped (port 0).
    #[must_use]
    pub const fn is_rejected(&self) -> bool {
        self.port == 0
    }

    /// The codecs of the section's `a=rtpmap` lines.
    pub fn codecs(&self) -> impl Iterator<Item = Codec<'a>> {
        self.attributes("rtpmap").filter_map(|value| {
            let (pt, rest) = value.split_once(' ')?;
            let mut parts = rest.split('/');
            let name = parts.next()?;
            let clock_rate = u32::from_str(parts.next()?).ok()?;
            let channels = parts.next().and_then(|c| u8::from_str(c).ok());
            Some(Codec { payload_type: u8::from_str(pt).ok()?, name, clock_rate, channels })
        })
    }
}

/// One `a=rtpmap:<pt> <name>/<clock>[/<channels>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Codec<'a> {
    /// The RTP payload type.
    pub payload_type: u8,
    /// The encoding name as written (`opus`, `VP8`, …).
    pub name: &'a str,
    /// The RTP clock rate.
    pub clock_rate: u32,
    /// Audio channels, when written.
    pub channels: Option<u8>,
}

/// The media sections of an [`Sdp`]: see [`Sdp::media`].
#[derive(Debug, Clone)]
pub struct MediaSections<'a> {
    rest: &'a str,
    index: u32,
}

impl<'a> Iterator for MediaSections<'a> {
    type Item = MediaSection<'a>;

    fn next(&mut self) -> Option<MediaSection<'a>> {
        loop {
            let start = line_start(self.rest, "m=")?;
            let section = self.rest.get(start..).unwrap_or_default();
            // The section ends where the next `m=` line starts.
            let after_first = section.find('\n').map_or(section.len(), |n| n.saturating_add(1));
            let body = section.get(after_first..).unwrap_or_default();
            let end = line_start(body, "m=").map_or(section.len(), |n| n.saturating_add(after_first));
            let text = section.get(..end).unwrap_or_default();
            self.rest = section.get(end..).unwrap_or_default();
            let index = self.index;
            self.index = self.index.saturating_add(1);
            let first = lines(text).next().unwrap_or_default();
            let mut fields = first.get(2..).unwrap_or_default().splitn(4, ' ');
            let kind = match fields.next().unwrap_or_default() {
                "audio" => MediaKind::Audio,
                "video" => MediaKind::Video,
                "application" => MediaKind::Application,
                other => MediaKind::Other(other),
            };
            // `port/count` is allowed; the count does not matter for WebRTC.
            let port = fields.next().and_then(|p| p.split('/').next()).and_then(|p| u16::from_str(p).ok());
            let protocol = fields.next().unwrap_or_default();
            let formats = fields.next().unwrap_or_default();
            // A malformed `m=` line still counts for the m-line indexes of those after it.
            let Some(port) = port else { continue };
            return Some(MediaSection { index, kind, port, protocol, formats, text });
        }
    }
}

/// An `a=candidate:` line of an [`Sdp`], with the media section it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SdpCandidate<'a> {
    /// `candidate:…` (without `a=`), as a `trickle` carries it.
    pub candidate: &'a str,
    /// The section's `mid`.
    pub sdp_mid: Option<&'a str>,
    /// The section's m-line index.
    pub sdp_mline_index: u32,
}

/// The candidates of an [`Sdp`]: see [`Sdp::candidates`].
#[derive(Debug, Clone)]
pub struct SdpCandidates<'a> {
    sections: MediaSections<'a>,
    current: Option<(MediaSection<'a>, Lines<'a>)>,
}

impl<'a> Iterator for SdpCandidates<'a> {
    type Item = SdpCandidate<'a>;

    fn next(&mut self) -> Option<SdpCandidate<'a>> {
        loop {
            if let Some((section, lines)) = &mut self.current {
                for line in lines.by_ref() {
                    if let Some(candidate) = line.strip_prefix("a=")
                        && candidate.starts_with("candidate:")
                    {
                        return Some(SdpCandidate {
                            candidate,
                            sdp_mid: section.mid(),
                            sdp_mline_index: section.index,
                        });
                    }
                }
            }
            let section = self.sections.next()?;
            self.current = Some((section, lines(section.text)));
        }
    }
}

/// Lines without their `\r\n` / `\n`.
type Lines<'a> = core::iter::Map<core::str::Split<'a, char>, fn(&'a str) -> &'a str>;

fn lines(text: &str) -> Lines<'_> {
    fn trim(line: &str) -> &str {
        line.strip_suffix('\r').unwrap_or(line)
    }
    text.split('\n').map(trim as fn(&str) -> &str)
}

/// `a=name:value` → `value`, `a=name` → `""`.
fn attribute_value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix("a=")?.strip_prefix(name)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix(':')
}

/// Byte offset of the first line of `text` that starts with `prefix`.
fn line_start(text: &str, prefix: &str) -> Option<usize> {
    if text.starts_with(prefix) {
        return Some(0);
    }
    let mut from = 0usize;
    loop {
        let newline = text.get(from..)?.find('\n')?.saturating_add(from);
        let start = newline.saturating_add(1);
        if text.get(start..)?.starts_with(prefix) {
            return Some(start);
        }
        from = start;
    }
}
