//! Real audio through Janus's AudioBridge (a mixer): two str0m peers join one room with opus
//! offers on two handles of one session, both PeerConnections come up (`webrtcup`), the first
//! hears that the second's media is set up (`setup: true`), each receives the mix Janus encodes
//! for it; then the second hangs up (`hangingup`, and the first gets `leaving`) and the room is
//! destroyed. Over WebSocket and over HTTP, inside the namespace of `tests/netns/run`.

#[path = "support/media.rs"]
mod media_support;

use std::time::{Duration, Instant};

use janus_signal::HandleId;
use janus_signal::message::Message;
use janus_signal::plugin::PluginId;
use janus_signal::plugin::audiobridge::{self, CreateRoom, DestroyRoom, Event, Hangup, Join};
use janus_signal::request::SdpType;
use janus_signal::webrtc::Sdp;
use janus_signal_socket::{Janus, OwnedMessage};
use media_support::{
    EventLog, OfferSpec, Peer, Transport, janus_description, netns, offer_with_trickle, wait_webrtcup,
};

/// Opus both ways, nothing else.
const AUDIO: OfferSpec = OfferSpec { audio: true, video: false, data: None, send_only: false };
/// How long any one signaling wait may take.
const WAIT: Duration = Duration::from_secs(5);

/// The typed event of a reply.
fn event(reply: &OwnedMessage) -> Result<Event<'_>, String> {
    match Event::from_message(&reply.message()) {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(format!("{e}: {reply}")),
        None => Err(format!("no audiobridge data: {reply}")),
    }
}

/// An AudioBridge event of the handle that `wanted` accepts.
fn audiobridge_event(wanted: impl Fn(&Event<'_>) -> bool) -> impl Fn(&Message<'_>) -> bool {
    move |m| matches!(Event::from_message(m), Some(Ok(event)) if wanted(&event))
}

/// One participant: its handle, its peer, its id in the room and what its handle saw.
struct Participant {
    handle: HandleId,
    peer: Peer,
    id: PluginId<'static>,
    log: EventLog,
}

/// Attaches, joins `room` with an opus offer, applies Janus's answer and waits for `webrtcup`.
fn join(janus: &mut Janus, room: u64, display: &str) -> Result<Participant, String> {
    let handle = janus.attach(audiobridge::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    let mut peer = Peer::new(netns().peer_ip)?;
    let offer = peer.create_offer(AUDIO)?;
    let reply = offer_with_trickle(janus, handle, &Join::new(room).with_display(display), &peer, &offer);
    let Event::Joined { id: Some(PluginId::Number(id)), .. } = event(&reply)? else {
        return Err(format!("{display}: not joined: {reply}"));
    };
    let (kind, answer) = janus_description(&reply);
    assert_eq!(kind, SdpType::Answer);
    assert_eq!(Sdp::new(&answer).media().count(), 1, "one audio section in {answer}");
    peer.accept_answer(&answer)?;
    let mut log = EventLog::default();
    wait_webrtcup(&mut log, janus, handle, &peer)?;
    Ok(Participant { handle, peer, id: PluginId::Number(id), log })
}

#[derive(Debug)]
struct Report {
    webrtcup: Duration,
    alice_received: u64,
    bob_received: u64,
}

fn audiobridge_walk(transport: Transport) -> Result<Report, String> {
    let ns = netns();
    let started = Instant::now();
    let mut janus = ns.session(transport);
    let session = janus.session_id().expect("session");
    let admin = janus.attach(audiobridge::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    // Janus picks the room id (both transports' walks run at once).
    let reply = janus.message(admin, &CreateRoom::new().with_sampling_rate(48000)).expect("create");
    let Event::Created { room: PluginId::Number(room), permanent: Some(false) } = event(&reply)? else {
        return Err(format!("create: {reply}"));
    };

    let mut alice = join(&mut janus, room, "Alice")?;
    let webrtcup = started.elapsed();
    let mut bob = join(&mut janus, room, "Bob")?;
    // Alice hears of Bob twice: his join (setup false), then his media (setup true).
    let bob_id = bob.id;
    alice.log.wait(
        &mut janus,
        alice.handle,
        WAIT,
        "Bob's media set up",
        audiobridge_event(|e| {
            matches!(e, Event::ParticipantsChanged { participants, .. }
                if participants.iter().flatten().any(|p| p.id == bob_id && p.setup == Some(true)))
        }),
    )?;

    // Both send opus; each receives the mix Janus makes for it.
    alice.peer.set_sending(true, false);
    bob.peer.set_sending(true, false);
    for (name, who) in [("Alice", &alice), ("Bob", &bob)] {
        who.peer
            .wait_for(Duration::from_secs(8), |s| s.received_audio >= 100)
            .map_err(|s| format!("{name} did not receive 100 mixed audio frames: {s}"))?;
    }
    alice.peer.set_sending(false, false);
    bob.peer.set_sending(false, false);
    let report = Report {
        webrtcup,
        alice_received: alice.peer.stats().received_audio,
        bob_received: bob.peer.stats().received_audio,
    };

    // Bob hangs up: `hangingup` to him, `leaving` to Alice.
    let reply = janus.message(bob.handle, &Hangup::new()).map_err(|e| format!("hangup: {e}"))?;
    assert_eq!(event(&reply)?, Event::HangingUp);
    alice.log.wait(
        &mut janus,
        alice.handle,
        WAIT,
        "Bob leaving",
        audiobridge_event(|e| matches!(e, Event::Leaving { id, .. } if *id == bob_id)),
    )?;
    bob.log.wait(&mut janus, bob.handle, WAIT, "Bob's hangup", |m| matches!(m, Message::Hangup(_)))?;
    bob.peer.close();

    let reply = janus.message(admin, &DestroyRoom::new(room)).map_err(|e| format!("destroy: {e}"))?;
    assert!(matches!(event(&reply)?, Event::Destroyed { .. }), "{reply}");
    alice.log.wait(
        &mut janus,
        alice.handle,
        WAIT,
        "the room destroyed",
        audiobridge_event(|e| matches!(e, Event::Destroyed { .. })),
    )?;
    alice.peer.close();
    janus.destroy_session().map_err(|e| format!("destroy session: {e}"))?;
    ns.assert_session_gone(session);
    Ok(report)
}

fn walk(transport: Transport) {
    let r = audiobridge_walk(transport).unwrap_or_else(|e| panic!("audiobridge walk over {transport:?}: {e}"));
    eprintln!(
        "audiobridge over {transport:?}: create -> first webrtcup {} ms; mixed audio frames received: Alice {}, Bob {}",
        r.webrtcup.as_millis(),
        r.alice_received,
        r.bob_received
    );
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn audiobridge_real_media_ws() {
    walk(Transport::Ws);
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn audiobridge_real_media_http() {
    walk(Transport::Http);
}
