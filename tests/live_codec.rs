//! The codec against the real Janus: every request this crate encodes is sent to the server
//! the project's `tests/janus/janus-server` started, and every reply is decoded and checked.
//!
//! Janus is looked for at `JANUS_HTTP_URL` / `JANUS_ADMIN_URL` (defaults
//! `http://127.0.0.1:8088/janus`, `http://127.0.0.1:7088/admin`). The tests are `#[ignore]`d
//! (live): a plain `cargo test` lists them as ignored, `tests/run` runs them with its Janus, and
//! run without a Janus they fail.

#[path = "../examples/support/minimal_http.rs"]
mod http_client;

use janus_signal::message::{Batch, ErrorCode, JsepType, Message};
use janus_signal::request::{
    AdminRequest, AttachPlugin, CreateSession, DestroySession, DetachHandle, GetServerInfo, HangUp, KeepAlive, Ping,
    PluginMessage, Request, SdpType, SessionDescription, TrickleCandidates,
};
use janus_signal::{HandleId, SessionId, Transaction};
use serde::Serialize;

const OFFER: &str = include_str!("fixtures/sdp/offer-audio-video-loopback.sdp");

struct Janus {
    authority: String,
    base: String,
    admin_authority: String,
    admin_base: String,
    admin_secret: String,
    counter: std::cell::Cell<u32>,
}

impl Janus {
    /// The Janus of the environment; fails the test when it does not answer.
    fn from_env() -> Self {
        let url = std::env::var("JANUS_HTTP_URL").unwrap_or_else(|_| "http://127.0.0.1:8088/janus".into());
        let admin = std::env::var("JANUS_ADMIN_URL").unwrap_or_else(|_| "http://127.0.0.1:7088/admin".into());
        let (authority, base) = http_client::split_url(&url);
        let (admin_authority, admin_base) = http_client::split_url(&admin);
        assert!(
            http_client::reachable(&authority),
            "live test without a Janus: nothing answers at {url} (tests/run starts one; or \
             tests/janus/janus-server start)"
        );
        let admin_secret = std::env::var("JANUS_ADMIN_SECRET").unwrap_or_else(|_| "janusoverlord".into());
        Self { authority, base, admin_authority, admin_base, admin_secret, counter: 0.into() }
    }

    fn next_tx(&self) -> String {
        self.counter.set(self.counter.get() + 1);
        format!("live-{:04}", self.counter.get())
    }

    /// Encodes `request`, posts it to the path its ids call for, and returns the body.
    fn post(&self, request: &dyn Fn(Transaction<'_>) -> Vec<u8>, path: &str) -> (String, Vec<u8>) {
        let tx = self.next_tx();
        let bytes = request(Transaction::new(&tx).expect("valid"));
        let response = http_client::request(&self.authority, "POST", &format!("{}{path}", self.base), &bytes);
        assert_eq!(response.status, 200, "HTTP status for {}", String::from_utf8_lossy(&bytes));
        (tx, response.body)
    }

    fn admin(&self, bytes: &[u8]) -> Vec<u8> {
        let response = http_client::request(&self.admin_authority, "POST", &self.admin_base, bytes);
        assert_eq!(response.status, 200);
        response.body
    }

    /// Long-polls until a message matching `wanted` arrives (bounded).
    fn poll_until(&self, session: SessionId, wanted: &dyn Fn(&Message<'_>) -> bool) -> Vec<u8> {
        for _ in 0..10 {
            let path = format!("{}/{}?maxev=5", self.base, session.0);
            let response = http_client::request(&self.authority, "GET", &path, b"");
            assert_eq!(response.status, 200);
            let found = Batch::decode(&response.body)
                .expect("long-poll body decodes")
                .map(|m| m.expect("every polled message decodes"))
                .any(|m| wanted(&m));
            if found {
                return response.body;
            }
        }
        panic!("the expected event never came");
    }
}

fn encode(request: &dyn EncodeDyn) -> Vec<u8> {
    let mut out = vec![0u8; 8192];
    let n = request.encode_dyn(&mut out).expect("encodes");
    out.truncate(n);
    out
}

trait EncodeDyn {
    fn encode_dyn(&self, out: &mut [u8]) -> Result<usize, janus_signal::EncodeError>;
}

impl<R: Request> EncodeDyn for R {
    fn encode_dyn(&self, out: &mut [u8]) -> Result<usize, janus_signal::EncodeError> {
        self.encode(out)
    }
}

#[derive(Serialize)]
struct EchoBody {
    audio: bool,
    video: bool,
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_whole_echotest_session_over_http() {
    let janus = Janus::from_env();

    // info and ping need no session.
    let (tx, body) = janus.post(&|tx| encode(&GetServerInfo::new(tx)), "");
    let Ok(Message::ServerInfo(info)) = Message::decode(&body) else { panic!("server_info expected") };
    assert!(info.transaction.is_some_and(|t| t == tx.as_str()));
    assert!(info.has_plugin("janus.plugin.echotest"));
    assert!(info.has_plugin("janus.plugin.videoroom"));
    assert!(info.session_timeout().is_some());
    assert!(info.version_string().is_some());
    let (tx, body) = janus.post(&|tx| encode(&Ping::new(tx)), "");
    let Ok(Message::Pong(pong)) = Message::decode(&body) else { panic!("pong expected") };
    assert!(pong.transaction.is_some_and(|t| t == tx.as_str()));

    // create → attach.
    let (tx, body) = janus.post(&|tx| encode(&CreateSession::new(tx)), "");
    let Ok(Message::Success(created)) = Message::decode(&body) else { panic!("success expected") };
    assert!(created.transaction.is_some_and(|t| t == tx.as_str()));
    let session = SessionId(created.id().expect("data.id"));
    let (_, body) = janus.post(
        &|tx| encode(&AttachPlugin::new(tx, session, "janus.plugin.echotest").with_opaque_id("live-test")),
        &format!("/{}", session.0),
    );
    let Ok(Message::Success(attached)) = Message::decode(&body) else { panic!("success expected") };
    assert_eq!(attached.session_id, Some(session));
    let handle = HandleId(attached.id().expect("data.id"));
    let handle_path = format!("/{}/{}", session.0, handle.0);

    // message → ack, then the event with the same transaction on the long poll.
    let (tx, body) = janus.post(
        &|tx| encode(&PluginMessage::new(tx, session, handle, &EchoBody { audio: true, video: true })),
        &handle_path,
    );
    let Ok(Message::Ack(ack)) = Message::decode(&body) else { panic!("ack expected") };
    assert!(ack.transaction.is_some_and(|t| t == tx.as_str()));
    janus.poll_until(session, &|m| match m {
        Message::Event(e) if e.transaction.is_some_and(|t| t == tx.as_str()) => {
            assert_eq!(e.sender, handle);
            let data = e.plugin_data.expect("plugindata");
            assert!(data.plugin == "janus.plugin.echotest");
            assert!(data.data.get("result").and_then(|r| r.as_str()).is_some_and(|r| r == "ok"));
            assert!(data.error().is_none());
            true
        }
        _ => false,
    });

    // An SDP offer with loopback candidates → the event carries Janus's answer.
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let (tx, body) = janus.post(
        &|tx| {
            encode(&PluginMessage::new(tx, session, handle, &EchoBody { audio: true, video: true }).with_jsep(&offer))
        },
        &handle_path,
    );
    assert!(matches!(Message::decode(&body), Ok(Message::Ack(_))));
    let polled = janus.poll_until(session, &|m| matches!(m, Message::Event(e) if e.jsep.is_some()));
    let event = Batch::decode(&polled)
        .expect("decodes")
        .filter_map(Result::ok)
        .find_map(|m| match m {
            Message::Event(e) if e.transaction.is_some_and(|t| t == tx.as_str()) => e.jsep,
            _ => None,
        })
        .expect("answer event");
    assert_eq!(event.kind, JsepType::Answer);
    let mut sdp = vec![0u8; event.sdp.unescaped_len()];
    let answer = event.sdp.unescape_into(&mut sdp).expect("fits exactly");
    assert!(answer.starts_with("v=0\r\n"), "{answer}");
    assert!(answer.contains("\r\na=setup:active\r\n") || answer.contains("\r\na=setup:passive\r\n"));
    assert!(!answer.contains('\\'));

    // trickle, keepalive, hangup: acks and success.
    let (_, body) = janus.post(&|tx| encode(&TrickleCandidates::completed(tx, session, handle)), &handle_path);
    assert!(matches!(Message::decode(&body), Ok(Message::Ack(_))));
    let (_, body) = janus.post(&|tx| encode(&KeepAlive::new(tx, session)), &format!("/{}", session.0));
    assert!(matches!(Message::decode(&body), Ok(Message::Ack(_))));
    let (_, body) = janus.post(&|tx| encode(&HangUp::new(tx, session, handle)), &handle_path);
    assert!(matches!(Message::decode(&body), Ok(Message::Success(_))), "{}", String::from_utf8_lossy(&body));

    // Errors of the core reach us typed, with their transaction.
    let (tx, body) =
        janus.post(&|tx| encode(&AttachPlugin::new(tx, session, "janus.plugin.nope")), &format!("/{}", session.0));
    let Ok(Message::Error(e)) = Message::decode(&body) else { panic!("error expected") };
    assert_eq!(e.code, ErrorCode::PluginNotFound);
    assert!(e.transaction.is_some_and(|t| t == tx.as_str()));
    assert!(e.reason.is_some_and(|r| r.to_string().contains("janus.plugin.nope")));

    // The Admin API sees the session and the handle.
    let tx = janus.next_tx();
    let t = Transaction::new(&tx).expect("valid");
    let body = janus.admin(&encode(&AdminRequest::list_sessions(t).with_secret(&janus.admin_secret)));
    let Ok(Message::Success(list)) = Message::decode(&body) else { panic!("success expected") };
    let sessions = list.raw.get("sessions").expect("sessions");
    assert!(sessions.elements().any(|s| s.as_u64() == Some(session.0)));
    let body =
        janus.admin(&encode(&AdminRequest::handle_info(t, session, handle, false).with_secret(&janus.admin_secret)));
    let Ok(Message::Success(info)) = Message::decode(&body) else { panic!("success expected") };
    assert!(
        info.raw
            .get("info")
            .and_then(|i| i.get("plugin"))
            .and_then(|p| p.as_str())
            .is_some_and(|p| p == "janus.plugin.echotest")
    );
    let body = janus.admin(&encode(&AdminRequest::list_sessions(t)));
    let Ok(Message::Error(e)) = Message::decode(&body) else { panic!("error expected") };
    assert_eq!(e.code, ErrorCode::Unauthorized);

    // detach → destroy → the session is gone.
    let (_, body) = janus.post(&|tx| encode(&DetachHandle::new(tx, session, handle)), &handle_path);
    assert!(matches!(Message::decode(&body), Ok(Message::Success(_))));
    let (_, body) = janus.post(&|tx| encode(&DestroySession::new(tx, session)), &format!("/{}", session.0));
    assert!(matches!(Message::decode(&body), Ok(Message::Success(_))));
    let (_, body) = janus.post(&|tx| encode(&KeepAlive::new(tx, session)), &format!("/{}", session.0));
    let Ok(Message::Error(e)) = Message::decode(&body) else { panic!("error expected") };
    assert_eq!(e.code, ErrorCode::SessionNotFound);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn client_chosen_ids_above_2_pow_53_survive() {
    let janus = Janus::from_env();
    let wanted = SessionId((1 << 62) + 12_345 + u64::from(std::process::id()));
    let (_, body) = janus.post(&|tx| encode(&CreateSession::new(tx).with_id(wanted)), "");
    let Ok(Message::Success(created)) = Message::decode(&body) else { panic!("success expected") };
    assert_eq!(created.id(), Some(wanted.0));
    let (_, body) = janus.post(&|tx| encode(&DestroySession::new(tx, wanted)), &format!("/{}", wanted.0));
    let Ok(Message::Success(destroyed)) = Message::decode(&body) else { panic!("success expected") };
    assert_eq!(destroyed.session_id, Some(wanted));
}
