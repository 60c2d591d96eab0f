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
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads one response from the front of `buf`.
///
/// Call it with everything received so far; `Ok(None)` means "need more bytes" (not an
/// error). It keeps no state between calls, so the same bytes split anywhere give the same
/// result. `eof` says the connection has closed: a body delimited by the close (HTTP/1.0 style)
/// is then complete, and anything else incomplete is [`HttpError::Truncated`].
///
/// A chunked body is joined in place: once a response is returned, its bytes in `buf` are
/// rewritten, and the caller drops [`Response::consumed`] bytes before reading the next.
///
/// # Errors
///
/// [`HttpError`] for malformed heads, lengths and chunks, and for truncation at `eof`.
pub fn parse_response(buf: &mut [u8], eof: bool) -> Result<Option<Response<'_>>, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let head_len = match head.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return if eof { Err(HttpError::Truncated) } else { Ok(None) };
        }
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
    let (body_end, consumed) = match framing {
        Framing::Length(length) => {
            let end = head_len.checked_add(length).ok_or(HttpError::InvalidContentLength)?;
            if buf.len() < end {
                return if eof { Err(HttpError::Truncated) } else { Ok(None) };
            }
            (end, end)
        }
        Framing::UntilClose => {
            if !eof {
                return Ok(None);
            }
            close = true;
            (buf.len(), buf.len())
        }
        Framing::Chunked => match dechunk(buf, head_len)? {
            Some(ends) => ends,
            None => {
                return if eof { Err(HttpError::Truncated) } else { Ok(None) };
            }
        },
    };
    let body = buf.get(head_len..body_end).ok_or(HttpError::Head)?;
    Ok(Some(Response { status, body, body_start: head_len, consumed, connection_close: close }))
}

/// Joins the chunks that start at `start`, in place, if they have all arrived. Returns the
/// end of the joined body and the end of the chunked message.
fn dechunk(buf: &mut [u8], start: usize) -> Result<Option<(usize, usize)>, HttpError> {
    // First pass: check that the whole message is here, without touching it.
    let Some((end, _)) = walk_chunks(buf, start, None)? else {
        return Ok(None);
    };
    // Second pass: move each chunk's data down to the end of the previous one.
    let written = walk_chunks(buf, start, Some(start))?.map_or(start, |(_, written)| written);
    Ok(Some((written, end)))
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

/// Walks the chunks from `start`; with `write`, moves every chunk's data down to there, one
/// after the other. Returns the end of the message and the end of the moved data (`write`'s
/// final value, or 0 without it), or `None` if the message has not fully arrived. (One
/// function for both passes, rather than one generic over what to do with each chunk: half the
/// flash on small targets.)
fn walk_chunks(buf: &mut [u8], start: usize, mut write: Option<usize>) -> Result<Option<(usize, usize)>, HttpError> {
    let mut pos = start;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let (used, size) = match httparse::parse_chunk_size(rest) {
            Ok(httparse::Status::Complete(found)) => found,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(_) => return Err(HttpError::InvalidChunk),
        };
        let size = usize::try_from(size).map_err(|_| HttpError::InvalidChunk)?;
        let data_start = pos.checked_add(used).ok_or(HttpError::InvalidChunk)?;
        if size == 0 {
            // The last chunk: skip trailer lines up to the empty line.
            return Ok(trailers_end(buf, data_start)?.map(|end| (end, write.unwrap_or(0))));
        }
        let data_end = data_start.checked_add(size).ok_or(HttpError::InvalidChunk)?;
        let crlf_end = data_end.checked_add(2).ok_or(HttpError::InvalidChunk)?;
        match buf.get(data_end..crlf_end) {
            None => return Ok(None),
            Some(b"\r\n") => {}
            Some(_) => return Err(HttpError::InvalidChunk),
        }
        if let Some(to) = write {
            write = Some(move_down(buf, data_start..data_end, to));
        }
        pos = crlf_end;
    }
}

/// Finds the end of the trailer section that starts at `pos` (usually just CRLF).
fn trailers_end(buf: &[u8], mut pos: usize) -> Result<Option<usize>, HttpError> {
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(line_len) = rest.windows(2).position(|w| w == b"\r\n") else {
            // A trailer line may be arbitrarily long; bound nothing here, the caller's buffer
            // bounds it.
            return Ok(None);
        };
        let next = pos.saturating_add(line_len).saturating_add(2);
        if line_len == 0 {
            return Ok(Some(next));
        }
        pos = next;
    }
}

fn contains_token(value: &[u8], token: &[u8]) -> bool {
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
