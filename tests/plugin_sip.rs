//! The core's SIP helpers (`janus_signal::plugin::sip`) against the real Janus, over both
//! transports, with no SIP server: everything Janus answers on its own, and the failures of a
//! SIP side that cannot be reached. Wrong-state refusals on a fresh handle (447, and the code-0
//! error of `transfer`), `reset`, no answer at all to `hangup` and `decline` of nothing; a guest registration (`registered`, nothing sent); a call
//! without an SDP (448); a call with an offer to a closed loopback port (`calling`, then
//! `hangup` 503 from Sofia); a registration with a registrar on a closed loopback port
//! (`registering`, then `registration_failed` 503). The project's Janus binds the plugin's SIP
//! and RTP sockets on 127.0.0.1 (`local_ip`), so no SIP traffic leaves loopback; the WebRTC
//! offer carries no candidates, so no ICE either.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. `JANUS_RECORD_FIXTURES=1`
//! makes the WebSocket walk keep what it reads in `tests/fixtures/plugins/sip/`, which
//! `recorded_messages_decode` reads back without a Janus.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::sip::{
    self, Accept, Call, Decline, ErrorCode, Event, Hangup, Register, RegisterType, Reset, Subscribe, Transfer,
    Unregister,
};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Janus, Options, OwnedMessage};

use live::Transport;

thread_local! {
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

/// A loopback UDP port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().expect("address").port()
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    if RECORDING.with(std::cell::Cell::get)
        && let Some(name) = live::plugin_data(reply)["result"]["event"].as_str()
    {
        live::record_fixture("sip", reply, name);
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no sip data: {reply}"),
    }
}

/// The next SIP event of `handle` (Janus's own `hangup` of a PeerConnection is skipped).
#[track_caller]
fn next_sip_event(janus: &mut Janus, handle: HandleId, what: &str) -> OwnedMessage {
    loop {
        let message = live::next_handle_event_within(janus, handle, Duration::from_secs(8))
            .unwrap_or_else(|| panic!("no event for {what}"));
        if message.plugin::<Event<'_>>().is_some() {
            return message;
        }
        assert_eq!(message.kind(), "hangup", "{what}: {message}");
    }
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let alice = janus.attach(sip::PLUGIN, None).expect("attach");

    // A fresh handle: wrong state everywhere, and `transfer`'s error code 0.
    live::expect_plugin_error(
        janus.message(alice, &Call::new("sip:bob@127.0.0.1")),
        ErrorCode::WrongState,
        "call unregistered",
    );
    live::expect_plugin_error(janus.message(alice, &Accept::new()), ErrorCode::WrongState, "accept without a call");
    live::expect_plugin_error(
        janus.message(alice, &Unregister::new()),
        ErrorCode::WrongState,
        "unregister unregistered",
    );
    live::expect_plugin_error(
        janus.message(alice, &Subscribe::new("presence")),
        ErrorCode::WrongState,
        "subscribe unregistered",
    );
    live::expect_plugin_error(
        janus.message(alice, &Transfer::new("sip:carol@127.0.0.1")),
        ErrorCode::Other(0),
        "transfer outside a call",
    );
    let reply = janus.message(alice, &Reset::new()).expect("reset");
    assert_eq!(event(&reply), Event::Reset);

    // `hangup` and `decline` with no call: Janus 1.1.2 acks and never answers (no plugin
    // error): the request times out, typed, on a connection that waits 1.5 s.
    let quick = Options { request_timeout: Duration::from_millis(1500), ..Options::default() };
    let mut quiet = live::connect(url, quick);
    quiet.create_session().expect("create session");
    let idle = quiet.attach(sip::PLUGIN, None).expect("attach");
    for (what, result) in
        [("hangup", quiet.message(idle, &Hangup::new())), ("decline", quiet.message(idle, &Decline::new()))]
    {
        assert!(matches!(result, Err(janus_signal_socket::Error::Timeout)), "{what} of nothing: {result:?}");
    }
    quiet.destroy_session().expect("destroy session");

    // A guest takes the identity without sending anything.
    let user = live::unique("alice");
    let reply = janus
        .message(alice, &Register::new(&format!("sip:{user}@127.0.0.1")).with_type(RegisterType::Guest))
        .expect("register as a guest");
    let Event::Registered { username, register_sent: Some(false), .. } = event(&reply) else { panic!("{reply}") };
    assert!(username == user.as_str(), "{reply}");
    live::expect_plugin_error(janus.message(alice, &Unregister::new()), ErrorCode::WrongState, "unregister a guest");

    // Calls: without an SDP refused; with an offer to a closed port, `calling` then 503.
    let callee = format!("sip:bob@127.0.0.1:{}", closed_port());
    live::expect_plugin_error(
        janus.message(alice, &Call::new(&callee)),
        ErrorCode::MissingSdp,
        "call without an offer",
    );
    let offer = live::without_candidates(live::OFFER);
    let reply = janus
        .message_with_jsep(alice, &Call::new(&callee), &SessionDescription::new(SdpType::Offer, offer.as_str()))
        .expect("call");
    // `calling` and Sofia's 503 share the call's transaction: the 503 may be taken as the
    // reply when it is pushed first.
    let hangup = match event(&reply) {
        Event::Calling { call_id: Some(_) } => next_sip_event(&mut janus, alice, "the failed call"),
        Event::HangUp { .. } => reply,
        _ => panic!("{reply}"),
    };
    let Event::HangUp { code: Some(503), .. } = event(&hangup) else { panic!("{hangup}") };

    // A registrar on a closed port: `registering`, then `registration_failed` 503.
    let bob = janus.attach(sip::PLUGIN, None).expect("attach");
    let registrar = format!("sip:127.0.0.1:{}", closed_port());
    let register = Register::new("sip:bob@127.0.0.1").with_secret("secret").with_proxy(&registrar);
    let reply = janus.message(bob, &register).expect("register");
    assert_eq!(event(&reply), Event::Registering);
    let failed = next_sip_event(&mut janus, bob, "the failed registration");
    let Event::RegistrationFailed { code: 503, reason: Some(_) } = event(&failed) else { panic!("{failed}") };
    live::expect_plugin_error(
        janus.message(bob, &Call::new(&callee)),
        ErrorCode::WrongState,
        "call after a failed registration",
    );

    janus.detach(alice).expect("detach");
    janus.detach(bob).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn sip_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn sip_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known SIP event.
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("sip", 5, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
