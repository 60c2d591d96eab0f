//! The core's VoiceMail helpers (`janus_signal::plugin::voicemail`) against the real Janus,
//! over both transports: `update` before any media is refused (468); `record` without an offer
//! opens the file (`starting`), a second `record` is refused (465), `stop` answers `done` with
//! the recording's URL and Janus then ends the handle (`detached`); on a new handle `record`
//! with an offer is answered `starting` with Janus's receive-only answer (no video), and
//! `stop` ends it too. No media flows: the offer carries no candidates.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. `JANUS_RECORD_FIXTURES=1`
//! makes the WebSocket walk keep what it reads in `tests/fixtures/plugins/voicemail/`, which
//! `recorded_messages_decode` reads back without a Janus.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::voicemail::{self, ErrorCode, Event, Record, Stop, Update};
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

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    if RECORDING.with(std::cell::Cell::get)
        && let Some(status) = live::plugin_data(reply)["status"].as_str()
    {
        live::record_fixture("voicemail", reply, status);
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no voicemail data: {reply}"),
    }
}

/// `stop`: `done` with the recording's URL, then Janus ends the handle.
fn stop(janus: &mut Janus, handle: HandleId) {
    let reply = janus.message(handle, &Stop::new()).expect("stop");
    let Event::Done { recording: Some(url) } = event(&reply) else { panic!("{reply}") };
    let url = url.to_string();
    assert!(url.starts_with("/voicemail/janus-voicemail-") && url.ends_with(".opus"), "{url}");
    let events = live::collect_events(
        janus,
        Duration::from_secs(5),
        |e| matches!(e, janus_signal_socket::Event::HandleDetached(h) if *h == handle),
    );
    assert!(
        events.iter().any(|e| matches!(e, janus_signal_socket::Event::HandleDetached(h) if *h == handle)),
        "Janus did not end handle {handle}: {events:?}"
    );
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");

    let handle = janus.attach(voicemail::PLUGIN, None).expect("attach");
    live::expect_plugin_error(janus.message(handle, &Update::new()), ErrorCode::InvalidState, "update before media");
    let reply = janus.message(handle, &Record::new()).expect("record");
    assert_eq!(event(&reply), Event::Starting);
    live::expect_plugin_error(janus.message(handle, &Record::new()), ErrorCode::AlreadyRecording, "record twice");
    stop(&mut janus, handle);

    // With an offer: Janus answers, receive-only audio, video refused.
    let handle = janus.attach(voicemail::PLUGIN, None).expect("attach again");
    let offer = live::without_candidates(live::OFFER);
    let reply = janus
        .message_with_jsep(handle, &Record::new(), &SessionDescription::new(SdpType::Offer, offer.as_str()))
        .expect("record with an offer");
    assert_eq!(event(&reply), Event::Starting);
    let Message::Event(starting) = reply.message() else { panic!("{reply}") };
    let jsep = starting.jsep.expect("Janus's answer");
    assert_eq!(jsep.kind, JsepType::Answer);
    let answer = jsep.sdp.to_string();
    assert!(answer.contains("a=recvonly") && answer.contains("m=video 0 "), "{answer}");
    stop(&mut janus, handle);

    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn voicemail_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn voicemail_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known VoiceMail event.
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("voicemail", 4, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
