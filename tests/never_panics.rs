//! The decoder never panics, whatever bytes it is given, and says what is wrong with a typed
//! error.
//!
//! - Arbitrary bytes, JSON-looking token soup, generated JSON documents and Janus-shaped
//!   objects, and real Janus messages (copied below from the captures in
//!   `shared/janus/captures`) truncated, with bytes flipped, inserted, deleted and duplicated,
//!   go into `Message::decode`, `Batch::decode` (every item), and `RawJson::parse` followed by a
//!   recursive walk that calls every accessor on every member and element.
//! - Every error is checked against the input: a `UnexpectedByte(b)` is `b` at its offset, a
//!   truncated valid value is `UnexpectedEnd`, and so on. `RawJson::parse`, `Message::decode`
//!   and `Batch::decode` agree on what is malformed JSON.
//! - `serde_json` is the reference: whatever it accepts (within our nesting limit) we accept,
//!   with the same values, and whatever we accept it accepts.
//! - Nesting 100 000 levels deep is `TooDeep`, without recursion, on a small stack.
//! - Exhaustively, every strict prefix of every real message is `UnexpectedEnd` ("need more
//!   input"), never accepted and never reported as invalid.

#[path = "support/samples.rs"]
mod samples;

use samples::{ACK_WITH_HINT, ERROR_458, EVENT_WITH_JSEP, HANGUP, LONG_POLL, SERVER_INFO};

use janus_signal::DecodeError;
use janus_signal::EncodeError;
use janus_signal::json::{JsonError, JsonErrorKind, JsonKind, JsonStr, MAX_DEPTH, PluginId, RawJson};
use janus_signal::message::{Batch, JsepType, Message, PluginData, TrickleCandidate};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Real messages, as Janus 1.1.2 sent them (indented with three spaces).
// ---------------------------------------------------------------------------------------------

/// The real messages, with the `janus` kind each decodes to.
const REAL: [(&str, &str); 6] = [
    ("event", EVENT_WITH_JSEP),
    ("ack", ACK_WITH_HINT),
    ("server_info", SERVER_INFO),
    ("error", ERROR_458),
    ("hangup", HANGUP),
    ("event", LONG_POLL),
];

/// Janus-shaped messages of the kinds the captures do not have (not captured: written by
/// hand), so that mutations reach every branch of the decoder.
const SYNTHETIC: [&str; 12] = [
    r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"candidate":"candidate:1 1 udp 2015363327 192.0.2.2 39889 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
    r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"completed":true}}"#,
    r#"{"janus":"media","session_id":1,"sender":2,"type":"video","mid":"1","receiving":false,"seconds":1,"substream":0}"#,
    r#"{"janus":"slowlink","session_id":1,"sender":2,"mid":"0","media":"audio","uplink":true,"lost":12,"nacks":3}"#,
    r#"{"janus":"webrtcup","session_id":1,"sender":2}"#,
    r#"{"janus":"timeout","session_id":18446744073709551615}"#,
    r#"{"janus":"success","transaction":"t","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":428,"error":"No such feed (\u00e9\ud83d\ude00)"}}}"#,
    r#"{"janus":"success","transaction":"t","data":{"id":8374001098332022}}"#,
    r#"{"janus":"event","sender":2,"plugindata":{"plugin":"p","data":{"t":"a\"b\\c\/\b\f\n\r\t\u0000","n":-1.5e+10,"m":2E-3,"z":0,"b":[true,false,null,[],{}]}},"jsep":{"type":"pranswer","sdp":"v=0\r\n","trickle":false,"e2ee":true}}"#,
    r#"{"janus":"detached","session_id":1,"sender":2}"#,
    r#"{"janus":"ice-failed","session_id":1,"sender":2}"#,
    r#"[{"janus":"keepalive"},{"janus":"pong","transaction":"p"},{"janus":"future-kind","x":[1]},{"janus":1},7]"#,
];

fn all_seeds() -> impl Iterator<Item = &'static str> {
    REAL.iter().map(|(_, m)| *m).chain(SYNTHETIC)
}

// ---------------------------------------------------------------------------------------------
// Exercising every entry point and accessor
// ---------------------------------------------------------------------------------------------

fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The error of a failed parse must say something true about the input.
#[track_caller]
fn check_json_error(bytes: &[u8], e: JsonError) {
    let at = bytes.get(e.offset).copied();
    assert!(e.offset <= bytes.len(), "{e:?} past the end of {} bytes", bytes.len());
    match e.kind {
        JsonErrorKind::UnexpectedByte(b) => assert_eq!(at, Some(b), "{e:?}"),
        JsonErrorKind::ControlCharacterInString => {
            assert!(at.is_some_and(|b| b < 0x20), "{e:?}");
        }
        JsonErrorKind::TrailingBytes => assert!(at.is_some_and(|b| !is_json_ws(b)), "{e:?}"),
        JsonErrorKind::Empty => assert!(bytes.iter().all(|&b| is_json_ws(b)), "{e:?}"),
        JsonErrorKind::InvalidUtf8 => {
            let utf8 = std::str::from_utf8(bytes).expect_err("InvalidUtf8 on valid UTF-8");
            assert_eq!(utf8.valid_up_to(), e.offset);
        }
        JsonErrorKind::InvalidEscape | JsonErrorKind::InvalidNumber => {
            assert!(at.is_some(), "{e:?} at the end of the input");
        }
        JsonErrorKind::TooDeep => assert!(matches!(at, Some(b'[' | b'{')), "{e:?}"),
        JsonErrorKind::UnexpectedEnd => {}
        _ => {}
    }
    assert!(!e.to_string().is_empty());
}

/// Every way of reading one string gives the same text.
fn exercise_str(s: JsonStr<'_>) {
    let len = s.unescaped_len();
    let mut small = [0u8; 8];
    match s.unescape_into(&mut small) {
        Ok(text) => {
            assert_eq!(text.len(), len);
            assert!(len <= small.len());
        }
        Err(EncodeError::BufferTooSmall { needed, available }) => {
            assert_eq!((needed, available), (len, small.len()));
            assert!(len > small.len());
        }
        Err(other) => panic!("unescape_into: {other:?}"),
    }
    // Unescaping never makes text longer.
    let mut big = vec![0u8; s.escaped().len()];
    let text = s.unescape_into(&mut big).expect("the escaped length is always enough");
    assert_eq!(text.len(), len);
    assert_eq!(s.chars().count(), text.chars().count());
    assert!(s.chars().eq(text.chars()));
    assert!(s.eq_str(text));
    assert_eq!(s.to_string(), text);
    assert_eq!(s.as_plain().is_some(), !s.has_escapes());
    if let Some(plain) = s.as_plain() {
        assert_eq!(plain, text);
    }
    let _ = format!("{s:?}");
}

/// Walks a validated value recursively, calling every accessor and checking that they agree.
fn walk(v: RawJson<'_>, depth: usize) {
    assert!(depth <= MAX_DEPTH, "deeper than MAX_DEPTH");
    let kind = v.kind();
    assert_eq!(v.as_text().as_bytes(), v.as_bytes());
    assert_eq!(v.to_string(), v.as_text());
    assert_eq!(format!("{v:?}"), v.as_text());
    assert_eq!(v.is_null(), kind == JsonKind::Null);

    let (u, i, f, b) = (v.as_u64(), v.as_i64(), v.as_f64(), v.as_bool());
    assert_eq!(f.is_some(), kind == JsonKind::Number, "{v}");
    assert_eq!(b.is_some(), kind == JsonKind::Bool, "{v}");
    if let Some(u) = u {
        assert_eq!(i, i64::try_from(u).ok(), "{v}");
        assert_eq!(v.as_text(), u.to_string(), "as_u64 reads only canonical integers");
    }
    if let Some(i) = i {
        if v.as_text() != "-0" {
            assert_eq!(v.as_text(), i.to_string(), "as_i64 reads only canonical integers");
        }
        if i >= 0 {
            assert!(v.as_text() == "-0" || u == u64::try_from(i).ok(), "{v}");
        }
    }
    if let (Some(f), Some(i)) = (f, i) {
        // Both are the correctly rounded value of the same integer.
        assert_eq!(f, i as f64, "{v}");
    }
    match v.as_plugin_id() {
        Some(PluginId::Number(n)) => assert_eq!(Some(n), u),
        Some(PluginId::Text(t)) => {
            assert!(u.is_none());
            assert_eq!(Some(t), v.as_str());
        }
        None => assert!(u.is_none() && v.as_str().is_none()),
    }

    match v.as_str() {
        Some(s) => {
            assert_eq!(kind, JsonKind::String);
            exercise_str(s);
        }
        None => assert_ne!(kind, JsonKind::String),
    }

    let mut members = 0usize;
    for (key, value) in v.members() {
        members += 1;
        exercise_str(key);
        let key_text = key.to_string();
        // `get` finds the first member with this key (unescaped comparison).
        let first = v.members().find(|(k, _)| k.eq_str(&key_text)).map(|(_, value)| value);
        assert_eq!(v.get(&key_text), first);
        assert!(first.is_some());
        walk(value, depth + 1);
    }
    let mut elements = 0usize;
    for element in v.elements() {
        elements += 1;
        walk(element, depth + 1);
    }
    if kind != JsonKind::Object {
        assert_eq!(members, 0);
        assert!(v.get("").is_none() && v.get("janus").is_none());
    }
    if kind != JsonKind::Array {
        assert_eq!(elements, 0);
    }

    if kind == JsonKind::Object {
        // Any object can be a plugin's data.
        let plugin = RawJson::parse(br#""janus.plugin.x""#).ok().and_then(|p| p.as_str()).expect("a string");
        let data = PluginData { plugin, data: v };
        exercise_plugin_data(data);
    }
    let _ = v.decode::<Loose<'_>>(&mut [0u8; 64]);
    let _ = v.decode::<serde::de::IgnoredAny>(&mut [0u8; 16]);
}

/// A caller's type for `RawJson::decode`, which goes through serde-json-core.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Loose<'a> {
    #[serde(borrow)]
    janus: Option<serde_json_core::str::EscapedStr<'a>>,
    session_id: Option<u64>,
    error_code: Option<u64>,
    flag: Option<bool>,
    list: Option<[u8; 2]>,
}

fn exercise_plugin_data(data: PluginData<'_>) {
    exercise_str(data.plugin);
    let error = data.error();
    let code = data.data.get("error_code").and_then(|c| c.as_u64());
    let reason = data.data.get("error").and_then(|r| r.as_str());
    match error {
        Some(e) => {
            assert_eq!((e.code, e.reason), (code, reason));
            if let Some(r) = e.reason {
                exercise_str(r);
            }
        }
        None => assert!(code.is_none() && reason.is_none()),
    }
    let _ = data.decode::<Loose<'_>>(&mut [0u8; 32]);
}

/// Reads every field of a decoded message.
fn exercise_message(m: &Message<'_>) {
    let _ = (m.kind(), m.session_id(), m.sender(), format!("{m:?}"));
    if let Some(t) = m.transaction() {
        exercise_str(t);
    }
    assert_eq!(m.raw().kind(), JsonKind::Object);
    let opt_str = |s: Option<JsonStr<'_>>| {
        if let Some(s) = s {
            exercise_str(s);
        }
    };
    match m {
        Message::Success(s) => {
            assert_eq!(s.id(), s.id);
            if let Some(data) = s.data {
                assert!(!data.is_null());
            }
            if let Some(pd) = s.plugin_data {
                exercise_plugin_data(pd);
            }
        }
        Message::Ack(a) => opt_str(a.hint),
        Message::Error(e) => {
            let _ = (e.code.code(), e.code.to_string());
            opt_str(e.reason);
        }
        Message::Event(e) => {
            if let Some(pd) = e.plugin_data {
                exercise_plugin_data(pd);
            }
            if let Some(jsep) = e.jsep {
                exercise_str(jsep.sdp);
                if let JsepType::Other(t) = jsep.kind {
                    exercise_str(t);
                    assert!(!t.eq_str("offer") && !t.eq_str("answer"));
                }
                let _ = (jsep.trickle, jsep.e2ee);
                assert_eq!(jsep.raw.kind(), JsonKind::Object);
            }
        }
        Message::Media(media) => {
            opt_str(media.media_type);
            opt_str(media.mid);
            let _ = (media.receiving, media.seconds, media.substream);
        }
        Message::SlowLink(s) => {
            opt_str(s.mid);
            opt_str(s.media);
            assert_eq!(s.lost_packets(), s.lost.or(s.nacks));
            let _ = s.uplink;
        }
        Message::Hangup(h) => opt_str(h.reason),
        Message::Trickle(t) => match t.candidate {
            TrickleCandidate::Candidate { candidate, sdp_mid, sdp_mline_index, raw } => {
                exercise_str(candidate);
                opt_str(sdp_mid);
                let _ = sdp_mline_index;
                assert_eq!(raw.kind(), JsonKind::Object);
            }
            TrickleCandidate::Completed => {}
        },
        Message::ServerInfo(info) => {
            opt_str(info.name());
            opt_str(info.version_string());
            opt_str(info.server_name());
            let _ = (
                info.version(),
                info.session_timeout(),
                info.reclaim_session_timeout(),
                info.candidates_timeout(),
                info.api_secret_required(),
                info.auth_token_required(),
                info.accepting_new_sessions(),
                info.data_channels(),
                info.full_trickle(),
            );
            for (name, description) in info.plugins().chain(info.transports()) {
                exercise_str(name);
                let _ = description.get("version").and_then(|v| v.as_u64());
            }
            let _ = (info.has_plugin("janus.plugin.echotest"), info.has_plugin(""));
        }
        Message::Unknown(u) => {
            exercise_str(u.kind);
            assert_eq!(m.kind(), u.kind.escaped());
        }
        _ => {}
    }
}

/// Feeds `bytes` to every entry point, checks that they agree, and walks what they return.
fn exercise(bytes: &[u8]) {
    let parsed = RawJson::parse(bytes);
    let message = Message::decode(bytes);
    let batch = Batch::decode(bytes);
    match parsed {
        Ok(v) => {
            assert_eq!(v.as_bytes(), bytes.trim_ascii(), "surrounding whitespace only");
            walk(v, 0);
            match v.kind() {
                JsonKind::Object => {
                    assert!(!matches!(message, Err(DecodeError::Json(_) | DecodeError::NotAnObject)));
                    assert_eq!(Message::from_json(v), message);
                    let items: Vec<_> = batch.expect("an object is a batch of one").collect();
                    assert_eq!(items, vec![message.clone()]);
                }
                JsonKind::Array => {
                    assert_eq!(message, Err(DecodeError::NotAnObject));
                    let items: Vec<_> = batch.expect("an array is a batch").collect();
                    assert_eq!(items.len(), v.elements().count());
                    for (item, element) in items.iter().zip(v.elements()) {
                        assert_eq!(item, &Message::from_json(element));
                        match item {
                            Ok(m) => exercise_message(m),
                            Err(e) => {
                                assert!(!matches!(e, DecodeError::Json(_)));
                                assert!(!e.to_string().is_empty());
                            }
                        }
                    }
                }
                _ => {
                    assert_eq!(message, Err(DecodeError::NotAnObject));
                    assert_eq!(batch.err(), Some(DecodeError::NotAnObject));
                }
            }
        }
        Err(DecodeError::Json(e)) => {
            check_json_error(bytes, e);
            assert_eq!(message, Err(DecodeError::Json(e)));
            assert_eq!(batch.err(), Some(DecodeError::Json(e)));
        }
        Err(other) => panic!("RawJson::parse gave a non-JSON error: {other:?}"),
    }
    match message {
        Ok(m) => {
            exercise_message(&m);
            assert_eq!(m.raw(), parsed.expect("decoded, so parsed"));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            let _ = std::error::Error::source(&e);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Pieces of JSON and of Janus messages, glued together at random.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b" ",
    b"\n",
    b"\t",
    b"\\",
    b"\\u",
    b"\\ud83d",
    b"\\ude00",
    b"\\u00e9",
    b"\\n",
    b"\\\"",
    b"u",
    b"0",
    b"1",
    b"9",
    b"-",
    b"+",
    b".",
    b"e",
    b"E",
    b"18446744073709551616",
    b"1e400",
    b"true",
    b"tru",
    b"false",
    b"null",
    b"nul",
    b"\"janus\"",
    b"\"event\"",
    b"\"success\"",
    b"\"error\"",
    b"\"trickle\"",
    b"\"sender\"",
    b"\"session_id\"",
    b"\"transaction\"",
    b"\"plugindata\"",
    b"\"plugin\"",
    b"\"data\"",
    b"\"jsep\"",
    b"\"sdp\"",
    b"\"type\"",
    b"\"candidate\"",
    b"\"completed\"",
    b"\"code\"",
    b"\"error_code\"",
    b"\xff",
    b"\xc3",
    b"\xa9",
    b"\xf0\x9f\x98",
    b"\x00",
    b"\x1f",
    b"\x7f",
];

fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|tokens| tokens.concat())
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(Index),
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, usize),
    Duplicate(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let structural = prop_oneof![any::<u8>(), prop::sample::select(b"{}[]\":,\\ u0-.eEtfn\x00\xff".to_vec()),];
    // Bytes that often keep the message valid: letters, digits, spaces.
    let benign = prop::sample::select(b"abcxyz0123456789 \n".to_vec());
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        2 => (any::<Index>(), structural).prop_map(|(i, b)| Mutation::Set(i, b)),
        4 => (any::<Index>(), benign).prop_map(|(i, b)| Mutation::Set(i, b)),
        2 => (any::<Index>(), prop_oneof![
            prop::collection::vec(any::<u8>(), 1..4),
            prop::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
        ]).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<Index>(), 1..16usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<Index>(), 1..64usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        let at = |i: &Index| if len == 0 { 0 } else { i.index(len) };
        match m {
            Mutation::Truncate(i) => bytes.truncate(at(i)),
            Mutation::Flip(i, x) if len > 0 => bytes[at(i)] ^= x,
            Mutation::Set(i, b) if len > 0 => bytes[at(i)] = *b,
            Mutation::Insert(i, b) => {
                let i = if len == 0 { 0 } else { i.index(len + 1) };
                bytes.splice(i..i, b.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let i = at(i);
                bytes.drain(i..(i + n).min(len));
            }
            Mutation::Duplicate(i, n) if len > 0 => {
                let i = at(i);
                let piece = bytes[i..(i + n).min(len)].to_vec();
                bytes.splice(i..i, piece);
            }
            _ => {}
        }
    }
    bytes
}

fn real_mutated() -> impl Strategy<Value = Vec<u8>> {
    (prop::sample::select(all_seeds().collect::<Vec<_>>()), prop::collection::vec(mutation(), 1..4))
        .prop_map(|(seed, mutations)| mutate(seed.as_bytes().to_vec(), &mutations))
}

/// Any string, weighted towards what is hard for a JSON string codec.
fn text() -> impl Strategy<Value = String> {
    let nasty = prop_oneof![
        3 => any::<char>(),
        1 => prop::sample::select(vec!['"', '\\', '/', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '😀', '\u{ffff}']),
    ];
    prop::collection::vec(nasty, 0..12).prop_map(|c| c.into_iter().collect())
}

/// Any JSON document (as `serde_json` values).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..5)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Objects made of the members the decoder reads, with values of the right or a wrong type.
fn janus_shaped() -> impl Strategy<Value = Value> {
    // Every kind the decoder models, and one it does not.
    let kinds = prop::sample::select(Message::KINDS.iter().copied().chain(["other"]).collect::<Vec<_>>());
    let names = prop::sample::select(vec![
        "transaction",
        "session_id",
        "sender",
        "data",
        "plugindata",
        "jsep",
        "error",
        "hint",
        "reason",
        "candidate",
        "type",
        "mid",
        "media",
        "receiving",
        "seconds",
        "substream",
        "uplink",
        "lost",
        "nacks",
        "name",
        "version",
        "plugins",
        "transports",
        "api_secret",
    ]);
    let member = prop_oneof![
        any::<u64>().prop_map(Value::from),
        text().prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        (text(), json_value()).prop_map(|(p, d)| serde_json::json!({"plugin": p, "data": d})),
        (prop::sample::select(vec!["offer", "answer", "x"]), text(), any::<bool>())
            .prop_map(|(t, s, b)| serde_json::json!({"type": t, "sdp": s, "trickle": b})),
        (any::<u64>(), text()).prop_map(|(c, r)| serde_json::json!({"code": c, "reason": r})),
        (text(), text(), any::<u32>())
            .prop_map(|(c, m, i)| { serde_json::json!({"candidate": c, "sdpMid": m, "sdpMLineIndex": i}) }),
        any::<bool>().prop_map(|b| serde_json::json!({"completed": b})),
        any::<u64>().prop_map(|id| serde_json::json!({"id": id})),
        json_value(),
    ];
    (kinds, prop::collection::vec((names, member), 0..8)).prop_map(|(kind, members)| {
        let mut object: serde_json::Map<String, Value> = members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        object.insert("janus".to_owned(), Value::from(kind));
        Value::Object(object)
    })
}

/// Compact or pretty.
fn serialized(value: &Value, pretty: bool) -> Vec<u8> {
    if pretty {
        serde_json::to_vec_pretty(value).expect("serializes")
    } else {
        serde_json::to_vec(value).expect("serializes")
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Checks that every strict prefix of the valid value at `value_end` of `bytes` is
/// "need more input".
#[track_caller]
fn check_truncation(bytes: &[u8], cut: usize) {
    let prefix = &bytes[..cut];
    let expected =
        if prefix.iter().all(|&b| is_json_ws(b)) { JsonErrorKind::Empty } else { JsonErrorKind::UnexpectedEnd };
    match RawJson::parse(prefix) {
        Err(DecodeError::Json(JsonError { kind, offset })) => {
            assert_eq!(kind, expected, "prefix of {cut} bytes: {:?}", String::from_utf8_lossy(prefix));
            assert!(offset <= cut);
        }
        other => {
            panic!("a prefix of {cut} bytes of a valid value gave {other:?}: {:?}", String::from_utf8_lossy(prefix))
        }
    }
    let error = RawJson::parse(prefix).err();
    assert_eq!(Message::decode(prefix).err(), error);
    assert_eq!(Batch::decode(prefix).err(), error);
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        exercise(&bytes);
    }

    #[test]
    fn token_soup_never_panics(bytes in token_soup()) {
        exercise(&bytes);
    }

    /// Real messages mutated; when a mutant is still a valid container or string, a random
    /// cut strictly inside it is "need more input".
    #[test]
    fn mutated_real_messages(bytes in real_mutated(), cut in any::<Index>()) {
        exercise(&bytes);
        if let Ok(v) = RawJson::parse(&bytes) {
            let start = v.as_bytes().as_ptr() as usize - bytes.as_ptr() as usize;
            let end = start + v.as_bytes().len();
            if v.kind() != JsonKind::Number {
                check_truncation(&bytes, cut.index(end));
            }
        }
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// Generated documents and Janus-shaped objects, intact and mutated. `serde_json` is the
    /// reference for what is valid JSON and what it means.
    #[test]
    fn generated_json(
        value in prop_oneof![json_value(), janus_shaped()],
        pretty in any::<bool>(),
        mutations in prop::collection::vec(mutation(), 0..3),
        cut in any::<Index>(),
    ) {
        let intact = serialized(&value, pretty);
        exercise(&intact);
        let ours = RawJson::parse(&intact).expect("serde_json's output is valid JSON");
        assert_same(&to_value(ours), &value);
        let end = intact.len();
        if !value.is_number() && end > 0 {
            check_truncation(&intact, cut.index(end));
        }

        let bytes = mutate(intact, &mutations);
        exercise(&bytes);
        differential(&bytes);
    }

    /// Mutated real messages against `serde_json`.
    #[test]
    fn real_messages_against_serde_json(bytes in real_mutated()) {
        differential(&bytes);
    }
}

/// `serde_json` accepts what we accept (`IgnoredAny` checks syntax only; `Value` also refuses
/// numbers beyond `f64`), and we accept what it accepts within our nesting limit, with the
/// same values.
fn differential(bytes: &[u8]) {
    let ours = RawJson::parse(bytes);
    let syntax = serde_json::from_slice::<serde::de::IgnoredAny>(bytes);
    let theirs = serde_json::from_slice::<Value>(bytes);
    match (&ours, &theirs) {
        (Ok(v), Ok(value)) => assert_same(&to_value(*v), value),
        (Ok(_), Err(e)) => {
            assert!(
                e.to_string().starts_with("number out of range"),
                "we accept what serde_json refuses ({e}): {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        (Err(e), Ok(value)) => assert!(
            depth(value) > MAX_DEPTH,
            "we refuse ({e:?}) what serde_json accepts: {:?}",
            String::from_utf8_lossy(bytes)
        ),
        (Err(_), Err(_)) => {}
    }
    if ours.is_ok() {
        assert!(
            syntax.is_ok(),
            "serde_json refuses the syntax of what we accept: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Our view of a value, rebuilt with our accessors only. Later duplicate keys win, as in
/// `serde_json`.
fn to_value(v: RawJson<'_>) -> Value {
    match v.kind() {
        JsonKind::Null => Value::Null,
        JsonKind::Bool => Value::Bool(v.as_bool().expect("bool")),
        JsonKind::String => Value::String(v.as_str().expect("string").to_string()),
        JsonKind::Number => match (v.as_u64(), v.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            (None, None) => Value::from(v.as_f64().expect("number")),
        },
        JsonKind::Array => Value::Array(v.elements().map(to_value).collect()),
        JsonKind::Object => Value::Object(v.members().map(|(k, value)| (k.to_string(), to_value(value))).collect()),
    }
}

/// How many representable `f64`s apart two numbers are (`u64::MAX` across zero).
fn ulps_apart(a: f64, b: f64) -> u64 {
    if a == b {
        0
    } else if a.is_sign_negative() != b.is_sign_negative() {
        u64::MAX
    } else {
        a.to_bits().abs_diff(b.to_bits())
    }
}

/// Equality, with numbers compared by value: `-0` is an integer for us and a float for
/// `serde_json`, and `serde_json`'s default ("best effort") float parsing may be a unit in the
/// last place off, which for subnormals is far more than any relative tolerance (it reads
/// `1.73616468217738e-309` as `1.736164682177382e-309`). A number that we read as infinite
/// (we write it as `null` here) may be read as `f64::MAX` by `serde_json`.
#[track_caller]
fn assert_same(ours: &Value, theirs: &Value) {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            if let (Some(a), Some(b)) = (a.as_u64(), b.as_u64()) {
                assert_eq!(a, b);
            } else if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
                assert_eq!(a, b);
            } else {
                let (a, b) = (a.as_f64().expect("f64"), b.as_f64().expect("f64"));
                assert!(ulps_apart(a, b) <= 2, "{a:e} vs {b:e}");
            }
        }
        (Value::Null, Value::Number(b)) if b.as_f64().is_some_and(|b| b.abs() > 1.79e308) => {}
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(b) {
                assert_same(a, b);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
            for (a, b) in a.values().zip(b.values()) {
                assert_same(a, b);
            }
        }
        (a, b) => assert_eq!(a, b),
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic tests
// ---------------------------------------------------------------------------------------------

/// The real messages decode as what they are, and survive the same walk as the mutants.
#[test]
fn real_messages_decode() {
    for (kind, text) in REAL {
        let bytes = text.as_bytes();
        exercise(bytes);
        let first = Batch::decode(bytes).expect("decodes").next().expect("one message").expect("valid");
        assert_eq!(first.kind(), kind);
    }
    for text in SYNTHETIC {
        exercise(text.as_bytes());
        assert!(Batch::decode(text.as_bytes()).is_ok(), "{text}");
    }
}

/// Every strict prefix of every real (and synthetic) message is "need more input":
/// `UnexpectedEnd`, or `Empty` for the empty prefix. None is accepted, none is called
/// invalid.
#[test]
fn every_prefix_is_unexpected_end() {
    for text in all_seeds() {
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            check_truncation(bytes, cut);
        }
        // Compact forms too, where a cut lands right after a token more often.
        let value: Value = serde_json::from_slice(bytes).expect("valid");
        let compact = serde_json::to_vec(&value).expect("serializes");
        for cut in 0..compact.len() {
            check_truncation(&compact, cut);
        }
    }
}

/// Truncations that end inside an escape, a surrogate pair, a multi-byte character, a number
/// or a literal.
#[test]
fn truncation_inside_tokens() {
    let tokens: &[&[u8]] = &[
        br#"["\ud83d\ude00"]"#,
        "[\"é😀\"]".as_bytes(),
        br#"[-1.5e+10]"#,
        br#"[0.0E-0]"#,
        br#"{"a":true,"b":false,"c":null}"#,
        br#"{"k\"\\\/\b\f\n\r\t\u00e9":1}"#,
    ];
    for bytes in tokens {
        RawJson::parse(bytes).expect("valid");
        for cut in 0..bytes.len() {
            check_truncation(bytes, cut);
        }
    }
}

/// Returns the error of all three entry points, which must agree.
#[track_caller]
fn json_error(bytes: &[u8]) -> JsonError {
    let Err(DecodeError::Json(e)) = Message::decode(bytes) else {
        panic!("a JSON error expected");
    };
    assert_eq!(RawJson::parse(bytes).err(), Some(DecodeError::Json(e)));
    assert_eq!(Batch::decode(bytes).err(), Some(DecodeError::Json(e)));
    e
}

/// 100 000 levels of nesting are refused as `TooDeep` at the first level past
/// [`MAX_DEPTH`], on a 256 KiB stack: the scanner does not recurse.
#[test]
fn deep_nesting_is_too_deep_without_stack_overflow() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            const N: usize = 100_000;
            let arrays = "[".repeat(N);
            let balanced = format!("{}{}", "[".repeat(N), "]".repeat(N));
            let objects = r#"{"a":"#.repeat(N);
            let objects_closed = format!(r#"{}1{}"#, r#"{"a":"#.repeat(N), "}".repeat(N));
            let mixed = r#"[{"a":"#.repeat(N / 2);
            for (name, input, deepest_open) in [
                ("arrays", arrays.as_str(), MAX_DEPTH),
                ("balanced arrays", balanced.as_str(), MAX_DEPTH),
                ("objects", objects.as_str(), MAX_DEPTH * 5),
                ("closed objects", objects_closed.as_str(), MAX_DEPTH * 5),
                ("mixed", mixed.as_str(), (MAX_DEPTH / 2) * 6),
            ] {
                let e = json_error(input.as_bytes());
                assert_eq!(e, JsonError { kind: JsonErrorKind::TooDeep, offset: deepest_open }, "{name}");
            }
        })
        .expect("spawns")
        .join()
        .expect("no stack overflow, no panic");
}

/// Exactly [`MAX_DEPTH`] levels are fine; one more is not.
#[test]
fn nesting_limit_is_exact() {
    let nested =
        |levels: usize| format!(r#"{{"janus":"x","a":{}1{}}}"#, r#"{"a":"#.repeat(levels - 1), "}".repeat(levels - 1));
    let ok = nested(MAX_DEPTH);
    let Ok(Message::Unknown(u)) = Message::decode(ok.as_bytes()) else {
        panic!("{MAX_DEPTH} levels decode");
    };
    walk(u.raw, 0);
    exercise(ok.as_bytes());
    let too_deep = nested(MAX_DEPTH + 1);
    assert_eq!(json_error(too_deep.as_bytes()).kind, JsonErrorKind::TooDeep);
    let arrays = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(Message::decode(arrays.as_bytes()), Err(DecodeError::NotAnObject));
    assert_eq!(Batch::decode(arrays.as_bytes()).map(Iterator::count), Ok(1));
    let arrays = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert_eq!(json_error(arrays.as_bytes()).kind, JsonErrorKind::TooDeep);
}
