//! HTTP framing vectors taken byte for byte from the real captures: every response Janus sent
//! (chunked with upper-case hex, Content-Length, bare statuses, read-until-close, pipelined)
//! is read by `janus_signal::http::parse_response` as the capture's summary says, and every
//! prefix of it is "need more bytes", never an error, so input split at any byte boundary
//! gives the same result.
//!
//! Walks `tests/fixtures/captures/http/` and, when present, `../shared/janus/captures/http/`.

#[path = "support/captures.rs"]
mod captures;

use std::collections::BTreeMap;
use std::path::PathBuf;

use captures::find;

use janus_signal::http::{ResponseReader, parse_response};
use janus_signal::message::Batch;

const RESPONSE: &[u8] = b"=== RESPONSE (raw bytes as received, framing intact) ===\n";
const FURTHER: &[u8] = b"=== FURTHER BYTES RECEIVED ON THE SAME CONNECTION ===\n";
const SUMMARY: &[u8] = b"=== SUMMARY ===\n";

fn capture_files() -> BTreeMap<String, PathBuf> {
    let mut files = captures::capture_files("http");
    files.retain(|name, _| name.ends_with(".http"));
    files
}

/// The summary's `key: value` lines.
fn summary(text: &[u8]) -> BTreeMap<String, String> {
    let start = find(text, SUMMARY, 0).map_or(text.len(), |i| i + SUMMARY.len());
    String::from_utf8_lossy(&text[start..])
        .lines()
        .take_while(|l| !l.starts_with("decoded body"))
        .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

/// Raw response bytes: the RESPONSE section up to the SUMMARY marker, followed by any
/// FURTHER BYTES section (pipelined responses). The capture tool puts each marker on its own
/// line, so a body that does not end in a newline is followed by one extra `\n`.
fn response_bytes(text: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let start = find(text, RESPONSE, 0)? + RESPONSE.len();
    let end = find(text, SUMMARY, start)?;
    let first = text[start..end].to_vec();
    let further = match find(text, FURTHER, end) {
        Some(i) => {
            let from = i + FURTHER.len();
            let to = find(text, b"\n=== ", from).map_or(text.len(), |j| j + 1);
            text[from..to].to_vec()
        }
        None => Vec::new(),
    };
    Some((first, further))
}

#[derive(Debug)]
struct Parsed {
    status: u16,
    body: Vec<u8>,
    consumed: usize,
    close: bool,
}

fn parse_one(bytes: &[u8], eof: bool) -> Result<Option<Parsed>, janus_signal::http::HttpError> {
    let mut buf = bytes.to_vec();
    Ok(parse_response(&mut buf, eof)?.map(|r| Parsed {
        status: r.status,
        body: r.body.to_vec(),
        consumed: r.consumed,
        close: r.connection_close,
    }))
}

/// Reads one response and checks that every shorter prefix is "need more bytes".
fn read_checked(name: &str, bytes: &[u8], eof: bool) -> Parsed {
    let parsed =
        parse_one(bytes, eof).unwrap_or_else(|e| panic!("{name}: {e}")).unwrap_or_else(|| panic!("{name}: incomplete"));
    for cut in 0..parsed.consumed {
        match parse_one(&bytes[..cut], false) {
            Ok(None) => {}
            other => panic!("{name}: prefix of {cut} bytes gave {other:?} instead of need-more"),
        }
    }
    if eof {
        // A close-delimited body has nothing behind it.
        return parsed;
    }
    // With more bytes behind it (pipelining), the same response comes out.
    let mut longer = bytes[..parsed.consumed].to_vec();
    longer.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    let again = parse_one(&longer, false).expect("valid").expect("complete");
    assert_eq!((again.status, &again.body, again.consumed), (parsed.status, &parsed.body, parsed.consumed), "{name}");
    parsed
}

#[test]
fn every_captured_response_is_framed_as_the_capture_says() {
    let files = capture_files();
    assert!(files.len() >= 100, "expected the captures, found {} files", files.len());
    let mut framings = BTreeMap::<String, usize>::new();
    let mut responses = 0;
    for (name, path) in &files {
        let text = std::fs::read(path).expect("readable");
        let Some((mut first, further)) = response_bytes(&text) else {
            *framings.entry("no response (connection closed)".into()).or_default() += 1;
            continue;
        };
        if first.is_empty() || !first.starts_with(b"HTTP/") {
            *framings.entry("no response (connection closed)".into()).or_default() += 1;
            continue;
        }
        let info = summary(&text);
        let closed = info.get("server closed connection after response").is_some_and(|v| v == "True");
        let framing = info.get("framing").cloned().unwrap_or_default();
        if !framing.starts_with("read-until-close") && first.last() == Some(&b'\n') && !first.ends_with(b"\r\n\r\n") {
            // The capture tool's newline before the marker, unless the framing says the body
            // ends with it.
            let length_includes_it = parse_one(&first, false).ok().flatten().is_some_and(|p| p.consumed == first.len());
            if !length_includes_it {
                first.pop();
            }
        }
        let parsed = read_checked(name, &first, closed && framing.starts_with("read-until-close"));
        responses += 1;
        let status: u16 = info["status"].split(' ').next().expect("code").parse().expect("number");
        assert_eq!(parsed.status, status, "{name}");
        assert_eq!(parsed.consumed, first.len(), "{name}: bytes left after the response");
        if let Some(length) = framing.strip_prefix("Content-Length ") {
            assert_eq!(parsed.body.len(), length.parse::<usize>().expect("length"), "{name}");
            *framings.entry("Content-Length".into()).or_default() += 1;
        } else if let Some(sizes) = framing.strip_prefix("chunked, chunk sizes [") {
            let total: usize = sizes.trim_end_matches(']').split(", ").map(|s| s.parse::<usize>().expect("size")).sum();
            assert_eq!(parsed.body.len(), total, "{name}");
            *framings.entry("chunked".into()).or_default() += 1;
        } else {
            assert!(framing.starts_with("read-until-close"), "{name}: unknown framing {framing}");
            assert!(parsed.close, "{name}");
            *framings.entry("read-until-close".into()).or_default() += 1;
        }
        if info.get("server closed connection after response").is_some_and(|v| v == "True") {
            assert!(parsed.close, "{name}: the server closed, so the response must say so");
        }
        // Janus bodies are JSON or empty (bare statuses), except the HTML of wrong ports.
        if !parsed.body.is_empty() && parsed.body.first() != Some(&b'<') {
            let batch = Batch::decode(&parsed.body).unwrap_or_else(|e| panic!("{name}: body: {e}"));
            for message in batch {
                message.unwrap_or_else(|e| panic!("{name}: message: {e}"));
            }
        }
        if !further.is_empty() {
            let second = read_checked(name, &further, closed);
            assert_eq!(second.status, 200, "{name}: the pipelined response");
            *framings.entry("pipelined second response".into()).or_default() += 1;
            responses += 1;
        }
    }
    eprintln!("{responses} responses from {} files: {framings:?}", files.len());
    assert!(framings.get("chunked").is_some_and(|n| *n > 50), "{framings:?}");
    assert!(framings.get("Content-Length").is_some_and(|n| *n > 10), "{framings:?}");
    assert!(framings.contains_key("read-until-close"), "{framings:?}");
    assert!(framings.contains_key("pipelined second response"), "{framings:?}");
}

#[test]
fn a_stream_of_captured_responses_split_anywhere_reads_the_same() {
    // Several real responses back to back on one keep-alive connection, fed to a reader that
    // receives them in pieces of every size from 1 to 64 bytes.
    let files = capture_files();
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for name in [
        "05-message-echotest-audio-video-ack.http",
        "16-longpoll-maxev5-array.http",
        "23-longpoll-after-destroy-unknown-session.http",
        "03-create.http",
    ] {
        let Some(path) = files.get(name) else { panic!("capture {name} missing") };
        let text = std::fs::read(path).expect("readable");
        let (mut first, _) = response_bytes(&text).expect("a response");
        if parse_one(&first, false).ok().flatten().is_some_and(|p| p.consumed < first.len()) {
            first.pop();
        }
        let parsed = parse_one(&first, false).expect("valid").expect("complete");
        expected.push((parsed.status, parsed.body));
        stream.extend_from_slice(&first);
    }
    // The stateless `parse_response`, and a `ResponseReader` kept across the pieces (and the
    // responses) as the drivers keep it.
    for incremental in [false, true] {
        for piece in 1..=64 {
            let mut reader = ResponseReader::new();
            let mut buf = vec![0u8; stream.len()];
            let (mut filled, mut fed, mut got) = (0, 0, Vec::new());
            while got.len() < expected.len() {
                let n = piece.min(stream.len() - fed);
                buf[filled..filled + n].copy_from_slice(&stream[fed..fed + n]);
                filled += n;
                fed += n;
                loop {
                    let window = &mut buf[..filled];
                    let read = if incremental { reader.read(window, false) } else { parse_response(window, false) };
                    let Some(r) = read.expect("valid") else { break };
                    got.push((r.status, r.body.to_vec()));
                    let consumed = r.consumed;
                    buf.copy_within(consumed..filled, 0);
                    filled -= consumed;
                }
                assert!(fed <= stream.len());
            }
            assert_eq!(got, expected, "pieces of {piece} bytes (incremental: {incremental})");
        }
    }
}
