//! The core's Record&Play helpers (`janus_signal::plugin::recordplay`) against the real Janus,
//! over both transports: `update`, `configure` and `list` answered at once; typed refusals
//! (415 `record` without an offer, 416 `play` of no recording, 418 `start` without a `play`);
//! `record` with an offer (Janus answers, `recording` with the id asked for, 420 for that id
//! again), `stop` (`stopped`, then `done`), the recording listed afterwards, and its `play`
//! refused with 417 because no media ever reached its files. No media flows: the offer
//! carries no candidates.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. `JANUS_RECORD_FIXTURES=1`
//! makes the WebSocket walk keep what it reads in `tests/fixtures/plugins/recordplay/`, which
//! `recorded_messages_decode` reads back without a Janus.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::recordplay::{
    self, Configure, ErrorCode, Event, ListRecordings, Play, Record, Start, Stop, Update,
};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Options, OwnedMessage};

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
    if RECORDING.with(std::cell::Cell::get) {
        let data = live::plugin_data(reply);
        let name = data["result"]["status"].as_str().or(data["result"].as_str()).or(data["recordplay"].as_str());
        if let Some(name) = name {
            live::record_fixture("recordplay", reply, name);
        }
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no recordplay data: {reply}"),
    }
}

/// One walk at a time: a walk's `update` drops from the plugin's table a recording the other
/// walk has not finished yet (it has no `.nfo` until its `done`).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn walk(url: &str) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(recordplay::PLUGIN, None).expect("attach");

    let reply = janus.message(handle, &Update::new()).expect("update");
    assert_eq!(event(&reply), Event::Updated);
    let reply = janus.message(handle, &Configure::new().with_video_bitrate_max(512_000)).expect("configure");
    let Event::Configured { video_bitrate_max: Some(512_000), video_keyframe_interval: Some(_) } = event(&reply) else {
        panic!("{reply}")
    };
    let reply = janus.message(handle, &ListRecordings::new()).expect("list");
    assert!(matches!(event(&reply), Event::Recordings(_)), "{reply}");

    let id = live::random_id();
    live::expect_plugin_error(
        janus.message(handle, &Record::new("no offer")),
        ErrorCode::MissingElement,
        "record without an offer",
    );
    live::expect_plugin_error(janus.message(handle, &Play::new(id)), ErrorCode::NotFound, "play of no recording");
    live::expect_plugin_error(janus.message(handle, &Start::new()), ErrorCode::InvalidState, "start without a play");

    // Record with an offer: Janus answers.
    let name = live::unique("janus-signal \"take\"");
    let offer = live::without_candidates(live::OFFER);
    let reply = janus
        .message_with_jsep(
            handle,
            &Record::new(&name).with_id(id),
            &SessionDescription::new(SdpType::Offer, offer.as_str()),
        )
        .expect("record");
    assert_eq!(event(&reply), Event::Recording { id });
    let Message::Event(recording) = reply.message() else { panic!("{reply}") };
    assert_eq!(recording.jsep.expect("Janus's answer").kind, JsepType::Answer);
    let other = janus.attach(recordplay::PLUGIN, None).expect("attach another");
    live::expect_plugin_error(
        janus.message_with_jsep(
            other,
            &Record::new("again").with_id(id),
            &SessionDescription::new(SdpType::Offer, offer.as_str()),
        ),
        ErrorCode::RecordingExists,
        "a recording id taken",
    );

    // Stop: `stopped` with the id, then `done` (the recording is written out).
    let reply = janus.message(handle, &Stop::new()).expect("stop");
    assert_eq!(event(&reply), Event::Stopped { id: Some(id) });
    // Janus's own `hangup` of the PeerConnection may come first.
    let done = loop {
        let message = live::next_handle_event_within(&mut janus, handle, Duration::from_secs(5)).expect("done");
        if message.plugin::<Event<'_>>().is_some() {
            break message;
        }
    };
    assert_eq!(event(&done), Event::Done);

    // Listed now, with its name; no media reached its files, so it cannot be played.
    let reply = janus.message(other, &ListRecordings::new()).expect("list");
    let Event::Recordings(list) = event(&reply) else { panic!("{reply}") };
    let ours = list.iter().map(|r| r.expect("a recording")).find(|r| r.id == id).unwrap_or_else(|| panic!("{reply}"));
    assert!(ours.name.is_some_and(|n| n == name.as_str()), "{reply}");
    assert_eq!((ours.audio, ours.video), (Some(true), Some(true)), "{reply}");
    live::expect_plugin_error(
        janus.message(other, &Play::new(id)),
        ErrorCode::InvalidRecording,
        "play of a recording without media",
    );

    janus.detach(other).expect("detach");
    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn recordplay_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn recordplay_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known Record&Play event.
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("recordplay", 6, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
