//! Decoding and encoding never touch the heap.
//!
//! A counting global allocator (wrapping `std::alloc::System`) records every allocation,
//! reallocation and deallocation made by the current thread while a measured section runs.
//! The sections decode real Janus messages (an event with plugin data and a `jsep`,
//! `server_info`, an `error`, an `ack`, a long-poll array) reading every field, unescaping
//! the SDP into a stack buffer and walking every member; and encode every request type into
//! a stack buffer, including the `BufferTooSmall` paths. Each must count exactly zero. A
//! sanity test shows that the counter does see a `Vec` allocated inside a section.
//!
//! Only the measuring thread counts (a `const`-initialised thread-local flag), so the test
//! harness's other threads, and other tests running in parallel, do not disturb the count.

// The workspace denies `unsafe_code`. A `GlobalAlloc` implementation is unsafe by definition
// (the trait and its methods are `unsafe`), and there is no safe way to observe allocations.
// This is test-only code that forwards every call unchanged to `System`; the library crates
// themselves keep `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

#[path = "support/samples.rs"]
mod samples;

use samples::{ACK_WITH_HINT, ERROR_458, EVENT_WITH_JSEP, LONG_POLL, SERVER_INFO};

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::hint::black_box;

use janus_signal::json::{JsonKind, JsonStr, RawJson, to_slice};
use janus_signal::message::{Batch, ErrorCode, JsepType, Message, TrickleCandidate};
use janus_signal::request::{
    AdminRequest, AttachPlugin, Auth, ClaimSession, CreateSession, DestroySession, DetachHandle, GetServerInfo, HangUp,
    IceCandidate, KeepAlive, Ping, PluginMessage, Request, SdpType, SessionDescription, TrickleCandidates,
};
use janus_signal::{DecodeError, EncodeError, HandleId, SessionId, Transaction};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// The counting allocator
// ---------------------------------------------------------------------------------------------

/// `System`, counting calls made by a thread whose `COUNTING` flag is set.
struct CountingAllocator;

thread_local! {
    // `const` initialisation and no `Drop`: reading these never allocates and never
    // registers a destructor, so it is safe to do from inside the allocator.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static DEALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn record(counter: &'static std::thread::LocalKey<Cell<usize>>) {
    // `try_with`: the allocator can be called while the thread's locals are being torn down.
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = counter.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the bookkeeping around it neither allocates nor touches the memory.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(&ALLOCATIONS);
        // SAFETY: the caller upholds `alloc`'s contract, which is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(&ALLOCATIONS);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(&ALLOCATIONS);
        // SAFETY: `ptr` was allocated by this allocator, that is by `System`, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record(&DEALLOCATIONS);
        // SAFETY: `ptr` was allocated by this allocator, that is by `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Heap calls made by this thread while `f` ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeapUse {
    allocations: usize,
    deallocations: usize,
}

const NONE: HeapUse = HeapUse { allocations: 0, deallocations: 0 };

fn heap_use_of(f: impl FnOnce()) -> HeapUse {
    ALLOCATIONS.with(|n| n.set(0));
    DEALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    HeapUse { allocations: ALLOCATIONS.with(Cell::get), deallocations: DEALLOCATIONS.with(Cell::get) }
}

// ---------------------------------------------------------------------------------------------
// Stack-only helpers
// ---------------------------------------------------------------------------------------------

/// A `fmt::Write` into a fixed buffer on the stack.
struct StackText {
    buf: [u8; 512],
    len: usize,
}

impl StackText {
    const fn new() -> Self {
        Self { buf: [0; 512], len: 0 }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("only str was written")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Reads a string every way there is, into stack buffers.
fn read_str(s: JsonStr<'_>) -> usize {
    let mut buf = [0u8; 4096];
    let text = s.unescape_into(&mut buf).expect("fits the stack buffer");
    assert_eq!(text.len(), s.unescaped_len());
    assert!(s.eq_str(text));
    assert_eq!(s.chars().count(), text.chars().count());
    let mut small = [0u8; 2];
    if text.len() > small.len() {
        assert!(matches!(s.unescape_into(&mut small), Err(EncodeError::BufferTooSmall { .. })));
    }
    let mut shown = StackText::new();
    if text.len() <= shown.buf.len() {
        write!(shown, "{s}").expect("fits");
        assert_eq!(shown.as_str(), text);
    }
    black_box(s.as_plain());
    black_box(text.len())
}

/// Walks a value recursively with every accessor; returns the number of values seen.
fn walk(v: RawJson<'_>) -> usize {
    black_box((v.kind(), v.is_null(), v.as_u64(), v.as_i64(), v.as_f64(), v.as_bool(), v.as_plugin_id(), v.as_bytes()));
    if let Some(s) = v.as_str() {
        read_str(s);
    }
    let mut seen = 1;
    for (key, value) in v.members() {
        read_str(key);
        seen += walk(value);
    }
    for element in v.elements() {
        seen += walk(element);
    }
    seen
}

// ---------------------------------------------------------------------------------------------
// Real messages
// ---------------------------------------------------------------------------------------------

/// The plugin data of the echotest, decoded into the caller's own type.
#[derive(Debug, Deserialize)]
struct EchoData<'a> {
    echotest: &'a str,
    result: &'a str,
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn the_counter_counts() {
    let used = heap_use_of(|| {
        let v: Vec<u8> = black_box(Vec::with_capacity(64));
        drop(black_box(v));
    });
    assert_eq!(used, HeapUse { allocations: 1, deallocations: 1 });
    let used = heap_use_of(|| {
        let mut s = String::new();
        for _ in 0..100 {
            s.push('x');
        }
        black_box(&s);
    });
    assert!(used.allocations >= 2, "growth reallocates: {used:?}");
    // Another thread's allocations are not counted (spawning it allocates a few times here).
    let used = heap_use_of(|| {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for _ in 0..1000 {
                    black_box(vec![0u8; 64]);
                }
            });
        });
    });
    assert!(used.allocations < 100, "{used:?}");
}

#[test]
fn decoding_does_not_allocate() {
    let used = heap_use_of(|| {
        // An event with plugin data and a session description.
        let message = Message::decode(black_box(EVENT_WITH_JSEP.as_bytes())).expect("decodes");
        assert_eq!(message.kind(), "event");
        assert!(message.transaction().is_some_and(|t| t == "ws-0006"));
        let Message::Event(event) = message else {
            panic!("an event");
        };
        assert_eq!(event.sender, HandleId(1_241_231_443_534_215));
        assert_eq!(event.session_id, Some(SessionId(6_036_143_552_999_677)));
        let plugin = event.plugin_data.expect("plugindata");
        assert!(plugin.plugin == "janus.plugin.echotest");
        assert!(plugin.error().is_none());
        assert!(plugin.data.get("result").and_then(|r| r.as_str()).is_some_and(|r| r == "ok"));
        let echo: EchoData<'_> = plugin.decode(&mut [0u8; 64]).expect("fits the type");
        assert_eq!((echo.echotest, echo.result), ("event", "ok"));
        let jsep = event.jsep.expect("jsep");
        assert_eq!(jsep.kind, JsepType::Answer);
        assert_eq!((jsep.trickle, jsep.e2ee), (None, None));
        let mut sdp = [0u8; 4096];
        let text = jsep.sdp.unescape_into(&mut sdp).expect("fits");
        assert!(text.starts_with("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"));
        assert!(text.ends_with("a=end-of-candidates\r\n"));
        assert_eq!(text.len(), jsep.sdp.unescaped_len());
        assert_eq!(text.lines().count(), jsep.sdp.chars().filter(|&c| c == '\n').count());
        assert_eq!(jsep.raw.members().count(), 2);
        assert!(walk(event.raw) > 10);

        // server_info, with every accessor.
        let Ok(Message::ServerInfo(info)) = Message::decode(black_box(SERVER_INFO.as_bytes())) else {
            panic!("server_info");
        };
        assert!(info.transaction.is_some_and(|t| t == "ws-0002"));
        assert!(info.name().is_some_and(|n| n == "Janus WebRTC Server"));
        assert_eq!(info.version(), Some(1102));
        assert!(info.version_string().is_some_and(|v| v == "1.1.2"));
        assert!(info.server_name().is_some_and(|v| v == "janus-test"));
        assert_eq!(info.session_timeout(), Some(60));
        assert_eq!(info.reclaim_session_timeout(), Some(0));
        assert_eq!(info.candidates_timeout(), Some(45));
        assert_eq!(info.api_secret_required(), Some(false));
        assert_eq!(info.auth_token_required(), Some(false));
        assert_eq!(info.accepting_new_sessions(), Some(true));
        assert_eq!(info.data_channels(), Some(true));
        assert_eq!(info.full_trickle(), Some(false));
        assert!(info.has_plugin("janus.plugin.echotest"));
        assert!(!info.has_plugin("janus.plugin.nope"));
        for (name, description) in info.plugins().chain(info.transports()) {
            read_str(name);
            assert!(description.get("version").and_then(|v| v.as_u64()).is_some());
            walk(description);
        }
        assert!(walk(info.raw) > 50);

        // An error reply.
        let Ok(Message::Error(error)) = Message::decode(black_box(ERROR_458.as_bytes())) else {
            panic!("error");
        };
        assert_eq!(error.code, ErrorCode::SessionNotFound);
        assert_eq!(error.code.code(), 458);
        let mut shown = StackText::new();
        write!(shown, "{}", error.code).expect("fits");
        assert!(error.reason.is_some_and(|r| r == "No such session 1234567890"));
        assert_eq!(error.session_id, Some(SessionId(1_234_567_890)));

        // An ack with a hint.
        let Ok(Message::Ack(ack)) = Message::decode(black_box(ACK_WITH_HINT.as_bytes())) else {
            panic!("ack");
        };
        assert!(ack.hint.is_some_and(|h| h == "I'm taking my time!"));
        read_str(ack.hint.expect("hint"));

        // A long-poll array, every element.
        let mut events = 0;
        for item in Batch::decode(black_box(LONG_POLL.as_bytes())).expect("decodes") {
            let Ok(Message::Event(e)) = item else {
                panic!("events");
            };
            assert_eq!(e.sender, HandleId(7_603_604_986_915_578));
            read_str(e.transaction.expect("transaction"));
            let data = e.plugin_data.expect("plugindata");
            let echo: EchoData<'_> = data.decode(&mut [0u8; 64]).expect("fits");
            black_box(echo);
            walk(e.raw);
            events += 1;
        }
        assert_eq!(events, 3);

        // A trickle candidate and a plugin error.
        let trickle = br#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"candidate":"candidate:1 1 udp 2015363327 192.0.2.2 39889 typ host","sdpMid":"0","sdpMLineIndex":0}}"#;
        let Ok(Message::Trickle(t)) = Message::decode(black_box(trickle)) else {
            panic!("trickle");
        };
        let TrickleCandidate::Candidate { candidate, sdp_mid, sdp_mline_index, .. } = t.candidate else {
            panic!("a candidate");
        };
        read_str(candidate);
        assert!(sdp_mid.is_some_and(|m| m == "0"));
        assert_eq!(sdp_mline_index, Some(0));
        let failed = br#"{"janus":"success","transaction":"t","sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":428,"error":"No such feed (\u00e9\ud83d\ude00)"}}}"#;
        let Ok(Message::Success(s)) = Message::decode(black_box(failed)) else {
            panic!("success");
        };
        let error = s.plugin_data.and_then(|p| p.error()).expect("a plugin error");
        assert_eq!(error.code, Some(428));
        assert!(error.reason.is_some_and(|r| r == "No such feed (é😀)"));
    });
    assert_eq!(used, NONE);
}

#[test]
fn decode_errors_do_not_allocate() {
    let deep = "[".repeat(10_000);
    let used = heap_use_of(|| {
        let truncated = &EVENT_WITH_JSEP.as_bytes()[..1000];
        let e = Message::decode(black_box(truncated)).expect_err("truncated");
        let mut shown = StackText::new();
        write!(shown, "{e}").expect("fits");
        assert!(shown.as_str().contains("input ends inside a value"));
        assert!(std::error::Error::source(&e).is_some());
        let e = Message::decode(black_box(deep.as_bytes())).expect_err("too deep");
        assert!(matches!(e, DecodeError::Json(_)));
        let e = Message::decode(black_box(br#"{"janus":"event"}"#)).expect_err("no sender");
        let mut shown = StackText::new();
        write!(shown, "{e}").expect("fits");
        assert_eq!(e, DecodeError::MissingField { kind: "event", field: "sender" });
        let e = Batch::decode(black_box(b"[1,")).expect_err("truncated");
        black_box(e);
        for item in Batch::decode(black_box(b"[1,{}]")).expect("valid JSON") {
            assert!(item.is_err());
        }
        let e = RawJson::parse(black_box(b"\"\xff\"")).expect_err("not UTF-8");
        black_box(e);
    });
    assert_eq!(used, NONE);
}

#[derive(Serialize)]
struct Join<'a> {
    request: &'a str,
    ptype: &'a str,
    room: u64,
    display: &'a str,
    pin: Option<&'a str>,
    feeds: [u64; 3],
    role: Role,
    nested: Nested<'a>,
}

#[derive(Serialize)]
enum Role {
    Subscriber { feed: u64, private_id: Option<u32> },
}

#[derive(Serialize)]
struct Nested<'a> {
    note: char,
    ratio: f64,
    tags: &'a [&'a str],
}

#[derive(Serialize)]
struct AdminFields<'a> {
    plugin: &'a str,
    request: RawJson<'a>,
}

/// Encodes into `out`, checks the result with our own scanner, and returns the length.
fn encode(request: &impl Request, out: &mut [u8]) -> usize {
    let n = request.encode(out).expect("fits the stack buffer");
    let parsed = RawJson::parse(&out[..n]).expect("valid JSON");
    assert!(parsed.get("janus").is_some_and(|j| j.as_str().is_some_and(|j| j == request.name())));
    assert!(parsed.get("transaction").and_then(|t| t.as_str()).is_some_and(|t| t == request.transaction().as_str()));
    // One byte short is reported with the exact size.
    assert_eq!(request.encode(&mut out[..n - 1]), Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 }));
    n
}

#[test]
fn encoding_does_not_allocate() {
    // A received event, to forward its SDP and data.
    let received = Message::decode(EVENT_WITH_JSEP.as_bytes()).expect("decodes");
    let Message::Event(event) = received else {
        panic!("event");
    };
    // Every output is kept on the stack and checked with serde_json afterwards.
    let mut outputs = [[0u8; 4096]; 24];
    let mut lengths = [0usize; 24];
    let used = heap_use_of(|| {
        let mut out = [0u8; 4096];
        let mut count = 0;
        let mut keep = |bytes: &[u8]| {
            outputs[count][..bytes.len()].copy_from_slice(bytes);
            lengths[count] = bytes.len();
            count += 1;
        };
        macro_rules! note {
            ($n:expr) => {{
                let n = $n;
                keep(&out[..n]);
            }};
        }
        let tx = Transaction::new(black_box("tx-0001")).expect("valid");
        let s = SessionId(black_box(8_374_001_098_332_022));
        let h = HandleId(black_box(1_241_231_443_534_215));
        let auth = Auth { apisecret: Some("s3cret"), token: Some("t\"ok\\en\n") };

        note!(encode(&CreateSession::new(tx).with_id(SessionId(u64::MAX)).with_auth(auth), &mut out,));
        note!(encode(
            &AttachPlugin::new(tx, s, "janus.plugin.videoroom")
                .with_opaque_id("me-é😀")
                .with_loop_index(3)
                .with_auth(auth),
            &mut out,
        ));

        let join = Join {
            request: "join",
            ptype: "subscriber",
            room: 1234,
            display: "Ünïcödé \"quoted\" \\ \u{1}",
            pin: None,
            feeds: [1, 2, u64::MAX],
            role: Role::Subscriber { feed: 42, private_id: Some(7) },
            nested: Nested { note: '€', ratio: 0.25, tags: &["a", "b\tc"] },
        };
        let offer = SessionDescription::new(SdpType::Offer, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n")
            .with_trickle(false)
            .with_e2ee(true);
        note!(encode(&PluginMessage::new(tx, s, h, &join).with_jsep(&offer).with_auth(auth), &mut out,));
        // Forwarding what Janus sent: the SDP escaped as received, the data as raw JSON.
        let jsep = event.jsep.expect("jsep");
        let answer = SessionDescription::new(SdpType::Answer, jsep.sdp);
        let data = event.plugin_data.expect("plugindata").data;
        note!(encode(&PluginMessage::new(tx, s, h, &data).with_jsep(&answer), &mut out));
        note!(encode(&PluginMessage::new(tx, s, h, &data).with_jsep(&jsep.raw), &mut out));

        let candidate = IceCandidate::new("candidate:1467250027 1 udp 2122260223 127.0.0.1 50000 typ host", "0", 0);
        note!(encode(&TrickleCandidates::one(tx, s, h, &candidate), &mut out));
        let many = [candidate, IceCandidate::new("candidate:2 1 tcp 1 ::1 9 typ host", "1", 1)];
        note!(encode(&TrickleCandidates::many(tx, s, h, &many).with_auth(auth), &mut out));
        note!(encode(&TrickleCandidates::completed(tx, s, h), &mut out));
        note!(encode(&KeepAlive::new(tx, s).with_auth(auth), &mut out));
        note!(encode(&HangUp::new(tx, s, h), &mut out));
        note!(encode(&DetachHandle::new(tx, s, h), &mut out));
        note!(encode(&DestroySession::new(tx, s), &mut out));
        note!(encode(&ClaimSession::new(tx, s), &mut out));
        note!(encode(&GetServerInfo::new(tx), &mut out));
        note!(encode(&Ping::new(tx), &mut out));

        // Admin API, typed and custom.
        note!(encode(&AdminRequest::list_sessions(tx).with_secret("janusoverlord"), &mut out));
        note!(encode(&AdminRequest::handle_info(tx, s, h, true), &mut out));
        note!(encode(&AdminRequest::set_session_timeout(tx, 120).on_session(s), &mut out));
        note!(encode(
            &AdminRequest::add_token(tx, "tok", &["janus.plugin.echotest", "janus.plugin.videoroom"]),
            &mut out,
        ));
        note!(encode(&AdminRequest::set_log_level(tx, 5), &mut out));
        note!(encode(&AdminRequest::accept_new_sessions(tx, false), &mut out));
        let list = RawJson::parse(br#"{"request":"list"}"#).expect("valid");
        let fields = AdminFields { plugin: "janus.plugin.videoroom", request: list };
        note!(encode(&AdminRequest::custom(tx, "message_plugin", &fields).with_secret("janusoverlord"), &mut out,));
        let raw_fields = RawJson::parse(br#" { "level" : 4 } "#).expect("valid");
        note!(encode(&AdminRequest::custom(tx, "set_log_level", &raw_fields), &mut out));

        // Any value, and the too-small paths.
        let n = to_slice(&join, &mut out).expect("fits");
        assert!(RawJson::parse(&out[..n]).is_ok());
        let mut tiny = [0u8; 16];
        let e = PluginMessage::new(tx, s, h, &join).with_jsep(&offer).encode(&mut tiny).expect_err("too small");
        let EncodeError::BufferTooSmall { needed, available } = e else {
            panic!("BufferTooSmall");
        };
        assert_eq!(available, 16);
        assert!(needed > 16);
        let mut shown = StackText::new();
        write!(shown, "{e}").expect("fits");
        assert!(to_slice(&join, &mut tiny).is_err());
        let mut sdp = [0u8; 8];
        assert!(matches!(jsep.sdp.unescape_into(&mut sdp), Err(EncodeError::BufferTooSmall { .. })));
        assert_eq!(jsep.raw.kind(), JsonKind::Object);
    });
    assert_eq!(used, NONE);

    // Outside the measured section: every output is JSON for an independent parser.
    let written: Vec<&[u8]> = outputs.iter().zip(lengths).filter(|(_, n)| *n > 0).map(|(o, n)| &o[..n]).collect();
    assert_eq!(written.len(), 23);
    for bytes in written {
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(bytes));
        });
        assert!(value["janus"].is_string());
        assert_eq!(value["transaction"], "tx-0001");
    }
}

/// The WebRTC glue: Janus's description read into a stack buffer, its media sections,
/// candidates and fingerprint walked, the peer's candidate turned into a trickle request, a
/// trickle event's candidate read back.
#[test]
fn webrtc_glue_does_not_allocate() {
    use janus_signal::webrtc::{Candidate, LocalCandidates, RemoteCandidate, RemoteDescription};
    let used = heap_use_of(|| {
        let Message::Event(event) = Message::decode(black_box(EVENT_WITH_JSEP.as_bytes())).expect("decodes") else {
            panic!("an event");
        };
        let mut sdp = [0u8; 4096];
        let answer = RemoteDescription::from_jsep(&event.jsep.expect("jsep"), &mut sdp).expect("fits");
        assert_eq!(answer.kind, SdpType::Answer);
        let mut seen = 0usize;
        for media in answer.sdp.media() {
            seen +=
                media.codecs().count() + usize::from(media.mid().is_some()) + usize::from(media.direction().sends());
        }
        for candidate in answer.sdp.candidates() {
            seen += usize::from(Candidate::parse(candidate.candidate).expect("Janus's candidate").port > 0);
        }
        assert!(seen > 0);
        assert!(answer.sdp.fingerprint().is_some());
        let local = LocalCandidates::for_description(&answer.sdp).expect("media");
        let ours = local.candidate("candidate:1 1 udp 2130706431 198.51.100.2 5000 typ host").expect("candidate");
        let tx = Transaction::new("t-1").expect("valid");
        let mut out = [0u8; 256];
        let n = encode(&TrickleCandidates::one(tx, SessionId(1), HandleId(2), &ours), &mut out);
        assert!(n > 0);
        let trickle = br#"{"janus":"trickle","sender":2,"candidate":{"sdpMid":"0","sdpMLineIndex":0,"candidate":"candidate:2 1 udp 9 198.51.100.1 4001 typ host"}}"#;
        let Message::Trickle(trickle) = Message::decode(black_box(trickle)).expect("decodes") else {
            panic!("trickle")
        };
        let mut scratch = [0u8; 64];
        let RemoteCandidate::Candidate(line) =
            RemoteCandidate::from_trickle(&trickle.candidate, &mut scratch).expect("reads")
        else {
            panic!("a candidate")
        };
        assert_eq!(line.parse().expect("parses").port, 4001);
    });
    assert_eq!(used, HeapUse { allocations: 0, deallocations: 0 }, "the webrtc glue allocated");
}

/// WebSocket framing: the handshake both ways, masked frames written, the server's frames
/// read (a fragmented message with a ping inside, a close) from stack buffers.
#[test]
fn websocket_framing_does_not_allocate() {
    use janus_signal::ws::{
        ClientKey, FrameReader, JANUS_PROTOCOL, Message as Ws, Opcode, read_upgrade_response, write_close, write_frame,
        write_upgrade_request,
    };
    const ANSWER: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n";
    let used = heap_use_of(|| {
        let key = ClientKey::new(*b"the sample nonce");
        let mut out = [0u8; 512];
        assert!(write_upgrade_request(&mut out, "127.0.0.1:8188", "/", &key, JANUS_PROTOCOL).expect("fits") > 0);
        assert_eq!(read_upgrade_response(black_box(ANSWER), &key, JANUS_PROTOCOL), Ok(Some(ANSWER.len())));
        assert!(write_frame(&mut out, Opcode::Text, br#"{"janus":"info"}"#, [1, 2, 3, 4]).expect("fits") > 0);
        assert!(write_close(&mut out, 1000, "bye", [1, 2, 3, 4]).expect("fits") > 0);
        let frames = [0x01, 0x03, b'H', b'e', b'l', 0x89, 0x00, 0x80, 0x02, b'l', b'o', 0x88, 0x02, 0x03, 0xE8];
        let mut buf = [0u8; 64];
        buf[..frames.len()].copy_from_slice(black_box(&frames));
        let mut len = frames.len();
        let mut reader = FrameReader::new();
        let mut seen = 0;
        while let Some(message) = reader.read(&mut buf, &mut len).expect("well-formed") {
            seen += match message {
                Ws::Text(text) => text.len(),
                Ws::Ping(_) => 100,
                Ws::Close { code, .. } => usize::from(code == Some(1000)) * 1000,
                _ => 0,
            };
        }
        assert_eq!(seen, 1105);
    });
    assert_eq!(used, NONE, "the WebSocket framing allocated");
}
