//! A real WebRTC session through Janus's echotest: a `str0m` peer offers opus, VP8 and a data
//! channel, trickles its candidate, connects, sends RTP for a few seconds and counts what is
//! echoed, measures a data-channel round trip, then hangs up cleanly.
//!
//! Janus offers no loopback candidates, so Janus and the peer must share a network: run it in
//! the project's private namespace, where Janus listens on 127.0.0.1 and the peer binds
//! 198.51.100.2 (a veth end):
//!
//! ```sh
//! tests/netns/run cargo run --example media_echotest            # WebSocket
//! tests/netns/run cargo run --example media_echotest -- http://127.0.0.1:8088/janus
//! ```
//!
//! Arguments: `[URL] [PEER_IP]`, defaulting to `$JANUS_WS_URL` (or `ws://127.0.0.1:8188`) and
//! `$JANUS_PEER_IP` (or 198.51.100.2).

#[path = "../tests/support/media_peer.rs"]
mod peer;

use std::error::Error;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use janus_signal::message::Message;
use janus_signal::plugin::echotest;
use janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal::webrtc::{LocalCandidates, RemoteDescription, Sdp};
use janus_signal_socket::{Janus, Options};
use peer::{OfferSpec, Peer};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let url =
        args.next().or_else(|| std::env::var("JANUS_WS_URL").ok()).unwrap_or_else(|| "ws://127.0.0.1:8188".into());
    let peer_ip: IpAddr =
        args.next().or_else(|| std::env::var("JANUS_PEER_IP").ok()).unwrap_or_else(|| "198.51.100.2".into()).parse()?;

    let started = Instant::now();
    let mut janus = Janus::connect(&url, Options::default())?;
    let session = janus.create_session()?;
    let handle = janus.attach("janus.plugin.echotest", None)?;
    println!("session {} handle {} on {url}", session.0, handle.0);

    // The offer goes out without candidates; they follow by trickle.
    let mut peer = Peer::new(peer_ip)?;
    let offer = peer.create_offer(OfferSpec { audio: true, video: true, data: Some("echo"), send_only: false })?;
    let bare: String = offer
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("a=candidate:") && !l.starts_with("a=end-of-candidates"))
        .collect();
    let body = echotest::Configure::new().with_audio(true).with_video(true);
    let reply = janus.message_with_jsep(handle, &body, &SessionDescription::new(SdpType::Offer, bare.as_str()))?;
    let local = LocalCandidates::for_description(&Sdp::new(&offer)).ok_or("the offer has no media")?;
    for line in peer.local_candidates() {
        janus.trickle(handle, Candidates::One(&local.candidate(line)?))?;
    }
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed)?;

    // Janus's answer (its candidates are in the SDP) goes to the peer.
    let answer = {
        let message = reply.message();
        let Message::Event(event) = message else { return Err(format!("unexpected reply {reply}").into()) };
        let jsep = event.jsep.ok_or("the echotest answered without a jsep")?;
        let mut scratch = vec![0u8; jsep.sdp.unescaped_len()];
        RemoteDescription::from_jsep(&jsep, &mut scratch)?.sdp.as_str().to_owned()
    };
    peer.accept_answer(&answer)?;

    wait_for_kind(&mut janus, handle, "webrtcup", Duration::from_secs(10))?;
    let webrtcup = started.elapsed();
    println!("create -> webrtcup: {} ms", webrtcup.as_millis());

    // Three seconds of audio and video, echoed back.
    peer.wait_for(Duration::from_secs(5), |s| s.connected)?;
    peer.set_sending(true, true);
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        // Calling in keeps the session alive and collects `media` events.
        if let Some(event) = janus.next_handle_event(handle, Duration::from_millis(200))? {
            println!("event: {}", event.kind());
        }
    }
    peer.set_sending(false, false);
    std::thread::sleep(Duration::from_millis(300));
    let stats = peer.stats();
    println!(
        "audio: {} sent, {} echoed ({:.1}%); video: {} sent, {} echoed ({:.1}%)",
        stats.sent_audio,
        stats.received_audio,
        percent(stats.received_audio, stats.sent_audio),
        stats.sent_video,
        stats.received_video,
        percent(stats.received_video, stats.sent_video)
    );

    // The data channel: the echotest answers with a prefix.
    peer.wait_for(Duration::from_secs(5), |s| !s.channels.is_empty())?;
    let sent_at = Instant::now();
    peer.send_text("ping")?;
    let stats = peer.wait_for(Duration::from_secs(5), |s| !s.texts.is_empty())?;
    println!("data channel: {:?} after {:.1} ms", stats.texts[0], sent_at.elapsed().as_secs_f64() * 1000.0);

    janus.hangup(handle)?;
    wait_for_kind(&mut janus, handle, "hangup", Duration::from_secs(5))?;
    peer.close();
    janus.detach(handle)?;
    janus.destroy_session()?;
    println!("hung up, detached, destroyed after {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }
}

fn wait_for_kind(
    janus: &mut Janus,
    handle: janus_signal::HandleId,
    kind: &str,
    timeout: Duration,
) -> Result<(), Box<dyn Error>> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(event) = janus.next_handle_event(handle, Duration::from_millis(200))? {
            println!("event: {}", event.kind());
            if event.kind() == kind {
                return Ok(());
            }
        }
    }
    Err(format!("no {kind} within {timeout:?}").into())
}
