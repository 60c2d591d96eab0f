//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`; not a stable API).
//!
//! Each function takes arbitrary bytes and exercises one layer; any panic is a bug.

use core::fmt::Write as _;

use crate::client::oracle::{Cause, Oracle, Violation};
use crate::client::{Client, Config, RequestId, RequestKind, SessionState, Transmit};
use crate::http::{HttpError, ResponseReader, parse_response};
use crate::ids::{HandleId, SessionId};
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
        // The input as any registered plugin's event data.
        let _ = plugin::debug_data(raw, &mut Sink);
    }
    if let Ok(message) = Message::decode(data) {
        let _ = (message.kind(), message.transaction(), message.session_id(), message.sender());
        let mut sink = Sink;
        // The plugin helpers on whatever plugin data the message carries.
        let _ = plugin::debug_event(&message, &mut sink);
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
        if let Message::ServerInfo(info) = message {
            server_info_walk(&info);
        }
        // The Admin API's typed answers, on whatever message this is.
        if let Some(reply) = crate::message::AdminReply::of(&message) {
            let _ = (reply.sessions().map(Iterator::count), reply.handles().map(Iterator::count));
            for token in reply.tokens().into_iter().flatten() {
                let _ = (token.token.unescaped_len(), token.plugins().count());
            }
            let _ = write!(sink, "{:?}", reply.handle_info());
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

/// Every accessor of a `server_info` answer.
fn server_info_walk(info: &crate::message::ServerInfo<'_>) {
    let mut sink = Sink;
    let _ = write!(
        sink,
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        info.name(),
        info.version(),
        info.version_string(),
        info.server_name(),
        (info.session_timeout(), info.reclaim_session_timeout(), info.candidates_timeout()),
        (info.api_secret_required(), info.auth_token_required(), info.accepting_new_sessions()),
        (info.data_channels(), info.full_trickle()),
    );
    for (name, _) in info.plugins().chain(info.transports()) {
        let _ = name.unescaped_len();
    }
    let _ = info.has_plugin("janus.plugin.echotest");
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

/// What [`ws_frames`] keeps of a message to compare two runs: kind, length, FNV-1a hash.
type Digest = (u8, usize, u64);

/// Feeds `stream` in pieces of `piece` bytes to a fresh [`crate::ws::FrameReader`] over `buf`,
/// calling `seen` with each message's digest; returns how the run ended (`None`: all read).
fn ws_drive(
    stream: &[u8],
    piece: usize,
    buf: &mut [u8],
    mut seen: impl FnMut(Digest),
) -> Option<crate::ws::FrameError> {
    use crate::ws::{FrameReader, Message as Ws};
    let digest = |kind: u8, bytes: &[u8]| {
        let hash =
            bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        (kind, bytes.len(), hash)
    };
    let mut reader = FrameReader::new().with_max_message(1500);
    let (mut len, mut fed) = (0usize, 0usize);
    loop {
        match reader.read(buf, &mut len) {
            Err(e) => return Some(e),
            Ok(Some(message)) => seen(match message {
                Ws::Text(t) => digest(1, t.as_bytes()),
                Ws::Binary(b) => digest(2, b),
                Ws::Ping(p) => digest(9, p),
                Ws::Pong(p) => digest(10, p),
                Ws::Close { code, reason } => {
                    let (kind, len, hash) = digest(8, reason.as_bytes());
                    (kind, len, hash ^ code.map_or(u64::MAX, u64::from))
                }
            }),
            Ok(None) if fed >= stream.len() => return None,
            Ok(None) => {
                let n = piece.min(stream.len().saturating_sub(fed)).min(buf.len().saturating_sub(len));
                let (Some(dst), Some(src)) =
                    (buf.get_mut(len..len.saturating_add(n)), stream.get(fed..fed.saturating_add(n)))
                else {
                    return None;
                };
                dst.copy_from_slice(src);
                len = len.saturating_add(n);
                fed = fed.saturating_add(n);
            }
        }
    }
}

/// A close's code folded into its digest.
/// The WebSocket frame reader on arbitrary bytes (after a first byte that picks a piece
/// size), fed in those pieces and then all at once: both runs must see the same messages and
/// end the same way; and the bytes as a handshake answer.
pub fn ws_frames(data: &[u8], buf: &mut [u8]) {
    let Some((&piece, stream)) = data.split_first() else {
        return;
    };
    let key = crate::ws::ClientKey::new([7; 16]);
    let _ = crate::ws::read_upgrade_response(stream, &key, crate::ws::JANUS_PROTOCOL);
    let half = buf.len() / 2;
    let (a, b) = buf.split_at_mut(half);
    let mut whole = [(0u8, 0usize, 0u64); 64];
    let mut count = 0usize;
    let end_whole = ws_drive(stream, stream.len(), a, |d| {
        if let Some(slot) = whole.get_mut(count) {
            *slot = d;
        }
        count = count.saturating_add(1);
    });
    let mut index = 0usize;
    let end_pieces = ws_drive(stream, usize::from(piece).max(1), b, |d| {
        if let Some(expected) = whole.get(index) {
            assert_eq!(*expected, d, "message {index} differs between whole and pieces");
        }
        index = index.saturating_add(1);
    });
    assert_eq!(index, count, "whole and pieces see different numbers of messages");
    assert_eq!(end_whole, end_pieces, "whole and pieces end differently");
}

/// Reads HTTP responses from `data` (after a first byte that picks a piece size), fed in
/// pieces to a [`ResponseReader`] kept across pieces and responses, and checks that it reads
/// what the stateless [`parse_response`] reads from the same bytes. `buf` is split in two: the
/// reader's buffer and a copy for the stateless reader.
pub fn http_response(data: &[u8], buf: &mut [u8]) {
    let Some((&piece, stream)) = data.split_first() else {
        return;
    };
    let piece = usize::from(piece).max(1);
    let half = buf.len() / 2;
    let (buf, copy) = buf.split_at_mut(half);
    let mut reader = ResponseReader::new();
    let mut filled = 0usize;
    let mut fed = 0usize;
    let mut eof = false;
    while !eof {
        let n = piece.min(stream.len().saturating_sub(fed));
        let (Some(dst), Some(src)) =
            (buf.get_mut(filled..filled.saturating_add(n)), stream.get(fed..fed.saturating_add(n)))
        else {
            return;
        };
        dst.copy_from_slice(src);
        filled = filled.saturating_add(n);
        fed = fed.saturating_add(n);
        // After the last piece, the connection closes.
        eof = fed >= stream.len();
        loop {
            let (Some(window), Some(whole)) = (buf.get_mut(..filled), copy.get_mut(..filled)) else { return };
            whole.copy_from_slice(window);
            let expected =
                parse_response(whole, eof).map(|r| r.map(|r| (r.status, r.body, r.consumed, r.connection_close)));
            match reader.read(window, eof) {
                Ok(Some(r)) => {
                    assert_eq!(
                        expected,
                        Ok(Some((r.status, r.body, r.consumed, r.connection_close))),
                        "reader and whole differ"
                    );
                    let consumed = r.consumed;
                    buf.copy_within(consumed..filled, 0);
                    filled = filled.saturating_sub(consumed);
                    if consumed == 0 {
                        return;
                    }
                }
                // The reader waits for a head line to end before parsing it again: it sees a
                // malformed partial head only then.
                Ok(None) => {
                    let waits = matches!(expected, Ok(None) | Err(HttpError::Head | HttpError::TooManyHeaders));
                    assert!(waits, "the reader waits, the whole says {expected:?}");
                    break;
                }
                Err(e) => {
                    assert_eq!(expected.err(), Some(e), "reader and whole fail differently");
                    return;
                }
            }
        }
    }
}

/// Drives a client with a sequence of operations decoded from `data`: commands, received
/// messages (well-formed ones built around pending transactions, and raw bytes), time jumps,
/// timer firings, long-poll statuses and transport loss. After every call into the client the
/// invariant oracle (`core/src/client/oracle.rs`) checks that only a reply to a request changed
/// state through it and that every pending request ends exactly once; and the tables stay
/// within their sizes.
pub fn client_sequence(data: &[u8]) {
    let mut client: Client<2, 3, 8> =
        Client::new(if data.first().is_some_and(|b| b & 1 == 1) { Config::http() } else { Config::websocket() }, 1);
    let mut oracle: Oracle<2, 3> = Oracle::new();
    let mut out = [0u8; 512];
    let mut now = Instant::ZERO;
    let mut message = [0u8; 320];
    // The latest requests written, newest first: replies are addressed to them.
    let mut recent: [Option<RequestId>; 4] = [None; 4];
    let mut last_session = SessionId(1);
    let no_fields = RawJson::parse(b"{}").ok();
    let mut ops = data.iter().skip(1).copied();
    while let Some(op) = ops.next() {
        let arg = ops.next().unwrap_or(0);
        let handle = client.handles().nth(usize::from(arg & 1)).unwrap_or(HandleId(u64::from(arg)));
        if let Some(s) = route_session(client.session()) {
            last_session = s;
        }
        oracle.begin(&client);
        let checked = match op % 16 {
            0 => {
                let r = client.create_session(now, &mut out);
                sent(&mut oracle, &mut client, RequestKind::Create, r, &mut recent)
            }
            1 => {
                let r = client.attach(now, &mut out, "janus.plugin.echotest", None);
                sent(&mut oracle, &mut client, RequestKind::Attach, r, &mut recent)
            }
            2 => {
                let r = client.message::<_, ()>(now, &mut out, handle, &(), None);
                sent(&mut oracle, &mut client, RequestKind::Message, r, &mut recent)
            }
            3 => {
                let r = client.detach(now, &mut out, handle);
                sent(&mut oracle, &mut client, RequestKind::Detach, r, &mut recent)
            }
            4 => {
                let r = client.destroy_session(now, &mut out);
                sent(&mut oracle, &mut client, RequestKind::Destroy, r, &mut recent)
            }
            5 => {
                now = now.saturating_add(crate::time::Duration::from_millis(u64::from(arg).saturating_mul(250)));
                oracle.end(&mut client, Cause::Quiet, &mut drop)
            }
            6 => {
                client.handle_timeout(now);
                oracle.end(&mut client, Cause::Timer, &mut drop)
            }
            7 => match client.poll_transmit(now, &mut out) {
                Ok(Some(t)) if t.request.is_some() => {
                    sent(&mut oracle, &mut client, RequestKind::Keepalive, Ok(t), &mut recent)
                }
                _ => oracle.end(&mut client, Cause::Quiet, &mut drop),
            },
            8 => {
                client.transport_lost(now);
                oracle.end(&mut client, Cause::TransportLost, &mut drop)
            }
            9 => {
                let status = [200, 403, 404, 500].get(usize::from(arg % 4)).copied().unwrap_or(200);
                client.long_poll_answered(now, status);
                oracle.end(&mut client, Cause::LongPollAnswered(status), &mut drop)
            }
            10 => {
                let session = if arg & 2 == 0 { last_session } else { SessionId(u64::from(arg)) };
                let r = client.claim_session(now, &mut out, session);
                sent(&mut oracle, &mut client, RequestKind::Claim, r, &mut recent)
            }
            11 => {
                let r = match arg % 4 {
                    0 => client.keepalive(now, &mut out),
                    1 => client.server_info(now, &mut out),
                    2 => client.ping(now, &mut out),
                    _ => client.hangup(now, &mut out, handle),
                };
                let kind = [RequestKind::Keepalive, RequestKind::Info, RequestKind::Ping, RequestKind::Hangup]
                    .get(usize::from(arg % 4))
                    .copied()
                    .unwrap_or(RequestKind::Ping);
                sent(&mut oracle, &mut client, kind, r, &mut recent)
            }
            12 => {
                // A request Janus does not know (answered with 453), on the handle or not.
                let on = if arg & 1 == 0 { None } else { Some(handle) };
                let r = match no_fields {
                    Some(fields) => client.custom(now, &mut out, "unknown", on, &fields),
                    None => Err(crate::client::ClientError::NoSession),
                };
                sent(&mut oracle, &mut client, RequestKind::Custom, r, &mut recent)
            }
            13 => {
                client.long_poll_failed(now);
                oracle.end(&mut client, Cause::Quiet, &mut drop)
            }
            14 => {
                // A well-formed message for one of the latest requests (or none).
                let tx = recent.get(usize::from((arg >> 3) % 4)).copied().flatten();
                let kinds = ["success", "ack", "event", "error", "detached", "timeout", "hangup", "pong"];
                let kind = kinds.get(usize::from(arg % 8)).copied().unwrap_or("ack");
                let code = [458, 459, 453, 403].get(usize::from((arg >> 5) % 4)).copied().unwrap_or(458);
                let session = route_session(client.session()).map_or(1, |s| s.0);
                let mut w = crate::bytes::ByteWriter::new(&mut message);
                let _ = write!(
                    w,
                    r#"{{"janus":"{kind}","session_id":{session},"sender":{},"transaction":"{}","data":{{"id":{}}},"error":{{"code":{code},"reason":"x"}}}}"#,
                    handle.0,
                    tx.as_ref().map_or("none", RequestId::as_str),
                    u64::from(arg).saturating_add(7),
                );
                match w.finish() {
                    Ok(len) => receive(&mut oracle, &mut client, now, message.get(..len).unwrap_or_default()),
                    Err(_) => oracle.end(&mut client, Cause::Quiet, &mut drop),
                }
            }
            _ => {
                // Raw bytes from the input as a received body.
                let len = usize::from(arg).min(data.len());
                receive(&mut oracle, &mut client, now, data.get(..len).unwrap_or_default())
            }
        };
        if let Err(violation) = checked {
            panic!("invariant broken at op {op}: {}", violation.0);
        }
        assert!(client.handles().count() <= 2, "handle table overflow");
        assert!(client.pending_requests() <= 3, "pending table overflow");
    }
}

/// Checks a command's effect; remembers the request it wrote.
fn sent(
    oracle: &mut Oracle<2, 3>,
    client: &mut Client<2, 3, 8>,
    kind: RequestKind,
    result: Result<Transmit, crate::client::ClientError>,
    recent: &mut [Option<RequestId>; 4],
) -> Result<(), Violation> {
    match result {
        Ok(t) => {
            recent.rotate_right(1);
            if let Some(first) = recent.first_mut() {
                *first = t.request;
            }
            oracle.end(client, Cause::Sent(kind, &t), &mut drop)
        }
        Err(_) => oracle.end(client, Cause::Quiet, &mut drop),
    }
}

/// Feeds a received body message by message, checking each.
fn receive(
    oracle: &mut Oracle<2, 3>,
    client: &mut Client<2, 3, 8>,
    now: Instant,
    body: &[u8],
) -> Result<(), Violation> {
    let Ok(mut batch) = Batch::decode(body) else {
        return oracle.end(client, Cause::Quiet, &mut drop);
    };
    // `begin` was called for the first message already.
    let mut first = true;
    while let Some(message) = batch.next_lenient() {
        if !first {
            oracle.begin(client);
        }
        first = false;
        let output = match message {
            Ok(message) => client.handle_message(now, message),
            Err(malformed) => client.handle_malformed(malformed),
        };
        oracle.end(client, Cause::Received(&output), &mut drop)?;
    }
    if first { oracle.end(client, Cause::Quiet, &mut drop) } else { Ok(()) }
}

/// A link whose traffic comes from the fuzzer: whether a POST's response is ready, and each
/// received body (a well-formed answer to the latest request, or raw input bytes), long-poll
/// status, nothing, or a link error. It ends (an error for every call) when the input does.
struct ScriptedLink<'d> {
    script: core::slice::Iter<'d, u8>,
    data: &'d [u8],
    http: bool,
    tx: [u8; 384],
    rx: [u8; 320],
    /// The transaction of the latest request sent.
    last: [u8; 16],
    last_len: usize,
    ready: bool,
}

/// A link error of the scripted link.
#[derive(Debug)]
struct ScriptEnded;

impl ScriptedLink<'_> {
    fn byte(&mut self) -> Result<u8, ScriptEnded> {
        self.script.next().copied().ok_or(ScriptEnded)
    }

    /// A body for the receive buffer, by the fuzzer's choice; returns its length.
    fn body(&mut self, choice: u8) -> Result<usize, ScriptEnded> {
        let arg = self.byte()?;
        if choice & 1 == 0 {
            let len = usize::from(arg).min(self.data.len()).min(self.rx.len());
            let from = self.data.get(..len).unwrap_or_default();
            if let Some(to) = self.rx.get_mut(..len) {
                to.copy_from_slice(from);
            }
            return Ok(len);
        }
        let kinds = ["success", "ack", "event", "error", "detached", "timeout", "webrtcup", "pong"];
        let kind = kinds.get(usize::from(arg % 8)).copied().unwrap_or("ack");
        let tx = core::str::from_utf8(self.last.get(..self.last_len).unwrap_or_default()).unwrap_or("");
        let tx = if arg & 8 == 0 { tx } else { "other" };
        let mut w = crate::bytes::ByteWriter::new(&mut self.rx);
        let _ = write!(
            w,
            r#"{{"janus":"{kind}","session_id":{},"sender":{},"transaction":"{tx}","data":{{"id":{}}},"error":{{"code":{},"reason":"x"}},"plugindata":{{"plugin":"p","data":{{"error_code":{}}}}}}}"#,
            u64::from(arg >> 4) + 1,
            u64::from(arg >> 5) + 1,
            u64::from(arg) + 1,
            [458, 459, 453, 403].get(usize::from(arg >> 6)).copied().unwrap_or(458),
            arg,
        );
        Ok(w.finish().unwrap_or(0))
    }
}

impl crate::driver::Link for ScriptedLink<'_> {
    type Error = ScriptEnded;

    fn tx(&mut self) -> &mut [u8] {
        &mut self.tx
    }

    fn grow_tx(&mut self, _needed: usize) -> bool {
        false
    }

    fn send(&mut self, transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, ScriptEnded> {
        let sent = RawJson::parse(self.tx.get(..transmit.len).unwrap_or_default()).ok();
        let tx = sent.and_then(|r| r.get("transaction")).and_then(|t| t.as_str()).and_then(|t| t.as_plain());
        let tx = tx.unwrap_or("").as_bytes();
        self.last_len = tx.len().min(self.last.len());
        if let (Some(to), Some(from)) = (self.last.get_mut(..self.last_len), tx.get(..self.last_len)) {
            to.copy_from_slice(from);
        }
        let choice = self.byte()?;
        if choice & 0x80 != 0 {
            return Err(ScriptEnded);
        }
        self.ready = self.http && choice & 1 == 1;
        Ok(self.ready)
    }

    fn start_long_poll(
        &mut self,
        _route: &crate::http::Route,
        _auth: &crate::request::Auth<'_>,
    ) -> Result<bool, ScriptEnded> {
        // Ready at once (as over one connection) or later.
        let choice = self.byte()?;
        if choice & 0x80 != 0 { Err(ScriptEnded) } else { Ok(choice & 0x40 != 0) }
    }

    fn receive(&mut self, _until: Instant) -> Result<Option<crate::driver::Received<'_>>, ScriptEnded> {
        use crate::driver::Received;
        if core::mem::take(&mut self.ready) {
            let choice = self.byte()?;
            let len = self.body(choice)?;
            return Ok(Some(Received::Response(self.rx.get(..len).unwrap_or_default())));
        }
        let choice = self.byte()?;
        Ok(match choice % 5 {
            0 => None,
            1 | 2 => {
                let len = self.body(choice >> 3)?;
                Some(Received::Message(self.rx.get(..len).unwrap_or_default()))
            }
            3 => {
                let status = [200, 403, 404, 500].get(usize::from(choice >> 6)).copied().unwrap_or(200);
                let len = self.body(choice >> 3)?;
                Some(Received::LongPoll { status, body: self.rx.get(..len).unwrap_or_default() })
            }
            _ => return Err(ScriptEnded),
        })
    }
}

/// Counts what the driver hands to its sink.
#[derive(Default)]
struct Counted {
    outputs: u32,
    events: u32,
}

impl crate::driver::Sink for Counted {
    fn output(&mut self, _output: crate::client::Output<'_>) {
        self.outputs = self.outputs.saturating_add(1);
    }

    fn event(&mut self, _event: crate::client::Event) {
        self.events = self.events.saturating_add(1);
    }
}

/// The one driver over a link whose traffic the fuzzer scripts (HTTP or message socket):
/// calls, idle rounds and lost transports, with a clock that jumps. Every call must end (the
/// script's end is a link error), an answer is handed over at most once per call, and the
/// client's tables stay within their sizes.
pub fn driver(data: &[u8]) {
    let http = data.first().is_some_and(|b| b & 1 == 1);
    let link = ScriptedLink {
        script: data.get(1..).unwrap_or_default().iter(),
        data,
        http,
        tx: [0; 384],
        rx: [0; 320],
        last: [0; 16],
        last_len: 0,
        ready: false,
    };
    let mut millis = 0u64;
    let clock = move || {
        millis = millis.saturating_add(700);
        Instant::from_millis(millis)
    };
    let config = if http { Config::http() } else { Config::websocket() };
    let mut driver: crate::driver::Driver<_, _, Client<2, 3, 8>> =
        crate::driver::Driver::new(Client::new(config, 3), link, clock);
    let mut sink = Counted::default();
    // Each round reads at least one byte of the script, or ends.
    for round in 0..4096u32 {
        let Ok(op) = driver.link_mut().byte() else { break };
        let handle = driver.client().handles().next().unwrap_or(HandleId(u64::from(op)));
        let until = driver.now().saturating_add(crate::time::Duration::from_millis(u64::from(op) * 100));
        let mut answers = 0u32;
        let result = match op % 9 {
            0 => driver.call(&mut |c, now, out| c.create_session(now, out), until, &mut sink, |_| {
                answers = answers.saturating_add(1)
            }),
            1 => driver.call(&mut |c, now, out| c.attach(now, out, "p", None), until, &mut sink, |_| {
                answers = answers.saturating_add(1)
            }),
            2 => driver.call(
                &mut |c, now, out| c.message::<_, ()>(now, out, handle, &(), None),
                until,
                &mut sink,
                |_| answers = answers.saturating_add(1),
            ),
            3 => driver.call(&mut |c, now, out| c.detach(now, out, handle), until, &mut sink, |_| {
                answers = answers.saturating_add(1)
            }),
            4 => driver.call(&mut |c, now, out| c.destroy_session(now, out), until, &mut sink, |_| {
                answers = answers.saturating_add(1)
            }),
            5 => driver.call(&mut |c, now, out| c.keepalive(now, out), until, &mut sink, |_| {
                answers = answers.saturating_add(1)
            }),
            6 => {
                driver.transport_lost(&mut sink);
                Ok(())
            }
            _ => driver.poll(until, &mut sink).map(drop),
        };
        assert!(answers <= 1, "round {round}: an answer handed over {answers} times");
        if result.is_ok() && op % 9 < 6 {
            assert_eq!(answers, 1, "round {round}: a call succeeded without its answer");
        }
        assert!(driver.client().handles().count() <= 2, "handle table overflow");
        assert!(driver.client().pending_requests() <= 3, "pending table overflow");
    }
}

fn route_session(state: SessionState) -> Option<SessionId> {
    match state {
        SessionState::Active(s)
        | SessionState::Destroying(s)
        | SessionState::Claiming(s)
        | SessionState::Disconnected(s) => Some(s),
        _ => None,
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
            driver(&data);
            driver(&bytes);
            ws_frames(&data, &mut buf);
            // Small lengths and opcodes, and real frames (a fragmented text with a ping inside).
            ws_frames(&bytes, &mut buf);
            let mut frames = std::vec![(round % 7) as u8 + 1, 0x01, 0x03, b'H', b'e', b'l', 0x89, 0x00, 0x80, 0x02];
            frames.extend_from_slice(&bytes);
            ws_frames(&frames, &mut buf);
        }
    }
}
