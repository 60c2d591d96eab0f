//! Frames (RFC 6455 section 5): the client writes final, masked frames; the server's frames
//! are read incrementally from the caller's buffer, fragmented messages assembled in place.

use crate::bytes::ByteWriter;

/// A frame's opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Opcode {
    /// The next fragment of a message.
    Continuation,
    /// A text message (UTF-8): how Janus sends JSON.
    Text,
    /// A binary message.
    Binary,
    /// The closing handshake.
    Close,
    /// A ping: answer it with a pong carrying the same payload.
    Ping,
    /// A pong.
    Pong,
}

impl Opcode {
    /// The opcode of a frame's first byte, if RFC 6455 defines it.
    const fn from_bits(bits: u8) -> Option<Self> {
        Some(match bits {
            0x0 => Self::Continuation,
            0x1 => Self::Text,
            0x2 => Self::Binary,
            0x8 => Self::Close,
            0x9 => Self::Ping,
            0xA => Self::Pong,
            _ => return None,
        })
    }

    const fn bits(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// Close, ping and pong: never fragmented, at most 125 bytes of payload.
    const fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }
}

/// Why frames could not be written or read. A reading error means the connection must be
/// failed (RFC 6455 section 7.1.7): close it (with the close code the variant suggests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FrameError {
    /// Reserved bits are set, but no extension was negotiated (close code 1002).
    ReservedBits,
    /// An opcode RFC 6455 does not define (1002).
    UnknownOpcode(u8),
    /// The server masked a frame; servers must not (1002).
    MaskedByServer,
    /// A control frame is fragmented or has more than 125 bytes of payload (1002); when
    /// writing, a ping, pong or close payload over 125 bytes.
    InvalidControl,
    /// A continuation frame came with no message to continue, or a new message began before
    /// the last one ended (1002).
    UnexpectedFragment,
    /// A text message or a close reason is not UTF-8 (1007).
    InvalidUtf8,
    /// A close frame with a one-byte payload (1002).
    InvalidClose,
    /// A message is longer than the reader's limit (1009).
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The buffer cannot hold the frame being read (with the message assembled so far), or
    /// the frame being written.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::ReservedBits => f.write_str("WebSocket frame with reserved bits set"),
            Self::UnknownOpcode(op) => write!(f, "WebSocket frame with unknown opcode {op:#x}"),
            Self::MaskedByServer => f.write_str("masked WebSocket frame from the server"),
            Self::InvalidControl => f.write_str("fragmented or oversized WebSocket control frame"),
            Self::UnexpectedFragment => f.write_str("WebSocket fragment out of sequence"),
            Self::InvalidUtf8 => f.write_str("WebSocket text that is not UTF-8"),
            Self::InvalidClose => f.write_str("WebSocket close frame with a one-byte payload"),
            Self::TooLarge { limit } => write!(f, "WebSocket message over the limit of {limit} bytes"),
            Self::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small for the WebSocket frame: {needed} bytes needed, {available} available")
            }
        }
    }
}

impl core::error::Error for FrameError {}

/// Bytes a client frame with `payload_len` bytes of payload takes: header, mask and payload.
#[must_use]
pub const fn frame_len(payload_len: usize) -> usize {
    // The header (2, 4 or 10 bytes) and the 4-byte mask.
    let header_and_mask = if payload_len < 126 {
        6
    } else if payload_len <= 0xFFFF {
        8
    } else {
        14
    };
    payload_len.saturating_add(header_and_mask)
}

/// The most bytes a client frame's header (with its mask) takes: a payload placed this far
/// into a buffer can be framed where it lies ([`frame_in_place`]).
pub const MAX_HEAD_LEN: usize = 14;

/// The header (and mask) of a final client frame of `opcode` with `payload_len` bytes of
/// payload, and how many of its bytes are used.
fn head(opcode: Opcode, payload_len: usize, mask: [u8; 4]) -> ([u8; MAX_HEAD_LEN], usize) {
    let mut head = [0u8; MAX_HEAD_LEN];
    let mut w = ByteWriter::new(&mut head);
    w.byte(0x80 | opcode.bits());
    match payload_len {
        short @ 0..=125 => w.byte(0x80 | short as u8),
        medium @ 126..=0xFFFF => {
            w.byte(0x80 | 126);
            w.bytes(&(medium as u16).to_be_bytes());
        }
        long => {
            w.byte(0x80 | 127);
            w.bytes(&(long as u64).to_be_bytes());
        }
    }
    w.bytes(&mask);
    let len = w.len();
    (head, len)
}

/// `src` into the front of `dst` (of the same length, by construction).
fn copy(dst: &mut [u8], src: &[u8]) {
    if let Some(dst) = dst.get_mut(..src.len()) {
        dst.copy_from_slice(src);
    }
}

/// Masks `payload` in place with `mask`, eight bytes at a time.
fn apply_mask(payload: &mut [u8], mask: [u8; 4]) {
    let wide = u64::from_ne_bytes([mask[0], mask[1], mask[2], mask[3], mask[0], mask[1], mask[2], mask[3]]);
    let mut chunks = payload.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(word) ^ wide).to_ne_bytes());
    }
    // Whole chunks are a multiple of 8 (and so of 4) bytes: the rest starts with mask[0].
    for (b, m) in chunks.into_remainder().iter_mut().zip(mask.iter().cycle()) {
        *b ^= m;
    }
}

/// Writes one final client frame of `opcode` carrying `payload`, masked with `mask` (4 fresh
/// random bytes of the caller for each frame, as RFC 6455 asks). Returns its length,
/// [`frame_len`]`(payload.len())`.
///
/// # Errors
///
/// [`FrameError::BufferTooSmall`]; [`FrameError::InvalidControl`] for a close, ping or pong
/// payload over 125 bytes.
pub fn write_frame(out: &mut [u8], opcode: Opcode, payload: &[u8], mask: [u8; 4]) -> Result<usize, FrameError> {
    if opcode.is_control() && payload.len() > 125 {
        return Err(FrameError::InvalidControl);
    }
    let needed = frame_len(payload.len());
    let available = out.len();
    let (head, head_len) = head(opcode, payload.len(), mask);
    let Some((head_out, body)) = out.get_mut(..needed).and_then(|frame| frame.split_at_mut_checked(head_len)) else {
        return Err(FrameError::BufferTooSmall { needed, available });
    };
    copy(head_out, head.get(..head_len).unwrap_or_default());
    copy(body, payload);
    apply_mask(body, mask);
    Ok(needed)
}

/// Frames the `payload_len` bytes at `buf[MAX_HEAD_LEN..]` where they lie: masks them and
/// writes the header just before them. Returns where the frame is in `buf` (one write sends
/// it), for a request the client wrote at `buf[MAX_HEAD_LEN..]` without a copy.
///
/// ```
/// use janus_signal::ws::{MAX_HEAD_LEN, Opcode, frame_in_place, write_frame};
///
/// let mut buf = [0u8; 64];
/// buf[MAX_HEAD_LEN..MAX_HEAD_LEN + 5].copy_from_slice(b"Hello");
/// let frame = frame_in_place(&mut buf, Opcode::Text, 5, [0x37, 0xfa, 0x21, 0x3d]).unwrap();
/// let mut copy = [0u8; 16];
/// let n = write_frame(&mut copy, Opcode::Text, b"Hello", [0x37, 0xfa, 0x21, 0x3d]).unwrap();
/// assert_eq!(&buf[frame], &copy[..n]);
/// ```
///
/// # Errors
///
/// [`FrameError::BufferTooSmall`] when `buf` is shorter than `MAX_HEAD_LEN + payload_len`;
/// [`FrameError::InvalidControl`] for a control payload over 125 bytes.
pub fn frame_in_place(
    buf: &mut [u8],
    opcode: Opcode,
    payload_len: usize,
    mask: [u8; 4],
) -> Result<core::ops::Range<usize>, FrameError> {
    if opcode.is_control() && payload_len > 125 {
        return Err(FrameError::InvalidControl);
    }
    let end = MAX_HEAD_LEN.saturating_add(payload_len);
    let available = buf.len();
    let (head, head_len) = head(opcode, payload_len, mask);
    let start = MAX_HEAD_LEN.saturating_sub(head_len);
    let Some((head_out, body)) = buf.get_mut(start..end).and_then(|frame| frame.split_at_mut_checked(head_len)) else {
        return Err(FrameError::BufferTooSmall { needed: end, available });
    };
    copy(head_out, head.get(..head_len).unwrap_or_default());
    apply_mask(body, mask);
    Ok(start..end)
}

/// Writes a close frame with `code` (1000 for a normal closure) and `reason`, cut to the 123
/// bytes a close frame can carry (at a character boundary).
///
/// # Errors
///
/// [`FrameError::BufferTooSmall`].
pub fn write_close(out: &mut [u8], code: u16, reason: &str, mask: [u8; 4]) -> Result<usize, FrameError> {
    let mut payload = [0u8; 125];
    let mut cut = reason.len().min(123);
    while !reason.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let reason = reason.as_bytes().get(..cut).unwrap_or_default();
    let mut w = ByteWriter::new(&mut payload);
    w.bytes(&code.to_be_bytes());
    w.bytes(reason);
    let len = w.len();
    write_frame(out, Opcode::Close, payload.get(..len).unwrap_or_default(), mask)
}

/// A message or control frame from the server, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// A whole text message (its fragments joined): Janus's JSON.
    Text(&'a str),
    /// A whole binary message.
    Binary(&'a [u8]),
    /// A ping: answer with a pong carrying the same payload.
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// The server closes: answer with a close frame (the same code), then close the stream.
    Close {
        /// The status code, if the server gave one.
        code: Option<u16>,
        /// The reason, possibly empty.
        reason: &'a str,
    },
}

/// Reads the server's frames from the caller's buffer as they arrive, in any pieces.
///
/// The caller appends received bytes to `buf[..len]` and calls [`read`](Self::read), which
/// returns each message or control frame once it is complete. Fragmented messages are
/// assembled at the front of the buffer, control frames between fragments are returned as
/// they come. The bytes of a returned message are removed at the next call, so the buffer
/// only needs to hold one message (with its frame headers) and what arrived after it.
#[derive(Debug, Clone)]
pub struct FrameReader {
    max_message: usize,
    /// Bytes of the fragmented message in progress, joined at `buf[..assembled]`.
    assembled: usize,
    /// The opcode of the fragmented message in progress.
    fragmented: Option<Opcode>,
    /// Bytes of the last returned frame or message, `buf[start..end]`, removed at the next call.
    consumed: Option<(usize, usize)>,
}

impl Default for FrameReader {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameReader {
    /// A reader at the start of a connection (after the handshake's head), with no limit on
    /// a message but the buffer's size.
    #[must_use]
    pub const fn new() -> Self {
        Self { max_message: usize::MAX, assembled: 0, fragmented: None, consumed: None }
    }

    /// The same, refusing messages longer than `limit` bytes ([`FrameError::TooLarge`]).
    #[must_use]
    pub const fn with_max_message(mut self, limit: usize) -> Self {
        self.max_message = limit;
        self
    }

    /// The next message or control frame in `buf[..*len]`, or `Ok(None)` when more bytes are
    /// needed (append them after `*len`). `*len` shrinks as the bytes of earlier messages and
    /// of frame headers are removed.
    ///
    /// # Errors
    ///
    /// [`FrameError`]: the connection must be failed; the reader is not meant to go on.
    pub fn read<'b>(&mut self, buf: &'b mut [u8], len: &mut usize) -> Result<Option<Message<'b>>, FrameError> {
        match self.next(buf, len)? {
            Some(frame) => frame.message(buf).map(Some),
            None => Ok(None),
        }
    }

    /// [`read`](Self::read) without the borrow: where the next message or control frame lies
    /// in `buf` ([`Frame::message`] reads it). For loops that go on reading after a control
    /// frame and return a message's bytes.
    ///
    /// # Errors
    ///
    /// As [`read`](Self::read), but for text that is not UTF-8, which [`Frame::message`]
    /// finds.
    pub fn next(&mut self, buf: &mut [u8], len: &mut usize) -> Result<Option<Frame>, FrameError> {
        *len = (*len).min(buf.len());
        if let Some((start, end)) = self.consumed.take() {
            remove(buf, len, start, end);
        }
        loop {
            let at = self.assembled;
            let Some(header) = parse_header(buf.get(at..*len).unwrap_or_default())? else {
                // A header is at most 14 bytes: more bytes can come unless the buffer is full.
                if *len >= buf.len() {
                    let needed = at.saturating_add(14).max(buf.len().saturating_add(1));
                    return Err(FrameError::BufferTooSmall { needed, available: buf.len() });
                }
                return Ok(None);
            };
            let payload_start = at.saturating_add(header.len);
            let end = payload_start.saturating_add(header.payload);
            if !header.opcode.is_control() && self.assembled.saturating_add(header.payload) > self.max_message {
                return Err(FrameError::TooLarge { limit: self.max_message });
            }
            if end > buf.len() {
                return Err(FrameError::BufferTooSmall { needed: end, available: buf.len() });
            }
            if end > *len {
                return Ok(None);
            }
            if header.opcode.is_control() {
                self.consumed = Some((at, end));
                return Ok(Some(Frame { opcode: header.opcode, start: payload_start, end }));
            }
            let kind = match (header.opcode, self.fragmented) {
                (Opcode::Continuation, Some(kind)) => kind,
                (Opcode::Text | Opcode::Binary, None) => header.opcode,
                _ => return Err(FrameError::UnexpectedFragment),
            };
            let message = if self.assembled == 0 && header.fin {
                // The common case: a whole message in one frame, read where it lies.
                self.consumed = Some((0, end));
                (payload_start, end)
            } else {
                // Join the fragment to the message at the front: close the header's gap.
                remove(buf, len, at, payload_start);
                self.assembled = self.assembled.saturating_add(header.payload);
                if !header.fin {
                    self.fragmented = Some(kind);
                    continue;
                }
                let whole = (0, core::mem::take(&mut self.assembled));
                self.fragmented = None;
                self.consumed = Some(whole);
                whole
            };
            return Ok(Some(Frame { opcode: kind, start: message.0, end: message.1 }));
        }
    }
}

/// Where a message or control frame [`FrameReader::next`] found lies in the buffer: its
/// opcode ([`Opcode::Text`] or [`Opcode::Binary`] for a whole, joined message) and its
/// payload at `buf[start..end]`, valid until the reader's next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Frame {
    /// What it is.
    pub opcode: Opcode,
    /// Where its payload starts in the buffer.
    pub start: usize,
    /// Where its payload ends.
    pub end: usize,
}

impl Frame {
    /// The frame read from the buffer it was found in.
    ///
    /// # Errors
    ///
    /// [`FrameError::InvalidUtf8`] for text (or a close reason) that is not UTF-8;
    /// [`FrameError::InvalidClose`] for a close frame with a one-byte payload.
    pub fn message(self, buf: &[u8]) -> Result<Message<'_>, FrameError> {
        let payload = buf.get(self.start..self.end).unwrap_or_default();
        match self.opcode {
            Opcode::Text => Ok(Message::Text(core::str::from_utf8(payload).map_err(|_| FrameError::InvalidUtf8)?)),
            Opcode::Binary | Opcode::Continuation => Ok(Message::Binary(payload)),
            control => self::control(control, payload),
        }
    }
}

/// A frame header.
struct Header {
    fin: bool,
    opcode: Opcode,
    /// Bytes of the header.
    len: usize,
    /// Bytes of the payload.
    payload: usize,
}

/// The header at the start of `bytes`, `None` if incomplete.
fn parse_header(bytes: &[u8]) -> Result<Option<Header>, FrameError> {
    let (Some(&b0), Some(&b1)) = (bytes.first(), bytes.get(1)) else {
        return Ok(None);
    };
    if b0 & 0x70 != 0 {
        return Err(FrameError::ReservedBits);
    }
    let opcode = Opcode::from_bits(b0 & 0x0F).ok_or(FrameError::UnknownOpcode(b0 & 0x0F))?;
    if b1 & 0x80 != 0 {
        return Err(FrameError::MaskedByServer);
    }
    let fin = b0 & 0x80 != 0;
    let (len, payload) = match b1 & 0x7F {
        126 => match bytes.get(2..4) {
            Some(&[hi, lo]) => (4, usize::from(u16::from_be_bytes([hi, lo]))),
            _ => return Ok(None),
        },
        127 => match bytes.get(2..10).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            // Lengths beyond the address space are too large for any buffer.
            Some(b) => (10, usize::try_from(u64::from_be_bytes(b)).unwrap_or(usize::MAX)),
            None => return Ok(None),
        },
        short => (2, usize::from(short)),
    };
    if opcode.is_control() && (!fin || payload > 125) {
        return Err(FrameError::InvalidControl);
    }
    Ok(Some(Header { fin, opcode, len, payload }))
}

/// A control frame's message.
fn control(opcode: Opcode, payload: &[u8]) -> Result<Message<'_>, FrameError> {
    Ok(match opcode {
        Opcode::Ping => Message::Ping(payload),
        Opcode::Pong => Message::Pong(payload),
        _ => match payload {
            [] => Message::Close { code: None, reason: "" },
            [_] => return Err(FrameError::InvalidClose),
            [hi, lo, reason @ ..] => Message::Close {
                code: Some(u16::from_be_bytes([*hi, *lo])),
                reason: core::str::from_utf8(reason).map_err(|_| FrameError::InvalidUtf8)?,
            },
        },
    })
}

/// Removes `buf[start..end]` from the `*len` bytes of `buf`, moving what follows down.
fn remove(buf: &mut [u8], len: &mut usize, start: usize, end: usize) {
    let end = end.min(*len);
    let start = start.min(end);
    if let Some(rest) = buf.get_mut(start..*len) {
        rest.copy_within(end.saturating_sub(start).., 0);
    }
    *len = len.saturating_sub(end.saturating_sub(start));
}
