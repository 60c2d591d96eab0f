//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`; not a stable API).
//!
//! Each function takes arbitrary bytes and exercises one layer; any panic is a bug.

use core::fmt::Write as _;

use crate::client::{Client, Config, Output};
use crate::http::parse_response;
use crate::ids::HandleId;
use crate::json::RawJson;
use crate::message::{Batch, Message};
use crate::plugin;
use crate::time::Instant;
use crate::webrtc;

/// Walks every accessor of a value, recursively.
fn walk(value: RawJson<'_>, scratch: &mut [u8]) {
    let _ = (value.as_u64(), value.as_i64(), value.as_f64(), value.as_bool(), value.as_plugin_id(), value.kind());
    if let Some(text) = value.as_str() {
        let _ = text.unescape_into(scratch);
        let _ = text.chars().count();
        let _ = text.unescaped_len();
    }
    for (key, member) in value.members() {
        let _ = key.unescape_into(scratch);
        walk(member, scratch);
    }
    for element in value.elements() {
        walk(element, scratch);
    }
}

/// Decodes `data` as one message and as a long-poll batch, reading every field.
pub fn decode(data: &[u8]) {
    let mut scratch = [0u8; 256];
    if let Ok(raw) = RawJson::parse(data) {
        walk(raw, &mut scratch);
    }
    if let Ok(message) = Message::decode(data) {
        let _ = (message.kind(), message.transaction(), message.session_id(), message.sender());
        let mut sink = Sink;
        // The plugin helpers on whatever plugin data the message carries.
        let _ = write!(sink, "{:?}", plugin::echotest::Event::from_message(&message));
        let _ = write!(sink, "{:?}", plugin::videoroom::Event::from_message(&message));
        let _ = write!(sink, "{:?}", plugin::streaming::Event::from_message(&message));
        let _ = write!(sink, "{:?}", plugin::textroom::Event::from_message(&message));
        if let Message::Event(event) = message {
            if let Some(pd) = event.plugin_data {
                let _ = pd.error();
            }
            if let Some(jsep) = event.jsep {
                let _ = jsep.sdp.unescape_into(&mut scratch);
                let mut sdp = [0u8; 4096];
                if let Ok(description) = webrtc::RemoteDescription::from_jsep(&jsep, &mut sdp) {
                    sdp_walk(description.sdp.as_str());
                }
            }
        }
        if let Message::Trickle(trickle) = message {
            let _ = write!(sink, "{:?}", webrtc::RemoteCandidate::from_trickle(&trickle.candidate, &mut scratch));
        }
        let _ = write!(sink, "{:?}", message);
    }
    // The input as SDP text and as a candidate line.
    if let Ok(text) = core::str::from_utf8(data) {
        sdp_walk(text);
    }
    // Data-channel payloads of the textroom plugin.
    let _ = write!(Sink, "{:?}", plugin::textroom::DataMessage::decode(data));
    if let Ok(batch) = Batch::decode(data) {
        for message in batch {
            let _ = message.map(|m| m.kind());
        }
    }
}

/// Every accessor of the SDP reader and the candidate glue on `text`.
fn sdp_walk(text: &str) {
    let mut sink = Sink;
    let sdp = webrtc::Sdp::new(text);
    for media in sdp.media() {
        let _ = write!(sink, "{media:?} {:?} {:?}", media.mid(), media.direction());
        for codec in media.codecs() {
            let _ = write!(sink, "{codec:?}");
        }
    }
    for candidate in sdp.candidates() {
        let _ = write!(sink, "{:?}", webrtc::Candidate::parse(candidate.candidate).map(|c| c.ip()));
    }
    let _ = write!(sink, "{:?} {:?} {:?}", sdp.fingerprint(), sdp.ice_ufrag(), sdp.has_end_of_candidates());
    let _ = sdp.bundle().count();
    let _ = sdp.restarts_ice_of(&webrtc::Sdp::new("v=0\r\nm=audio 9 X 0\r\na=ice-ufrag:a\r\n"));
    if let Some(local) = webrtc::LocalCandidates::for_description(&sdp) {
        let _ = write!(sink, "{:?}", local.candidate(text));
    }
    let _ = write!(sink, "{:?}", webrtc::Candidate::parse(text));
}

struct Sink;

impl core::fmt::Write for Sink {
    fn write_str(&mut self, _: &str) -> core::fmt::Result {
        Ok(())
    }
}

/// Reads HTTP responses from `data` (after a first byte that picks a piece size), feeding
/// it in pieces, and checks that the pieces give the same responses as the whole.
pub fn http_response(data: &[u8], buf: &mut [u8]) {
    let Some((&piece, stream)) = data.split_first() else {
        return;
    };
    let piece = usize::from(piece).max(1);
    let mut filled = 0usize;
    let mut fed = 0usize;
    while fed < stream.len() {
        let n = piece.min(stream.len().saturating_sub(fed));
        let (Some(dst), Some(src)) =
            (buf.get_mut(filled..filled.saturating_add(n)), stream.get(fed..fed.saturating_add(n)))
        else {
            return;
        };
        dst.copy_from_slice(src);
        filled = filled.saturating_add(n);
        fed = fed.saturating_add(n);
        loop {
            let Some(window) = buf.get_mut(..filled) else { return };
            match parse_response(window, false) {
                Ok(Some(r)) => {
                    let consumed = r.consumed;
                    buf.copy_within(consumed..filled, 0);
                    filled = filled.saturating_sub(consumed);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    if let Some(window) = buf.get_mut(..filled) {
        let _ = parse_response(window, true);
    }
}

/// Drives a client with a sequence of operations decoded from `data`: commands, received
/// messages (well-formed ones built around pending transactions, and raw bytes), time jumps,
/// timer firings, transport loss. Checks the client's invariants after each step.
pub fn client_sequence(data: &[u8]) {
    let mut client: Client<2, 3, 8> =
        Client::new(if data.first().is_some_and(|b| b & 1 == 1) { Config::http() } else { Config::websocket() }, 1);
    let mut out = [0u8; 512];
    let mut now = Instant::ZERO;
    let mut message = [0u8; 256];
    let mut ops = data.iter().skip(1).copied();
    while let Some(op) = ops.next() {
        let arg = ops.next().unwrap_or(0);
        let handle = client.handles().nth(usize::from(arg & 1)).unwrap_or(HandleId(u64::from(arg)));
        match op % 12 {
            0 => drop(client.create_session(now, &mut out)),
            1 => drop(client.attach(now, &mut out, "janus.plugin.echotest", None)),
            2 => drop(client.message::<_, ()>(now, &mut out, handle, &(), None)),
            3 => drop(client.detach(now, &mut out, handle)),
            4 => drop(client.destroy_session(now, &mut out)),
            5 => now = now.saturating_add(crate::time::Duration::from_millis(u64::from(arg).saturating_mul(250))),
            6 => client.handle_timeout(now),
            7 => drop(client.poll_transmit(now, &mut out)),
            8 => client.transport_lost(now),
            9 => client.long_poll_answered(now, [200, 403, 404, 500].get(usize::from(arg % 4)).copied().unwrap_or(200)),
            10 => {
                // A well-formed reply to the latest request written into `out`.
                let tx = core::str::from_utf8(&out)
                    .ok()
                    .and_then(|t| t.split("\"transaction\":\"").nth(1))
                    .and_then(|t| t.get(..12));
                let kinds = ["success", "ack", "event", "error", "detached", "timeout", "hangup"];
                let kind = kinds.get(usize::from(arg % 7)).copied().unwrap_or("ack");
                let session = client.session_id().map_or(1, |s| s.0);
                let mut w = crate::json::write::Writer::new(&mut message);
                let _ = write!(
                    w,
                    r#"{{"janus":"{kind}","session_id":{session},"sender":{},"transaction":"{}","data":{{"id":{}}},"error":{{"code":{},"reason":"x"}}}}"#,
                    handle.0,
                    tx.unwrap_or("none"),
                    u64::from(arg).saturating_add(7),
                    if arg & 2 == 0 { 458 } else { 459 },
                );
                if let Ok(len) = w.finish()
                    && let Some(bytes) = message.get(..len)
                    && let Ok(outputs) = client.handle_input(now, bytes)
                {
                    outputs.for_each(|o| drop(o.map(|o| matches!(o, Output::Reply { .. }))));
                }
            }
            _ => {
                // Raw bytes from the input as a received body.
                let len = usize::from(arg).min(data.len());
                if let Some(bytes) = data.get(..len)
                    && let Ok(outputs) = client.handle_input(now, bytes)
                {
                    outputs.for_each(drop);
                }
            }
        }
        while client.poll_event().is_some() {}
        assert!(client.handles().count() <= 2, "handle table overflow");
        assert!(client.pending_requests() <= 3, "pending table overflow");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TransactionIds;

    /// A cheap stand-in for the fuzzer in the normal test run: many pseudo-random inputs
    /// through every entry point.
    #[test]
    fn entry_points_survive_pseudo_random_input() {
        let mut ids = TransactionIds::new(99);
        let mut buf = [0u8; 1024];
        for round in 0..3000usize {
            let len = round % 200;
            let mut data = std::vec::Vec::with_capacity(len);
            while data.len() < len {
                data.extend_from_slice(ids.next_id().as_str().as_bytes());
            }
            data.truncate(len);
            // Bias some inputs towards JSON and HTTP shapes.
            if round % 3 == 0 {
                data.splice(0..0, br#"{"janus":"event","sender":1,"plugindata":{"plugin":"p","data":"#.iter().copied());
            } else if round % 3 == 1 {
                data.splice(0..0, b"\x07HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n".iter().copied());
            }
            let bytes: std::vec::Vec<u8> = data.iter().map(|b| b % 16).collect();
            decode(&data);
            http_response(&data, &mut buf);
            client_sequence(&data);
            client_sequence(&bytes);
        }
    }
}
