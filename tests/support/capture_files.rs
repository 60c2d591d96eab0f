//! The real Janus captures on disk, and the Janus JSON inside them, read without the crate
//! under test: HTTP heads with `httparse`, chunked and `Content-Length` framing by hand,
//! WebSocket transcripts by the byte counts the recorder wrote.
//!
//! The recorder's formats, as found in the files:
//!
//! - `http/*.http`: `=== REQUEST (raw bytes as sent) ===` and the request bytes, then
//!   `=== RESPONSE (raw bytes as received, framing intact) ===` and the response bytes exactly as
//!   received (CRLF head; `Transfer-Encoding: chunked` with upper-case hex sizes, or
//!   `Content-Length`, or nothing for the HTTP/1.0 answer, whose body ends at the close), then
//!   `=== SUMMARY ===` with `status:`, `framing:` and the recorder's own
//!   `decoded body (pretty):`. One file has `=== FURTHER BYTES RECEIVED ON THE SAME CONNECTION
//!   ===` with the second of two pipelined responses. Before each `===` line the recorder puts a
//!   `\n` when the raw bytes did not end with one: a `Content-Length` body is followed by that
//!   `\n`, a chunked one ends with its own `0\r\n\r\n`. Requests the server closed without
//!   answering have `=== RESPONSE ===` and `<no HTTP response: …>`.
//! - `ws/*.txt`: `=== <- received text frame @ +X ms (N bytes) ===` and the N payload bytes (a
//!   whole message: the client library had reassembled fragments), `=== -> sent text frame …`
//!   for requests (`<BINARY FRAME> ` before a payload sent as a binary frame, counted in N), raw
//!   handshakes (`=== HANDSHAKE RESPONSE (raw) ===`, a 101 without body), raw server frames
//!   `=== server frame K: FIN=… opcode=… masked=… header=HEX payload_len=N ===` (TEXT +
//!   CONTINUATION when Janus fragments a message), and a few plain HTTP exchanges (a claim over
//!   HTTP, a `403` HTML page from the WebSocket port).
//! - `http/*-summary.json`: the recorder's notes on a series of long polls, `[{"t_after_offer_s":
//!   …, "event": {…}}]`; the events are re-serialised copies of messages of the `*-pollNN.http`
//!   files beside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The capture sub-folders.
pub(crate) const DIRS: [&str; 2] = ["http", "ws"];

/// The capture folders: the copy shipped with the tests, and the project's shared folder (when
/// it exists), where captures may be added later.
pub(crate) fn roots() -> [(&'static str, PathBuf); 2] {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [("fixtures", manifest.join("tests/fixtures/captures")), ("shared", manifest.join("../shared/janus/captures"))]
}

/// One capture file.
pub(crate) struct CaptureFile {
    /// `http/NAME` or `ws/NAME`; a second, different file of the same name gets the folder's
    /// name appended.
    pub(crate) label: String,
    /// `http` or `ws`.
    pub(crate) dir: &'static str,
    /// The file name.
    pub(crate) name: String,
    /// Which root it was first found in.
    pub(crate) root: &'static str,
    /// The content.
    pub(crate) bytes: Vec<u8>,
}

/// Every capture file of both roots; a file with the same folder, name and content in both is
/// taken once.
pub(crate) fn capture_files() -> Vec<CaptureFile> {
    let mut seen: BTreeMap<(&'static str, String), Vec<Vec<u8>>> = BTreeMap::new();
    let mut files = Vec::new();
    for (root, path) in roots() {
        for dir in DIRS {
            let Ok(entries) = std::fs::read_dir(path.join(dir)) else { continue };
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            paths.sort();
            for path in paths {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                let versions = seen.entry((dir, name.clone())).or_default();
                if versions.contains(&bytes) {
                    continue;
                }
                let label = if versions.is_empty() {
                    format!("{dir}/{name}")
                } else {
                    format!("{dir}/{name} [{root} version]")
                };
                versions.push(bytes.clone());
                files.push(CaptureFile { label, dir, name, root, bytes });
            }
        }
    }
    files
}

/// How an HTTP response delimits its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Transfer-Encoding: chunked`, with the chunk sizes (the last one 0).
    Chunked(Vec<usize>),
    /// `Content-Length`.
    ContentLength(usize),
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
    /// A status that has no body (1xx, 204, 304).
    NoBody,
}

/// One HTTP response found in a capture.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    /// Byte offset of its status line in the file.
    pub(crate) at: usize,
    /// The status code.
    pub(crate) status: u16,
    /// `Content-Type`, if sent.
    pub(crate) content_type: Option<String>,
    /// How the body was delimited.
    pub(crate) framing: Framing,
    /// The body, de-chunked.
    pub(crate) body: Vec<u8>,
}

/// One Janus JSON text (an object, or a long-poll array of them) found in a capture.
#[derive(Debug)]
pub(crate) struct Body {
    /// Byte offset in the file of the section or response it came from (gives file order).
    pub(crate) at: usize,
    /// Where it came from, for messages.
    pub(crate) origin: String,
    /// The JSON bytes exactly as Janus sent them.
    pub(crate) bytes: Vec<u8>,
}

/// What one capture file holds.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    /// Every HTTP response, with or without a body.
    pub(crate) responses: Vec<HttpResponse>,
    /// The Janus JSON bodies and WebSocket messages, in file order.
    pub(crate) bodies: Vec<Body>,
    /// Response bodies that are not JSON (empty statuses, HTML), described.
    pub(crate) skipped: Vec<String>,
}

/// Finds every HTTP response and every received WebSocket message in a capture file.
///
/// # Errors
///
/// A description of the first thing that does not parse: a bad head, a chunk or a length running
/// past the capture, a WebSocket byte count that does not land on a line break, a frame header
/// that contradicts its description, a received-frame section of an unknown kind.
pub(crate) fn extract(text: &[u8]) -> Result<Extracted, String> {
    let mut out = Extracted { responses: http_responses(text)?, ..Extracted::default() };
    for (i, r) in out.responses.iter().enumerate() {
        let origin = format!("HTTP response {} ({} {:?})", i + 1, r.status, framing_name(&r.framing));
        if looks_like_json(&r.body) {
            out.bodies.push(Body { at: r.at, origin, bytes: r.body.clone() });
        } else {
            let kind = r.content_type.as_deref().unwrap_or("no content type");
            out.skipped.push(format!("{origin}: {} body bytes, {kind}", r.body.len()));
        }
    }
    out.bodies.extend(ws_messages(text)?);
    out.bodies.sort_by_key(|b| b.at);
    Ok(out)
}

fn framing_name(framing: &Framing) -> &'static str {
    match framing {
        Framing::Chunked(_) => "chunked",
        Framing::ContentLength(_) => "Content-Length",
        Framing::UntilClose => "until close",
        Framing::NoBody => "no body",
    }
}

/// Whether the bytes are a JSON object or array (Janus's bodies), after leading whitespace.
pub(crate) fn looks_like_json(bytes: &[u8]) -> bool {
    matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// The offset of the first line at or after `from` that starts with a line matching `is_start`.
fn next_line(text: &[u8], from: usize, is_start: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut i = from;
    while i < text.len() {
        if (i == 0 || text[i - 1] == b'\n') && is_start(&text[i..]) {
            return Some(i);
        }
        i = find(text, b"\n", i)? + 1;
    }
    None
}

fn is_status_line(line: &[u8]) -> bool {
    (line.starts_with(b"HTTP/1.0 ") || line.starts_with(b"HTTP/1.1 "))
        && line.get(9..12).is_some_and(|code| code.iter().all(u8::is_ascii_digit))
}

/// Every HTTP response in `text`, in order: a status line at the start of a line. Scanning
/// resumes after each response's last byte, so responses pipelined back to back are found and a
/// body is never scanned for status lines.
fn http_responses(text: &[u8]) -> Result<Vec<HttpResponse>, String> {
    let mut responses = Vec::new();
    let mut pos = 0;
    while let Some(at) = next_line(text, pos, is_status_line) {
        let (response, end) = parse_response(text, at).map_err(|e| format!("HTTP response at byte {at}: {e}"))?;
        responses.push(response);
        pos = end.max(at + 1);
    }
    Ok(responses)
}

/// Parses the response starting at `at`; returns it and the offset just after it.
fn parse_response(text: &[u8], at: usize) -> Result<(HttpResponse, usize), String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut head = httparse::Response::new(&mut headers);
    let head_len = match head.parse(&text[at..]) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("head incomplete".to_owned()),
        Err(e) => return Err(format!("head does not parse: {e}")),
    };
    let status = head.code.ok_or("no status code")?;
    let header = |name: &str| {
        head.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    let content_type = header("content-type");
    let transfer_encoding = header("transfer-encoding");
    let content_length = header("content-length");
    let start = at + head_len;
    let response = |framing, body: &[u8]| HttpResponse { at, status, content_type, framing, body: body.to_vec() };

    if (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok((response(Framing::NoBody, &[]), start));
    }
    if let Some(te) = transfer_encoding {
        if !te.to_ascii_lowercase().split(',').any(|coding| coding.trim() == "chunked") {
            return Err(format!("Transfer-Encoding {te:?} without chunked"));
        }
        let (body, sizes, end) = dechunk(text, start)?;
        return Ok((response(Framing::Chunked(sizes), &body), end));
    }
    if let Some(length) = content_length {
        let n: usize = length.parse().map_err(|_| format!("Content-Length {length:?}"))?;
        let body = text.get(start..start + n).ok_or_else(|| format!("Content-Length {n} runs past the capture"))?;
        return Ok((response(Framing::ContentLength(n), body), start + n));
    }
    // Delimited by the close: everything up to the recorder's next section, without the line
    // break the recorder put before it (a trailing whitespace byte either way).
    let end = match find(text, b"\n=== ", start.saturating_sub(1)) {
        Some(marker) => marker.max(start),
        None => text.len() - usize::from(text.ends_with(b"\n") && text.len() > start),
    };
    Ok((response(Framing::UntilClose, &text[start..end]), end))
}

/// Reads a chunked body starting at `pos`: returns the data, the chunk sizes and the offset after
/// the final empty line.
fn dechunk(text: &[u8], mut pos: usize) -> Result<(Vec<u8>, Vec<usize>, usize), String> {
    let mut body = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let line_end = find(text, b"\r\n", pos).ok_or("chunk size line without CRLF")?;
        let line = String::from_utf8_lossy(&text[pos..line_end]);
        // Chunk extensions (`;name=value`) are allowed by HTTP/1.1; Janus sends none.
        let hex = line.split(';').next().unwrap_or_default().trim();
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("chunk size line {line:?}"));
        }
        let size = usize::from_str_radix(hex, 16).map_err(|_| format!("chunk size {hex:?}"))?;
        sizes.push(size);
        pos = line_end + 2;
        if size == 0 {
            // Optional trailer fields, then the empty line.
            loop {
                let end = find(text, b"\r\n", pos).ok_or("chunked body without its final CRLF")?;
                let empty = end == pos;
                pos = end + 2;
                if empty {
                    return Ok((body, sizes, pos));
                }
            }
        }
        let data = text.get(pos..pos + size).ok_or_else(|| format!("chunk of {size} bytes runs past the capture"))?;
        body.extend_from_slice(data);
        pos += size;
        if text.get(pos..pos + 2) != Some(b"\r\n".as_slice()) {
            return Err(format!("chunk of {size} bytes not followed by CRLF"));
        }
        pos += 2;
    }
}

/// The `(N bytes)` count of a transcript section header.
fn byte_count(header: &str) -> Result<usize, String> {
    let open = header.rfind('(').ok_or_else(|| format!("no byte count in {header:?}"))?;
    let count = header[open + 1..].split(' ').next().unwrap_or_default();
    count.parse().map_err(|_| format!("byte count {count:?} in {header:?}"))
}

/// A `key=value` field of a `server frame` section header.
fn frame_field<'h>(header: &'h str, key: &str) -> Result<&'h str, String> {
    header
        .split_whitespace()
        .find_map(|token| token.strip_prefix(key)?.strip_prefix('='))
        .ok_or_else(|| format!("no {key}= in {header:?}"))
}

/// What a raw frame header says: FIN, opcode, masked, payload length.
fn decode_frame_header(hex: &str) -> Result<(bool, u8, bool, usize), String> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("frame header {hex:?} is not hex"))?;
    let (&b0, rest) = bytes.split_first().ok_or("empty frame header")?;
    let (&b1, rest) = rest.split_first().ok_or("frame header of one byte")?;
    let masked = b1 & 0x80 != 0;
    let (len, extended) = match b1 & 0x7f {
        126 => (rest.get(..2).map(|b| b.iter().fold(0usize, |n, &x| n << 8 | usize::from(x))), 2),
        127 => (rest.get(..8).map(|b| b.iter().fold(0usize, |n, &x| n << 8 | usize::from(x))), 8),
        n => (Some(usize::from(n)), 0),
    };
    let len = len.ok_or_else(|| format!("frame header {hex:?} is cut short"))?;
    if rest.len() != extended + if masked { 4 } else { 0 } {
        return Err(format!("frame header {hex:?} has {} bytes too many or too few", rest.len()));
    }
    Ok((b0 & 0x80 != 0, b0 & 0x0f, masked, len))
}

/// The `n` bytes of a transcript section starting at `start`.
fn section_payload<'t>(text: &'t [u8], start: usize, n: usize, header: &str) -> Result<&'t [u8], String> {
    let payload = text.get(start..start + n).ok_or_else(|| format!("{header:?}: payload runs past the file"))?;
    // The recorder ends every payload with a line break: a wrong count lands elsewhere.
    if !matches!(text.get(start + n), None | Some(b'\n')) {
        return Err(format!("{header:?}: no line break after {n} bytes"));
    }
    Ok(payload)
}

/// Every text message the WebSocket client received, in order: `<- received text frame`
/// sections, and messages reassembled from raw `server frame` sections.
fn ws_messages(text: &[u8]) -> Result<Vec<Body>, String> {
    let mut messages = Vec::new();
    // A fragmented message being reassembled: offset of its first frame, frame count, bytes.
    let mut fragments: Option<(usize, usize, Vec<u8>)> = None;
    let mut pos = 0;
    while let Some(at) = next_line(text, pos, |line| line.starts_with(b"=== ")) {
        let line_end = find(text, b"\n", at).unwrap_or(text.len());
        let header = std::str::from_utf8(&text[at..line_end]).map_err(|_| format!("section header at byte {at}"))?;
        let start = (line_end + 1).min(text.len());
        pos = start;
        let payload = |n: usize| section_payload(text, start, n, header);
        if let Some(rest) = header.strip_prefix("=== <- ") {
            if !rest.starts_with("received text frame @ ") {
                return Err(format!("unknown kind of received section {header:?}"));
            }
            let n = byte_count(header)?;
            let bytes = payload(n)?;
            let time = rest.trim_start_matches("received text frame @ ").split(" (").next().unwrap_or_default();
            messages.push(Body { at, origin: format!("received text frame @ {time}"), bytes: bytes.to_vec() });
            pos = start + n;
        } else if header.starts_with("=== -> ") {
            // A request sent by the client: skipped, but by its byte count.
            pos = start + payload(byte_count(header)?)?.len();
        } else if header.starts_with("=== server frame ") {
            let fin = frame_field(header, "FIN")? == "True";
            let opcode: u8 = frame_field(header, "opcode")?.parse().map_err(|_| format!("opcode in {header:?}"))?;
            let masked = frame_field(header, "masked")? == "True";
            let n: usize = frame_field(header, "payload_len")?.parse().map_err(|_| format!("length in {header:?}"))?;
            if decode_frame_header(frame_field(header, "header")?)? != (fin, opcode, masked, n) {
                return Err(format!("{header:?}: the raw header says something else"));
            }
            let bytes = payload(n)?;
            pos = start + n;
            match (opcode, fragments.as_mut()) {
                (1 | 2, None) if fin => {
                    let origin = format!("server frame (opcode {opcode})");
                    messages.push(Body { at, origin, bytes: bytes.to_vec() });
                }
                (1 | 2, None) => fragments = Some((at, 1, bytes.to_vec())),
                (0, Some((_, count, data))) => {
                    *count += 1;
                    data.extend_from_slice(bytes);
                    if fin {
                        let (first, count, data) = fragments.take().unwrap_or_default();
                        let origin = format!("{count} server frames reassembled (TEXT + CONTINUATION)");
                        messages.push(Body { at: first, origin, bytes: data });
                    }
                }
                (8..=10, _) => {} // close, ping, pong
                _ => return Err(format!("{header:?}: unexpected frame in this state")),
            }
        }
    }
    if fragments.is_some() {
        return Err("a fragmented message never got its FIN frame".to_owned());
    }
    Ok(messages)
}

/// What the recorder's `=== SUMMARY ===` section says about the first response of an `.http`
/// file.
#[derive(Debug, Default)]
pub(crate) struct RecorderSummary {
    /// `status: 200 OK`.
    pub(crate) status: Option<u16>,
    /// `framing: chunked, chunk sizes [101, 0]`, `framing: Content-Length 908`,
    /// `framing: read-until-close`.
    pub(crate) framing: Option<Framing>,
    /// `decoded body (pretty):` and the JSON the recorder decoded.
    pub(crate) decoded: Option<serde_json::Value>,
}

/// Reads the `=== SUMMARY ===` section of an `.http` capture, if it has one.
///
/// # Errors
///
/// A line of a known kind that does not read as expected.
pub(crate) fn recorder_summary(text: &[u8]) -> Result<Option<RecorderSummary>, String> {
    let Some(section) = find(text, b"\n=== SUMMARY ===\n", 0) else { return Ok(None) };
    let start = section + b"\n=== SUMMARY ===\n".len();
    let end = find(text, b"\n=== ", start).map_or(text.len(), |e| e + 1);
    let mut summary = RecorderSummary::default();
    let mut line_start = start;
    while line_start < end {
        let line_end = find(text, b"\n", line_start).unwrap_or(end).min(end);
        let line = String::from_utf8_lossy(&text[line_start..line_end]);
        let next = line_end + 1;
        if let Some(status) = line.strip_prefix("status: ") {
            let code = status.split(' ').next().unwrap_or_default();
            summary.status = Some(code.parse().map_err(|_| format!("summary line {line:?}"))?);
        } else if let Some(framing) = line.strip_prefix("framing: ") {
            summary.framing = Some(if let Some(list) = framing.strip_prefix("chunked, chunk sizes [") {
                let list = list.strip_suffix(']').ok_or_else(|| format!("summary line {line:?}"))?;
                let sizes = list.split(", ").map(str::parse).collect::<Result<_, _>>();
                Framing::Chunked(sizes.map_err(|_| format!("summary line {line:?}"))?)
            } else if let Some(n) = framing.strip_prefix("Content-Length ") {
                Framing::ContentLength(n.parse().map_err(|_| format!("summary line {line:?}"))?)
            } else if framing == "read-until-close" {
                Framing::UntilClose
            } else {
                return Err(format!("unknown summary line {line:?}"));
            });
        } else if line == "decoded body (pretty):" {
            let mut values = serde_json::Deserializer::from_slice(&text[next..end]).into_iter::<serde_json::Value>();
            let value = values.next().ok_or("no JSON after `decoded body (pretty):`")?;
            summary.decoded = Some(value.map_err(|e| format!("the recorder's decoded body: {e}"))?);
            line_start = next + values.byte_offset();
            continue;
        }
        line_start = next;
    }
    Ok(Some(summary))
}
