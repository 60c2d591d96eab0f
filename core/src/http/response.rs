//! The incremental HTTP/1.1 response reader.

use core::fmt;

/// Most headers a response may have. Janus sends about eight.
const MAX_HEADERS: usize = 32;

/// One complete response read from the front of the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Response<'b> {
    /// The status code (Janus API errors come with 200; 403/404/302/400 with empty bodies).
    pub status: u16,
    /// The body, de-chunked.
    pub body: &'b [u8],
    /// Where the body starts in the buffer (it ends `body.len()` bytes later).
    pub body_start: usize,
    /// How many bytes of the buffer this response took: drop them before reading the next
    /// (pipelined) response.
    pub consumed: usize,
    /// The server will close the connection after this response (`Connection: close`, or
    /// HTTP/1.0).
    pub connection_close: bool,
}

/// Malformed HTTP from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// The status line or a header is malformed.
    Head,
    /// More than 32 headers.
    TooManyHeaders,
    /// `Content-Length` is not a number, or appears twice with different values.
    InvalidContentLength,
    /// A chunk size line is malformed, or a chunk is not followed by CRLF.
    InvalidChunk,
    /// The connection closed (`eof`) before the response was complete.
    Truncated,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Head => "malformed HTTP response head",
            Self::TooManyHeaders => "too many HTTP headers",
            Self::InvalidContentLength => "invalid Content-Length",
            Self::InvalidChunk => "malformed chunked body",
            Self::Truncated => "connection closed inside an HTTP response",
        })
    }
}

impl core::error::Error for HttpError {}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// What the head said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    status: u16,
    len: usize,
    framing: Framing,
    close: bool,
}

/// Reads one response from the front of `buf`.
///
/// Call it with everything received so far; `Ok(None)` means "need more bytes" (not an
/// error). It keeps no state between calls, so the same bytes split anywhere give the same
/// result, but each call reads the head and every chunk again: a caller that calls it after
/// every read of a slowly arriving response should keep a [`ResponseReader`] instead, which
/// resumes where it stopped. `eof` says the connection has closed: a body delimited by the
/// close (HTTP/1.0 style) is then complete, and anything else incomplete is
/// [`HttpError::Truncated`].
///
/// A chunked body is joined in place: once a response is returned, its bytes in `buf` are
/// rewritten, and the caller drops [`Response::consumed`] bytes before reading the next.
///
/// # Errors
///
/// [`HttpError`] for malformed heads, lengths and chunks, and for truncation at `eof`.
pub fn parse_response(buf: &mut [u8], eof: bool) -> Result<Option<Response<'_>>, HttpError> {
    ResponseReader::new().read(buf, eof)
}

/// The progress of reading one response from a buffer that only grows: the head once it is
/// complete, and how far the chunks of a chunked body have been checked. Each
/// [`read`](Self::read) looks only at what arrived since the last one (and parses a partial
/// head again only when one of its lines was completed), so a response trickling in a byte at
/// a time costs time linear in its size, where calling [`parse_response`] after every byte
/// costs quadratic time.
///
/// ```
/// use janus_signal::http::ResponseReader;
///
/// let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[1\r\n1\r\n]\r\n0\r\n\r\n";
/// let mut buf = [0u8; 128];
/// let mut reader = ResponseReader::new();
/// // The bytes arrive one at a time; each read looks only at the new one.
/// for (filled, &byte) in wire.iter().enumerate().take(wire.len() - 1) {
///     buf[filled] = byte;
///     assert!(reader.read(&mut buf[..=filled], false).unwrap().is_none());
/// }
/// buf[wire.len() - 1] = wire[wire.len() - 1];
/// let response = reader.read(&mut buf[..wire.len()], false).unwrap().unwrap();
/// assert_eq!((response.status, response.body), (200, &b"[1]"[..]));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseReader {
    /// The head, once it is complete.
    head: Option<Head>,
    /// How many bytes the last call saw (a shorter buffer means a new response).
    seen: usize,
    /// Chunked: where the next chunk-size line (or, after the last chunk, trailer line)
    /// starts; everything before it has arrived and is well-formed.
    next: usize,
    /// Chunked: the last chunk has been read; `next` is in the trailers.
    trailers: bool,
}

impl ResponseReader {
    /// A reader at the start of a response.
    #[must_use]
    pub const fn new() -> Self {
        Self { head: None, seen: 0, next: 0, trailers: false }
    }

    /// Reads one response from the front of `buf`, resuming where the last call stopped:
    /// between calls `buf` may only grow at its end (what a call has seen must stay as it
    /// was). Once it returns a response (or an error) the reader starts afresh, for the next
    /// response at the front of the buffer after the caller dropped [`Response::consumed`]
    /// bytes. Otherwise as [`parse_response`].
    ///
    /// # Errors
    ///
    /// As [`parse_response`].
    pub fn read<'b>(&mut self, buf: &'b mut [u8], eof: bool) -> Result<Option<Response<'b>>, HttpError> {
        if buf.len() < self.seen {
            // Not the buffer it saw: start again.
            *self = Self::new();
        }
        let result = self.advance(buf, eof);
        if !matches!(result, Ok(None)) {
            *self = Self::new();
        }
        let Some((head, body_end, consumed)) = result? else {
            return Ok(None);
        };
        let body = buf.get(head.len..body_end).ok_or(HttpError::Head)?;
        Ok(Some(Response { status: head.status, body, body_start: head.len, consumed, connection_close: head.close }))
    }

    /// The head, the end of the body and the end of the response, once all of it is here.
    fn advance(&mut self, buf: &mut [u8], eof: bool) -> Result<Option<(Head, usize, usize)>, HttpError> {
        let seen = core::mem::replace(&mut self.seen, buf.len());
        let head = match self.head {
            Some(head) => head,
            None => {
                // A partial head is parsed again only when one of its lines was completed (or
                // on the first call, or at the end), not after every byte.
                let new = buf.get(seen..).unwrap_or_default();
                if seen > 0 && !eof && !new.contains(&b'\n') {
                    return Ok(None);
                }
                let Some(head) = parse_head(buf)? else {
                    return if eof { Err(HttpError::Truncated) } else { Ok(None) };
                };
                self.head = Some(head);
                self.next = head.len;
                head
            }
        };
        let end = match head.framing {
            Framing::Length(length) => {
                let end = head.len.checked_add(length).ok_or(HttpError::InvalidContentLength)?;
                (buf.len() >= end).then_some((head, end, end))
            }
            Framing::UntilClose if eof => Some((Head { close: true, ..head }, buf.len(), buf.len())),
            Framing::UntilClose => return Ok(None),
            Framing::Chunked => match self.check_chunks(buf)? {
                // All of it is here: move each chunk's data down behind the previous one.
                Some(end) => Some((head, join_chunks(buf, head.len)?, end)),
                None => None,
            },
        };
        match end {
            None if eof => Err(HttpError::Truncated),
            end => Ok(end),
        }
    }

    /// Checks the chunks (and trailers) from where the last call stopped; the end of the
    /// message once it has all arrived.
    fn check_chunks(&mut self, buf: &[u8]) -> Result<Option<usize>, HttpError> {
        loop {
            if self.trailers {
                // Trailer lines up to the empty one (usually just CRLF). A trailer line may be
                // arbitrarily long: the caller's buffer bounds it.
                let rest = buf.get(self.next..).unwrap_or_default();
                let Some(line_len) = rest.windows(2).position(|w| w == b"\r\n") else {
                    return Ok(None);
                };
                self.next = self.next.saturating_add(line_len).saturating_add(2);
                if line_len == 0 {
                    return Ok(Some(self.next));
                }
                continue;
            }
            let Some((data_start, size)) = chunk_at(buf, self.next)? else {
                return Ok(None);
            };
            if size == 0 {
                self.next = data_start;
                self.trailers = true;
                continue;
            }
            let data_end = data_start.checked_add(size).ok_or(HttpError::InvalidChunk)?;
            let crlf_end = data_end.checked_add(2).ok_or(HttpError::InvalidChunk)?;
            match buf.get(data_end..crlf_end) {
                None => return Ok(None),
                Some(b"\r\n") => {}
                Some(_) => return Err(HttpError::InvalidChunk),
            }
            self.next = crlf_end;
        }
    }
}

/// Parses a complete head; `None` while it is partial.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, HttpError> {
    #[cfg(test)]
    tests::count_parse();
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let head_len = match head.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
        Err(_) => return Err(HttpError::Head),
    };
    let status = head.code.ok_or(HttpError::Head)?;
    let http10 = head.version == Some(0);
    let mut framing = None;
    let mut close = http10;
    for h in head.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            if contains_token(h.value, b"chunked") {
                framing = Some(Framing::Chunked);
            }
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let length = parse_length(h.value)?;
            match framing {
                Some(Framing::Chunked) => {}
                Some(Framing::Length(other)) if other != length => {
                    return Err(HttpError::InvalidContentLength);
                }
                _ => framing = Some(Framing::Length(length)),
            }
        } else if h.name.eq_ignore_ascii_case("connection") {
            if contains_token(h.value, b"close") {
                close = true;
            } else if contains_token(h.value, b"keep-alive") {
                close = false;
            }
        }
    }
    // 1xx, 204 and 304 never have a body.
    let framing = if matches!(status, 100..=199 | 204 | 304) {
        Framing::Length(0)
    } else {
        framing.unwrap_or(Framing::UntilClose)
    };
    Ok(Some(Head { status, len: head_len, framing, close }))
}

/// Moves `buf[data]` down to `to` (`to <= data.start`) and returns the end of the moved
/// bytes. Not `copy_within`: its `memmove` costs 1.5 KB of flash on small targets. The move
/// goes in non-overlapping pieces as long as the gap between the two.
fn move_down(buf: &mut [u8], data: core::ops::Range<usize>, mut to: usize) -> usize {
    let mut from = data.start;
    let gap = from.saturating_sub(to);
    if gap == 0 {
        return data.end;
    }
    while from < data.end {
        let n = gap.min(data.end.saturating_sub(from));
        let (low, high) = buf.split_at_mut(from.min(buf.len()));
        match (low.get_mut(to..to.saturating_add(n)), high.get(..n)) {
            (Some(dst), Some(src)) => dst.copy_from_slice(src),
            _ => break,
        }
        from = from.saturating_add(n);
        to = to.saturating_add(n);
    }
    to
}

/// The chunk whose size line starts at `pos`: where its data starts, and its size; `None`
/// while the size line is partial.
fn chunk_at(buf: &[u8], pos: usize) -> Result<Option<(usize, usize)>, HttpError> {
    #[cfg(test)]
    tests::count_parse();
    let rest = buf.get(pos..).unwrap_or_default();
    let (used, size) = match httparse::parse_chunk_size(rest) {
        Ok(httparse::Status::Complete(found)) => found,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(HttpError::InvalidChunk),
    };
    let size = usize::try_from(size).map_err(|_| HttpError::InvalidChunk)?;
    let data_start = pos.checked_add(used).ok_or(HttpError::InvalidChunk)?;
    Ok(Some((data_start, size)))
}

/// Moves the data of the chunks from `start` (all arrived and checked) down behind one
/// another; returns the end of the joined body.
fn join_chunks(buf: &mut [u8], start: usize) -> Result<usize, HttpError> {
    let (mut pos, mut written) = (start, start);
    while let Some((data_start, size)) = chunk_at(buf, pos)? {
        if size == 0 {
            break;
        }
        let data_end = data_start.saturating_add(size);
        written = move_down(buf, data_start..data_end, written);
        pos = data_end.saturating_add(2);
    }
    Ok(written)
}

/// Whether the comma-separated header `value` lists `token` (ASCII case-insensitively).
pub(crate) fn contains_token(value: &[u8], token: &[u8]) -> bool {
    value.split(|&b| b == b',').any(|part| part.trim_ascii().eq_ignore_ascii_case(token))
}

fn parse_length(value: &[u8]) -> Result<usize, HttpError> {
    let digits = value.trim_ascii();
    if digits.is_empty() {
        return Err(HttpError::InvalidContentLength);
    }
    digits.iter().try_fold(0usize, |acc, &b| {
        if !b.is_ascii_digit() {
            return Err(HttpError::InvalidContentLength);
        }
        acc.checked_mul(10)
            .and_then(|v| v.checked_add(usize::from(b.wrapping_sub(b'0'))))
            .ok_or(HttpError::InvalidContentLength)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Status, body, consumed, close.
    type Owned = (u16, Vec<u8>, usize, bool);

    std::thread_local! {
        /// Head and chunk-size parses on this thread: the reader's work.
        static PARSES: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
    }

    pub(super) fn count_parse() {
        PARSES.with(|p| p.set(p.get() + 1));
    }

    fn parses() -> usize {
        PARSES.with(core::cell::Cell::get)
    }

    /// Feeds `wire` to `reader` `piece` bytes at a time, as a driver does after each read,
    /// dropping each response's bytes once it is read (the reader is kept throughout).
    fn trickle(
        wire: &[u8],
        piece: usize,
        mut read: impl FnMut(&mut [u8]) -> Result<Option<Owned>, HttpError>,
    ) -> Vec<Owned> {
        let mut buf = std::vec![0u8; wire.len()];
        let (mut filled, mut responses) = (0, Vec::new());
        for bytes in wire.chunks(piece) {
            buf[filled..filled + bytes.len()].copy_from_slice(bytes);
            filled += bytes.len();
            while let Some(r) = read(&mut buf[..filled]).expect("valid") {
                buf.copy_within(r.2..filled, 0);
                filled -= r.2;
                responses.push(r);
            }
        }
        assert_eq!(filled, 0, "all read");
        responses
    }

    fn owned(r: Option<Response<'_>>) -> Option<Owned> {
        r.map(|r| (r.status, r.body.to_vec(), r.consumed, r.connection_close))
    }

    /// A chunked response: `body_len` bytes in `chunk`-byte chunks.
    fn chunked(body_len: usize, chunk: usize) -> (Vec<u8>, Vec<u8>) {
        let body: Vec<u8> = (0..body_len).map(|i| b'a' + (i % 26) as u8).collect();
        let mut wire =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for piece in body.chunks(chunk) {
            wire.extend_from_slice(std::format!("{:X}\r\n", piece.len()).as_bytes());
            wire.extend_from_slice(piece);
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        (wire, body)
    }

    #[test]
    fn the_reader_gives_what_the_whole_gives_however_the_bytes_arrive() {
        let (chunked, body) = chunked(300, 7);
        let mut wire = chunked.clone();
        wire.extend_from_slice(b"HTTP/1.1 204 No Content\r\n\r\n");
        wire.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        wire.extend_from_slice(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nA: b\r\nC: d\r\n\r\n",
        );
        let expected = std::vec![
            (200, body, chunked.len(), false),
            (204, Vec::new(), 27, false),
            (200, b"{}".to_vec(), 40, false),
            (200, b"abc".to_vec(), 76, false),
        ];
        assert_eq!(trickle(&wire, wire.len(), |b| parse_response(b, false).map(owned)), expected);
        for piece in [1, 2, 3, 5, 13, 64] {
            let mut reader = ResponseReader::new();
            assert_eq!(trickle(&wire, piece, |b| reader.read(b, false).map(owned)), expected, "piece {piece}");
            assert_eq!(reader, ResponseReader::new(), "ready for the next response");
        }
    }

    #[test]
    fn the_reader_reports_what_parse_response_reports() {
        // Errors and truncation, at the byte where they show (or the line, for a head).
        let mut reader = ResponseReader::new();
        let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY";
        let mut buf = bad.to_vec();
        for filled in 1..bad.len() {
            assert_eq!(reader.read(&mut buf[..filled], false), Ok(None), "{filled}");
        }
        assert_eq!(reader.read(&mut buf, false), Err(HttpError::InvalidChunk));
        assert_eq!(reader, ResponseReader::new(), "an error starts afresh");
        let mut buf = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}".to_vec();
        assert_eq!(reader.read(&mut buf, false), Ok(None));
        assert_eq!(reader.read(&mut buf, true), Err(HttpError::Truncated));
        let mut buf = b"HTTX/1.1 200 OK\r\n".to_vec();
        assert_eq!(reader.read(&mut buf[..8], false), Err(HttpError::Head));
        assert_eq!(reader.read(&mut buf[..3], false), Ok(None));
        assert_eq!(reader.read(&mut buf, false), Err(HttpError::Head));
        // A shorter buffer than the last call saw is a new response.
        let mut buf = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n".to_vec();
        assert_eq!(reader.read(&mut buf, false), Ok(None));
        let mut fresh = b"HTTP/1.1 404 Not Found\r\n\r\n".to_vec();
        assert_eq!(reader.read(&mut fresh[..10], false), Ok(None));
        assert_eq!(reader.read(&mut fresh, true).map(owned), Ok(Some((404, Vec::new(), 26, true))));
    }

    #[test]
    fn a_trickled_chunked_body_costs_linear_work() {
        // 2 KiB of body in 1-byte chunks (12 KiB on the wire), fed a byte at a time: the
        // stateless reader parses the head and every chunk again at each byte.
        let work = |body_len: usize, stateless: bool| {
            let (wire, body) = chunked(body_len, 1);
            let before = parses();
            let mut reader = ResponseReader::new();
            let responses = trickle(&wire, 1, |b| {
                if stateless { parse_response(b, false).map(owned) } else { reader.read(b, false).map(owned) }
            });
            assert_eq!(responses, std::vec![(200, body, wire.len(), false)]);
            (wire.len(), parses() - before)
        };
        let body_len = if cfg!(miri) { 64 } else { 2048 };
        let (wire, incremental) = work(body_len, false);
        let (_, stateless) = work(body_len, true);
        std::eprintln!("{wire} bytes a byte at a time: {incremental} parses incrementally, {stateless} statelessly");
        // The size line ("1\r\n") and the data wait for their bytes: a few parses per chunk.
        assert!(incremental <= 2 * wire, "{incremental} parses for {wire} bytes");
        assert!(stateless > incremental * (body_len / 4), "{stateless}");
        // Twice the body, twice the work.
        let (wire2, incremental2) = work(2 * body_len, false);
        assert!(wire2 < 2 * wire && incremental2 * 10 < incremental * 21, "{incremental2} for {wire2} bytes");
    }

    fn parse(bytes: &[u8], eof: bool) -> Result<Option<Owned>, HttpError> {
        let mut buf = bytes.to_vec();
        parse_response(&mut buf, eof).map(|r| r.map(|r| (r.status, r.body.to_vec(), r.consumed, r.connection_close)))
    }

    #[test]
    fn content_length_and_bare_statuses() {
        let r = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\nHTTP/1.1";
        assert_eq!(parse(r, false), Ok(Some((404, Vec::new(), 45, false))));
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse(r, false), Ok(Some((200, b"{}".to_vec(), r.len(), false))));
        assert_eq!(parse(&r[..r.len() - 1], false), Ok(None));
        assert_eq!(parse(&r[..r.len() - 1], true), Err(HttpError::Truncated));
    }

    #[test]
    fn chunked_with_uppercase_hex_and_several_chunks() {
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\nrest";
        assert_eq!(parse(r, false), Ok(Some((200, b"0123456789abc".to_vec(), r.len() - 4, false))));
        let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n";
        assert_eq!(parse(bad, false), Err(HttpError::InvalidChunk));
        let bad = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n";
        assert_eq!(parse(bad, false), Err(HttpError::InvalidChunk));
    }

    #[test]
    fn long_chunks_move_down_past_their_own_length() {
        // Chunk data much longer than the gap it moves down by (moved piece by piece).
        let first: Vec<u8> = (0..200u8).collect();
        let second: Vec<u8> = (0..=255u8).rev().collect();
        let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nc8\r\n".to_vec();
        r.extend_from_slice(&first);
        r.extend_from_slice(b"\r\n100;ext=1\r\n");
        r.extend_from_slice(&second);
        r.extend_from_slice(b"\r\n0\r\nTrailer: x\r\n\r\n");
        let body: Vec<u8> = first.iter().chain(second.iter()).copied().collect();
        assert_eq!(parse(&r, false), Ok(Some((200, body, r.len(), false))));
        assert_eq!(parse(&r[..r.len() - 2], false), Ok(None));
    }

    #[test]
    fn no_body_statuses_ignore_their_framing_headers() {
        // A 204 (or 304, or 1xx) never has a body, whatever its headers say: what follows its
        // head is the next response.
        let next = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        for head in [
            &b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"[..],
            b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"HTTP/1.1 100 Continue\r\nContent-Length: 3\r\n\r\n",
        ] {
            let status: u16 = core::str::from_utf8(&head[9..12]).unwrap().parse().unwrap();
            let stream: Vec<u8> = head.iter().chain(next.iter()).copied().collect();
            assert_eq!(parse(&stream, false), Ok(Some((status, Vec::new(), head.len(), false))));
            assert_eq!(parse(head, false), Ok(Some((status, Vec::new(), head.len(), false))));
        }
    }

    #[test]
    fn close_delimited_and_connection_close() {
        let r = b"HTTP/1.0 200 OK\r\n\r\n{\"a\":1}";
        assert_eq!(parse(r, false), Ok(None));
        assert_eq!(parse(r, true), Ok(Some((200, b"{\"a\":1}".to_vec(), r.len(), true))));
        let r = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(parse(r, false), Ok(Some((200, Vec::new(), r.len(), true))));
    }

    #[test]
    fn malformed() {
        assert_eq!(parse(b"HTTX/1.1 200 OK\r\n\r\n", false), Err(HttpError::Head));
        assert_eq!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false), Err(HttpError::InvalidContentLength));
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false),
            Err(HttpError::InvalidContentLength)
        );
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false),
            Err(HttpError::InvalidContentLength)
        );
        let many: Vec<u8> = b"HTTP/1.1 200 OK\r\n"
            .iter()
            .copied()
            .chain((0..40).flat_map(|_| b"X: y\r\n".iter().copied()))
            .chain(b"\r\n".iter().copied())
            .collect();
        assert_eq!(parse(&many, false), Err(HttpError::TooManyHeaders));
    }
}
