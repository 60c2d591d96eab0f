//! The core's Streaming helpers (`janus_signal::plugin::streaming`) against the real Janus,
//! over both transports: an RTP mountpoint created at run time (Janus picks its ports; the
//! test server has no `admin_key`), `list`, `info`, `watch` (→ `preparing` + offer),
//! `pause`, `start` with an answer made from Janus's offer (→ `starting`), `stop`, `destroy`,
//! and the typed 455 for a mountpoint that does not exist.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::streaming::{
    self, CreateRtpMountpoint, DestroyMountpoint, ErrorCode, Event, GetInfo, ListMountpoints, Pause, RtpMedia, Start,
    Status, Stop, Watch,
};
use janus_signal_socket::janus_signal::plugin::{EventError, PluginId, plugin_data};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Event as JanusEvent, Options, OwnedMessage};

use live::Transport;

const NAME: &str = "janus-signal \"test\" mountpoint";
const DESCRIPTION: &str = "RTP on loopback, é\t";

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    let message = reply.message();
    let data = plugin_data(&message).unwrap_or_else(|| panic!("no plugin data: {reply}"));
    assert!(data.plugin == streaming::PLUGIN, "{reply}");
    Event::decode(data.data).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

#[track_caller]
fn plugin_error(reply: &OwnedMessage) -> ErrorCode {
    let message = reply.message();
    match Event::decode(plugin_data(&message).expect("plugin data").data) {
        Err(EventError::Plugin(e)) => {
            assert!(e.reason.is_some(), "{reply}");
            e.code
        }
        other => panic!("expected a plugin error, got {other:?}: {reply}"),
    }
}

/// A viewer's answer to Janus's offer: the same m-lines, receiving, with our own ICE
/// credentials and one loopback candidate (nothing listens there).
fn answer_to(offer: &str) -> String {
    let mut answer = String::new();
    for line in offer.split("\r\n").filter(|l| !l.is_empty()) {
        let line = match line {
            l if l.starts_with("a=candidate:") || l == "a=end-of-candidates" => continue,
            "a=sendonly" => "a=recvonly".to_owned(),
            "a=setup:actpass" => "a=setup:active".to_owned(),
            l if l.starts_with("a=ice-ufrag:") => "a=ice-ufrag:JsSg".to_owned(),
            l if l.starts_with("a=ice-pwd:") => "a=ice-pwd:janussignalstreamingpwd1".to_owned(),
            l if l.starts_with("a=fingerprint:") => format!("a=fingerprint:sha-256 {}", ["AB"; 32].join(":")),
            l if l.starts_with("a=ssrc") || l.starts_with("a=msid") => continue,
            l => l.to_owned(),
        };
        answer.push_str(&line);
        answer.push_str("\r\n");
        if line.starts_with("a=mid:") {
            answer.push_str(&format!("a={}\r\n", live::CANDIDATE));
        }
    }
    answer
}

fn walk(url: &str) {
    // `stop` of a viewer that never got media is only acked by Janus 1.1.2: wait briefly.
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(streaming::PLUGIN, None).expect("attach");

    let media = [
        RtpMedia { kind: "audio", mid: "a", port: 0, pt: Some(111), codec: Some("opus") },
        RtpMedia { kind: "video", mid: "v", port: 0, pt: Some(96), codec: Some("vp8") },
    ];
    let id = live::random_id();
    let create = CreateRtpMountpoint::new(&media).with_id(id).with_name(NAME).with_description(DESCRIPTION);
    let reply = janus.message(handle, &create).expect("create");
    let Event::Created { name, id: created, permanent, stream } = event(&reply) else { panic!("create: {reply}") };
    assert_eq!(name.map(|n| n.to_string()).as_deref(), Some(NAME));
    assert_eq!((created, permanent), (PluginId::Number(id), Some(false)));
    assert!(stream.get("ports").is_some_and(|p| p.elements().count() == 2), "{reply}");

    // list: ours is there, with its description unescaped.
    let reply = janus.message(handle, &ListMountpoints::new()).expect("list");
    let Event::Mountpoints(list) = event(&reply) else { panic!("list: {reply}") };
    let ours = list
        .iter()
        .map(|m| m.expect("a mountpoint"))
        .find(|m| m.id == PluginId::Number(id))
        .unwrap_or_else(|| panic!("mountpoint {id} not listed: {reply}"));
    assert_eq!(ours.description.map(|d| d.to_string()).as_deref(), Some(DESCRIPTION));
    assert_eq!(ours.media.map(|m| m.len()), Some(2));

    // info: name, media with codecs and the ports Janus picked.
    let reply = janus.message(handle, &GetInfo::new(id)).expect("info");
    let Event::Info(info) = event(&reply) else { panic!("info: {reply}") };
    assert_eq!(info.id, PluginId::Number(id));
    assert_eq!(info.name.map(|n| n.to_string()).as_deref(), Some(NAME));
    assert_eq!(info.viewers, Some(0), "{reply}");
    let media: Vec<_> = info.media.expect("media").iter().collect::<Result<_, _>>().expect("media");
    assert!(media[0].codec.is_some_and(|c| c == "opus") && media[1].codec.is_some_and(|c| c == "vp8"), "{reply}");
    assert!(media.iter().all(|m| m.port.is_some_and(|p| (20000..=40000).contains(&p))), "{reply}");

    // A mountpoint that does not exist: 455, from `success` and from an event.
    let error = janus.message(handle, &GetInfo::new(id ^ 1)).expect_err("info on a missing mountpoint");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchMountpoint), "{error:?}");
    let reply = janus.request("message", Some(handle), &serde_json::json!({"body": GetInfo::new(id ^ 1)}));
    assert_eq!(plugin_error(&reply.expect("info")), ErrorCode::NoSuchMountpoint);
    let error = janus.message(handle, &Watch::new(id ^ 1)).expect_err("watch a missing mountpoint");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchMountpoint), "{error:?}");

    // watch: `preparing` and Janus's offer.
    let reply = janus.message(handle, &Watch::new(id)).expect("watch");
    assert!(matches!(event(&reply), Event::Status { status: Status::Preparing, .. }), "{reply}");
    let Message::Event(watch) = reply.message() else { panic!("{reply}") };
    let offer = watch.jsep.expect("an offer");
    assert_eq!(offer.kind, JsepType::Offer);
    let answer = answer_to(&offer.sdp.to_string());

    // pause, then start with our answer.
    let reply = janus.message(handle, &Pause::new()).expect("pause");
    assert!(matches!(event(&reply), Event::Status { status: Status::Pausing, .. }), "{reply}");
    let jsep = SessionDescription::new(SdpType::Answer, answer.as_str());
    let reply = janus.message_with_jsep(handle, &Start::new(), &jsep).expect("start with an answer");
    assert!(matches!(event(&reply), Event::Status { status: Status::Starting, .. }), "{reply}");

    // stop: acked; the `stopping` event only comes for a viewer whose media started.
    let reply = janus.request("message", Some(handle), &serde_json::json!({"body": Stop::new()})).expect("stop");
    let stopped = match reply.message() {
        Message::Ack(_) => {
            let events = live::collect_events(&mut janus, Duration::from_millis(500), |_| false);
            events.iter().any(|e| match e {
                JanusEvent::Handle { message, .. } if message.kind() == "event" => {
                    matches!(event(message), Event::Status { status: Status::Stopping, .. })
                }
                _ => false,
            })
        }
        _ => matches!(event(&reply), Event::Status { status: Status::Stopping, .. }),
    };
    eprintln!("stop answered with `stopping`: {stopped}");

    let reply = janus.message(handle, &DestroyMountpoint::new(id)).expect("destroy");
    assert_eq!(event(&reply), Event::Destroyed { id: PluginId::Number(id) });
    let error = janus.message(handle, &DestroyMountpoint::new(id)).expect_err("destroy twice");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchMountpoint), "{error:?}");

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn streaming_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn streaming_walk_ws() {
    run(Transport::Ws, walk);
}
