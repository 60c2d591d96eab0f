//! Byte-exact encode vectors: every request of the Janus and Admin APIs, as this crate writes
//! it, compared byte for byte with the expected compact JSON.

use janus_signal::json::{JsonStr, RawJson};
use janus_signal::request::{
    AdminRequest, AttachPlugin, Auth, ClaimSession, CreateSession, DestroySession, DetachHandle, GetServerInfo, HangUp,
    IceCandidate, KeepAlive, Ping, PluginMessage, Request, SdpType, SessionDescription, TrickleCandidates,
};
use janus_signal::{EncodeError, HandleId, SessionId, Transaction};
use serde::Serialize;

const S: SessionId = SessionId(8_374_001_098_332_022);
const H: HandleId = HandleId(1_241_231_443_534_215);

fn tx(text: &str) -> Transaction<'_> {
    Transaction::new(text).expect("valid transaction")
}

/// Encodes into a roomy buffer and checks the bytes, then checks that the exact size is
/// enough and one byte less is reported with the right size.
#[track_caller]
fn check(request: &dyn EncodeDyn, expected: &str) {
    let mut out = [0u8; 1024];
    let n = request.encode_dyn(&mut out).expect("encodes");
    assert_eq!(std::str::from_utf8(&out[..n]).expect("utf-8"), expected);
    let mut exact = vec![0u8; n];
    assert_eq!(request.encode_dyn(&mut exact), Ok(n));
    let mut short = vec![0u8; n - 1];
    assert_eq!(request.encode_dyn(&mut short), Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 }));
    // Whatever we write must be JSON that an independent parser accepts.
    serde_json::from_slice::<serde_json::Value>(expected.as_bytes()).expect("valid JSON");
}

/// `Request` is generic over the caller's body types; this erases them for the table.
trait EncodeDyn {
    fn encode_dyn(&self, out: &mut [u8]) -> Result<usize, EncodeError>;
}

impl<R: Request> EncodeDyn for R {
    fn encode_dyn(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode(out)
    }
}

#[test]
fn session_requests() {
    check(&CreateSession::new(tx("c1")), r#"{"janus":"create","transaction":"c1"}"#);
    check(
        &CreateSession::new(tx("c2")).with_id(SessionId(9_223_372_036_854_775_807)),
        r#"{"janus":"create","transaction":"c2","id":9223372036854775807}"#,
    );
    check(
        &CreateSession::new(tx("c3")).with_auth(Auth { apisecret: Some("s3cret"), token: Some("tok") }),
        r#"{"janus":"create","transaction":"c3","apisecret":"s3cret","token":"tok"}"#,
    );
    check(&GetServerInfo::new(tx("i")), r#"{"janus":"info","transaction":"i"}"#);
    check(&Ping::new(tx("p")), r#"{"janus":"ping","transaction":"p"}"#);
    check(&KeepAlive::new(tx("k"), S), r#"{"janus":"keepalive","transaction":"k","session_id":8374001098332022}"#);
    check(
        &KeepAlive::new(tx("k"), S).with_auth(Auth::token("t")),
        r#"{"janus":"keepalive","transaction":"k","session_id":8374001098332022,"token":"t"}"#,
    );
    check(&DestroySession::new(tx("d"), S), r#"{"janus":"destroy","transaction":"d","session_id":8374001098332022}"#);
    check(
        &ClaimSession::new(tx("cl"), S).with_auth(Auth::apisecret("x")),
        r#"{"janus":"claim","transaction":"cl","session_id":8374001098332022,"apisecret":"x"}"#,
    );
}

#[test]
fn handle_requests() {
    check(
        &AttachPlugin::new(tx("a"), S, "janus.plugin.echotest"),
        r#"{"janus":"attach","transaction":"a","session_id":8374001098332022,"plugin":"janus.plugin.echotest"}"#,
    );
    check(
        &AttachPlugin::new(tx("a"), S, "janus.plugin.videoroom").with_opaque_id("user-\"1\"").with_loop_index(2),
        r#"{"janus":"attach","transaction":"a","session_id":8374001098332022,"plugin":"janus.plugin.videoroom","opaque_id":"user-\"1\"","loop_index":2}"#,
    );
    check(
        &DetachHandle::new(tx("dt"), S, H),
        r#"{"janus":"detach","transaction":"dt","session_id":8374001098332022,"handle_id":1241231443534215}"#,
    );
    check(
        &HangUp::new(tx("h"), S, H),
        r#"{"janus":"hangup","transaction":"h","session_id":8374001098332022,"handle_id":1241231443534215}"#,
    );
}

#[derive(Serialize)]
struct EchoBody {
    audio: bool,
    video: bool,
    bitrate: Option<u32>,
}

#[derive(Serialize)]
struct Join<'a> {
    request: &'a str,
    ptype: &'a str,
    room: u64,
    display: &'a str,
}

#[test]
fn plugin_messages() {
    let body = EchoBody { audio: true, video: false, bitrate: None };
    check(
        &PluginMessage::new(tx("m1"), S, H, &body),
        r#"{"janus":"message","transaction":"m1","session_id":8374001098332022,"handle_id":1241231443534215,"body":{"audio":true,"video":false,"bitrate":null}}"#,
    );
    let join = Join { request: "join", ptype: "publisher", room: 1234, display: "Zoë \u{1F600}" };
    check(
        &PluginMessage::new(tx("m2"), S, H, &join).with_auth(Auth::apisecret("s")),
        r#"{"janus":"message","transaction":"m2","session_id":8374001098332022,"handle_id":1241231443534215,"body":{"request":"join","ptype":"publisher","room":1234,"display":"Zoë 😀"},"apisecret":"s"}"#,
    );
    let sdp = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let offer = SessionDescription::new(SdpType::Offer, sdp).with_trickle(true).with_e2ee(false);
    check(
        &PluginMessage::new(tx("m3"), S, H, &body).with_jsep(&offer),
        r#"{"janus":"message","transaction":"m3","session_id":8374001098332022,"handle_id":1241231443534215,"body":{"audio":true,"video":false,"bitrate":null},"jsep":{"type":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n","trickle":true,"e2ee":false}}"#,
    );
}

#[test]
fn pre_encoded_json_is_spliced_verbatim() {
    let body = RawJson::parse(br#" {"request" : "list"} "#).expect("valid");
    let jsep = RawJson::parse(br#"{"type":"answer","sdp":"v=0\r\n","svc":"L1T3"}"#).expect("valid");
    check(
        &PluginMessage::new(tx("r"), S, H, &body).with_jsep(&jsep),
        r#"{"janus":"message","transaction":"r","session_id":8374001098332022,"handle_id":1241231443534215,"body":{"request" : "list"},"jsep":{"type":"answer","sdp":"v=0\r\n","svc":"L1T3"}}"#,
    );
}

#[test]
fn received_sdp_is_forwarded_without_unescaping() {
    let event = br#"{"janus":"event","sender":1,"jsep":{"type":"offer","sdp":"v=0\r\na=x:\"q\"\r\n"}}"#;
    let raw = RawJson::parse(event).expect("valid");
    let sdp: JsonStr<'_> = raw.get("jsep").and_then(|j| j.get("sdp")).and_then(|s| s.as_str()).expect("sdp");
    let answer = SessionDescription::new(SdpType::Answer, sdp);
    check(
        &PluginMessage::new(tx("f"), S, H, &RawJson::parse(b"{}").expect("valid")).with_jsep(&answer),
        r#"{"janus":"message","transaction":"f","session_id":8374001098332022,"handle_id":1241231443534215,"body":{},"jsep":{"type":"answer","sdp":"v=0\r\na=x:\"q\"\r\n"}}"#,
    );
}

#[test]
fn trickle() {
    let c = IceCandidate::new("candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "0", 0);
    check(
        &TrickleCandidates::one(tx("t1"), S, H, &c),
        r#"{"janus":"trickle","transaction":"t1","session_id":8374001098332022,"handle_id":1241231443534215,"candidate":{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
    );
    let two = [c, IceCandidate::new("candidate:2 1 udp 2130706430 127.0.0.1 50001 typ host", "1", 1)];
    check(
        &TrickleCandidates::many(tx("t2"), S, H, &two),
        r#"{"janus":"trickle","transaction":"t2","session_id":8374001098332022,"handle_id":1241231443534215,"candidates":[{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0},{"candidate":"candidate:2 1 udp 2130706430 127.0.0.1 50001 typ host","sdpMid":"1","sdpMLineIndex":1}]}"#,
    );
    check(
        &TrickleCandidates::completed(tx("t3"), S, H),
        r#"{"janus":"trickle","transaction":"t3","session_id":8374001098332022,"handle_id":1241231443534215,"candidate":{"completed":true}}"#,
    );
}

#[test]
fn admin_requests() {
    const SECRET: &str = "janusoverlord";
    check(&AdminRequest::ping(tx("a")), r#"{"janus":"ping","transaction":"a"}"#);
    check(&AdminRequest::info(tx("a")), r#"{"janus":"info","transaction":"a"}"#);
    check(
        &AdminRequest::list_sessions(tx("a")).with_secret(SECRET),
        r#"{"janus":"list_sessions","transaction":"a","admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::get_status(tx("a")).with_secret(SECRET),
        r#"{"janus":"get_status","transaction":"a","admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::handle_info(tx("a"), S, H, true).with_secret(SECRET),
        r#"{"janus":"handle_info","transaction":"a","session_id":8374001098332022,"handle_id":1241231443534215,"plugin_only":true,"admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::set_session_timeout(tx("a"), 5).on_session(S).with_secret(SECRET),
        r#"{"janus":"set_session_timeout","transaction":"a","session_id":8374001098332022,"timeout":5,"admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::add_token(tx("a"), "tok", &["janus.plugin.echotest"]).with_secret(SECRET),
        r#"{"janus":"add_token","transaction":"a","token":"tok","plugins":["janus.plugin.echotest"],"admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::remove_token(tx("a"), "tok").with_secret(SECRET),
        r#"{"janus":"remove_token","transaction":"a","token":"tok","admin_secret":"janusoverlord"}"#,
    );
    check(
        &AdminRequest::accept_new_sessions(tx("a"), false),
        r#"{"janus":"accept_new_sessions","transaction":"a","accept":false}"#,
    );
    check(&AdminRequest::set_log_level(tx("a"), 5), r#"{"janus":"set_log_level","transaction":"a","level":5}"#);
    #[derive(Serialize)]
    struct Query<'a> {
        transport: &'a str,
        request: Req<'a>,
    }
    #[derive(Serialize)]
    struct Req<'a> {
        request: &'a str,
    }
    check(
        &AdminRequest::custom(
            tx("a"),
            "query_transport",
            &Query { transport: "janus.transport.http", request: Req { request: "status" } },
        )
        .with_secret(SECRET),
        r#"{"janus":"query_transport","transaction":"a","transport":"janus.transport.http","request":{"request":"status"},"admin_secret":"janusoverlord"}"#,
    );
    let raw = RawJson::parse(br#"{ "address": "127.0.0.1" }"#).expect("valid");
    check(
        &AdminRequest::custom(tx("a"), "resolve_address", &raw),
        r#"{"janus":"resolve_address","transaction":"a","address": "127.0.0.1"}"#,
    );
    let empty = RawJson::parse(b"{}").expect("valid");
    check(&AdminRequest::custom(tx("a"), "loops_info", &empty), r#"{"janus":"loops_info","transaction":"a"}"#);
}

#[test]
fn admin_fields_must_be_an_object() {
    let mut out = [0u8; 128];
    let not_object = RawJson::parse(b"[1]").expect("valid");
    assert_eq!(AdminRequest::custom(tx("a"), "x", &not_object).encode(&mut out), Err(EncodeError::FieldsNotAnObject));
    assert_eq!(AdminRequest::custom(tx("a"), "x", &5u8).encode(&mut out), Err(EncodeError::FieldsNotAnObject));
}

#[test]
fn failing_serialize_is_an_error_not_a_panic() {
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no"))
        }
    }
    let mut out = [0u8; 256];
    assert_eq!(PluginMessage::new(tx("x"), S, H, &Refuses).encode(&mut out), Err(EncodeError::Serialize));
    // serde-json-core would panic on a char; this encoder writes it as a string.
    #[derive(Serialize)]
    struct WithChar {
        c: char,
    }
    let n = PluginMessage::new(tx("x"), S, H, &WithChar { c: '\n' }).encode(&mut out).expect("encodes");
    assert!(std::str::from_utf8(&out[..n]).expect("utf-8").ends_with(r#""body":{"c":"\n"}}"#));
}
