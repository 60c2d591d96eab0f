//! The core's VideoCall helpers (`janus_signal::plugin::videocall`) against the real Janus,
//! over both transports: two handles of one session register usernames (typed 476 for a taken
//! one, 477 for a second on one handle), `list` shows them, a third handle may not call before
//! registering (473), calls to oneself (479) and to nobody (478) are refused; then Alice calls
//! Bob with an offer (she gets `calling`, he gets `incomingcall` with Janus's offer), Bob accepts
//! with an answer (he gets `accepted`, she gets `accepted` naming him with Janus's answer),
//! Alice changes her bitrate (`set`), and Bob hangs up (he gets `"Explicit hangup"`, Alice his
//! reason).
//! No media flows: the offer and the answer carry no candidates, so Janus never starts ICE.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. `JANUS_RECORD_FIXTURES=1`
//! makes the WebSocket walk keep what it reads in `tests/fixtures/plugins/videocall/`, which
//! `recorded_messages_decode` reads back without a Janus.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::videocall::{
    self, Accept, Call, ErrorCode, Event, Hangup, ListUsers, Register, Set,
};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Janus, Options, OwnedMessage};

use live::Transport;

const WINDOW: Duration = Duration::from_secs(5);

thread_local! {
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    if RECORDING.with(std::cell::Cell::get) {
        let data = live::plugin_data(reply);
        if let Some(name) = data["result"]["event"].as_str().or(data["result"].get("list").map(|_| "list")) {
            live::record_fixture("videocall", reply, name);
        }
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no videocall data: {reply}"),
    }
}

/// The next event of `handle`, within the window.
#[track_caller]
fn notice(janus: &mut Janus, handle: HandleId, what: &str) -> OwnedMessage {
    live::next_handle_event_within(janus, handle, WINDOW).unwrap_or_else(|| panic!("no event for {what}"))
}

/// The SDP of a message's JSEP, unescaped, with its type.
#[track_caller]
fn jsep_of(message: &OwnedMessage) -> (JsepType<'_>, String) {
    let Message::Event(event) = message.message() else { panic!("not an event: {message}") };
    let jsep = event.jsep.unwrap_or_else(|| panic!("no jsep: {message}"));
    (jsep.kind, jsep.sdp.to_string())
}

/// Bob's answer to Janus's offer: the same m-lines, with his own ICE credentials and
/// fingerprint, and no candidate.
fn answer_to(offer: &str) -> String {
    let mut answer = String::new();
    for line in offer.split("\r\n").filter(|l| !l.is_empty()) {
        let line = match line {
            l if l.starts_with("a=candidate:") || l == "a=end-of-candidates" => continue,
            l if l.starts_with("a=ssrc") || l.starts_with("a=msid") => continue,
            "a=setup:actpass" => "a=setup:active".to_owned(),
            l if l.starts_with("a=ice-ufrag:") => "a=ice-ufrag:VcBb".to_owned(),
            l if l.starts_with("a=ice-pwd:") => "a=ice-pwd:janussignalvideocallpwd01".to_owned(),
            l if l.starts_with("a=fingerprint:") => format!("a=fingerprint:sha-256 {}", ["CD"; 32].join(":")),
            l => l.to_owned(),
        };
        answer.push_str(&line);
        answer.push_str("\r\n");
    }
    answer
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let alice = janus.attach(videocall::PLUGIN, None).expect("attach alice");
    let bob = janus.attach(videocall::PLUGIN, None).expect("attach bob");
    let carol = janus.attach(videocall::PLUGIN, None).expect("attach carol");
    let (alice_name, bob_name) = (live::unique("alice"), live::unique("bob \"b\""));

    let reply = janus.message(alice, &Register::new(&alice_name)).expect("register alice");
    let Event::Registered { username } = event(&reply) else { panic!("{reply}") };
    assert!(username == alice_name.as_str(), "{reply}");
    let reply = janus.message(bob, &Register::new(&bob_name)).expect("register bob");
    assert!(matches!(event(&reply), Event::Registered { username } if username == bob_name.as_str()), "{reply}");
    live::expect_plugin_error(
        janus.message(carol, &Register::new(&alice_name)),
        ErrorCode::UsernameTaken,
        "a taken name",
    );
    live::expect_plugin_error(
        janus.message(alice, &Register::new("other")),
        ErrorCode::AlreadyRegistered,
        "a second name",
    );
    let reply = janus.message(carol, &ListUsers::new()).expect("list");
    let Event::Users(users) = event(&reply) else { panic!("{reply}") };
    let users: Vec<String> = users.iter().map(|u| u.expect("a username").to_string()).collect();
    assert!(users.contains(&alice_name) && users.contains(&bob_name), "{users:?}");

    live::expect_plugin_error(
        janus.message(carol, &Call::new(&bob_name)),
        ErrorCode::RegisterFirst,
        "call unregistered",
    );
    live::expect_plugin_error(janus.message(alice, &Call::new(&alice_name)), ErrorCode::UseEchoTest, "call oneself");
    live::expect_plugin_error(
        janus.message(alice, &Call::new("nobody-here")),
        ErrorCode::NoSuchUsername,
        "call nobody",
    );
    live::expect_plugin_error(janus.message(bob, &Accept::new()), ErrorCode::NoCall, "accept without a call");
    live::expect_plugin_error(
        janus.message(carol, &serde_json::json!({"request": "configure"})),
        ErrorCode::InvalidRequest,
        "configure (only set exists)",
    );

    // Alice calls Bob with an offer: she hears `calling`, he `incomingcall` with Janus's offer.
    let offer_sdp = live::without_candidates(live::OFFER);
    let offer = SessionDescription::new(SdpType::Offer, offer_sdp.as_str());
    let reply = janus.message_with_jsep(alice, &Call::new(&bob_name), &offer).expect("call");
    assert_eq!(event(&reply), Event::Calling);
    let ringing = notice(&mut janus, bob, "the incoming call");
    let Event::IncomingCall { username } = event(&ringing) else { panic!("{ringing}") };
    assert!(username == alice_name.as_str(), "{ringing}");
    let (kind, janus_offer) = jsep_of(&ringing);
    assert_eq!(kind, JsepType::Offer);
    assert!(janus_offer.contains("\r\nm=audio ") && janus_offer.contains("\r\nm=video "), "{janus_offer}");

    // Bob accepts with his answer: he hears `accepted`, Alice `accepted` naming him, with
    // Janus's answer.
    let answer = answer_to(&janus_offer);
    let reply = janus
        .message_with_jsep(bob, &Accept::new(), &SessionDescription::new(SdpType::Answer, answer.as_str()))
        .expect("accept");
    assert_eq!(event(&reply), Event::Accepted { username: None });
    let accepted = notice(&mut janus, alice, "the accepted call");
    let Event::Accepted { username: Some(callee) } = event(&accepted) else { panic!("{accepted}") };
    assert!(callee == bob_name.as_str(), "{accepted}");
    assert_eq!(jsep_of(&accepted).0, JsepType::Answer);
    // (A second `call` now would be refused with 480, and Janus 1.1.2 would also close the
    // caller's PeerConnection for it, ending the call: not done here.)

    let reply = janus.message(alice, &Set::new().with_bitrate(256_000).with_audio(true)).expect("set");
    assert_eq!(event(&reply), Event::Set);

    // Bob hangs up with a reason: he hears "Explicit hangup", Alice his reason.
    let reply = janus.message(bob, &Hangup::new().with_reason("bye now")).expect("hangup");
    let Event::HangUp { username: Some(who), reason: Some(reason) } = event(&reply) else { panic!("{reply}") };
    assert!(who == bob_name.as_str() && reason == "Explicit hangup", "{reply}");
    // Alice hears Bob's reason. Janus's own `hangup` of her PeerConnection and the plugin's
    // "Remote WebRTC hangup" follow a moment later.
    let mut heard = Vec::new();
    let deadline = std::time::Instant::now() + WINDOW;
    while !heard.iter().any(|(who, reason): &(String, String)| who == &bob_name && reason == "bye now") {
        assert!(std::time::Instant::now() < deadline, "no hangup with Bob's reason; heard {heard:?}");
        let Some(message) = live::next_handle_event_within(&mut janus, alice, WINDOW) else {
            panic!("no hangup with Bob's reason; heard {heard:?}");
        };
        if message.plugin::<Event<'_>>().is_none() {
            assert_eq!(message.kind(), "hangup", "{message}");
            continue;
        }
        let Event::HangUp { username: Some(who), reason: Some(reason) } = event(&message) else { panic!("{message}") };
        heard.push((who.to_string(), reason.to_string()));
    }

    // Janus closes both PeerConnections a moment later (more `hangup`s, plugin and core):
    // taken as they come, then the handles go.
    std::thread::sleep(Duration::from_millis(300));
    for handle in [alice, bob, carol] {
        janus.detach(handle).expect("detach");
    }
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn videocall_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn videocall_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known videocall event, none as
/// `Other`.
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("videocall", 8, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
