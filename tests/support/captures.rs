//! Finding the real Janus captures and the Janus messages inside them, for the table tests.
//!
//! Captures live in `tests/fixtures/captures/` (copied from the project's shared folder) and,
//! when it exists beside the repository, in `../shared/janus/captures/`, so that captures
//! added there later are covered too. A file present in both is read once.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use janus_signal::http::parse_response;

/// Capture files under `kind` (`http` or `ws`), by file name.
pub fn capture_files(kind: &str) -> BTreeMap<String, PathBuf> {
    // The repository root, or its `bench/` crate (whose parent is the root).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = if manifest.join("tests/fixtures").is_dir() { manifest.to_path_buf() } else { manifest.join("..") };
    let mut files = BTreeMap::new();
    for dir in [root.join("tests/fixtures/captures").join(kind), root.join("../shared/janus/captures").join(kind)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                files.entry(path.file_name().expect("name").to_string_lossy().into_owned()).or_insert(path);
            }
        }
    }
    files
}

pub fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// Every HTTP response in `text` (a status line at the start of a line), with its body.
/// Bodies delimited by the connection's close end at the next `=== ` marker.
pub fn http_bodies(text: &[u8]) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    let mut at = 0;
    while let Some(i) = find(text, b"HTTP/1.", at) {
        at = i + 1;
        let line_start = i == 0 || text[i - 1] == b'\n';
        let status_line = text.get(i..i + 13).is_some_and(|s| s[8] == b' ' && s[9..12].iter().all(u8::is_ascii_digit));
        if !line_start || !status_line {
            continue;
        }
        let end = find(text, b"\n=== ", i).map_or(text.len(), |j| j + 1);
        let mut buf = text[i..end].to_vec();
        let parsed = match parse_response(&mut buf, false) {
            Ok(Some(r)) => Some(r.body.to_vec()),
            Ok(None) => {
                let mut buf = text[i..end].to_vec();
                parse_response(&mut buf, true).ok().flatten().map(|r| r.body.to_vec())
            }
            Err(_) => None,
        };
        if let Some(body) = parsed {
            bodies.push(body);
        }
    }
    bodies
}

/// Every text message a WebSocket transcript received: `<- received text frame` sections, and
/// raw server frames reassembled from TEXT + CONTINUATION.
pub fn ws_received(text: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut fragments: Vec<u8> = Vec::new();
    let mut at = 0;
    while let Some(i) = find(text, b"=== ", at) {
        at = i + 4;
        if i != 0 && text[i - 1] != b'\n' {
            continue;
        }
        let Some(line_end) = find(text, b"\n", i) else { break };
        let header = String::from_utf8_lossy(&text[i..line_end]).into_owned();
        let payload_len = |key: &str| -> Option<usize> {
            let rest = &header[header.find(key)? + key.len()..];
            rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        };
        let start = line_end + 1;
        if header.starts_with("=== <- received text frame") {
            let n = payload_len("(").expect("byte count");
            messages.push(text[start..start + n].to_vec());
            at = start + n;
        } else if header.starts_with("=== server frame") {
            let n = payload_len("payload_len=").expect("payload_len");
            fragments.extend_from_slice(&text[start..start + n]);
            at = start + n;
            if header.contains("FIN=True") {
                messages.push(std::mem::take(&mut fragments));
            }
        }
    }
    messages
}

/// Janus messages in a JSON summary file: `[{"event": {...}}, ...]`.
pub fn summary_events(text: &[u8]) -> Vec<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(text).expect("summary JSON");
    value
        .as_array()
        .map(|items| {
            items.iter().filter_map(|i| i.get("event")).map(|e| serde_json::to_vec_pretty(e).expect("json")).collect()
        })
        .unwrap_or_default()
}

/// All Janus JSON bodies of all captures, as (file label, body).
pub fn all_janus_bodies() -> Vec<(String, Vec<u8>)> {
    let mut bodies = Vec::new();
    for (name, path) in capture_files("http") {
        let text = std::fs::read(&path).expect("readable");
        let found = if name.ends_with(".json") { summary_events(&text) } else { http_bodies(&text) };
        bodies.extend(found.into_iter().map(|b| (format!("http/{name}"), b)));
    }
    for (name, path) in capture_files("ws") {
        let text = std::fs::read(&path).expect("readable");
        let mut found = ws_received(&text);
        found.extend(http_bodies(&text));
        bodies.extend(found.into_iter().map(|b| (format!("ws/{name}"), b)));
    }
    // Janus bodies are JSON; bare statuses are empty and wrong ports answer HTML.
    bodies.retain(|(_, b)| matches!(b.iter().find(|c| !c.is_ascii_whitespace()), Some(b'{' | b'[')));
    bodies
}
