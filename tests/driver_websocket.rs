//! Core's one driver (`janus_signal::driver::Driver`) over its WebSocket link
//! (`WebSocketLink`: an `embedded-io` stream, the caller's buffers, no allocation) against the
//! real Janus, on a plain `TcpStream` adapted to embedded-io: create → attach echotest →
//! message with an SDP offer → the answer's `jsep` → detach → destroy, Janus's refusals as
//! typed refusals, and keepalives sent by the driver while the caller only polls.
//!
//! Janus comes from `JANUS_WS_URL` (default `ws://127.0.0.1:8188`). The tests are `#[ignore]`d
//! (live): `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/ws_janus.rs"]
mod ws_janus;

use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{Client, Config, Event, Output, Refusal, RequestKind, SessionState};
use janus_signal::driver::{Driver, Sink, WebSocketLink};
use janus_signal::message::{ErrorCode, JsepType, Message};
use janus_signal::request::{SdpType, SessionDescription};
use janus_signal::ws::ClientKey;
use janus_signal::{Duration as CoreDuration, HandleId, Instant};
use ws_janus::janus_authority;

const OFFER: &str = include_str!("fixtures/sdp/offer-audio-video-loopback.sdp");

#[path = "../examples/support/embedded_tcp.rs"]
mod embedded_tcp;

use embedded_tcp::EmbeddedTcp as Tcp;

/// Milliseconds since the test began, as the driver's clock.
fn clock(origin: StdInstant) -> impl FnMut() -> Instant {
    move || Instant::from_millis(origin.elapsed().as_millis() as u64)
}

/// What the driver hands over besides the answers: every output and event, by kind.
#[derive(Default)]
struct Seen {
    replies: Vec<RequestKind>,
    handle_messages: Vec<String>,
    events: Vec<Event>,
}

impl Sink for Seen {
    fn output(&mut self, output: Output<'_>) {
        match output {
            Output::Reply { kind, .. } => self.replies.push(kind),
            Output::Handle { message, .. } => self.handle_messages.push(message.kind().to_owned()),
            _ => {}
        }
    }
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
}

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

type WsDriver<'b, K> = Driver<WebSocketLink<'b, Tcp, Box<dyn FnMut() -> [u8; 4]>>, K, Client<4, 8, 16>>;

fn seeded_masks() -> Box<dyn FnMut() -> [u8; 4]> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    Box::new(move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed as u32).to_le_bytes()
    })
}

fn connect<'b>(
    config: Config,
    tx: &'b mut [u8],
    rx: &'b mut [u8],
    origin: StdInstant,
) -> WsDriver<'b, impl FnMut() -> Instant> {
    let authority = janus_authority();
    let stream = TcpStream::connect(&authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_millis(200))).expect("read timeout");
    let key = ClientKey::new(*b"sixteen random b");
    let link = WebSocketLink::connect(Tcp(stream), &authority, "/", &key, seeded_masks(), tx, rx).expect("handshake");
    Driver::new(Client::new(config, 11), link, clock(origin))
}

/// Far enough: the client's own request timeout ends every wait.
const LATER: Instant = Instant::from_millis(u64::MAX);

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn an_echotest_session_over_the_core_websocket_driver() {
    let (mut tx, mut rx) = (vec![0u8; 8 * 1024], vec![0u8; 16 * 1024]);
    let mut driver = connect(Config::websocket(), &mut tx, &mut rx, StdInstant::now());
    let mut seen = Seen::default();

    let session = driver
        .call(&mut |c, now, out| c.create_session(now, out), LATER, &mut seen, |answer| {
            answer.ok().and_then(|m| if let Message::Success(s) = m { s.id() } else { None })
        })
        .expect("create");
    assert!(session.is_some());
    assert!(matches!(driver.client().session(), SessionState::Active(_)));

    // A refusal comes typed, with its reason.
    let refused =
        driver.call(&mut |c, now, out| c.attach(now, out, "janus.plugin.nope", None), LATER, &mut seen, |a| match a {
            Err(Refusal::Janus { code, reason }) => Some((code, reason.map(|r| r.to_string()))),
            _ => None,
        });
    let (code, reason) = refused.expect("answered").expect("an error");
    assert_eq!(code, ErrorCode::PluginNotFound);
    assert!(reason.is_some_and(|r| r.contains("janus.plugin.nope")));

    let handle = driver
        .call(&mut |c, now, out| c.attach(now, out, "janus.plugin.echotest", None), LATER, &mut seen, |a| {
            a.ok().and_then(|m| if let Message::Success(s) = m { s.id() } else { None })
        })
        .expect("attach")
        .map(HandleId)
        .expect("a handle");

    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let body = Echo { audio: true, video: true };
    let answer_sdp = driver
        .call(&mut |c, now, out| c.message(now, out, handle, &body, Some(&offer)), LATER, &mut seen, |a| {
            let Ok(Message::Event(event)) = a else { return None };
            let jsep = event.jsep?;
            (jsep.kind == JsepType::Answer).then(|| jsep.sdp.to_string())
        })
        .expect("message")
        .expect("an event with Janus's answer");
    assert!(answer_sdp.starts_with("v=0"), "{answer_sdp}");

    driver
        .call(&mut |c, now, out| c.detach(now, out, handle), LATER, &mut seen, |a| assert!(a.is_ok()))
        .expect("detach");
    driver
        .call(&mut |c, now, out| c.destroy_session(now, out), LATER, &mut seen, |a| assert!(a.is_ok()))
        .expect("destroy");
    assert!(matches!(driver.client().session(), SessionState::Ended(..)));
    // The sink saw every answer too, and the handle's end.
    for kind in [RequestKind::Create, RequestKind::Attach, RequestKind::Message, RequestKind::Detach] {
        assert!(seen.replies.contains(&kind), "{kind:?} not seen: {:?}", seen.replies);
    }
    assert!(seen.events.iter().any(|e| matches!(e, Event::HandleDetached { handle: h } if *h == handle)));
    let (_, link, _) = driver.into_parts();
    link.close().expect("close");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn the_driver_keeps_an_idle_session_alive() {
    let (mut tx, mut rx) = (vec![0u8; 4 * 1024], vec![0u8; 16 * 1024]);
    let config = Config { keepalive_interval: CoreDuration::from_millis(400), ..Config::websocket() };
    let mut driver = connect(config, &mut tx, &mut rx, StdInstant::now());
    let mut seen = Seen::default();
    driver.call(&mut |c, now, out| c.create_session(now, out), LATER, &mut seen, |_| ()).expect("create");
    // Idle for 1.5 s: the driver sends keepalives by itself, and Janus acks them.
    let until = driver.now().saturating_add(CoreDuration::from_millis(1500));
    for _ in 0..100 {
        if driver.now() >= until {
            break;
        }
        driver.poll(until, &mut seen).expect("poll");
    }
    let keepalives = seen.replies.iter().filter(|k| **k == RequestKind::Keepalive).count();
    assert!((2..=5).contains(&keepalives), "{keepalives} keepalives acked in 1.5 s at 400 ms");

    driver.call(&mut |c, now, out| c.destroy_session(now, out), LATER, &mut seen, |_| ()).expect("destroy");
}
