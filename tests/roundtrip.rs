//! Property tests: what this crate encodes decodes back to the same values, and what Janus
//! (played here by `serde_json`, compact and indented) sends decodes to what it meant.
//!
//! - `json::to_slice` of any string, read back with `RawJson` / `JsonStr` (unescaped into a
//!   buffer, as chars, compared, displayed) and with `serde_json`.
//! - `PluginMessage` with an arbitrary body and SDP, checked field by field with `serde_json`;
//!   then a Janus `event` carrying that body and SDP, decoded with `Message::decode`.
//! - Text received from Janus (`JsonStr`, `RawJson`) forwarded into a new request verbatim.
//! - Every request's ids, for all `u64`, read back exactly (never through `f64`), and the ids
//!   of every Janus message kind decoded exactly.
//! - `EncodeError::BufferTooSmall { needed, .. }` is exact for every request and for
//!   `JsonStr::unescape_into`.
//! - `Transaction::new` accepts exactly what its documentation says.

use std::collections::BTreeMap;
use std::fmt;
use std::io;

use janus_signal::json::{JsonKind, JsonStr, RawJson, to_slice};
use janus_signal::message::{ErrorCode, JsepType, Message, TrickleCandidate};
use janus_signal::request::{
    AdminRequest, Api, AttachPlugin, Auth, ClaimSession, CreateSession, DestroySession, DetachHandle, GetServerInfo,
    HangUp, IceCandidate, KeepAlive, Ping, PluginMessage, Request, SdpType, SessionDescription, Text,
    TrickleCandidates,
};
use janus_signal::{DecodeError, EncodeError, HandleId, MAX_TRANSACTION_LEN, SessionId, Transaction};
use proptest::prelude::*;
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Characters that stress a JSON string codec, mixed with fully arbitrary ones.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::char::range(' ', '~'),
        2 => prop::sample::select(vec![
            '"', '\\', '/', '\n', '\r', '\t', '\u{0}', '\u{8}', '\u{c}', '\u{1f}', '\u{7f}',
            '\u{80}', '\u{2028}', '\u{2029}', '\u{d7ff}', '\u{e000}', '\u{fffd}', '\u{feff}',
            '\u{ffff}', 'é', '€', '😀', '\u{10000}', '\u{10ffff}', 'u', '{', '}', '[', ']',
            ':', ',',
        ]),
    ]
}

/// Any string: proptest's own `String` strategy, or one made of [`nasty_char`]s.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), prop::collection::vec(nasty_char(), 0..40).prop_map(|v| v.into_iter().collect()),]
}

/// Any `u64`, with the edges that break `f64`-based parsers made likely.
fn id() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => any::<u64>(),
        1 => prop::sample::select(vec![
            0,
            1,
            (1 << 53) - 1,
            1 << 53,
            (1 << 53) + 1,
            8_374_001_098_332_022,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX - 1,
            u64::MAX,
        ]),
        1 => 0..1000u64,
    ]
}

/// A text that [`Transaction::new`] accepts: 1 to 64 bytes, no `"`, `\` or control character.
fn transaction_text() -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 1..70).prop_map(|chars| {
        let mut s = String::new();
        for c in chars {
            let c = if c < ' ' || c == '"' || c == '\\' { 'x' } else { c };
            if s.len() + c.len_utf8() > MAX_TRANSACTION_LEN {
                break;
            }
            s.push(c);
        }
        if s.is_empty() {
            s.push('t');
        }
        s
    })
}

fn tx(text: &str) -> Transaction<'_> {
    Transaction::new(text).expect("the strategy only makes valid transactions")
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Encodes with `encode` and checks that `BufferTooSmall::needed` is exact: an empty buffer and
/// a buffer one byte short report `needed`, a buffer of exactly `needed` bytes succeeds with
/// `needed` bytes, a bigger one gives the same bytes and nothing is written past them.
#[track_caller]
fn encode_exact(encode: impl Fn(&mut [u8]) -> Result<usize, EncodeError>) -> Vec<u8> {
    let needed = match encode(&mut []) {
        Err(EncodeError::BufferTooSmall { needed, available: 0 }) => needed,
        other => panic!("encoding into an empty buffer gave {other:?}"),
    };
    assert!(needed > 0);
    let mut exact = vec![0u8; needed];
    assert_eq!(encode(&mut exact), Ok(needed), "exactly `needed` bytes");
    let mut short = vec![0u8; needed - 1];
    assert_eq!(
        encode(&mut short),
        Err(EncodeError::BufferTooSmall { needed, available: needed - 1 }),
        "one byte short"
    );
    let mut half = vec![0u8; needed / 2];
    assert_eq!(encode(&mut half), Err(EncodeError::BufferTooSmall { needed, available: needed / 2 }), "half the size");
    let mut roomy = vec![0xA5u8; needed + 33];
    assert_eq!(encode(&mut roomy), Ok(needed), "a roomy buffer");
    assert_eq!(&roomy[..needed], &exact[..], "same bytes in any buffer");
    assert!(roomy[needed..].iter().all(|&b| b == 0xA5), "nothing is written past the output");
    exact
}

/// Encodes a request through [`encode_exact`] and checks it is valid JSON for `serde_json`.
#[track_caller]
fn encode_request(request: &impl Request) -> (Vec<u8>, Value) {
    let bytes = encode_exact(|out| request.encode(out));
    assert_eq!(request.encoded_len(), Ok(bytes.len()), "encoded_len is what encode writes");
    let value: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("serde_json rejects our output {:?}: {e}", String::from_utf8_lossy(&bytes)));
    // Our own scanner accepts what we write, too.
    RawJson::parse(&bytes).expect("our output parses with RawJson");
    assert_eq!(value["janus"], request.name());
    assert_eq!(value["transaction"], request.transaction().as_str());
    (bytes, value)
}

/// Reads a member as an exact `u64`: `serde_json` keeps integers as integers, and
/// `as_u64` is `None` for anything written as a float.
#[track_caller]
fn exact_u64(value: &Value, key: &str) -> Option<u64> {
    let member = value.get(key)?;
    assert!(member.is_u64(), "`{key}` must be written as an integer: {member}");
    member.as_u64()
}

/// Every way of reading a [`JsonStr`] gives back `expected`.
#[track_caller]
fn check_json_str(js: JsonStr<'_>, expected: &str) {
    assert_eq!(js.unescaped_len(), expected.len(), "unescaped_len");
    let mut buf = vec![0u8; expected.len()];
    assert_eq!(js.unescape_into(&mut buf), Ok(expected), "unescape_into");
    let mut roomy = vec![0u8; expected.len() + 8];
    assert_eq!(js.unescape_into(&mut roomy), Ok(expected), "unescape_into roomy");
    if !expected.is_empty() {
        let mut short = vec![0u8; expected.len() - 1];
        assert_eq!(
            js.unescape_into(&mut short),
            Err(EncodeError::BufferTooSmall { needed: expected.len(), available: expected.len() - 1 }),
            "unescape_into one byte short"
        );
        assert_eq!(
            js.unescape_into(&mut []),
            Err(EncodeError::BufferTooSmall { needed: expected.len(), available: 0 }),
            "unescape_into an empty buffer"
        );
    }
    let mut scratch = vec![0u8; expected.len()];
    assert_eq!(js.unescaped(&mut scratch), Ok(expected), "unescaped");
    assert_eq!(
        js.unescaped(&mut scratch).map(|t| t.as_ptr() == js.escaped().as_ptr()),
        Ok(!js.has_escapes()),
        "borrowed when plain"
    );
    assert_eq!(js.chars().collect::<String>(), expected, "chars");
    assert_eq!(js.chars().count(), expected.chars().count(), "chars().count()");
    assert!(js.eq_str(expected), "eq_str");
    assert!(js == expected, "PartialEq<&str>");
    assert!(!js.eq_str(&format!("{expected}x")), "eq_str with a longer text");
    if let Some(last) = expected.chars().last() {
        let shorter = &expected[..expected.len() - last.len_utf8()];
        assert!(!js.eq_str(shorter), "eq_str with a shorter text");
    }
    assert_eq!(js.to_string(), expected, "Display");
    match js.as_plain() {
        Some(plain) => {
            assert!(!js.has_escapes());
            assert_eq!(plain, expected);
        }
        None => assert!(js.has_escapes()),
    }
}

/// How Janus (jansson) might format its JSON; `serde_json` plays the server.
#[derive(Debug, Clone, Copy)]
enum Style {
    /// `serde_json::to_vec`.
    Compact,
    /// `serde_json::to_vec_pretty` (two spaces).
    Pretty,
    /// Three-space indentation, as Janus's default `json = "indented"`.
    Indented,
    /// Compact, with every non-ASCII character as `\uXXXX` (surrogate pairs above the BMP)
    /// and `/` as `\/`, as jansson does with `JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH`.
    Ascii,
}

const STYLES: [Style; 4] = [Style::Compact, Style::Pretty, Style::Indented, Style::Ascii];

/// A compact formatter that escapes everything outside ASCII, and `/`.
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        for c in fragment.chars() {
            if c == '/' {
                writer.write_all(b"\\/")?;
            } else if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04X}")?;
                }
            }
        }
        Ok(())
    }
}

fn to_json(value: &impl Serialize, style: Style) -> Vec<u8> {
    match style {
        Style::Compact => serde_json::to_vec(value).expect("serializes"),
        Style::Pretty => serde_json::to_vec_pretty(value).expect("serializes"),
        Style::Indented => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"   ");
            let mut ser = serde_json::Serializer::with_formatter(Vec::new(), formatter);
            value.serialize(&mut ser).expect("serializes");
            ser.into_inner()
        }
        Style::Ascii => {
            let mut ser = serde_json::Serializer::with_formatter(Vec::new(), AsciiFormatter);
            value.serialize(&mut ser).expect("serializes");
            ser.into_inner()
        }
    }
}

/// Re-serialises a received object member by member, keys and values forwarded verbatim.
struct ForwardMembers<'a>(RawJson<'a>);

impl Serialize for ForwardMembers<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.0.members() {
            map.serialize_entry(&key, &value)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(2000))]

    /// `to_slice` of any string → `RawJson::parse` → every `JsonStr` accessor gives it back,
    /// and `serde_json` agrees with our encoding. The other way round too: whatever
    /// `serde_json` (or a jansson-like ASCII-only encoder) writes, we read back.
    #[test]
    fn strings_round_trip(s in text()) {
        let bytes = encode_exact(|out| to_slice(&s, out));
        let theirs: String = serde_json::from_slice(&bytes).expect("valid JSON string");
        prop_assert_eq!(&theirs, &s);
        let raw = RawJson::parse(&bytes).expect("parses");
        prop_assert_eq!(raw.kind(), JsonKind::String);
        prop_assert_eq!(raw.as_bytes(), &bytes[..]);
        check_json_str(raw.as_str().expect("a string"), &s);

        for style in STYLES {
            let bytes = to_json(&s, style);
            let raw = RawJson::parse(&bytes).expect("parses");
            check_json_str(raw.as_str().expect("a string"), &s);
        }

        // A `char` goes through the same path (serde-json-core would panic here).
        if let Some(c) = s.chars().next() {
            let bytes = encode_exact(|out| to_slice(&c, out));
            let theirs: String = serde_json::from_slice(&bytes).expect("valid JSON string");
            prop_assert_eq!(theirs, c.to_string());
        }
    }

}

proptest! {
    #![proptest_config(config(1000))]

    /// Arbitrary strings as object keys and values, through `to_slice` of a map, read back
    /// with `get`, `members` and `serde_json`.
    #[test]
    fn maps_with_arbitrary_keys_round_trip(
        map in prop::collection::btree_map(text(), (text(), id()), 0..6)
    ) {
        let bytes = encode_exact(|out| to_slice(&map, out));
        let theirs: BTreeMap<String, (String, u64)> =
            serde_json::from_slice(&bytes).expect("valid JSON");
        prop_assert_eq!(&theirs, &map);
        let raw = RawJson::parse(&bytes).expect("parses");
        prop_assert_eq!(raw.members().count(), map.len());
        for ((key, value), (k, (text, n))) in raw.members().zip(&map) {
            check_json_str(key, k);
            let found = raw.get(k).expect("get finds every key");
            prop_assert_eq!(found, value);
            let mut elements = value.elements();
            check_json_str(elements.next().and_then(|e| e.as_str()).expect("text"), text);
            prop_assert_eq!(elements.next().and_then(|e| e.as_u64()), Some(*n));
            prop_assert!(elements.next().is_none());
        }
    }
}

/// Any JSON document without floats (whose text `serde_json` and we may spell differently).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        id().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Every shape serde can give a value, to compare our writer with `serde_json`'s.
#[derive(Debug, Clone, Serialize)]
enum Shape {
    Unit,
    Newtype(String),
    Tuple(i8, String, Option<u16>),
    Struct { a: Option<u64>, b: Vec<i32>, c: char },
}

#[derive(Debug, Clone, Serialize)]
struct Everything {
    shapes: Vec<Shape>,
    keys_u64: BTreeMap<u64, bool>,
    keys_i64: BTreeMap<i64, ()>,
    keys_char: BTreeMap<char, u8>,
    tuple: (u128, i128),
    unit: (),
    bytes_as_seq: Vec<u8>,
    display: ViaDisplay,
}

/// Serialises through `collect_str`, as types with a `Display`-based impl do.
#[derive(Debug, Clone)]
struct ViaDisplay(String);

impl Serialize for ViaDisplay {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("<{}>", self.0))
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Unit),
        text().prop_map(Shape::Newtype),
        (any::<i8>(), text(), any::<Option<u16>>()).prop_map(|(a, b, c)| Shape::Tuple(a, b, c)),
        (any::<Option<u64>>(), prop::collection::vec(any::<i32>(), 0..3), nasty_char())
            .prop_map(|(a, b, c)| Shape::Struct { a, b, c }),
    ]
}

fn everything() -> impl Strategy<Value = Everything> {
    (
        prop::collection::vec(shape(), 0..4),
        prop::collection::btree_map(id(), any::<bool>(), 0..3),
        prop::collection::btree_map(any::<i64>(), Just(()), 0..3),
        prop::collection::btree_map(nasty_char(), any::<u8>(), 0..3),
        (any::<u128>(), any::<i128>()),
        prop::collection::vec(any::<u8>(), 0..4),
        text(),
    )
        .prop_map(|(shapes, keys_u64, keys_i64, keys_char, tuple, bytes_as_seq, display)| Everything {
            shapes,
            keys_u64,
            keys_i64,
            keys_char,
            tuple,
            unit: (),
            bytes_as_seq,
            display: ViaDisplay(display),
        })
}

proptest! {
    #![proptest_config(config(1000))]

    /// Without floats, our compact JSON is byte for byte `serde_json`'s compact JSON, for any
    /// document and for every serde shape (enums, maps with number and char keys, tuples,
    /// `collect_str`, 128-bit integers).
    #[test]
    fn writer_matches_serde_json_byte_for_byte(value in json_value(), all in everything()) {
        let ours = encode_exact(|out| to_slice(&value, out));
        let theirs = serde_json::to_vec(&value).expect("serializes");
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        let ours = encode_exact(|out| to_slice(&all, out));
        let theirs = serde_json::to_vec(&all).expect("serializes");
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
        RawJson::parse(&ours).expect("our output parses");
    }

    /// Numbers: what we write, `serde_json` and our own accessors read back exactly.
    #[test]
    fn numbers_round_trip(u in id(), i in any::<i64>(), f in any::<f64>(), g in any::<f32>()) {
        let bytes = encode_exact(|out| to_slice(&u, out));
        prop_assert_eq!(serde_json::from_slice::<u64>(&bytes).ok(), Some(u));
        prop_assert_eq!(RawJson::parse(&bytes).ok().and_then(|v| v.as_u64()), Some(u));
        prop_assert_eq!(RawJson::parse(&bytes).ok().and_then(|v| v.as_i64()), i64::try_from(u).ok());

        let bytes = encode_exact(|out| to_slice(&i, out));
        prop_assert_eq!(serde_json::from_slice::<i64>(&bytes).ok(), Some(i));
        prop_assert_eq!(RawJson::parse(&bytes).ok().and_then(|v| v.as_i64()), Some(i));
        prop_assert_eq!(RawJson::parse(&bytes).ok().and_then(|v| v.as_u64()), u64::try_from(i).ok());

        let bytes = encode_exact(|out| to_slice(&f, out));
        let raw = RawJson::parse(&bytes).expect("valid JSON");
        if f.is_finite() {
            // Shortest round-trip text, read back exactly.
            prop_assert_eq!(raw.as_f64(), Some(f));
            // serde_json's default float parsing is "best effort": it may be a unit in the
            // last place off (for subnormals that is no small relative error).
            let theirs: f64 = serde_json::from_slice(&bytes).expect("a number");
            prop_assert!(
                theirs == f
                    || (theirs.is_sign_negative() == f.is_sign_negative()
                        && theirs.to_bits().abs_diff(f.to_bits()) <= 2),
                "{:e} read as {:e}",
                f,
                theirs
            );
        } else {
            prop_assert!(raw.is_null(), "non-finite floats are null");
        }
        let bytes = encode_exact(|out| to_slice(&g, out));
        let raw = RawJson::parse(&bytes).expect("valid JSON");
        if g.is_finite() {
            prop_assert_eq!(raw.as_f64(), Some(f64::from(g)));
        } else {
            prop_assert!(raw.is_null());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plugin messages and events
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Body {
    request: String,
    room: u64,
    display: String,
    pin: Option<String>,
    feeds: Vec<u64>,
    tags: Vec<String>,
    extra: BTreeMap<String, u64>,
    inner: Inner,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    id: u64,
    note: String,
    flag: bool,
}

fn body() -> impl Strategy<Value = Body> {
    (
        (text(), id(), text(), prop::option::of(text())),
        (
            prop::collection::vec(id(), 0..4),
            prop::collection::vec(text(), 0..3),
            prop::collection::btree_map(text(), id(), 0..3),
        ),
        (id(), text(), any::<bool>()),
    )
        .prop_map(|((request, room, display, pin), (feeds, tags, extra), (id, note, flag))| Body {
            request,
            room,
            display,
            pin,
            feeds,
            tags,
            extra,
            inner: Inner { id, note, flag },
        })
}

/// Reads the body back with our own accessors.
#[track_caller]
fn check_body_with_accessors(data: RawJson<'_>, body: &Body) {
    let text = |key: &str| data.get(key).and_then(|v| v.as_str()).expect(key);
    check_json_str(text("request"), &body.request);
    check_json_str(text("display"), &body.display);
    assert_eq!(data.get("room").and_then(|v| v.as_u64()), Some(body.room));
    match &body.pin {
        Some(pin) => check_json_str(text("pin"), pin),
        None => assert!(data.get("pin").expect("pin").is_null()),
    }
    let feeds: Vec<Option<u64>> = data.get("feeds").expect("feeds").elements().map(|e| e.as_u64()).collect();
    assert_eq!(feeds, body.feeds.iter().copied().map(Some).collect::<Vec<_>>());
    let tags = data.get("tags").expect("tags");
    assert_eq!(tags.elements().count(), body.tags.len());
    for (element, tag) in tags.elements().zip(&body.tags) {
        check_json_str(element.as_str().expect("tag"), tag);
    }
    let extra = data.get("extra").expect("extra");
    for (key, n) in &body.extra {
        assert_eq!(extra.get(key).and_then(|v| v.as_u64()), Some(*n), "extra[{key:?}]");
    }
    let inner = data.get("inner").expect("inner");
    assert_eq!(inner.get("id").and_then(|v| v.as_u64()), Some(body.inner.id));
    assert_eq!(inner.get("flag").and_then(|v| v.as_bool()), Some(body.inner.flag));
    check_json_str(inner.get("note").and_then(|v| v.as_str()).expect("note"), &body.inner.note);
}

proptest! {
    #![proptest_config(config(512))]

    /// Encode a `message` with an arbitrary body and SDP, check every field with
    /// `serde_json`; then wrap that body and SDP in a Janus `event` (compact, pretty,
    /// indented, ASCII-escaped) and decode it.
    #[test]
    fn plugin_message_and_event_round_trip(
        tx_text in transaction_text(),
        session in id(),
        handle in id(),
        body in body(),
        sdp in text(),
        trickle in prop::option::of(any::<bool>()),
        secret in prop::option::of(text()),
        plugin in text(),
    ) {
        let transaction = tx(&tx_text);
        let mut offer = SessionDescription::new(SdpType::Offer, sdp.as_str());
        if let Some(trickle) = trickle {
            offer = offer.with_trickle(trickle);
        }
        let auth = Auth { apisecret: secret.as_deref(), token: None };
        let msg = PluginMessage::new(transaction, SessionId(session), HandleId(handle), &body)
            .with_jsep(&offer)
            .with_auth(auth);
        prop_assert_eq!(msg.session_id(), Some(SessionId(session)));
        prop_assert_eq!(msg.handle_id(), Some(HandleId(handle)));
        prop_assert_eq!(msg.api(), Api::Janus);
        let (_, v) = encode_request(&msg);
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        prop_assert_eq!(exact_u64(&v, "handle_id"), Some(handle));
        let theirs: Body = serde_json::from_value(v["body"].clone()).expect("body");
        prop_assert_eq!(&theirs, &body);
        prop_assert_eq!(&v["jsep"]["type"], "offer");
        prop_assert_eq!(v["jsep"]["sdp"].as_str(), Some(sdp.as_str()));
        prop_assert_eq!(v["jsep"].get("trickle").and_then(Value::as_bool), trickle);
        prop_assert_eq!(v.get("apisecret").and_then(Value::as_str), secret.as_deref());
        let body_value = v["body"].clone();

        // Janus answers with an event carrying plugin data and a session description.
        let sender = handle ^ 0x5555;
        let event = json!({
            "janus": "event",
            "session_id": session,
            "transaction": tx_text,
            "sender": sender,
            "plugindata": {"plugin": plugin, "data": body_value},
            "jsep": {"type": "answer", "sdp": sdp, "trickle": trickle},
        });
        for style in STYLES {
            let bytes = to_json(&event, style);
            let message = Message::decode(&bytes).expect("the event decodes");
            prop_assert_eq!(message.kind(), "event");
            prop_assert_eq!(message.sender(), Some(HandleId(sender)));
            prop_assert_eq!(message.session_id(), Some(SessionId(session)));
            check_json_str(message.transaction().expect("transaction"), &tx_text);
            let Message::Event(e) = message else {
                panic!("an event expected, got {message:?}");
            };
            prop_assert_eq!(e.sender, HandleId(sender));
            prop_assert_eq!(e.session_id, Some(SessionId(session)));
            prop_assert_eq!(e.raw.as_bytes(), bytes.trim_ascii());
            let data = e.plugin_data.expect("plugindata");
            check_json_str(data.plugin, &plugin);
            let theirs: Value = serde_json::from_str(data.data.as_text()).expect("data is JSON");
            prop_assert_eq!(&theirs, &body_value);
            check_body_with_accessors(data.data, &body);
            prop_assert!(data.error().is_none());
            let jsep = e.jsep.expect("jsep");
            prop_assert_eq!(jsep.kind, JsepType::Answer);
            prop_assert_eq!(jsep.trickle, trickle);
            prop_assert_eq!(jsep.e2ee, None);
            check_json_str(jsep.sdp, &sdp);
            let mut sdp_buf = vec![0u8; jsep.sdp.unescaped_len()];
            prop_assert_eq!(jsep.sdp.unescape_into(&mut sdp_buf), Ok(sdp.as_str()));
        }
    }

    /// Text received from Janus is forwarded verbatim: an SDP, plugin data, a candidate and
    /// object keys go into a new request without being unescaped and escaped again.
    #[test]
    fn received_text_is_forwarded_verbatim(
        session in id(),
        handle in id(),
        body in body(),
        sdp in text(),
        candidate in text(),
        mid in text(),
        mline in any::<u32>(),
    ) {
        let body_value = serde_json::to_value(&body).expect("serializes");
        let event = json!({
            "janus": "event",
            "session_id": session,
            "sender": handle,
            "plugindata": {"plugin": "janus.plugin.videoroom", "data": body_value},
            "jsep": {"type": "offer", "sdp": sdp},
        });
        let trickle = json!({
            "janus": "trickle",
            "session_id": session,
            "sender": handle,
            "candidate": {"candidate": candidate, "sdpMid": mid, "sdpMLineIndex": mline},
        });
        for style in STYLES {
            let bytes = to_json(&event, style);
            let Ok(Message::Event(e)) = Message::decode(&bytes) else {
                panic!("an event expected");
            };
            prop_assert!(e.transaction.is_none());
            let received = e.jsep.expect("jsep");
            prop_assert_eq!(received.kind, JsepType::Offer);
            let data = e.plugin_data.expect("plugindata").data;

            // The SDP, escapes intact, and the plugin data as a RawJson body.
            let answer = SessionDescription::new(SdpType::Answer, received.sdp);
            prop_assert_eq!(answer.sdp, Text::Escaped(received.sdp));
            let msg = PluginMessage::new(tx("fwd"), SessionId(session), HandleId(handle), &data)
                .with_jsep(&answer);
            let (out, v) = encode_request(&msg);
            let verbatim = format!(r#""sdp":"{}""#, received.sdp.escaped());
            prop_assert!(
                out.windows(verbatim.len()).any(|w| w == verbatim.as_bytes()),
                "the SDP is written as received"
            );
            let data_text = data.as_text();
            prop_assert!(
                out.windows(data_text.len()).any(|w| w == data_text.as_bytes()),
                "the plugin data is spliced as received"
            );
            prop_assert_eq!(v["jsep"]["sdp"].as_str(), Some(sdp.as_str()));
            prop_assert_eq!(&v["jsep"]["type"], "answer");
            prop_assert_eq!(&v["body"], &body_value);

            // Keys and values forwarded one by one (JsonStr as a map key).
            let rebuilt = ForwardMembers(data);
            let msg = PluginMessage::new(tx("fwd"), SessionId(session), HandleId(handle), &rebuilt);
            let (_, v) = encode_request(&msg);
            prop_assert_eq!(&v["body"], &body_value);

            // A candidate from a Janus trickle event goes back out in a trickle request.
            let bytes = to_json(&trickle, style);
            let Ok(Message::Trickle(t)) = Message::decode(&bytes) else {
                panic!("a trickle expected");
            };
            prop_assert_eq!(t.sender, HandleId(handle));
            prop_assert_eq!(t.session_id, Some(SessionId(session)));
            let TrickleCandidate::Candidate { candidate: c, sdp_mid, sdp_mline_index, raw } =
                t.candidate
            else {
                panic!("a candidate expected");
            };
            check_json_str(c, &candidate);
            check_json_str(sdp_mid.expect("sdpMid"), &mid);
            prop_assert_eq!(sdp_mline_index, Some(u64::from(mline)));
            let ice = IceCandidate::new(c, sdp_mid.expect("sdpMid"), mline);
            let request = TrickleCandidates::one(tx("c"), SessionId(session), HandleId(handle), &ice);
            let (_, v) = encode_request(&request);
            prop_assert_eq!(v["candidate"]["candidate"].as_str(), Some(candidate.as_str()));
            prop_assert_eq!(v["candidate"]["sdpMid"].as_str(), Some(mid.as_str()));
            prop_assert_eq!(exact_u64(&v["candidate"], "sdpMLineIndex"), Some(u64::from(mline)));
            // The whole candidate object, as a RawJson.
            let pair = [raw, raw];
            let request = TrickleCandidates::many(tx("c"), SessionId(session), HandleId(handle), &pair);
            let (_, v) = encode_request(&request);
            let expected: Value = serde_json::from_str(raw.as_text()).expect("JSON");
            prop_assert_eq!(&v["candidates"], &json!([expected.clone(), expected]));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ids and every request
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct AdminFields<'a> {
    plugin: &'a str,
    counter: u64,
    label: &'a str,
}

proptest! {
    #![proptest_config(config(1000))]

    /// Every request: ids as exact integers for all `u64`, arbitrary text escaped correctly,
    /// and (through `encode_request`) an exact `BufferTooSmall::needed`.
    #[test]
    fn request_ids_and_text_round_trip(
        tx_text in transaction_text(),
        session in id(),
        handle in id(),
        number in id(),
        loop_index in any::<u32>(),
        level in any::<u8>(),
        flag in any::<bool>(),
        (secret, token, plugin, opaque) in (text(), text(), text(), text()),
        plugins in prop::collection::vec(text(), 0..3),
    ) {
        let t = tx(&tx_text);
        let auth = Auth { apisecret: Some(&secret), token: Some(&token) };
        let check_auth = |v: &Value| {
            assert_eq!(v["apisecret"].as_str(), Some(secret.as_str()));
            assert_eq!(v["token"].as_str(), Some(token.as_str()));
        };

        let create = CreateSession::new(t).with_id(SessionId(session)).with_auth(auth);
        let (_, v) = encode_request(&create);
        prop_assert_eq!(exact_u64(&v, "id"), Some(session));
        prop_assert_eq!(v.get("session_id"), None);
        check_auth(&v);
        let (_, v) = encode_request(&CreateSession::new(t));
        prop_assert_eq!(v.as_object().map(|o| o.len()), Some(2));

        let attach = AttachPlugin::new(t, SessionId(session), &plugin)
            .with_opaque_id(&opaque)
            .with_loop_index(loop_index)
            .with_auth(auth);
        let (_, v) = encode_request(&attach);
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        prop_assert_eq!(v["plugin"].as_str(), Some(plugin.as_str()));
        prop_assert_eq!(v["opaque_id"].as_str(), Some(opaque.as_str()));
        prop_assert_eq!(exact_u64(&v, "loop_index"), Some(u64::from(loop_index)));
        check_auth(&v);

        let (_, v) = encode_request(&KeepAlive::new(t, SessionId(session)).with_auth(auth));
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        check_auth(&v);
        let (_, v) = encode_request(&DestroySession::new(t, SessionId(session)));
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        let (_, v) = encode_request(&ClaimSession::new(t, SessionId(session)).with_auth(auth));
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        check_auth(&v);
        for request in [
            &DetachHandle::new(t, SessionId(session), HandleId(handle)).with_auth(auth) as &dyn ErasedRequest,
            &HangUp::new(t, SessionId(session), HandleId(handle)).with_auth(auth),
            &TrickleCandidates::completed(t, SessionId(session), HandleId(handle)).with_auth(auth),
        ] {
            let v = request.encode_checked();
            prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
            prop_assert_eq!(exact_u64(&v, "handle_id"), Some(handle));
            check_auth(&v);
        }
        let (_, v) = encode_request(&GetServerInfo::new(t).with_auth(auth));
        check_auth(&v);
        let (_, v) = encode_request(&Ping::new(t));
        prop_assert_eq!(v.as_object().map(|o| o.len()), Some(2));

        let ice = IceCandidate::new(plugin.as_str(), opaque.as_str(), loop_index);
        let (_, v) = encode_request(&TrickleCandidates::one(t, SessionId(session), HandleId(handle), &ice));
        prop_assert_eq!(exact_u64(&v, "handle_id"), Some(handle));
        prop_assert_eq!(v["candidate"]["candidate"].as_str(), Some(plugin.as_str()));
        prop_assert_eq!(v["candidate"]["sdpMid"].as_str(), Some(opaque.as_str()));
        prop_assert_eq!(exact_u64(&v["candidate"], "sdpMLineIndex"), Some(u64::from(loop_index)));
        let list = [ice, IceCandidate { sdp_mid: None, sdp_mline_index: None, ..ice }];
        let (_, v) = encode_request(&TrickleCandidates::many(t, SessionId(session), HandleId(handle), &list));
        prop_assert_eq!(&v["candidates"][1], &json!({"candidate": plugin}));

        // Admin API.
        let plugin_refs: Vec<&str> = plugins.iter().map(String::as_str).collect();
        let admin = AdminRequest::set_session_timeout(t, number)
            .on_session(SessionId(session))
            .with_secret(&secret);
        prop_assert_eq!(admin.api(), Api::Admin);
        let (_, v) = encode_request(&admin);
        prop_assert_eq!(exact_u64(&v, "timeout"), Some(number));
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        prop_assert_eq!(v["admin_secret"].as_str(), Some(secret.as_str()));
        let (_, v) = encode_request(&AdminRequest::handle_info(t, SessionId(session), HandleId(handle), flag));
        prop_assert_eq!(exact_u64(&v, "session_id"), Some(session));
        prop_assert_eq!(exact_u64(&v, "handle_id"), Some(handle));
        prop_assert_eq!(v.get("plugin_only").and_then(Value::as_bool), flag.then_some(true));
        let (_, v) = encode_request(&AdminRequest::set_log_level(t, level));
        prop_assert_eq!(exact_u64(&v, "level"), Some(u64::from(level)));
        let (_, v) = encode_request(&AdminRequest::accept_new_sessions(t, flag));
        prop_assert_eq!(v["accept"].as_bool(), Some(flag));
        let (_, v) = encode_request(&AdminRequest::add_token(t, &token, &plugin_refs).with_secret(&secret));
        prop_assert_eq!(v["token"].as_str(), Some(token.as_str()));
        if plugins.is_empty() {
            prop_assert_eq!(v.get("plugins"), None);
        } else {
            prop_assert_eq!(&v["plugins"], &json!(plugins));
        }
        let (_, v) = encode_request(&AdminRequest::remove_token(t, &token));
        prop_assert_eq!(v["token"].as_str(), Some(token.as_str()));
        let fields = AdminFields { plugin: &plugin, counter: number, label: &opaque };
        let custom = AdminRequest::custom(t, "query_handler", &fields)
            .on_handle(SessionId(session), HandleId(handle))
            .with_secret(&secret);
        let (_, v) = encode_request(&custom);
        prop_assert_eq!(v["plugin"].as_str(), Some(plugin.as_str()));
        prop_assert_eq!(exact_u64(&v, "counter"), Some(number));
        prop_assert_eq!(v["label"].as_str(), Some(opaque.as_str()));
        prop_assert_eq!(exact_u64(&v, "handle_id"), Some(handle));
    }

    /// The ids of every Janus message kind decode exactly for all `u64`.
    #[test]
    fn decoded_ids_are_exact(
        session in id(),
        sender in id(),
        new_id in id(),
        tx_text in transaction_text(),
        reason in text(),
        lost in id(),
        code in prop_oneof![id(), 400..500u64],
    ) {
        prop_assert_eq!(ErrorCode::from_code(code).code(), code);
        for style in STYLES {
            let decode = |value: Value| {
                let bytes = to_json(&value, style);
                let message = Message::decode(&bytes).map(|m| {
                    (m.kind().to_owned(), m.session_id(), m.sender(), m.transaction().map(|t| t.to_string()))
                });
                (bytes, message)
            };
            let (bytes, _) = decode(json!({
                "janus": "success", "transaction": tx_text, "session_id": session,
                "data": {"id": new_id}
            }));
            let Ok(Message::Success(s)) = Message::decode(&bytes) else { panic!("success") };
            prop_assert_eq!(s.id(), Some(new_id));
            prop_assert_eq!(s.session_id, Some(SessionId(session)));
            prop_assert!(s.transaction.is_some_and(|t| t == tx_text.as_str()));

            let (bytes, _) = decode(json!({
                "janus": "error", "transaction": tx_text, "session_id": session,
                "error": {"code": code, "reason": reason}
            }));
            let Ok(Message::Error(e)) = Message::decode(&bytes) else { panic!("error") };
            prop_assert_eq!(e.session_id, Some(SessionId(session)));
            prop_assert_eq!(e.code, ErrorCode::from_code(code));
            prop_assert_eq!(e.code.code(), code);
            check_json_str(e.reason.expect("reason"), &reason);

            let (bytes, _) = decode(json!({
                "janus": "slowlink", "session_id": session, "sender": sender,
                "uplink": true, "lost": lost, "mid": reason
            }));
            let Ok(Message::SlowLink(s)) = Message::decode(&bytes) else { panic!("slowlink") };
            prop_assert_eq!(s.lost_packets(), Some(lost));
            check_json_str(s.mid.expect("mid"), &reason);

            let (bytes, _) = decode(json!({"janus": "timeout", "session_id": session}));
            let Ok(Message::Timeout(t)) = Message::decode(&bytes) else { panic!("timeout") };
            prop_assert_eq!(t.session_id, SessionId(session));

            for kind in ["webrtcup", "media", "hangup", "detached", "ice-failed"] {
                let (_, decoded) = decode(json!({"janus": kind, "session_id": session, "sender": sender}));
                prop_assert_eq!(
                    decoded,
                    Ok((kind.to_owned(), Some(SessionId(session)), Some(HandleId(sender)), None))
                );
            }
            let (_, decoded) = decode(json!({
                "janus": "ack", "session_id": session, "transaction": tx_text
            }));
            prop_assert_eq!(decoded, Ok(("ack".to_owned(), Some(SessionId(session)), None, Some(tx_text.clone()))));
            // An unknown kind keeps its ids too.
            let (_, decoded) = decode(json!({
                "janus": reason, "session_id": session, "sender": sender, "transaction": tx_text
            }));
            if !is_known_kind(&reason) {
                let (kind, s, h, t) = decoded.expect("an unknown kind decodes");
                // `kind()` of an unknown message is the text as sent (escaped).
                prop_assert_eq!((s, h, t), (Some(SessionId(session)), Some(HandleId(sender)), Some(tx_text.clone())));
                let encoded = to_json(&reason, style);
                let raw = RawJson::parse(&encoded).expect("string");
                prop_assert_eq!(kind, raw.as_str().expect("string").escaped());
            }
        }
    }
}

fn is_known_kind(kind: &str) -> bool {
    Message::KINDS.contains(&kind)
}

/// `Request` is generic over the caller's types; this erases them for a list of requests.
trait ErasedRequest {
    fn encode_checked(&self) -> Value;
}

impl<R: Request> ErasedRequest for R {
    fn encode_checked(&self) -> Value {
        encode_request(self).1
    }
}

/// Ids that are not `u64` are refused, never rounded or wrapped.
#[test]
fn ids_that_are_not_u64_are_refused() {
    for bad in ["-1", "1.0", "1e3", "18446744073709551616", "99999999999999999999999", "\"1\"", "true", "[1]"] {
        let bytes = format!(r#"{{"janus":"timeout","session_id":{bad}}}"#);
        assert_eq!(
            Message::decode(bytes.as_bytes()),
            Err(DecodeError::InvalidField { kind: "timeout", field: "session_id" }),
            "{bad}"
        );
        let bytes = format!(r#"{{"janus":"success","transaction":"t","data":{{"id":{bad}}}}}"#);
        assert_eq!(
            Message::decode(bytes.as_bytes()),
            Err(DecodeError::InvalidField { kind: "success", field: "data.id" }),
            "{bad}"
        );
    }
    let max = format!(r#"{{"janus":"timeout","session_id":{}}}"#, u64::MAX);
    assert_eq!(Message::decode(max.as_bytes()).map(|m| m.session_id()), Ok(Some(SessionId(u64::MAX))));
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

/// Strings around the 64-byte limit, with multi-byte characters straddling it.
fn near_limit_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!['a', 'é', '€', '😀', '"', '\\', '\u{1f}', '\u{7f}']),
        58usize..70,
        prop::collection::vec(nasty_char(), 0..3),
    )
        .prop_map(|(fill, len, tail)| {
            let mut s: String = std::iter::repeat_n('a', len).collect();
            s.push(fill);
            s.extend(tail);
            while s.len() > len && s.pop().is_some() {}
            s
        })
}

/// What the documentation of [`Transaction::new`] says it accepts.
fn documented_rule(text: &str) -> bool {
    (1..=MAX_TRANSACTION_LEN).contains(&text.len()) && text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

proptest! {
    #![proptest_config(config(2000))]

    /// `Transaction::new` accepts exactly 1 to 64 bytes without `"`, `\` or control
    /// characters; an accepted transaction is written verbatim and echoed back unescaped.
    #[test]
    fn transaction_rule(s in prop_oneof![text(), transaction_text(), near_limit_text()]) {
        let result = Transaction::new(&s);
        prop_assert_eq!(result.is_ok(), documented_rule(&s), "{:?}", s);
        match result {
            Ok(t) => {
                prop_assert_eq!(t.as_str(), s.as_str());
                prop_assert_eq!(t.to_string(), s.clone());
                let (bytes, _) = encode_request(&Ping::new(t));
                let verbatim = format!(r#""transaction":"{s}""#);
                prop_assert!(bytes.windows(verbatim.len()).any(|w| w == verbatim.as_bytes()));
                // Janus's echo compares byte for byte.
                let reply = serde_json::to_vec(&json!({"janus": "pong", "transaction": s}))
                    .expect("serializes");
                let echoed = Message::decode(&reply).expect("decodes").transaction().expect("tx");
                prop_assert_eq!(echoed.as_plain(), Some(s.as_str()));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn transaction_edges() {
    let max = "x".repeat(MAX_TRANSACTION_LEN);
    assert!(Transaction::new(&max).is_ok());
    assert!(Transaction::new(&format!("{max}x")).is_err());
    // 63 ASCII bytes + a 2-byte character is 65 bytes.
    assert!(Transaction::new(&format!("{}é", &max[1..])).is_err());
    assert!(Transaction::new(&format!("{}é", &max[2..])).is_ok());
    for bad in ["", "\"", "\\", "a\nb", "\u{0}", "\u{1f}"] {
        assert!(Transaction::new(bad).is_err(), "{bad:?}");
    }
    for good in [" ", "\u{7f}", "😀", "/", "'", "<>&"] {
        assert!(Transaction::new(good).is_ok(), "{good:?}");
    }
}

/// `Display` of a `JsonStr` goes through a `fmt::Write` that refuses to write: the error is
/// passed on, not swallowed or turned into a panic.
#[test]
fn display_passes_on_writer_errors() {
    struct Refuse;
    impl fmt::Write for Refuse {
        fn write_str(&mut self, _: &str) -> fmt::Result {
            Err(fmt::Error)
        }
    }
    let raw = RawJson::parse(br#""a\nb""#).expect("string");
    let js = raw.as_str().expect("string");
    assert!(fmt::Write::write_fmt(&mut Refuse, format_args!("{js}")).is_err());
}
