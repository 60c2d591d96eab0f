//! Decoding of the message kinds the captures cannot show (they need working ICE/DTLS, or a
//! newer Janus), written after the Janus sources, plus the error paths.

use super::*;
use crate::json::{JsonError, JsonErrorKind};

fn decode(json: &str) -> Result<Message<'_>, DecodeError> {
    Message::decode(json.as_bytes())
}

#[test]
fn webrtcup_media_slowlink() {
    let Ok(Message::WebrtcUp(up)) = decode(r#"{"janus":"webrtcup","session_id":1,"sender":2}"#) else { panic!() };
    assert_eq!((up.session_id, up.sender), (Some(SessionId(1)), HandleId(2)));

    let json = r#"{"janus":"media","session_id":1,"sender":2,"mid":"0","type":"audio","receiving":false,"seconds":3}"#;
    let Ok(Message::Media(m)) = decode(json) else { panic!() };
    assert!(m.mid.is_some_and(|mid| mid == "0"));
    assert!(m.media_type.is_some_and(|t| t == "audio"));
    assert_eq!((m.receiving, m.seconds, m.substream), (Some(false), Some(3), None));

    let json = r#"{"janus":"slowlink","session_id":1,"sender":2,"mid":"1","media":"video","uplink":true,"lost":17}"#;
    let Ok(Message::SlowLink(s)) = decode(json) else { panic!() };
    assert_eq!((s.uplink, s.lost_packets()), (Some(true), Some(17)));
    let old = r#"{"janus":"slowlink","session_id":1,"sender":2,"uplink":false,"nacks":5}"#;
    let Ok(Message::SlowLink(s)) = decode(old) else { panic!() };
    assert_eq!((s.lost, s.nacks, s.lost_packets()), (None, Some(5), Some(5)));
}

#[test]
fn trickle_from_janus() {
    let json = r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"sdpMid":"0","sdpMLineIndex":0,"candidate":"candidate:1 1 udp 2015363327 127.0.0.1 20460 typ host"}}"#;
    let Ok(Message::Trickle(t)) = decode(json) else { panic!() };
    let TrickleCandidate::Candidate { candidate, sdp_mid, sdp_mline_index, .. } = t.candidate else { panic!() };
    assert!(candidate.eq_str("candidate:1 1 udp 2015363327 127.0.0.1 20460 typ host"));
    assert!(sdp_mid.is_some_and(|m| m == "0"));
    assert_eq!(sdp_mline_index, Some(0));
    let done = r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"completed":true}}"#;
    assert!(matches!(decode(done), Ok(Message::Trickle(Trickle { candidate: TrickleCandidate::Completed, .. }))));
    let null = r#"{"janus":"trickle","session_id":1,"sender":2,"candidate":null}"#;
    assert!(matches!(decode(null), Ok(Message::Trickle(Trickle { candidate: TrickleCandidate::Completed, .. }))));
}

#[test]
fn ice_failed_and_unknown_kinds() {
    let Ok(Message::IceFailed(f)) = decode(r#"{"janus":"ice-failed","session_id":1,"sender":2}"#) else { panic!() };
    assert_eq!(f.sender, HandleId(2));
    let Ok(Message::Unknown(u)) = decode(r#"{"transaction":"x","janus":"future-thing","sender":3,"session_id":4}"#)
    else {
        panic!()
    };
    assert!(u.kind == "future-thing" && u.transaction.is_some_and(|t| t == "x"));
    assert_eq!((u.sender, u.session_id), (Some(HandleId(3)), Some(SessionId(4))));
    // An escaped kind is compared after unescaping.
    assert!(matches!(decode(r#"{"janus":"ac\u006b"}"#), Ok(Message::Ack(_))));
}

#[test]
fn escaped_keys_are_compared_unescaped() {
    assert!(matches!(decode(r#"{"jan\u0075s":"ack"}"#), Ok(Message::Ack(_))));
}

#[test]
fn key_order_and_formatting_do_not_matter() {
    let compact = r#"{"sender":2,"plugindata":{"data":{"x":1},"plugin":"p"},"janus":"event","session_id":1}"#;
    let plain = r#"{"janus": "event", "session_id": 1, "sender": 2, "plugindata": {"plugin": "p", "data": {"x": 1}}}"#;
    let indented = "{\n   \"janus\": \"event\",\n   \"session_id\": 1,\n   \"sender\": 2,\n   \"plugindata\": {\n      \"plugin\": \"p\",\n      \"data\": {\n         \"x\": 1\n      }\n   }\n}";
    for json in [compact, plain, indented] {
        let Ok(Message::Event(e)) = decode(json) else { panic!("{json}") };
        assert_eq!((e.session_id, e.sender), (Some(SessionId(1)), HandleId(2)));
        let data = e.plugin_data.unwrap();
        assert!(data.plugin == "p");
        assert_eq!(data.data.get("x").and_then(|x| x.as_u64()), Some(1));
    }
}

#[test]
fn plugin_errors_inside_success() {
    let json = r#"{"janus":"success","session_id":1,"transaction":"t","sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":427,"error":"Room 1 already exists"}}}"#;
    let Ok(Message::Success(s)) = decode(json) else { panic!() };
    let error = s.plugin_data.and_then(|p| p.error()).unwrap();
    assert_eq!(error.code, Some(427));
    assert!(error.reason.is_some_and(|r| r == "Room 1 already exists"));
}

#[test]
fn error_paths_are_typed() {
    assert_eq!(decode(r#"{"transaction":"x"}"#), Err(DecodeError::MissingField { kind: "?", field: "janus" }));
    assert_eq!(decode(r#"{"janus":5}"#), Err(DecodeError::InvalidField { kind: "?", field: "janus" }));
    assert_eq!(decode("[1]"), Err(DecodeError::NotAnObject));
    assert_eq!(
        decode(r#"{"janus":"ack","session_id":-1}"#),
        Err(DecodeError::InvalidField { kind: "ack", field: "session_id" })
    );
    assert_eq!(
        decode(r#"{"janus":"ack","session_id":1.5}"#),
        Err(DecodeError::InvalidField { kind: "ack", field: "session_id" })
    );
    assert_eq!(
        decode(r#"{"janus":"ack","transaction":7}"#),
        Err(DecodeError::InvalidField { kind: "ack", field: "transaction" })
    );
    assert_eq!(decode(r#"{"janus":"error"}"#), Err(DecodeError::MissingField { kind: "error", field: "error" }));
    assert_eq!(
        decode(r#"{"janus":"error","error":{"reason":"x"}}"#),
        Err(DecodeError::MissingField { kind: "error", field: "error.code" })
    );
    assert_eq!(decode(r#"{"janus":"event"}"#), Err(DecodeError::MissingField { kind: "event", field: "sender" }));
    assert_eq!(
        decode(r#"{"janus":"event","sender":1,"jsep":{"type":"offer"}}"#),
        Err(DecodeError::MissingField { kind: "event", field: "jsep.sdp" })
    );
    assert_eq!(
        decode(r#"{"janus":"event","sender":1,"plugindata":[]}"#),
        Err(DecodeError::InvalidField { kind: "event", field: "plugindata" })
    );
    assert_eq!(
        decode(r#"{"janus":"timeout"}"#),
        Err(DecodeError::MissingField { kind: "timeout", field: "session_id" })
    );
    assert!(matches!(
        decode(r#"{"janus":"ack""#),
        Err(DecodeError::Json(JsonError { kind: JsonErrorKind::UnexpectedEnd, .. }))
    ));
}

#[test]
fn unknown_error_codes_are_kept() {
    let Ok(Message::Error(e)) = decode(r#"{"janus":"error","error":{"code":499,"reason":"new"}}"#) else { panic!() };
    assert_eq!(e.code, ErrorCode::Other(499));
    assert_eq!(e.code.code(), 499);
    assert_eq!(e.transaction, None);
}

#[test]
fn batches() {
    let body = br#"[{"janus":"keepalive"},{"nope":1},{"janus":"timeout","session_id":9}]"#;
    let items: std::vec::Vec<_> = Batch::decode(body).unwrap().collect();
    assert_eq!(items.len(), 3);
    assert!(matches!(items[0], Ok(Message::Keepalive(_))));
    assert!(items[1].is_err(), "one bad element is reported on its own");
    assert!(matches!(items[2], Ok(Message::Timeout(Timeout { session_id: SessionId(9), .. }))));
    assert_eq!(Batch::decode(b"[]").unwrap().count(), 0);
    assert_eq!(Batch::decode(br#"{"janus":"keepalive"}"#).unwrap().count(), 1);
    assert_eq!(Batch::decode(b"5").err(), Some(DecodeError::NotAnObject));
}

#[test]
fn decode_into_callers_type() {
    #[derive(serde::Deserialize)]
    struct Joined {
        room: u64,
        id: u64,
        description: heapless::String<32>,
    }
    let json = r#"{"janus":"event","sender":1,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"joined","room":1234,"description":"Caf\u00e9 \"demo\"","id":77}}}"#;
    let Ok(Message::Event(e)) = decode(json) else { panic!() };
    let mut scratch = [0u8; 64];
    let joined: Joined = e.plugin_data.unwrap().decode(&mut scratch).unwrap();
    assert_eq!((joined.room, joined.id, joined.description.as_str()), (1234, 77, "Café \"demo\""));
}

#[test]
fn inner_members_follow_first_occurrence_and_escape_rules() {
    // The first `jsep` wins as a whole; inside it, the first plain `type`/`sdp` win and
    // escaped keys are not matched (as documented for `jsep` and `plugindata`).
    let json = r#"{"janus":"event","sender":1,"jsep":{"ty\u0070e":"x","type":"answer","sdp":"a\r\nb","sdp":"c"},"jsep":{"type":"offer","sdp":"d"}}"#;
    let Ok(Message::Event(e)) = decode(json) else { panic!() };
    let jsep = e.jsep.unwrap();
    assert_eq!(jsep.kind, JsepType::Answer);
    assert_eq!(jsep.sdp.escaped(), r"a\r\nb");
    assert!(jsep.raw.as_text().starts_with(r#"{"ty\u0070e""#) && jsep.raw.as_text().ends_with(r#""c"}"#));
    // `error.code`, `error.reason` and `data.id` are compared unescaped, first one wins.
    let json = r#"{"janus":"error","error":{"co\u0064e":458,"code":1,"reason":"r"},"error":{"code":2}}"#;
    let Ok(Message::Error(e)) = decode(json) else { panic!() };
    assert_eq!(e.code, ErrorCode::from_code(458));
    let json = r#"{"janus":"success","data":{"i\u0064":7,"id":8}}"#;
    let Ok(Message::Success(s)) = decode(json) else { panic!() };
    assert_eq!(s.id(), Some(7));
    // A `null` first `data` hides a later object.
    let json = r#"{"janus":"success","data":null,"data":{"id":1}}"#;
    let Ok(Message::Success(s)) = decode(json) else { panic!() };
    assert_eq!((s.id(), s.data), (None, None));
    // Non-object inner values are typed errors, as before.
    let json = r#"{"janus":"event","sender":1,"plugindata":[1]}"#;
    assert_eq!(decode(json).err(), Some(DecodeError::InvalidField { kind: "event", field: "plugindata" }));
    let json = r#"{"janus":"event","sender":1,"plugindata":{"plugin":"p"}}"#;
    assert_eq!(decode(json).err(), Some(DecodeError::MissingField { kind: "event", field: "plugindata.data" }));
}

#[test]
fn inner_objects_keep_the_validation_errors() {
    // Errors inside the objects walked in the same pass are those of a full parse.
    for bad in [
        r#"{"janus":"event","jsep":{"type" "offer"}}"#,
        r#"{"janus":"event","jsep":{"type":"offer",}}"#,
        r#"{"janus":"event","jsep":{"type":"offer""#,
        r#"{"janus":"event","plugindata":{"data":{"a":[1,}}}"#,
        r#"{"janus":"event","error":{"code":01x}}"#,
        "{\"janus\":\"event\",\"jsep\":{\"sdp\":\"a\r\"}}",
        r#"{"janus":"event","data":{"id":1}} x"#,
    ] {
        let ours = Message::decode(bad.as_bytes()).err();
        let full = RawJson::parse(bad.as_bytes()).err();
        assert!(ours.is_some() && ours == full, "{bad}: {ours:?} vs {full:?}");
    }
    let deep = std::format!(r#"{{"janus":"event","sender":1,"jsep":{{"x":{}1{}}}}}"#, "[".repeat(62), "]".repeat(62));
    // Valid JSON at the deepest nesting allowed: the error is about `jsep`, not the JSON.
    assert_eq!(decode(&deep).err(), Some(DecodeError::MissingField { kind: "event", field: "jsep.type" }));
    let deeper = std::format!(r#"{{"janus":"event","sender":1,"jsep":{{"x":{}1{}}}}}"#, "[".repeat(63), "]".repeat(63));
    assert!(matches!(decode(&deeper), Err(DecodeError::Json(JsonError { kind: JsonErrorKind::TooDeep, .. }))));
}

/// The array reader validates and decodes the first element in one pass: its errors must stay
/// those of a full parse (kind and offset), on every truncation and every one-byte change of a
/// long-poll array, and its messages those of the element-by-element reader.
#[test]
fn batch_errors_are_those_of_a_full_parse() {
    let body: &[u8] = b" [\n   {\n      \"janus\": \"event\",\n      \"session_id\": 12,\n      \"sender\": 34,\n      \"plugindata\": {\"plugin\": \"janus.plugin.echotest\", \"data\": {\"result\": \"ok\", \"list\": [1, 2.5e3, null, true, \"x\\u00e9\"]}}\n   },\n   {\"janus\": \"keepalive\"}, 7, [\"a\"]\n] ";
    let full = |b: &[u8]| RawJson::parse(b).err();
    let ours = |b: &[u8]| match Batch::decode(b) {
        Ok(batch) => {
            // Valid: the same messages as reading each element of the validated array.
            let kinds: std::vec::Vec<_> = batch.map(|m| m.map(|m| m.kind())).collect();
            let raw = RawJson::parse(b).unwrap();
            let again: std::vec::Vec<_> = raw.elements().map(|e| Message::from_json(e).map(|m| m.kind())).collect();
            assert_eq!(kinds, again, "{:?}", std::string::String::from_utf8_lossy(b));
            None
        }
        Err(e) => Some(e),
    };
    assert_eq!(ours(body), None);
    // Miri interprets every byte: every nineteenth cut and change proves the same there.
    let step = if cfg!(miri) { 19 } else { 1 };
    for len in (0..body.len()).step_by(step) {
        let cut = &body[..len];
        if cut.iter().any(|b| !b.is_ascii_whitespace()) {
            assert_eq!(ours(cut), full(cut), "cut at {len}");
        }
    }
    for at in (0..body.len()).step_by(step) {
        for b in [b'"', b',', b']', b'}', b'{', b'[', b'x', b'\\', 0xff, 0x01, b' '] {
            let mut changed = body.to_vec();
            changed[at] = b;
            if changed.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
                continue;
            }
            assert_eq!(ours(&changed), full(&changed), "byte {b:#x} at {at}");
        }
    }
    // Nesting limits: the array counts as a level, as in a full parse.
    for depth in [crate::json::MAX_DEPTH - 2, crate::json::MAX_DEPTH - 1, crate::json::MAX_DEPTH] {
        let text = std::format!("[{{\"janus\":\"keepalive\",\"x\":{}{}}}]", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(ours(text.as_bytes()), full(text.as_bytes()), "depth {depth}");
    }
}
