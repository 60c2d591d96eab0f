//! Real media through Janus's Record&Play: a str0m peer records opus + VP8 for a moment
//! (`record` with its offer → Janus's answer → `webrtcup` → media), `stop` (→ `stopped`, then
//! `done`: the recording is written out), the recording is listed with the codecs Janus read
//! from its files, and a second str0m peer plays it back (`play` → Janus's offer → the peer's
//! answer with `start` → `playing`, `webrtcup`, packets arrive) until the playout ends by
//! itself (`done`). Over WebSocket and over HTTP, inside the namespace of `tests/netns/run`.

#[path = "support/media.rs"]
mod media_support;

use std::time::{Duration, Instant};

use janus_signal::HandleId;
use janus_signal::message::Message;
use janus_signal::plugin::recordplay::{self, Event, ListRecordings, Play, Record, Start, Stop};
use janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Janus, OwnedMessage};
use media_support::{
    EventLog, OfferSpec, Peer, Transport, janus_description, netns, offer_with_trickle, trickle_all, wait_webrtcup,
    without_candidates,
};

/// What the recording peer sends: opus and VP8, send-only.
const RECORD: OfferSpec = OfferSpec { audio: true, video: true, data: None, send_only: true };
/// How long any one signaling wait may take.
const WAIT: Duration = Duration::from_secs(5);

/// The typed event of a reply.
fn event(reply: &OwnedMessage) -> Result<Event<'_>, String> {
    match Event::from_message(&reply.message()) {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(format!("{e}: {reply}")),
        None => Err(format!("no recordplay data: {reply}")),
    }
}

fn is_done(m: &Message<'_>) -> bool {
    matches!(Event::from_message(m), Some(Ok(Event::Done)))
}

#[derive(Debug)]
struct Report {
    recorded_audio: u64,
    recorded_video: u64,
    played_audio: u64,
    played_video: u64,
    playout_webrtcup: Duration,
}

/// Records a moment of media on `handle`; returns the recording's id and what was sent.
fn record(janus: &mut Janus, handle: HandleId, log: &mut EventLog) -> Result<(u64, u64, u64), String> {
    let mut peer = Peer::new(netns().peer_ip)?;
    let offer = peer.create_offer(RECORD)?;
    let name = format!("janus-signal media {}", std::process::id());
    let reply = offer_with_trickle(janus, handle, &Record::new(&name), &peer, &offer);
    let Event::Recording { id } = event(&reply)? else { return Err(format!("record: {reply}")) };
    let (kind, answer) = janus_description(&reply);
    assert_eq!(kind, SdpType::Answer);
    peer.accept_answer(&answer)?;
    wait_webrtcup(log, janus, handle, &peer)?;
    peer.set_sending(true, true);
    let sent = peer
        .wait_for(Duration::from_secs(8), |s| s.sent_audio >= 100 && s.sent_video >= 50)
        .map_err(|s| format!("the recording peer did not send: {s}"))?;
    peer.set_sending(false, false);
    let reply = janus.message(handle, &Stop::new()).map_err(|e| format!("stop: {e}"))?;
    assert_eq!(event(&reply)?, Event::Stopped { id: Some(id) });
    log.seen_or_wait(janus, handle, WAIT, "the recording's done", is_done)?;
    peer.close();
    Ok((id, sent.sent_audio, sent.sent_video))
}

fn recordplay_walk(transport: Transport) -> Result<Report, String> {
    let ns = netns();
    let mut janus = ns.session(transport);
    let session = janus.session_id().expect("session");
    let recorder = janus.attach(recordplay::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    let mut recorder_log = EventLog::default();
    let (id, recorded_audio, recorded_video) = record(&mut janus, recorder, &mut recorder_log)?;

    // Listed, with the codecs Janus read from the files it wrote.
    let reply = janus.message(recorder, &ListRecordings::new()).map_err(|e| format!("list: {e}"))?;
    let Event::Recordings(list) = event(&reply)? else { return Err(format!("list: {reply}")) };
    let ours =
        list.iter().flatten().find(|r| r.id == id).ok_or_else(|| format!("recording {id} not listed: {reply}"))?;
    assert!(ours.audio_codec.is_some_and(|c| c == "opus"), "{reply}");
    assert!(ours.video_codec.is_some_and(|c| c == "vp8"), "{reply}");

    // Play it back to a new peer.
    let player = janus.attach(recordplay::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    let mut player_log = EventLog::default();
    let asked = Instant::now();
    let reply = janus.message(player, &Play::new(id)).map_err(|e| format!("play: {e}"))?;
    let Event::Preparing { id: playing, restart: false, warning: None } = event(&reply)? else {
        return Err(format!("play: {reply}"));
    };
    assert_eq!(playing, id);
    let (kind, offer) = janus_description(&reply);
    assert_eq!(kind, SdpType::Offer);
    let mut peer = Peer::new(ns.peer_ip)?;
    let answer = peer.accept_offer(&offer)?;
    let sent = without_candidates(&answer);
    let reply = janus
        .message_with_jsep(player, &Start::new(), &SessionDescription::new(SdpType::Answer, sent.as_str()))
        .map_err(|e| format!("start: {e}"))?;
    assert_eq!(event(&reply)?, Event::Playing);
    trickle_all(&mut janus, player, &peer, &answer);
    wait_webrtcup(&mut player_log, &mut janus, player, &peer)?;
    let playout_webrtcup = asked.elapsed();
    let played = peer
        .wait_for(Duration::from_secs(8), |s| s.received_audio >= 50 && s.received_video >= 20)
        .map_err(|s| format!("the playout did not arrive: {s}"))?;
    // The recording is a few seconds long: the playout ends by itself.
    player_log.wait(&mut janus, player, Duration::from_secs(15), "the playout's done", is_done)?;
    peer.close();

    janus.detach(player).map_err(|e| format!("detach: {e}"))?;
    janus.detach(recorder).map_err(|e| format!("detach: {e}"))?;
    janus.destroy_session().map_err(|e| format!("destroy session: {e}"))?;
    ns.assert_session_gone(session);
    Ok(Report {
        recorded_audio,
        recorded_video,
        played_audio: played.received_audio,
        played_video: played.received_video,
        playout_webrtcup,
    })
}

fn walk(transport: Transport) {
    let r = recordplay_walk(transport).unwrap_or_else(|e| panic!("recordplay walk over {transport:?}: {e}"));
    eprintln!(
        "recordplay over {transport:?}: recorded {} audio / {} video frames; play -> webrtcup {} ms, {} audio / {} video frames played back",
        r.recorded_audio,
        r.recorded_video,
        r.playout_webrtcup.as_millis(),
        r.played_audio,
        r.played_video
    );
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn recordplay_real_media_ws() {
    walk(Transport::Ws);
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn recordplay_real_media_http() {
    walk(Transport::Http);
}
