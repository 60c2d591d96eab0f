//! The core's NoSIP helpers (`janus_signal::plugin::nosip`) against the real Janus, over both
//! transports: typed refusals (446 without an SDP, 449 for a recording of nothing, 444 for an
//! action NoSIP does not have), `generate` with a WebRTC offer (→ a plain RTP offer on the
//! plugin's `local_ip`, 127.0.0.1 in the project's Janus), `process` of the other side's plain
//! answer (→ `processed` with Janus's WebRTC answer as the JSEP), and `hangup`. No media
//! flows: the offer carries no candidates, and the plain side's port is never sent to.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. `JANUS_RECORD_FIXTURES=1`
//! makes the WebSocket walk keep what it reads in `tests/fixtures/plugins/nosip/`, which
//! `recorded_messages_decode` reads back without a Janus.

#[path = "support/live.rs"]
mod live;

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::nosip::{self, ErrorCode, Event, Generate, Hangup, Process, Recording};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Options, OwnedMessage};

use live::Transport;

thread_local! {
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The other side's plain RTP answer: audio to a loopback port nothing listens on, video
/// refused.
const PLAIN_ANSWER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 5300 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\nm=video 0 RTP/AVP 96\r\n";

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    if RECORDING.with(std::cell::Cell::get)
        && let Some(name) = live::plugin_data(reply)["result"]["event"].as_str()
    {
        live::record_fixture("nosip", reply, name);
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no nosip data: {reply}"),
    }
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(nosip::PLUGIN, None).expect("attach");

    // `hangup` is answered even without a PeerConnection.
    let reply = janus.message(handle, &Hangup::new()).expect("hangup");
    assert_eq!(event(&reply), Event::HangingUp);
    live::expect_plugin_error(
        janus.message(handle, &Generate::new()),
        ErrorCode::MissingSdp,
        "generate without an SDP",
    );
    live::expect_plugin_error(
        janus.message(handle, &Recording::new("start")),
        ErrorCode::RecordingError,
        "record nothing",
    );
    live::expect_plugin_error(
        janus.message(handle, &Recording::new("pause").with_audio(true)),
        ErrorCode::InvalidElement,
        "an action NoSIP does not have",
    );

    // The WebRTC offer becomes a plain RTP offer on the plugin's local_ip.
    let offer = live::without_candidates(live::OFFER);
    let reply = janus
        .message_with_jsep(
            handle,
            &Generate::new().with_info("janus-signal"),
            &SessionDescription::new(SdpType::Offer, offer.as_str()),
        )
        .expect("generate");
    let Event::Generated { kind, sdp, update: None } = event(&reply) else { panic!("{reply}") };
    assert!(kind == "offer", "{reply}");
    let plain = sdp.to_string();
    assert!(plain.contains("m=audio ") && plain.contains(" RTP/AVP "), "{plain}");
    assert!(plain.contains("c=IN IP4 127.0.0.1"), "{plain}");
    assert!(!plain.contains("a=ice-ufrag") && !plain.contains("a=fingerprint"), "{plain}");

    // The other side's plain answer comes back as a WebRTC answer.
    let reply = janus.message(handle, &Process::new(SdpType::Answer, PLAIN_ANSWER)).expect("process");
    assert!(matches!(event(&reply), Event::Processed { srtp: None, .. }), "{reply}");
    let Message::Event(processed) = reply.message() else { panic!("{reply}") };
    let jsep = processed.jsep.expect("Janus's WebRTC answer");
    assert_eq!(jsep.kind, JsepType::Answer);
    let webrtc = jsep.sdp.to_string();
    assert!(webrtc.contains("a=ice-ufrag:") && webrtc.contains("a=fingerprint:"), "{webrtc}");

    let reply = janus.message(handle, &Recording::new("stop").with_audio(true)).expect("stop recording");
    assert_eq!(event(&reply), Event::RecordingUpdated);
    let reply = janus.message(handle, &Hangup::new()).expect("hangup");
    assert_eq!(event(&reply), Event::HangingUp);

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn nosip_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn nosip_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known NoSIP event, none as `Other`.
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("nosip", 4, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
