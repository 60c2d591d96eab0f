//! Real audio into Janus's VoiceMail: a str0m peer sends its offer with `record` (Janus answers
//! receive-only, `starting`), the PeerConnection comes up, the plugin says `started`, the peer
//! speaks (opus) for a moment, `stop` answers `done` with the recording's URL and Janus ends
//! the handle. Over WebSocket and over HTTP, inside the namespace of `tests/netns/run`.

#[path = "support/media.rs"]
mod media_support;

use std::time::Duration;

use janus_signal::message::Message;
use janus_signal::plugin::voicemail::{self, Event, Record, Stop};
use janus_signal::request::SdpType;
use janus_signal::webrtc::{Direction, Sdp};
use janus_signal_socket::OwnedMessage;
use media_support::{
    EventLog, OfferSpec, Peer, Transport, janus_description, netns, offer_with_trickle, wait_webrtcup,
};

/// Opus, send-only.
const SPEAK: OfferSpec = OfferSpec { audio: true, video: false, data: None, send_only: true };

fn event(reply: &OwnedMessage) -> Result<Event<'_>, String> {
    match Event::from_message(&reply.message()) {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(format!("{e}: {reply}")),
        None => Err(format!("no voicemail data: {reply}")),
    }
}

fn voicemail_walk(transport: Transport) -> Result<(u64, String), String> {
    let ns = netns();
    let mut janus = ns.session(transport);
    let session = janus.session_id().expect("session");
    let handle = janus.attach(voicemail::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    let mut log = EventLog::default();
    let mut peer = Peer::new(ns.peer_ip)?;
    let offer = peer.create_offer(SPEAK)?;
    let reply = offer_with_trickle(&mut janus, handle, &Record::new(), &peer, &offer);
    assert_eq!(event(&reply)?, Event::Starting);
    let (kind, answer) = janus_description(&reply);
    assert_eq!(kind, SdpType::Answer);
    let audio = Sdp::new(&answer).media().next().ok_or("no media section in Janus's answer")?;
    assert_eq!(audio.direction(), Direction::RecvOnly, "{answer}");
    peer.accept_answer(&answer)?;
    wait_webrtcup(&mut log, &mut janus, handle, &peer)?;
    // The plugin's `started` comes with the PeerConnection, before or after `webrtcup`.
    let started = |m: &Message<'_>| matches!(Event::from_message(m), Some(Ok(Event::Started)));
    log.seen_or_wait(&mut janus, handle, Duration::from_secs(5), "started", started)?;
    peer.set_sending(true, false);
    let sent = peer
        .wait_for(Duration::from_secs(5), |s| s.sent_audio >= 50)
        .map_err(|s| format!("the peer did not speak: {s}"))?
        .sent_audio;
    peer.set_sending(false, false);
    let reply = janus.message(handle, &Stop::new()).map_err(|e| format!("stop: {e}"))?;
    let Event::Done { recording: Some(url) } = event(&reply)? else { return Err(format!("stop: {reply}")) };
    let url = url.to_string();
    peer.close();
    janus.destroy_session().map_err(|e| format!("destroy session: {e}"))?;
    ns.assert_session_gone(session);
    Ok((sent, url))
}

fn walk(transport: Transport) {
    let (sent, url) = voicemail_walk(transport).unwrap_or_else(|e| panic!("voicemail walk over {transport:?}: {e}"));
    assert!(url.ends_with(".opus"), "{url}");
    eprintln!("voicemail over {transport:?}: {sent} opus frames recorded into {url}");
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn voicemail_real_media_ws() {
    walk(Transport::Ws);
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn voicemail_real_media_http() {
    walk(Transport::Http);
}
