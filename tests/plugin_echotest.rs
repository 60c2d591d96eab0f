//! The core's EchoTest helpers (`janus_signal::plugin::echotest`) against the real Janus, over
//! both transports: `Configure` with a real offer (→ `Accepted` + answer), a request with a
//! member of the wrong type (→ typed 413), and `Done` after a hangup.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::echotest::{self, Configure, ErrorCode, Event};
use janus_signal_socket::janus_signal::plugin::{EventError, plugin_data};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Error, Event as JanusEvent, Options, OwnedMessage};

use live::{OFFER, Transport};

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    let message = reply.message();
    let data = plugin_data(&message).unwrap_or_else(|| panic!("no plugin data: {reply}"));
    assert!(data.plugin == echotest::PLUGIN, "{reply}");
    Event::decode(data.data).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

fn echo(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(echotest::PLUGIN, None).expect("attach");

    // A plain configure, then one with the offer.
    let reply = janus.message(handle, &Configure::new().with_bitrate(128_000)).expect("configure");
    assert_eq!(event(&reply), Event::Accepted);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let reply = janus
        .message_with_jsep(handle, &Configure::new().with_audio(true).with_video(true), &offer)
        .expect("configure with offer");
    assert_eq!(event(&reply), Event::Accepted);
    let Message::Event(answer) = reply.message() else { panic!("{reply}") };
    assert_eq!(answer.jsep.map(|j| j.kind), Some(JsepType::Answer), "{reply}");

    // A member of the wrong type: the plugin's typed error.
    let error = janus.message(handle, &serde_json::json!({"audio": "yes"})).expect_err("audio as a string");
    assert!(matches!(error, Error::Plugin { .. }), "{error:?}");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::InvalidElement), "{error:?}");
    let fields = serde_json::json!({"body": {"video": 1}});
    let ack = janus.request("message", Some(handle), &fields).expect("message");
    let reply = match ack.message() {
        Message::Ack(_) => live::next_handle_event_within(&mut janus, handle, Duration::from_secs(5)).expect("event"),
        _ => ack,
    };
    let message = reply.message();
    let data = plugin_data(&message).expect("plugin data").data;
    match Event::decode(data) {
        Err(EventError::Plugin(e)) => {
            assert_eq!(e.code, ErrorCode::InvalidElement, "{reply}");
            assert!(e.reason.is_some_and(|r| r.to_string().contains("video")), "{reply}");
        }
        other => panic!("expected 413, got {other:?}: {reply}"),
    }

    // hangup: the plugin says `done`.
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(
        &mut janus,
        Duration::from_secs(5),
        |e| matches!(e, JanusEvent::Handle { message, .. } if message.kind() == "hangup"),
    );
    let done = events.iter().any(|e| match e {
        JanusEvent::Handle { message, .. } if message.kind() == "event" => event(message) == Event::Done,
        _ => false,
    });
    assert!(done, "no `done` event after hangup: {events:?}");

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn echotest_http() {
    run(Transport::Http, echo);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn echotest_ws() {
    run(Transport::Ws, echo);
}
